// SPDX-License-Identifier: MIT
/*
 * The VF descriptor engine over fake guest RAM: good bursts both ways,
 * multi-descriptor frames, contexts (VLAN insertion, checksums), head
 * write-back, and every kind of bad input putting the queue pair into
 * its error state (tail beyond the ring, buffers outside RAM or on the
 * VF's own rings, endless chains, insane descriptors), then a reset
 * bringing it back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sriov/vf_queue.h"
#include "tests/unit/sriov/fake_guest.h"

#define MAXF	16

struct env {
	struct fake_guest g;
	struct vf_queue q;
	uint8_t got[MAXF][IGBVF_FRAME_JUMBO_MAX + 8];
	unsigned got_len[MAXF];
	unsigned ngot;
	unsigned failures;
	int fail_code;
};

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };

static void on_tx(void *opaque, uint8_t *data, unsigned len)
{
	struct env *e = opaque;

	/* The headroom is ours to write (the VEB inserts tags there). */
	memset(data - VF_TX_HEADROOM, 0xEE, VF_TX_HEADROOM);
	if (e->ngot < MAXF) {
		memcpy(e->got[e->ngot], data, len);
		e->got_len[e->ngot++] = len;
	}
}

static void on_fail(void *opaque, int code, const char *why)
{
	struct env *e = opaque;

	assert_non_null(why);
	e->failures++;
	e->fail_code = code;
}

static int setup(void **state)
{
	static const struct vf_queue_ops ops = { on_tx, on_fail };
	struct env *e = calloc(1, sizeof(*e));

	fg_init(&e->g);
	vf_queue_init(&e->q, &ops, e);
	vf_queue_attach(&e->q, &e->g.gm, e->g.sh);
	vf_queue_reset(&e->q);
	fg_setup_tx(&e->g, 64);
	fg_setup_rx(&e->g, 64, 2);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fg_fini(&e->g);
	free(e);
	return 0;
}

static void expect_error(struct env *e, int code)
{
	const char *why;

	assert_int_equal(vf_queue_error(&e->q, &why), code);
	assert_true(strlen(why) > 0);
	assert_int_equal(e->failures, 1);
	assert_int_equal(e->fail_code, code);
}

/* ---- TX ---- */

static void test_tx_burst(void **state)
{
	struct env *e = *state;
	uint8_t f[200];
	bool dd;
	unsigned i;

	for (i = 0; i < 10; i++) {
		fg_make_frame(f, 60 + i, mac_b, mac_a, (uint8_t)i);
		fg_tx_frame(&e->g, f, 60 + i);
	}
	fg_set_tdt(&e->g, e->g.tx_tail);
	assert_int_equal(vf_queue_tx_burst(&e->q, 4, &dd), 4);	/* budget */
	assert_true(dd);
	assert_int_equal(e->g.sh->txq[0].tdh, 4);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, &dd), 6);
	assert_int_equal(e->g.sh->txq[0].tdh, 10);
	assert_int_equal(e->ngot, 10);
	for (i = 0; i < 10; i++) {
		fg_make_frame(f, 60 + i, mac_b, mac_a, (uint8_t)i);
		assert_int_equal(e->got_len[i], 60 + i);
		assert_memory_equal(e->got[i], f, 60 + i);
		assert_int_equal(fg_tx_status(&e->g, i), IGBVF_TXD_STAT_DD);
	}
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, &dd), 0);
	assert_false(dd);
	assert_false(vf_queue_tx_pending(&e->q));
	assert_int_equal(e->q.st.tx_dd, 10);
	assert_int_equal(e->failures, 0);
}

static void test_tx_wraps(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	unsigned round, i, total = 0;

	fg_setup_tx(&e->g, 8);			/* the smallest ring */
	vf_queue_reset(&e->q);
	fg_setup_tx(&e->g, 8);
	for (round = 0; round < 5; round++) {
		for (i = 0; i < 5; i++) {
			fg_make_frame(f, 64, mac_b, mac_a, (uint8_t)total);
			fg_tx_frame(&e->g, f, 64);
			total++;
		}
		fg_set_tdt(&e->g, e->g.tx_tail);
		assert_true(vf_queue_tx_pending(&e->q));
		assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 5);
	}
	assert_int_equal(e->q.st.tx_frames, 25);
	assert_int_equal(e->g.sh->txq[0].tdh, 25 % 8);
	assert_int_equal(e->failures, 0);
}

