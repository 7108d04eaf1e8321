/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_CLOCK_H
#define IOPATH_GUEST_RT_CLOCK_H

/*
 * Time from the TSC: the host's, constant rate, 11 ns to read at CPL3
 * (MACHINE-NOTES.md). Its rate comes from boot info (iopath-vmm reads
 * KVM_GET_TSC_KHZ) or, when that is 0, from the PIT (clock.c).
 */
#include <stdint.h>

#include "rt/cpu.h"

/* tsc_khz: from boot info, 0 to calibrate. Returns the rate used. */
uint64_t clock_init(uint64_t tsc_khz);
uint64_t clock_tsc_khz(void);

static inline uint64_t clock_tsc(void)
{
	return cpu_rdtsc();
}

uint64_t clock_tsc_to_ns(uint64_t tsc);
uint64_t clock_ns_to_tsc(uint64_t ns);
uint64_t clock_ns(void);
uint64_t clock_us(void);
void clock_delay_us(uint64_t us);

#endif
