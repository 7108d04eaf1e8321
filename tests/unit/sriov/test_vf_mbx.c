// SPDX-License-Identifier: MIT
/*
 * The PF side of the mailbox, driven the way igbvf's mbx.c drives it:
 * every message type, the clear-to-send rule, the administrator's MAC
 * against an untrusted VF, the read-to-clear bits, and a flood.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sriov/vf_mbx.h"

#define SEC	1000000000ull

struct env {
	struct vf_mbx m;
	struct vf_cfg c;
	uint64_t now;
	unsigned ev;		/* events of the last send */
};

static const uint8_t admin_mac[6] = { 2, 0, 0, 0, 0, 0x42 };
static const uint8_t vf_mac[6] = { 2, 0, 0, 0, 0, 0x77 };

static void env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	vf_mbx_init(&e->m);
	e->c.spoofchk = true;
	e->now = 10 * SEC;
	vf_mbx_vf_reset(&e->m);
}

static uint32_t mbx_rd(struct env *e, uint32_t off)
{
	return vf_mbx_read(&e->m, off);
}

static void mbx_wr(struct env *e, uint32_t off, uint32_t v)
{
	e->ev |= vf_mbx_write(&e->m, &e->c, off, v, e->now);
}

/*
 * e1000_write_posted_mbx + e1000_read_posted_mbx: take the buffer,
 * write, REQ, expect PFACK; then PFSTS, read @nreply (>= 1) words,
 * ACK. Returns word 0 of the reply, or 0 when there was none.
 */
static uint32_t send(struct env *e, const uint32_t *msg, unsigned n,
		     uint32_t *reply, unsigned nreply)
{
	uint32_t bits;
	unsigned i;

	e->ev = 0;
	mbx_wr(e, IGBVF_VFMAILBOX, IGBVF_MBX_VFU);
	assert_true(mbx_rd(e, IGBVF_VFMAILBOX) & IGBVF_MBX_VFU);
	for (i = 0; i < n; i++)
		mbx_wr(e, IGBVF_VMBMEM(i), msg[i]);
	mbx_wr(e, IGBVF_VFMAILBOX, IGBVF_MBX_REQ);
	bits = mbx_rd(e, IGBVF_VFMAILBOX);
	assert_true(bits & IGBVF_MBX_PFACK);
	assert_false(bits & IGBVF_MBX_VFU);	/* REQ dropped it */
	if (!(bits & IGBVF_MBX_PFSTS))
		return 0;
	for (i = 0; i < nreply; i++)
		reply[i] = mbx_rd(e, IGBVF_VMBMEM(i));
	mbx_wr(e, IGBVF_VFMAILBOX, IGBVF_MBX_ACK);
	return reply[0];
}

static uint32_t send1(struct env *e, uint32_t w0, uint32_t w1)
{
	uint32_t msg[2] = { w0, w1 }, r[2];

	return send(e, msg, 2, r, 2);
}

static uint32_t reset_msg(struct env *e, uint8_t mac[6])
{
	uint32_t msg = IGBVF_VF_RESET, r[3] = { 0 };
	uint32_t w0 = send(e, &msg, 1, r, 3);

	if (mac)
		memcpy(mac, &r[1], 6);
	return w0;
}

static uint32_t set_mac(struct env *e, const uint8_t mac[6])
{
	uint32_t msg[3] = { IGBVF_VF_SET_MAC_ADDR, 0, 0 }, r[3];

	memcpy(&msg[1], mac, 6);
	return send(e, msg, 3, r, 3);
}

static void test_reset_bits(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	/* igbvf_reset_hw waits for RSTD (or RSTI) after CTRL.RST. */
	assert_int_equal(mbx_rd(&e, IGBVF_VFMAILBOX), IGBVF_MBX_RSTD);
	assert_int_equal(mbx_rd(&e, IGBVF_VFMAILBOX), 0);	/* R2C */
	vf_mbx_set_rsti(&e.m, true);
	assert_int_equal(mbx_rd(&e, IGBVF_VFMAILBOX), IGBVF_MBX_RSTI);
	assert_int_equal(mbx_rd(&e, IGBVF_VFMAILBOX), IGBVF_MBX_RSTI);
	vf_mbx_set_rsti(&e.m, false);
	assert_int_equal(mbx_rd(&e, IGBVF_VFMAILBOX), IGBVF_MBX_RSTD);
}