static void test_tx_multi_descriptor(void **state)
{
	struct env *e = *state;
	uint8_t f[3000], *p;
	uint64_t a = FG_BIG_BUF;

	vf_queue_set_max_frame(&e->q, 9728);
	fg_make_frame(f, sizeof(f), mac_b, mac_a, 7);
	p = fg_ptr(&e->g, a, sizeof(f));
	memcpy(p, f, sizeof(f));
	/* Three pieces; RS on the last only, as igbvf does. */
	fg_tx_desc(&e->g, 0, a, 1000, 0, 3000u << IGBVF_TXD_PAYLEN_SHIFT);
	fg_tx_desc(&e->g, 1, a + 1000, 1000, 0, 0);
	fg_tx_desc(&e->g, 2, a + 2000, 1000,
		   IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS, 0);
	/* Only two posted: not a frame yet, nothing consumed. */
	fg_set_tdt(&e->g, 2);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	assert_int_equal(e->g.sh->txq[0].tdh, 0);
	fg_set_tdt(&e->g, 3);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 1);
	assert_int_equal(e->got_len[0], 3000);
	assert_memory_equal(e->got[0], f, 3000);
	assert_int_equal(fg_tx_status(&e->g, 0), 3000u <<
			 IGBVF_TXD_PAYLEN_SHIFT);	/* no RS: untouched */
	assert_int_equal(fg_tx_status(&e->g, 2), IGBVF_TXD_STAT_DD);
	assert_int_equal(e->q.st.tx_descs, 3);
}

static void test_tx_head_writeback(void **state)
{
	struct env *e = *state;
	uint8_t f[64];
	uint32_t *hwb = fg_ptr(&e->g, FG_HWB, 4);

	e->g.sh->txq[0].txdctl = 0;
	vf_queue_tx_burst(&e->q, 1, NULL);	/* sees the disable */
	e->g.sh->txq[0].tdwbal = (uint32_t)FG_HWB | IGBVF_TDWBAL_ENABLE;
	e->g.sh->txq[0].txdctl = IGBVF_TXDCTL_ENABLE;
	*hwb = 0xdead;
	fg_make_frame(f, 64, mac_b, mac_a, 1);
	fg_tx_frame(&e->g, f, 64);
	fg_tx_frame(&e->g, f, 64);
	fg_set_tdt(&e->g, e->g.tx_tail);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 2);
	assert_int_equal(*hwb, 2);
}

static void test_tx_vlan_and_checksums(void **state)
{
	struct env *e = *state;
	/* IPv4/UDP, 20-byte IP header, 8-byte UDP header, 4 bytes data. */
	uint8_t f[14 + 20 + 8 + 4] = {
		2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 0x08, 0x00,
		0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
		0x12, 0x34, 0x56, 0x78, 0, 12, 0, 0,
		'a', 'b', 'c', 'd',
	};
	uint32_t sum = 0;
	uint16_t ipck, udpck;
	unsigned i, slot;
	uint8_t *g;

	/* The pseudo-header sum seeded as Linux's CHECKSUM_PARTIAL does. */
	sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 12;
	f[40] = (uint8_t)(sum >> 8);
	f[41] = (uint8_t)sum;
	fg_tx_ctx(&e->g, 0, 100u << IGBVF_TXCTX_VLAN_SHIFT |
		  14u << IGBVF_TXCTX_MACLEN_SHIFT | 20,
		  IGBVF_TXCTX_TUCMD_IPV4 | IGBVF_TXCTX_TUCMD_L4T_UDP,
		  1u << IGBVF_TXD_IDX_SHIFT);
	e->g.tx_tail = 1;
	slot = fg_tx_frame(&e->g, f, sizeof(f));
	/* Slot 1 for checksums and VLAN. */
	fg_tx_desc(&e->g, slot, FG_TX_BUF + slot * FG_SLOT, sizeof(f),
		   IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS |
		   IGBVF_TXD_DCMD_VLE,
		   IGBVF_TXD_POPTS_IXSM | IGBVF_TXD_POPTS_TXSM |
		   1u << IGBVF_TXD_IDX_SHIFT);
	fg_set_tdt(&e->g, e->g.tx_tail);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 1);
	assert_int_equal(e->q.st.tx_ctx, 1);
	assert_int_equal(e->got_len[0], sizeof(f) + 4);
	g = e->got[0];
	assert_memory_equal(g, f, 12);
	assert_int_equal(g[12], 0x81);
	assert_int_equal(g[13], 0x00);
	assert_int_equal(g[14] << 8 | g[15], 100);
	g += 4;		/* the frame as the guest wrote it, offloads done */
	/* A correct checksum sums to 0xFFFF. */
	sum = 0;
	for (i = 14; i < 34; i += 2)
		sum += (uint32_t)g[i] << 8 | g[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	assert_int_equal(sum, 0xFFFF);
	ipck = (uint16_t)(g[24] << 8 | g[25]);
	assert_int_not_equal(ipck, 0);
	sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 12;
	for (i = 34; i < sizeof(f); i += 2)
		sum += (uint32_t)g[i] << 8 | g[i + 1];
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	assert_int_equal(sum, 0xFFFF);
	udpck = (uint16_t)(g[40] << 8 | g[41]);
	assert_int_not_equal(udpck, 0);
	assert_int_equal(e->q.st.tx_csum, 2);
	assert_int_equal(e->q.st.tx_vlan, 1);
	assert_int_equal(e->failures, 0);
}

