/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_FAULT_H
#define IOPATH_GUEST_RT_FAULT_H

/*
 * Catching CPU exceptions at CPL3 (tests, probing):
 *
 *   int r = fault_try();
 *   if (r == 0) {
 *           risky();            // may fault
 *           fault_disarm();
 *   } else {
 *           vector = r - 1;     // disarmed already; fault_last() has details
 *   }
 *
 * Like setjmp: the function calling fault_try must not return before the
 * fault or fault_disarm(), and locals changed in between are undefined
 * after a fault. One level per CPU. Unarmed faults are fatal (the kernel
 * prints {"event":"fault",...} and exits with KERNEL_EXIT_FAULT).
 */
#include <stdint.h>

#include "rt/cpu.h"

struct fault_info {
	uint64_t vector;
	uint64_t err;
	uint64_t rip;
	uint64_t cr2;
};

int fault_try(void) __attribute__((returns_twice));

static inline void fault_disarm(void)
{
	cpu_self()->kcpu->fixup_rip = 0;
}

static inline struct fault_info fault_last(void)
{
	struct kcpu *k = cpu_self()->kcpu;
	struct fault_info f = { k->fault_vec, k->fault_err, k->fault_rip,
				k->fault_cr2 };

	return f;
}

#endif
