// SPDX-License-Identifier: MIT
/*
 * pktgen: UDP flows to dst= at a fixed frame size and rate.
 *
 *   dst=10.0.0.2 (required; its MAC by ARP, arp_ms=3000)
 *   size=64      frame bytes with FCS, 64..1518
 *   rate=0       frames per second, 0 = as fast as the NIC takes them
 *   count=0      frames to send (all flows), 0 = run for seconds=
 *   seconds=5    when count=0
 *   flows=1      1..64: flow f uses source port sport+f
 *   dport=9000 sport=10000  udp_csum=1
 *   burst=32     most frames per transmit call (one doorbell each)
 *   pace_us=1000 at a fixed rate, frames go in groups at least this far
 *                apart (1 to 256 frames, or half of tx_ring= when that is
 *                larger, sent burst= at a time): gaps long enough to sleep
 *                through, and full bursts per doorbell
 *   catchup_us=0 most backlog sent at once after a stall (0: two groups)
 *   fin=3        FIN frames per flow at the end (sink counts tail loss),
 *                after fin_gap_ms=100 so a flooded receiver can drain
 *   latency=0    1: also receive the frames a reflector sends back and
 *                measure their round trip (drain_ms=500 after the end);
 *                2: the same, timing only the first frame of each group
 *                (of each burst at rate=0), flagged PG_F_PROBE: the one
 *                that waits behind none of its own group, as a traffic
 *                generator's latency stream rides beside its bulk one
 *
 * The payload starts with the pktgen header (apps/net_app.h): magic,
 * flow, flags, per-flow sequence number, TSC timestamp.
 *
 * Pacing (apps/pktgen_pace.h): frame k is due at k / rate from the start;
 * a group goes when its last frame is due, with every frame due by then,
 * so the average rate is exact and a late wake-up is made up at once, up
 * to catchup_us= worth of frames. Further behind (descheduled, paused
 * to migrate) pktgen moves its schedule forward rather than send the
 * backlog at line rate: the skipped frames take no sequence number and
 * are counted. Between groups pktgen waits
 * in netdev_wait: in adaptive mode that sleeps (LAPIC one-shot) when the
 * gap is long enough for the timer and spins otherwise (net/netdev.h). A
 * full TX ring is waited out on a TX-completion interrupt, armed only
 * then.
 *
 * {"event":"pktgen","dst":"10.0.0.2","size":64,"flows":1,"rate":0,
 *  "tx_packets":..,"tx_bytes":..,"duration_us":..,"pps":..,"bps":..,
 *  "tx_full":..,"no_buf":..,
 *  (rate>0:) "skipped":..,"skips":..,"max_late_us":..,
 *  (latency=1|2:) "rx_packets":..,"lost":..,"rtt_of":"all"|"group_heads",
 *  "rtt_us":{"n":..,"min":..,
 *  "avg":..,"max":..,"p50":..,"p90":..,"p99":..,"p99.9":..},
 *  "drv":{...},"stack":{...}}
 * tx_bytes and bps count whole frames with FCS (size= each). tx_full:
 * bursts the TX ring could not take whole. skipped: frames the schedule
 * moved past (not sent, not numbered), in skips moves; max_late_us: the
 * longest a group went after it was due, a stall's length. pps is what was
 * sent, skipped frames not included. Exit 0 if frames went out
 * (and, with latency=1, some came back), else 1.
 */
#include "apps/net_app.h"
#include "apps/pktgen_pace.h"
#include "net/bytes.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/rt.h"
#include "rt/string.h"

#define PG_BURST_MAX	64
/*
 * Most frames sent per paced wake-up (in bursts of burst=): what a
 * default 256-slot receive ring takes in one go, or half of a larger
 * tx_ring= (the bench gives both VMs the same big rings). The group's
 * length decides what pacing costs: a wake-up (timer arm, exit, ~80 us
 * late) per group, and between groups a spin whenever the gap is too
 * short to sleep through (NETDEV_SLEEP_MIN_US). Capped at 256, a pv
 * sender at 1 Mpps had 256 us groups, never slept, and took a whole CPU;
 * with 1000-frame groups it took 0.22 of one (README, "pv at 1 Mpps").
 */
#define PG_CHUNK_MIN	256
#define PG_CHUNK_MAX	(NETDEV_RING_MAX / 2)

struct pktgen {
	struct net_stack *s;
	uint32_t dst;
	uint8_t mac[6];
	uint16_t size, payload, sport, dport;
	unsigned int flows;
	bool csum, latency;
	bool probes;		/* latency=2: time PG_F_PROBE frames only */
	bool probe_due;		/* the next frame starts a group */
	uint8_t tmpl[PG_FLOWS_MAX][OFF_UDP_PAYLOAD];	/* headers per flow */
	uint32_t seq[PG_FLOWS_MAX];
	unsigned int next_flow;
	uint64_t tx, no_buf, rx;
	struct lat_samples rtt;
};

