// SPDX-License-Identifier: MIT
/*
 * The embedded switch's decisions: VF to VF without the PF, broadcast
 * and multicast replication, unknown unicast up to the PF, spoof check
 * on and off, port VLAN insertion and stripping, VLAN hopping attempts,
 * frames from the PF, link state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sriov/veb.h"

struct env {
	struct vf_cfg c[3];
	struct veb veb;
	uint8_t buf[8 + 2048];		/* headroom as the TX buffer has */
	uint8_t *f;
	struct veb_frame fr;
	struct veb_result r;
};

static const uint8_t mac[3][6] = {
	{ 2, 0, 0, 0, 0, 0xa0 }, { 2, 0, 0, 0, 0, 0xa1 },
	{ 2, 0, 0, 0, 0, 0xa2 },
};
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t outside[6] = { 2, 0, 0, 0, 0, 0x99 };
static const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0x12, 0x34 };

static void env_init(struct env *e)
{
	unsigned i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < 3; i++) {
		memcpy(e->c[i].mac, mac[i], 6);
		e->c[i].spoofchk = true;
		e->c[i].cts = true;
		e->c[i].link_up = true;
		e->veb.vf[i] = &e->c[i];
	}
	e->veb.nvfs = 3;
	e->f = e->buf + 8;
}

/* An untagged (@vid < 0) or tagged frame of 64 bytes into e->f. */
static unsigned frame(struct env *e, const uint8_t *dst, const uint8_t *src,
		      int vid)
{
	unsigned o = 12, i;

	memcpy(e->f, dst, 6);
	memcpy(e->f + 6, src, 6);
	if (vid >= 0) {
		e->f[o++] = 0x81;
		e->f[o++] = 0x00;
		e->f[o++] = (uint8_t)(vid >> 8);
		e->f[o++] = (uint8_t)vid;
	}
	e->f[o++] = 0x08;
	e->f[o++] = 0x00;
	for (i = o; i < 64; i++)
		e->f[i] = (uint8_t)i;
	return 64;
}

static void from_vf(struct env *e, unsigned src, const uint8_t *dst,
		    const uint8_t *smac, int vid)
{
	unsigned len = frame(e, dst, smac, vid);

	veb_from_vf(&e->veb, src, e->f, len, &e->fr, &e->r);
}

static void from_pf(struct env *e, const uint8_t *dst, int vid)
{
	unsigned len = frame(e, dst, outside, vid);

	veb_from_pf(&e->veb, e->f, len, &e->fr, &e->r);
}

static void test_vf_to_vf(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	from_vf(&e, 0, mac[1], mac[0], -1);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(e.r.vf_mask, 1u << 1);
	assert_false(e.r.to_pf);	/* never through the vswitch */
	assert_int_equal(veb_rx_tci(&e.c[1], &e.fr), -1);
	assert_false(e.fr.strip);
}

static void test_broadcast(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	from_vf(&e, 1, bcast, mac[1], -1);
	assert_int_equal(e.r.vf_mask, 1u << 0 | 1u << 2);	/* not back */
	assert_true(e.r.to_pf);
}

static void test_multicast_filters(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	from_vf(&e, 0, mcast, mac[0], -1);
	assert_int_equal(e.r.vf_mask, 0);
	assert_true(e.r.to_pf);
	vf_cfg_set_bit(e.c[1].mc, IGBVF_MC_HASH(mcast), true);
	e.c[2].mc_promisc = true;
	from_vf(&e, 0, mcast, mac[0], -1);
	assert_int_equal(e.r.vf_mask, 1u << 1 | 1u << 2);
	assert_true(e.r.to_pf);
}

static void test_unknown_unicast_to_pf(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	from_vf(&e, 2, outside, mac[2], -1);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(e.r.vf_mask, 0);
	assert_true(e.r.to_pf);
	/* A trusted promiscuous VF gets a copy. */
	e.c[1].trust = e.c[1].uc_promisc = true;
	from_vf(&e, 2, outside, mac[2], -1);
	assert_int_equal(e.r.vf_mask, 1u << 1);
	assert_true(e.r.to_pf);
	/* Without trust the flag means nothing. */
	e.c[1].trust = false;
	from_vf(&e, 2, outside, mac[2], -1);
	assert_int_equal(e.r.vf_mask, 0);
}

static void test_spoof_check(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	from_vf(&e, 0, mac[1], mac[2], -1);	/* VF 0 posing as VF 2 */
	assert_int_equal(e.r.drop, VEB_DROP_SPOOF);
	assert_int_equal(e.r.vf_mask, 0);
	assert_false(e.r.to_pf);
	e.c[0].spoofchk = false;
	from_vf(&e, 0, mac[1], mac[2], -1);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(e.r.vf_mask, 1u << 1);
	/* A group source address never passes. */
	from_vf(&e, 0, mac[1], mcast, -1);
	assert_int_equal(e.r.drop, VEB_DROP_SPOOF);
}

static void test_port_vlan_insert(void **state)
{
	struct env e;
	unsigned len;
	uint8_t *p;

	(void)state;
	env_init(&e);
	e.c[0].port_vlan = 10;
	e.c[0].port_qos = 5;
	e.c[1].port_vlan = 10;
	from_vf(&e, 0, bcast, mac[0], -1);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(veb_vid(e.fr.tci), 10);
	/* VF 1 shares the port VLAN; VF 2 is in the untagged LAN. */
	assert_int_equal(e.r.vf_mask, 1u << 1);
	assert_int_equal(veb_rx_tci(&e.c[1], &e.fr), -1);
	assert_true(e.r.to_pf);
	p = veb_pf_bytes(&e.fr, &len);
	assert_ptr_equal(p, e.f - 4);
	assert_int_equal(len, 68);
	assert_int_equal(p[12] << 8 | p[13], 0x8100);
	assert_int_equal(p[14] << 8 | p[15], 5 << 13 | 10);
	assert_memory_equal(p, bcast, 6);
	assert_memory_equal(p + 6, mac[0], 6);
	/* VF 2 joins VLAN 10 and gets it tagged: stripped and reported. */
	vf_cfg_set_bit(e.c[2].vlans, 10, true);
	from_vf(&e, 0, bcast, mac[0], -1);
	assert_int_equal(e.r.vf_mask, 1u << 1 | 1u << 2);
	assert_int_equal(veb_rx_tci(&e.c[2], &e.fr), 5 << 13 | 10);
}

