// SPDX-License-Identifier: MIT
#include "rt/clock.h"

#include "rt/io.h"

/* 8254 PIT: 1.193182 MHz input; channel 2 is gated by port 0x61 bit 0 and
 * its output is readable at port 0x61 bit 5 (IBM PC/AT technical ref.). */
#define PIT_HZ		1193182ull
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_CH2_MODE0	0xb0	/* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_B		0x61
#define PORT_B_GATE2	0x01
#define PORT_B_SPKR	0x02
#define PORT_B_OUT2	0x20
#define CAL_MS		10

static uint64_t clock_khz;

/* One PIT channel 2 one-shot of CAL_MS: TSC ticks it took. */
static uint64_t clock_pit_measure(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CAL_MS / 1000);
	uint64_t t0, t1;

	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPKR) | PORT_B_GATE2));
	outb(PIT_CMD, PIT_CH2_MODE0);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));	/* mode 0: OUT low, counting */
	t0 = cpu_rdtsc();
	while (!(inb(PORT_B) & PORT_B_OUT2))
		;
	t1 = cpu_rdtsc();
	return (t1 - t0) * PIT_HZ / ((uint64_t)count * 1000);
}

uint64_t clock_init(uint64_t tsc_khz)
{
	uint64_t a, b;

	if (tsc_khz == 0) {
		/* A preempted vCPU only makes a run look longer: keep the
		 * smaller of two. */
		a = clock_pit_measure();
		b = clock_pit_measure();
		tsc_khz = a < b ? a : b;
	}
	if (tsc_khz == 0)
		tsc_khz = 1000000;	/* nonsense PIT: assume 1 GHz */
	clock_khz = tsc_khz;
	return tsc_khz;
}

uint64_t clock_tsc_khz(void)
{
	return clock_khz;
}

/* Split so neither product overflows 64 bits for any realistic rate. */
uint64_t clock_tsc_to_ns(uint64_t tsc)
{
	return tsc / clock_khz * 1000000 + tsc % clock_khz * 1000000 / clock_khz;
}

uint64_t clock_ns_to_tsc(uint64_t ns)
{
	return ns / 1000000 * clock_khz + ns % 1000000 * clock_khz / 1000000;
}

uint64_t clock_ns(void)
{
	return clock_tsc_to_ns(clock_tsc());
}

uint64_t clock_us(void)
{
	return clock_ns() / 1000;
}

void clock_delay_us(uint64_t us)
{
	uint64_t end = clock_tsc() + clock_ns_to_tsc(us * 1000);

	while (clock_tsc() < end)
		cpu_relax();
}
