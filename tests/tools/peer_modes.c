// SPDX-License-Identifier: MIT
/*
 * What iopath-peer does in each mode: answer ARP and ping like a host,
 * echo UDP on port 7, send or count the sequenced stream, send or count
 * raw frames.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "tests/tools/peer.h"
#include "tests/tools/peer_net.h"

#define ARP_RETRY_NS	200000000ull	/* 200 ms */
#define ARP_TRIES	15		/* then give up: 3 s */

/* Tag in place if --vlan: the buffer has PKTCHAN_FRAME_MAX bytes. */
static uint16_t tag(struct peer *p, uint8_t *frame, uint16_t len)
{
	if (p->o.vlan < 0)
		return len;
	return (uint16_t)net_vlan_push(frame, len, (uint16_t)p->o.vlan);
}

bool peer_xmit(struct peer *p, uint8_t *frame, uint16_t len)
{
	const void *f = frame;

	len = tag(p, frame, len);
	if (pktchan_send_burst(p->ch, &f, &len, 1) != 1) {
		p->tx_full++;
		return false;
	}
	p->tx++;
	return true;
}

/* ---- receive ---- */

static void dump_frame(const uint8_t *f, uint16_t len, const struct net_pkt *k)
{
	static const char hex[] = "0123456789abcdef";
	char s[2 * PKTCHAN_FRAME_MAX + 1];
	unsigned i;

	for (i = 0; i < len; i++) {
		s[2 * i] = hex[f[i] >> 4];
		s[2 * i + 1] = hex[f[i] & 15];
	}
	s[2 * len] = '\0';
	printf("{\"event\":\"frame\",\"len\":%u,\"vlan\":%d,\"hex\":\"%s\"}\n",
	       len, k->tagged ? k->vid : -1, s);
	fflush(stdout);
}

static void on_arp(struct peer *p, const struct net_pkt *k)
{
	uint8_t out[PKTCHAN_FRAME_MAX];
	size_t len;

	p->arp_rx++;
	/* Whoever speaks for our destination tells us its MAC. */
	if (p->o.mode == PEER_SEND && !p->o.have_dst_mac &&
	    k->arp_spa == p->o.dst_ip) {
		memcpy(p->o.dst_mac, k->arp_sha, 6);
		p->o.have_dst_mac = true;
	}
	if (k->arp_op != NET_ARP_REQUEST || k->arp_tpa != p->o.ip)
		return;
	len = net_build_arp(out, NET_ARP_REPLY, k->arp_sha, p->o.mac, p->o.ip,
			    k->arp_sha, k->arp_spa);
	if (peer_xmit(p, out, (uint16_t)len))
		p->arp_tx++;
}

static void on_icmp(struct peer *p, const struct net_pkt *k)
{
	uint8_t out[PKTCHAN_FRAME_MAX];
	size_t len;

	if (k->icmp_type != NET_ICMP_ECHO_REQUEST || k->icmp_code != 0) {
		p->rx_other++;
		return;
	}
	len = net_build_icmp_echo(out, k->src, p->o.mac, p->o.ip, k->ip_src,
				  NET_ICMP_ECHO_REPLY, k->icmp_id,
				  k->icmp_seq, k->icmp_data, k->icmp_data_len,
				  p->ip_id++);
	if (len <= PKTCHAN_FRAME_MAX - NET_VLAN_HLEN &&
	    peer_xmit(p, out, (uint16_t)len))
		p->icmp_echo++;
}

static void on_udp(struct peer *p, const struct net_pkt *k)
{
	uint8_t out[PKTCHAN_FRAME_MAX];
	struct stream_payload sp;
	size_t len;

	if (p->o.mode == PEER_SINK && k->udp_dport == p->o.udp_port &&
	    stream_payload_get(k->udp_data, k->udp_data_len, &sp)) {
		stream_sink_rx(&p->sink, &sp, clock_mono_ns());
		return;
	}
	if (p->o.mode == PEER_RESPONDER &&
	    k->udp_dport == PEER_UDP_ECHO_PORT) {
		len = net_build_udp(out, k->src, p->o.mac, p->o.ip, k->ip_src,
				    PEER_UDP_ECHO_PORT, k->udp_sport,
				    k->udp_data, k->udp_data_len, p->ip_id++);
		if (len <= PKTCHAN_FRAME_MAX - NET_VLAN_HLEN &&
		    peer_xmit(p, out, (uint16_t)len))
			p->udp_echo++;
		return;
	}
	p->rx_other++;
}

void peer_mode_rx(struct peer *p, uint8_t *f, uint16_t len)
{
	struct net_pkt k;

	p->rx++;
	if (net_parse(f, len, &k) < 0) {
		p->rx_other++;
		return;
	}
	if (k.tagged)
		p->rx_tagged++;
	else
		p->rx_untagged++;
	if (p->o.mode == PEER_RAW_RECV) {
		if (p->o.dump)
			dump_frame(f, len, &k);
		return;
	}
	/* A host on one VLAN: the frames of others are not for us. */
	if (p->o.mode == PEER_RAW_SEND ||
	    (p->o.vlan >= 0 ? !k.tagged || k.vid != p->o.vlan : k.tagged) ||
	    (memcmp(k.dst, p->o.mac, 6) != 0 &&
	     memcmp(k.dst, net_broadcast, 6) != 0)) {
		p->rx_other++;
		return;
	}
	if (k.is_arp)
		on_arp(p, &k);
	else if (k.is_ipv4 && k.ip_dst == p->o.ip && k.is_icmp)
		on_icmp(p, &k);
	else if (k.is_ipv4 && k.ip_dst == p->o.ip && k.is_udp)
		on_udp(p, &k);
	else
		p->rx_other++;
}