static void test_vlan_hopping(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	e.c[0].port_vlan = 10;
	vf_cfg_set_bit(e.c[1].vlans, 20, true);
	/* VF 0 under port VLAN 10 tags a frame for VLAN 20. */
	from_vf(&e, 0, bcast, mac[0], 20);
	assert_int_equal(e.r.drop, VEB_DROP_VLAN);
	assert_int_equal(e.r.vf_mask, 0);
	assert_false(e.r.to_pf);
	/* Without spoof check the tag is payload; VLAN 10 still rules. */
	e.c[0].spoofchk = false;
	from_vf(&e, 0, bcast, mac[0], 20);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(veb_vid(e.fr.tci), 10);
	assert_false(e.fr.strip);
	assert_int_equal(e.r.vf_mask, 0);	/* VF 1 is not in VLAN 10 */
	assert_true(e.r.to_pf);
}

static void test_vlan_registration(void **state)
{
	struct env e;
	unsigned len;
	uint8_t *p;

	(void)state;
	env_init(&e);
	from_vf(&e, 0, mac[1], mac[0], 30);
	assert_int_equal(e.r.drop, VEB_DROP_VLAN);	/* not registered */
	vf_cfg_set_bit(e.c[0].vlans, 30, true);
	from_vf(&e, 0, mac[1], mac[0], 30);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(e.r.vf_mask, 0);	/* VF 1 is not in VLAN 30 */
	assert_true(e.r.to_pf);
	p = veb_pf_bytes(&e.fr, &len);		/* its own tag, as sent */
	assert_ptr_equal(p, e.f);
	assert_int_equal(len, 64);
	vf_cfg_set_bit(e.c[1].vlans, 30, true);
	from_vf(&e, 0, mac[1], mac[0], 30);
	assert_int_equal(e.r.vf_mask, 1u << 1);
	assert_false(e.r.to_pf);
	assert_true(e.fr.strip);
	assert_int_equal(veb_rx_tci(&e.c[1], &e.fr), 30);
	/* A priority tag (VID 0) needs no registration. */
	from_vf(&e, 0, mac[1], mac[0], 3 << 13);
	assert_int_equal(e.r.drop, VEB_FWD);
	assert_int_equal(e.r.vf_mask, 1u << 1);
	assert_int_equal(veb_rx_tci(&e.c[1], &e.fr), -1);
}

static void test_from_pf(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	e.c[0].port_vlan = 10;
	from_pf(&e, mac[0], 10);
	assert_int_equal(e.r.vf_mask, 1u << 0);
	assert_true(e.fr.strip);
	assert_int_equal(veb_rx_tci(&e.c[0], &e.fr), -1);	/* hidden */
	/* Untagged to a port-VLAN VF: not its LAN. */
	from_pf(&e, mac[0], -1);
	assert_int_equal(e.r.drop, VEB_DROP_UNKNOWN);
	from_pf(&e, mac[1], -1);
	assert_int_equal(e.r.vf_mask, 1u << 1);
	assert_false(e.fr.strip);
	from_pf(&e, outside, -1);
	assert_int_equal(e.r.drop, VEB_DROP_UNKNOWN);
	from_pf(&e, bcast, -1);
	assert_int_equal(e.r.vf_mask, 1u << 1 | 1u << 2);
	assert_false(e.r.to_pf);
	from_pf(&e, bcast, 10);
	assert_int_equal(e.r.vf_mask, 1u << 0);
}

static void test_link_down(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	e.c[1].link_up = false;
	from_vf(&e, 0, mac[1], mac[0], -1);
	assert_int_equal(e.r.vf_mask, 0);
	assert_int_equal(e.r.down_mask, 1u << 1);
	assert_false(e.r.to_pf);
	from_vf(&e, 1, mac[0], mac[1], -1);
	assert_int_equal(e.r.drop, VEB_DROP_LINK);
	/* Before VF_RESET the PF has not enabled it either. */
	e.c[1].link_up = true;
	e.c[1].cts = false;
	from_vf(&e, 1, mac[0], mac[1], -1);
	assert_int_equal(e.r.drop, VEB_DROP_LINK);
}

static void test_runt(void **state)
{
	struct env e;

	(void)state;
	env_init(&e);
	frame(&e, mac[1], mac[0], -1);
	veb_from_vf(&e.veb, 0, e.f, 13, &e.fr, &e.r);
	assert_int_equal(e.r.drop, VEB_DROP_RUNT);
	veb_from_pf(&e.veb, e.f, 0, &e.fr, &e.r);
	assert_int_equal(e.r.drop, VEB_DROP_RUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vf_to_vf),
		cmocka_unit_test(test_broadcast),
		cmocka_unit_test(test_multicast_filters),
		cmocka_unit_test(test_unknown_unicast_to_pf),
		cmocka_unit_test(test_spoof_check),
		cmocka_unit_test(test_port_vlan_insert),
		cmocka_unit_test(test_vlan_hopping),
		cmocka_unit_test(test_vlan_registration),
		cmocka_unit_test(test_from_pf),
		cmocka_unit_test(test_link_down),
		cmocka_unit_test(test_runt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
