// SPDX-License-Identifier: MIT
#include "net/proto.h"

#include "net/bytes.h"
#include "rt/errno.h"
#if __STDC_HOSTED__
#include <string.h>	/* host unit tests */
#else
#include "rt/string.h"
#endif

const uint8_t eth_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff };

/* An unaligned 64-bit load that the compiler may not turn into a call
 * (the guest has no builtins) and may alias anything. */
typedef uint64_t __attribute__((may_alias, aligned(1))) csum_u64;

uint64_t csum_partial(const void *data, size_t len, uint64_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = 0, w;
	size_t i = 0;

	/*
	 * The one's complement sum does not depend on byte order (RFC 1071,
	 * 2(B)): add 32-bit halves of words as the CPU loads them, fold to
	 * 16 bits, swap once. A 1.5 KB frame is then ~190 loads, not ~750
	 * byte pairs: the sender and a verifying sink pay it per frame.
	 */
	for (; i + 8 <= len; i += 8) {
		w = *(const csum_u64 *)(p + i);
		acc += (w & 0xffffffffu) + (w >> 32);
	}
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	sum += ((acc & 0xff) << 8) | (acc >> 8);
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint64_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
		     uint16_t len)
{
	return (uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) +
	       (dst & 0xffff) + proto + len;
}

static void net_parse_ip(const uint8_t *f, size_t len, struct net_rx *r)
{
	const uint8_t *ip = f + OFF_IP;
	unsigned int ihl;
	uint16_t frag;

	if (len < OFF_IP + IP_HLEN || ip[0] >> 4 != 4)
		return;
	ihl = (ip[0] & 0xf) * 4u;
	r->ip_len = get_be16(ip + 2);
	if (ihl < IP_HLEN || r->ip_len < ihl || (size_t)OFF_IP + r->ip_len > len ||
	    csum_fold(csum_partial(ip, ihl, 0)) != 0)
		return;
	r->ttl = ip[8];
	r->proto = ip[9];
	r->src_ip = get_be32(ip + 12);
	r->dst_ip = get_be32(ip + 16);
	r->l4_off = OFF_IP + ihl;
	r->l4_len = (uint16_t)(r->ip_len - ihl);
	r->kind = NET_OTHER;
	frag = get_be16(ip + 6);
	if (frag & 0x3fff)	/* MF or an offset: no reassembly here */
		return;
	if (r->proto == IP_PROTO_UDP) {
		const uint8_t *u = f + r->l4_off;
		uint16_t ulen;

		if (r->l4_len < UDP_HLEN)
			goto bad;
		ulen = get_be16(u + 4);
		if (ulen < UDP_HLEN || ulen > r->l4_len)
			goto bad;
		r->sport = get_be16(u);
		r->dport = get_be16(u + 2);
		r->payload_off = r->l4_off + UDP_HLEN;
		r->payload_len = (uint16_t)(ulen - UDP_HLEN);
		r->kind = NET_UDP;
	} else if (r->proto == IP_PROTO_ICMP) {
		const uint8_t *c = f + r->l4_off;

		if (r->l4_len < ICMP_HLEN)
			goto bad;
		r->icmp_type = c[0];
		r->icmp_code = c[1];
		r->icmp_id = get_be16(c + 4);
		r->icmp_seq = get_be16(c + 6);
		r->payload_off = r->l4_off + ICMP_HLEN;
		r->payload_len = (uint16_t)(r->l4_len - ICMP_HLEN);
		r->kind = NET_ICMP;
	}
	return;
bad:
	r->kind = NET_BAD;
}

void net_parse(const uint8_t *f, size_t len, struct net_rx *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = NET_BAD;
	if (len < ETH_HLEN)
		return;
	r->dst_mac = f;
	r->src_mac = f + ETH_ALEN;
	r->ethertype = get_be16(f + 12);
	if (r->ethertype == ETH_P_ARP) {
		if (len >= ETH_HLEN + ARP_LEN)
			r->kind = NET_ARP;
	} else if (r->ethertype == ETH_P_IPV4) {
		net_parse_ip(f, len, r);
	} else {
		r->kind = NET_OTHER;
	}
}

