// SPDX-License-Identifier: MIT
/*
 * 21140A descriptor engines: transmit and receive in ring and chain mode,
 * multi-descriptor frames, skip length, padding, ownership and status
 * write-back, RU and missed frames, TAP, and what bad descriptors do
 * (fatal bus error, jabber), with the host unharmed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/unit/emu-devices/tulip_test_env.h"

#define RXR	0x1000u		/* receive list */
#define TXR	0x2000u		/* transmit list */
#define BUF	0x10000u	/* buffers from here */
#define OWN	TULIP_DES0_OWN

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void start(struct tenv *te, uint32_t csr6_extra)
{
	csr_w(te, 5, CSR5_W1C_ALL);
	csr_w(te, 3, RXR);
	csr_w(te, 4, TXR);
	/* Reset leaves PR on: these tests do not care about filtering. */
	csr_w(te, 6, CSR6_MBO | CSR6_PR | CSR6_SR | CSR6_ST | csr6_extra);
}

static uint32_t fcs_of(const uint8_t *p, unsigned len)
{
	return ~tulip_crc32_le(p, len);
}

/* ---- transmit ---- */

static void test_tx_ring(void **state)
{
	struct tenv *te = *state;
	uint32_t csr5;

	for (unsigned i = 0; i < 100; i++)
		te->ram[BUF + i] = (uint8_t)i;
	desc_put(te, TXR, OWN, TDES1_IC | TDES1_FS | TDES1_LS | 100, BUF, 0);
	desc_put(te, TXR + 16, 0, TDES1_TER, 0, 0);
	start(te, 0);
	csr_w(te, 1, 0);
	assert_int_equal(te->ntx, 1);
	assert_int_equal(te->txlen[0], 100);
	assert_memory_equal(te->tx[0], te->ram + BUF, 100);
	assert_int_equal(get32(te, TXR), 0);		/* OWN back, no error */
	csr5 = csr_r(te, 5);
	assert_true(csr5 & CSR5_TI);
	assert_true(csr5 & CSR5_TU);
	assert_int_equal(csr5_ts(csr5), TS_SUSPENDED);

	/* The end-of-ring descriptor, then back to the list base. */
	desc_put(te, TXR + 16, OWN, TDES1_TER | TDES1_FS | TDES1_LS | 70,
		 BUF, 0);
	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 80, BUF, 0);
	csr_w(te, 1, 0);
	assert_int_equal(te->ntx, 3);
	assert_int_equal(te->txlen[1], 70);
	assert_int_equal(te->txlen[2], 80);
}

static void test_tx_multi_desc_chain(void **state)
{
	struct tenv *te = *state;
	uint8_t want[100];

	for (unsigned i = 0; i < 100; i++)
		want[i] = te->ram[BUF + 0x1000 * (i / 40) + i % 40] =
			(uint8_t)(i * 7);
	/* Chain A -> B -> C with 40 + 40 + 20 bytes, descriptors apart. */
	desc_put(te, TXR, OWN, TDES1_TCH | TDES1_FS | 40, BUF, TXR + 0x100);
	desc_put(te, TXR + 0x100, OWN, TDES1_TCH | 40, BUF + 0x1000,
		 TXR + 0x200);
	desc_put(te, TXR + 0x200, OWN, TDES1_TCH | TDES1_LS | TDES1_IC | 20,
		 BUF + 0x2000, TXR + 0x300);
	desc_put(te, TXR + 0x300, 0, TDES1_TCH, 0, TXR);
	start(te, 0);
	assert_int_equal(te->ntx, 1);
	assert_int_equal(te->txlen[0], 100);
	assert_memory_equal(te->tx[0], want, 100);
	assert_int_equal(get32(te, TXR), 0);
	assert_int_equal(get32(te, TXR + 0x100), 0);
	assert_int_equal(get32(te, TXR + 0x200), 0);
	assert_true(csr_r(te, 5) & CSR5_TI);
}

static void test_tx_two_buffers_and_skip(void **state)
{
	struct tenv *te = *state;
	/* DSL = 2 longwords: descriptors every 24 bytes. */
	uint32_t d1 = TXR + 24;

	memset(te->ram + BUF, 0xaa, 30);
	memset(te->ram + BUF + 0x800, 0xbb, 40);
	desc_put(te, TXR, OWN,
		 TDES1_FS | TDES1_LS | 40u << TULIP_DES1_BS2_SHIFT | 30, BUF,
		 BUF + 0x800);
	desc_put(te, d1, OWN, TDES1_FS | TDES1_LS | 64, BUF, 0);
	csr_w(te, 0, 2u << CSR0_DSL_SHIFT);
	start(te, 0);
	assert_int_equal(te->ntx, 2);
	assert_int_equal(te->txlen[0], 70);
	assert_int_equal(te->tx[0][29], 0xaa);
	assert_int_equal(te->tx[0][30], 0xbb);
	assert_int_equal(te->txlen[1], 64);
}