/* ---- send ---- */

static unsigned arp_resolve(struct peer *p, uint64_t now, uint64_t *wake)
{
	static const uint8_t zero[6];
	uint8_t out[PKTCHAN_FRAME_MAX];
	size_t len;

	if (now < p->arp_next_ns) {
		*wake = p->arp_next_ns;
		return 0;
	}
	if (p->arp_tries == ARP_TRIES) {
		p->error = "no ARP reply from the destination";
		return 0;
	}
	len = net_build_arp(out, NET_ARP_REQUEST, net_broadcast, p->o.mac,
			    p->o.ip, zero, p->o.dst_ip);
	p->arp_tries++;
	p->arp_next_ns = now + ARP_RETRY_NS;
	*wake = p->arp_next_ns;
	if (!peer_xmit(p, out, (uint16_t)len))
		return 0;
	p->arp_tx++;
	return 1;
}

/* Frame number @i of the stream (flow i % flows, seq i / flows). */
static uint16_t build_stream(struct peer *p, uint64_t i, uint64_t now,
			     uint8_t *buf)
{
	uint8_t payload[PKTCHAN_FRAME_MAX];
	size_t plen = p->o.size - NET_UDP_HDRS;
	struct stream_payload sp = {
		.seq = i / p->o.flows,
		.tx_ns = now,
		.flow = (uint16_t)(i % p->o.flows),
	};

	memset(payload, 0, plen);
	stream_payload_put(payload, &sp);
	return (uint16_t)net_build_udp(buf, p->o.dst_mac, p->o.mac, p->o.ip,
				       p->o.dst_ip,
				       (uint16_t)(p->o.src_port + sp.flow),
				       p->o.udp_port, payload, plen,
				       (uint16_t)i);
}

/* How many frames should have left by @now under --rate and --count. */
static uint64_t frames_due(const struct peer *p, uint64_t now)
{
	uint64_t due = UINT64_MAX;

	if (p->o.rate) {
		unsigned __int128 e = now - p->tx_first_ns;

		due = (uint64_t)(e * p->o.rate / 1000000000u) + 1;
	}
	if (p->o.count && due > p->o.count)
		due = p->o.count;
	return due;
}

static unsigned stream_tx(struct peer *p, uint64_t now, uint64_t *wake)
{
	static uint8_t bufs[PEER_BURST][PKTCHAN_FRAME_MAX];
	const void *frames[PEER_BURST] = { 0 };
	uint16_t lens[PEER_BURST] = { 0 };
	uint64_t due;
	unsigned n, i, sent;

	if (p->tx_first_ns == 0)
		p->tx_first_ns = now;
	due = frames_due(p, now);
	if (p->sent >= due) {
		if (p->o.rate && (!p->o.count || p->sent < p->o.count))
			*wake = p->tx_first_ns +
				(uint64_t)((unsigned __int128)p->sent *
					   1000000000u / p->o.rate);
		return 0;
	}
	n = due - p->sent < PEER_BURST ? (unsigned)(due - p->sent)
				       : PEER_BURST;
	for (i = 0; i < n; i++) {
		uint64_t k = p->sent + i;

		if (p->o.mode == PEER_SEND) {
			lens[i] = build_stream(p, k, now, bufs[i]);
		} else {
			unsigned r = (unsigned)(k % p->o.nraw);

			memcpy(bufs[i], p->o.raw[r], p->o.raw_len[r]);
			lens[i] = p->o.raw_len[r];
		}
		lens[i] = tag(p, bufs[i], lens[i]);
		frames[i] = bufs[i];
	}
	sent = pktchan_send_burst(p->ch, frames, lens, n);
	if (sent < n)
		p->tx_full++;	/* the peer kicks us when space frees */
	p->sent += sent;
	p->tx += sent;
	if (sent)
		p->tx_last_ns = now;
	return sent;
}

unsigned peer_mode_tx(struct peer *p, uint64_t now, uint64_t *wake_ns)
{
	*wake_ns = UINT64_MAX;
	switch (p->o.mode) {
	case PEER_SEND:
		if (!p->o.have_dst_mac)
			return arp_resolve(p, now, wake_ns);
		return stream_tx(p, now, wake_ns);
	case PEER_RAW_SEND:
		return stream_tx(p, now, wake_ns);
	default:
		return 0;
	}
}

bool peer_mode_done(const struct peer *p)
{
	if (!p->o.count)
		return false;
	switch (p->o.mode) {
	case PEER_SEND:
	case PEER_RAW_SEND:
		return p->sent >= p->o.count;
	case PEER_SINK:
		return p->sink.received >= p->o.count;
	case PEER_RAW_RECV:
		return p->rx >= p->o.count;
	default:
		return false;
	}
}
