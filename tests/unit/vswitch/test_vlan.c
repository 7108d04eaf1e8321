// SPDX-License-Identifier: MIT
/* 802.1Q ports: configuration, ingress classification, egress, retagging. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vswitch/vlan.h"

#define DST	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define SRC	0x02, 0x00, 0x00, 0x00, 0x00, 0x01

/* An untagged IPv4 frame header and a few payload bytes. */
static const uint8_t untagged[] = { DST, SRC, 0x08, 0x00, 0x45, 0x00, 0xaa };

/* The same frame with a tag (@tpid, @tci) in front of its type. */
static unsigned tagged_frame(uint8_t *buf, uint16_t tpid, uint16_t tci)
{
	static const uint8_t head[12] = { DST, SRC };

	memcpy(buf, head, 12);
	buf[12] = (uint8_t)(tpid >> 8);
	buf[13] = (uint8_t)tpid;
	buf[14] = (uint8_t)(tci >> 8);
	buf[15] = (uint8_t)tci;
	memcpy(buf + 16, untagged + 12, sizeof(untagged) - 12);
	return sizeof(untagged) + 4;
}

static void test_cfg(void **state)
{
	struct vlan_port_cfg c;

	assert_int_equal(vlan_cfg_access(&c, 0), -EINVAL);
	assert_int_equal(vlan_cfg_access(&c, 4095), -EINVAL);
	assert_int_equal(vlan_cfg_access(&c, 10), 0);
	assert_true(vlan_cfg_carries(&c, 10));
	assert_false(vlan_cfg_carries(&c, 11));
	/* Only trunks have an allowed list. */
	assert_int_equal(vlan_cfg_allow(&c, 11, true), -EINVAL);

	assert_int_equal(vlan_cfg_trunk(&c, 4095), -EINVAL);
	assert_int_equal(vlan_cfg_trunk(&c, 0), 0);
	assert_false(vlan_cfg_carries(&c, 1));
	assert_int_equal(vlan_cfg_allow(&c, 0, true), -EINVAL);
	assert_int_equal(vlan_cfg_allow(&c, 4095, true), -EINVAL);
	assert_int_equal(vlan_cfg_allow(&c, 4094, true), 0);
	assert_int_equal(vlan_cfg_allow(&c, 1, true), 0);
	assert_int_equal(vlan_cfg_allow(&c, 64, true), 0);
	assert_true(vlan_cfg_carries(&c, 1));
	assert_true(vlan_cfg_carries(&c, 64));
	assert_true(vlan_cfg_carries(&c, 4094));
	assert_false(vlan_cfg_carries(&c, 63));
	assert_false(vlan_cfg_carries(&c, 65));
	assert_false(vlan_cfg_carries(&c, 4095));
	assert_false(vlan_cfg_carries(&c, 0));
	assert_int_equal(vlan_cfg_allow(&c, 64, false), 0);
	assert_false(vlan_cfg_carries(&c, 64));

	/* The native VLAN is carried from the start. */
	assert_int_equal(vlan_cfg_trunk(&c, 7), 0);
	assert_true(vlan_cfg_carries(&c, 7));
	assert_false(vlan_cfg_carries(&c, 1));
}

static void test_ingress_access(void **state)
{
	struct vlan_port_cfg c;
	uint8_t f[64];
	unsigned n;
	uint16_t vid;
	bool tagged;

	vlan_cfg_access(&c, 10);
	assert_int_equal(vlan_ingress(&c, untagged, sizeof(untagged), &vid,
				      &tagged), VLAN_OK);
	assert_int_equal(vid, 10);
	assert_false(tagged);

	/* Priority-tagged: classified by port, but the tag is reported. */
	n = tagged_frame(f, ETH_P_8021Q, 0xa000);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged), VLAN_OK);
	assert_int_equal(vid, 10);
	assert_true(tagged);

	/* Tagged, even with the port's own VID: refused on access. */
	n = tagged_frame(f, ETH_P_8021Q, 10);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged),
			 VLAN_DROP_TAGGED_ON_ACCESS);
	n = tagged_frame(f, ETH_P_8021Q, 20);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged),
			 VLAN_DROP_TAGGED_ON_ACCESS);
}