static void test_tx_padding_and_ac(void **state)
{
	struct tenv *te = *state;

	memset(te->ram + BUF, 0x11, 100);
	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 20, BUF, 0);
	desc_put(te, TXR + 16, OWN, TDES1_FS | TDES1_LS | TDES1_DPD | 20,
		 BUF, 0);
	/* AC: the buffer carries the guest's FCS, which is not forwarded. */
	desc_put(te, TXR + 32, OWN, TDES1_FS | TDES1_LS | TDES1_AC | 68,
		 BUF, 0);
	start(te, 0);
	assert_int_equal(te->ntx, 3);
	assert_int_equal(te->txlen[0], 60);
	assert_int_equal(te->tx[0][19], 0x11);
	assert_int_equal(te->tx[0][20], 0);
	assert_int_equal(te->txlen[1], 20);
	assert_int_equal(te->txlen[2], 64);
}

static void test_tx_frame_waits_for_owner(void **state)
{
	struct tenv *te = *state;

	desc_put(te, TXR, OWN, TDES1_FS | 30, BUF, 0);
	desc_put(te, TXR + 16, 0, TDES1_LS | 30, BUF, 0);
	start(te, 0);
	assert_int_equal(te->ntx, 0);
	assert_int_equal(get32(te, TXR), OWN);	/* still the chip's */
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_SUSPENDED);
	put32(te, TXR + 16, OWN);
	csr_w(te, 1, 0);
	assert_int_equal(te->ntx, 1);
	assert_int_equal(te->txlen[0], 60);
	assert_int_equal(get32(te, TXR), 0);
	assert_int_equal(get32(te, TXR + 16), 0);
}

static void test_tx_wire_full_and_link_down(void **state)
{
	struct tenv *te = *state;

	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 60, BUF, 0);
	te->wire_full = true;
	start(te, 0);
	assert_int_equal(te->ntx, 0);
	assert_int_equal(get32(te, TXR), OWN);
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_WAIT);
	te->wire_full = false;
	tulip_tx_resume(te->vd);
	assert_int_equal(te->ntx, 1);
	assert_int_equal(get32(te, TXR), 0);

	/* No link: the frame closes with loss of carrier, not sent. */
	tulip_set_link(te->vd, false);
	desc_put(te, TXR + 16, OWN, TDES1_FS | TDES1_LS | 60, BUF, 0);
	csr_w(te, 1, 0);
	assert_int_equal(te->ntx, 1);
	assert_int_equal(get32(te, TXR + 16), TDES0_ES | TDES0_LO | TDES0_NC);
}

static void test_tx_automatic_polling(void **state)
{
	struct tenv *te = *state;

	csr_w(te, 0, CSR0_TAP_200US << CSR0_TAP_SHIFT);
	start(te, 0);
	assert_true(te->t->tap_armed);
	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 60, BUF, 0);
	/* No CSR1 write: the poll timer finds the frame. */
	pthread_mutex_lock(&te->t->lock);
	tulip_tap_expired(te->t);
	pthread_mutex_unlock(&te->t->lock);
	assert_int_equal(te->ntx, 1);
	csr_w(te, 0, 0);
	assert_false(te->t->tap_armed);
}

static void tap_tick(struct tenv *te)
{
	pthread_mutex_lock(&te->t->lock);
	tulip_tap_expired(te->t);
	pthread_mutex_unlock(&te->t->lock);
}

/*
 * TAP slows down while idle: empty looks within the busy window keep the
 * datasheet's period; past it each one doubles the period up to the slow
 * one; a frame taken, or a poll demand, brings 200 us back. (The test
 * moves the last sign of life back instead of waiting.)
 */
