// SPDX-License-Identifier: MIT
/*
 * `iopath bench --switch-peers` (bench_peers.h): start a switch, run one
 * testpmd per frame size through it, stop it, then the other switch; the
 * next repeat takes them in the other order. Only one busy-polling switch
 * runs at a time. Everything lives under one scratch directory, removed
 * at the end, also after a failure or Ctrl-C.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/bench_peers.h"
#include "cli/lab.h"
#include "cli/peers_testpmd.h"

static volatile sig_atomic_t peers_stop;

static void peers_on_signal(int sig)
{
	(void)sig;
	peers_stop = 1;
}

/* Sleep, but come back early on Ctrl-C. */
static void nap(double s)
{
	double end = clock_mono_s() + s;

	while (!peers_stop && clock_mono_s() < end)
		usleep(20 * 1000);
}

static uint64_t sum_rx(const struct testpmd_port_stats *st)
{
	return st[0].rx_packets + st[1].rx_packets;
}

/* Counters at @st with their time. */
static int sample(struct testpmd *tp, struct testpmd_port_stats *st,
		  double *t)
{
	int r = testpmd_stats(tp, st);

	*t = clock_mono_s();
	return r;
}

/* Inject frames and wait until they circulate. A switch that has not
 * finished setting up its port (OVS's vhost client reconnects once a
 * second) drops the first injection; then stop and inject again. */
static int loop_start(struct testpmd *tp, struct peers_trial *t)
{
	struct testpmd_port_stats a[TESTPMD_PORTS], b[TESTPMD_PORTS];
	char cmd[64];
	double ta, tb;

	snprintf(cmd, sizeof(cmd), "start tx_first %d", PEERS_BURSTS);
	for (t->injections = 1; t->injections <= 5 && !peers_stop;
	     t->injections++) {
		if (testpmd_cmd(tp, cmd, NULL, 0, 5000))
			return -EPIPE;
		/* learning, flow set-up, first-packet upcalls */
		nap(1.0);
		if (sample(tp, a, &ta))
			return -EPIPE;
		nap(0.3);
		if (sample(tp, b, &tb))
			return -EPIPE;
		if (sum_rx(b) > sum_rx(a))
			return 0;
		if (testpmd_cmd(tp, "stop", NULL, 0, 5000))
			return -EPIPE;
		nap(1.0);
	}
	return -ETIMEDOUT;
}

static void peers_trial_run(const struct peer_switch *sw, const char *dir,
			    unsigned int size, double seconds, unsigned int seq,
			    struct peers_trial *t)
{
	struct testpmd_port_stats a[TESTPMD_PORTS], b[TESTPMD_PORTS];
	char log[300], prefix[64];
	struct testpmd_opts to = {
		.sock = { sw->sock[0], sw->sock[1] },
		.server = sw->testpmd_server,
		.frame = size,
		.lcores = sw->lcores,
		.prefix = prefix,
		.log = log,
	};
	struct testpmd tp;
	double ta, tb;
	int r;

