/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_LAPIC_H
#define IOPATH_GUEST_RT_LAPIC_H

/*
 * The local APIC in xAPIC mode, driven from CPL3 through its
 * identity-mapped, user-accessible MMIO page (the kernel only enables it
 * and writes EOI). SDM vol. 3, chapter 10.
 */
#include <stdint.h>

#include "kernel/kcpu.h"

uint32_t lapic_id(void);
/* Measures the timer input clock against the TSC (boot CPU, once). */
void lapic_timer_calibrate(void);
uint64_t lapic_timer_khz(void);
/*
 * Periodic interrupt on vector every period_ns. This KVM clamps periods
 * under 200 us to 200 us (MACHINE-NOTES.md).
 */
void lapic_timer_periodic(unsigned int vector, uint64_t period_ns);
/* One interrupt on vector after ns (cut to the 32-bit counter's range). */
void lapic_timer_oneshot(unsigned int vector, uint64_t ns);
/* A one-shot again, with DIV and LVT as lapic_timer_oneshot left them:
 * one register write (each is an exit) instead of three. */
void lapic_timer_restart(uint64_t ns);
void lapic_timer_stop(void);
/* Fixed-delivery IPI to one APIC ID. */
void lapic_ipi(uint32_t apic_id, unsigned int vector);

#endif
