/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_TIMER_H
#define IOPATH_GUEST_RT_TIMER_H

/*
 * The LAPIC timer of the calling CPU, shared by two users: an optional
 * periodic callback (timer_periodic_start) and irq_wait_until's deadline
 * wake-up, armed as a one-shot only while no periodic timer runs (then the
 * ticks wake the sleeper anyway). Both use IRQ_VEC_TIMER.
 */
#include <stdint.h>

#include "rt/irq.h"

/* fn(arg) every period_us on this CPU. -EBUSY if one is running here. */
int timer_periodic_start(uint64_t period_us, irq_fn fn, void *arg);
void timer_periodic_stop(void);
/* Ensures this CPU wakes within delta_tsc (for irq_wait_until). */
void timer_wake_arm(uint64_t delta_tsc);

#endif
