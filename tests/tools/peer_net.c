// SPDX-License-Identifier: MIT
/* Ethernet, ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792), UDP (RFC 768). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tools/peer_net.h"

const uint8_t net_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- big-endian field access (frames may be unaligned) ---- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- text ---- */

int net_parse_ipv4(const char *s, uint32_t *ip, int *prefix)
{
	char addr[16], *end;
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct in_addr a;
	long pl = -1;

	if (n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	if (slash) {
		pl = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || pl < 0 || pl > 32)
			return -EINVAL;
	}
	*ip = ntohl(a.s_addr);
	if (prefix)
		*prefix = (int)pl;
	return 0;
}

void net_format_ipv4(uint32_t ip, char *buf)
{
	sprintf(buf, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		(ip >> 8) & 0xff, ip & 0xff);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int net_parse_hex(const char *s, uint8_t *buf, size_t max)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (*s == ' ' || *s == ':' || *s == '-')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return -EINVAL;
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -EINVAL;
}

/* ---- checksums ---- */

static uint32_t csum_add(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += get16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

uint16_t net_csum(const void *data, size_t len, uint32_t sum)
{
	sum = csum_add(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP pseudo-header (RFC 768) summed, not folded. */
static uint32_t pseudo_sum(uint32_t sip, uint32_t dip, uint8_t proto,
			   uint16_t len)
{
	return (sip >> 16) + (sip & 0xffff) + (dip >> 16) + (dip & 0xffff) +
	       proto + len;
}

/* ---- builders ---- */

static uint8_t *build_eth(uint8_t *buf, const uint8_t *dst,
			  const uint8_t *src, uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, type);
	return buf + NET_ETH_HLEN;
}

static uint8_t *build_ipv4(uint8_t *ip, uint32_t sip, uint32_t dip,
			   uint8_t proto, size_t l4_len, uint16_t ip_id)
{
	ip[0] = 0x45;		/* version 4, 5 words */
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(20 + l4_len));
	put16(ip + 4, ip_id);
	put16(ip + 6, 0x4000);	/* DF: we never fragment */
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, sip);
	put32(ip + 16, dip);
	put16(ip + 10, net_csum(ip, 20, 0));
	return ip + 20;
}

static size_t pad(uint8_t *buf, size_t len)
{
	if (len < NET_ETH_ZLEN) {
		memset(buf + len, 0, NET_ETH_ZLEN - len);
		len = NET_ETH_ZLEN;
	}
	return len;
}

size_t net_build_arp(uint8_t *buf, uint16_t op, const uint8_t *eth_dst,
		     const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		     uint32_t tpa)
{
	uint8_t *a = build_eth(buf, eth_dst, sha, NET_ETHERTYPE_ARP);

	put16(a, 1);			/* Ethernet */
	put16(a + 2, NET_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	put32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tpa);
	return pad(buf, NET_ETH_HLEN + 28);
}

size_t net_build_udp(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
		     uint32_t sip, uint32_t dip, uint16_t sport,
		     uint16_t dport, const void *payload, size_t len,
		     uint16_t ip_id)
{
	uint8_t *u = build_eth(buf, dst, src, NET_ETHERTYPE_IPV4);
	uint16_t ulen = (uint16_t)(8 + len), c;

	u = build_ipv4(u, sip, dip, NET_IPPROTO_UDP, ulen, ip_id);
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, ulen);
	put16(u + 6, 0);
	memcpy(u + 8, payload, len);
	c = net_csum(u, ulen, pseudo_sum(sip, dip, NET_IPPROTO_UDP, ulen));
	put16(u + 6, c ? c : 0xffff);	/* 0 means "no checksum" */
	return pad(buf, NET_UDP_HDRS + len);
}

size_t net_build_icmp_echo(uint8_t *buf, const uint8_t *dst,
			   const uint8_t *src, uint32_t sip, uint32_t dip,
			   uint8_t type, uint16_t id, uint16_t seq,
			   const void *data, size_t len, uint16_t ip_id)
{
	uint8_t *i = build_eth(buf, dst, src, NET_ETHERTYPE_IPV4);

	i = build_ipv4(i, sip, dip, NET_IPPROTO_ICMP, 8 + len, ip_id);
	i[0] = type;
	i[1] = 0;
	put16(i + 2, 0);
	put16(i + 4, id);
	put16(i + 6, seq);
	memcpy(i + 8, data, len);
	put16(i + 2, net_csum(i, 8 + len, 0));
	return pad(buf, NET_ETH_HLEN + 20 + 8 + len);
}

