// SPDX-License-Identifier: MIT
/* The forwarding decision: flooding, learning, filtering, VLAN isolation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vswitch/forward.h"
#include "vswitch/frame_check.h"

#define BIT(p)	(1ull << (p))

/*
 * The test switch:
 *   port 0, 1: access VLAN 10     port 2: access VLAN 20
 *   port 3: trunk, VLANs 10 and 20, no native
 *   port 4: access VLAN 10, link down
 */
enum { P0, P1, P2, TRUNK, DOWN };

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t mac_c[6] = { 0x02, 0, 0, 0, 0, 0x0c };
static const uint8_t mac_d[6] = { 0x02, 0, 0, 0, 0, 0x0d };

struct env {
	struct fwd_table t;
	struct fdb *fdb;
	uint8_t frame[2048];
	unsigned len;
	uint64_t now;
};

static void add_access(struct env *e, unsigned port, uint16_t vid, bool up)
{
	struct fwd_port p = { .up = up, .learn = true };

	assert_int_equal(vlan_cfg_access(&p.vlan, vid), 0);
	assert_int_equal(fwd_port_set(&e->t, port, &p), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct fwd_port trunk = { .up = true, .learn = true };

	e->fdb = fdb_create(64, FDB_DEFAULT_AGING_NS);
	assert_int_equal(fwd_init(&e->t, e->fdb, 1500), 0);
	add_access(e, P0, 10, true);
	add_access(e, P1, 10, true);
	add_access(e, P2, 20, true);
	vlan_cfg_trunk(&trunk.vlan, 0);
	vlan_cfg_allow(&trunk.vlan, 10, true);
	vlan_cfg_allow(&trunk.vlan, 20, true);
	assert_int_equal(fwd_port_set(&e->t, TRUNK, &trunk), 0);
	add_access(e, DOWN, 10, false);
	e->now = 1000;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fdb_destroy(e->fdb);
	free(e);
	return 0;
}

/* A 64-byte frame dst <- src, tagged with @tci unless @tci is -1. */
static void build(struct env *e, const uint8_t *dst, const uint8_t *src,
		  int tci)
{
	unsigned off = 12;

	memset(e->frame, 0, sizeof(e->frame));
	memcpy(e->frame, dst, 6);
	memcpy(e->frame + 6, src, 6);
	if (tci >= 0) {
		e->frame[12] = 0x81;
		e->frame[13] = 0x00;
		e->frame[14] = (uint8_t)(tci >> 8);
		e->frame[15] = (uint8_t)tci;
		off = 16;
	}
	e->frame[off] = 0x08;
	e->frame[off + 1] = 0x00;
	e->len = 64;
}

static struct fwd_result ingress(struct env *e, unsigned in_port,
				 const uint8_t *dst, const uint8_t *src,
				 int tci)
{
	struct fwd_result r;

	build(e, dst, src, tci);
	fwd_decide(&e->t, in_port, e->frame, e->len, e->now++, &r);
	return r;
}

static void test_broadcast_floods_vlan(void **state)
{
	struct env *e = *state;
	struct fwd_result r;

	/* Not back to the ingress, not to the down port, not to VLAN 20. */
	r = ingress(e, P0, bcast, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_int_equal(r.vid, 10);
	assert_false(r.in_tagged);
	assert_true(r.flooded);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));

	r = ingress(e, P0, mcast, mac_a, -1);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));
	assert_true(r.flooded);

	/* From the trunk on VLAN 20: the one access port of VLAN 20. */
	r = ingress(e, TRUNK, bcast, mac_d, 20);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_int_equal(r.vid, 20);
	assert_true(r.in_tagged);
	assert_int_equal(r.out_mask, BIT(P2));

	/* The down port comes up and joins the flood. */
	assert_int_equal(fwd_port_set_up(&e->t, DOWN, true), 0);
	r = ingress(e, P0, bcast, mac_a, -1);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK) | BIT(DOWN));
}

