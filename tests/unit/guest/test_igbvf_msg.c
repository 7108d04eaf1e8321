// SPDX-License-Identifier: MIT
/*
 * The pure parts of the guest's 82576 VF driver, on the host: mailbox
 * message encoding and decoding (guests/drivers/igbvf_mbx.c) checked
 * against the words igbvf and igb exchange, descriptor and register
 * values (igbvf_priv.h) against the datasheet's bit positions, ring
 * index arithmetic across the wrap of the free-running counters, and
 * the mailbox protocol's failure paths against a scripted VFMAILBOX:
 * the buffer never granted, no PFACK (timeout, then dead until reset),
 * a reply of the wrong type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/igbvf_priv.h"
#include "rt/errno.h"

/* ---- a scripted VF mailbox behind the trapped registers ---- */

static struct {
	uint32_t mem[IGBVF_MBX_WORDS];
	uint32_t bits;		/* VFMAILBOX as read */
	bool grant;		/* VFU reads back once written */
	bool answer;		/* REQ gets PFACK, PFSTS and @reply */
	uint32_t reply0;	/* word 0 of the answer; 0: echo | ACK */
	unsigned reqs, acks;
} fm;

uint32_t igbvf_reg_read(struct igbvf_bar *b, uint32_t off)
{
	uint32_t v;

	b->reads++;
	if (off == IGBVF_VFMAILBOX) {
		v = fm.bits;
		fm.bits &= ~IGBVF_MBX_R2C_BITS;
		return v;
	}
	if (off >= IGBVF_VMBMEM(0) && off < IGBVF_VMBMEM(IGBVF_MBX_WORDS))
		return fm.mem[(off - IGBVF_VMBMEM(0)) / 4];
	return 0;
}

void igbvf_reg_write(struct igbvf_bar *b, uint32_t off, uint32_t val)
{
	b->writes++;
	if (off >= IGBVF_VMBMEM(0) && off < IGBVF_VMBMEM(IGBVF_MBX_WORDS)) {
		fm.mem[(off - IGBVF_VMBMEM(0)) / 4] = val;
		return;
	}
	if (off != IGBVF_VFMAILBOX)
		return;
	fm.bits &= ~IGBVF_MBX_VFU;
	if ((val & IGBVF_MBX_VFU) && fm.grant)
		fm.bits |= IGBVF_MBX_VFU;
	if (val & IGBVF_MBX_ACK)
		fm.acks++;
	if (val & IGBVF_MBX_REQ) {
		fm.reqs++;
		if (fm.answer) {
			fm.mem[0] = fm.reply0 ? fm.reply0
					      : fm.mem[0] | IGBVF_MSG_ACK |
						IGBVF_MSG_CTS;
			fm.bits |= IGBVF_MBX_PFACK | IGBVF_MBX_PFSTS;
		}
	}
}

/* A fast clock: the 1 s mailbox timeout passes in 1 ms. */
uint64_t clock_ns_to_tsc(uint64_t ns)
{
	return ns / 1000;
}

void clock_delay_us(uint64_t us)
{
	(void)us;
}

static int fm_reset(void **state)
{
	(void)state;
	memset(&fm, 0, sizeof(fm));
	fm.grant = true;
	fm.answer = true;
	return 0;
}

/* ---- messages ---- */