static void test_ingress_trunk(void **state)
{
	struct vlan_port_cfg c;
	uint8_t f[64];
	unsigned n;
	uint16_t vid;
	bool tagged;

	vlan_cfg_trunk(&c, 0);
	vlan_cfg_allow(&c, 20, true);
	vlan_cfg_allow(&c, 4094, true);

	n = tagged_frame(f, ETH_P_8021Q, 0xb000 | 20);	/* PCP 5, DEI 1 */
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged), VLAN_OK);
	assert_int_equal(vid, 20);
	assert_true(tagged);
	n = tagged_frame(f, ETH_P_8021Q, 4094);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged), VLAN_OK);
	assert_int_equal(vid, 4094);
	n = tagged_frame(f, ETH_P_8021Q, 21);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged),
			 VLAN_DROP_NOT_ALLOWED);

	/* No native VLAN: untagged and priority-tagged have nowhere to go. */
	assert_int_equal(vlan_ingress(&c, untagged, sizeof(untagged), &vid,
				      &tagged), VLAN_DROP_UNTAGGED);
	n = tagged_frame(f, ETH_P_8021Q, 0x2000);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged),
			 VLAN_DROP_UNTAGGED);

	/* Native VLAN 30: untagged and priority-tagged land there. */
	vlan_cfg_trunk(&c, 30);
	vlan_cfg_allow(&c, 20, true);
	assert_int_equal(vlan_ingress(&c, untagged, sizeof(untagged), &vid,
				      &tagged), VLAN_OK);
	assert_int_equal(vid, 30);
	assert_false(tagged);
	n = tagged_frame(f, ETH_P_8021Q, 0x2000);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged), VLAN_OK);
	assert_int_equal(vid, 30);
	assert_true(tagged);
	/* A frame tagged with the native VID is accepted as it is. */
	n = tagged_frame(f, ETH_P_8021Q, 30);
	assert_int_equal(vlan_ingress(&c, f, n, &vid, &tagged), VLAN_OK);
	assert_int_equal(vid, 30);

	/* The native VLAN disallowed: untagged frames are not allowed. */
	vlan_cfg_allow(&c, 30, false);
	assert_int_equal(vlan_ingress(&c, untagged, sizeof(untagged), &vid,
				      &tagged), VLAN_DROP_NOT_ALLOWED);
}

static void test_ingress_bad_tags(void **state)
{
	struct vlan_port_cfg trunk, access;
	uint8_t f[64];
	unsigned n;
	uint16_t vid = 99;
	bool tagged = true;

	vlan_cfg_trunk(&trunk, 1);
	vlan_cfg_allow(&trunk, 20, true);
	vlan_cfg_access(&access, 1);

	/* VID 4095 is reserved (802.1Q Table 9-2), whatever the port. */
	n = tagged_frame(f, ETH_P_8021Q, 0xffff);
	assert_int_equal(vlan_ingress(&trunk, f, n, &vid, &tagged),
			 VLAN_DROP_BAD_TAG);
	assert_int_equal(vlan_ingress(&access, f, n, &vid, &tagged),
			 VLAN_DROP_BAD_TAG);

	/* QinQ: an 802.1ad S-tag outside, whatever is inside. */
	n = tagged_frame(f, ETH_P_8021AD, 20);
	assert_int_equal(vlan_ingress(&trunk, f, n, &vid, &tagged),
			 VLAN_DROP_STACKED);
	assert_int_equal(vlan_ingress(&access, f, n, &vid, &tagged),
			 VLAN_DROP_STACKED);
	assert_int_equal(vlan_ingress(&access, f, 14, &vid, &tagged),
			 VLAN_DROP_STACKED);

	/* A TPID with no room for its TCI and inner type. */
	n = tagged_frame(f, ETH_P_8021Q, 20);
	for (unsigned len = 14; len < 18; len++)
		assert_int_equal(vlan_ingress(&trunk, f, len, &vid, &tagged),
				 VLAN_DROP_BAD_TAG);
	assert_int_equal(vlan_ingress(&trunk, f, 18, &vid, &tagged), VLAN_OK);
	/* Shorter than a header at all. */
	assert_int_equal(vlan_ingress(&trunk, f, 13, &vid, &tagged),
			 VLAN_DROP_BAD_TAG);
	assert_int_equal(vid, 0);
	assert_false(tagged);
}

