// SPDX-License-Identifier: MIT
/*
 * reflect and echo: answer frames in place (zero copy: the received
 * buffer is rewritten and handed to tx_burst), ARP and ICMP echo handled
 * by the stack.
 *
 * reflect: every UDP datagram to us (or only port=N) goes back with MACs,
 * IPs and ports swapped - pktgen latency=1 measures round trips with it.
 * echo: UDP echo (RFC 862) on port=7 and ICMP echo replies.
 *
 * Both run for seconds= (default 10; 0 = no limit), until count= answers,
 * or until idle_ms= of silence after the first frame (0 = off).
 * link_ms=N: link events (netdev_link_watch).
 *
 * {"event":"reflect","rx":..,"reflected":..,"tx_dropped":..,
 *  "icmp_echoed":..,"duration_us":..,"drv":{...},"stack":{...}}
 * {"event":"echo","rx":..,"udp_echoed":..,"icmp_echoed":..,
 *  "tx_dropped":..,"duration_us":..,"drv":{...},"stack":{...}}
 * Exit 0, or 1 when count= was given and not reached.
 */
#include "apps/net_app.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/rt.h"

struct reflect_run {
	uint64_t rx, answered, dropped;
};

/* The loop shared by both: port 0 = any UDP port. */
static void reflect_loop(struct net_stack *s, uint16_t port,
			 struct reflect_run *run, uint64_t *t_first)
{
	uint64_t end = net_app_deadline_ms(cmdline_get_u64("seconds", 10) *
					   1000);
	uint64_t count = cmdline_get_u64("count", 0);
	uint64_t idle = clock_ns_to_tsc(cmdline_get_u64("idle_ms", 0) *
					1000000);
	uint64_t last = 0, icmp0 = s->st.icmp_echo_replies;
	struct netdev *nd = s->dev;

	for (;;) {
		struct pkt *rx[32], *tx[32];
		unsigned int n, i, k = 0, sent;
		uint64_t now = clock_tsc();
		uint64_t look = netdev_link_watch(nd);

		if (now >= end || (count && run->answered +
				   s->st.icmp_echo_replies - icmp0 >= count) ||
		    (idle && last && now - last >= idle))
			break;
		n = netdev_rx_burst(nd, rx, 32);
		if (!n) {
			uint64_t until = idle && last ? last + idle : end;

			if (look < until)
				until = look;

			netdev_wait(nd, until < end ? until : end,
				    NETDEV_EV_RX);
			continue;
		}
		last = now;
		if (!*t_first)
			*t_first = now;
		run->rx += n;
		for (i = 0; i < n; i++) {
			struct net_rx r;

			net_parse(rx[i]->data, rx[i]->len, &r);
			if (r.kind == NET_UDP && r.dst_ip == s->ip &&
			    (!port || r.dport == port)) {
				net_swap(s, rx[i]->data, &r, true);
				tx[k++] = rx[i];
			} else {
				net_input(s, rx[i], &r);
			}
		}
		sent = k ? netdev_tx_burst(nd, tx, (uint16_t)k) : 0;
		run->answered += sent;
		if (sent < k) {
			run->dropped += k - sent;
			pkt_free_bulk(tx + sent, k - sent);
		}
	}
}

static int reflect_report(struct net_stack *s, const char *event,
			  const char *answered_key, struct reflect_run *run,
			  uint64_t icmp0, uint64_t t0)
{
	uint64_t count = cmdline_get_u64("count", 0);
	uint64_t icmp = s->st.icmp_echo_replies - icmp0;
	struct json j;

	json_begin(&j, event);
	json_kv_u64(&j, "rx", run->rx);
	json_kv_u64(&j, answered_key, run->answered);
	json_kv_u64(&j, "icmp_echoed", icmp);
	json_kv_u64(&j, "tx_dropped", run->dropped);
	json_kv_u64(&j, "duration_us", clock_tsc_to_ns(clock_tsc() - t0) /
					1000);
	net_app_report_counters(&j, s);
	json_end(&j);
	return count && run->answered + icmp < count ? RT_EXIT_FAIL
						     : RT_EXIT_OK;
}

int net_app_reflect(struct net_stack *s)
{
	struct reflect_run run = { 0 };
	uint64_t icmp0 = s->st.icmp_echo_replies, t0 = clock_tsc(), first = 0;

	reflect_loop(s, (uint16_t)cmdline_get_u64("port", 0), &run, &first);
	return reflect_report(s, "reflect", "reflected", &run, icmp0, t0);
}

int net_app_echo(struct net_stack *s)
{
	struct reflect_run run = { 0 };
	uint64_t icmp0 = s->st.icmp_echo_replies, t0 = clock_tsc(), first = 0;

	reflect_loop(s, (uint16_t)cmdline_get_u64("port", 7), &run, &first);
	return reflect_report(s, "echo", "udp_echoed", &run, icmp0, t0);
}