/* Post one descriptor at 0 and run; the queue must fail with @code. */
static void tx_bad(struct env *e, uint64_t addr, uint32_t len, uint32_t cmd,
		   uint32_t olinfo, int code)
{
	fg_tx_desc(&e->g, 0, addr, len, cmd, olinfo);
	fg_set_tdt(&e->g, 1);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, code);
	assert_int_equal(e->ngot, 0);
	assert_int_equal(fg_tx_status(&e->g, 0), olinfo);	/* no DD */
}

static void test_tx_buffer_outside_ram(void **state)
{
	tx_bad(*state, FG_RAM_LO - 10, 60, IGBVF_TXD_DCMD_EOP, 0,
	       VFQ_E_TX_DESC);
}

static void test_tx_buffer_in_pci_hole(void **state)
{
	tx_bad(*state, 0xC0000000ull, 60, IGBVF_TXD_DCMD_EOP, 0,
	       VFQ_E_TX_DESC);
}

static void test_tx_buffer_on_own_tx_ring(void **state)
{
	tx_bad(*state, FG_TX_RING + 16, 60, IGBVF_TXD_DCMD_EOP, 0,
	       VFQ_E_TX_DESC);
}

static void test_tx_buffer_on_own_rx_ring(void **state)
{
	struct env *e = *state;

	e->g.rx_tail = 0;
	fg_rx_post(&e->g, 1);		/* RX enabled, seen at the burst */
	tx_bad(e, FG_RX_RING + 8, 60, IGBVF_TXD_DCMD_EOP, 0, VFQ_E_TX_DESC);
}

static void test_tx_zero_length(void **state)
{
	tx_bad(*state, FG_TX_BUF, 0, IGBVF_TXD_DCMD_EOP, 0, VFQ_E_TX_DESC);
}

static void test_tx_over_max_frame(void **state)
{
	/* 1523 bytes without SET_LPE. */
	tx_bad(*state, FG_BIG_BUF, 1523, IGBVF_TXD_DCMD_EOP, 0,
	       VFQ_E_TX_DESC);
}

static void test_tx_legacy_descriptor(void **state)
{
	struct env *e = *state;
	struct igbvf_tx_desc d = {
		.buffer_addr = FG_TX_BUF,
		.cmd_type_len = 60 | IGBVF_TXD_DCMD_EOP, /* no DEXT */
	};

	memcpy(fg_ptr(&e->g, FG_TX_RING, 16), &d, 16);
	fg_set_tdt(&e->g, 1);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_DESC);
}

static void test_tx_segmentation_refused(void **state)
{
	tx_bad(*state, FG_TX_BUF, 60,
	       IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_TSE, 0, VFQ_E_TX_DESC);
}

static void test_tx_bad_context_slot(void **state)
{
	struct env *e = *state;

	fg_tx_ctx(&e->g, 0, 14u << IGBVF_TXCTX_MACLEN_SHIFT | 20, 0,
		  3u << IGBVF_TXD_IDX_SHIFT);
	fg_set_tdt(&e->g, 1);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_DESC);
}

static void test_tx_context_inside_frame(void **state)
{
	struct env *e = *state;

	fg_tx_desc(&e->g, 0, FG_TX_BUF, 30, 0, 0);
	fg_tx_ctx(&e->g, 1, 0, 0, 0);
	fg_tx_desc(&e->g, 2, FG_TX_BUF, 30, IGBVF_TXD_DCMD_EOP, 0);
	fg_set_tdt(&e->g, 3);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_DESC);
}