static void test_unknown_then_known_unicast(void **state)
{
	struct env *e = *state;
	struct fwd_result r;

	r = ingress(e, P0, mac_b, mac_a, -1);
	assert_true(r.flooded);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));
	/* B answers: A is known, so the reply goes to one port. */
	r = ingress(e, P1, mac_a, mac_b, -1);
	assert_false(r.flooded);
	assert_int_equal(r.out_mask, BIT(P0));
	r = ingress(e, P0, mac_b, mac_a, -1);
	assert_false(r.flooded);
	assert_int_equal(r.out_mask, BIT(P1));
	assert_int_equal(fdb_count(e->fdb), 2);
}

static void test_same_port_filtered(void **state)
{
	struct env *e = *state;
	struct fwd_result r;

	ingress(e, P0, bcast, mac_c, -1);
	/* A and C share port 0 (a hub, or two guests on one uplink). */
	r = ingress(e, P0, mac_c, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_SAME_PORT);
	assert_int_equal(r.out_mask, 0);
	/* A was learned all the same. */
	assert_int_equal(fdb_lookup(e->fdb, mac_a, 10, e->now), P0);
}

static void test_vlan_isolation(void **state)
{
	struct env *e = *state;
	struct fwd_result r;

	ingress(e, P1, bcast, mac_b, -1);			/* B on VLAN 10 */
	r = ingress(e, P2, bcast, mac_c, -1);
	assert_int_equal(r.vid, 20);
	assert_int_equal(r.out_mask, BIT(TRUNK));
	/* B is unknown on VLAN 20: flooded there, never into VLAN 10. */
	r = ingress(e, P2, mac_b, mac_c, -1);
	assert_true(r.flooded);
	assert_int_equal(r.out_mask, BIT(TRUNK));
	/* And C, learned on VLAN 20, is unknown from VLAN 10. */
	r = ingress(e, P0, mac_c, mac_a, -1);
	assert_true(r.flooded);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));
	/* A static entry on a port outside the VLAN is not a way out. */
	assert_int_equal(fdb_add_static(e->fdb, mac_d, 10, P2), 0);
	r = ingress(e, P0, mac_d, mac_a, -1);
	assert_true(r.flooded);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));
}

static void test_trunk_access(void **state)
{
	struct env *e = *state;
	struct fwd_result r;

	/* Access -> trunk: the trunk must tag it. */
	ingress(e, TRUNK, bcast, mac_d, 10);
	r = ingress(e, P0, mac_d, mac_a, -1);
	assert_int_equal(r.out_mask, BIT(TRUNK));
	assert_int_equal(vlan_egress_tagged(&e->t.ports[TRUNK].vlan, r.vid),
			 1);
	/* Trunk -> access: tagged in, untagged out, PCP kept on the way. */
	r = ingress(e, TRUNK, mac_a, mac_d, 0xa000 | 10);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_true(r.in_tagged);
	assert_int_equal(r.vid, 10);
	assert_int_equal(r.out_mask, BIT(P0));
	assert_int_equal(vlan_egress_tagged(&e->t.ports[P0].vlan, r.vid), 0);

	/* What the trunk does not carry, or has no native VLAN for. */
	r = ingress(e, TRUNK, bcast, mac_d, 30);
	assert_int_equal(r.drop, FWD_DROP_VLAN_NOT_ALLOWED);
	r = ingress(e, TRUNK, bcast, mac_d, -1);
	assert_int_equal(r.drop, FWD_DROP_VLAN_UNTAGGED);
	/* Tagged frames on an access port; priority tags are fine. */
	r = ingress(e, P0, bcast, mac_a, 10);
	assert_int_equal(r.drop, FWD_DROP_VLAN_TAGGED_ON_ACCESS);
	r = ingress(e, P0, bcast, mac_a, 0xe000);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_int_equal(r.vid, 10);
	assert_true(r.in_tagged);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));
}

