/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VEB_H
#define IOPATH_SRIOV_VEB_H

/*
 * The NIC's embedded switch (a VEB, as the 82576 datasheet's "VM to VM
 * packet forwarding (loopback)" and "anti-spoofing" describe it): up to
 * 7 VFs and the PF uplink. It decides; the NIC object moves the bytes.
 *
 * From a VF: the frame is checked first. A source MAC that is a group
 * address is always dropped; with spoof check on (the default) so is a
 * source MAC that is not the VF's, a tagged frame from a VF that has a
 * port VLAN, and a tag for a VLAN the VF has not registered (SET_VLAN).
 * With spoof check off, a port-VLAN VF's own tag stays inside the
 * frame: the port VLAN is what classifies it, so it cannot hop VLANs.
 * Then, inside the frame's VLAN: a unicast to another VF's MAC goes to
 * that VF only (never through the vswitch); broadcast and multicast go
 * to every other VF of the VLAN that accepts them and to the PF; any
 * other unicast goes to the PF. Unicast-promiscuous (trusted) VFs of the
 * VLAN get a copy of every unicast.
 *
 * From the PF: to the VF owning the destination MAC in the frame's
 * VLAN, or replicated to the VFs that accept a broadcast or multicast;
 * an unknown unicast is dropped.
 *
 * VLANs: a VF with a port VLAN P is a member of P only and sees its
 * frames untagged; a VF without one is a member of the untagged LAN
 * (VID 0) and of each VLAN it registered, and gets tagged frames with
 * the tag stripped and reported in the descriptor (VP).
 */

#include <stdbool.h>
#include <stdint.h>

#include "sriov/vf_cfg.h"

#define VEB_MAX_VFS	7	/* igb's limit for the 82576 */

enum veb_drop {
	VEB_FWD,		/* not dropped */
	VEB_DROP_RUNT,		/* shorter than an Ethernet header */
	VEB_DROP_SPOOF,		/* source MAC not the VF's, or a group one */
	VEB_DROP_VLAN,		/* a tag the VF may not send */
	VEB_DROP_LINK,		/* the VF is down or has not reset yet */
	VEB_DROP_UNKNOWN,	/* from the PF, to no VF */
};

/* A frame as the VEB classified it. */
struct veb_frame {
	uint8_t *data;		/* as sent or received, tag included */
	unsigned len;
	bool strip;		/* bytes 12..15 are the classifying tag */
	uint16_t tci;		/* VLAN (11:0) and PCP (15:13); VID 0 none */
};

struct veb_result {
	enum veb_drop drop;
	uint8_t vf_mask;	/* deliver to these VFs */
	uint8_t down_mask;	/* would have, but their link is down */
	bool to_pf;
};

struct veb {
	const struct vf_cfg *vf[VEB_MAX_VFS];
	unsigned nvfs;
};

static inline uint16_t veb_vid(uint16_t tci)
{
	return tci & 0xFFF;
}

static inline bool veb_is_broadcast(const uint8_t *mac)
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

/* VF @src sent @len bytes at @data; classify and decide. */
void veb_from_vf(const struct veb *veb, unsigned src, uint8_t *data,
		 unsigned len, struct veb_frame *f, struct veb_result *r);

/* The PF sent @len bytes at @data; classify and decide. */
void veb_from_pf(const struct veb *veb, const uint8_t *data, unsigned len,
		 struct veb_frame *f, struct veb_result *r);

/* The tag VF @dst's descriptor reports for @f (-1: none). */
int veb_rx_tci(const struct vf_cfg *dst, const struct veb_frame *f);

/*
 * The bytes the PF gets for a frame from a VF: tagged with the frame's
 * VLAN. May write a tag into the 4 bytes before f->data (the TX buffer's
 * headroom) and so overwrite the frame's first 8 bytes: deliver to the
 * VFs first. Returns the start, *@len the length.
 */
uint8_t *veb_pf_bytes(struct veb_frame *f, unsigned *len);

#endif
