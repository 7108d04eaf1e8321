/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_NET_PROTO_H
#define IOPATH_GUEST_NET_PROTO_H

/*
 * Wire formats: Ethernet II, ARP (RFC 826), IPv4 (RFC 791), ICMP echo
 * (RFC 792), UDP (RFC 768), as offsets into the frame, plus the Internet
 * checksum (RFC 1071) and header builders/parsers. No state: the host
 * unit tests compile this file as it is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN		6
#define ETH_HLEN		14
#define ETH_FCS_LEN		4
#define ETH_ZLEN		60		/* shortest frame, no FCS */
#define ETH_MTU			1500
#define ETH_P_IPV4		0x0800
#define ETH_P_ARP		0x0806

#define ARP_LEN			28
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2

#define IP_HLEN			20
#define IP_PROTO_ICMP		1
#define IP_PROTO_UDP		17
#define IP_DEFAULT_TTL		64

#define ICMP_HLEN		8
#define ICMP_ECHO_REPLY		0
#define ICMP_ECHO_REQUEST	8

#define UDP_HLEN		8

/* Offsets of the headers in a frame without options. */
#define OFF_IP			ETH_HLEN
#define OFF_L4			(ETH_HLEN + IP_HLEN)
#define OFF_UDP_PAYLOAD		(OFF_L4 + UDP_HLEN)
#define OFF_ICMP_DATA		(OFF_L4 + ICMP_HLEN)

extern const uint8_t eth_broadcast[ETH_ALEN];

/* One's-complement sum of len bytes as big-endian 16-bit words, added to
 * sum (RFC 1071); fold and complement with csum_fold. */
uint64_t csum_partial(const void *data, size_t len, uint64_t sum);
uint16_t csum_fold(uint64_t sum);
/* Sum of the UDP/TCP pseudo header (RFC 768). */
uint64_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
		     uint16_t len);

/* Parsed view of a received frame (net_parse). Addresses host order. */
enum net_kind {
	NET_BAD,		/* truncated or malformed, bad IP checksum */
	NET_OTHER,		/* an EtherType or protocol we ignore */
	NET_ARP,
	NET_ICMP,
	NET_UDP,
};

struct net_rx {
	enum net_kind kind;
	const uint8_t *dst_mac, *src_mac;
	uint16_t ethertype;
	uint32_t src_ip, dst_ip;
	uint8_t proto, ttl;
	uint16_t ip_len;		/* IPv4 total length */
	unsigned int l4_off;		/* offset of the L4 header */
	uint16_t l4_len;		/* L4 header + payload */
	uint16_t sport, dport;		/* UDP */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	unsigned int payload_off;	/* UDP payload, ICMP echo data */
	uint16_t payload_len;
};

/* Classifies frame[0..len): never reads past len. */
void net_parse(const uint8_t *frame, size_t len, struct net_rx *r);
/* true if the UDP checksum is absent (0) or right. */
bool net_udp_csum_ok(const uint8_t *frame, const struct net_rx *r);

void eth_put(uint8_t *f, const uint8_t dst[ETH_ALEN],
	     const uint8_t src[ETH_ALEN], uint16_t type);
/* IPv4 header at f + OFF_IP, no options, DF set, checksum filled. */
void ip_put(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
	    uint16_t payload_len, uint16_t id);
/* UDP header at f + OFF_L4; checksum 0 (fill with udp_csum_fill). */
void udp_put(uint8_t *f, uint16_t sport, uint16_t dport,
	     uint16_t payload_len);
/* Computes the UDP checksum of a frame built by ip_put + udp_put. */
void udp_csum_fill(uint8_t *f);
/* ICMP checksum over l4_len bytes at f + OFF_L4. */
void icmp_csum_fill(uint8_t *f, uint16_t l4_len);
/* ARP for Ethernet/IPv4 at f + ETH_HLEN (RFC 826). */
void arp_put(uint8_t *f, uint16_t op, const uint8_t sha[ETH_ALEN],
	     uint32_t spa, const uint8_t tha[ETH_ALEN], uint32_t tpa);

/* "10.0.0.1" or "10.0.0.1/24": 0 or -EINVAL; *prefix untouched without
 * a suffix. */
int ip_parse(const char *s, uint32_t *ip, unsigned int *prefix);
void ip_format(uint32_t ip, char out[16]);

#endif