static void test_drops(void **state)
{
	struct env *e = *state;
	struct fwd_result r;
	uint8_t *runt;

	build(e, bcast, mac_a, -1);
	/* Exactly sized buffer: a runt must not be read past its end. */
	runt = malloc(13);
	memcpy(runt, e->frame, 13);
	fwd_decide(&e->t, P0, runt, 13, e->now, &r);
	free(runt);
	assert_int_equal(r.drop, FWD_DROP_RUNT);
	assert_int_equal(r.out_mask, 0);
	fwd_decide(&e->t, P0, e->frame, 1515, e->now, &r);
	assert_int_equal(r.drop, FWD_DROP_OVERSIZED);
	fwd_decide(&e->t, P0, e->frame, 1514, e->now, &r);
	assert_int_equal(r.drop, FWD_DROP_NONE);

	r = ingress(e, P0, mac_a, bcast, -1);
	assert_int_equal(r.drop, FWD_DROP_BAD_SRC);

	build(e, bcast, mac_a, 20);
	e->frame[12] = 0x88;
	e->frame[13] = 0xa8;		/* QinQ outer tag */
	fwd_decide(&e->t, TRUNK, e->frame, e->len, e->now, &r);
	assert_int_equal(r.drop, FWD_DROP_VLAN_QINQ);
	r = ingress(e, TRUNK, bcast, mac_d, 0x0fff);
	assert_int_equal(r.drop, FWD_DROP_VLAN_BAD_TAG);

	/* Ingress on a port that is down, absent or out of range. */
	r = ingress(e, DOWN, bcast, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_PORT_DOWN);
	r = ingress(e, 9, bcast, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_PORT_DOWN);
	r = ingress(e, FWD_MAX_PORTS, bcast, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_PORT_DOWN);

	/* None of those taught the FDB anything. */
	assert_int_equal(fdb_count(e->fdb), 1);	/* A, from the 1514 frame */

	for (unsigned i = 0; i < FWD_DROP_REASONS; i++)
		assert_non_null(fwd_drop_names[i]);
	assert_string_equal(fwd_drop_names[FWD_DROP_SAME_PORT], "same_port");
}

/*
 * Two 802.1Q tags, as an af_packet uplink hands over an 802.1ad frame
 * (the kernel strips the S-tag, the PMD puts it back as 0x8100): outer
 * VID 10 (carried by the trunk) over inner VID 20. Forwarded, the access
 * ports of VLAN 10 would strip the outer tag and show their VM a frame
 * of VLAN 20. Dropped at ingress instead, from any port, and nothing is
 * learned from it.
 */
static void test_stacked_tags_dropped(void **state)
{
	struct env *e = *state;
	static const uint16_t inner[] = { 0x8100, 0x88a8, 0x9100 };
	struct fwd_result r;

	for (unsigned i = 0; i < 3; i++) {
		build(e, bcast, mac_d, 10);
		e->frame[16] = (uint8_t)(inner[i] >> 8);
		e->frame[17] = (uint8_t)inner[i];
		e->frame[18] = 0x00;
		e->frame[19] = 20;		/* inner VID 20 */
		e->frame[20] = 0x08;
		e->frame[21] = 0x00;
		fwd_decide(&e->t, TRUNK, e->frame, e->len, e->now++, &r);
		assert_int_equal(r.drop, FWD_DROP_VLAN_QINQ);
		assert_int_equal(r.out_mask, 0);
	}
	/* A priority tag over a VLAN tag, from an access port. */
	build(e, bcast, mac_a, 0x2000);
	e->frame[16] = 0x81;
	e->frame[17] = 0x00;
	e->frame[19] = 20;
	fwd_decide(&e->t, P0, e->frame, e->len, e->now++, &r);
	assert_int_equal(r.drop, FWD_DROP_VLAN_QINQ);
	/* An untagged frame whose type is an old-style S-tag. */
	build(e, bcast, mac_a, -1);
	e->frame[12] = 0x91;
	e->frame[13] = 0x00;
	fwd_decide(&e->t, P0, e->frame, e->len, e->now++, &r);
	assert_int_equal(r.drop, FWD_DROP_VLAN_QINQ);
	assert_int_equal(fdb_count(e->fdb), 0);
	assert_string_equal(fwd_drop_names[FWD_DROP_VLAN_QINQ], "vlan_qinq");
}

