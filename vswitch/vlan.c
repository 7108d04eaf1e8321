// SPDX-License-Identifier: MIT
/*
 * 802.1Q port VLAN membership, ingress classification and egress tagging.
 * The switch is a C-VLAN bridge: it understands one customer tag (TPID
 * 0x8100) right after the source MAC and nothing outside it.
 */
#include <errno.h>
#include <string.h>

#include "vswitch/frame_check.h"
#include "vswitch/vlan.h"

#define VLAN_VID_MASK	0x0fff
#define VLAN_VID_RESERVED 0x0fff	/* 802.1Q Table 9-2: never a VLAN */
/* A tagged frame needs its TPID, TCI and the inner type: 18 bytes. */
#define VLAN_TAG_END	(ETH_HLEN + ETH_VLAN_HLEN)

static uint16_t vlan_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void vlan_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool vlan_vid_ok(uint16_t vid)
{
	return vid >= 1 && vid <= VLAN_VID_MAX;
}

int vlan_cfg_access(struct vlan_port_cfg *c, uint16_t vid)
{
	if (!vlan_vid_ok(vid))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->mode = VLAN_MODE_ACCESS;
	c->vid = vid;
	return 0;
}

int vlan_cfg_trunk(struct vlan_port_cfg *c, uint16_t native_vid)
{
	if (native_vid && !vlan_vid_ok(native_vid))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->mode = VLAN_MODE_TRUNK;
	c->vid = native_vid;
	if (native_vid)
		c->allowed[native_vid / 64] |= 1ull << (native_vid % 64);
	return 0;
}

int vlan_cfg_allow(struct vlan_port_cfg *c, uint16_t vid, bool allow)
{
	if (c->mode != VLAN_MODE_TRUNK || !vlan_vid_ok(vid))
		return -EINVAL;
	if (allow)
		c->allowed[vid / 64] |= 1ull << (vid % 64);
	else
		c->allowed[vid / 64] &= ~(1ull << (vid % 64));
	return 0;
}

bool vlan_cfg_carries(const struct vlan_port_cfg *c, uint16_t vid)
{
	if (!vlan_vid_ok(vid))
		return false;
	if (c->mode == VLAN_MODE_ACCESS)
		return vid == c->vid;
	return c->allowed[vid / 64] >> (vid % 64) & 1;
}

bool vlan_tpid_is_tag(uint16_t type)
{
	return type == ETH_P_8021Q || type == ETH_P_8021AD ||
	       type == ETH_P_QINQ1;
}

/* An untagged or priority-tagged frame takes the port's VID (PVID). */
static int vlan_ingress_untagged(const struct vlan_port_cfg *c, uint16_t *vid)
{
	if (c->mode == VLAN_MODE_TRUNK) {
		if (!c->vid)
			return VLAN_DROP_UNTAGGED;
		if (!vlan_cfg_carries(c, c->vid))
			return VLAN_DROP_NOT_ALLOWED;
	}
	*vid = c->vid;
	return VLAN_OK;
}

int vlan_ingress(const struct vlan_port_cfg *c, const uint8_t *frame,
		 unsigned len, uint16_t *vid, bool *tagged)
{
	uint16_t type, tvid;

	*vid = 0;
	*tagged = false;
	if (len < ETH_HLEN)
		return VLAN_DROP_BAD_TAG;
	type = vlan_rd16(frame + 12);
	/*
	 * An S-tag belongs to a provider bridge (802.1ad); passing it
	 * through a C-VLAN bridge would let a guest smuggle frames into
	 * another VLAN's double-tagged domain (the policy in vlan.h).
	 */
	if (type != ETH_P_8021Q && vlan_tpid_is_tag(type))
		return VLAN_DROP_STACKED;
	if (type != ETH_P_8021Q)
		return vlan_ingress_untagged(c, vid);
	if (len < VLAN_TAG_END)
		return VLAN_DROP_BAD_TAG;
	/*
	 * A tag inside the tag: wherever this frame leaves untagged, the
	 * inner tag would be exposed (priority tags are stripped too).
	 */
	if (vlan_tpid_is_tag(vlan_rd16(frame + 16)))
		return VLAN_DROP_STACKED;
	*tagged = true;
	tvid = vlan_rd16(frame + 14) & VLAN_VID_MASK;
	if (tvid == VLAN_VID_RESERVED)
		return VLAN_DROP_BAD_TAG;
	/* VID 0 carries only a priority (802.1Q "priority-tagged"). */
	if (tvid == 0)
		return vlan_ingress_untagged(c, vid);
	/* Access ports admit only untagged and priority-tagged frames. */
	if (c->mode == VLAN_MODE_ACCESS)
		return VLAN_DROP_TAGGED_ON_ACCESS;
	if (!vlan_cfg_carries(c, tvid))
		return VLAN_DROP_NOT_ALLOWED;
	*vid = tvid;
	return VLAN_OK;
}

int vlan_egress_tagged(const struct vlan_port_cfg *c, uint16_t vid)
{
	if (!vlan_cfg_carries(c, vid))
		return -EINVAL;
	return c->mode == VLAN_MODE_TRUNK && vid != c->vid;
}

int vlan_retag(uint8_t *buf, unsigned cap, unsigned *len, bool tag,
	       uint16_t vid)
{
	unsigned n = *len;
	bool has;

	if (n < ETH_HLEN || n > cap || (tag && !vlan_vid_ok(vid)))
		return -EINVAL;
	has = vlan_rd16(buf + 12) == ETH_P_8021Q;
	if (has && n < VLAN_TAG_END)
		return -EINVAL;
	if (tag && has) {
		uint16_t tci = vlan_rd16(buf + 14);

		/* Keep PCP and DEI: the sender's priority survives. */
		vlan_wr16(buf + 14, (uint16_t)((tci & ~VLAN_VID_MASK) | vid));
		return 0;
	}
	if (tag) {
		if (cap - n < ETH_VLAN_HLEN)
			return -ENOSPC;
		memmove(buf + 12 + ETH_VLAN_HLEN, buf + 12, n - 12);
		vlan_wr16(buf + 12, ETH_P_8021Q);
		vlan_wr16(buf + 14, vid);
		*len = n + ETH_VLAN_HLEN;
		return 0;
	}
	if (has) {
		/* Ingress drops these; never let a strip expose a tag. */
		if (vlan_tpid_is_tag(vlan_rd16(buf + 16)))
			return -EPROTO;
		memmove(buf + 12, buf + 12 + ETH_VLAN_HLEN,
			n - 12 - ETH_VLAN_HLEN);
		*len = n - ETH_VLAN_HLEN;
	}
	return 0;
}
