// SPDX-License-Identifier: MIT
#include "drivers/ioapic.h"

#include "rt/errno.h"
#include "rt/io.h"

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WIN		0x10
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_REDTBL	0x10	/* two registers per pin */
#define IOAPIC_RTE_MASKED	(1u << 16)

static volatile uint8_t *const ioapic = (volatile uint8_t *)(uintptr_t)
					IOAPIC_BASE;

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(ioapic + IOAPIC_REGSEL, reg);
	return mmio_read32(ioapic + IOAPIC_WIN);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(ioapic + IOAPIC_REGSEL, reg);
	mmio_write32(ioapic + IOAPIC_WIN, v);
}

int ioapic_route_edge(unsigned int gsi, unsigned int vector,
		      uint32_t apic_id)
{
	unsigned int pins = ((ioapic_read(IOAPIC_REG_VER) >> 16) & 0xff) + 1;

	if (gsi >= pins || vector < 0x10 || vector > 0xfe)
		return -EINVAL;
	ioapic_write(IOAPIC_REG_REDTBL + 2 * gsi, IOAPIC_RTE_MASKED);
	ioapic_write(IOAPIC_REG_REDTBL + 2 * gsi + 1, apic_id << 24);
	ioapic_write(IOAPIC_REG_REDTBL + 2 * gsi, vector);
	return 0;
}

void ioapic_mask(unsigned int gsi)
{
	ioapic_write(IOAPIC_REG_REDTBL + 2 * gsi, IOAPIC_RTE_MASKED);
}
