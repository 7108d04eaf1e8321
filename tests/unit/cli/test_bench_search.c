// SPDX-License-Identifier: MIT
/*
 * bench_search_run against fake paths with known loss curves: NDR and
 * PDR land within the precision of the true rates, NDR <= PDR <=
 * saturation, the trial cap holds, and unlucky or failed trials do not
 * send the search astray.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/bench_search.h"

/*
 * A path that loses nothing up to @ndr, then 0.1% (a few frames at the
 * tail) until the receiver's capacity @cap, beyond which it takes @cap;
 * its sender makes @max. True PDR (0.5%): cap / 0.995.
 */
struct fake_path {
	double max, ndr, cap;
	unsigned int calls;
	double rates[64];
	/* trouble: trial number (1-based) that fails to run / is unlucky */
	unsigned int broken_call, unlucky_call;
	int cancel_call;
};

static int fake_trial(void *ctx, double rate, struct bench_obs *o)
{
	struct fake_path *f = ctx;
	double r = rate > 0 ? rate : f->max, rx;

	f->rates[f->calls++ % 64] = rate;
	memset(o, 0, sizeof(*o));
	if ((int)f->calls == f->cancel_call)
		return -ECANCELED;
	if (f->calls == f->broken_call)
		return -EIO;
	if (r <= f->ndr)
		rx = r;
	else
		rx = fmin(r * 0.999, f->cap);
	if (f->calls == f->unlucky_call)
		rx = r * 0.98;		/* a noisy minute: 2% lost */
	o->ok = true;
	o->tx_pps = r;
	o->rx_pps = rx;
	o->loss_pct = 100 * (1 - rx / r);
	return 0;
}

static const struct bench_search_cfg cfg = {
	.pdr_loss_pct = 0.5, .precision_pct = 5, .max_trials = 20,
	.min_pps = 1000,
};

static void check_within(struct fake_path *f, const struct bench_search *s)
{
	double ndr = bench_search_ndr(s), pdr = bench_search_pdr(s);
	double true_pdr = f->cap / 0.995;

	assert_true(s->precise);
	/* the lower bound is a rate that passed: at most the true rate,
	 * at least (1 - precision) of it */
	assert_true(s->ndr.lo <= f->ndr * 1.0000001);
	assert_true(s->ndr.lo >= f->ndr * 0.95);
	assert_true(s->pdr.lo <= true_pdr * 1.0000001);
	assert_true(s->pdr.lo >= true_pdr * 0.95);
	assert_true(ndr > 0);
	assert_true(ndr <= pdr);
	assert_true(pdr <= s->sat_pps * 1.0000001);
	assert_true(s->n <= cfg.max_trials + 1);
}

static void test_capacity_far_below_sender(void **state)
{
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	assert_true(f.rates[0] == 0);		/* full speed first */
	assert_true(fabs(s.sat_pps - f.cap) < 1);
	assert_true(fabs(s.full_pps - f.cap) < 1);
	check_within(&f, &s);
	assert_int_equal(s.n, f.calls);
}

static void test_ndr_near_sender_max(void **state)
{
	struct fake_path f = { .max = 160e3, .ndr = 150e3, .cap = 158e3 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	check_within(&f, &s);
}

static void test_tiny_ndr_far_below_capacity(void **state)
{
	/* loss starts 100x below what the receiver can take */
	struct fake_path f = { .max = 1e6, .ndr = 5e3, .cap = 500e3 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	check_within(&f, &s);
}

static void test_full_speed_passes(void **state)
{
	struct fake_path f = { .max = 80e3, .ndr = 1e9, .cap = 1e9 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	assert_int_equal(s.n, 1);		/* nothing above to try */
	assert_true(s.precise);
	assert_true(bench_search_ndr(&s) == 80e3);
	assert_true(bench_search_pdr(&s) == 80e3);
	assert_true(s.sat_pps == 80e3);
}

/* Flooded, the receiver takes a third of what it takes paced (a
 * receive livelock): saturation is the most it delivered, and the
 * full-speed figure says what flooding does. */
static int livelock_trial(void *ctx, double rate, struct bench_obs *o)
{
	struct fake_path *f = ctx;

	fake_trial(ctx, rate, o);
	if (rate == 0) {
		o->rx_pps = f->cap / 3;
		o->loss_pct = 100 * (1 - o->rx_pps / o->tx_pps);
	}
	return 0;
}

static void test_livelock(void **state)
{
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, livelock_trial, &f, &s), 0);
	assert_true(fabs(s.full_pps - f.cap / 3) < 1);
	check_within(&f, &s);
	assert_true(s.sat_pps > s.full_pps);
}

static void test_trial_cap(void **state)
{
	struct bench_search_cfg c = cfg;
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3 };
	struct bench_search s;

	(void)state;
	c.max_trials = 3;
	c.precision_pct = 0.1;
	assert_int_equal(bench_search_run(&c, fake_trial, &f, &s), 0);
	assert_int_equal(f.calls, 4);		/* full speed + 3 */
	assert_int_equal(s.n, 4);
	assert_false(s.precise);
	/* what it found is still a rate that passed */
	assert_true(bench_search_ndr(&s) <= f.ndr);
}

static void test_unlucky_trial(void **state)
{
	/* the third trial loses 2% whatever its rate: the bounds it set
	 * are overturned by the trials that follow */
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3,
			       .unlucky_call = 3 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	assert_true(bench_search_ndr(&s) <= f.ndr);
	assert_true(bench_search_ndr(&s) <= bench_search_pdr(&s));
	assert_true(bench_search_pdr(&s) <= s.sat_pps);
	assert_true(s.pdr.lo >= s.ndr.lo);
	assert_true(!s.ndr.hi || s.ndr.hi > s.ndr.lo);
	assert_true(!s.pdr.hi || s.pdr.hi > s.pdr.lo);
}

static void test_broken_trial_is_no_verdict(void **state)
{
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3,
			       .broken_call = 2 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	assert_false(s.obs[1].ok);
	check_within(&f, &s);
}

static void test_full_speed_fails(void **state)
{
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3,
			       .broken_call = 1 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), -EIO);
	assert_true(bench_search_ndr(&s) == 0);
}

static void test_cancel(void **state)
{
	struct fake_path f = { .max = 2.5e6, .ndr = 300e3, .cap = 420e3,
			       .cancel_call = 3 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s),
			 -ECANCELED);
	assert_true(s.stopped);
	assert_int_equal(f.calls, 3);
}

static void test_nothing_passes(void **state)
{
	/* loses 0.1% at every rate: no NDR above the floor, PDR found */
	struct fake_path f = { .max = 50e3, .ndr = 0, .cap = 1e9 };
	struct bench_search s;

	(void)state;
	assert_int_equal(bench_search_run(&cfg, fake_trial, &f, &s), 0);
	assert_true(bench_search_ndr(&s) == 0);
	assert_true(bench_search_pdr(&s) > 0);
	assert_true(s.n <= cfg.max_trials + 1);
	/* it went down to the floor for NDR and no lower */
	for (unsigned int i = 1; i < s.n; i++)
		assert_true(s.rate[i] >= cfg.min_pps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity_far_below_sender),
		cmocka_unit_test(test_ndr_near_sender_max),
		cmocka_unit_test(test_tiny_ndr_far_below_capacity),
		cmocka_unit_test(test_full_speed_passes),
		cmocka_unit_test(test_livelock),
		cmocka_unit_test(test_trial_cap),
		cmocka_unit_test(test_unlucky_trial),
		cmocka_unit_test(test_broken_trial_is_no_verdict),
		cmocka_unit_test(test_full_speed_fails),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_nothing_passes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
