// SPDX-License-Identifier: MIT
/* Ethernet frame sanity at switch ingress: length and source address. */
#include <errno.h>
#include <string.h>

#include "vswitch/frame_check.h"
#include "vswitch/vlan.h"

int frame_check(const uint8_t *frame, unsigned len, unsigned mtu)
{
	static const uint8_t zero[6];
	const uint8_t *src = frame + 6;
	unsigned max;

	if (len < ETH_HLEN)
		return FRAME_RUNT;
	max = (mtu ? mtu : ETH_DATA_LEN) + ETH_HLEN;
	/* 802.3as: a tagged frame may be 4 bytes longer than an untagged. */
	if ((frame[12] << 8 | frame[13]) == ETH_P_8021Q)
		max += ETH_VLAN_HLEN;
	if (len > max)
		return FRAME_OVERSIZED;
	/*
	 * A group or all-zero source is no station: learning it would
	 * steer unicast to a bogus port, so such frames are dropped
	 * (802.3 3.2.3: the source address is always individual).
	 */
	if (mac_is_multicast(src) || memcmp(src, zero, sizeof(zero)) == 0)
		return FRAME_BAD_SRC;
	return FRAME_OK;
}

int frame_pad(uint8_t *buf, unsigned cap, unsigned *len)
{
	if (*len >= ETH_ZLEN)
		return 0;
	if (cap < ETH_ZLEN)
		return -ENOSPC;
	memset(buf + *len, 0, ETH_ZLEN - *len);
	*len = ETH_ZLEN;
	return 1;
}
