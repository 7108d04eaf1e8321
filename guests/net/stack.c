// SPDX-License-Identifier: MIT
#include "net/stack.h"

#include <stddef.h>

#include "net/bytes.h"
#include "rt/clock.h"
#include "rt/errno.h"
#include "rt/string.h"

#define NET_SEND_WAIT_US	10000

int net_stack_init(struct net_stack *s, struct netdev *dev,
		   const char *ip_cidr, const char *gw)
{
	unsigned int prefix = 24;

	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->answer_icmp = true;
	if (!ip_cidr || ip_parse(ip_cidr, &s->ip, &prefix) || s->ip == 0)
		return -EINVAL;
	s->mask = prefix ? ~0u << (32 - prefix) : 0;
	if (gw && ip_parse(gw, &s->gw, NULL))
		return -EINVAL;
	arp_cache_init(&s->arp, clock_ns_to_tsc(NET_ARP_LIFETIME_S *
						1000000000ull));
	dev->ipv4 = s->ip;	/* for a driver's own announcements */
	return 0;
}

int net_send(struct net_stack *s, struct pkt *p)
{
	uint64_t end = 0;

	while (netdev_tx_burst(s->dev, &p, 1) == 0) {
		uint64_t now = clock_tsc();

		if (!end)
			end = now + clock_ns_to_tsc(NET_SEND_WAIT_US * 1000);
		if (now >= end) {
			s->st.tx_drops++;
			pkt_free(p);
			return -ENOSPC;
		}
		netdev_wait(s->dev, end, NETDEV_EV_TX);
	}
	return 0;
}

static void net_arp_send(struct net_stack *s, uint16_t op,
			 const uint8_t dst_mac[6], const uint8_t tha[6],
			 uint32_t tpa)
{
	struct pkt *p = pkt_alloc();

	if (!p)
		return;
	eth_put(p->data, dst_mac, s->dev->mac, ETH_P_ARP);
	arp_put(p->data, op, s->dev->mac, s->ip, tha, tpa);
	p->len = ETH_HLEN + ARP_LEN;
	if (op == ARP_OP_REQUEST)
		s->st.arp_requests++;
	else
		s->st.arp_replies++;
	net_send(s, p);
}

static void net_arp_input(struct net_stack *s, struct pkt *p)
{
	const uint8_t *a = p->data + ETH_HLEN;
	uint16_t op = get_be16(a + 6);
	uint32_t spa = get_be32(a + 14), tpa = get_be32(a + 24);
	uint8_t sha[6];
	uint64_t now = clock_tsc();
	bool merged;

	s->st.arp_rx++;
	if (get_be16(a) != 1 || get_be16(a + 2) != ETH_P_IPV4 ||
	    a[4] != ETH_ALEN || a[5] != 4)
		goto out;
	memcpy(sha, a + 8, 6);
	/* RFC 826 packet reception: refresh a known sender; learn it if
	 * the packet is for us; answer requests for our address. */
	merged = arp_cache_refresh(&s->arp, spa, sha, now);
	if (tpa != s->ip)
		goto out;
	if (!merged)
		arp_cache_update(&s->arp, spa, sha, now);
	if (op == ARP_OP_REQUEST)
		net_arp_send(s, ARP_OP_REPLY, sha, sha, spa);
out:
	pkt_free(p);
}

void net_swap(struct net_stack *s, uint8_t *f, const struct net_rx *r,
	      bool ports)
{
	uint8_t *ip = f + OFF_IP;
	unsigned int ihl = r->l4_off - OFF_IP;

	memcpy(f, f + ETH_ALEN, ETH_ALEN);
	memcpy(f + ETH_ALEN, s->dev->mac, ETH_ALEN);
	put_be32(ip + 16, r->src_ip);
	put_be32(ip + 12, s->ip);
	ip[8] = IP_DEFAULT_TTL;
	put_be16(ip + 10, 0);
	put_be16(ip + 10, csum_fold(csum_partial(ip, ihl, 0)));
	if (ports && r->kind == NET_UDP) {
		uint8_t *u = f + r->l4_off;

		put_be16(u, r->dport);
		put_be16(u + 2, r->sport);
		/* sums are commutative: only a changed address (reply to
		 * a broadcast) needs the checksum recomputed */
		if (r->dst_ip != s->ip && get_be16(u + 6)) {
			uint16_t ulen = (uint16_t)(r->payload_len + UDP_HLEN), c;

			put_be16(u + 6, 0);
			c = csum_fold(csum_partial(u, ulen,
				csum_pseudo(s->ip, r->src_ip, IP_PROTO_UDP,
					    ulen)));
			put_be16(u + 6, c ? c : 0xffff);
		}
	}
}

