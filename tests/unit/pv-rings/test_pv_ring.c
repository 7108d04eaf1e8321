// SPDX-License-Identifier: MIT
/*
 * The pv ring ABI's arithmetic and event channels: free-running indices
 * across the 32-bit wrap, pv_need_notify() against a brute-force model
 * (a notify happens exactly when the other side asked for one), and the
 * event page's pending/mask rules as the backend signals them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "wire/pv_abi.h"
#include "pv-rings/pv_backend.h"

/* The model: is @event in the half-open window (old, new], walking up? */
static int model_notify(uint32_t event, uint32_t old, uint32_t new_)
{
	for (uint32_t i = old; i != new_;) {
		i++;
		if (i == event)
			return 1;
	}
	return 0;
}

static void test_need_notify_truth_table(void **state)
{
	static const uint32_t bases[] = { 0, 1, 0x7ffffff0u, 0xfffffff0u,
					   UINT32_MAX };
	unsigned checked = 0;

	for (size_t b = 0; b < sizeof(bases) / sizeof(*bases); b++)
		for (uint32_t o = 0; o < 24; o++)
			for (uint32_t k = 0; k <= 20; k++)
				for (int32_t e = -24; e < 48; e++) {
					uint32_t old = bases[b] + o;
					uint32_t new_ = old + k;
					uint32_t ev = bases[b] + (uint32_t)e;

					assert_int_equal(
						pv_need_notify(ev, old, new_),
						model_notify(ev, old, new_));
					checked++;
				}
	assert_true(checked > 100000);
	/* The cases a reader doubts: nothing pushed never notifies... */
	assert_false(pv_need_notify(5, 5, 5));
	/* ...the event at the old index was already passed... */
	assert_false(pv_need_notify(5, 5, 9));
	/* ...and the event at the new index is the one being asked for. */
	assert_true(pv_need_notify(9, 5, 9));
	/* Across the wrap: old = UINT32_MAX, new = 2, event = 0. */
	assert_true(pv_need_notify(0, UINT32_MAX, 2));
	assert_false(pv_need_notify(3, UINT32_MAX, 2));
}

static void test_index_wrap(void **state)
{
	const uint32_t size = 32, mask = size - 1;
	uint32_t cons = UINT32_MAX - 3, prod = cons;
	unsigned seen[32] = { 0 };

	/* Produce a full ring across the wrap: the unsigned distance stays
	 * right and every slot is used exactly once. */
	for (unsigned i = 0; i < size; i++) {
		seen[prod & mask]++;
		prod++;
		assert_int_equal((uint32_t)(prod - cons), i + 1);
	}
	assert_true(prod < cons);	/* wrapped */
	for (unsigned i = 0; i < size; i++)
		assert_int_equal(seen[i], 1);
	/* One more would overrun: the distance says so, wrap or not. */
	assert_true((uint32_t)(prod + 1 - cons) > size);
	/* A producer moved backwards looks like a huge jump forwards. */
	assert_true((uint32_t)(cons - 1 - cons) > size);
	/* Consuming across the wrap empties it. */
	while (cons != prod)
		cons++;
	assert_int_equal((uint32_t)(prod - cons), 0);
	assert_int_equal(PV_RING_BYTES(32), 128 + 32 * 16);
}

static uint64_t drain(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void test_evtchn_mask_pending(void **state)
{
	struct pv_evt_page pg;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_true(fd >= 0);
	memset(&pg, 0, sizeof(pg));

	/* Unmasked: pending set and one signal. */
	assert_int_equal(pv_evtchn_send(&pg, 3, fd), 1);
	assert_true(pg.pending & (1ull << 3));
	assert_int_equal(drain(fd), 1);

	/* The guest handles it: clears pending with an exchange. */
	assert_int_equal(__atomic_exchange_n(&pg.pending, 0, __ATOMIC_SEQ_CST),
			 1ull << 3);

	/* Masked: pending set, no signal. */
	pg.mask = 1ull << 5;
	assert_int_equal(pv_evtchn_send(&pg, 5, fd), 0);
	assert_true(pg.pending & (1ull << 5));
	assert_int_equal(drain(fd), 0);
	/* Another port is not affected by port 5's mask. */
	assert_int_equal(pv_evtchn_send(&pg, 6, fd), 1);
	assert_int_equal(drain(fd), 1);

	/* The guest unmasks later, then reads pending: the event is there. */
	__atomic_and_fetch(&pg.mask, ~(1ull << 5), __ATOMIC_SEQ_CST);
	assert_true(__atomic_load_n(&pg.pending, __ATOMIC_SEQ_CST) &
		    (1ull << 5));

	/* Port 63 is the last bit; no irqfd means pending only. */
	assert_int_equal(pv_evtchn_send(&pg, 63, -1), 0);
	assert_true(pg.pending & (1ull << 63));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_notify_truth_table),
		cmocka_unit_test(test_index_wrap),
		cmocka_unit_test(test_evtchn_mask_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