static void test_vf_reset_with_admin_mac(void **state)
{
	struct env e;
	uint8_t mac[6];

	(void)state;
	env_init(&e);
	memcpy(e.c.mac, admin_mac, 6);
	e.c.mac_admin = true;
	vf_cfg_set_bit(e.c.vlans, 5, true);	/* stale, from before */
	assert_int_equal(reset_msg(&e, mac),
			 IGBVF_VF_RESET | IGBVF_MSG_ACK);
	assert_memory_equal(mac, admin_mac, 6);
	assert_true(e.c.cts);
	assert_true(e.ev & VF_MBX_EV_RESET);
	assert_true(e.ev & VF_MBX_EV_IRQ);
	assert_false(vf_cfg_bit(e.c.vlans, 5));
	assert_int_equal(e.m.st.resets, 1);
}

static void test_vf_reset_without_mac(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	/* No MAC: NACK, and igbvf makes up a random one. */
	assert_int_equal(reset_msg(&e, NULL),
			 IGBVF_VF_RESET | IGBVF_MSG_NACK);
	assert_true(e.c.cts);
	assert_int_equal(set_mac(&e, vf_mac), IGBVF_VF_SET_MAC_ADDR |
			 IGBVF_MSG_ACK | IGBVF_MSG_CTS);
	assert_memory_equal(e.c.mac, vf_mac, 6);
}

static void test_nothing_before_reset(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	assert_int_equal(set_mac(&e, vf_mac),
			 IGBVF_VF_SET_MAC_ADDR | IGBVF_MSG_NACK);
	assert_int_equal(send1(&e, IGBVF_VF_SET_VLAN |
			       1u << IGBVF_MSGINFO_SHIFT, 100),
			 (IGBVF_VF_SET_VLAN | 1u << IGBVF_MSGINFO_SHIFT) |
			 IGBVF_MSG_NACK);
	assert_int_equal(send1(&e, IGBVF_VF_SET_LPE, 9000),
			 IGBVF_VF_SET_LPE | IGBVF_MSG_NACK);
	assert_false(e.c.cts);
	assert_false(vf_cfg_bit(e.c.vlans, 100));
	assert_int_equal(e.c.max_frame, 0);
	assert_int_equal(e.m.st.not_cts, 3);
	assert_false(e.ev & VF_MBX_EV_CFG);
}

static void test_admin_mac_and_trust(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	memcpy(e.c.mac, admin_mac, 6);
	e.c.mac_admin = true;
	reset_msg(&e, NULL);
	assert_int_equal(set_mac(&e, vf_mac), IGBVF_VF_SET_MAC_ADDR |
			 IGBVF_MSG_NACK | IGBVF_MSG_CTS);
	assert_memory_equal(e.c.mac, admin_mac, 6);
	assert_int_equal(e.m.st.denied, 1);
	e.c.trust = true;
	assert_int_equal(set_mac(&e, vf_mac), IGBVF_VF_SET_MAC_ADDR |
			 IGBVF_MSG_ACK | IGBVF_MSG_CTS);
	assert_memory_equal(e.c.mac, vf_mac, 6);
	assert_true(e.ev & VF_MBX_EV_CFG);
}

static void test_set_mac_invalid(void **state)
{
	static const uint8_t group[6] = { 1, 0, 0x5e, 0, 0, 1 };
	static const uint8_t zero[6];
	struct env e;
	uint32_t msg[3] = { IGBVF_VF_SET_MAC_ADDR | IGBVF_VF_MAC_FILTER_ADD,
			    0, 0 }, r[3];

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	assert_true(set_mac(&e, group) & IGBVF_MSG_NACK);
	assert_true(set_mac(&e, zero) & IGBVF_MSG_NACK);
	/* Extra unicast filters are not modelled. */
	memcpy(&msg[1], vf_mac, 6);
	assert_true(send(&e, msg, 3, r, 3) & IGBVF_MSG_NACK);
	assert_int_equal(e.m.st.invalid, 3);
}

