// SPDX-License-Identifier: MIT
/* The SR-IOV tests' fake VM (fake_guest.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/sriov/fake_guest.h"

void fg_init(struct fake_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->ram = aligned_alloc(4096, FG_RAM_LO + FG_RAM_HI);
	assert_non_null(g->ram);
	memset(g->ram, 0, FG_RAM_LO + FG_RAM_HI);
	g->gm = (struct guest_mem){
		.fd = -1, .size = FG_RAM_LO + FG_RAM_HI, .base = g->ram,
		.nregions = 2,
		.regions = {
			{ .gpa = 0, .size = FG_RAM_LO, .hva = g->ram },
			{ .gpa = FG_RAM_HI_GPA, .size = FG_RAM_HI,
			  .fd_offset = FG_RAM_LO, .hva = g->ram + FG_RAM_LO },
		},
	};
	g->sh = aligned_alloc(4096, sizeof(*g->sh));
	assert_non_null(g->sh);
	memset(g->sh, 0, sizeof(*g->sh));
}

void fg_fini(struct fake_guest *g)
{
	free(g->ram);
	free(g->sh);
}

void *fg_ptr(struct fake_guest *g, uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(&g->gm, gpa, len);

	assert_non_null(p);
	return p;
}

void fg_setup_tx(struct fake_guest *g, unsigned count)
{
	struct igbvf_txq_regs *r = &g->sh->txq[0];

	g->tx_count = count;
	g->tx_tail = 0;
	memset(fg_ptr(g, FG_TX_RING, count * 16), 0, count * 16);
	r->txdctl = 0;
	r->tdbal = (uint32_t)FG_TX_RING;
	r->tdbah = 0;
	r->tdlen = count * 16;
	r->tdh = 0;
	r->tdt = 0;
	r->txdctl = IGBVF_TXDCTL_ENABLE;
}

void fg_setup_rx(struct fake_guest *g, unsigned count, unsigned bsize_kib)
{
	struct igbvf_rxq_regs *r = &g->sh->rxq[0];

	g->rx_count = count;
	g->rx_tail = 0;
	g->rx_bufsize = bsize_kib * 1024;
	memset(fg_ptr(g, FG_RX_RING, count * 16), 0, count * 16);
	r->rxdctl = 0;
	r->rdbal = (uint32_t)FG_RX_RING;
	r->rdbah = 0;
	r->rdlen = count * 16;
	r->srrctl = IGBVF_SRRCTL_DESCTYPE_ADV_ONEBUF | IGBVF_SRRCTL_DROP_EN |
		    bsize_kib;
	r->rdh = 0;
	r->rdt = 0;
	r->rxdctl = IGBVF_RXDCTL_ENABLE;
}

void fg_tx_desc(struct fake_guest *g, unsigned idx, uint64_t addr,
		uint32_t len, uint32_t cmd, uint32_t olinfo)
{
	struct igbvf_tx_desc d = {
		.buffer_addr = addr,
		.cmd_type_len = len | cmd | IGBVF_TXD_DTYP_DATA |
				IGBVF_TXD_DCMD_DEXT,
		.olinfo_status = olinfo,
	};

	memcpy(fg_ptr(g, FG_TX_RING + idx * 16, 16), &d, 16);
}

void fg_tx_ctx(struct fake_guest *g, unsigned idx, uint32_t vlan_macip_lens,
	       uint32_t tucmd, uint32_t mss_l4len_idx)
{
	struct igbvf_tx_ctx_desc c = {
		.vlan_macip_lens = vlan_macip_lens,
		.type_tucmd_mlhl = tucmd | IGBVF_TXD_DTYP_CTXT |
				   IGBVF_TXD_DCMD_DEXT,
		.mss_l4len_idx = mss_l4len_idx,
	};

	memcpy(fg_ptr(g, FG_TX_RING + idx * 16, 16), &c, 16);
}

void fg_set_tdt(struct fake_guest *g, uint32_t tail)
{
	__atomic_store_n(&g->sh->txq[0].tdt, tail, __ATOMIC_RELEASE);
}

void fg_set_rdt(struct fake_guest *g, uint32_t tail)
{
	__atomic_store_n(&g->sh->rxq[0].rdt, tail, __ATOMIC_RELEASE);
}

unsigned fg_tx_frame(struct fake_guest *g, const void *data, unsigned len)
{
	unsigned idx = g->tx_tail;
	uint64_t buf = FG_TX_BUF + (uint64_t)idx * FG_SLOT;

	assert_true(len <= FG_SLOT);
	memcpy(fg_ptr(g, buf, len), data, len);
	fg_tx_desc(g, idx, buf, len, IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS |
		   IGBVF_TXD_DCMD_IFCS, len << IGBVF_TXD_PAYLEN_SHIFT);
	g->tx_tail = (idx + 1) % g->tx_count;
	return idx;
}

void fg_rx_post(struct fake_guest *g, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned idx = g->rx_tail;
		struct igbvf_rx_desc_read d = {
			.pkt_addr = FG_RX_BUF + (uint64_t)idx * FG_SLOT,
		};

		memcpy(fg_ptr(g, FG_RX_RING + idx * 16, 16), &d, 16);
		g->rx_tail = (idx + 1) % g->rx_count;
	}
	fg_set_rdt(g, g->rx_tail);
}

struct igbvf_rx_desc_wb fg_rx_wb(struct fake_guest *g, unsigned idx)
{
	struct igbvf_rx_desc_wb wb;

	memcpy(&wb, fg_ptr(g, FG_RX_RING + idx * 16, 16), 16);
	return wb;
}

uint32_t fg_tx_status(struct fake_guest *g, unsigned idx)
{
	struct igbvf_tx_desc d;

	memcpy(&d, fg_ptr(g, FG_TX_RING + idx * 16, 16), 16);
	return d.olinfo_status;
}

void *fg_rx_buf(struct fake_guest *g, unsigned idx)
{
	return fg_ptr(g, FG_RX_BUF + (uint64_t)idx * FG_SLOT, FG_SLOT);
}

unsigned fg_make_frame(uint8_t *f, unsigned len, const uint8_t dst[6],
		       const uint8_t src[6], uint8_t seed)
{
	unsigned i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
	return len;
}