/* ---- parser ---- */

static void parse_arp(const uint8_t *a, size_t len, struct net_pkt *p)
{
	if (len < 28 || get16(a) != 1 || get16(a + 2) != NET_ETHERTYPE_IPV4 ||
	    a[4] != 6 || a[5] != 4)
		return;
	p->is_arp = true;
	p->arp_op = get16(a + 6);
	p->arp_sha = a + 8;
	p->arp_spa = get32(a + 14);
	p->arp_tha = a + 18;
	p->arp_tpa = get32(a + 24);
}

static void parse_l4(const uint8_t *l4, size_t len, struct net_pkt *p)
{
	if (p->ip_proto == NET_IPPROTO_ICMP) {
		if (len < 8 || net_csum(l4, len, 0) != 0)
			return;
		p->is_icmp = true;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		p->icmp_id = get16(l4 + 4);
		p->icmp_seq = get16(l4 + 6);
		p->icmp_data = l4 + 8;
		p->icmp_data_len = len - 8;
	} else if (p->ip_proto == NET_IPPROTO_UDP) {
		uint16_t ulen;

		if (len < 8)
			return;
		ulen = get16(l4 + 4);
		if (ulen < 8 || ulen > len)
			return;
		/* Checksum 0: the sender did not compute one (RFC 768). */
		if (get16(l4 + 6) != 0 &&
		    net_csum(l4, ulen, pseudo_sum(p->ip_src, p->ip_dst,
						  NET_IPPROTO_UDP, ulen)) != 0)
			return;
		p->is_udp = true;
		p->udp_sport = get16(l4);
		p->udp_dport = get16(l4 + 2);
		p->udp_data = l4 + 8;
		p->udp_data_len = ulen - 8u;
	}
}

static void parse_ipv4(const uint8_t *ip, size_t len, struct net_pkt *p)
{
	size_t ihl, tot;

	if (len < 20 || ip[0] >> 4 != 4)
		return;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	/* Trailing bytes past tot_len are Ethernet padding. */
	if (ihl < 20 || tot < ihl || tot > len || net_csum(ip, ihl, 0) != 0)
		return;
	p->is_ipv4 = true;
	p->ip_ttl = ip[8];
	p->ip_proto = ip[9];
	p->ip_src = get32(ip + 12);
	p->ip_dst = get32(ip + 16);
	/* Fragments other than a whole datagram are not ours to reassemble. */
	if ((get16(ip + 6) & 0x3fff) != 0)
		return;
	parse_l4(ip + ihl, tot - ihl, p);
}

int net_parse(const uint8_t *frame, size_t len, struct net_pkt *out)
{
	size_t off = NET_ETH_HLEN;

	memset(out, 0, sizeof(*out));
	if (len < NET_ETH_HLEN)
		return -EINVAL;
	out->dst = frame;
	out->src = frame + 6;
	out->ethertype = get16(frame + 12);
	if (out->ethertype == NET_ETHERTYPE_VLAN) {
		if (len < NET_ETH_HLEN + NET_VLAN_HLEN)
			return -EINVAL;
		out->tagged = true;
		out->vid = get16(frame + 14) & 0x0fff;
		out->ethertype = get16(frame + 16);
		off += NET_VLAN_HLEN;
	}
	if (out->ethertype == NET_ETHERTYPE_ARP)
		parse_arp(frame + off, len - off, out);
	else if (out->ethertype == NET_ETHERTYPE_IPV4)
		parse_ipv4(frame + off, len - off, out);
	return 0;
}

size_t net_vlan_push(uint8_t *buf, size_t len, uint16_t vid)
{
	memmove(buf + 16, buf + 12, len - 12);
	put16(buf + 12, NET_ETHERTYPE_VLAN);
	put16(buf + 14, vid & 0x0fff);	/* PCP 0, DEI 0 */
	return len + NET_VLAN_HLEN;
}

size_t net_vlan_pop(uint8_t *buf, size_t len)
{
	if (len < NET_ETH_HLEN + NET_VLAN_HLEN ||
	    get16(buf + 12) != NET_ETHERTYPE_VLAN)
		return len;
	memmove(buf + 12, buf + 16, len - 16);
	return len - NET_VLAN_HLEN;
}
