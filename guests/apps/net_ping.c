// SPDX-License-Identifier: MIT
/*
 * ping: ICMP echo requests (RFC 792) to dst=, one every interval_ms.
 *
 *   dst=10.0.0.1 (required)  count=5  interval_ms=1000  size=56 (ICMP
 *   data bytes, 8..1472)  timeout_ms=1000 (wait for the last replies)
 *   arp_ms=3000 (ARP resolution limit)  max_loss_pct=0  verbose=1 (one
 *   record per reply)  link_ms=N (link events, netdev_link_watch)
 *
 * {"event":"ping_reply","seq":3,"rtt_us":85.123}           (verbose=1)
 * {"event":"ping","dst":"10.0.0.1","size":56,"sent":5,"received":5,
 *  "dups":0,"loss_pct":0.0,"rtt_us":{"n":5,"min":..,"avg":..,"max":..,
 *  "p50":..,"p90":..,"p99":..,"p99.9":..},"duration_us":..,"drv":{...},"stack":{...}}
 * RTTs run from building the request to rx_burst handing over the
 * reply (TSC). Exit 0 when loss_pct <= max_loss_pct, else 1.
 */
#include "apps/net_app.h"
#include "net/bytes.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/rt.h"
#include "rt/string.h"

#define PING_ID		0x1b5e
#define PING_SEQ_MAX	65536

struct ping {
	struct net_stack *s;
	uint32_t dst;
	uint64_t received, dups;
	uint8_t *seen;		/* one byte per seq */
	struct lat_samples rtt;
	bool verbose;
};

static void ping_reply(struct ping *pg, struct pkt *p, const struct net_rx *r)
{
	const uint8_t *d = p->data + r->payload_off;
	uint64_t sent_tsc, ns;

	if (r->payload_len < 8 || r->src_ip != pg->dst)
		return;
	sent_tsc = get_le64(d);
	if (pg->seen[r->icmp_seq]) {
		pg->dups++;
		return;
	}
	pg->seen[r->icmp_seq] = 1;
	pg->received++;
	ns = clock_tsc_to_ns(p->rx_tsc - sent_tsc);
	lat_add(&pg->rtt, ns);
	if (pg->verbose) {
		struct json j;

		json_begin(&j, "ping_reply");
		json_kv_u64(&j, "seq", r->icmp_seq);
		json_kv_fixed(&j, "rtt_us", (int64_t)ns, 3);
		json_end(&j);
	}
}

/* Receives until the deadline, taking our echo replies. */
static void ping_rx_until(struct ping *pg, uint64_t deadline)
{
	struct netdev *nd = pg->s->dev;

	while (clock_tsc() < deadline) {
		struct pkt *pkts[32];
		uint64_t look = netdev_link_watch(nd);
		unsigned int n = netdev_rx_burst(nd, pkts, 32), i;

		for (i = 0; i < n; i++) {
			struct net_rx r;

			net_parse(pkts[i]->data, pkts[i]->len, &r);
			if (r.kind == NET_ICMP &&
			    r.icmp_type == ICMP_ECHO_REPLY &&
			    r.icmp_id == PING_ID && r.dst_ip == pg->s->ip) {
				ping_reply(pg, pkts[i], &r);
				pkt_free(pkts[i]);
			} else {
				net_input(pg->s, pkts[i], &r);
			}
		}
		if (!n)
			netdev_wait(nd, look < deadline ? look : deadline,
				    NETDEV_EV_RX);
	}
}