static void pktgen_templates(struct pktgen *g)
{
	unsigned int f;

	/* IP ID 0 with DF: RFC 6864 allows it for atomic datagrams, and a
	 * constant header keeps its checksum precomputed. */
	for (f = 0; f < g->flows; f++) {
		eth_put(g->tmpl[f], g->mac, g->s->dev->mac, ETH_P_IPV4);
		ip_put(g->tmpl[f], g->s->ip, g->dst, IP_PROTO_UDP,
		       (uint16_t)(UDP_HLEN + g->payload), 0);
		udp_put(g->tmpl[f], (uint16_t)(g->sport + f), g->dport,
			g->payload);
	}
}

static struct pkt *pktgen_build(struct pktgen *g, unsigned int flow,
				uint8_t flags, uint32_t seq)
{
	struct pkt *p = pkt_alloc();
	uint8_t *d;

	if (!p)
		return NULL;
	memcpy(p->data, g->tmpl[flow], OFF_UDP_PAYLOAD);
	d = p->data + OFF_UDP_PAYLOAD;
	put_be16(d, PG_MAGIC);
	d[2] = (uint8_t)flow;
	d[3] = flags;
	put_be32(d + 4, seq);
	put_le64(d + 8, clock_tsc());
	if (g->csum)
		udp_csum_fill(p->data);
	p->len = (uint16_t)(g->size - ETH_FCS_LEN);
	return p;
}

/* Takes reflected frames (latency=1) and does the housekeeping. */
static void pktgen_rx(struct pktgen *g)
{
	struct pkt *pkts[32];
	unsigned int n = netdev_rx_burst(g->s->dev, pkts, 32), i;

	for (i = 0; i < n; i++) {
		struct net_rx r;
		const uint8_t *d = pkts[i]->data + 0;

		net_parse(pkts[i]->data, pkts[i]->len, &r);
		d += r.payload_off;
		if (g->latency && r.kind == NET_UDP && r.src_ip == g->dst &&
		    r.payload_len >= PG_HDR_LEN && get_be16(d) == PG_MAGIC &&
		    !(d[3] & PG_F_FIN)) {
			g->rx++;
			if (!g->probes || (d[3] & PG_F_PROBE))
				lat_add(&g->rtt, clock_tsc_to_ns(
					pkts[i]->rx_tsc - get_le64(d + 8)));
			pkt_free(pkts[i]);
		} else {
			net_input(g->s, pkts[i], &r);
		}
	}
}

/* Sends up to n frames round-robin over the flows; returns how many. */
static unsigned int pktgen_burst(struct pktgen *g, unsigned int n)
{
	struct pkt *b[PG_BURST_MAX];
	unsigned int k, sent;

	for (k = 0; k < n; k++) {
		unsigned int f = g->next_flow;
		uint8_t flags = 0;

		if (g->probes && k == 0 && g->probe_due)
			flags = PG_F_PROBE;
		b[k] = pktgen_build(g, f, flags, g->seq[f]);
		if (!b[k]) {
			g->no_buf++;
			break;
		}
		g->seq[f]++;
		g->next_flow = f + 1 == g->flows ? 0 : f + 1;
	}
	sent = k ? netdev_tx_burst(g->s->dev, b, (uint16_t)k) : 0;
	if (sent)
		g->probe_due = false;	/* the probe went first */
	/* Unsent frames give their sequence numbers back, newest first, so
	 * each flow's numbers stay gapless. */
	while (k > sent) {
		k--;
		g->next_flow = g->next_flow ? g->next_flow - 1 : g->flows - 1;
		g->seq[g->next_flow]--;
		pkt_free(b[k]);
	}
	g->tx += sent;
	return sent;
}

static void pktgen_fin(struct pktgen *g, unsigned int per_flow)
{
	unsigned int f, i;

	for (i = 0; i < per_flow; i++)
		for (f = 0; f < g->flows; f++) {
			struct pkt *p = pktgen_build(g, f, PG_F_FIN,
						     g->seq[f]);

			if (p)
				net_send(g->s, p);
		}
}