static const uint8_t mac1[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static void test_msg_mac(void **state)
{
	uint32_t msg[3];
	uint8_t back[6];

	(void)state;
	/* igbvf memcpy()s the address over words 1-2, little-endian. */
	assert_int_equal(igbvf_msg_set_mac(msg, mac1), 3);
	assert_int_equal(msg[0], IGBVF_VF_SET_MAC_ADDR);
	assert_int_equal(msg[1], 0x33221102u);
	assert_int_equal(msg[2], 0x5544u);
	igbvf_msg_get_mac(msg, back);
	assert_memory_equal(back, mac1, 6);
}

static void test_msg_others(void **state)
{
	static const uint8_t mc[3][6] = {
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
	};
	uint32_t msg[IGBVF_MBX_WORDS];

	(void)state;
	assert_int_equal(igbvf_msg_set_lpe(msg, 1522), 2);
	assert_int_equal(msg[0], IGBVF_VF_SET_LPE);
	assert_int_equal(msg[1], 1522);
	assert_int_equal(igbvf_msg_set_vlan(msg, 100, true), 2);
	assert_int_equal(msg[0], 0x00010004u);
	assert_int_equal(msg[1], 100);
	igbvf_msg_set_vlan(msg, 0x1064, false);
	assert_int_equal(msg[0], IGBVF_VF_SET_VLAN);
	assert_int_equal(msg[1], 0x064);
	assert_int_equal(igbvf_msg_set_promisc(msg,
			 IGBVF_VF_SET_PROMISC_MULTICAST), 1);
	assert_int_equal(msg[0], 0x00020006u);
	/* e1000_update_mc_addr_list_vf: count in the info byte, u16
	 * hashes packed from word 1. */
	assert_int_equal(igbvf_msg_set_multicast(msg, &mc[0][0], 3),
			 IGBVF_MBX_WORDS);
	assert_int_equal(msg[0], 0x00030003u);
	assert_int_equal(msg[1] & 0xFFFF, IGBVF_MC_HASH(mc[0]));
	assert_int_equal(msg[1] >> 16, IGBVF_MC_HASH(mc[1]));
	assert_int_equal(msg[2] & 0xFFFF, IGBVF_MC_HASH(mc[2]));
	assert_int_equal(msg[2] >> 16, 0);
	assert_int_equal(IGBVF_MC_HASH(mc[1]), 0xFAF);
}

static void test_msg_reset_reply(void **state)
{
	uint32_t r[3];
	uint8_t mac[6];

	(void)state;
	r[0] = IGBVF_VF_RESET | IGBVF_MSG_ACK;
	igbvf_msg_put_mac(r, mac1);
	assert_int_equal(igbvf_msg_reset_reply(r, mac), 1);
	assert_memory_equal(mac, mac1, 6);
	r[0] = IGBVF_VF_RESET | IGBVF_MSG_NACK;
	assert_int_equal(igbvf_msg_reset_reply(r, mac), 0);
	/* anything else is not a VF_RESET reply */
	r[0] = IGBVF_VF_RESET | IGBVF_MSG_ACK | IGBVF_MSG_CTS;
	assert_int_equal(igbvf_msg_reset_reply(r, mac), -EIO);
	r[0] = IGBVF_PF_CONTROL_MSG | IGBVF_MSG_ACK;
	assert_int_equal(igbvf_msg_reset_reply(r, mac), -EIO);
	/* an address no station may use */
	r[0] = IGBVF_VF_RESET | IGBVF_MSG_ACK;
	r[1] = 0x00005e01;
	assert_int_equal(igbvf_msg_reset_reply(r, mac), -EIO);
	r[1] = r[2] = 0;
	assert_int_equal(igbvf_msg_reset_reply(r, mac), -EIO);
	assert_true(igbvf_msg_acked(IGBVF_MSG_ACK | IGBVF_MSG_CTS | 2));
	assert_false(igbvf_msg_acked(IGBVF_MSG_NACK | IGBVF_MSG_CTS | 2));
	assert_false(igbvf_msg_acked(IGBVF_MSG_ACK | IGBVF_MSG_NACK | 2));
}

/* ---- descriptors, registers, rings ---- */

static void test_values(void **state)
{
	(void)state;
	/* DTYP data (3 << 20), DEXT (bit 29), IFCS (25), EOP (24). */
	assert_int_equal(igbvf_tx_cmd(60), 0x23300000u | 60);
	assert_int_equal(igbvf_tx_olinfo(1514), 1514u << 14);
	assert_int_equal(igbvf_tx_olinfo(1514) & (IGBVF_TXD_STAT_DD |
		IGBVF_TXD_POPTS_IXSM | IGBVF_TXD_POPTS_TXSM |
		IGBVF_TXD_IDX_MASK), 0);
	/* DROP_EN, one buffer, 2 KiB. */
	assert_int_equal(igbvf_srrctl(), 0x82000002u);
	/* RX queue 0 on entry 1, TX queue 0 on entry 0, valid. */
	assert_int_equal(igbvf_ivar0(), 0x8081u);
	assert_int_equal(igbvf_eitr(50), 200);
	assert_int_equal(igbvf_eitr(IGBVF_ITR_US_MAX),
			 IGBVF_EITR_INTERVAL_MASK);
	assert_int_equal(IGBVF_ITR_US_MAX, 8191);
}

static void test_ring_math(void **state)
{
	struct igbvf_txq t = { .size = 64, .mask = 63 };

	(void)state;
	assert_int_equal(igbvf_ring_round(0, IGBVF_RING_DEF), 256);
	assert_int_equal(igbvf_ring_round(1, 256), 8);
	assert_int_equal(igbvf_ring_round(9, 256), 16);
	assert_int_equal(igbvf_ring_round(4096, 256), 4096);
	assert_int_equal(igbvf_ring_round(100000, 256), 4096);
	assert_int_equal(igbvf_tx_room(&t), 63);
	/* across the wrap of the 32-bit counters */
	t.clean = 0xFFFFFFF0u;
	t.prod = 0x00000010u;
	assert_int_equal(igbvf_tx_inflight(&t), 32);
	assert_int_equal(igbvf_tx_room(&t), 31);
	assert_int_equal(t.prod & t.mask, 16);
}

static void test_rx_check(void **state)
{
	const uint32_t ok = IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP;

	(void)state;
	assert_int_equal(igbvf_rx_check(ok, 60, 1522), IGBVF_RX_OK);
	assert_int_equal(igbvf_rx_check(ok, 14, 1522), IGBVF_RX_OK);
	assert_int_equal(igbvf_rx_check(ok, 1522, 1522), IGBVF_RX_OK);
	assert_int_equal(igbvf_rx_check(ok | IGBVF_RXD_STAT_VP, 60, 1522),
			 IGBVF_RX_OK);
	assert_int_equal(igbvf_rx_check(ok, 13, 1522), IGBVF_RX_BAD);
	assert_int_equal(igbvf_rx_check(ok, 1523, 1522), IGBVF_RX_BAD);
	assert_int_equal(igbvf_rx_check(ok, 0xFFFF, 1522), IGBVF_RX_BAD);
	assert_int_equal(igbvf_rx_check(ok | IGBVF_RXDEXT_STATERR_RXE, 60,
					1522), IGBVF_RX_BAD);
	assert_int_equal(igbvf_rx_check(IGBVF_RXD_STAT_DD, 60, 1522),
			 IGBVF_RX_PART);
}

/* ---- the protocol against the scripted mailbox ---- */

static void test_mbx_request(void **state)
{
	struct igbvf_bar bar = { 0 };
	struct igbvf_mbx m = { 0 };
	uint32_t msg[2], reply[2];

	(void)state;
	igbvf_mbx_init(&m, &bar);
	igbvf_msg_set_lpe(msg, 1522);
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), 0);
	assert_int_equal(reply[0], IGBVF_VF_SET_LPE | IGBVF_MSG_ACK |
			 IGBVF_MSG_CTS);
	assert_int_equal(fm.reqs, 1);
	assert_int_equal(fm.acks, 1);
	assert_int_equal(m.st.acks, 1);
	assert_false(fm.bits & IGBVF_MBX_VFU);	/* released */
	/* the whole exchange: a dozen exits, no more */
	assert_true(bar.reads + bar.writes <= 14);
	fm.reply0 = IGBVF_VF_SET_LPE | IGBVF_MSG_NACK | IGBVF_MSG_CTS;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), 0);
	assert_false(igbvf_msg_acked(reply[0]));
	assert_int_equal(m.st.nacks, 1);
}

