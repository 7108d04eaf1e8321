// SPDX-License-Identifier: MIT
/* The sink's sequence accounting (guests/apps/sink_seq.c): the longest
 * gap and what was lost outside it, as a migration's figures use them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apps/sink_seq.h"

/* seq @from..@to-1, stamped 10 ticks apart by number */
static void feed(struct sink_flow *f, uint32_t from, uint32_t to)
{
	for (uint32_t s = from; s < to; s++)
		sink_seq_add(f, s, 1000 + 10ull * s);
}

static void test_no_loss(void **state)
{
	struct sink_flow f = { 0 };

	(void)state;
	feed(&f, 0, 5000);
	sink_seq_fin(&f, 5000);
	assert_int_equal(sink_seq_lost(&f), 0);
	assert_int_equal(sink_seq_gaps(&f), 0);
	assert_int_equal(sink_seq_max_gap(&f), 0);
	assert_int_equal(sink_seq_lost_outside(&f), 0);
	assert_int_equal(f.max_gap_ts, 0);
}

/* A downtime of 300 frames and two single losses elsewhere. */
static void test_gap_and_outside(void **state)
{
	struct sink_flow f = { 0 };

	(void)state;
	feed(&f, 0, 100);
	feed(&f, 101, 1000);		/* 100 lost */
	feed(&f, 1300, 2000);		/* 1000..1299: the gap */
	feed(&f, 2001, 2100);		/* 2000 lost */
	sink_seq_fin(&f, 2100);
	assert_int_equal(sink_seq_lost(&f), 302);
	assert_int_equal(sink_seq_max_gap(&f), 300);
	assert_int_equal(sink_seq_lost_outside(&f), 2);
	assert_int_equal(sink_seq_gaps(&f), 3);
	/* from seq 999 to seq 1300 at the sender */
	assert_int_equal(f.max_gap_ts, 10 * 301);
	assert_int_equal(f.reordered, 0);
	assert_int_equal(f.dups, 0);
}

/* The first gap is the longest; a later, shorter one does not replace
 * it, and a duplicate changes nothing. */
static void test_first_gap_kept(void **state)
{
	struct sink_flow f = { 0 };

	(void)state;
	feed(&f, 0, 10);
	feed(&f, 60, 70);		/* 50 */
	feed(&f, 80, 90);		/* 10 */
	sink_seq_add(&f, 85, 0);	/* duplicate */
	assert_int_equal(sink_seq_max_gap(&f), 50);
	assert_int_equal(sink_seq_lost(&f), 60);
	assert_int_equal(sink_seq_lost_outside(&f), 10);
	assert_int_equal(f.dups, 1);
}

/* A lost tail, known from the FIN, is a gap; a lost head too (no frame
 * before it: its time is unknown). */
static void test_tail_and_head(void **state)
{
	struct sink_flow f = { 0 }, h = { 0 };

	(void)state;
	feed(&f, 0, 100);
	feed(&f, 110, 200);
	sink_seq_fin(&f, 400);		/* 200..399 never came */
	assert_int_equal(sink_seq_max_gap(&f), 200);
	assert_int_equal(sink_seq_lost(&f), 210);
	assert_int_equal(sink_seq_lost_outside(&f), 10);
	assert_int_equal(sink_seq_gaps(&f), 2);
	sink_seq_fin(&f, 100000);	/* only the first FIN counts */
	assert_int_equal(sink_seq_expected(&f), 400);

	feed(&h, 40, 100);
	assert_int_equal(sink_seq_max_gap(&h), 40);
	assert_int_equal(h.max_gap_ts, 0);
	assert_int_equal(sink_seq_lost_outside(&h), 0);
}

/* Late frames fill gaps: counted as reordered, not lost; the longest gap
 * stays as seen (dark that long) but fewer were lost in it. */
static void test_late_fills(void **state)
{
	struct sink_flow f = { 0 };

	(void)state;
	feed(&f, 0, 10);
	feed(&f, 20, 30);		/* 10..19 */
	sink_seq_add(&f, 15, 0);
	sink_seq_add(&f, 16, 0);
	assert_int_equal(f.reordered, 2);
	assert_int_equal(sink_seq_lost(&f), 8);
	assert_int_equal(sink_seq_max_gap(&f), 10);
	assert_int_equal(sink_seq_lost_in_gap(&f), 8);
	assert_int_equal(sink_seq_lost_outside(&f), 0);
	/* a late frame of a shorter gap is outside the longest */
	feed(&f, 35, 40);		/* 30..34 */
	sink_seq_add(&f, 31, 0);
	assert_int_equal(sink_seq_lost(&f), 12);
	assert_int_equal(sink_seq_lost_in_gap(&f), 8);
	assert_int_equal(sink_seq_lost_outside(&f), 4);
	/* a longer gap takes over; the old one's late frames stay its own */
	feed(&f, 100, 110);		/* 40..99 */
	assert_int_equal(sink_seq_max_gap(&f), 60);
	assert_int_equal(sink_seq_lost_in_gap(&f), 60);
	assert_int_equal(sink_seq_lost_outside(&f), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss),
		cmocka_unit_test(test_gap_and_outside),
		cmocka_unit_test(test_first_gap_kept),
		cmocka_unit_test(test_tail_and_head),
		cmocka_unit_test(test_late_fills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