/* A tag inside the tag: the double-tagging hop, refused on every port. */
static void test_ingress_stacked(void **state)
{
	static const uint16_t tpids[] = { ETH_P_8021Q, ETH_P_8021AD,
					  ETH_P_QINQ1 };
	struct vlan_port_cfg trunk, access;
	uint8_t f[64];
	unsigned n;
	uint16_t vid;
	bool tagged;

	vlan_cfg_trunk(&trunk, 1);
	vlan_cfg_allow(&trunk, 200, true);
	vlan_cfg_access(&access, 1);
	for (unsigned i = 0; i < 3; i++) {
		/* Outer VID 1 (the native VLAN), inner VID 200. */
		n = tagged_frame(f, ETH_P_8021Q, 1);
		f[16] = (uint8_t)(tpids[i] >> 8);
		f[17] = (uint8_t)tpids[i];
		f[18] = 0;
		f[19] = 200;
		assert_int_equal(vlan_ingress(&trunk, f, n, &vid, &tagged),
				 VLAN_DROP_STACKED);
		/* Under a priority tag, which egress would strip too. */
		f[14] = 0xe0;
		f[15] = 0;
		assert_int_equal(vlan_ingress(&access, f, n, &vid, &tagged),
				 VLAN_DROP_STACKED);
		assert_int_equal(vlan_ingress(&trunk, f, n, &vid, &tagged),
				 VLAN_DROP_STACKED);
		/* An outer S-tag of any flavour. */
		n = tagged_frame(f, tpids[i], 1);
		if (tpids[i] != ETH_P_8021Q)
			assert_int_equal(vlan_ingress(&trunk, f, n, &vid,
						      &tagged),
					 VLAN_DROP_STACKED);
	}
	assert_true(vlan_tpid_is_tag(0x8100));
	assert_true(vlan_tpid_is_tag(0x88a8));
	assert_true(vlan_tpid_is_tag(0x9100));
	assert_false(vlan_tpid_is_tag(0x0800));
	assert_false(vlan_tpid_is_tag(0x86dd));
}

/* Egress never strips a tag to expose another, whatever ingress let by. */
static void test_retag_never_exposes(void **state)
{
	uint8_t buf[64], ref[64];
	unsigned len, n;

	n = tagged_frame(buf, ETH_P_8021Q, 1);
	buf[16] = 0x88;
	buf[17] = 0xa8;
	memcpy(ref, buf, n);
	len = n;
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, false, 0),
			 -EPROTO);
	assert_int_equal(len, n);
	assert_memory_equal(buf, ref, n);
	/* Rewriting the outer VID is fine (a trunk keeps both tags). */
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 5), 0);
	assert_int_equal(len, n);
}

static void test_egress(void **state)
{
	struct vlan_port_cfg c;

	vlan_cfg_access(&c, 10);
	assert_int_equal(vlan_egress_tagged(&c, 10), 0);
	assert_int_equal(vlan_egress_tagged(&c, 11), -EINVAL);

	vlan_cfg_trunk(&c, 30);
	vlan_cfg_allow(&c, 20, true);
	assert_int_equal(vlan_egress_tagged(&c, 20), 1);
	assert_int_equal(vlan_egress_tagged(&c, 30), 0);	/* native */
	assert_int_equal(vlan_egress_tagged(&c, 21), -EINVAL);
	assert_int_equal(vlan_egress_tagged(&c, 0), -EINVAL);
	assert_int_equal(vlan_egress_tagged(&c, 4095), -EINVAL);

	vlan_cfg_trunk(&c, 0);
	vlan_cfg_allow(&c, 20, true);
	assert_int_equal(vlan_egress_tagged(&c, 20), 1);
}

