// SPDX-License-Identifier: MIT
/*
 * The embedded switch's decisions (veb.h). With at most 7 VFs a linear
 * look at each is cheaper than any table and leaves nothing to age.
 */
#include <string.h>

#include "sriov/veb.h"

#define VEB_ETH_HLEN	14
#define VEB_TPID_8021Q	0x8100

static bool veb_tagged(const uint8_t *d, unsigned len)
{
	return len >= VEB_ETH_HLEN + 4 &&
	       (d[12] << 8 | d[13]) == VEB_TPID_8021Q;
}

static uint16_t veb_tag(const uint8_t *d)
{
	return (uint16_t)(d[14] << 8 | d[15]);
}

static bool veb_is_group(const uint8_t *mac)
{
	return mac[0] & 1;
}

/* Is @c a member of VLAN @vid? */
static bool veb_member(const struct vf_cfg *c, uint16_t vid)
{
	if (c->port_vlan)
		return vid == c->port_vlan;
	return vid == 0 || vf_cfg_bit(c->vlans, vid);
}

/* Would @c take a frame to @dst that is not addressed to it? */
static bool veb_accepts_group(const struct vf_cfg *c, const uint8_t *dst)
{
	if (veb_is_broadcast(dst))
		return true;
	return vf_cfg_mc_all(c) || vf_cfg_bit(c->mc, IGBVF_MC_HASH(dst));
}

static void veb_add(struct veb_result *r, const struct vf_cfg *c,
		    unsigned n)
{
	if (vf_cfg_running(c))
		r->vf_mask |= (uint8_t)(1u << n);
	else
		r->down_mask |= (uint8_t)(1u << n);
}

/*
 * The VFs other than @skip (VEB_MAX_VFS: none) that get @f, into @r.
 * Returns true if a unicast found its owner.
 */
static bool veb_lookup(const struct veb *veb, unsigned skip,
		       const struct veb_frame *f, struct veb_result *r)
{
	const uint8_t *dst = f->data;
	uint16_t vid = veb_vid(f->tci);
	bool group = veb_is_group(dst), owned = false;
	unsigned n;

	for (n = 0; n < veb->nvfs; n++) {
		const struct vf_cfg *c = veb->vf[n];

		if (n == skip || !c || !veb_member(c, vid))
			continue;
		if (group) {
			if (veb_accepts_group(c, dst))
				veb_add(r, c, n);
		} else if (!memcmp(c->mac, dst, 6)) {
			veb_add(r, c, n);
			owned = true;
		} else if (c->uc_promisc && c->trust) {
			veb_add(r, c, n);
		}
	}
	return owned;
}

void veb_from_vf(const struct veb *veb, unsigned src, uint8_t *data,
		 unsigned len, struct veb_frame *f, struct veb_result *r)
{
	const struct vf_cfg *c = veb->vf[src];
	bool tagged = veb_tagged(data, len);
	uint16_t tci = tagged ? veb_tag(data) : 0;

	memset(r, 0, sizeof(*r));
	*f = (struct veb_frame){ .data = data, .len = len };
	if (len < VEB_ETH_HLEN) {
		r->drop = VEB_DROP_RUNT;
		return;
	}
	if (!vf_cfg_running(c)) {
		r->drop = VEB_DROP_LINK;
		return;
	}
	if (veb_is_group(data + 6) ||
	    (c->spoofchk && memcmp(data + 6, c->mac, 6))) {
		r->drop = VEB_DROP_SPOOF;
		return;
	}
	if (c->port_vlan) {
		/* A tag of its own would be a VLAN hop; without spoof check
		 * it stays payload and the port VLAN still classifies. */
		if (tagged && c->spoofchk) {
			r->drop = VEB_DROP_VLAN;
			return;
		}
		f->tci = (uint16_t)(c->port_vlan | (c->port_qos & 7) << 13);
	} else if (tagged) {
		if (veb_vid(tci) && c->spoofchk &&
		    !vf_cfg_bit(c->vlans, veb_vid(tci))) {
			r->drop = VEB_DROP_VLAN;
			return;
		}
		f->strip = true;
		f->tci = tci;
	}

	/* Unicast to another VF stays inside; the rest goes up too. */
	if (!veb_lookup(veb, src, f, r) || veb_is_group(data))
		r->to_pf = true;
}

void veb_from_pf(const struct veb *veb, const uint8_t *data, unsigned len,
		 struct veb_frame *f, struct veb_result *r)
{
	memset(r, 0, sizeof(*r));
	*f = (struct veb_frame){ .data = (uint8_t *)data, .len = len };
	if (len < VEB_ETH_HLEN) {
		r->drop = VEB_DROP_RUNT;
		return;
	}
	if (veb_tagged(data, len)) {
		f->strip = true;
		f->tci = veb_tag(data);
	}
	veb_lookup(veb, VEB_MAX_VFS, f, r);
	if (!r->vf_mask && !r->down_mask)
		r->drop = VEB_DROP_UNKNOWN;
}

int veb_rx_tci(const struct vf_cfg *dst, const struct veb_frame *f)
{
	if (dst->port_vlan || !veb_vid(f->tci))
		return -1;
	return f->tci;
}

uint8_t *veb_pf_bytes(struct veb_frame *f, unsigned *len)
{
	uint8_t *n;

	*len = f->len;
	if (f->strip || !veb_vid(f->tci))
		return f->data;		/* its own tag, or untagged */
	/* The port VLAN goes outside whatever the frame carries. */
	n = f->data - 4;
	memmove(n, f->data, 12);
	n[12] = VEB_TPID_8021Q >> 8;
	n[13] = VEB_TPID_8021Q & 0xFF;
	n[14] = (uint8_t)(f->tci >> 8);
	n[15] = (uint8_t)f->tci;
	*len = f->len + 4;
	return n;
}
