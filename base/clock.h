/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_CLOCK_H
#define IOPATH_BASE_CLOCK_H

/*
 * The monotonic clock in the units callers want. Every timeout, rate and
 * uptime in iopath is measured on CLOCK_MONOTONIC: wall-clock steps must
 * not shorten a timeout or make a rate negative.
 */

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t clock_mono_us(void)
{
	return clock_mono_ns() / 1000u;
}

static inline uint64_t clock_mono_ms(void)
{
	return clock_mono_ns() / 1000000u;
}

/* Seconds as a double, for rates and reports. */
static inline double clock_mono_s(void)
{
	return (double)clock_mono_ns() / 1e9;
}

#endif
