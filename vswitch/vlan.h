/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_VLAN_H
#define IOPATH_VSWITCH_VLAN_H

/*
 * 802.1Q on switch ports. An access port carries one VLAN untagged; a
 * trunk carries a set of VLANs tagged and optionally one native VLAN
 * untagged. Inside the switch every frame has a VLAN (the internal VID);
 * these functions decide it at ingress and decide the tag at egress.
 * Plain C over byte buffers, no DPDK.
 *
 * Stacked tags, the switch's policy: the switch is a C-VLAN bridge and
 * carries one 802.1Q tag at most. A frame whose outer type is a service
 * tag (802.1ad 0x88a8, or 0x9100), or whose 802.1Q tag (priority tags
 * included) is followed by another tag, is dropped at ingress and counted
 * (VLAN_DROP_STACKED, the port's "vlan_qinq" drops), on every kind of
 * port. Forwarding it would let a sender put a frame with a second tag
 * on a VLAN and have an access port strip the first one, exposing the
 * inner tag to a VM (the double-tagging VLAN hop). There is no other
 * policy yet.
 */

#include <stdbool.h>
#include <stdint.h>

#define VLAN_VID_MAX	4094
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8	/* spelt as in <linux/if_ether.h> */
#define ETH_P_QINQ1	0x9100	/* pre-802.1ad S-tag, still in the wild */

enum vlan_mode {
	VLAN_MODE_ACCESS,
	VLAN_MODE_TRUNK,
};

struct vlan_port_cfg {
	enum vlan_mode mode;
	uint16_t vid;		/* access: the VID; trunk: native, 0 = none */
	uint64_t allowed[64];	/* trunk: the allowed VIDs, a bit each */
};

/* Access port on @vid (1..4094). 0 or -EINVAL. */
int vlan_cfg_access(struct vlan_port_cfg *c, uint16_t vid);
/*
 * Trunk allowing only its native VID @native_vid (0: none) yet. 0 or
 * -EINVAL.
 */
int vlan_cfg_trunk(struct vlan_port_cfg *c, uint16_t native_vid);
/* Allow (or not) @vid on a trunk. 0 or -EINVAL. */
int vlan_cfg_allow(struct vlan_port_cfg *c, uint16_t vid, bool allow);
bool vlan_cfg_carries(const struct vlan_port_cfg *c, uint16_t vid);

enum vlan_verdict {
	VLAN_OK = 0,
	VLAN_DROP_TAGGED_ON_ACCESS = 1,	/* tagged frame on an access port */
	VLAN_DROP_NOT_ALLOWED = 2,	/* VID not carried by this trunk */
	VLAN_DROP_UNTAGGED = 3,		/* untagged on a trunk, no native */
	VLAN_DROP_BAD_TAG = 4,		/* VID 4095, truncated tag */
	VLAN_DROP_STACKED = 5,		/* S-tag, or a tag inside the tag */
};

/* True if @type (host order) is a VLAN tag's TPID: C, S or 0x9100. */
bool vlan_tpid_is_tag(uint16_t type);

/*
 * Classify a frame arriving on a port: the internal VID into *@vid, and
 * whether the frame carries an 802.1Q tag on the wire (*@tagged).
 * Priority-tagged frames (VID 0) are classified as untagged (the port's
 * VID or native VID) but still report *@tagged = true, because the
 * 4-byte tag is there and egress must rewrite or strip it. A trunk whose
 * native VID was disallowed drops untagged frames as NOT_ALLOWED.
 * Stacked tags are dropped as STACKED (the policy above). Returns enum
 * vlan_verdict.
 */
int vlan_ingress(const struct vlan_port_cfg *c, const uint8_t *frame,
		 unsigned len, uint16_t *vid, bool *tagged);

/*
 * Leaving on a port: whether the frame must carry a tag for @vid there
 * (true: trunk and not native). -EINVAL if the port does not carry @vid.
 */
int vlan_egress_tagged(const struct vlan_port_cfg *c, uint16_t vid);

/*
 * Rewrite a frame in @buf (capacity @cap, length *@len) to be tagged with
 * @vid or untagged, as @tag says: inserts, removes or rewrites the 802.1Q
 * tag after the source MAC; a rewrite keeps the priority bits. A frame
 * already in the wanted shape is left alone. The result is not padded
 * (frame_pad). Returns 0, -ENOSPC (no room for the tag), -EINVAL
 * (shorter than a header or its tag, bad @vid) or -EPROTO (removing the
 * tag would expose another tag: never put on the wire).
 */
int vlan_retag(uint8_t *buf, unsigned cap, unsigned *len, bool tag,
	       uint16_t vid);

#endif