	memset(t, 0, sizeof(*t));
	snprintf(prefix, sizeof(prefix), "iopath-testpmd-%d", (int)getpid());
	snprintf(log, sizeof(log), "%s/testpmd-%u-%s-%uB.log", dir, seq,
		 peer_name(sw->kind), size);
	if (testpmd_start(&tp, &to, t->why, sizeof(t->why)))
		return;
	r = testpmd_wait_links(&tp, 20000);
	if (r) {
		snprintf(t->why, sizeof(t->why),
			 "testpmd's ports did not come up (%s); see %s and %s",
			 strerror(-r), log, sw->log);
		goto out;
	}
	r = loop_start(&tp, t);
	if (r) {
		snprintf(t->why, sizeof(t->why),
			 "no frame came back through %s after %u injections "
			 "(%s); see %s and %s", peer_name(sw->kind),
			 t->injections - 1, strerror(-r), log, sw->log);
		goto out;
	}
	if (sample(&tp, a, &ta))
		goto gone;
	nap(seconds);
	if (sample(&tp, b, &tb))
		goto gone;
	if (peers_stop) {
		snprintf(t->why, sizeof(t->why), "interrupted");
		goto out;
	}
	t->seconds = tb - ta;
	t->pps = (double)(sum_rx(b) - sum_rx(a)) / t->seconds;
	t->tx_pps = (double)(b[0].tx_packets + b[1].tx_packets -
			     a[0].tx_packets - a[1].tx_packets) / t->seconds;
	t->rx_missed = b[0].rx_missed + b[1].rx_missed -
		       a[0].rx_missed - a[1].rx_missed;
	t->ok = t->pps > 0;
	if (!t->ok)
		snprintf(t->why, sizeof(t->why),
			 "the loop stopped during the trial; see %s", log);
	(void)testpmd_cmd(&tp, "stop", NULL, 0, 5000);
	goto out;
gone:
	snprintf(t->why, sizeof(t->why), "testpmd went away; see %s", log);
out:
	testpmd_stop(&tp);
	if (t->ok)
		unlink(log);	/* kept only when something went wrong */
}

/* One --switch-peers run: its scratch folder and its trial tallies. */
struct peers_run {
	const struct bench_opts *o;
	struct peers_results *r;
	char scratch[128];		/* sockets and logs of this run */
	double t0;
	unsigned int total, done, seq;	/* trials planned, run, started */
	unsigned int measured, failed;
	bool tty;			/* progress on one rewritten line */
};

static void progress(const struct peers_run *run, const char *peer,
		     unsigned int size, unsigned int rep)
{
	double el = clock_mono_s() - run->t0;
	unsigned int done = run->done, total = run->total;
	double eta = done ? el / done * (total - done) : 0;

	fprintf(stderr, "%s%-14s %5u B  repeat %u/%u  trial %u/%u  "
		"ETA %3.0f s%s", run->tty ? "\r\033[K" : "", peer, size,
		rep + 1, run->o->repeats, done + 1, total, eta,
		run->tty ? "" : "\n");
	fflush(stderr);
}

static int peers_write(const struct peers_results *r)
{
	const char *out = r->o->out;
	char file[512];
	int rc;

	snprintf(file, sizeof(file), "%s/peers.json", out);
	rc = peers_report_json(r, file);
	snprintf(file, sizeof(file), "%s/peers.csv", out);
	rc = rc ?: peers_report_csv(r, file);
	snprintf(file, sizeof(file), "%s/peers.svg", out);
	rc = rc ?: peers_report_svg(r, file);
	if (rc)
		fprintf(stderr, "iopath: writing results to %s: %s\n", out,
			strerror(-rc));
	return rc;
}

/* Which switches this machine has; ours must be there. */
static int peers_probe(struct peers_run *run)
{
	const struct bench_opts *o = run->o;
	struct peers_results *r = run->r;

	for (int k = 0; k < PEER_KINDS; k++) {
		r->avail[k] = peer_available(k, o->bindir, r->skip[k],
					     sizeof(r->skip[k]));
		if (!r->avail[k])
			fprintf(stderr, "iopath: skipping %s: %s\n",
				peer_name(k), r->skip[k]);
		else
			run->total += o->repeats * o->nsizes;
	}
	return r->avail[PEER_IOPATH] ? 0 : -ENOENT;
}

/* The results folder, and a scratch one named after our pid (what a
 * later run's sweep goes by). */
