// SPDX-License-Identifier: MIT
#include "rt/irq.h"

#include <stdbool.h>
#include <stddef.h>

#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/timer.h"

struct irq_handler {
	irq_fn fn;
	void *arg;
};

static struct irq_handler irq_table[IRQ_VEC_COUNT];
/* Vectors taken; the runtime's own are reserved from the start. */
static uint64_t irq_used = 1ull << (IRQ_VEC_TIMER - IRQ_VEC_BASE) |
			   1ull << (IRQ_VEC_WAKE - IRQ_VEC_BASE);

int irq_vector_alloc(void)
{
	uint64_t used = __atomic_load_n(&irq_used, __ATOMIC_RELAXED);

	while (~used) {
		int bit = __builtin_ctzll(~used);

		if (__atomic_compare_exchange_n(&irq_used, &used,
						used | 1ull << bit, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return IRQ_VEC_BASE + bit;
	}
	return -ENOSPC;
}

int irq_register(unsigned int vector, irq_fn fn, void *arg)
{
	struct irq_handler *h;

	if (vector < IRQ_VEC_BASE || vector >= IRQ_VEC_BASE + IRQ_VEC_COUNT)
		return -EINVAL;
	h = &irq_table[vector - IRQ_VEC_BASE];
	/* arg first: a CPU polling now must never see fn with a stale arg */
	__atomic_store_n(&h->fn, NULL, __ATOMIC_RELEASE);
	h->arg = arg;
	__atomic_store_n(&h->fn, fn, __ATOMIC_RELEASE);
	return 0;
}

/* Run table entry @idx's handler, if one is set. */
static void irq_run(unsigned int idx)
{
	struct irq_handler *h = &irq_table[idx];
	irq_fn fn = __atomic_load_n(&h->fn, __ATOMIC_ACQUIRE);

	if (fn)
		fn(h->arg, IRQ_VEC_BASE + idx);
}

int irq_poll(void)
{
	struct kcpu *k = cpu_self()->kcpu;
	uint64_t bits;
	int n = 0;

	if (!k->pending)
		return 0;
	bits = __atomic_exchange_n(&k->pending, 0, __ATOMIC_ACQ_REL);
	while (bits) {
		unsigned int bit = (unsigned int)__builtin_ctzll(bits);

		bits &= bits - 1;
		n++;
		irq_run(bit);
	}
	return n;
}

int irq_take(unsigned int vector)
{
	struct kcpu *k = cpu_self()->kcpu;
	uint64_t bit;

	if (vector < IRQ_VEC_BASE || vector >= IRQ_VEC_BASE + IRQ_VEC_COUNT)
		return 0;
	bit = 1ull << (vector - IRQ_VEC_BASE);
	if (!(k->pending & bit) ||
	    !(__atomic_fetch_and(&k->pending, ~bit, __ATOMIC_ACQ_REL) & bit))
		return 0;
	irq_run(vector - IRQ_VEC_BASE);
	return 1;
}

int irq_wait_until(uint64_t deadline_tsc)
{
	for (;;) {
		int n = irq_poll();
		uint64_t now;

		if (n)
			return n;
		now = clock_tsc();
		if (now >= deadline_tsc)
			return 0;
		if (deadline_tsc != IRQ_WAIT_FOREVER)
			timer_wake_arm(deadline_tsc - now);
		/* Race-free: the sleep stub re-checks pending with IF=0 and
		 * halts in STI's shadow (kernel/isr.S). */
		cpu_sleep();
	}
}

uint64_t irq_stray_count(void)
{
	return cpu_self()->kcpu->stray;
}