static void test_retag_insert(void **state)
{
	static const uint8_t want[] = {
		DST, SRC, 0x81, 0x00, 0x0f, 0xfe, 0x08, 0x00, 0x45, 0x00, 0xaa,
	};
	uint8_t buf[64] = { 0 };
	unsigned len = sizeof(untagged);

	memcpy(buf, untagged, len);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 4094), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	/* Exactly 4 bytes of room is enough; 3 is not. */
	len = sizeof(untagged);
	memcpy(buf, untagged, len);
	assert_int_equal(vlan_retag(buf, len + 3, &len, true, 5), -ENOSPC);
	assert_int_equal(len, sizeof(untagged));
	assert_memory_equal(buf, untagged, len);
	assert_int_equal(vlan_retag(buf, len + 4, &len, true, 5), 0);
	assert_int_equal(len, sizeof(untagged) + 4);
	assert_int_equal(buf[15], 5);

	/* A bare header grows by the tag only. */
	len = 14;
	memcpy(buf, untagged, len);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 0x123), 0);
	assert_int_equal(len, 18);
	assert_memory_equal(buf, want, 12);
	assert_int_equal(buf[14], 0x01);
	assert_int_equal(buf[15], 0x23);
	assert_int_equal(buf[16], 0x08);
	assert_int_equal(buf[17], 0x00);
}

static void test_retag_remove_rewrite(void **state)
{
	uint8_t buf[64];
	uint8_t ref[64];
	unsigned len;

	/* Remove: back to exactly the untagged frame. */
	len = tagged_frame(buf, ETH_P_8021Q, 0xb000 | 20);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, false, 0), 0);
	assert_int_equal(len, sizeof(untagged));
	assert_memory_equal(buf, untagged, len);

	/* Untagging an untagged frame changes nothing. */
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, false, 0), 0);
	assert_int_equal(len, sizeof(untagged));
	assert_memory_equal(buf, untagged, len);

	/* Rewrite the VID, keep PCP 5 and DEI; nothing else moves. */
	len = tagged_frame(buf, ETH_P_8021Q, 0xb000 | 20);
	tagged_frame(ref, ETH_P_8021Q, 0xb000 | 0x0fa);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 0x0fa), 0);
	assert_int_equal(len, sizeof(untagged) + 4);
	assert_memory_equal(buf, ref, len);

	/* A priority tag gets its VID filled in. */
	len = tagged_frame(buf, ETH_P_8021Q, 0x6000);
	tagged_frame(ref, ETH_P_8021Q, 0x6000 | 30);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 30), 0);
	assert_memory_equal(buf, ref, len);

	/* Malformed input is refused, not guessed at. */
	len = 13;
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, false, 0), -EINVAL);
	len = 16;		/* TPID but no whole tag */
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, false, 0), -EINVAL);
	len = sizeof(untagged);
	memcpy(buf, untagged, len);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 0), -EINVAL);
	assert_int_equal(vlan_retag(buf, sizeof(buf), &len, true, 4095),
			 -EINVAL);
	assert_int_equal(vlan_retag(buf, len - 1, &len, false, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg),
		cmocka_unit_test(test_ingress_access),
		cmocka_unit_test(test_ingress_trunk),
		cmocka_unit_test(test_ingress_bad_tags),
		cmocka_unit_test(test_ingress_stacked),
		cmocka_unit_test(test_egress),
		cmocka_unit_test(test_retag_insert),
		cmocka_unit_test(test_retag_remove_rewrite),
		cmocka_unit_test(test_retag_never_exposes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