static void test_tx_checksum_context_too_short(void **state)
{
	struct env *e = *state;

	/* MACLEN 6: not an Ethernet header. */
	fg_tx_ctx(&e->g, 0, 6u << IGBVF_TXCTX_MACLEN_SHIFT | 20,
		  IGBVF_TXCTX_TUCMD_IPV4, 0);
	fg_tx_desc(&e->g, 1, FG_TX_BUF, 60, IGBVF_TXD_DCMD_EOP,
		   IGBVF_TXD_POPTS_IXSM);
	fg_set_tdt(&e->g, 2);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_DESC);
}

static void test_tx_endless_chain(void **state)
{
	struct env *e = *state;
	unsigned i;

	/* 63 posted descriptors, none with EOP: the chain must end. */
	for (i = 0; i < 63; i++)
		fg_tx_desc(&e->g, i, FG_TX_BUF, 10, 0, 0);
	fg_set_tdt(&e->g, 63);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_CHAIN);
	assert_int_equal(e->g.sh->txq[0].tdh, 0);
}

static void test_tx_tail_beyond_ring(void **state)
{
	struct env *e = *state;

	fg_set_tdt(&e->g, 64);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_TAIL);
	/* Stopped for good: nothing is read, even when the tail is fixed. */
	fg_set_tdt(&e->g, 0);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	assert_false(vf_queue_tx_pending(&e->q));
	assert_int_equal(e->failures, 1);
}

static void test_ring_outside_ram(void **state)
{
	struct env *e = *state;

	vf_queue_reset(&e->q);
	fg_setup_tx(&e->g, 64);
	e->g.sh->txq[0].tdbal = FG_RAM_LO - 512;	/* runs off the end */
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_RING);
}

static void test_ring_misaligned(void **state)
{
	struct env *e = *state;

	vf_queue_reset(&e->q);
	fg_setup_rx(&e->g, 64, 2);
	e->g.sh->rxq[0].rdlen = 64 * 16 + 16;
	assert_int_equal(vf_queue_rx(&e->q, (const uint8_t *)"x", 1, false,
				     -1), -ENETDOWN);
	expect_error(e, VFQ_E_RX_RING);
}

static void test_rings_overlap(void **state)
{
	struct env *e = *state;

	vf_queue_reset(&e->q);
	fg_setup_rx(&e->g, 64, 2);
	fg_setup_tx(&e->g, 64);
	e->g.sh->txq[0].tdbal = (uint32_t)FG_RX_RING;
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 0);
	expect_error(e, VFQ_E_TX_RING);
}

static void test_reset_recovers(void **state)
{
	struct env *e = *state;
	uint8_t f[64];

	fg_set_tdt(&e->g, 99);
	vf_queue_tx_burst(&e->q, 64, NULL);
	expect_error(e, VFQ_E_TX_TAIL);
	vf_queue_reset(&e->q);
	assert_int_equal(vf_queue_error(&e->q, NULL), VFQ_E_NONE);
	/* The reset cleared the queue registers, as on the chip. */
	assert_int_equal(e->g.sh->txq[0].tdt, 0);
	assert_int_equal(e->g.sh->txq[0].txdctl, 0);
	fg_setup_tx(&e->g, 64);
	fg_make_frame(f, 64, mac_b, mac_a, 3);
	fg_tx_frame(&e->g, f, 64);
	fg_set_tdt(&e->g, e->g.tx_tail);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 1);
	assert_int_equal(e->q.st.errors, 1);		/* kept */
}

static void test_guest_head_writes_ignored(void **state)
{
	struct env *e = *state;
	uint8_t f[64];

	fg_make_frame(f, 64, mac_b, mac_a, 3);
	fg_tx_frame(&e->g, f, 64);
	fg_set_tdt(&e->g, 1);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 1);
	e->g.sh->txq[0].tdh = 40;	/* scribbled: the model's is kept */
	fg_tx_frame(&e->g, f, 64);
	fg_set_tdt(&e->g, 2);
	assert_int_equal(vf_queue_tx_burst(&e->q, 64, NULL), 1);
	assert_int_equal(e->g.sh->txq[0].tdh, 2);
	assert_int_equal(e->ngot, 2);
}

/* ---- RX ---- */

