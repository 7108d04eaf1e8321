// SPDX-License-Identifier: MIT
/* pktgen's pacing (guests/apps/pktgen_pace.c): exact rate on schedule, a
 * bounded catch-up after a stall, the skipped frames counted. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "apps/pktgen_pace.h"

/* 1 MHz clock: a tick is a microsecond. 100 kpps, pace_us=300: groups of
 * 30 frames, one every 300 us, a frame every 10 ticks. */
#define HZ	1000000ull
#define RATE	100000ull

static struct pktgen_pace pace(uint64_t catchup_us)
{
	struct pktgen_pace p;

	assert_int_equal(pktgen_pace_init(&p, RATE, HZ, 1000, 300,
					  catchup_us, 256), 0);
	return p;
}

static void test_init(void **state)
{
	struct pktgen_pace p = pace(0);

	(void)state;
	assert_int_equal(p.chunk, 30);
	assert_int_equal(p.cap, 60);
	p = pace(1000);
	assert_int_equal(p.cap, 100);
	p = pace(1);			/* below a group: a group */
	assert_int_equal(p.cap, 30);
	assert_int_equal(pktgen_pace_init(&p, 0, HZ, 0, 300, 0, 256),
			 -EINVAL);
	assert_int_equal(pktgen_pace_init(&p, PACE_RATE_MAX + 1, HZ, 0,
					  300, 0, 256), -EINVAL);
	assert_int_equal(pktgen_pace_init(&p, RATE, 0, 0, 300, 0, 256),
			 -EINVAL);
	assert_int_equal(pktgen_pace_init(&p, RATE, HZ, 0, 300, 2000000,
					  256), -EINVAL);
	/* high rate: the group is capped by chunk_max */
	assert_int_equal(pktgen_pace_init(&p, 10000000, HZ, 0, 300, 0, 256),
			 0);
	assert_int_equal(p.chunk, 256);
}

/* Woken exactly when asked: every group whole, on time, nothing skipped,
 * the average rate exact. */
static void test_on_schedule(void **state)
{
	struct pktgen_pace p = pace(0);
	uint64_t now = 1000, sent = 0, at = 0, n;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		n = pktgen_pace_next(&p, now, sent, p.chunk, &at);
		if (!n) {
			assert_true(at > now);
			now = at;
			continue;
		}
		assert_int_equal(n, p.chunk);
		sent += n;
	}
	assert_int_equal(p.skipped, 0);
	assert_int_equal(p.max_late, 0);
	/* the group holding frame sent-1 was released when it was due */
	assert_int_equal(pktgen_pace_at(&p, sent - 1), now);
	assert_int_equal(sent, (now - 1000) * RATE / HZ + 1);
}

/* Slightly late (less than the cap behind): all made up, none skipped. */
static void test_late_made_up(void **state)
{
	struct pktgen_pace p = pace(0);
	uint64_t at = 0;

	(void)state;
	/* 45 frames due at 1440: one group and a half */
	assert_int_equal(pktgen_pace_next(&p, 1440, 0, p.chunk, &at), 45);
	assert_int_equal(p.skipped, 0);
	assert_int_equal(p.max_late, 1440 - 1290);
	/* the rest of the next group is due at 1590 */
	assert_int_equal(pktgen_pace_next(&p, 1450, 45, p.chunk, &at), 0);
	assert_int_equal(at, 1000 + (45 + 30 - 1) * 10);
}

/* Paused 10 ms (a migration): 1000 frames due, only the cap goes, the
 * rest are skipped and the schedule carries on from there. */
static void test_stall_capped(void **state)
{
	struct pktgen_pace p = pace(0);
	uint64_t at = 0, sent, now = 1000 + 10000;

	(void)state;
	assert_int_equal(pktgen_pace_next(&p, 1000 + 290, 0, 30, &at), 30);
	sent = 30;
	/* due at now: frames 0..1000, 1001 of them; 971 unsent */
	assert_int_equal(pktgen_pace_next(&p, now, sent, 30, &at), 60);
	assert_int_equal(p.skipped, 971 - 60);
	assert_int_equal(p.skips, 1);
	assert_int_equal(p.max_late, now - (1000 + 59 * 10));
	sent += 60;
	/* caught up: the next group is due a group's time later, on the
	 * original grid (no drift from the skip) */
	assert_int_equal(pktgen_pace_next(&p, now, sent, 30, &at), 0);
	assert_int_equal(at, now + 30 * 10);
	assert_int_equal(pktgen_pace_next(&p, at, sent, 30, &at), 30);
	assert_int_equal(p.skips, 1);
	/* rate over the whole run: sent + skipped is the schedule */
	assert_int_equal(sent + 30 + p.skipped, (now + 300 - 1000) / 10 + 1);
}

/* A configured bucket: catchup_us=2000 lets 200 frames through. */
static void test_catchup_us(void **state)
{
	struct pktgen_pace p = pace(2000);
	uint64_t at = 0;

	(void)state;
	assert_int_equal(pktgen_pace_next(&p, 1000 + 10000, 0, 30, &at),
			 200);
	assert_int_equal(p.skipped, 1001 - 200);
}

/* A short last group (count=): released when its own last frame is due. */
static void test_short_want(void **state)
{
	struct pktgen_pace p = pace(0);
	uint64_t at = 0;

	(void)state;
	assert_int_equal(pktgen_pace_next(&p, 1000, 0, 5, &at), 0);
	assert_int_equal(at, 1040);
	assert_int_equal(pktgen_pace_next(&p, 1040, 0, 5, &at), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_on_schedule),
		cmocka_unit_test(test_late_made_up),
		cmocka_unit_test(test_stall_capped),
		cmocka_unit_test(test_catchup_us),
		cmocka_unit_test(test_short_want),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
