// SPDX-License-Identifier: MIT
/*
 * sink: counts the frames pktgen sends, by flow and sequence number.
 *
 *   port=9000        UDP port (0: any port, frames recognised by magic)
 *   seconds=0        stop after this long (0: no limit)
 *   idle_ms=2000     stop after this much silence once traffic started
 *   wait_ms=30000    give up if nothing arrives this long from the start
 *   count=0          stop after this many data frames
 *   fin=1            stop when every flow seen has sent its FIN
 *   verify=1         check UDP checksums (bad ones are counted, dropped)
 *   max_loss_pct=0   exit 1 above this loss
 *
 * Per flow (apps/sink_seq.h): frames at or past the next expected number
 * advance it (a jump is a gap); an older number seen before within the
 * last 1024 is a duplicate, otherwise a late (reordered) arrival that
 * fills a gap. expected = FIN's count if a FIN came, else highest seq +
 * 1; lost = expected - received (unique frames). max_gap: the longest
 * run of numbers skipped at once (or a lost tail), the flow's dark time
 * at a known rate, e.g. across a live migration; lost_in_gap: its frames
 * less the late ones that fell in it; lost_outside_gap: the rest of
 * lost; gaps: how many separate runs were lost.
 *
 * {"event":"sink","received":..,"bytes":..,"expected":..,"lost":..,
 *  "loss_pct":0.0,"reordered":..,"duplicated":..,"csum_errors":..,
 *  "fin":true,"max_gap":..,"max_gap_us":..,"lost_in_gap":..,
 *  "lost_outside_gap":..,"gaps":..,"max_idle_us":..,"max_idle_end_ms":..,
 *  "duration_us":..,"pps":..,"bps":..,"latency_us":{...},
 *  "flows":[{"flow":0,"received":..,"expected":..,"lost":..,
 *  "reordered":..,"duplicated":..,"max_gap":..,"lost_in_gap":..,
 *  "lost_outside_gap":..,"gaps":..},
 *  ...],"drv":{...},"stack":{...}}
 * max_gap and max_gap_us are the longest of any flow's; max_gap_us is
 * the sender's time from the frame before that gap to the one after (its
 * TSC stamps: 0 when the gap had no frame on one side), lost_outside_gap
 * and gaps the sums over the flows. max_idle_us: the longest time between
 * two data frames received, by the sink's clock: the silence the sink
 * saw, also when it is the sender that stopped (a sender paused by its
 * migration leaves no gap in the numbers: pktgen makes up the frames
 * that fell due meanwhile). max_idle_end_ms: when it ended, by the TSC
 * in ms (the time base of other records' stamps, e.g. a failover
 * netdev's last_switch_ms).
 * bytes/bps count frames with FCS; duration runs from the first to the
 * last data frame. latency_us is one-way from the sender's TSC and means
 * something only when both run on one host's TSC (two VMs here).
 * "flows" lists at most 16. Exit 0 if frames arrived and loss_pct <=
 * max_loss_pct, else 1.
 */
#include "apps/net_app.h"
#include "apps/sink_seq.h"
#include "net/bytes.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/rt.h"
#include "rt/string.h"

#define SINK_FLOWS_REPORTED	16

struct sink {
	struct sink_flow flow[PG_FLOWS_MAX];
	unsigned int nflows, nfin;
	uint64_t received, bytes, csum_errors, first, last;
	uint64_t max_idle;		/* longest time between two frames */
	uint64_t max_idle_end;		/* the TSC of the frame that ended it */
	struct lat_samples lat;
};

/* true if the frame was pktgen's (and is consumed here). */
static bool sink_take(struct sink *k, struct net_stack *s, struct pkt *p,
		      const struct net_rx *r, uint16_t port, bool verify)
{
	const uint8_t *d = p->data + r->payload_off;
	struct sink_flow *f;
	uint8_t flow;
	uint32_t seq;

	if (r->kind != NET_UDP || r->dst_ip != s->ip ||
	    (port && r->dport != port) || r->payload_len < PG_HDR_LEN ||
	    get_be16(d) != PG_MAGIC || d[2] >= PG_FLOWS_MAX)
		return false;
	if (verify && !net_udp_csum_ok(p->data, r)) {
		k->csum_errors++;
		return true;
	}
	flow = d[2];
	seq = get_be32(d + 4);
	f = &k->flow[flow];
	if (!f->seen) {
		f->seen = true;
		k->nflows++;
	}
	if (d[3] & PG_F_FIN) {
		if (!f->fin)
			k->nfin++;
		sink_seq_fin(f, seq);
		return true;
	}
	sink_seq_add(f, seq, get_le64(d + 8));
	k->received++;
	k->bytes += p->len + ETH_FCS_LEN;
	if (!k->first)
		k->first = p->rx_tsc;
	if (k->last && p->rx_tsc > k->last &&
	    p->rx_tsc - k->last > k->max_idle) {
		k->max_idle = p->rx_tsc - k->last;
		k->max_idle_end = p->rx_tsc;
	}
	k->last = p->rx_tsc;
	lat_add(&k->lat, clock_tsc_to_ns(p->rx_tsc - get_le64(d + 8)));
	return true;
}

