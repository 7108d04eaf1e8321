/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TEST_FAKE_RT_IO_H
#define IOPATH_TEST_FAKE_RT_IO_H

/*
 * Stands in for guests/rt/io.h in host tests of a guest driver: every
 * port and MMIO access becomes a call the test implements, so it can
 * count register accesses (each one a VM exit in a guest) and play the
 * device behind them.
 */
#include <stdint.h>

void fake_outl(uint16_t port, uint32_t v);
uint32_t fake_inl(uint16_t port);
void fake_mmio_write32(volatile void *addr, uint32_t v);
uint32_t fake_mmio_read32(const volatile void *addr);

static inline void outl(uint16_t port, uint32_t v)
{
	fake_outl(port, v);
}

static inline uint32_t inl(uint16_t port)
{
	return fake_inl(port);
}

static inline void mmio_write32(volatile void *addr, uint32_t v)
{
	fake_mmio_write32(addr, v);
}

static inline uint32_t mmio_read32(const volatile void *addr)
{
	return fake_mmio_read32(addr);
}

#endif
