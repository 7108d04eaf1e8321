/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_NET_ARP_H
#define IOPATH_GUEST_NET_ARP_H

/*
 * The ARP cache (RFC 826): IPv4 -> MAC with an expiry time. Time is
 * whatever monotonic unit the caller passes (the stack uses TSC ticks), so
 * the host unit tests drive it with plain numbers. A full cache replaces
 * the entry expiring first.
 */
#include <stdbool.h>
#include <stdint.h>

#define ARP_CACHE_SIZE	16

struct arp_entry {
	uint32_t ip;		/* 0: free */
	uint8_t mac[6];
	uint64_t expires;
};

struct arp_cache {
	struct arp_entry e[ARP_CACHE_SIZE];
	uint64_t lifetime;
};

void arp_cache_init(struct arp_cache *c, uint64_t lifetime);
/* true and *mac if ip has an entry that has not expired at now. */
bool arp_cache_lookup(const struct arp_cache *c, uint32_t ip,
		      uint8_t mac[6], uint64_t now);
/* Adds or refreshes ip -> mac until now + lifetime. */
void arp_cache_update(struct arp_cache *c, uint32_t ip, const uint8_t mac[6],
		      uint64_t now);
/* Refreshes ip only if it is cached (RFC 826's merge flag). true if so. */
bool arp_cache_refresh(struct arp_cache *c, uint32_t ip,
		       const uint8_t mac[6], uint64_t now);
unsigned int arp_cache_count(const struct arp_cache *c, uint64_t now);

#endif
