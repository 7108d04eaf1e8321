// SPDX-License-Identifier: MIT
/*
 * iopath-peer: attach to a switch as a packet-channel port and act as a
 * tiny host (see usage()). Prints {"event":"ready",...} once attached and
 * one {"event":"peer",...} line with its counters at exit.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SUBSYS "peer"
#include "base/clock.h"
#include "base/log.h"
#include "base/mac.h"
#include "tests/tools/peer.h"
#include "tests/tools/peer_net.h"
#include "wire/attach_proto.h"

/* After the last frame: how long to wait for the switch to take them. */
#define DRAIN_NS	1000000000ull

static volatile sig_atomic_t stop_signal;

static const char *const mode_names[] = {
	[PEER_RESPONDER] = "responder",
	[PEER_SEND] = "send",
	[PEER_SINK] = "sink",
	[PEER_RAW_SEND] = "raw-send",
	[PEER_RAW_RECV] = "raw-recv",
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: iopath-peer --sock PATH --port NAME --mac MAC --ip A.B.C.D/N\n"
"                   [--mode responder|send|sink|raw-send|raw-recv] [options]\n"
"  --vm NAME          owner name shown by the switch (iopath-peer)\n"
"  --vlan N           tag our frames with VID N (port attached as trunk)\n"
"  --access-vlan N    access VID asked of the switch when untagged (1)\n"
"  --seconds S        stop after S seconds (0: count or signal)\n"
"  --count N          send: frames to send; sink/raw-recv: stop after N\n"
"  --slots N          ring slots (256)\n"
"send:  --dst-ip IP [--dst-mac MAC] --rate PPS (0: as fast as possible)\n"
"       --size BYTES (frame without FCS, 60..%u; 60) --flows N (1..%u)\n"
"       --udp-port N (9000) --src-port N (10000; flow i uses N+i)\n"
"sink:  --udp-port N (9000)\n"
"raw-send: --frame HEX (repeatable) [--count N] [--rate PPS]\n"
"raw-recv: [--dump] prints every frame as a JSON line\n",
		PKTCHAN_FRAME_MAX - NET_VLAN_HLEN, STREAM_MAX_FLOWS);
}

static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *v > max || s[0] == '-')
		return -EINVAL;
	return 0;
}

#define NEED(cond, ...) do {						\
		if (!(cond)) {						\
			fprintf(stderr, "iopath-peer: " __VA_ARGS__);	\
			fputc('\n', stderr);				\
			exit(2);					\
		}							\
	} while (0)

