/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_SRIOV_FAKE_GUEST_H
#define IOPATH_TESTS_SRIOV_FAKE_GUEST_H

/*
 * A VM for the SR-IOV tests: fake guest RAM in two regions (1 MiB at 0,
 * 1 MiB at 4 GiB, as a guest with memory above the PCI hole has it), the
 * VF's shared BAR0 pages, and what an igbvf-like driver does with them:
 * program rings, post TX descriptors and RX buffers, read write-backs.
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/guest_mem.h"
#include "sriov/igbvf_regs.h"

#define FG_RAM_LO	(1u << 20)
#define FG_RAM_HI_GPA	0x100000000ull
#define FG_RAM_HI	(1u << 20)

/* Guest layout. */
#define FG_TX_RING	0x10000ull	/* up to 256 descriptors */
#define FG_RX_RING	0x11000ull
#define FG_HWB		0x12000ull	/* TX head write-back dword */
#define FG_TX_BUF	0x20000ull	/* TX buffers: 2 KiB per slot */
#define FG_RX_BUF	0x60000ull	/* RX buffers: 2 KiB per slot */
#define FG_BIG_BUF	0xA0000ull	/* 64 KiB for jumbo frames */
#define FG_SLOT		2048u

struct fake_guest {
	uint8_t *ram;
	struct guest_mem gm;
	struct igbvf_shared *sh;
	unsigned tx_count, rx_count;
	uint32_t tx_tail, rx_tail;	/* the driver's next_to_use */
	unsigned rx_bufsize;
};

void fg_init(struct fake_guest *g);
void fg_fini(struct fake_guest *g);
void *fg_ptr(struct fake_guest *g, uint64_t gpa, uint64_t len);

/* Program and enable the rings (igbvf_configure_tx/rx). */
void fg_setup_tx(struct fake_guest *g, unsigned count);
void fg_setup_rx(struct fake_guest *g, unsigned count, unsigned bsize_kib);

/* Raw descriptors at @idx. */
void fg_tx_desc(struct fake_guest *g, unsigned idx, uint64_t addr,
		uint32_t len, uint32_t cmd, uint32_t olinfo);
void fg_tx_ctx(struct fake_guest *g, unsigned idx, uint32_t vlan_macip_lens,
	       uint32_t tucmd, uint32_t mss_l4len_idx);

/* Publish tails. */
void fg_set_tdt(struct fake_guest *g, uint32_t tail);
void fg_set_rdt(struct fake_guest *g, uint32_t tail);

/*
 * One frame in one descriptor (EOP|RS|IFCS) at the driver's next slot,
 * its data copied to that slot's buffer; the tail is not published.
 * Returns the slot.
 */
unsigned fg_tx_frame(struct fake_guest *g, const void *data, unsigned len);

/* Post @n RX buffers (one per slot) and publish RDT. */
void fg_rx_post(struct fake_guest *g, unsigned n);

struct igbvf_rx_desc_wb fg_rx_wb(struct fake_guest *g, unsigned idx);
uint32_t fg_tx_status(struct fake_guest *g, unsigned idx);
void *fg_rx_buf(struct fake_guest *g, unsigned idx);

/* A frame: dst, src, ethertype 0x0800, payload bytes seed+i. */
unsigned fg_make_frame(uint8_t *f, unsigned len, const uint8_t dst[6],
		       const uint8_t src[6], uint8_t seed);

#endif
