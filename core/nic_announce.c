// SPDX-License-Identifier: MIT
/* Announcement frames and timing after a migration (nic_announce.h). */
#include <string.h>

#include "core/nic_announce.h"

#define ETH_P_ARP_BE	0x08, 0x06
#define ETH_P_RARP_BE	0x80, 0x35

unsigned nic_announce_delay_ms(unsigned round)
{
	if (round == 0)
		return 0;
	return NIC_ANNOUNCE_INITIAL_MS + (round - 1) * NIC_ANNOUNCE_STEP_MS;
}

/* Broadcast Ethernet header and an ARP body for IPv4 over Ethernet
 * (RFC 826) with @op, both hardware addresses @mac, IPs 0.0.0.0. */
static void nic_announce_build(uint8_t *f, const uint8_t mac[6],
			       const uint8_t type[2], uint8_t op)
{
	static const uint8_t arp_head[6] = {
		0x00, 0x01,	/* hardware: Ethernet */
		0x08, 0x00,	/* protocol: IPv4 */
		6, 4,		/* address lengths */
	};

	memset(f, 0, NIC_ANNOUNCE_FRAME_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	memcpy(f + 12, type, 2);
	memcpy(f + 14, arp_head, sizeof(arp_head));
	f[20] = 0;
	f[21] = op;
	memcpy(f + 22, mac, 6);		/* sender hardware address */
	/* f[28..31]: sender IP 0.0.0.0 */
	/* RARP names itself as the target; ARP leaves it zero. */
	if (type[1] == 0x35)
		memcpy(f + 32, mac, 6);
	/* f[38..41]: target IP 0.0.0.0, then padding */
}

void nic_announce_rarp(uint8_t *frame, const uint8_t mac[6])
{
	static const uint8_t type[2] = { ETH_P_RARP_BE };

	nic_announce_build(frame, mac, type, 3);	/* request reverse */
}

void nic_announce_garp(uint8_t *frame, const uint8_t mac[6])
{
	static const uint8_t type[2] = { ETH_P_ARP_BE };

	nic_announce_build(frame, mac, type, 1);	/* request */
}