static void test_set_multicast(void **state)
{
	struct env e;
	uint32_t msg[IGBVF_MBX_WORDS] = { 0 }, r[1];
	uint16_t *h = (uint16_t *)&msg[1];
	static const uint8_t mc[6] = { 1, 0, 0x5e, 0, 0x12, 0x34 };

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	msg[0] = IGBVF_VF_SET_MULTICAST | 3u << IGBVF_MSGINFO_SHIFT;
	h[0] = IGBVF_MC_HASH(mc);
	h[1] = 0x123;
	h[2] = 0xFFFF;		/* masked to 12 bits */
	assert_int_equal(send(&e, msg, IGBVF_MBX_WORDS, r, 1),
			 msg[0] | IGBVF_MSG_ACK | IGBVF_MSG_CTS);
	assert_true(vf_cfg_bit(e.c.mc, IGBVF_MC_HASH(mc)));
	assert_true(vf_cfg_bit(e.c.mc, 0x123));
	assert_true(vf_cfg_bit(e.c.mc, 0xFFF));
	assert_false(vf_cfg_mc_all(&e.c));
	/* More than 30: all multicast (igb sets MPME). */
	msg[0] = IGBVF_VF_SET_MULTICAST | 31u << IGBVF_MSGINFO_SHIFT;
	assert_true(send(&e, msg, IGBVF_MBX_WORDS, r, 1) & IGBVF_MSG_ACK);
	assert_true(vf_cfg_mc_all(&e.c));
	/* A new list replaces the old one. */
	msg[0] = IGBVF_VF_SET_MULTICAST | 1u << IGBVF_MSGINFO_SHIFT;
	h[0] = 0x456;
	send(&e, msg, IGBVF_MBX_WORDS, r, 1);
	assert_false(vf_cfg_mc_all(&e.c));
	assert_false(vf_cfg_bit(e.c.mc, 0x123));
	assert_true(vf_cfg_bit(e.c.mc, 0x456));
}

static void test_set_vlan(void **state)
{
	struct env e;
	uint32_t add = IGBVF_VF_SET_VLAN | 1u << IGBVF_MSGINFO_SHIFT;

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	assert_int_equal(send1(&e, add, 100),
			 add | IGBVF_MSG_ACK | IGBVF_MSG_CTS);
	assert_true(vf_cfg_bit(e.c.vlans, 100));
	assert_int_equal(send1(&e, IGBVF_VF_SET_VLAN, 100), IGBVF_VF_SET_VLAN |
			 IGBVF_MSG_ACK | IGBVF_MSG_CTS);
	assert_false(vf_cfg_bit(e.c.vlans, 100));
	/* Removing VLAN 0 is a no-op that succeeds (igb). */
	assert_true(send1(&e, IGBVF_VF_SET_VLAN, 0) & IGBVF_MSG_ACK);
	/* Only the VLAN ID bits of word 1 count. */
	assert_true(send1(&e, add, 0xF00A) & IGBVF_MSG_ACK);
	assert_true(vf_cfg_bit(e.c.vlans, 10));
	/* Under a port VLAN the VF may not choose its own. */
	e.c.port_vlan = 7;
	assert_int_equal(send1(&e, add, 200),
			 add | IGBVF_MSG_NACK | IGBVF_MSG_CTS);
	assert_false(vf_cfg_bit(e.c.vlans, 200));
	assert_int_equal(e.m.st.denied, 1);
}

static void test_set_lpe(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	assert_true(send1(&e, IGBVF_VF_SET_LPE, 9018) & IGBVF_MSG_ACK);
	assert_int_equal(vf_cfg_max_frame(&e.c), 9018);
	assert_true(send1(&e, IGBVF_VF_SET_LPE, 20000) & IGBVF_MSG_NACK);
	assert_int_equal(vf_cfg_max_frame(&e.c), 9018);
	/* Below the default the default still holds. */
	assert_true(send1(&e, IGBVF_VF_SET_LPE, 1000) & IGBVF_MSG_ACK);
	assert_int_equal(vf_cfg_max_frame(&e.c), IGBVF_FRAME_DEFAULT_MAX);
}

static void test_set_promisc(void **state)
{
	struct env e;
	uint32_t uc = IGBVF_VF_SET_PROMISC | IGBVF_VF_SET_PROMISC_UNICAST;
	uint32_t mc = IGBVF_VF_SET_PROMISC | IGBVF_VF_SET_PROMISC_MULTICAST;

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	assert_true(send1(&e, mc, 0) & IGBVF_MSG_ACK);
	assert_true(e.c.mc_promisc);
	assert_true(send1(&e, uc, 0) & IGBVF_MSG_NACK);	/* not trusted */
	assert_false(e.c.uc_promisc);
	e.c.trust = true;
	assert_true(send1(&e, uc | mc, 0) & IGBVF_MSG_ACK);
	assert_true(e.c.uc_promisc);
	assert_true(send1(&e, IGBVF_VF_SET_PROMISC | 0x80u << 16, 0) &
		    IGBVF_MSG_NACK);
	assert_true(send1(&e, IGBVF_VF_SET_PROMISC, 0) & IGBVF_MSG_ACK);
	assert_false(e.c.uc_promisc);
	assert_false(e.c.mc_promisc);
}