int net_app_pktgen(struct net_stack *s)
{
	static struct pktgen g;
	const char *dst = cmdline_get("dst");
	uint64_t size = cmdline_get_u64("size", 64);
	uint64_t rate = cmdline_get_u64("rate", 0);
	uint64_t count = cmdline_get_u64("count", 0);
	uint64_t flows = cmdline_get_u64("flows", 1);
	uint64_t burst = cmdline_get_u64("burst", 32);
	uint64_t pace_us = cmdline_get_u64("pace_us", 1000);
	uint64_t chunk_max = cmdline_get_u64("tx_ring", 0) / 2;
	uint64_t latency = cmdline_get_u64("latency", 0);
	uint64_t catchup_us = cmdline_get_u64("catchup_us", 0);
	uint64_t hz = clock_tsc_khz() * 1000, t0, end, now, t_end;
	uint64_t release = 0;
	struct pktgen_pace pace = { 0 };
	char ipbuf[16];
	struct json j;

	g.s = s;
	if (!dst || ip_parse(dst, &g.dst, NULL) || size < PKT_FRAME_MIN ||
	    size > PKT_FRAME_MAX || flows < 1 || flows > PG_FLOWS_MAX ||
	    burst < 1 || burst > PG_BURST_MAX || pace_us > 1000000 ||
	    catchup_us > 1000000 || rate > PACE_RATE_MAX || latency > 2)
		return RT_EXIT_USAGE;
	g.size = (uint16_t)size;
	g.payload = (uint16_t)(size - ETH_FCS_LEN - OFF_UDP_PAYLOAD);
	g.flows = (unsigned int)flows;
	g.sport = (uint16_t)cmdline_get_u64("sport", PG_SPORT);
	g.dport = (uint16_t)cmdline_get_u64("dport", PG_PORT);
	g.csum = cmdline_get_u64("udp_csum", 1) != 0;
	g.latency = latency != 0;
	g.probes = latency == 2;
	if (g.latency)
		lat_init(&g.rtt, 1u << 20);
	if (net_resolve(s, g.dst, g.mac, (unsigned int)
			cmdline_get_u64("arp_ms", 3000))) {
		json_begin(&j, "error");
		json_kv_str(&j, "app", "pktgen");
		json_kv_str(&j, "msg", "ARP resolution failed");
		json_kv_str(&j, "dst", dst);
		json_end(&j);
		return RT_EXIT_FAIL;
	}
	pktgen_templates(&g);

	t0 = clock_tsc();
	if (chunk_max < PG_CHUNK_MIN)
		chunk_max = PG_CHUNK_MIN;
	else if (chunk_max > PG_CHUNK_MAX)
		chunk_max = PG_CHUNK_MAX;
	if (rate && pktgen_pace_init(&pace, rate, hz, t0, pace_us,
				     catchup_us, chunk_max))
		return RT_EXIT_USAGE;
	end = count ? UINT64_MAX : t0 + cmdline_get_u64("seconds", 5) * hz;
	while ((now = clock_tsc()) < end && (!count || g.tx < count)) {
		uint64_t n = burst;

		pktgen_rx(&g);
		if (count && count - g.tx < n)
			n = count - g.tx;
		if (rate && g.tx >= release) {
			/* the last group is out: wait for the next one to be
			 * due, then release what is (within the cap) */
			uint64_t want = pace.chunk, at, go;

			if (count && count - g.tx < want)
				want = count - g.tx;
			go = pktgen_pace_next(&pace, now, g.tx, want, &at);
			if (!go) {
				netdev_wait(s->dev, at < end ? at : end,
					    NETDEV_EV_RX);
				continue;
			}
			release = g.tx + go;
			g.probe_due = true;
		} else if (!rate) {
			g.probe_due = true;	/* every burst a group */
		}
		if (rate) {
			if (release - g.tx < n)
				n = release - g.tx;
		}
		if (!pktgen_burst(&g, (unsigned int)n))
			/* ring full: until TX completions, briefly */
			netdev_wait(s->dev, now + hz / 1000, NETDEV_EV_TX);
	}
	t_end = clock_tsc();
	now = t_end + cmdline_get_u64("fin_gap_ms", 100) * (hz / 1000);
	while (clock_tsc() < now) {
		pktgen_rx(&g);
		netdev_wait(s->dev, now, NETDEV_EV_RX | NETDEV_EV_TX);
	}
	pktgen_fin(&g, (unsigned int)cmdline_get_u64("fin", 3));
	if (g.latency) {
		uint64_t drain = clock_tsc() + cmdline_get_u64("drain_ms", 500) *
					       (hz / 1000);

		while (clock_tsc() < drain && g.rx < g.tx) {
			pktgen_rx(&g);
			netdev_wait(s->dev, drain, NETDEV_EV_RX);
		}
	}

	json_begin(&j, "pktgen");
	ip_format(g.dst, ipbuf);
	json_kv_str(&j, "dst", ipbuf);
	json_kv_u64(&j, "size", size);
	json_kv_u64(&j, "flows", flows);
	json_kv_u64(&j, "rate", rate);
	json_kv_u64(&j, "tx_packets", g.tx);
	json_kv_u64(&j, "tx_bytes", g.tx * size);
	net_app_report_rate(&j, g.tx, g.tx * size,
			    clock_tsc_to_ns(t_end - t0));
	json_kv_u64(&j, "tx_full", s->dev->st.tx_full);
	json_kv_u64(&j, "no_buf", g.no_buf);
	if (rate) {
		json_kv_u64(&j, "skipped", pace.skipped);
		json_kv_u64(&j, "skips", pace.skips);
		json_kv_u64(&j, "max_late_us",
			    clock_tsc_to_ns(pace.max_late) / 1000);
	}
	if (g.latency) {
		json_kv_u64(&j, "rx_packets", g.rx);
		json_kv_u64(&j, "lost", g.tx > g.rx ? g.tx - g.rx : 0);
		json_kv_str(&j, "rtt_of", g.probes ? "group_heads" : "all");
		lat_report(&j, "rtt_us", &g.rtt);
	}
	net_app_report_counters(&j, s);
	json_end(&j);
	return g.tx && (!g.latency || g.rx) ? RT_EXIT_OK : RT_EXIT_FAIL;
}
