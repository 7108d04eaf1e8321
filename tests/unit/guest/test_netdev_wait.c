// SPDX-License-Identifier: MIT
/*
 * The guest drivers' one wait loop (guests/net/netdev_wait.c) on the host,
 * against a scripted fake driver: which mode spins, arms, sleeps; that
 * every sleep is preceded by an arm and a last look at the rings; that an
 * event which races the arming is not slept through; that only the events
 * asked for end a wait. The clock is the real TSC (1 tick = 1 ns here, by
 * the fake clock_ns_to_tsc); irq_wait_until is faked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net/netdev.h"
#include "rt/clock.h"
#include "rt/irq.h"

/* What the fake driver and the fake sleep do, step by step. */
struct script {
	unsigned int ready_calls, arms, disarms, sleeps, polls;
	int arm_events;			/* events of the last arm */
	unsigned int ready_after;	/* ready() calls before @ev shows */
	unsigned int ready_after_arm;	/* shows on the Nth call after arm */
	unsigned int sleeps_to_event;	/* the Nth sleep brings @ev */
	bool spurious;			/* sleeps before it end at once */
	bool event_now;
	int ev;
	unsigned int calls_since_arm;
	bool armed;
	bool slept_unarmed;		/* a sleep with no arm before it */
};

static struct script sc;

/* ---- fakes of the guest runtime ---- */

uint64_t clock_ns_to_tsc(uint64_t ns)
{
	return ns;
}

int irq_poll(void)
{
	sc.polls++;
	return 0;
}

/* Sleeps until the deadline unless this sleep brings the event, or is
 * ended at once by some other interrupt (@spurious). */
int irq_wait_until(uint64_t deadline_tsc)
{
	sc.sleeps++;
	if (!sc.armed)
		sc.slept_unarmed = true;
	if (sc.sleeps_to_event && sc.sleeps >= sc.sleeps_to_event) {
		sc.event_now = true;
		return 1;
	}
	if (sc.spurious)
		return 1;
	while (clock_tsc() < deadline_tsc)
		;
	return 0;
}

/* ---- the fake driver ---- */

static int fake_ready(struct netdev *nd)
{
	(void)nd;
	sc.ready_calls++;
	if (sc.armed)
		sc.calls_since_arm++;
	if (sc.ready_after_arm && sc.armed &&
	    sc.calls_since_arm >= sc.ready_after_arm)
		return sc.ev;
	if (sc.ready_after && sc.ready_calls >= sc.ready_after)
		return sc.ev;
	return sc.event_now ? sc.ev : 0;
}

static void fake_arm(struct netdev *nd, int events)
{
	(void)nd;
	sc.arms++;
	sc.arm_events = events;
	sc.armed = true;
	sc.calls_since_arm = 0;
}

static void fake_disarm(struct netdev *nd)
{
	(void)nd;
	sc.disarms++;
	sc.armed = false;
}

static const struct netdev_ops fake_ops = {
	.ready = fake_ready,
	.arm = fake_arm,
	.disarm = fake_disarm,
};

static struct netdev nd;

static int setup(void **state)
{
	(void)state;
	memset(&sc, 0, sizeof(sc));
	memset(&nd, 0, sizeof(nd));
	nd.ops = &fake_ops;
	return 0;
}

static uint64_t in_us(uint64_t us)
{
	return clock_tsc() + us * 1000;
}

/* ---- poll ---- */

static void test_poll_spins_to_deadline(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_POLL;
	assert_int_equal(netdev_wait(&nd, in_us(2000), NETDEV_EV_RX), 0);
	assert_int_equal(sc.arms, 0);
	assert_int_equal(sc.sleeps, 0);
	assert_int_equal(nd.st.wakeups, 0);
	assert_true(sc.ready_calls > 1);
}

static void test_poll_returns_event(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_POLL;
	sc.ready_after = 50;
	sc.ev = NETDEV_EV_RX;
	assert_int_equal(netdev_wait(&nd, IRQ_WAIT_FOREVER, NETDEV_EV_RX),
			 NETDEV_EV_RX);
	assert_int_equal(sc.ready_calls, 50);
	assert_int_equal(sc.arms, 0);
	/* an event found spinning in poll mode is no "spin hit" */
	assert_int_equal(nd.st.spin_hits, 0);
}

/* ---- irq ---- */

static void test_irq_arms_looks_sleeps(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_IRQ;
	sc.sleeps_to_event = 1;
	sc.ev = NETDEV_EV_RX;
	assert_int_equal(netdev_wait(&nd, IRQ_WAIT_FOREVER, NETDEV_EV_RX),
			 NETDEV_EV_RX);
	/* look, arm, look again, sleep, look */
	assert_int_equal(sc.ready_calls, 3);
	assert_int_equal(sc.arms, 1);
	assert_int_equal(sc.arm_events, NETDEV_EV_RX);
	assert_int_equal(sc.sleeps, 1);
	assert_false(sc.slept_unarmed);
	assert_int_equal(sc.disarms, 1);
	assert_int_equal(nd.st.wakeups, 1);
	assert_int_equal(nd.st.arms, 1);
	/* interrupts taken while busy are handled before arming */
	assert_true(sc.polls >= 1);
}