static void test_link_local_and_no_dest(void **state)
{
	struct env *e = *state;
	static const uint8_t lacp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x02 };
	static const uint8_t not_reserved[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x10 };
	struct fwd_result r;

	r = ingress(e, P0, lacp, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_LINK_LOCAL);
	assert_int_equal(fdb_lookup(e->fdb, mac_a, 10, e->now), P0);
	r = ingress(e, P0, not_reserved, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_true(r.flooded);

	/* VLAN 20 with its trunk down: port 2 talks to nobody. */
	assert_int_equal(fwd_port_set_up(&e->t, TRUNK, false), 0);
	r = ingress(e, P2, bcast, mac_c, -1);
	assert_int_equal(r.drop, FWD_DROP_NO_DEST);
	assert_int_equal(fwd_port_set_up(&e->t, 9, true), -ENOENT);
}

static void test_port_down_and_removal_flush(void **state)
{
	struct env *e = *state;
	struct fwd_result r;

	ingress(e, P1, bcast, mac_b, -1);
	ingress(e, TRUNK, bcast, mac_d, 10);
	assert_int_equal(fdb_add_static(e->fdb, mac_c, 10, P1), 0);
	assert_int_equal(fdb_lookup(e->fdb, mac_b, 10, e->now), P1);

	/* Link down: learned entries go, static ones stay. */
	assert_int_equal(fwd_port_set_up(&e->t, P1, false), 0);
	assert_int_equal(fdb_lookup(e->fdb, mac_b, 10, e->now), -ENOENT);
	assert_int_equal(fdb_lookup(e->fdb, mac_c, 10, e->now), P1);
	/* The static entry's port is down: flood to who can take it. */
	r = ingress(e, P0, mac_c, mac_a, -1);
	assert_true(r.flooded);
	assert_int_equal(r.out_mask, BIT(TRUNK));

	/* Removal forgets the static entry too. */
	fwd_port_remove(&e->t, P1);
	assert_int_equal(fdb_lookup(e->fdb, mac_c, 10, e->now), -ENOENT);
	assert_false(e->t.ports[P1].present);
	r = ingress(e, P1, bcast, mac_b, -1);
	assert_int_equal(r.drop, FWD_DROP_PORT_DOWN);
	fwd_port_remove(&e->t, FWD_MAX_PORTS);	/* ignored */

	/* A VLAN change on the trunk forgets what it learned. */
	assert_int_equal(fdb_lookup(e->fdb, mac_d, 10, e->now), TRUNK);
	{
		struct fwd_port p = e->t.ports[TRUNK];

		p.up = true;
		vlan_cfg_allow(&p.vlan, 30, true);
		assert_int_equal(fwd_port_set(&e->t, TRUNK, &p), 0);
	}
	assert_int_equal(fdb_lookup(e->fdb, mac_d, 10, e->now), -ENOENT);
	assert_int_equal(fdb_lookup(e->fdb, mac_a, 10, e->now), P0);
}

static void test_port_set_errors(void **state)
{
	struct env *e = *state;
	struct fwd_port p = { .up = true, .learn = true };

	vlan_cfg_access(&p.vlan, 10);
	assert_int_equal(fwd_port_set(&e->t, FWD_MAX_PORTS, &p), -EINVAL);
	p.vlan.vid = 0;
	assert_int_equal(fwd_port_set(&e->t, 5, &p), -EINVAL);
	p.vlan.vid = 4095;
	assert_int_equal(fwd_port_set(&e->t, 5, &p), -EINVAL);
	vlan_cfg_trunk(&p.vlan, 0);
	p.vlan.mode = (enum vlan_mode)7;
	assert_int_equal(fwd_port_set(&e->t, 5, &p), -EINVAL);
	assert_false(e->t.ports[5].present);
	assert_int_equal(fwd_init(&e->t, NULL, 1500), -EINVAL);
}