static void test_rx_frames(void **state)
{
	struct env *e = *state;
	uint8_t f[100];
	struct igbvf_rx_desc_wb wb;
	unsigned i;

	fg_rx_post(&e->g, 8);
	for (i = 0; i < 3; i++) {
		fg_make_frame(f, 60 + i, mac_a, mac_b, (uint8_t)i);
		assert_int_equal(vf_queue_rx(&e->q, f, 60 + i, false, -1), 0);
	}
	assert_int_equal(e->g.sh->rxq[0].rdh, 0);	/* not yet */
	assert_int_equal(vf_queue_rx_flush(&e->q), 3);
	assert_int_equal(e->g.sh->rxq[0].rdh, 3);
	assert_int_equal(vf_queue_rx_flush(&e->q), 0);
	for (i = 0; i < 3; i++) {
		fg_make_frame(f, 60 + i, mac_a, mac_b, (uint8_t)i);
		wb = fg_rx_wb(&e->g, i);
		assert_int_equal(wb.status_error,
				 IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP);
		assert_int_equal(wb.length, 60 + i);
		assert_memory_equal(fg_rx_buf(&e->g, i), f, 60 + i);
	}
	assert_int_equal(e->q.st.rx_frames, 3);
}

static void test_rx_vlan_stripped(void **state)
{
	struct env *e = *state;
	uint8_t f[64], want[60];
	struct igbvf_rx_desc_wb wb;

	fg_make_frame(want, 60, mac_a, mac_b, 9);
	memcpy(f, want, 12);
	f[12] = 0x81;
	f[13] = 0;
	f[14] = 0x20;
	f[15] = 0x0a;		/* PCP 1, VID 10 */
	memcpy(f + 16, want + 12, 48);
	fg_rx_post(&e->g, 1);
	assert_int_equal(vf_queue_rx(&e->q, f, 64, true, 0x200a), 0);
	vf_queue_rx_flush(&e->q);
	wb = fg_rx_wb(&e->g, 0);
	assert_int_equal(wb.status_error, IGBVF_RXD_STAT_DD |
			 IGBVF_RXD_STAT_EOP | IGBVF_RXD_STAT_VP);
	assert_int_equal(wb.vlan, 0x200a);
	assert_int_equal(wb.length, 60);
	assert_memory_equal(fg_rx_buf(&e->g, 0), want, 60);
}

static void test_rx_spans_buffers(void **state)
{
	struct env *e = *state;
	static uint8_t f[3000];
	struct igbvf_rx_desc_wb wb;

	vf_queue_reset(&e->q);
	fg_setup_rx(&e->g, 64, 1);		/* 1 KiB buffers */
	vf_queue_set_max_frame(&e->q, 9728);
	fg_make_frame(f, sizeof(f), mac_a, mac_b, 5);
	fg_rx_post(&e->g, 2);
	assert_int_equal(vf_queue_rx(&e->q, f, 3000, false, -1), -ENOBUFS);
	fg_rx_post(&e->g, 2);
	assert_int_equal(vf_queue_rx(&e->q, f, 3000, false, -1), 0);
	wb = fg_rx_wb(&e->g, 0);
	assert_int_equal(wb.status_error, IGBVF_RXD_STAT_DD);
	assert_int_equal(wb.length, 1024);
	wb = fg_rx_wb(&e->g, 2);
	assert_int_equal(wb.status_error,
			 IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP);
	assert_int_equal(wb.length, 3000 - 2048);
	assert_memory_equal(fg_rx_buf(&e->g, 1), f + 1024, 1024);
	assert_memory_equal(fg_rx_buf(&e->g, 2), f + 2048, 952);
	assert_int_equal(vf_queue_rx_flush(&e->q), 1);
	assert_int_equal(e->g.sh->rxq[0].rdh, 3);
}

static void test_rx_no_buffer_and_too_big(void **state)
{
	struct env *e = *state;
	uint8_t f[1600];

	fg_make_frame(f, sizeof(f), mac_a, mac_b, 5);
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), -ENOBUFS);
	fg_rx_post(&e->g, 4);
	assert_int_equal(vf_queue_rx(&e->q, f, 1600, false, -1), -EMSGSIZE);
	assert_int_equal(e->q.st.rx_no_buffer, 1);
	assert_int_equal(e->q.st.rx_too_big, 1);
	assert_int_equal(e->failures, 0);
}

static void test_rx_queue_off(void **state)
{
	struct env *e = *state;
	uint8_t f[60];

	fg_make_frame(f, 60, mac_a, mac_b, 5);
	e->g.sh->rxq[0].rxdctl = 0;
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), -ENETDOWN);
	assert_int_equal(e->q.st.rx_off, 1);
}

