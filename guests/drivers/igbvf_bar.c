// SPDX-License-Identifier: MIT
/*
 * The VF's trapped registers (BAR0 pages 0 and 1, igbvf_mbx.h): plain
 * 32-bit MMIO, each access a VM exit, counted. The shared pages (queue
 * registers, IGBVF_POLL) are not accessed through here: they are memory.
 * A file of its own so the host unit tests can put the NIC model behind
 * these two functions.
 */
#include "drivers/igbvf_mbx.h"

#include "rt/io.h"

uint32_t igbvf_reg_read(struct igbvf_bar *b, uint32_t off)
{
	b->reads++;
	return mmio_read32(b->regs + off);
}

void igbvf_reg_write(struct igbvf_bar *b, uint32_t off, uint32_t val)
{
	b->writes++;
	mmio_write32(b->regs + off, val);
}