static int peers_make_dirs(struct peers_run *run)
{
	const char *out = run->o->out;

	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "iopath: %s: %s\n", out, strerror(errno));
		return -errno;
	}
	snprintf(run->scratch, sizeof(run->scratch), "/tmp/iopath-peers-%d",
		 (int)getpid());
	if (mkdir(run->scratch, 0700)) {
		fprintf(stderr, "iopath: %s: %s\n", run->scratch,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* Repeat @rep of switch @k: started once, every frame size through it. */
static void peers_switch_run(struct peers_run *run, unsigned int rep,
			     enum peer_kind k)
{
	const struct bench_opts *o = run->o;
	const char *cr = run->tty ? "\r\033[K" : "";
	struct peer_switch sw;
	bool trial_failed = false;
	char why[1024];

	if (peer_switch_start(&sw, k, run->scratch, o->bindir, why,
			      sizeof(why))) {
		fprintf(stderr, "%siopath: %s: %s\n", cr, peer_name(k), why);
		for (unsigned int s = 0; s < o->nsizes; s++)
			snprintf(run->r->t[rep][s][k].why,
				 sizeof(run->r->t[rep][s][k].why), "%s", why);
		run->done += o->nsizes;
		run->failed++;
		/* keep its logs for the user: no stop here */
		return;
	}
	for (unsigned int s = 0; s < o->nsizes && !peers_stop; s++) {
		struct peers_trial *t = &run->r->t[rep][s][k];

		progress(run, peer_name(k), o->sizes[s], rep);
		peers_trial_run(&sw, run->scratch, o->sizes[s], o->trial_s,
				run->seq++, t);
		if (t->ok)
			run->measured++;
		if (!t->ok && !peers_stop) {
			trial_failed = true;
			run->failed++;
			fprintf(stderr, "%siopath: %s %u B: %s\n", cr,
				peer_name(k), o->sizes[s], t->why);
		}
		run->done++;
	}
	peer_switch_stop(&sw, trial_failed);
}

int bench_peers_main(const struct bench_opts *o)
{
	static struct peers_results r;
	struct peers_run run = {
		.o = o, .r = &r, .t0 = clock_mono_s(), .tty = isatty(2),
	};
	int rc;

	memset(&r, 0, sizeof(r));
	r.o = o;
	bench_stamp(r.started, sizeof(r.started), r.machine,
		    sizeof(r.machine));
	if (peers_probe(&run))
		return -ENOENT;
	peers_sweep_stale();
	rc = peers_make_dirs(&run);
	if (rc)
		return rc;
	signal(SIGINT, peers_on_signal);
	signal(SIGTERM, peers_on_signal);
	signal(SIGPIPE, SIG_IGN);
	printf("iopath bench --switch-peers: dpdk-testpmd (mac forwarding, "
	       "2 virtio_user ports, %d frames in flight) through each switch; "
	       "%u repeat(s) of %.1f s\n",
	       2 * PEERS_BURSTS * 32, o->repeats, o->trial_s);
	fflush(stdout);

	for (unsigned int rep = 0; rep < o->repeats && !peers_stop; rep++)
		for (int i = 0; i < PEER_KINDS && !peers_stop; i++) {
			/* alternate which switch goes first */
			int k = (int)((i + rep) % PEER_KINDS);

			if (r.avail[k])
				peers_switch_run(&run, rep, (enum peer_kind)k);
		}
	if (run.tty)
		fprintf(stderr, "\r\033[K");
	r.elapsed_s = clock_mono_s() - run.t0;
	if (peers_stop)
		fprintf(stderr,
			"iopath: interrupted: reporting what was measured\n");
	peers_aggregate(&r);
	peers_report_table(&r, stdout);
	rc = peers_write(&r);
	if (!rc)
		printf("\nresults: %s/ (peers.json, peers.csv, peers.svg) "
		       "in %.0f s\n", o->out, r.elapsed_s);
	/* A failure leaves its logs; say where, else tidy up. */
	if (!run.failed)
		lab_tree_remove(run.scratch);
	else
		fprintf(stderr, "iopath: logs of what failed are in %s/\n",
			run.scratch);
	if (rc)
		return rc;
	return run.measured ? 0 : -EIO;
}
