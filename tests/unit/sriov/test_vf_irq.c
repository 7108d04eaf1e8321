// SPDX-License-Identifier: MIT
/*
 * A VF's interrupt registers: IVAR routing, EICR/EICS, masking with
 * EIMS/EIMC, auto-clear (EIAC) and auto-mask (EIAM) on send, and EITR
 * moderation driven by the caller's clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sriov/vf_irq.h"

#define US	1000ull

struct env {
	struct vf_irq irq;
	unsigned sent[IGBVF_MSIX_VECTORS];
	unsigned total;
};

static void on_raise(void *opaque, unsigned v)
{
	struct env *e = opaque;

	assert_true(v < IGBVF_MSIX_VECTORS);
	e->sent[v]++;
	e->total++;
}

/* igbvf_configure_msix + igbvf_irq_enable: TX 0, RX 1, mailbox 2. */
static void igbvf_setup(struct env *e, uint32_t eitr)
{
	struct vf_irq *q = &e->irq;

	vf_irq_write(q, IGBVF_IVAR0, (0u | IGBVF_IVAR_VALID) << 8 |
		     (1u | IGBVF_IVAR_VALID), 0);
	vf_irq_write(q, IGBVF_IVAR_MISC, 2u | IGBVF_IVAR_VALID, 0);
	vf_irq_write(q, IGBVF_EITR(0), eitr, 0);
	vf_irq_write(q, IGBVF_EITR(1), eitr, 0);
	vf_irq_write(q, IGBVF_EIAC, 7, 0);
	vf_irq_write(q, IGBVF_EIAM, 7, 0);
	vf_irq_write(q, IGBVF_EIMS, 7, 0);
}

static void test_unrouted(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	vf_irq_write(&e.irq, IGBVF_EIMS, 7, 0);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 0);
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 0);
	assert_int_equal(e.total, 0);
	assert_int_equal(e.irq.st.unrouted, 2);
	/* A vector number past the three is no route either. */
	vf_irq_write(&e.irq, IGBVF_IVAR_MISC, 5u | IGBVF_IVAR_VALID, 0);
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 0);
	assert_int_equal(e.total, 0);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EICR), 0);
}

static void test_routing_like_igbvf(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	vf_irq_cause(&e.irq, VF_IRQ_TX, 0);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 0);
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 0);
	assert_int_equal(e.sent[0], 1);
	assert_int_equal(e.sent[1], 1);
	assert_int_equal(e.sent[2], 1);
}

static void test_masked_until_eims(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	vf_irq_write(&e.irq, IGBVF_EIMC, 7, 0);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EIMS), 0);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 0);
	assert_int_equal(e.total, 0);
	/* Enabling a vector whose cause is set sends it. */
	vf_irq_write(&e.irq, IGBVF_EIMS, 1u << 1, 0);
	assert_int_equal(e.sent[1], 1);
	/* EIAC cleared the cause, EIAM masked the vector again. */
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EICR), 0);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EIMS), 0);
}

static void test_auto_mask(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 0);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 1);	/* masked by EIAM now */
	assert_int_equal(e.sent[1], 1);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EICR), 2);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 2);
	/* The NAPI poll ends: EIMS re-enables, the held cause goes out. */
	vf_irq_write(&e.irq, IGBVF_EIMS, 2, 3);
	assert_int_equal(e.sent[1], 2);
}

static void test_no_auto_clear(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	vf_irq_write(&e.irq, IGBVF_EIAC, 0, 0);
	vf_irq_write(&e.irq, IGBVF_EIAM, 0, 0);
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 0);
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 0);
	assert_int_equal(e.sent[2], 2);		/* each cause, unmoderated */
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EIMS), 7);
	/* EICR: write 1 to clear, and read to clear. */
	assert_int_equal(e.irq.eicr, 4);
	vf_irq_write(&e.irq, IGBVF_EICR, 4, 0);
	assert_int_equal(e.irq.eicr, 0);
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 0);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EICR), 4);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EICR), 0);
}

static void test_eics(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	vf_irq_write(&e.irq, IGBVF_EICS, 0, 0);		/* the doorbell */
	assert_int_equal(e.total, 0);
	vf_irq_write(&e.irq, IGBVF_EICS, 1u << 1, 0);	/* igbvf watchdog */
	assert_int_equal(e.sent[1], 1);
	vf_irq_write(&e.irq, IGBVF_EICS, 0xFFFFFFF8u, 0);	/* no such */
	assert_int_equal(e.total, 1);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EICS), 0);	/* WO */
}

