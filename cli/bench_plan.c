// SPDX-License-Identifier: MIT
/*
 * The bench run: the order of work and what follows each search.
 *
 * The order is repeat -> size -> path, so the paths interleave and a
 * noisy minute on this shared machine hits all of them, not one; each
 * figure is the median over repeats. Per path, size and repeat:
 *
 * 1. the search (bench_search.c): full speed, then NDR and PDR;
 * 2. latency at lat_frac x NDR (reflect, default rings): RFC 2544 26.2
 *    measures at the throughput rate, but below it queues do not grow
 *    without bound and the figure says what the path costs, not how
 *    full it is;
 * 3. CPU per packet at the reference rate, min(--ref-rate, NDR / 2),
 *    where the guests sleep between packets: the path's cost, not the
 *    cost of spinning;
 * 4. exits per packet at the low rate, min(--low-rate, NDR / 2), where
 *    nothing is batched: what the emu path's trap per access costs.
 *
 * Per size and repeat, the baseline; once per run, the price of one
 * userspace exit (bench_cost.c).
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
/* Trials after a search: latency, reference rate, low rate. */
#define BENCH_AFTER	3

static volatile sig_atomic_t bench_stop;

static void bench_on_signal(int sig)
{
	(void)sig;
	bench_stop = 1;
}

struct progress {
	double t0;
	unsigned int done, total;	/* trials; total is an upper bound */
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

/* One search's state for its trial callback. */
struct plan {
	struct bench_env *e;
	const struct bench_opts *o;
	struct progress *pr;
	int path;
	unsigned int size, rep;
	struct bench_point *pt;
};

static const char *plan_path(const struct plan *pl)
{
	return path_info((enum topo_nic_path)pl->path)->name;
}

/* bench_trial_fn: one search trial, kept in the point. */
static int plan_search_trial(void *ctx, double rate, struct bench_obs *obs)
{
	struct plan *pl = ctx;
	struct bench_point *pt = pl->pt;
	struct bench_trial *t;
	uint64_t r = (uint64_t)llround(rate);
	int rc;

	if (bench_stop || pt->ntrials >= BENCH_TRIALS_MAX)
		return -ECANCELED;
	/* the search calls once per trial index, in order */
	t = &pt->trials[pt->ntrials++];
	progress_show(pl->pr, plan_path(pl), pl->size, pl->rep,
		      pl->o->repeats, r ? "search" : "max", r);
	rc = bench_trial_run(pl->e, pl->path, pl->size, BENCH_SEARCH, r, t);
	pl->pr->done++;
	if (rc || !t->ok) {
		fprintf(stderr, "%siopath: %s %u B at %s: %s\n",
			progress_clear(pl->pr), plan_path(pl), pl->size,
			r ? "a set rate" : "full speed", t->why);
		return bench_stop ? -ECANCELED : rc ? rc : -EIO;
	}
	obs->ok = true;
	obs->tx_pps = t->tx_pps;
	obs->rx_pps = t->rx_pps;
	obs->loss_pct = t->loss_pct;
	return 0;
}

/* One trial after the search: @kind at @rate into @t. */
static void plan_after(struct plan *pl, enum bench_kind kind, double rate,
		       const char *what, struct bench_trial *t)
{
	uint64_t r = (uint64_t)llround(rate < 100 ? 100 : rate);

	if (bench_stop)
		return;
	progress_show(pl->pr, plan_path(pl), pl->size, pl->rep,
		      pl->o->repeats, what, r);
	if (bench_trial_run(pl->e, pl->path, pl->size, kind, r, t))
		fprintf(stderr, "%siopath: %s %u B %s: %s\n",
			progress_clear(pl->pr), plan_path(pl), pl->size, what,
			t->why);
	pl->pr->done++;
	pl->pt->ntrials++;
}

/* One path, one size, one repeat: search, then the fixed-rate trials. */
static int plan_point(struct plan *pl)
{
	const struct bench_opts *o = pl->o;
	struct bench_point *pt = pl->pt;
	struct bench_search_cfg cfg = {
		.pdr_loss_pct = o->pdr_loss_pct,
		.precision_pct = o->precision_pct,
		.max_trials = o->steps, .min_pps = BENCH_MIN_PPS,
	};
	double ndr;
	int rc;

	memset(pt, 0, sizeof(*pt));
	rc = bench_search_run(&cfg, plan_search_trial, pl, &pt->srch);
	/* trials the search did not need */
	pl->pr->done += 1 + o->steps - pt->srch.n;
	if (rc == -EIO) {
		pl->pr->done += BENCH_AFTER;
		return rc;
	}
	pt->done = true;
	pt->ndr_pps = bench_search_ndr(&pt->srch);
	pt->pdr_pps = bench_search_pdr(&pt->srch);
	pt->sat_pps = pt->srch.sat_pps;
	pt->full_pps = pt->srch.full_pps;
	ndr = pt->ndr_pps;
	if (ndr <= 0 || bench_stop) {
		if (ndr <= 0)
			fprintf(stderr, "%siopath: %s %u B: no trial without "
				"loss in %u (down to %.0f pps; --steps for "
				"more)\n", progress_clear(pl->pr),
				plan_path(pl), pl->size, pt->srch.n,
				pt->srch.ndr.hi);
		pl->pr->done += BENCH_AFTER;
		return 0;
	}
	plan_after(pl, BENCH_LATENCY, ndr * o->lat_frac, "latency", &pt->lat);
	plan_after(pl, BENCH_REF, fmin(o->ref_rate, ndr / 2), "cpu@ref",
		   &pt->ref);
	plan_after(pl, BENCH_LOW, fmin(o->low_rate, ndr / 2), "exits@low",
		   &pt->low);
	return 0;
}

/* The baseline's point at one size (column BENCH_PATHS). */
static void plan_base_point(struct bench_env *e, const struct bench_opts *o,
			    unsigned int size, unsigned int rep,
			    struct progress *pr, struct bench_point *bp)
{
	struct bench_trial *t = &bp->trials[0];