bool net_udp_csum_ok(const uint8_t *f, const struct net_rx *r)
{
	const uint8_t *u = f + r->l4_off;
	uint16_t ulen = (uint16_t)(r->payload_len + UDP_HLEN);

	if (get_be16(u + 6) == 0)
		return true;
	return csum_fold(csum_partial(u, ulen,
				      csum_pseudo(r->src_ip, r->dst_ip,
						  IP_PROTO_UDP, ulen))) == 0;
}

void eth_put(uint8_t *f, const uint8_t dst[ETH_ALEN],
	     const uint8_t src[ETH_ALEN], uint16_t type)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	put_be16(f + 12, type);
}

void ip_put(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
	    uint16_t payload_len, uint16_t id)
{
	uint8_t *ip = f + OFF_IP;

	ip[0] = 0x45;
	ip[1] = 0;
	put_be16(ip + 2, (uint16_t)(IP_HLEN + payload_len));
	put_be16(ip + 4, id);
	put_be16(ip + 6, 0x4000);	/* DF */
	ip[8] = IP_DEFAULT_TTL;
	ip[9] = proto;
	put_be16(ip + 10, 0);
	put_be32(ip + 12, src);
	put_be32(ip + 16, dst);
	put_be16(ip + 10, csum_fold(csum_partial(ip, IP_HLEN, 0)));
}

void udp_put(uint8_t *f, uint16_t sport, uint16_t dport,
	     uint16_t payload_len)
{
	uint8_t *u = f + OFF_L4;

	put_be16(u, sport);
	put_be16(u + 2, dport);
	put_be16(u + 4, (uint16_t)(UDP_HLEN + payload_len));
	put_be16(u + 6, 0);
}

void udp_csum_fill(uint8_t *f)
{
	uint8_t *ip = f + OFF_IP, *u = f + OFF_L4;
	uint16_t ulen = get_be16(u + 4), c;

	put_be16(u + 6, 0);
	c = csum_fold(csum_partial(u, ulen,
				   csum_pseudo(get_be32(ip + 12),
					       get_be32(ip + 16),
					       IP_PROTO_UDP, ulen)));
	/* 0 means "no checksum" in UDP over IPv4: send all ones */
	put_be16(u + 6, c ? c : 0xffff);
}

void icmp_csum_fill(uint8_t *f, uint16_t l4_len)
{
	uint8_t *c = f + OFF_L4;

	put_be16(c + 2, 0);
	put_be16(c + 2, csum_fold(csum_partial(c, l4_len, 0)));
}

void arp_put(uint8_t *f, uint16_t op, const uint8_t sha[ETH_ALEN],
	     uint32_t spa, const uint8_t tha[ETH_ALEN], uint32_t tpa)
{
	uint8_t *a = f + ETH_HLEN;

	put_be16(a, 1);			/* Ethernet */
	put_be16(a + 2, ETH_P_IPV4);
	a[4] = ETH_ALEN;
	a[5] = 4;
	put_be16(a + 6, op);
	memcpy(a + 8, sha, ETH_ALEN);
	put_be32(a + 14, spa);
	memcpy(a + 18, tha, ETH_ALEN);
	put_be32(a + 24, tpa);
}

int ip_parse(const char *s, uint32_t *ip, unsigned int *prefix)
{
	uint32_t v = 0;
	unsigned int part, i;

	for (i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (part = 0; *s >= '0' && *s <= '9'; s++) {
			part = part * 10 + (unsigned int)(*s - '0');
			if (part > 255)
				return -EINVAL;
		}
		v = v << 8 | part;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s == '/') {
		unsigned int p = 0;

		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++)
			p = p * 10 + (unsigned int)(*s - '0');
		if (p > 32)
			return -EINVAL;
		if (prefix)
			*prefix = p;
	}
	if (*s)
		return -EINVAL;
	*ip = v;
	return 0;
}

static char *ip_format_part(char *o, unsigned int v)
{
	if (v >= 100)
		*o++ = (char)('0' + v / 100);
	if (v >= 10)
		*o++ = (char)('0' + v / 10 % 10);
	*o++ = (char)('0' + v % 10);
	return o;
}

void ip_format(uint32_t ip, char out[16])
{
	char *o = out;
	int i;

	for (i = 3; i >= 0; i--) {
		o = ip_format_part(o, (ip >> (i * 8)) & 0xff);
		if (i)
			*o++ = '.';
	}
	*o = '\0';
}
