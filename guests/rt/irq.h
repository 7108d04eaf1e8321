/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_IRQ_H
#define IOPATH_GUEST_RT_IRQ_H

/*
 * Interrupt callbacks at CPL3. The CPL0 stub of a device vector only sets
 * its bit in this CPU's kcpu.pending and sends EOI (kernel/isr.S);
 * irq_poll() takes the whole word atomically and runs the callbacks, so a
 * callback is an ordinary function on the CPU's own stack, never nested.
 */
#include <stdint.h>

#include "kernel/kcpu.h"

#define IRQ_VEC_TIMER		(IRQ_VEC_BASE + IRQ_VEC_COUNT - 1)
#define IRQ_VEC_WAKE		(IRQ_VEC_BASE + IRQ_VEC_COUNT - 2)	/* IPI */
#define IRQ_WAIT_FOREVER	UINT64_MAX

typedef void (*irq_fn)(void *arg, unsigned int vector);

/* A free device vector (MSI, MSI-X), or -ENOSPC. */
int irq_vector_alloc(void);
/* Callback for vector on whichever CPU takes it; fn NULL removes it. */
int irq_register(unsigned int vector, irq_fn fn, void *arg);
/* Runs the callbacks of every pending vector; returns how many vectors
 * were pending (with or without a callback). Never sleeps. */
int irq_poll(void);
/*
 * Runs @vector's callback if it is pending on this CPU, and leaves the
 * other vectors to irq_poll. For a driver that polls its rings and must
 * still act on a rare interrupt (a NIC's mailbox) without sleeping,
 * never taking another device's wake-up from a wait loop. RAM only;
 * returns 1 if the vector was pending.
 */
int irq_take(unsigned int vector);
/*
 * Polls; if nothing was pending, sleeps (int3, the kernel halts) until an
 * interrupt or the TSC deadline, then polls again. Returns irq_poll's count,
 * 0 at the deadline. Callers loop on their own condition.
 */
int irq_wait_until(uint64_t deadline_tsc);
/* Interrupts taken on vectors outside the device range on this CPU. */
uint64_t irq_stray_count(void);

#endif
