/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_FRAME_CHECK_H
#define IOPATH_VSWITCH_FRAME_CHECK_H

/* Ethernet frame sanity at switch ingress. Plain C, no DPDK. */

#include <stdint.h>

#define ETH_HLEN		14
#define ETH_ZLEN		60	/* minimum frame without FCS */
#define ETH_FRAME_MAX		1514	/* untagged, without FCS */
#define ETH_VLAN_HLEN		4
#define ETH_DATA_LEN		1500	/* default MTU */

enum frame_verdict {
	FRAME_OK = 0,
	FRAME_RUNT = 1,		/* shorter than an Ethernet header */
	FRAME_OVERSIZED = 2,	/* longer than MTU + headers (+ one tag) */
	FRAME_BAD_SRC = 3,	/* source MAC multicast/broadcast or zero */
};

/*
 * Check a frame: @mtu is the L3 MTU (0 means the default, 1500). Frames
 * shorter than ETH_ZLEN but with a whole header are accepted (VMs and
 * veth do not pad; the switch pads them, frame_pad). One 802.1Q tag (0x8100)
 * earns its 4 bytes on top of the MTU. Verdicts are checked in the
 * order runt, oversized, bad source. Returns enum frame_verdict.
 */
int frame_check(const uint8_t *frame, unsigned len, unsigned mtu);

/*
 * Pad a frame in @buf (capacity @cap, length *@len) with zeros to ETH_ZLEN,
 * the 802.3 minimum without FCS, as a switch's MAC does on transmit: every
 * frame the switch sends is at least that long, whatever port kind it
 * came from. Returns 1 if padded, 0 if long enough, -ENOSPC if @cap is
 * too small (nothing changed).
 */
int frame_pad(uint8_t *buf, unsigned cap, unsigned *len);

static inline int mac_is_multicast(const uint8_t *mac)
{
	return mac[0] & 1;
}

#endif