static void test_unknown_and_stale(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	assert_int_equal(send1(&e, 0x99, 0),
			 0x99 | IGBVF_MSG_NACK | IGBVF_MSG_CTS);
	assert_int_equal(e.m.st.invalid, 1);
	/* A message already answered is read (PFACK) and not answered. */
	assert_int_equal(send1(&e, IGBVF_VF_SET_LPE | IGBVF_MSG_ACK, 9000),
			 0);
	assert_int_equal(e.m.st.stale, 1);
	assert_int_equal(e.c.max_frame, 0);
}

static void test_ack_while_not_cts(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	/* igbvf's link check reads the buffer and ACKs: told NACK. */
	e.ev = 0;
	mbx_wr(&e, IGBVF_VFMAILBOX, IGBVF_MBX_ACK);
	assert_true(e.ev & VF_MBX_EV_IRQ);
	assert_true(mbx_rd(&e, IGBVF_VFMAILBOX) & IGBVF_MBX_PFSTS);
	assert_int_equal(mbx_rd(&e, IGBVF_VMBMEM(0)), IGBVF_MSG_NACK);
	/* At most every two seconds. */
	e.ev = 0;
	e.now += SEC;
	mbx_wr(&e, IGBVF_VFMAILBOX, IGBVF_MBX_ACK);
	assert_int_equal(e.ev, 0);
	e.now += SEC;
	mbx_wr(&e, IGBVF_VFMAILBOX, IGBVF_MBX_ACK);
	assert_true(e.ev & VF_MBX_EV_IRQ);
}

static void test_ping(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	assert_int_equal(vf_mbx_ping(&e.m, &e.c, false), VF_MBX_EV_IRQ);
	assert_int_equal(mbx_rd(&e, IGBVF_VMBMEM(0)),
			 IGBVF_PF_CONTROL_MSG | IGBVF_MSG_CTS);
	assert_true(mbx_rd(&e, IGBVF_VFMAILBOX) & IGBVF_MBX_PFSTS);
	assert_int_equal(vf_mbx_ping(&e.m, &e.c, true), VF_MBX_EV_IRQ);
	assert_int_equal(mbx_rd(&e, IGBVF_VMBMEM(0)),
			 IGBVF_PF_CONTROL_MSG | IGBVF_MSG_NACK);
	/* Not while the VF holds the buffer. */
	mbx_wr(&e, IGBVF_VFMAILBOX, IGBVF_MBX_VFU);
	mbx_wr(&e, IGBVF_VMBMEM(0), 0x1234);
	assert_int_equal(vf_mbx_ping(&e.m, &e.c, true), 0);
	assert_int_equal(mbx_rd(&e, IGBVF_VMBMEM(0)), 0x1234);
}

static void test_flood(void **state)
{
	struct env e;
	uint32_t seed = 1;
	unsigned i;

	(void)state;
	env_init(&e);
	reset_msg(&e, NULL);
	/* 100000 random requests: each answered or ignored, never more. */
	for (i = 0; i < 100000; i++) {
		unsigned w;

		for (w = 0; w < IGBVF_MBX_WORDS; w++) {
			seed = seed * 1103515245u + 12345u;
			mbx_wr(&e, IGBVF_VMBMEM(w), seed);
		}
		mbx_wr(&e, IGBVF_VFMAILBOX, IGBVF_MBX_REQ);
		mbx_rd(&e, IGBVF_VFMAILBOX);
	}
	assert_int_equal(e.m.st.msgs, 100001);
	assert_int_equal(e.m.st.acks + e.m.st.nacks + e.m.st.stale,
			 e.m.st.msgs);
	assert_int_equal(e.m.bits & IGBVF_MBX_R2C_BITS, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_bits),
		cmocka_unit_test(test_vf_reset_with_admin_mac),
		cmocka_unit_test(test_vf_reset_without_mac),
		cmocka_unit_test(test_nothing_before_reset),
		cmocka_unit_test(test_admin_mac_and_trust),
		cmocka_unit_test(test_set_mac_invalid),
		cmocka_unit_test(test_set_multicast),
		cmocka_unit_test(test_set_vlan),
		cmocka_unit_test(test_set_lpe),
		cmocka_unit_test(test_set_promisc),
		cmocka_unit_test(test_unknown_and_stale),
		cmocka_unit_test(test_ack_while_not_cts),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