static void test_mac_move(void **state)
{
	struct env *e = *state;
	struct fwd_result r;
	struct fdb_stats st;

	ingress(e, P1, bcast, mac_b, -1);
	r = ingress(e, P0, mac_b, mac_a, -1);
	assert_int_equal(r.out_mask, BIT(P1));
	/* B turns up behind the trunk (migrated to another host). */
	ingress(e, TRUNK, bcast, mac_b, 10);
	r = ingress(e, P0, mac_b, mac_a, -1);
	assert_false(r.flooded);
	assert_int_equal(r.out_mask, BIT(TRUNK));
	fdb_stats_get(e->fdb, &st);
	assert_int_equal(st.moved, 1);
}

static void test_learning_off_and_fdb_full(void **state)
{
	struct env *e = *state;
	struct fwd_result r;
	struct fwd_port p = e->t.ports[P2];
	uint8_t m[6] = { 0x02, 0x99, 0, 0, 0, 0 };

	/* A capture-only port does not teach the FDB. */
	p.learn = false;
	assert_int_equal(fwd_port_set(&e->t, P2, &p), 0);
	r = ingress(e, P2, bcast, mac_c, -1);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_int_equal(fdb_lookup(e->fdb, mac_c, 20, e->now), -ENOENT);

	/* A full FDB forwards what it cannot learn. */
	for (unsigned i = 0; fdb_count(e->fdb) < 64; i++) {
		m[5] = (uint8_t)i;
		assert_int_equal(fdb_learn(e->fdb, m, 99, P0, e->now), 1);
	}
	r = ingress(e, P0, bcast, mac_a, -1);
	assert_int_equal(r.drop, FWD_DROP_NONE);
	assert_int_equal(r.out_mask, BIT(P1) | BIT(TRUNK));
	assert_int_equal(fdb_lookup(e->fdb, mac_a, 10, e->now), -ENOENT);
}

static bool has_entry(const struct fdb_entry *v, unsigned n,
		      const uint8_t *mac, uint16_t vlan, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		if (!memcmp(v[i].mac, mac, 6) && v[i].vlan == vlan &&
		    v[i].port == port)
			return true;
	return false;
}

static void test_learned_except(void **state)
{
	struct env *e = *state;
	struct fdb_entry out[8];
	unsigned n;

	assert_int_equal(fwd_learned_except(&e->t, 0, out, 8), 0);
	ingress(e, P0, bcast, mac_a, -1);
	ingress(e, P1, bcast, mac_b, -1);
	ingress(e, P2, bcast, mac_c, -1);
	ingress(e, TRUNK, bcast, mac_d, 20);	/* behind the "team" */
	ingress(e, TRUNK, bcast, mac_a, 20);	/* same MAC, other VLAN */

	n = fwd_learned_except(&e->t, BIT(TRUNK), out, 8);
	assert_int_equal(n, 3);
	assert_true(has_entry(out, n, mac_a, 10, P0));
	assert_true(has_entry(out, n, mac_b, 10, P1));
	assert_true(has_entry(out, n, mac_c, 20, P2));

	n = fwd_learned_except(&e->t, BIT(TRUNK) | BIT(P0), out, 8);
	assert_int_equal(n, 2);
	assert_false(has_entry(out, n, mac_a, 10, P0));

	n = fwd_learned_except(&e->t, 0, out, 8);
	assert_int_equal(n, 5);
	assert_true(has_entry(out, n, mac_a, 20, TRUNK));
	/* Bounded by @max. */
	assert_int_equal(fwd_learned_except(&e->t, 0, out, 2), 2);
	assert_int_equal(fwd_learned_except(&e->t, 0, out, 0), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_broadcast_floods_vlan),
		T(test_unknown_then_known_unicast),
		T(test_same_port_filtered),
		T(test_vlan_isolation),
		T(test_trunk_access),
		T(test_drops),
		T(test_stacked_tags_dropped),
		T(test_link_local_and_no_dest),
		T(test_port_down_and_removal_flush),
		T(test_port_set_errors),
		T(test_mac_move),
		T(test_learning_off_and_fdb_full),
		T(test_learned_except),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
