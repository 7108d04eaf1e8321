/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_LOCK_H
#define IOPATH_GUEST_RT_LOCK_H

/* A test-and-test-and-set spinlock for short CPL3 critical sections. */
#include "rt/cpu.h"

struct spinlock {
	volatile uint32_t locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
