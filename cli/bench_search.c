// SPDX-License-Identifier: MIT
/*
 * The bench run: RFC 2544 section 26.1 throughput ("the fastest rate at
 * which the count of test frames transmitted equals the count received")
 * by binary search, generalised to a loss threshold; then latency at a
 * fraction of that rate. The order of work is repeat -> size -> path, so
 * the paths interleave and a noisy minute on this shared machine hits
 * all of them, not one; each figure is the median over repeats.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/bench.h"
#include "cli/paths.h"

/* The search's floor: below this a path is not worth a trial more. */
#define BENCH_MIN_PPS	1000.0

static volatile sig_atomic_t bench_stop;

static void bench_on_signal(int sig)
{
	bench_stop = 1;
}

struct progress {
	double t0;
	unsigned int done, total;	/* trials */
	bool tty;
};

/* What starts a message while a progress line is up: erase it. */
static const char *progress_clear(const struct progress *pr)
{
	return pr->tty ? "\r\033[K" : "";
}

static void progress_show(struct progress *pr, const char *path,
			  unsigned int size, unsigned int rep,
			  unsigned int reps, const char *what, uint64_t rate)
{
	double el = clock_mono_s() - pr->t0;
	double eta = pr->done ? el / pr->done * (pr->total - pr->done) : 0;
	char r[32];

	if (rate)
		snprintf(r, sizeof(r), "%.1f kpps", (double)rate / 1e3);
	else
		snprintf(r, sizeof(r), "max");
	fprintf(stderr, "%s%-5s %5u B  repeat %u/%u  %-10s rate %-12s "
		"trial %u/~%u  ETA %3.0f s%s", progress_clear(pr), path, size,
		rep + 1, reps, what, r, pr->done + 1, pr->total, eta,
		pr->tty ? "" : "\n");
	fflush(stderr);
}

/* Trials one search takes at most: the max, the steps, the latency. */
static unsigned int trials_per_search(const struct bench_opts *o)
{
	return 1 + o->steps + 1;
}

static bool pass(const struct bench_opts *o, const struct bench_trial *t)
{
	return t->ok && t->loss_pct <= o->loss_pct;
}

/*
 * Between what passed (@lo, 0 for nothing yet) and what the sender made
 * but lost too much at (@hi), o->steps trials at most.
 */
static void search_bisect(struct bench_env *e, const struct bench_opts *o,
			  int path, unsigned int size, unsigned int rep,
			  struct progress *pr, struct bench_point *pt,
			  double hi)
{
	const char *pname = path_info((enum topo_nic_path)path)->name;
	struct bench_trial t;
	double lo = 0;
	int rc;

	for (unsigned int s = 0; s < o->steps && !bench_stop; s++) {
		/* Bisect in log space: the answer may be 100x below what
		 * the sender makes (a receiver that drains 10 kpps behind
		 * a 100 kpps sender), and a linear search would need many
		 * trials to get down there. */
		double floor_pps = lo > BENCH_MIN_PPS ? lo : BENCH_MIN_PPS;
		uint64_t mid = (uint64_t)sqrt(floor_pps * hi);

		if (hi <= floor_pps * 1.02)
			break;	/* resolved to 2% */

		progress_show(pr, pname, size, rep, o->repeats, "search", mid);
		rc = bench_trial_run(e, path, size, mid, o->trial_s, false, &t);
		pr->done++;
		pt->trials++;
		if (rc) {
			fprintf(stderr, "%siopath: %s %u B at %llu pps: %s\n",
				progress_clear(pr), pname, size,
				(unsigned long long)mid, t.why);
			continue;	/* a failed boot is not a loss */
		}
		if (pass(o, &t)) {
			lo = (double)mid;
			pt->thr_pps = t.tx_pps;
			pt->at_thr = t;
		} else {
			hi = (double)mid;
		}
	}
}

/*
 * Latency at a fraction of throughput (RFC 2544 26.2 measures at the
 * throughput rate; below it, queues do not grow without bound and the
 * figure says what the path costs, not how full it is).
 */
static void search_latency(struct bench_env *e, const struct bench_opts *o,
			   int path, unsigned int size, unsigned int rep,
			   struct progress *pr, struct bench_point *pt)
{
	const char *pname = path_info((enum topo_nic_path)path)->name;
	uint64_t lr = (uint64_t)(pt->thr_pps * o->lat_frac);
	int rc;

	if (lr < 100)
		lr = 100;
	progress_show(pr, pname, size, rep, o->repeats, "latency", lr);
	rc = bench_trial_run(e, path, size, lr, o->trial_s, true, &pt->lat);
	pr->done++;
	pt->trials++;
	if (rc)
		fprintf(stderr, "%siopath: %s %u B latency: %s\n",
			progress_clear(pr), pname, size, pt->lat.why);
}

/* One path, one size: binary search, then latency. */
static int bench_search(struct bench_env *e, const struct bench_opts *o,
			int path, unsigned int size, unsigned int rep,
			struct progress *pr, struct bench_point *pt)
{
	const char *pname = path_info((enum topo_nic_path)path)->name;
	struct bench_trial t;
	int rc;

