/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_NET_STACK_H
#define IOPATH_GUEST_NET_STACK_H

/*
 * A small IPv4 host on one netdev: its address, ARP (cache, requests with
 * retry, answers for our own address), ICMP echo answers, and helpers to
 * build and send UDP and ICMP. Apps receive with netdev_rx_burst, classify
 * with net_parse, keep what they want and pass the rest to net_input,
 * which does the housekeeping and frees the buffer.
 */
#include <stdbool.h>
#include <stdint.h>

#include "net/arp.h"
#include "net/netdev.h"
#include "net/proto.h"
#include "rt/json.h"

#define NET_ARP_LIFETIME_S	60
#define NET_ARP_RETRY_MS	200

struct net_stack {
	struct netdev *dev;
	uint32_t ip, mask, gw;		/* host order; gw 0: none */
	struct arp_cache arp;
	uint16_t ip_id;
	bool answer_icmp;		/* reply to echo requests */
	struct {
		uint64_t arp_rx, arp_requests, arp_replies, icmp_echo_replies;
		uint64_t not_mine, bad, other, tx_drops;
	} st;
};

/* ip_cidr: "10.0.0.2/24" (prefix 24 if absent); gw may be NULL. */
int net_stack_init(struct net_stack *s, struct netdev *dev,
		   const char *ip_cidr, const char *gw);
/* Housekeeping for a frame the app did not keep: ARP, ICMP echo; frees
 * (or re-sends) the buffer. r from net_parse. */
void net_input(struct net_stack *s, struct pkt *p, const struct net_rx *r);
/* Receives a burst and feeds every frame to net_input. Returns count. */
unsigned int net_poll(struct net_stack *s);
/*
 * The MAC for ip (or the gateway for an off-link ip): from the cache, or
 * by ARP requests every NET_ARP_RETRY_MS until timeout_ms, feeding other
 * frames to net_input meanwhile. 0 or -ETIMEDOUT (-EINVAL: no route).
 */
int net_resolve(struct net_stack *s, uint32_t ip, uint8_t mac[6],
		unsigned int timeout_ms);
/* Sends one frame, waiting up to 10 ms for TX room; frees it if it
 * cannot. 0 or -ENOSPC. */
int net_send(struct net_stack *s, struct pkt *p);
/* A UDP frame to dst (MAC known): headers built, payload at
 * p->data + OFF_UDP_PAYLOAD, len set. NULL if no buffer. Call
 * udp_csum_fill after writing the payload if a checksum is wanted. */
struct pkt *net_udp_alloc(struct net_stack *s, const uint8_t dst_mac[6],
			  uint32_t dst_ip, uint16_t sport, uint16_t dport,
			  uint16_t payload_len);
/* Rewrites a received UDP/ICMP frame into its answer in place: MACs,
 * IPs (and UDP ports) swapped, TTL reset. Checksums stay valid for UDP
 * (the swap keeps every sum, unless the frame went to a broadcast
 * address: then recomputed); ICMP callers refill theirs. The source
 * becomes our own MAC and IP. */
void net_swap(struct net_stack *s, uint8_t *f, const struct net_rx *r,
	      bool ports);
void net_stack_report(struct net_stack *s, struct json *j);

#endif
