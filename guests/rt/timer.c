// SPDX-License-Identifier: MIT
#include "rt/timer.h"

#include <stdbool.h>
#include <stddef.h>

#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/lapic.h"

struct timer_cpu {
	irq_fn fn;		/* periodic callback; NULL: none */
	void *arg;
	uint64_t armed_until;	/* TSC of the pending one-shot, 0: none */
	bool oneshot;		/* DIV and LVT set for one-shots */
};

static struct timer_cpu timer_cpus[KCPU_MAX];

/* The timer vector's callback: periodic tick or a one-shot wake-up. */
static void timer_irq(void *arg, unsigned int vector)
{
	struct timer_cpu *t = &timer_cpus[cpu_index()];

	(void)arg;
	if (t->fn)
		t->fn(t->arg, vector);
	else
		t->armed_until = 0;
}

static void timer_hook(void)
{
	static volatile int hooked;

	if (!hooked) {
		irq_register(IRQ_VEC_TIMER, timer_irq, NULL);
		hooked = 1;
	}
}

int timer_periodic_start(uint64_t period_us, irq_fn fn, void *arg)
{
	struct timer_cpu *t = &timer_cpus[cpu_index()];

	if (t->fn)
		return -EBUSY;
	timer_hook();
	t->arg = arg;
	t->fn = fn;
	t->armed_until = 0;
	t->oneshot = false;
	lapic_timer_periodic(IRQ_VEC_TIMER, period_us * 1000);
	return 0;
}

void timer_periodic_stop(void)
{
	struct timer_cpu *t = &timer_cpus[cpu_index()];

	lapic_timer_stop();
	t->fn = NULL;
	t->armed_until = 0;
	t->oneshot = false;
}

void timer_wake_arm(uint64_t delta_tsc)
{
	struct timer_cpu *t = &timer_cpus[cpu_index()];
	uint64_t now = clock_tsc(), until = now + delta_tsc;

	if (t->fn)
		return;
	/* A one-shot still to come no later than this deadline covers it:
	 * skip the MMIO writes (exits). */
	if (t->armed_until > now && t->armed_until <= until)
		return;
	timer_hook();
	t->armed_until = until;
	/* A sleeping sender arms once per group: each LAPIC write is an
	 * exit, and DIV and LVT stay as the first one-shot set them. */
	if (t->oneshot) {
		lapic_timer_restart(clock_tsc_to_ns(delta_tsc));
		return;
	}
	lapic_timer_oneshot(IRQ_VEC_TIMER, clock_tsc_to_ns(delta_tsc));
	t->oneshot = true;
}
