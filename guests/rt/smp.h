/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_SMP_H
#define IOPATH_GUEST_RT_SMP_H

/*
 * Work for the secondary CPUs. iopath-vmm starts every vCPU at the entry
 * point (no SIPI); each AP publishes its APIC ID in its mailbox and sleeps
 * until the boot CPU posts a function and wakes it with an IPI on
 * IRQ_VEC_WAKE. Under Multiboot only the boot CPU runs.
 */
#include <stdint.h>

typedef uint64_t (*smp_fn)(void *arg);

void smp_ap_main(unsigned int cpu) __attribute__((noreturn));
/* Waits up to timeout_us for APs 1..ncpus-1; returns how many are up. */
unsigned int smp_wait_online(unsigned int ncpus, uint64_t timeout_us);
/* APIC ID an online AP reported, or -1. */
int64_t smp_apic_id(unsigned int cpu);
/* Runs fn(arg) on cpu and waits for it: 0 and *result, -ENODEV (not
 * online) or -ETIMEDOUT (then the AP may still run it later). */
int smp_call(unsigned int cpu, smp_fn fn, void *arg, uint64_t timeout_us,
	     uint64_t *result);

#endif