	memset(pt, 0, sizeof(*pt));
	/* First: as fast as the sender goes. Its send rate bounds the search
	 * (offering more than the sender can make is meaningless). */
	progress_show(pr, pname, size, rep, o->repeats, "max", 0);
	rc = bench_trial_run(e, path, size, 0, o->trial_s, false, &t);
	pr->done++;
	pt->trials++;
	if (rc || !t.ok) {
		fprintf(stderr, "%siopath: %s %u B: %s\n", progress_clear(pr),
			pname, size, t.why);
		return rc ? rc : -EIO;
	}
	if (pass(o, &t)) {
		pt->thr_pps = t.tx_pps;
		pt->at_thr = t;
		pr->done += o->steps;
	} else {
		search_bisect(e, o, path, size, rep, pr, pt, t.tx_pps);
	}
	pt->done = true;
	if (pt->thr_pps <= 0 || bench_stop) {
		pr->done++;
		return 0;
	}
	search_latency(e, o, path, size, rep, pr, pt);
	return 0;
}

/* The baseline's point at one size (column BENCH_PATHS). */
static void bench_base_point(struct bench_env *e, const struct bench_opts *o,
			     unsigned int size, unsigned int rep,
			     struct progress *pr, struct bench_point *bp)
{
	progress_show(pr, "base", size, rep, o->repeats, "baseline", 0);
	if (!bench_baseline_run(e, size, o->trial_s, &bp->at_thr)) {
		bp->done = true;
		bp->thr_pps = bp->at_thr.rx_pps;
	} else {
		fprintf(stderr, "%siopath: baseline %u B: %s\n",
			progress_clear(pr), size, bp->at_thr.why);
	}
	pr->done++;
}

static int bench_write(const struct bench_results *r)
{
	const char *out = r->o->out;
	char file[512];
	int rc;

	snprintf(file, sizeof(file), "%s/results.json", out);
	rc = bench_report_json(r, file);
	snprintf(file, sizeof(file), "%s/results.csv", out);
	rc = rc ?: bench_report_csv(r, file);
	snprintf(file, sizeof(file), "%s/throughput.svg", out);
	rc = rc ?: bench_svg_throughput(r, file);
	snprintf(file, sizeof(file), "%s/latency.svg", out);
	rc = rc ?: bench_svg_latency(r, file);
	if (rc)
		fprintf(stderr, "iopath: writing results to %s: %s\n", out,
			strerror(-rc));
	return rc;
}

int bench_main(const struct bench_opts *o)
{
	static struct bench_results r;
	struct bench_env e;
	struct progress pr = { .t0 = clock_mono_s(), .tty = isatty(2) };
	unsigned int npaths = 0;
	int rc, failures = 0;

	memset(&r, 0, sizeof(r));
	r.o = o;
	bench_stamp(r.started, sizeof(r.started), r.machine,
		    sizeof(r.machine));
	for (int p = 0; p < BENCH_PATHS; p++)
		npaths += o->paths[p];
	pr.total = o->repeats * o->nsizes *
		(npaths * trials_per_search(o) + (o->baseline ? 1 : 0));

	if (mkdir(o->out, 0755) && errno != EEXIST) {
		fprintf(stderr, "iopath: %s: %s\n", o->out, strerror(errno));
		return -errno;
	}
	signal(SIGINT, bench_on_signal);
	signal(SIGTERM, bench_on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = bench_env_start(&e, o);
	if (rc) {
		fprintf(stderr, "iopath: cannot start the bench switch: %s\n",
			strerror(-rc));
		bench_env_stop(&e);
		return rc;
	}
	for (unsigned int rep = 0; rep < o->repeats && !bench_stop; rep++)
		for (unsigned int s = 0; s < o->nsizes && !bench_stop; s++) {
			struct bench_point *pts = r.pts[rep][s];

			if (o->baseline)
				bench_base_point(&e, o, o->sizes[s], rep, &pr,
						 &pts[BENCH_PATHS]);
			for (int p = 0; p < BENCH_PATHS && !bench_stop; p++)
				if (o->paths[p] &&
				    bench_search(&e, o, p, o->sizes[s], rep,
						 &pr, &pts[p]))
					failures++;
		}
	if (pr.tty)
		fprintf(stderr, "\r\033[K");
	bench_env_stop(&e);
	r.elapsed_s = clock_mono_s() - pr.t0;
	if (bench_stop)
		fprintf(stderr,
			"iopath: interrupted: reporting what was measured\n");
	bench_aggregate(&r);
	bench_report_table(&r, stdout);
	rc = bench_write(&r);
	if (rc)
		return rc;
	printf("\nresults: %s/ (results.json, results.csv, throughput.svg, "
	       "latency.svg) in %.0f s\n", o->out, r.elapsed_s);
	return failures ? -EIO : 0;
}
