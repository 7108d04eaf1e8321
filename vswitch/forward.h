/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_FORWARD_H
#define IOPATH_VSWITCH_FORWARD_H

/*
 * The forwarding decision of an 802.1Q/802.1D learning bridge, one frame
 * at a time: validate, classify into a VLAN, learn the source, choose the
 * egress ports. Plain C, no DPDK, no allocation; the DPDK switch calls
 * fwd_decide() per received frame and does the I/O, the egress tagging
 * and the counting.
 *
 * Egress tagging is the caller's: for each port p in out_mask, tag =
 * vlan_egress_tagged(&t->ports[p].vlan, r.vid), then vlan_retag() on that
 * port's copy when r.in_tagged or tag (vlan_retag leaves a frame already
 * in shape alone, and rewrites a priority tag's VID 0).
 *
 * Ports are changed only through fwd_port_*(): the table keeps a derived
 * member mask per VLAN so that a flood costs one load, not a port scan.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vswitch/fdb.h"
#include "vswitch/vlan.h"

#define FWD_MAX_PORTS	64

struct fwd_port {
	bool present;
	bool up;		/* link and admin up */
	bool learn;		/* learn sources (off: capture-only port) */
	struct vlan_port_cfg vlan;
};

struct fwd_table {
	struct fwd_port ports[FWD_MAX_PORTS];
	struct fdb *fdb;
	unsigned mtu;		/* L3 MTU for frame_check (0: 1500) */
	/* Derived: bit p set if port p is present, up and carries the VID. */
	uint64_t vlan_members[VLAN_VID_MAX + 1];
};

enum fwd_drop {
	FWD_DROP_NONE,
	FWD_DROP_RUNT,
	FWD_DROP_OVERSIZED,
	FWD_DROP_BAD_SRC,
	FWD_DROP_VLAN_TAGGED_ON_ACCESS,
	FWD_DROP_VLAN_NOT_ALLOWED,
	FWD_DROP_VLAN_UNTAGGED,
	FWD_DROP_VLAN_BAD_TAG,
	FWD_DROP_PORT_DOWN,	/* ingress port absent or down */
	FWD_DROP_SAME_PORT,	/* destination is behind the ingress port */
	FWD_DROP_NO_DEST,	/* flood set empty */
	FWD_DROP_LINK_LOCAL,	/* 01-80-C2-00-00-0x: never relayed */
	FWD_DROP_VLAN_QINQ,	/* S-tag or stacked tags (vlan.h policy) */
	FWD_DROP_REASONS
};

/* Short names for counters and "show ports": "runt", "same_port", ... */
extern const char *const fwd_drop_names[FWD_DROP_REASONS];

struct fwd_result {
	enum fwd_drop drop;
	uint16_t vid;		/* internal VID, once ingress passed */
	bool in_tagged;		/* 802.1Q tag on the wire (maybe VID 0) */
	uint64_t out_mask;	/* egress ports, bit per port; 0: dropped */
	bool flooded;		/* out_mask is the VLAN's flood set */
};

/* An empty table over @fdb (owned by the caller). 0 or -EINVAL. */
int fwd_init(struct fwd_table *t, struct fdb *fdb, unsigned mtu);

/*
 * Decide where a frame arriving on @in_port goes; learns its source
 * (a full FDB does not drop the frame: it is forwarded, not learned).
 * Broadcast, multicast and unknown unicast flood to every port that is
 * present, up and carries the VID, except the ingress port; known
 * unicast goes to its port, is filtered if that is the ingress port, and
 * floods if that port cannot take it (down or not on the VLAN).
 */
void fwd_decide(struct fwd_table *t, unsigned in_port, const uint8_t *frame,
		unsigned len, uint64_t now_ns, struct fwd_result *r);

/*
 * Add or reconfigure @port (0..FWD_MAX_PORTS-1) from @p; the port is
 * present afterwards whatever p->present says. If an existing port goes
 * down or changes VLANs, what was learned behind it is forgotten
 * (802.1D: entries for a port that stops forwarding are flushed).
 * 0 or -EINVAL (bad port number or VLAN configuration).
 */
int fwd_port_set(struct fwd_table *t, unsigned port, const struct fwd_port *p);
/* Link or admin state change; down flushes learned entries. 0 or -ENOENT. */
int fwd_port_set_up(struct fwd_table *t, unsigned port, bool up);
/* Remove @port and every FDB entry behind it, static ones included. */
void fwd_port_remove(struct fwd_table *t, unsigned port);

/*
 * FDB entries on every VLAN that are NOT behind a port in
 * @port_mask_to_exclude, up to @max into @out; returns how many were
 * written. After a team fails over the switch announces these MACs out
 * of the team (as OVS does), so the outside network relearns where they
 * are. Call fdb_age() first so idle stations are not announced.
 */
unsigned fwd_learned_except(struct fwd_table *t, uint64_t port_mask_to_exclude,
			    struct fdb_entry *out, unsigned max);

#endif