static void test_tap_backs_off_when_idle(void **state)
{
	struct tenv *te = *state;
	uint64_t want = 200000;

	csr_w(te, 0, CSR0_TAP_200US << CSR0_TAP_SHIFT);
	start(te, 0);
	assert_true(te->t->tap_armed);
	assert_int_equal(te->t->tap_cur_ns, 200000);
	tap_tick(te);
	assert_int_equal(te->t->tap_cur_ns, 200000);
	te->t->tap_busy_ns -= TULIP_TAP_BUSY_NS;
	while (want < TULIP_TAP_SLOW_NS) {
		want = want * 2 < TULIP_TAP_SLOW_NS ? want * 2
						    : TULIP_TAP_SLOW_NS;
		tap_tick(te);
		assert_int_equal(te->t->tap_cur_ns, want);
	}
	tap_tick(te);
	assert_int_equal(te->t->tap_cur_ns, TULIP_TAP_SLOW_NS);
	/* Slow, but it still finds a frame; and then polls fast again. */
	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 60, BUF, 0);
	tap_tick(te);
	assert_int_equal(te->ntx, 1);
	assert_int_equal(te->t->tap_cur_ns, 200000);
	/* A poll demand does the same. */
	te->t->tap_busy_ns -= TULIP_TAP_BUSY_NS;
	tap_tick(te);
	assert_int_equal(te->t->tap_cur_ns, 400000);
	csr_w(te, 1, 0);
	assert_int_equal(te->t->tap_cur_ns, 200000);
	assert_true(te->t->tap_armed);
}

/* ---- receive ---- */

static void test_rx_ring(void **state)
{
	struct tenv *te = *state;
	uint8_t f[100];
	uint32_t st, fcs;

	desc_put(te, RXR, OWN, 1536, BUF, 0);
	desc_put(te, RXR + 16, OWN, RDES1_RER | 1536, BUF + 0x800, 0);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 0x5a);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	st = get32(te, RXR);
	assert_false(st & OWN);
	assert_int_equal((st >> RDES0_FL_SHIFT) & RDES0_FL_MASK, 104);
	assert_int_equal(st & (RDES0_FS | RDES0_LS | RDES0_ES),
			 RDES0_FS | RDES0_LS);
	assert_true(st & RDES0_MF);
	assert_true(st & RDES0_FT);		/* type 0x0800 > 1500 */
	assert_memory_equal(te->ram + BUF, f, sizeof(f));
	fcs = fcs_of(f, sizeof(f));
	assert_memory_equal(te->ram + BUF + 100, &fcs, 4);
	assert_true(csr_r(te, 5) & CSR5_RI);

	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	assert_false(get32(te, RXR + 16) & OWN);
	/* RER took us back to the base, which the host still holds. */
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -ENOBUFS);
	assert_true(csr_r(te, 5) & CSR5_RU);
	assert_int_equal(csr5_rs(csr_r(te, 5)), RS_SUSPENDED);
	assert_int_equal(csr_r(te, 8), 1);	/* missed, and read-clear */
	assert_int_equal(csr_r(te, 8), 0);
	/* Buffer given back plus a receive poll demand: running again. */
	put32(te, RXR, OWN);
	csr_w(te, 2, 0);
	assert_int_equal(csr5_rs(csr_r(te, 5)), RS_WAIT);
	assert_int_equal(tulip_rx(te->vd, f, 64), 0);
	assert_int_equal((get32(te, RXR) >> RDES0_FL_SHIFT) & RDES0_FL_MASK,
			 68);
}

static void test_rx_resumes_on_next_frame(void **state)
{
	struct tenv *te = *state;
	uint8_t f[64];

	desc_put(te, RXR, 0, RDES1_RER | 1536, BUF, 0);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 1);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -ENOBUFS);
	/* No poll demand: the next frame makes the chip look again. */
	put32(te, RXR, OWN);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	assert_false(get32(te, RXR) & OWN);
}

static void test_rx_chain_multi_desc(void **state)
{
	struct tenv *te = *state;
	uint8_t f[200];
	uint32_t d[5] = { RXR, RXR + 0x40, RXR + 0x80, RXR + 0xc0,
			  RXR + 0x100 };

	for (unsigned i = 0; i < 5; i++)
		desc_put(te, d[i], OWN, RDES1_RCH | 64, BUF + 0x100 * i,
			 d[(i + 1) % 5]);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 0x33);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	/* 204 bytes with FCS: 64 + 64 + 64 + 12. */
	assert_int_equal(get32(te, d[0]), RDES0_FS);
	assert_int_equal(get32(te, d[1]), 0);
	assert_int_equal(get32(te, d[2]), 0);
	assert_int_equal(get32(te, d[3]) & ~(RDES0_MF | RDES0_FT),
			 RDES0_LS | 204u << RDES0_FL_SHIFT);
	assert_true(get32(te, d[4]) & OWN);
	assert_memory_equal(te->ram + BUF + 0x100, f + 64, 64);
	assert_memory_equal(te->ram + BUF + 0x300, f + 192, 8);
}