	progress_show(pr, "base", size, rep, o->repeats, "baseline", 0);
	if (!bench_baseline_run(e, size, o->trial_s, t)) {
		bp->done = true;
		bp->ntrials = 1;
		bp->sat_pps = bp->full_pps = t->rx_pps;
	} else {
		fprintf(stderr, "%siopath: baseline %u B: %s\n",
			progress_clear(pr), size, t->why);
	}
	pr->done++;
}

/* The files a run writes into its results folder. */
static const struct {
	const char *name;
	int (*write)(const struct bench_results *r, const char *path);
} bench_files[] = {
	{ "results.json", bench_report_json },
	{ "results.csv", bench_report_csv },	/* and trials.csv */
	{ "throughput.svg", bench_svg_throughput },
	{ "latency.svg", bench_svg_latency },
};

static int bench_write(const struct bench_results *r)
{
	char file[512];
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(bench_files) /
	     sizeof(bench_files[0]); i++) {
		snprintf(file, sizeof(file), "%s/%s", r->o->out,
			 bench_files[i].name);
		rc = bench_files[i].write(r, file);
	}
	if (rc)
		fprintf(stderr, "iopath: writing results to %s: %s\n",
			r->o->out, strerror(-rc));
	return rc;
}

/* Every repeat, size and path; the count of searches that failed. */
static int plan_all(struct bench_env *e, struct bench_results *r,
		    struct progress *pr)
{
	const struct bench_opts *o = r->o;
	int failures = 0;

	for (unsigned int rep = 0; rep < o->repeats && !bench_stop; rep++)
		for (unsigned int s = 0; s < o->nsizes && !bench_stop; s++) {
			if (o->baseline)
				plan_base_point(e, o, o->sizes[s], rep, pr,
						bench_pt(r, rep, s,
							 BENCH_PATHS));
			for (int p = 0; p < BENCH_PATHS && !bench_stop; p++) {
				struct plan pl = {
					.e = e, .o = o, .pr = pr, .path = p,
					.size = o->sizes[s], .rep = rep,
					.pt = bench_pt(r, rep, s, p),
				};

				if (o->paths[p] && plan_point(&pl))
					failures++;
			}
		}
	return failures;
}

/* The price of an exit, before the searches (a quiet machine). */
static void plan_exit_cost(struct bench_env *e, struct bench_results *r,
			   struct progress *pr)
{
	progress_show(pr, "emu", 0, 0, r->o->repeats, "exit cost", 0);
	if (bench_exit_cost_measure(e, &r->exit_cost))
		fprintf(stderr, "%siopath: exit cost %s\n",
			progress_clear(pr), r->exit_cost.how);
	pr->done++;
}

int bench_main(const struct bench_opts *o)
{
	static struct bench_results r;
	struct bench_env e;
	struct progress pr = { .t0 = clock_mono_s(), .tty = isatty(2) };
	unsigned int npaths = 0;
	int rc, failures;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	r.pts = calloc((size_t)o->repeats * o->nsizes * (BENCH_PATHS + 1),
		       sizeof(*r.pts));
	if (!r.pts)
		return -ENOMEM;
	bench_stamp(r.started, sizeof(r.started), r.machine,
		    sizeof(r.machine));
	for (int p = 0; p < BENCH_PATHS; p++)
		npaths += o->paths[p];
	pr.total = 1 + o->repeats * o->nsizes *
		(npaths * (1 + o->steps + BENCH_AFTER) + (o->baseline ? 1 : 0));

	if (mkdir(o->out, 0755) && errno != EEXIST) {
		rc = -errno;
		fprintf(stderr, "iopath: %s: %s\n", o->out, strerror(errno));
		goto out;
	}
	signal(SIGINT, bench_on_signal);
	signal(SIGTERM, bench_on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = bench_env_start(&e, o);
	if (rc) {
		fprintf(stderr, "iopath: cannot start the bench switch: %s\n",
			strerror(-rc));
		bench_env_stop(&e);
		goto out;
	}
	plan_exit_cost(&e, &r, &pr);
	failures = plan_all(&e, &r, &pr);
	if (pr.tty)
		fprintf(stderr, "\r\033[K");
	bench_env_stop(&e);
	r.elapsed_s = clock_mono_s() - pr.t0;
	if (bench_stop)
		fprintf(stderr,
			"iopath: interrupted: reporting what was measured\n");
	bench_aggregate(&r);
	bench_breakdown(&r);
	bench_report_table(&r, stdout);
	bench_report_breakdown(&r, stdout);
	rc = bench_write(&r);
	if (!rc) {
		printf("\nresults: %s/ (results.json, results.csv, "
		       "trials.csv, throughput.svg, latency.svg) in %.0f s\n",
		       o->out, r.elapsed_s);
		rc = failures ? -EIO : 0;
	}
out:
	free(r.pts);
	r.pts = NULL;
	return rc;
}
