/* SPDX-License-Identifier: MIT */
/*
 * The bench's rate search on its own, after FD.io CSIT's MLRsearch and
 * RFC 2544 section 26.1: one search finds both the non-drop rate (NDR,
 * no frame lost) and the partial-drop rate (PDR, at most a set share
 * lost), reusing every trial for both, and the saturation rate: the
 * most the receiver got per second in any trial (RFC 2889's maximum
 * forwarding rate), normally at full speed. A path that delivers less
 * when flooded than at a paced rate (or one unlucky full-speed trial)
 * shows as full_pps below sat_pps.
 *
 * It knows nothing of VMs: a trial is a callback, so tests feed it a
 * loss curve of their own (tests/unit/cli/test_bench_search.c).
 */
#ifndef IOPATH_CLI_BENCH_SEARCH_H
#define IOPATH_CLI_BENCH_SEARCH_H

#include <stdbool.h>

/* Trials one search may hold, the max-rate one included. */
#define BENCH_TRIALS_MAX	32

/* What the search needs to know of one trial. */
struct bench_obs {
	bool ok;		/* the trial ran and its frames were counted */
	double tx_pps;		/* what the sender sent */
	double rx_pps;		/* what the receiver got */
	double loss_pct;	/* frames lost, % of those sent */
};

/*
 * One trial at @rate frames/s (0: as fast as the sender goes) into @obs.
 * 0, -ECANCELED to end the search (the user interrupted), or another
 * -errno for a trial that did not run (counted, not a loss).
 */
typedef int (*bench_trial_fn)(void *ctx, double rate, struct bench_obs *obs);

struct bench_search_cfg {
	double pdr_loss_pct;	/* PDR: loss at most this; NDR: none */
	double precision_pct;	/* done when (hi - lo) <= this % of hi */
	unsigned int max_trials;	/* after the max-rate one */
	double min_pps;		/* below this no rate is tried */
};

/* The highest rate that passed and the lowest that failed, offered pps
 * (0: none yet), with the index of the trial that set each (-1). */
struct bench_bound {
	double lo, hi;
	int lo_trial, hi_trial;
};

struct bench_search {
	unsigned int n;			/* trials run */
	double rate[BENCH_TRIALS_MAX];	/* offered; [0]: max_pps */
	struct bench_obs obs[BENCH_TRIALS_MAX];
	double max_pps;			/* the sender's full speed */
	double full_pps;		/* received at full speed */
	double sat_pps;			/* received, most in any trial */
	struct bench_bound ndr, pdr;
	bool precise;			/* both within precision_pct */
	bool stopped;			/* cancelled by the trial function */
};

/*
 * Run one search: a trial at full speed, then at most c->max_trials
 * more until both bounds are within the precision. 0 (see s->precise),
 * -EIO if the full-speed trial failed, -ECANCELED if cancelled.
 */
int bench_search_run(const struct bench_search_cfg *c, bench_trial_fn fn,
		     void *ctx, struct bench_search *s);

/*
 * NDR and PDR as delivered: what the receiver got per second in the
 * trial at each lower bound (0 if none passed), as the saturation rate
 * is, so NDR <= PDR <= saturation. PDR is never below NDR.
 */
double bench_search_ndr(const struct bench_search *s);
double bench_search_pdr(const struct bench_search *s);

#endif