static void test_rx_two_buffers_and_runt(void **state)
{
	struct tenv *te = *state;
	uint8_t f[150];

	desc_put(te, RXR, OWN, 100u << TULIP_DES1_BS2_SHIFT | 100, BUF,
		 BUF + 0x800);
	desc_put(te, RXR + 16, OWN, RDES1_RER | 1536, BUF + 0x1000, 0);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 0x44);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	assert_int_equal((get32(te, RXR) >> RDES0_FL_SHIFT) & RDES0_FL_MASK,
			 154);
	assert_memory_equal(te->ram + BUF + 0x800, f + 100, 50);
	/* A 20-byte frame arrives padded to the minimum: FL 64. */
	assert_int_equal(tulip_rx(te->vd, f, 20), 0);
	assert_int_equal((get32(te, RXR + 16) >> RDES0_FL_SHIFT) &
			 RDES0_FL_MASK, 64);
}

static void test_rx_truncated(void **state)
{
	struct tenv *te = *state;
	uint8_t f[200];
	uint32_t st;

	desc_put(te, RXR, OWN, RDES1_RCH | 64, BUF, RXR + 0x40);
	desc_put(te, RXR + 0x40, OWN, RDES1_RCH | 64, BUF + 0x100, RXR + 0x80);
	desc_put(te, RXR + 0x80, 0, RDES1_RCH | 64, BUF + 0x200, RXR);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 0x55);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -ENOBUFS);
	st = get32(te, RXR + 0x40);
	assert_true(st & RDES0_LS);
	assert_true(st & RDES0_DE);
	assert_true(st & RDES0_ES);
	assert_int_equal(get32(te, RXR), RDES0_FS);
	assert_true(csr_r(te, 5) & CSR5_RU);
}

static void test_rx_stopped_or_no_link(void **state)
{
	struct tenv *te = *state;
	uint8_t f[64];

	te_frame(f, bcast, sizeof(f), 0);
	desc_put(te, RXR, OWN, RDES1_RER | 1536, BUF, 0);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -ENETDOWN);
	start(te, 0);
	tulip_set_link(te->vd, false);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -ENETDOWN);
	tulip_set_link(te->vd, true);
	assert_int_equal(tulip_rx(te->vd, f, 8), -EINVAL);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
}

/* ---- what a hostile guest can do ---- */

static void assert_fbe(struct tenv *te)
{
	uint32_t csr5 = csr_r(te, 5);

	assert_true(csr5 & CSR5_FBE);
	assert_int_equal((csr5 >> CSR5_EB_SHIFT) & CSR5_EB_MASK,
			 CSR5_EB_MASTER_ABORT);
	assert_int_equal(csr5_ts(csr5), TS_STOPPED);
	assert_int_equal(csr5_rs(csr5), RS_STOPPED);
}

static void test_fbe_descriptor_outside_ram(void **state)
{
	struct tenv *te = *state;
	uint8_t f[64];

	csr_w(te, 7, CSR5_AIS | CSR5_FBE);
	csr_w(te, 3, RXR);
	csr_w(te, 4, 0xfffffff0u);		/* far outside 1 MiB of RAM */
	csr_w(te, 6, CSR6_MBO | CSR6_PR | CSR6_SR | CSR6_ST);
	assert_fbe(te);
	assert_true(csr_r(te, 5) & CSR5_AIS);
	assert_true(te_intx(te));
	/* Dead until reset: starting again does nothing, nor do frames. */
	csr_w(te, 6, CSR6_MBO);
	csr_w(te, 6, CSR6_MBO | CSR6_PR | CSR6_SR | CSR6_ST);
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_STOPPED);
	te_frame(f, bcast, sizeof(f), 0);
	assert_int_not_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	/* Software reset brings the chip back. */
	csr_w(te, 0, CSR0_SWR);
	assert_int_equal(csr_r(te, 5) & CSR5_FBE, 0);
	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 60, BUF, 0);
	start(te, 0);
	assert_int_equal(te->ntx, 1);
}

static void test_fbe_buffer_outside_ram(void **state)
{
	struct tenv *te = *state;
	uint8_t f[64];

	/* A transmit buffer that ends past RAM. */
	desc_put(te, TXR, OWN, TDES1_FS | TDES1_LS | 2000, TE_RAM_SIZE - 100,
		 0);
	start(te, 0);
	assert_fbe(te);
	assert_int_equal(te->ntx, 0);

	csr_w(te, 0, CSR0_SWR);
	desc_put(te, RXR, OWN, RDES1_RER | 1536, 0x80000000u, 0);
	desc_put(te, TXR, 0, TDES1_TER, 0, 0);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 0);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -EIO);
	assert_fbe(te);
}