static void test_moderation(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	/* 100 us: EITR interval in bits 14:2. */
	igbvf_setup(&e, 100u << IGBVF_EITR_INTERVAL_SHIFT);
	vf_irq_write(&e.irq, IGBVF_EIAM, 0, 0);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EITR(1)),
			 100u << IGBVF_EITR_INTERVAL_SHIFT);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 1000 * US);
	assert_int_equal(e.sent[1], 1);
	assert_int_equal(vf_irq_next_deadline(&e.irq), UINT64_MAX);
	/* Three more within the interval: held, then one message. */
	vf_irq_cause(&e.irq, VF_IRQ_RX, 1010 * US);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 1020 * US);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 1030 * US);
	assert_int_equal(e.sent[1], 1);
	assert_int_equal(e.irq.st.moderated, 1);
	assert_int_equal(vf_irq_next_deadline(&e.irq), 1100 * US);
	vf_irq_poll(&e.irq, 1099 * US);
	assert_int_equal(e.sent[1], 1);
	vf_irq_poll(&e.irq, 1100 * US);
	assert_int_equal(e.sent[1], 2);
	assert_int_equal(vf_irq_next_deadline(&e.irq), UINT64_MAX);
	/* Other vectors are not held by this one's interval. */
	vf_irq_cause(&e.irq, VF_IRQ_MBX, 1101 * US);
	assert_int_equal(e.sent[2], 1);
	/* Masking forgets what was owed. */
	vf_irq_cause(&e.irq, VF_IRQ_RX, 1150 * US);
	vf_irq_write(&e.irq, IGBVF_EIMC, 2, 1150 * US);
	vf_irq_poll(&e.irq, 5000 * US);
	assert_int_equal(e.sent[1], 2);
}

static void test_shorter_interval_frees(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 1000u << IGBVF_EITR_INTERVAL_SHIFT);
	vf_irq_write(&e.irq, IGBVF_EIAM, 0, 0);
	vf_irq_cause(&e.irq, VF_IRQ_TX, 0);
	vf_irq_cause(&e.irq, VF_IRQ_TX, 10 * US);
	assert_int_equal(e.sent[0], 1);
	vf_irq_write(&e.irq, IGBVF_EITR(0), 0, 20 * US);
	assert_int_equal(e.sent[0], 2);
}

/* A disabled vector's cause can be dropped, unless TX or the mailbox
 * share the vector; an enabled one has nothing to drop. */
static void test_drop_stale(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	assert_int_equal(vf_irq_cause_vector(&e.irq, VF_IRQ_RX), 1);
	assert_false(vf_irq_drop_stale(&e.irq, 1));	/* enabled */
	vf_irq_write(&e.irq, IGBVF_EIMC, 1u << 1, 0);
	assert_false(vf_irq_drop_stale(&e.irq, 1));	/* no cause */
	vf_irq_cause(&e.irq, VF_IRQ_RX, 0);
	assert_true(vf_irq_drop_stale(&e.irq, 1));
	vf_irq_write(&e.irq, IGBVF_EIMS, 1u << 1, 0);
	assert_int_equal(e.sent[1], 0);
	assert_false(vf_irq_drop_stale(&e.irq, -1));
	assert_false(vf_irq_drop_stale(&e.irq, IGBVF_MSIX_VECTORS));

	/* RX and TX on one vector: the cause may be TX's, it stays. */
	vf_irq_write(&e.irq, IGBVF_IVAR0, (1u | IGBVF_IVAR_VALID) << 8 |
		     (1u | IGBVF_IVAR_VALID), 0);
	vf_irq_write(&e.irq, IGBVF_EIMC, 1u << 1, 0);
	vf_irq_cause(&e.irq, VF_IRQ_RX, 0);
	assert_false(vf_irq_drop_stale(&e.irq, 1));
	vf_irq_write(&e.irq, IGBVF_EIMS, 1u << 1, 0);
	assert_int_equal(e.sent[1], 1);
}

static void test_reset(void **state)
{
	struct env e = { 0 };

	(void)state;
	vf_irq_init(&e.irq, on_raise, &e);
	igbvf_setup(&e, 0);
	vf_irq_cause(&e.irq, VF_IRQ_TX, 0);
	vf_irq_reset(&e.irq);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_EIMS), 0);
	assert_int_equal(vf_irq_read(&e.irq, IGBVF_IVAR0), 0);
	assert_int_equal(e.irq.st.sent[0], 1);		/* counters kept */
	vf_irq_cause(&e.irq, VF_IRQ_TX, 0);
	assert_int_equal(e.total, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unrouted),
		cmocka_unit_test(test_routing_like_igbvf),
		cmocka_unit_test(test_masked_until_eims),
		cmocka_unit_test(test_auto_mask),
		cmocka_unit_test(test_no_auto_clear),
		cmocka_unit_test(test_eics),
		cmocka_unit_test(test_moderation),
		cmocka_unit_test(test_shorter_interval_frees),
		cmocka_unit_test(test_drop_stale),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
