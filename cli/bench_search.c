// SPDX-License-Identifier: MIT
/*
 * The rate search (bench_search.h), after FD.io CSIT's MLRsearch:
 *
 * 1. A trial at full speed. The sender's rate bounds everything (offering
 *    more than it makes means nothing); what arrived is the saturation
 *    rate, and a good first guess of where loss starts.
 * 2. Two bounds, NDR's (no loss) and PDR's (loss <= pdr_loss_pct), each
 *    the highest rate that passed and the lowest that failed. Every trial
 *    teaches both: one that loses 0.2% is an upper bound for NDR and a
 *    lower one for PDR.
 * 3. Work on NDR until its interval is within the precision, then PDR.
 *    With no pass yet, step down from what the receiver got at the lowest
 *    failure, twice as far each time (MLRsearch's external search); with
 *    both bounds, bisect (geometric mean: the rates span decades).
 *
 * On this shared machine a trial can be unlucky, so the bounds may
 * contradict (a pass above a failure). The newer trial wins, and the
 * bound it overturned falls back to the best older trial that agrees.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cli/bench_search.h"

/* Trial @i against a loss ceiling: 1 passed, 0 failed, -1 no verdict. */
static int search_verdict(const struct bench_search *s, unsigned int i,
			  double max_loss)
{
	if (!s->obs[i].ok)
		return -1;
	return s->obs[i].loss_pct <= max_loss;
}

/* The lowest failure above @r among trials before @i, else none. */
static void bound_refind_hi(const struct bench_search *s, unsigned int i,
			    double max_loss, double r, struct bench_bound *b)
{
	b->hi = 0;
	b->hi_trial = -1;
	for (unsigned int j = 0; j < i; j++)
		if (search_verdict(s, j, max_loss) == 0 && s->rate[j] > r &&
		    (!b->hi || s->rate[j] < b->hi)) {
			b->hi = s->rate[j];
			b->hi_trial = (int)j;
		}
}

/* The highest pass below @r among trials before @i, else none. */
static void bound_refind_lo(const struct bench_search *s, unsigned int i,
			    double max_loss, double r, struct bench_bound *b)
{
	b->lo = 0;
	b->lo_trial = -1;
	for (unsigned int j = 0; j < i; j++)
		if (search_verdict(s, j, max_loss) == 1 && s->rate[j] < r &&
		    s->rate[j] > b->lo) {
			b->lo = s->rate[j];
			b->lo_trial = (int)j;
		}
}

/* What trial @i says about bound @b (ceiling @max_loss). */
static void bound_learn(const struct bench_search *s, unsigned int i,
			double max_loss, struct bench_bound *b)
{
	double r = s->rate[i];
	int v = search_verdict(s, i, max_loss);

	if (v < 0)
		return;
	if (v) {
		if (r >= b->lo) {
			b->lo = r;
			b->lo_trial = (int)i;
		}
		if (b->hi > 0 && b->hi <= r)	/* the older failure loses */
			bound_refind_hi(s, i, max_loss, r, b);
		return;
	}
	if (!b->hi || r <= b->hi) {
		b->hi = r;
		b->hi_trial = (int)i;
	}
	if (b->lo >= r)			/* the older pass loses */
		bound_refind_lo(s, i, max_loss, r, b);
}

static void search_learn(const struct bench_search_cfg *c,
			 struct bench_search *s, unsigned int i)
{
	if (s->obs[i].rx_pps > s->sat_pps)
		s->sat_pps = s->obs[i].rx_pps;
	bound_learn(s, i, 0, &s->ndr);
	bound_learn(s, i, c->pdr_loss_pct, &s->pdr);
}

/* Narrow enough: the interval is within the precision, or full speed
 * passed (nothing above it to try). */
static bool bound_precise(const struct bench_search_cfg *c,
			  const struct bench_search *s,
			  const struct bench_bound *b)
{
	if (b->lo > 0 && b->lo >= s->max_pps)
		return true;
	return b->lo > 0 && b->hi > 0 &&
	       b->hi - b->lo <= c->precision_pct / 100 * b->hi;
}

/* Nothing more to learn: precise, or even the floor failed. */
static bool bound_done(const struct bench_search_cfg *c,
		       const struct bench_search *s,
		       const struct bench_bound *b)
{
	if (bound_precise(c, s, b))
		return true;
	return !b->lo && b->hi > 0 && b->hi <= c->min_pps;
}

/* How many of the newest trials in a row gave @v (pass 1, fail 0) for
 * a ceiling of @max_loss, trials without a verdict skipped. */