static void test_chain_loops(void **state)
{
	struct tenv *te = *state;
	uint8_t f[1500];

	/* A first descriptor chained to itself: each FS cuts the last. */
	desc_put(te, TXR, OWN, TDES1_TCH | TDES1_FS | 10, BUF, TXR);
	start(te, 0);
	assert_true(csr_r(te, 5) & CSR5_UNF);
	assert_int_equal(get32(te, TXR), TDES0_ES | TDES0_UF);
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_SUSPENDED);
	assert_int_equal(te->ntx, 0);

	/* A frame whose second descriptor chains to itself, never LS. */
	csr_w(te, 0, CSR0_SWR);
	desc_put(te, TXR, OWN, TDES1_TCH | TDES1_FS | 10, BUF, TXR + 16);
	desc_put(te, TXR + 16, OWN, TDES1_TCH | 10, BUF, TXR + 16);
	start(te, 0);
	assert_fbe(te);
	assert_int_equal(te->ntx, 0);

	/* Whole frames in a two-entry loop: each closes, the walk ends. */
	csr_w(te, 0, CSR0_SWR);
	te->ntx = 0;
	desc_put(te, TXR, OWN, TDES1_TCH | TDES1_FS | TDES1_LS | 60, BUF,
		 TXR + 16);
	desc_put(te, TXR + 16, OWN, TDES1_TCH | TDES1_FS | TDES1_LS | 60, BUF,
		 TXR);
	start(te, 0);
	assert_int_equal(te->ntx, 2);
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_SUSPENDED);

	/* A receive descriptor chained to itself with a small buffer. */
	csr_w(te, 0, CSR0_SWR);
	desc_put(te, RXR, OWN, RDES1_RCH | 16, BUF, RXR);
	desc_put(te, TXR, 0, TDES1_TER, 0, 0);
	start(te, 0);
	te_frame(f, bcast, sizeof(f), 0);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), -EIO);
	assert_fbe(te);
}

static void test_tx_jabber(void **state)
{
	struct tenv *te = *state;
	uint32_t csr5;

	desc_put(te, TXR, OWN, TDES1_FS | 2047, BUF, 0);
	desc_put(te, TXR + 16, OWN, TDES1_LS | 2047, BUF, 0);
	start(te, 0);
	assert_int_equal(te->ntx, 0);
	assert_int_equal(get32(te, TXR), 0);
	assert_int_equal(get32(te, TXR + 16), TDES0_ES | TDES0_TO);
	csr5 = csr_r(te, 5);
	assert_true(csr5 & CSR5_TJT);
	assert_true(csr5 & CSR5_TPS);
	assert_int_equal(csr5_ts(csr5), TS_STOPPED);
}

static void test_dummy_and_setup_descriptors(void **state)
{
	struct tenv *te = *state;

	/* Linux's errata dummy: no buffers, no FS; then a setup frame. */
	desc_put(te, TXR, OWN, 0, 0, 0);
	memset(te->ram + BUF, 0, TULIP_SETUP_LEN);
	desc_put(te, TXR + 16, OWN,
		 TDES1_SET | TDES1_FT0 | TDES1_IC | TULIP_SETUP_LEN, BUF, 0);
	start(te, 0);
	assert_int_equal(te->ntx, 0);
	assert_int_equal(get32(te, TXR), 0);
	assert_int_equal(get32(te, TXR + 16), TDES0_SETUP_DONE);
	assert_true(csr_r(te, 5) & CSR5_TI);
	assert_int_equal(csr_r(te, 6) & CSR6_FILTER_RO, CSR6_HP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, te_setup, te_teardown)
		T(test_tx_ring),
		T(test_tx_multi_desc_chain),
		T(test_tx_two_buffers_and_skip),
		T(test_tx_padding_and_ac),
		T(test_tx_frame_waits_for_owner),
		T(test_tx_wire_full_and_link_down),
		T(test_tx_automatic_polling),
		T(test_tap_backs_off_when_idle),
		T(test_rx_ring),
		T(test_rx_resumes_on_next_frame),
		T(test_rx_chain_multi_desc),
		T(test_rx_two_buffers_and_runt),
		T(test_rx_truncated),
		T(test_rx_stopped_or_no_link),
		T(test_fbe_descriptor_outside_ram),
		T(test_fbe_buffer_outside_ram),
		T(test_chain_loops),
		T(test_tx_jabber),
		T(test_dummy_and_setup_descriptors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