static void net_icmp_input(struct net_stack *s, struct pkt *p,
			   const struct net_rx *r)
{
	uint8_t *c = p->data + r->l4_off;

	if (!s->answer_icmp || r->icmp_type != ICMP_ECHO_REQUEST ||
	    r->dst_ip != s->ip ||
	    csum_fold(csum_partial(c, r->l4_len, 0)) != 0) {
		pkt_free(p);
		return;
	}
	net_swap(s, p->data, r, false);
	c[0] = ICMP_ECHO_REPLY;
	put_be16(c + 2, 0);
	put_be16(c + 2, csum_fold(csum_partial(c, r->l4_len, 0)));
	p->len = (uint16_t)(OFF_IP + r->ip_len);
	s->st.icmp_echo_replies++;
	net_send(s, p);
}

void net_input(struct net_stack *s, struct pkt *p, const struct net_rx *r)
{
	switch (r->kind) {
	case NET_ARP:
		net_arp_input(s, p);
		return;
	case NET_ICMP:
		net_icmp_input(s, p, r);
		return;
	case NET_BAD:
		s->st.bad++;
		break;
	default:
		s->st.other++;
		break;
	}
	pkt_free(p);
}

unsigned int net_poll(struct net_stack *s)
{
	struct pkt *pkts[32];
	unsigned int n = netdev_rx_burst(s->dev, pkts, 32), i;

	for (i = 0; i < n; i++) {
		struct net_rx r;

		net_parse(pkts[i]->data, pkts[i]->len, &r);
		net_input(s, pkts[i], &r);
	}
	return n;
}

int net_resolve(struct net_stack *s, uint32_t ip, uint8_t mac[6],
		unsigned int timeout_ms)
{
	uint32_t hop = ip;
	uint64_t end, retry = clock_ns_to_tsc(NET_ARP_RETRY_MS * 1000000ull);
	uint64_t next = 0, now;

	if ((ip & s->mask) != (s->ip & s->mask)) {
		if (!s->gw)
			return -EINVAL;
		hop = s->gw;
	}
	if (ip == 0xffffffffu || ip == (s->ip | ~s->mask)) {
		memcpy(mac, eth_broadcast, 6);
		return 0;
	}
	end = clock_tsc() + clock_ns_to_tsc(timeout_ms * 1000000ull);
	while (!arp_cache_lookup(&s->arp, hop, mac, now = clock_tsc())) {
		if (now >= end)
			return -ETIMEDOUT;
		if (now >= next) {
			static const uint8_t zero[6];

			/* a request names the sender, so the peer learns
			 * us too (RFC 826) */
			net_arp_send(s, ARP_OP_REQUEST, eth_broadcast, zero,
				     hop);
			next = now + retry;
		}
		if (!net_poll(s))
			netdev_wait(s->dev, next < end ? next : end,
				    NETDEV_EV_RX);
	}
	return 0;
}

struct pkt *net_udp_alloc(struct net_stack *s, const uint8_t dst_mac[6],
			  uint32_t dst_ip, uint16_t sport, uint16_t dport,
			  uint16_t payload_len)
{
	struct pkt *p = pkt_alloc();

	if (!p)
		return NULL;
	eth_put(p->data, dst_mac, s->dev->mac, ETH_P_IPV4);
	ip_put(p->data, s->ip, dst_ip, IP_PROTO_UDP,
	       (uint16_t)(UDP_HLEN + payload_len), s->ip_id++);
	udp_put(p->data, sport, dport, payload_len);
	p->len = (uint16_t)(OFF_UDP_PAYLOAD + payload_len);
	return p;
}

void net_stack_report(struct net_stack *s, struct json *j)
{
	json_kv_u64(j, "arp_rx", s->st.arp_rx);
	json_kv_u64(j, "arp_requests", s->st.arp_requests);
	json_kv_u64(j, "arp_replies", s->st.arp_replies);
	json_kv_u64(j, "icmp_echo_replies", s->st.icmp_echo_replies);
	json_kv_u64(j, "other", s->st.other);
	json_kv_u64(j, "bad", s->st.bad);
	json_kv_u64(j, "tx_drops", s->st.tx_drops);
}
