/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_CPU_H
#define IOPATH_GUEST_RT_CPU_H

/*
 * This CPU, from CPL3. Each CPU runs on its own naturally aligned
 * USTACK_SIZE stack with struct ucpu at the bottom (kernel/kcpu.h), so
 * cpu_self() is two instructions and needs no segment base or MSR.
 */
#include <stdint.h>

#include "kernel/kcpu.h"

struct fault_jmp {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

struct ucpu {
	struct kcpu *kcpu;	/* written by rt_entry */
	uint64_t index;		/* vCPU index from the loader */
	struct fault_jmp jmp;	/* rt/fault.S */
};

/* Field offsets used by rt/fault.S. */
#define UCPU_KCPU	0
#define UCPU_JMP	16
_Static_assert(__builtin_offsetof(struct ucpu, jmp) == UCPU_JMP, "ucpu ABI");

static inline struct ucpu *cpu_self(void)
{
	uintptr_t sp;

	__asm__("mov %%rsp, %0" : "=r"(sp));
	return (struct ucpu *)(sp & ~(uintptr_t)(USTACK_SIZE - 1));
}

static inline unsigned int cpu_index(void)
{
	return (unsigned int)cpu_self()->index;
}

static inline uint64_t cpu_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* Compiler barrier; x86 keeps stores ordered with stores, loads with loads. */
static inline void cpu_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/*
 * Sleep until an interrupt: `int3` enters the kernel's sleep stub, which
 * returns at once if kcpu.pending is set and otherwise halts with
 * interrupts on (kernel/isr.S). Returns after at most one interrupt; the
 * caller re-checks its condition.
 */
static inline void cpu_sleep(void)
{
	__asm__ volatile("int3" ::: "memory");
}

#endif