static void parse_args(int argc, char **argv, struct peer_opts *o)
{
	enum { O_SOCK = 256, O_PORT, O_VM, O_MAC, O_IP, O_VLAN, O_ACCESS,
	       O_MODE, O_DST_IP, O_DST_MAC, O_UDP_PORT, O_SRC_PORT, O_FLOWS,
	       O_RATE, O_SIZE, O_COUNT, O_SECONDS, O_SLOTS, O_DUMP, O_FRAME,
	       O_HELP };
	static const struct option opts[] = {
		{ "sock", 1, NULL, O_SOCK }, { "port", 1, NULL, O_PORT },
		{ "vm", 1, NULL, O_VM }, { "mac", 1, NULL, O_MAC },
		{ "ip", 1, NULL, O_IP }, { "vlan", 1, NULL, O_VLAN },
		{ "access-vlan", 1, NULL, O_ACCESS },
		{ "mode", 1, NULL, O_MODE }, { "dst-ip", 1, NULL, O_DST_IP },
		{ "dst-mac", 1, NULL, O_DST_MAC },
		{ "udp-port", 1, NULL, O_UDP_PORT },
		{ "src-port", 1, NULL, O_SRC_PORT },
		{ "flows", 1, NULL, O_FLOWS }, { "rate", 1, NULL, O_RATE },
		{ "size", 1, NULL, O_SIZE }, { "count", 1, NULL, O_COUNT },
		{ "seconds", 1, NULL, O_SECONDS },
		{ "slots", 1, NULL, O_SLOTS }, { "dump", 0, NULL, O_DUMP },
		{ "frame", 1, NULL, O_FRAME }, { "help", 0, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	bool have_mac = false, have_ip = false, have_dst_ip = false;
	char *end;
	int c, n;
	unsigned m;

	*o = (struct peer_opts){
		.vm = "iopath-peer", .vlan = -1, .access_vlan = 1,
		.udp_port = 9000, .src_port = 10000, .flows = 1, .size = 60,
		.nslots = 256,
	};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_SOCK: o->sock = optarg; break;
		case O_PORT: o->port = optarg; break;
		case O_VM: o->vm = optarg; break;
		case O_MAC:
			NEED(mac_parse_unicast(optarg, o->mac) == 0,
			     "bad --mac %s", optarg);
			have_mac = true;
			break;
		case O_IP:
			NEED(net_parse_ipv4(optarg, &o->ip, &o->prefix) == 0,
			     "bad --ip %s", optarg);
			have_ip = true;
			break;
		case O_VLAN:
			NEED(parse_uint(optarg, 4094, &v) == 0 && v > 0,
			     "bad --vlan %s", optarg);
			o->vlan = (int)v;
			break;
		case O_ACCESS:
			NEED(parse_uint(optarg, 4094, &v) == 0 && v > 0,
			     "bad --access-vlan %s", optarg);
			o->access_vlan = (int)v;
			break;
		case O_MODE:
			for (m = 0; m < 5; m++)
				if (strcmp(optarg, mode_names[m]) == 0)
					break;
			NEED(m < 5, "unknown --mode %s", optarg);
			o->mode = (enum peer_mode)m;
			break;
		case O_DST_IP:
			NEED(net_parse_ipv4(optarg, &o->dst_ip, NULL) == 0,
			     "bad --dst-ip %s", optarg);
			have_dst_ip = true;
			break;
		case O_DST_MAC:
			NEED(mac_parse(optarg, o->dst_mac) == 0,
			     "bad --dst-mac %s", optarg);
			o->have_dst_mac = true;
			break;
		case O_UDP_PORT:
			NEED(parse_uint(optarg, 65535, &v) == 0,
			     "bad --udp-port %s", optarg);
			o->udp_port = (uint16_t)v;
			break;
		case O_SRC_PORT:
			NEED(parse_uint(optarg, 65535, &v) == 0,
			     "bad --src-port %s", optarg);
			o->src_port = (uint16_t)v;
			break;
		case O_FLOWS:
			NEED(parse_uint(optarg, STREAM_MAX_FLOWS, &v) == 0 &&
			     v > 0, "bad --flows %s", optarg);
			o->flows = (unsigned)v;
			break;
		case O_RATE:
			NEED(parse_uint(optarg, 100000000, &v) == 0,
			     "bad --rate %s", optarg);
			o->rate = v;
			break;
		case O_SIZE:
			NEED(parse_uint(optarg, PKTCHAN_FRAME_MAX -
					NET_VLAN_HLEN, &v) == 0 &&
			     v >= NET_UDP_HDRS + STREAM_PAYLOAD_LEN,
			     "bad --size %s", optarg);
			o->size = (unsigned)v;
			break;
		case O_COUNT:
			NEED(parse_uint(optarg, UINT64_MAX, &v) == 0,
			     "bad --count %s", optarg);
			o->count = v;
			break;
		case O_SECONDS:
			o->seconds = strtod(optarg, &end);
			NEED(end != optarg && !*end && o->seconds >= 0,
			     "bad --seconds %s", optarg);
			break;
		case O_SLOTS:
			NEED(parse_uint(optarg, PKTCHAN_RING_MAX, &v) == 0 &&
			     v >= PKTCHAN_RING_MIN && !(v & (v - 1)),
			     "--slots: a power of two in %u..%u",
			     PKTCHAN_RING_MIN, PKTCHAN_RING_MAX);
			o->nslots = (unsigned)v;
			break;
		case O_DUMP: o->dump = true; break;
		case O_FRAME:
			NEED(o->nraw < PEER_MAX_RAW, "too many --frame");
			n = net_parse_hex(optarg, o->raw[o->nraw],
					  PKTCHAN_FRAME_MAX - NET_VLAN_HLEN);
			NEED(n >= NET_ETH_HLEN, "bad --frame %s", optarg);
			o->raw_len[o->nraw++] = (uint16_t)n;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	NEED(optind == argc, "unexpected argument %s", argv[optind]);
	NEED(o->sock && o->port && have_mac,
	     "--sock, --port and --mac are required (--help)");
	NEED(have_ip || o->mode == PEER_RAW_SEND || o->mode == PEER_RAW_RECV,
	     "--ip is required in mode %s", mode_names[o->mode]);
	NEED(o->mode != PEER_SEND || have_dst_ip, "send needs --dst-ip");
	NEED(o->mode != PEER_RAW_SEND || o->nraw > 0, "raw-send needs --frame");
	if (o->mode == PEER_RAW_SEND && !o->count)
		o->count = o->nraw;
}

/* The attach failed: say so on stdout too, for harnesses that parse it. */
static void report_error(const struct peer *p, const char *why)
{
	json_t *j = json_object();
	char *line;

	json_object_set_new(j, "event", json_string("error"));
	json_object_set_new(j, "mode", json_string(mode_names[p->o.mode]));
	json_object_set_new(j, "port", json_string(p->o.port));
	json_object_set_new(j, "error", json_string(why));
	line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("%s\n", line);
	fflush(stdout);
	free(line);
	json_decref(j);
}

static int peer_attach(struct peer *p)
{
	struct attach_req req = { .kind = ATTACH_KIND_PKTCHAN };
	int fds[3], ret;
	char err[256];

	p->ch = pktchan_create(p->o.nslots);
	if (!p->ch) {
		fprintf(stderr, "iopath-peer: packet channel: %s\n",
			strerror(errno));
		return -errno;
	}
	snprintf(req.port, sizeof(req.port), "%s", p->o.port);
	snprintf(req.vm, sizeof(req.vm), "%s", p->o.vm);
	memcpy(req.mac, p->o.mac, 6);
	if (p->o.vlan >= 0) {
		req.vlan_mode = ATTACH_VLAN_TRUNK;
		req.vlan = 0;	/* no native VLAN: everything tagged */
	} else {
		req.vlan_mode = ATTACH_VLAN_ACCESS;
		req.vlan = (uint16_t)p->o.access_vlan;
	}
	fds[0] = pktchan_memfd(p->ch);
	fds[1] = pktchan_kick_switch_fd(p->ch);
	fds[2] = pktchan_kick_endpoint_fd(p->ch);
	ret = attach_client_connect(p->o.sock, "iopath-peer", &req, fds, 3,
				    &p->port_id, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "iopath-peer: attach %s to %s failed: %s\n",
			p->o.port, p->o.sock, err);
		report_error(p, err);
		return ret;
	}
	p->sock = ret;
	return 0;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* The switch may only hang up or tell us why it drops the port. */
static void check_sock(struct peer *p)
{
	struct attach_msg m;
	char err[256];
	int ret = attach_msg_recv(p->sock, &m, 0, err, sizeof(err));

	if (ret == -ETIMEDOUT)
		return;
	if (ret == 0 && m.hdr.type == ATTACH_MSG_ERROR) {
		static char why[ATTACH_ERR_MAX + 32];

		snprintf(why, sizeof(why), "switch: %s", m.u.error.msg);
		p->error = why;
		return;
	}
	attach_msg_close_fds(&m);
	p->error = ret == -ECONNRESET ? "switch closed the connection"
				      : "unexpected message from the switch";
}

/* Sleep until a kick, the socket, @wake_ns or a signal. */
static void peer_sleep(struct peer *p, uint64_t wake_ns)
{
	struct pollfd pf[2] = {
		{ .fd = pktchan_wait_fd(p->ch), .events = POLLIN },
		{ .fd = p->sock, .events = POLLIN },
	};
	struct timespec ts, *tsp = NULL;
	sigset_t block, orig;
	uint64_t now = clock_mono_ns();

	if (wake_ns != UINT64_MAX) {
		uint64_t d = wake_ns > now ? wake_ns - now : 0;

		ts.tv_sec = (time_t)(d / 1000000000u);
		ts.tv_nsec = (long)(d % 1000000000u);
		tsp = &ts;
	}
	/* Signals blocked between the flag check and ppoll: no lost stop. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	if (!stop_signal && ppoll(pf, 2, tsp, &orig) > 0 && pf[1].revents)
		check_sock(p);
	sigprocmask(SIG_SETMASK, &orig, NULL);
}

static unsigned peer_rx(struct peer *p)
{
	static uint8_t bufs[PEER_BURST][PKTCHAN_FRAME_MAX];
	void *b[PEER_BURST];
	uint16_t lens[PEER_BURST];
	unsigned i, n;

	for (i = 0; i < PEER_BURST; i++)
		b[i] = bufs[i];
	n = pktchan_recv_burst(p->ch, b, PKTCHAN_FRAME_MAX, lens, PEER_BURST);
	for (i = 0; i < n; i++)
		peer_mode_rx(p, bufs[i], lens[i]);
	return n;
}

static void peer_run(struct peer *p)
{
	uint64_t deadline = UINT64_MAX, wake;

	if (p->o.seconds > 0)
		deadline = p->start_ns + (uint64_t)(p->o.seconds * 1e9);
	while (!stop_signal && !p->error) {
		uint64_t now = clock_mono_ns();
		unsigned work;

		if (now >= deadline || peer_mode_done(p))
			break;
		work = peer_rx(p);
		work += peer_mode_tx(p, now, &wake);
		if (pktchan_broken(p->ch))
			p->error = "packet channel broken by the switch";
		if (work || p->error)
			continue;
		if (pktchan_arm_wait(p->ch))
			continue;
		peer_sleep(p, wake < deadline ? wake : deadline);
	}
	/* Let the switch take what we queued before we hang up. */
	deadline = clock_mono_ns() + DRAIN_NS;
	while (!p->error && pktchan_tx_inflight(p->ch) &&
	       clock_mono_ns() < deadline)
		usleep(1000);
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static double rate(uint64_t n, uint64_t first, uint64_t last)
{
	return n > 1 && last > first ? (double)(n - 1) * 1e9 /
					       (double)(last - first) : 0;
}

static void put_int(json_t *j, const char *k, uint64_t v)
{
	json_object_set_new(j, k, json_integer((json_int_t)v));
}

static void put_real(json_t *j, const char *k, double v)
{
	json_object_set_new(j, k, json_real(v));
}

static json_t *report_flows(const struct stream_sink *s)
{
	json_t *flows = json_array();
	unsigned i;

	for (i = 0; i < STREAM_MAX_FLOWS; i++) {
		const struct stream_flow *f = &s->flows[i];
		json_t *o;

		if (!f->started)
			continue;
		o = json_object();
		put_int(o, "flow", i);
		put_int(o, "received", f->received);
		put_int(o, "lost", f->lost);
		put_int(o, "reordered", f->reordered);
		put_int(o, "dup", f->dup);
		json_array_append_new(flows, o);
	}
	return flows;
}

/* One line, every key present in every mode (see PROTOCOL.md's tools). */
static void peer_report(const struct peer *p)
{
	const struct stream_sink *s = &p->sink;
	json_t *j = json_object();
	char *line;

	json_object_set_new(j, "event", json_string("peer"));
	json_object_set_new(j, "mode", json_string(mode_names[p->o.mode]));
	json_object_set_new(j, "port", json_string(p->o.port));
	put_int(j, "port_id", p->port_id);
	put_int(j, "tx", p->tx);
	put_int(j, "rx", p->rx);
	put_int(j, "tx_full", p->tx_full);
	put_int(j, "rx_other", p->rx_other);
	put_int(j, "rx_tagged", p->rx_tagged);
	put_int(j, "rx_untagged", p->rx_untagged);
	put_int(j, "arp_tx", p->arp_tx);
	put_int(j, "arp_rx", p->arp_rx);
	put_int(j, "icmp_echo", p->icmp_echo);
	put_int(j, "udp_echo", p->udp_echo);
	put_int(j, "sent", p->sent);
	put_int(j, "received", s->received);
	put_int(j, "lost", s->lost);
	put_int(j, "reordered", s->reordered);
	put_int(j, "dup", s->dup);
	put_real(j, "outage_ms", ms(s->max_gap_ns));
	put_real(j, "first_ms", s->received ? ms(s->first_ns - p->start_ns)
					    : 0.0);
	put_real(j, "last_ms", s->received ? ms(s->last_ns - p->start_ns)
					   : 0.0);
	put_real(j, "lat_avg_us", s->lat_count ? (double)s->lat_sum_ns /
						 (double)s->lat_count / 1e3
					       : 0.0);
	put_real(j, "lat_max_us", (double)s->lat_max_ns / 1e3);
	put_real(j, "tx_pps", rate(p->sent, p->tx_first_ns, p->tx_last_ns));
	put_real(j, "rx_pps", rate(s->received, s->first_ns, s->last_ns));
	put_real(j, "elapsed_s", (double)(clock_mono_ns() - p->start_ns) / 1e9);
	json_object_set_new(j, "flows", report_flows(s));
	json_object_set_new(j, "error", p->error ? json_string(p->error)
						 : json_null());
	line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
			     JSON_REAL_PRECISION(6));
	printf("%s\n", line);
	fflush(stdout);
	free(line);
	json_decref(j);
}

int main(int argc, char **argv)
{
	static struct peer p;
	struct sigaction sa = { .sa_handler = on_signal };
	char mac[MAC_STR_LEN], ip[16];

	log_set_ident("iopath-peer");
	parse_args(argc, argv, &p.o);
	/* No SA_RESTART: a signal must end ppoll() and the run. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (peer_attach(&p) < 0) {
		pktchan_destroy(p.ch);
		return 1;
	}
	p.start_ns = clock_mono_ns();
	mac_format(p.o.mac, mac);
	net_format_ipv4(p.o.ip, ip);
	printf("{\"event\":\"ready\",\"mode\":\"%s\",\"port\":\"%s\","
	       "\"port_id\":%u,\"mac\":\"%s\",\"ip\":\"%s\",\"vlan\":%d}\n",
	       mode_names[p.o.mode], p.o.port, p.port_id, mac, ip, p.o.vlan);
	fflush(stdout);

	peer_run(&p);
	peer_report(&p);
	close(p.sock);
	pktchan_destroy(p.ch);
	if (p.error) {
		fprintf(stderr, "iopath-peer: %s\n", p.error);
		return 1;
	}
	return 0;
}