static void test_rx_tail_beyond_ring(void **state)
{
	struct env *e = *state;
	uint8_t f[60];

	fg_make_frame(f, 60, mac_a, mac_b, 5);
	fg_set_rdt(&e->g, 1000);
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), -EIO);
	expect_error(e, VFQ_E_RX_TAIL);
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), -ENETDOWN);
}

static void test_rx_buffer_bad(void **state)
{
	struct env *e = *state;
	static uint8_t f[3000];
	struct igbvf_rx_desc_read d = { .pkt_addr = FG_TX_RING };

	vf_queue_reset(&e->q);
	fg_setup_rx(&e->g, 64, 1);
	fg_setup_tx(&e->g, 64);
	vf_queue_tx_burst(&e->q, 1, NULL);		/* TX ring enabled */
	vf_queue_set_max_frame(&e->q, 9728);
	fg_make_frame(f, sizeof(f), mac_a, mac_b, 5);
	fg_rx_post(&e->g, 3);
	/* The third buffer is the TX ring: nothing is written at all. */
	memcpy(fg_ptr(&e->g, FG_RX_RING + 2 * 16, 16), &d, 16);
	memset(fg_rx_buf(&e->g, 0), 0x55, 64);
	assert_int_equal(vf_queue_rx(&e->q, f, 3000, false, -1), -EIO);
	expect_error(e, VFQ_E_RX_DESC);
	assert_int_equal(((uint8_t *)fg_rx_buf(&e->g, 0))[0], 0x55);
	assert_int_equal(fg_rx_wb(&e->g, 0).status_error, 0);
}

static void test_rx_buffer_high_memory(void **state)
{
	struct env *e = *state;
	uint8_t f[60];
	struct igbvf_rx_desc_read d = { .pkt_addr = FG_RAM_HI_GPA + 4096 };

	fg_make_frame(f, 60, mac_a, mac_b, 5);
	memcpy(fg_ptr(&e->g, FG_RX_RING, 16), &d, 16);
	fg_set_rdt(&e->g, 1);
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), 0);
	assert_memory_equal(fg_ptr(&e->g, FG_RAM_HI_GPA + 4096, 60), f, 60);
	/* The last page of high RAM is too short for a 2 KiB buffer. */
	d.pkt_addr = FG_RAM_HI_GPA + FG_RAM_HI - 1024;
	memcpy(fg_ptr(&e->g, FG_RX_RING + 16, 16), &d, 16);
	fg_set_rdt(&e->g, 2);
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), -EIO);
	expect_error(e, VFQ_E_RX_DESC);
}

static void test_rx_header_split_refused(void **state)
{
	struct env *e = *state;
	uint8_t f[60];

	vf_queue_reset(&e->q);
	fg_setup_rx(&e->g, 64, 2);
	e->g.sh->rxq[0].srrctl = IGBVF_SRRCTL_DESCTYPE_HDR_SPLIT_ALWAYS | 2;
	fg_make_frame(f, 60, mac_a, mac_b, 5);
	assert_int_equal(vf_queue_rx(&e->q, f, 60, false, -1), -ENETDOWN);
	expect_error(e, VFQ_E_RX_CONFIG);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tx_burst),
		T(test_tx_wraps),
		T(test_tx_multi_descriptor),
		T(test_tx_head_writeback),
		T(test_tx_vlan_and_checksums),
		T(test_tx_buffer_outside_ram),
		T(test_tx_buffer_in_pci_hole),
		T(test_tx_buffer_on_own_tx_ring),
		T(test_tx_buffer_on_own_rx_ring),
		T(test_tx_zero_length),
		T(test_tx_over_max_frame),
		T(test_tx_legacy_descriptor),
		T(test_tx_segmentation_refused),
		T(test_tx_bad_context_slot),
		T(test_tx_context_inside_frame),
		T(test_tx_checksum_context_too_short),
		T(test_tx_endless_chain),
		T(test_tx_tail_beyond_ring),
		T(test_ring_outside_ram),
		T(test_ring_misaligned),
		T(test_rings_overlap),
		T(test_reset_recovers),
		T(test_guest_head_writes_ignored),
		T(test_rx_frames),
		T(test_rx_vlan_stripped),
		T(test_rx_spans_buffers),
		T(test_rx_no_buffer_and_too_big),
		T(test_rx_queue_off),
		T(test_rx_tail_beyond_ring),
		T(test_rx_buffer_bad),
		T(test_rx_buffer_high_memory),
		T(test_rx_header_split_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