static unsigned int search_run_of(const struct bench_search *s,
				  double max_loss, int v)
{
	unsigned int k = 0;

	for (unsigned int j = s->n; j-- > 0;) {
		int got = search_verdict(s, j, max_loss);

		if (got < 0)
			continue;
		if (got != v)
			break;
		k++;
	}
	return k;
}

/* @prec doubled @k times, at most a half. */
static double search_widen(double prec, unsigned int k)
{
	while (k-- && prec < 0.5)
		prec *= 2;
	return prec < 0.5 ? prec : 0.5;
}

/*
 * The next rate to try for bound @b. The receiver's rate at the lowest
 * failure says where loss starts if the receiver is what limits: the
 * rate at which it would lose exactly @max_loss taking what it took.
 */
static double search_next(const struct bench_search_cfg *c,
			  const struct bench_search *s,
			  const struct bench_bound *b, double max_loss)
{
	double prec = c->precision_pct / 100, r;
	double guess = s->obs[b->hi_trial].rx_pps / (1 - max_loss / 100);

	if (b->lo <= 0) {
		/* external search: below the guess, farther per failure
		 * (the failure that set hi is the first of the run) */
		double top = guess > 0 && guess < b->hi ? guess : b->hi;

		r = top * (1 - search_widen(prec,
			search_run_of(s, max_loss, 0) - 1));
	} else if (b->hi > b->lo * 2) {
		/* wide: the guess if it lies inside, else up from lo,
		 * farther per pass, at most to the middle */
		if (guess > b->lo * (1 + prec / 2) &&
		    guess < b->hi * (1 - prec / 4))
			r = guess;
		else
			r = fmin(sqrt(b->lo * b->hi), b->lo *
				 (1 + search_widen(prec,
				  search_run_of(s, max_loss, 1) - 1)));
	} else {
		r = sqrt(b->lo * b->hi);	/* bisect */
	}
	/* strictly inside the interval, never below the floor */
	if (r >= b->hi * (1 - prec / 4))
		r = b->hi * (1 - prec / 2);
	if (r <= b->lo)
		r = (b->lo + b->hi) / 2;
	return r < c->min_pps ? c->min_pps : r;
}

int bench_search_run(const struct bench_search_cfg *c, bench_trial_fn fn,
		     void *ctx, struct bench_search *s)
{
	unsigned int failed_in_row = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->ndr.lo_trial = s->ndr.hi_trial = -1;
	s->pdr.lo_trial = s->pdr.hi_trial = -1;
	rc = fn(ctx, 0, &s->obs[0]);
	s->n = 1;
	if (rc == -ECANCELED) {
		s->stopped = true;
		return rc;
	}
	if (rc || !s->obs[0].ok || s->obs[0].tx_pps <= 0)
		return -EIO;
	s->max_pps = s->rate[0] = s->obs[0].tx_pps;
	s->full_pps = s->obs[0].rx_pps;
	search_learn(c, s, 0);

	while (s->n < BENCH_TRIALS_MAX && s->n - 1 < c->max_trials) {
		const struct bench_bound *b = &s->ndr;
		double max_loss = 0;
		unsigned int i;

		if (bound_done(c, s, b)) {
			b = &s->pdr;
			max_loss = c->pdr_loss_pct;
			if (bound_done(c, s, b))
				break;
		}
		i = s->n++;
		s->rate[i] = search_next(c, s, b, max_loss);
		rc = fn(ctx, s->rate[i], &s->obs[i]);
		if (rc)
			s->obs[i].ok = false;
		if (rc == -ECANCELED) {
			s->stopped = true;
			break;
		}
		if (!s->obs[i].ok) {
			/* a trial that did not run is no verdict; three in
			 * a row and the path is broken, not slow */
			if (++failed_in_row == 3)
				break;
			continue;
		}
		failed_in_row = 0;
		search_learn(c, s, i);
	}
	s->precise = bound_precise(c, s, &s->ndr) &&
		     bound_precise(c, s, &s->pdr);
	return s->stopped ? -ECANCELED : 0;
}

double bench_search_ndr(const struct bench_search *s)
{
	return s->ndr.lo_trial < 0 ? 0 : s->obs[s->ndr.lo_trial].rx_pps;
}

double bench_search_pdr(const struct bench_search *s)
{
	double ndr = bench_search_ndr(s);
	double pdr = s->pdr.lo_trial < 0 ? 0 :
		     s->obs[s->pdr.lo_trial].rx_pps;

	/* two trials' measured rates can cross by a hair */
	return pdr > ndr ? pdr : ndr;
}
