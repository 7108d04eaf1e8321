/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_TOOLS_PEER_NET_H
#define IOPATH_TESTS_TOOLS_PEER_NET_H

/*
 * The little bit of Ethernet/ARP/IPv4/ICMP/UDP that iopath-peer needs to
 * pass for a host: builders that write a whole untagged frame into a
 * buffer and return its length, one parser that checks a received frame
 * layer by layer, and 802.1Q tag push/pop. IPv4 addresses are in host byte
 * order everywhere in this API; frames are in network order.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_ETH_HLEN		14
#define NET_ETH_ZLEN		60	/* minimum frame without FCS */
#define NET_VLAN_HLEN		4
#define NET_ETHERTYPE_IPV4	0x0800
#define NET_ETHERTYPE_ARP	0x0806
#define NET_ETHERTYPE_VLAN	0x8100
#define NET_IPPROTO_ICMP	1
#define NET_IPPROTO_UDP		17
#define NET_ARP_REQUEST		1
#define NET_ARP_REPLY		2
#define NET_ICMP_ECHO_REPLY	0
#define NET_ICMP_ECHO_REQUEST	8
/* Ethernet + IPv4 (no options) + UDP headers. */
#define NET_UDP_HDRS		(NET_ETH_HLEN + 20 + 8)

extern const uint8_t net_broadcast[6];

/* What a frame is, layer by layer; later fields valid only if set. */
struct net_pkt {
	const uint8_t *dst, *src;	/* MACs, pointing into the frame */
	bool tagged;
	uint16_t vid;			/* if tagged */
	uint16_t ethertype;		/* after any tag */

	bool is_arp;
	uint16_t arp_op;
	const uint8_t *arp_sha, *arp_tha;
	uint32_t arp_spa, arp_tpa;

	bool is_ipv4;			/* header and checksum checked */
	uint32_t ip_src, ip_dst;
	uint8_t ip_proto, ip_ttl;

	bool is_icmp;			/* checksum checked */
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;
	const uint8_t *icmp_data;	/* after the 8-byte echo header */
	size_t icmp_data_len;

	bool is_udp;			/* length and checksum checked */
	uint16_t udp_sport, udp_dport;
	const uint8_t *udp_data;
	size_t udp_data_len;
};

/* "10.0.0.1" or "10.0.0.1/24" (@prefix may be NULL; -1 if absent). */
int net_parse_ipv4(const char *s, uint32_t *ip, int *prefix);
/* Into @buf of at least 16 bytes. */
void net_format_ipv4(uint32_t ip, char *buf);
/* Hex string (spaces and colons allowed) to bytes; length or -EINVAL. */
int net_parse_hex(const char *s, uint8_t *buf, size_t max);

/* RFC 1071 checksum over @len bytes, folded and complemented. */
uint16_t net_csum(const void *data, size_t len, uint32_t sum);

size_t net_build_arp(uint8_t *buf, uint16_t op, const uint8_t *eth_dst,
		     const uint8_t *sha, uint32_t spa, const uint8_t *tha,
		     uint32_t tpa);
/* @len bytes of @payload; the frame is padded to NET_ETH_ZLEN. */
size_t net_build_udp(uint8_t *buf, const uint8_t *dst, const uint8_t *src,
		     uint32_t sip, uint32_t dip, uint16_t sport,
		     uint16_t dport, const void *payload, size_t len,
		     uint16_t ip_id);
size_t net_build_icmp_echo(uint8_t *buf, const uint8_t *dst,
			   const uint8_t *src, uint32_t sip, uint32_t dip,
			   uint8_t type, uint16_t id, uint16_t seq,
			   const void *data, size_t len, uint16_t ip_id);

/*
 * Parse @len bytes. Returns 0 when at least the Ethernet header is there
 * (then look at the is_* flags: a layer with a bad length or checksum is
 * simply not recognised), -EINVAL for a runt.
 */
int net_parse(const uint8_t *frame, size_t len, struct net_pkt *out);

/* Insert an 802.1Q tag after the MACs (@buf needs 4 spare bytes). */
size_t net_vlan_push(uint8_t *buf, size_t len, uint16_t vid);
/* Remove the outer tag in place; returns the new length. */
size_t net_vlan_pop(uint8_t *buf, size_t len);

#endif
