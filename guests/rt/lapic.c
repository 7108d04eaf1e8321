// SPDX-License-Identifier: MIT
#include "rt/lapic.h"

#include "rt/clock.h"
#include "rt/io.h"

#define LAPIC_REG_ID		0x020
#define LAPIC_REG_ICR_LO	0x300
#define LAPIC_REG_ICR_HI	0x310
#define LAPIC_REG_LVT_TIMER	0x320
#define LAPIC_REG_TIMER_INIT	0x380
#define LAPIC_REG_TIMER_CUR	0x390
#define LAPIC_REG_TIMER_DIV	0x3e0

#define LAPIC_TIMER_DIV1	0xb		/* SDM 10.5.4: divide by 1 */
#define LAPIC_TIMER_PERIODIC	(1u << 17)
#define LAPIC_ICR_ASSERT	(1u << 14)
#define LAPIC_ICR_PENDING	(1u << 12)
#define LAPIC_CAL_US		2000

static uint64_t lapic_khz;

static volatile uint8_t *lapic_reg(unsigned int off)
{
	return (volatile uint8_t *)(uintptr_t)LAPIC_BASE + off;
}

static uint32_t lapic_read(unsigned int off)
{
	return mmio_read32(lapic_reg(off));
}

static void lapic_write(unsigned int off, uint32_t v)
{
	mmio_write32(lapic_reg(off), v);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_REG_ID) >> 24;
}

/*
 * Count LAPIC ticks against the TSC over LAPIC_CAL_US, three times, and
 * keep the median: on a loaded host the vCPU can be descheduled between
 * starting the count and reading it, which skews one attempt (either
 * way) by milliseconds. Each attempt also times its own window instead
 * of trusting the wait loop.
 */
void lapic_timer_calibrate(void)
{
	uint64_t khz[3], t0, t1, ns, cal = clock_ns_to_tsc(LAPIC_CAL_US * 1000ull);
	uint32_t left;
	unsigned i;

	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV1);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
	for (i = 0; i < 3; i++) {
		lapic_write(LAPIC_REG_TIMER_INIT, 0xffffffffu);
		t0 = clock_tsc();
		while (clock_tsc() - t0 < cal)
			cpu_relax();
		left = lapic_read(LAPIC_REG_TIMER_CUR);
		t1 = clock_tsc();
		ns = clock_tsc_to_ns(t1 - t0);
		khz[i] = ns ? (0xffffffffull - left) * 1000000ull / ns : 0;
	}
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	/* The median of three. */
	if (khz[0] > khz[1]) { uint64_t t = khz[0]; khz[0] = khz[1]; khz[1] = t; }
	if (khz[1] > khz[2]) { uint64_t t = khz[1]; khz[1] = khz[2]; khz[2] = t; }
	if (khz[0] > khz[1]) { uint64_t t = khz[0]; khz[0] = khz[1]; khz[1] = t; }
	lapic_khz = khz[1];
	if (lapic_khz == 0)
		lapic_khz = 1000000;	/* KVM's and QEMU's 1 GHz bus */
}

uint64_t lapic_timer_khz(void)
{
	return lapic_khz;
}

static uint32_t lapic_ns_to_count(uint64_t ns)
{
	uint64_t n;

	if (ns > 10000000000ull)
		ns = 10000000000ull;	/* keep the product in 64 bits */
	n = ns / 1000 * lapic_khz / 1000;

	if (n == 0)
		n = 1;
	return n > 0xffffffffull ? 0xffffffffu : (uint32_t)n;
}

void lapic_timer_periodic(unsigned int vector, uint64_t period_ns)
{
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV1);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_REG_TIMER_INIT, lapic_ns_to_count(period_ns));
}

void lapic_timer_oneshot(unsigned int vector, uint64_t ns)
{
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV1);
	lapic_write(LAPIC_REG_LVT_TIMER, vector);
	lapic_write(LAPIC_REG_TIMER_INIT, lapic_ns_to_count(ns));
}

void lapic_timer_restart(uint64_t ns)
{
	lapic_write(LAPIC_REG_TIMER_INIT, lapic_ns_to_count(ns));
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED);
}

void lapic_ipi(uint32_t apic_id, unsigned int vector)
{
	while (lapic_read(LAPIC_REG_ICR_LO) & LAPIC_ICR_PENDING)
		cpu_relax();
	lapic_write(LAPIC_REG_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_REG_ICR_LO, LAPIC_ICR_ASSERT | vector);
}