static void test_mbx_failures(void **state)
{
	struct igbvf_bar bar = { 0 };
	struct igbvf_mbx m = { 0 };
	uint32_t msg[2], reply[2];

	(void)state;
	igbvf_mbx_init(&m, &bar);
	igbvf_msg_set_lpe(msg, 1522);
	/* a PF control message where the reply should be */
	fm.reply0 = IGBVF_PF_CONTROL_MSG | IGBVF_MSG_CTS;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), -EIO);
	assert_int_equal(m.st.bad_reply, 1);
	/* neither ACK nor NACK */
	fm.reply0 = IGBVF_VF_SET_LPE | IGBVF_MSG_CTS;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), -EIO);
	/* the buffer is never ours */
	fm.grant = false;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), -EBUSY);
	assert_int_equal(m.st.busy, 1);
	/* nobody answers: timeout, and dead until a reset */
	fm.grant = true;
	fm.answer = false;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), -ETIMEDOUT);
	assert_true(m.dead);
	assert_int_equal(m.st.timeouts, 1);
	fm.answer = true;
	fm.reqs = 0;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), -ETIMEDOUT);
	assert_int_equal(fm.reqs, 0);
	igbvf_mbx_init(&m, &bar);
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), -EIO);
	fm.reply0 = 0;
	assert_int_equal(igbvf_mbx_request(&m, msg, 2, reply, 2), 0);
	/* sizes */
	assert_int_equal(igbvf_mbx_write(&m, msg, 0), -EINVAL);
	assert_int_equal(igbvf_mbx_write(&m, msg, 17), -EINVAL);
}

/* Read-to-clear bits are kept until consumed (e1000_read_v2p_mailbox). */
static void test_mbx_soft_bits(void **state)
{
	struct igbvf_bar bar = { 0 };
	struct igbvf_mbx m = { 0 };

	(void)state;
	igbvf_mbx_init(&m, &bar);
	fm.bits = IGBVF_MBX_RSTD | IGBVF_MBX_PFSTS;
	assert_true(igbvf_mbx_check(&m, IGBVF_MBX_RSTD));
	assert_int_equal(fm.bits, 0);		/* cleared by the read */
	assert_false(igbvf_mbx_check(&m, IGBVF_MBX_RSTD));
	assert_true(igbvf_mbx_bits(&m) & IGBVF_MBX_PFSTS);	/* kept */
	assert_true(igbvf_mbx_check(&m, IGBVF_MBX_PFSTS));
	assert_false(igbvf_mbx_check(&m, IGBVF_MBX_PFSTS));
	/* RSTI is a level, never kept */
	fm.bits = IGBVF_MBX_RSTI;
	assert_true(igbvf_mbx_bits(&m) & IGBVF_MBX_RSTI);
	fm.bits = 0;
	assert_false(igbvf_mbx_bits(&m) & IGBVF_MBX_RSTI);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_mac),
		cmocka_unit_test(test_msg_others),
		cmocka_unit_test(test_msg_reset_reply),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_ring_math),
		cmocka_unit_test(test_rx_check),
		cmocka_unit_test_setup(test_mbx_request, fm_reset),
		cmocka_unit_test_setup(test_mbx_failures, fm_reset),
		cmocka_unit_test_setup(test_mbx_soft_bits, fm_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