static int ping_send(struct ping *pg, const uint8_t mac[6], uint16_t seq,
		     uint16_t size)
{
	struct net_stack *s = pg->s;
	struct pkt *p = pkt_alloc();
	uint8_t *c, *d;
	uint16_t i;

	if (!p)
		return -1;
	eth_put(p->data, mac, s->dev->mac, ETH_P_IPV4);
	ip_put(p->data, s->ip, pg->dst, IP_PROTO_ICMP,
	       (uint16_t)(ICMP_HLEN + size), s->ip_id++);
	c = p->data + OFF_L4;
	c[0] = ICMP_ECHO_REQUEST;
	c[1] = 0;
	put_be16(c + 4, PING_ID);
	put_be16(c + 6, seq);
	d = c + ICMP_HLEN;
	for (i = 8; i < size; i++)
		d[i] = (uint8_t)i;
	put_le64(d, clock_tsc());
	icmp_csum_fill(p->data, (uint16_t)(ICMP_HLEN + size));
	p->len = (uint16_t)(OFF_ICMP_DATA + size);
	return net_send(s, p);
}

int net_app_ping(struct net_stack *s)
{
	static struct ping pg;
	const char *dst = cmdline_get("dst");
	uint64_t count = cmdline_get_u64("count", 5);
	uint64_t interval = clock_ns_to_tsc(cmdline_get_u64("interval_ms",
							    1000) * 1000000);
	uint64_t size = cmdline_get_u64("size", 56);
	uint64_t max_loss = cmdline_get_u64("max_loss_pct", 0);
	uint64_t t0, next, sent = 0, loss_milli;
	uint8_t mac[6];
	char ipbuf[16];
	struct json j;
	int r;

	pg.s = s;
	pg.verbose = cmdline_get_u64("verbose", 0) != 0;
	if (!dst || ip_parse(dst, &pg.dst, NULL) || size < 8 ||
	    size > ETH_MTU - IP_HLEN - ICMP_HLEN || count == 0 ||
	    count > PING_SEQ_MAX) {
		json_begin(&j, "error");
		json_kv_str(&j, "app", "ping");
		json_kv_str(&j, "msg", "dst=a.b.c.d required; count 1..65536, "
			    "size 8..1472");
		json_end(&j);
		return RT_EXIT_USAGE;
	}
	pg.seen = alloc_zeroed(PING_SEQ_MAX);
	lat_init(&pg.rtt, (uint32_t)count);
	r = net_resolve(s, pg.dst, mac, (unsigned int)cmdline_get_u64("arp_ms",
								      3000));
	if (r) {
		json_begin(&j, "error");
		json_kv_str(&j, "app", "ping");
		json_kv_str(&j, "msg", "ARP resolution failed");
		json_kv_str(&j, "dst", dst);
		json_end(&j);
		return RT_EXIT_FAIL;
	}
	t0 = next = clock_tsc();
	while (sent < count) {
		ping_rx_until(&pg, next);
		ping_send(&pg, mac, (uint16_t)sent, (uint16_t)size);
		sent++;
		next += interval;
	}
	/* the last replies: until all are in or timeout_ms passed */
	next = clock_tsc() + clock_ns_to_tsc(cmdline_get_u64("timeout_ms",
							     1000) * 1000000);
	while (pg.received < sent && clock_tsc() < next)
		ping_rx_until(&pg, clock_tsc() + clock_ns_to_tsc(1000000));

	loss_milli = (sent - pg.received) * 100000 / sent;
	json_begin(&j, "ping");
	ip_format(pg.dst, ipbuf);
	json_kv_str(&j, "dst", ipbuf);
	json_kv_u64(&j, "size", size);
	json_kv_u64(&j, "sent", sent);
	json_kv_u64(&j, "received", pg.received);
	json_kv_u64(&j, "dups", pg.dups);
	json_kv_fixed(&j, "loss_pct", (int64_t)(loss_milli / 100), 1);
	lat_report(&j, "rtt_us", &pg.rtt);
	json_kv_u64(&j, "duration_us", clock_tsc_to_ns(clock_tsc() - t0) /
					1000);
	net_app_report_counters(&j, s);
	json_end(&j);
	return loss_milli <= max_loss * 1000 ? RT_EXIT_OK : RT_EXIT_FAIL;
}