int net_app_sink(struct net_stack *s)
{
	static struct sink k;
	uint16_t port = (uint16_t)cmdline_get_u64("port", PG_PORT);
	bool verify = cmdline_get_u64("verify", 1) != 0;
	bool stop_fin = cmdline_get_u64("fin", 1) != 0;
	uint64_t count = cmdline_get_u64("count", 0);
	uint64_t idle = clock_ns_to_tsc(cmdline_get_u64("idle_ms", 2000) *
					1000000);
	uint64_t end = net_app_deadline_ms(cmdline_get_u64("seconds", 0) *
					   1000);
	uint64_t start_limit = net_app_deadline_ms(cmdline_get_u64("wait_ms",
								   30000));
	uint64_t max_loss = cmdline_get_u64("max_loss_pct", 0);
	uint64_t expected = 0, lost = 0, reordered = 0, dups = 0, loss_milli;
	uint64_t last_rx = 0, gap = 0, gap_ts = 0, outside = 0, gaps = 0;
	uint64_t gap_lost = 0;
	struct netdev *nd = s->dev;
	struct json j;
	unsigned int i, shown = 0;

	lat_init(&k.lat, 1u << 20);
	for (;;) {
		struct pkt *pkts[32];
		uint64_t now = clock_tsc(), until;
		unsigned int n;

		if (now >= end || (!last_rx && now >= start_limit) ||
		    (last_rx && idle && now - last_rx >= idle) ||
		    (count && k.received >= count) ||
		    (stop_fin && k.nflows && k.nfin == k.nflows))
			break;
		n = netdev_rx_burst(nd, pkts, 32);
		if (!n) {
			until = last_rx && idle ? last_rx + idle : start_limit;
			netdev_wait(nd, until < end ? until : end,
				    NETDEV_EV_RX);
			continue;
		}
		for (i = 0; i < n; i++) {
			struct net_rx r;

			net_parse(pkts[i]->data, pkts[i]->len, &r);
			if (sink_take(&k, s, pkts[i], &r, port, verify)) {
				last_rx = now;
				pkt_free(pkts[i]);
			} else {
				net_input(s, pkts[i], &r);
			}
		}
	}

	for (i = 0; i < PG_FLOWS_MAX; i++) {
		struct sink_flow *f = &k.flow[i];

		if (!f->seen)
			continue;
		expected += sink_seq_expected(f);
		lost += sink_seq_lost(f);
		reordered += f->reordered;
		dups += f->dups;
		outside += sink_seq_lost_outside(f);
		gaps += sink_seq_gaps(f);
		if (sink_seq_max_gap(f) > gap) {
			gap = sink_seq_max_gap(f);
			gap_ts = gap == f->max_gap ? f->max_gap_ts : 0;
			gap_lost = sink_seq_lost_in_gap(f);
		}
	}
	loss_milli = expected ? lost * 100000 / expected : 0;
	json_begin(&j, "sink");
	json_kv_u64(&j, "received", k.received);
	json_kv_u64(&j, "bytes", k.bytes);
	json_kv_u64(&j, "expected", expected);
	json_kv_u64(&j, "lost", lost);
	json_kv_fixed(&j, "loss_pct", (int64_t)(loss_milli / 100), 1);
	json_kv_u64(&j, "reordered", reordered);
	json_kv_u64(&j, "duplicated", dups);
	json_kv_u64(&j, "csum_errors", k.csum_errors);
	json_kv_bool(&j, "fin", k.nflows && k.nfin == k.nflows);
	json_kv_u64(&j, "max_gap", gap);
	json_kv_fixed(&j, "max_gap_us",
		      (int64_t)(clock_tsc_to_ns(gap_ts) / 100), 1);
	json_kv_u64(&j, "lost_in_gap", gap_lost);
	json_kv_u64(&j, "lost_outside_gap", outside);
	json_kv_u64(&j, "gaps", gaps);
	json_kv_fixed(&j, "max_idle_us",
		      (int64_t)(clock_tsc_to_ns(k.max_idle) / 100), 1);
	json_kv_u64(&j, "max_idle_end_ms",
		    clock_tsc_to_ns(k.max_idle_end) / 1000000);
	net_app_report_rate(&j, k.received, k.bytes,
			    k.last > k.first ?
			    clock_tsc_to_ns(k.last - k.first) : 0);
	lat_report(&j, "latency_us", &k.lat);
	json_arr_begin(&j, "flows");
	for (i = 0; i < PG_FLOWS_MAX && shown < SINK_FLOWS_REPORTED; i++) {
		struct sink_flow *f = &k.flow[i];

		if (!f->seen)
			continue;
		shown++;
		json_obj_begin(&j, NULL);
		json_kv_u64(&j, "flow", i);
		json_kv_u64(&j, "received", f->received);
		json_kv_u64(&j, "expected", sink_seq_expected(f));
		json_kv_u64(&j, "lost", sink_seq_lost(f));
		json_kv_u64(&j, "reordered", f->reordered);
		json_kv_u64(&j, "duplicated", f->dups);
		json_kv_u64(&j, "max_gap", sink_seq_max_gap(f));
		json_kv_u64(&j, "lost_in_gap", sink_seq_lost_in_gap(f));
		json_kv_u64(&j, "lost_outside_gap",
			    sink_seq_lost_outside(f));
		json_kv_u64(&j, "gaps", sink_seq_gaps(f));
		json_obj_end(&j);
	}
	json_arr_end(&j);
	net_app_report_counters(&j, s);
	json_end(&j);
	return k.received && loss_milli <= max_loss * 1000 ? RT_EXIT_OK
							   : RT_EXIT_FAIL;
}
