// SPDX-License-Identifier: MIT
#include "net/arp.h"

#include <stddef.h>

#if __STDC_HOSTED__
#include <string.h>
#else
#include "rt/string.h"
#endif

void arp_cache_init(struct arp_cache *c, uint64_t lifetime)
{
	memset(c, 0, sizeof(*c));
	c->lifetime = lifetime;
}

static struct arp_entry *arp_cache_find(struct arp_cache *c, uint32_t ip)
{
	unsigned int i;

	for (i = 0; i < ARP_CACHE_SIZE; i++)
		if (c->e[i].ip == ip && ip != 0)
			return &c->e[i];
	return NULL;
}

bool arp_cache_lookup(const struct arp_cache *c, uint32_t ip,
		      uint8_t mac[6], uint64_t now)
{
	const struct arp_entry *e = arp_cache_find((struct arp_cache *)c, ip);

	if (!e || e->expires <= now)
		return false;
	memcpy(mac, e->mac, 6);
	return true;
}

void arp_cache_update(struct arp_cache *c, uint32_t ip, const uint8_t mac[6],
		      uint64_t now)
{
	struct arp_entry *e = arp_cache_find(c, ip);
	unsigned int i;

	if (ip == 0)
		return;
	if (!e) {
		e = &c->e[0];
		for (i = 0; i < ARP_CACHE_SIZE; i++) {
			if (c->e[i].ip == 0) {
				e = &c->e[i];
				break;
			}
			if (c->e[i].expires < e->expires)
				e = &c->e[i];
		}
	}
	e->ip = ip;
	memcpy(e->mac, mac, 6);
	e->expires = now + c->lifetime;
}

bool arp_cache_refresh(struct arp_cache *c, uint32_t ip,
		       const uint8_t mac[6], uint64_t now)
{
	struct arp_entry *e = arp_cache_find(c, ip);

	if (!e)
		return false;
	memcpy(e->mac, mac, 6);
	e->expires = now + c->lifetime;
	return true;
}

unsigned int arp_cache_count(const struct arp_cache *c, uint64_t now)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARP_CACHE_SIZE; i++)
		n += c->e[i].ip != 0 && c->e[i].expires > now;
	return n;
}