static void test_irq_event_racing_the_arm(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_IRQ;
	sc.ready_after_arm = 1;		/* lands between look and arm */
	sc.ev = NETDEV_EV_RX;
	assert_int_equal(netdev_wait(&nd, IRQ_WAIT_FOREVER, NETDEV_EV_RX),
			 NETDEV_EV_RX);
	assert_int_equal(sc.sleeps, 0);
	assert_int_equal(sc.arms, 1);
	assert_int_equal(sc.disarms, 1);
}

static void test_irq_rearms_after_each_wakeup(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_IRQ;
	sc.sleeps_to_event = 3;		/* two wake-ups with nothing first */
	sc.spurious = true;
	sc.ev = NETDEV_EV_TX;
	assert_int_equal(netdev_wait(&nd, IRQ_WAIT_FOREVER, NETDEV_EV_TX),
			 NETDEV_EV_TX);
	assert_int_equal(sc.sleeps, 3);
	/* every sleep armed anew (the 21140 must clear CSR5 again) */
	assert_int_equal(sc.arms, 3);
	assert_false(sc.slept_unarmed);
	assert_int_equal(sc.disarms, 1);
	assert_int_equal(nd.st.wakeups, 3);
}

static void test_irq_ignores_unwanted_events(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_IRQ;
	sc.ready_after = 1;
	sc.ev = NETDEV_EV_TX;		/* completions, but we wait for RX */
	assert_int_equal(netdev_wait(&nd, in_us(1000), NETDEV_EV_RX), 0);
	assert_int_equal(sc.arm_events, NETDEV_EV_RX);
}

/* ---- adaptive ---- */

static void test_adaptive_near_deadline_spins(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_ADAPTIVE;
	/* nearer than NETDEV_SLEEP_MIN_US: the timer could not make it */
	assert_int_equal(netdev_wait(&nd, in_us(NETDEV_SLEEP_MIN_US / 2),
				     NETDEV_EV_RX), 0);
	assert_int_equal(sc.arms, 0);
	assert_int_equal(sc.sleeps, 0);
}

static void test_adaptive_far_deadline_sleeps(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_ADAPTIVE;
	assert_int_equal(netdev_wait(&nd, in_us(NETDEV_SLEEP_MIN_US * 4),
				     NETDEV_EV_RX), 0);
	assert_int_equal(sc.arms, 1);
	assert_int_equal(sc.sleeps, 1);
	assert_true(nd.st.sleep_tsc > 0);
}

static void test_adaptive_budget_catches_event(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_ADAPTIVE;
	nd.poll_tsc = 10ull * 1000 * 1000 * 1000;	/* a long budget */
	sc.ready_after = 1000;
	sc.ev = NETDEV_EV_RX;
	assert_int_equal(netdev_wait(&nd, IRQ_WAIT_FOREVER, NETDEV_EV_RX),
			 NETDEV_EV_RX);
	assert_int_equal(sc.arms, 0);
	assert_int_equal(sc.disarms, 0);
	assert_int_equal(nd.st.spin_hits, 1);
}

static void test_adaptive_budget_then_sleep(void **state)
{
	(void)state;
	nd.mode = NETDEV_MODE_ADAPTIVE;
	nd.poll_tsc = 50 * 1000;			/* 50 us */
	sc.sleeps_to_event = 1;
	sc.ev = NETDEV_EV_RX;
	assert_int_equal(netdev_wait(&nd, IRQ_WAIT_FOREVER, NETDEV_EV_RX),
			 NETDEV_EV_RX);
	assert_int_equal(sc.arms, 1);
	assert_int_equal(sc.sleeps, 1);
	assert_true(nd.st.spin_tsc >= 50 * 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_poll_spins_to_deadline, setup),
		cmocka_unit_test_setup(test_poll_returns_event, setup),
		cmocka_unit_test_setup(test_irq_arms_looks_sleeps, setup),
		cmocka_unit_test_setup(test_irq_event_racing_the_arm, setup),
		cmocka_unit_test_setup(test_irq_rearms_after_each_wakeup,
				       setup),
		cmocka_unit_test_setup(test_irq_ignores_unwanted_events,
				       setup),
		cmocka_unit_test_setup(test_adaptive_near_deadline_spins,
				       setup),
		cmocka_unit_test_setup(test_adaptive_far_deadline_sleeps,
				       setup),
		cmocka_unit_test_setup(test_adaptive_budget_catches_event,
				       setup),
		cmocka_unit_test_setup(test_adaptive_budget_then_sleep, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
