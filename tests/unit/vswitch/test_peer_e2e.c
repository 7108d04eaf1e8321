// SPDX-License-Identifier: MIT
/*
 * iopath-peer end to end, without the real switch: a tiny hub thread
 * speaks the attach protocol, maps each port's packet channel from the
 * switch side and floods frames between the ports. The real iopath-peer
 * binary (PEER_BIN) runs as a child and its JSON lines are checked; the
 * test itself can also attach as an endpoint to poke a peer directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/tools/peer_net.h"
#include "wire/attach_proto.h"
#include "wire/pktchan.h"

#ifndef PEER_BIN
#error "PEER_BIN must name the iopath-peer binary"
#endif

#define HUB_PORTS	4

/* ---- the hub: a fake switch ---- */

struct hub_port {
	int sock;		/* -1: free */
	struct pktchan *ch;	/* NULL until attached */
};

struct hub {
	char path[108];
	int listen_fd;
	int stop_fd;
	pthread_t thread;
	struct hub_port ports[HUB_PORTS];
	uint32_t next_id;
};

static void hub_drop(struct hub_port *hp)
{
	pktchan_destroy(hp->ch);
	hp->ch = NULL;
	close(hp->sock);
	hp->sock = -1;
}

static void hub_accept(struct hub *h)
{
	int c = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	unsigned i;

	if (c < 0)
		return;
	for (i = 0; i < HUB_PORTS; i++)
		if (h->ports[i].sock < 0) {
			h->ports[i].sock = c;
			return;
		}
	close(c);
}

static void hub_reply_error(int sock, uint32_t seq, int err, const char *msg)
{
	struct attach_error e = { .err = err };

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	attach_msg_send(sock, ATTACH_MSG_ERROR, seq, &e, sizeof(e), NULL, 0);
}

static void hub_control(struct hub *h, struct hub_port *hp)
{
	struct attach_msg m;
	char err[128];

	if (attach_msg_recv(hp->sock, &m, 0, err, sizeof(err)) != 0) {
		hub_drop(hp);
		return;
	}
	if (m.hdr.type == ATTACH_MSG_HELLO) {
		struct attach_hello_ack a = {
			.version = ATTACH_VERSION,
			.features = 1u << ATTACH_KIND_PKTCHAN,
		};

		strcpy(a.server, "test-hub");
		attach_msg_send(hp->sock, ATTACH_MSG_HELLO_ACK, m.hdr.seq, &a,
				sizeof(a), NULL, 0);
	} else if (m.hdr.type == ATTACH_MSG_ATTACH) {
		struct attach_ack a = { .port_id = ++h->next_id };

		if (strcmp(m.u.attach.port, "refuse-me") == 0) {
			attach_msg_close_fds(&m);
			hub_reply_error(hp->sock, m.hdr.seq, EEXIST,
					"port refuse-me exists");
			return;
		}
		hp->ch = pktchan_open(m.fds[0], m.fds[1], m.fds[2],
				      PKTCHAN_SIDE_SWITCH);
		if (!hp->ch) {
			attach_msg_close_fds(&m);
			hub_reply_error(hp->sock, m.hdr.seq, errno, "open");
			return;
		}
		attach_msg_send(hp->sock, ATTACH_MSG_ATTACH_ACK, m.hdr.seq, &a,
				sizeof(a), NULL, 0);
	} else {
		attach_msg_close_fds(&m);
		hub_drop(hp);
	}
}

/*
 * Flood one port's frames to every other attached port. With a single
 * destination, hold frames back while its ring is full (the peers'
 * streams then lose nothing); with several, a full ring drops.
 */
static unsigned hub_forward(struct hub *h, unsigned src)
{
	struct pktchan *in = h->ports[src].ch, *dst[HUB_PORTS];
	const void *frames[32];
	uint16_t lens[32];
	unsigned n = 0, ndst = 0, i, sent = 0;

	for (i = 0; i < HUB_PORTS; i++)
		if (i != src && h->ports[i].ch)
			dst[ndst++] = h->ports[i].ch;
	while (n < 32 && pktchan_peek(in, &frames[n], &lens[n]) == 0)
		n++;
	if (n == 0)
		return 0;
	if (ndst == 0) {
		sent = n;	/* nobody to hear it */
	} else if (ndst == 1) {
		sent = pktchan_send_burst(dst[0], frames, lens, n);
	} else {
		for (i = 0; i < ndst; i++)
			pktchan_send_burst(dst[i], frames, lens, n);
		sent = n;
	}
	pktchan_release(in, sent);
	return sent;
}

static void *hub_run(void *arg)
{
	struct hub *h = arg;

	for (;;) {
		struct pollfd pf[2 + 2 * HUB_PORTS];
		unsigned i, np = 0, work = 0;
		bool busy = false;

		for (i = 0; i < HUB_PORTS; i++) {
			struct hub_port *hp = &h->ports[i];

			if (hp->ch && !pktchan_broken(hp->ch))
				work += hub_forward(h, i);
			else if (hp->ch)
				hub_drop(hp);
		}
		for (i = 0; i < HUB_PORTS; i++)
			if (h->ports[i].ch && pktchan_arm_wait(h->ports[i].ch))
				busy = true;
		if (work || busy)
			continue;
		pf[np++] = (struct pollfd){ .fd = h->stop_fd, .events = POLLIN };
		pf[np++] = (struct pollfd){ .fd = h->listen_fd,
					    .events = POLLIN };
		for (i = 0; i < HUB_PORTS; i++) {
			if (h->ports[i].sock >= 0)
				pf[np++] = (struct pollfd){
					.fd = h->ports[i].sock,
					.events = POLLIN };
			if (h->ports[i].ch)
				pf[np++] = (struct pollfd){
					.fd = pktchan_wait_fd(h->ports[i].ch),
					.events = POLLIN };
		}
		if (poll(pf, np, 1000) < 0)
			continue;
		if (pf[0].revents)
			break;
		if (pf[1].revents)
			hub_accept(h);
		for (i = 0; i < HUB_PORTS; i++) {
			struct hub_port *hp = &h->ports[i];
			struct pollfd q = { .fd = hp->sock, .events = POLLIN };

			if (hp->sock >= 0 && poll(&q, 1, 0) > 0)
				hub_control(h, hp);
		}
	}
	for (unsigned i = 0; i < HUB_PORTS; i++)
		if (h->ports[i].sock >= 0)
			hub_drop(&h->ports[i]);
	return NULL;
}

static struct hub *hub_start(void)
{
	struct hub *h = calloc(1, sizeof(*h));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned i;

	assert_non_null(h);
	snprintf(h->path, sizeof(h->path), "/tmp/peer-e2e-%d.sock", getpid());
	unlink(h->path);
	strcpy(sa.sun_path, h->path);
	h->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(h->listen_fd, (struct sockaddr *)&sa,
			      sizeof(sa)), 0);
	assert_int_equal(listen(h->listen_fd, 8), 0);
	h->stop_fd = eventfd(0, EFD_CLOEXEC);
	for (i = 0; i < HUB_PORTS; i++)
		h->ports[i].sock = -1;
	assert_int_equal(pthread_create(&h->thread, NULL, hub_run, h), 0);
	return h;
}

static void hub_stop(struct hub *h)
{
	uint64_t one = 1;

	assert_int_equal(write(h->stop_fd, &one, 8), 8);
	pthread_join(h->thread, NULL);
	close(h->stop_fd);
	close(h->listen_fd);
	unlink(h->path);
	free(h);
}

/* ---- running iopath-peer ---- */

struct child {
	pid_t pid;
	int out;	/* its stdout */
	int err;	/* its stderr */
};

static struct child peer_spawn(const char *sock, const char *const *args)
{
	const char *argv[40];
	int o[2], e[2];
	unsigned n = 0;
	struct child c;

	argv[n++] = PEER_BIN;
	argv[n++] = "--sock";
	argv[n++] = sock;
	while (*args)
		argv[n++] = *args++;
	argv[n] = NULL;
	assert_int_equal(pipe2(o, O_CLOEXEC), 0);
	assert_int_equal(pipe2(e, O_CLOEXEC), 0);
	c.pid = fork();
	assert_true(c.pid >= 0);
	if (c.pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		execv(PEER_BIN, (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	c.out = o[0];
	c.err = e[0];
	return c;
}

/* One line of @fd within @timeout_ms; NULL on EOF or timeout. */
static char *read_line(int fd, int timeout_ms)
{
	static char buf[65536];
	size_t n = 0;

	while (n < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, timeout_ms) <= 0)
			return NULL;
		if (read(fd, &buf[n], 1) != 1)
			return NULL;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return buf;
}

/* The next JSON line whose "event" is @event. */
static json_t *read_event(struct child *c, const char *event, int timeout_ms)
{
	char *line;

	while ((line = read_line(c->out, timeout_ms))) {
		json_t *j = json_loads(line, 0, NULL);

		if (j && strcmp(json_string_value(json_object_get(j, "event")),
				event) == 0)
			return j;
		json_decref(j);
	}
	fail_msg("no \"%s\" line from iopath-peer", event);
	return NULL;
}

static int wait_exit(struct child *c)
{
	int st, i;

	for (i = 0; i < 1000; i++) {
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			close(c->out);
			close(c->err);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		}
		usleep(10000);
	}
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &st, 0);
	fail_msg("iopath-peer did not exit");
	return -1;
}

static json_int_t jint(json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);

	assert_non_null(v);
	return json_integer_value(v);
}

/* ---- tests ---- */

static void test_stream_send_to_sink(void **state)
{
	struct hub *h = hub_start();
	const char *sink_args[] = {
		"--mode", "sink", "--port", "p-sink", "--mac",
		"02:00:00:00:00:02", "--ip", "10.0.0.2/24", "--count", "20000",
		"--seconds", "20", "--slots", "64", NULL,
	};
	const char *send_args[] = {
		"--mode", "send", "--port", "p-send", "--mac",
		"02:00:00:00:00:01", "--ip", "10.0.0.1/24", "--dst-ip",
		"10.0.0.2", "--count", "20000", "--flows", "4", "--size",
		"128", NULL,
	};
	struct child sink = peer_spawn(h->path, sink_args), snd;
	json_t *j;

	json_decref(read_event(&sink, "ready", 5000));
	snd = peer_spawn(h->path, send_args);
	j = read_event(&snd, "peer", 20000);
	assert_int_equal(jint(j, "sent"), 20000);
	assert_int_equal(jint(j, "arp_tx"), 1);	/* resolved the sink */
	assert_true(json_is_null(json_object_get(j, "error")));
	json_decref(j);
	assert_int_equal(wait_exit(&snd), 0);

	j = read_event(&sink, "peer", 20000);
	assert_int_equal(jint(j, "received"), 20000);
	assert_int_equal(jint(j, "lost"), 0);
	assert_int_equal(jint(j, "dup"), 0);
	assert_int_equal(jint(j, "reordered"), 0);
	assert_int_equal(jint(j, "arp_tx"), 1);	/* answered the sender */
	assert_int_equal(json_array_size(json_object_get(j, "flows")), 4);
	assert_int_equal(jint(json_array_get(json_object_get(j, "flows"), 3),
			      "received"), 5000);
	json_decref(j);
	assert_int_equal(wait_exit(&sink), 0);
	hub_stop(h);
}

static void test_stream_rate(void **state)
{
	struct hub *h = hub_start();
	const char *sink_args[] = {
		"--mode", "sink", "--port", "p-sink", "--mac",
		"02:00:00:00:00:02", "--ip", "10.0.0.2/24", "--count", "1000",
		"--seconds", "10", NULL,
	};
	const char *send_args[] = {
		"--mode", "send", "--port", "p-send", "--mac",
		"02:00:00:00:00:01", "--ip", "10.0.0.1/24", "--dst-ip",
		"10.0.0.2", "--dst-mac", "02:00:00:00:00:02", "--count",
		"1000", "--rate", "4000", NULL,
	};
	struct child sink = peer_spawn(h->path, sink_args), snd;
	double pps;
	json_t *j;

	json_decref(read_event(&sink, "ready", 5000));
	snd = peer_spawn(h->path, send_args);
	j = read_event(&snd, "peer", 10000);
	assert_int_equal(jint(j, "arp_tx"), 0);	/* --dst-mac given */
	pps = json_real_value(json_object_get(j, "tx_pps"));
	assert_true(pps > 3000 && pps < 5000);
	json_decref(j);
	assert_int_equal(wait_exit(&snd), 0);
	j = read_event(&sink, "peer", 10000);
	assert_int_equal(jint(j, "received"), 1000);
	assert_true(json_real_value(json_object_get(j, "outage_ms")) < 100);
	json_decref(j);
	assert_int_equal(wait_exit(&sink), 0);
	hub_stop(h);
}

/* The test attaches as an endpoint itself and talks to a responder. */
struct tester {
	struct pktchan *ch;
	int sock;
};

static struct tester tester_attach(struct hub *h)
{
	struct attach_req r = {
		.kind = ATTACH_KIND_PKTCHAN, .vlan = 1,
		.mac = { 0x02, 0, 0, 0, 0, 0x09 },
	};
	struct tester t;
	char err[128];
	int fds[3];

	strcpy(r.port, "tester");
	t.ch = pktchan_create(64);
	assert_non_null(t.ch);
	fds[0] = pktchan_memfd(t.ch);
	fds[1] = pktchan_kick_switch_fd(t.ch);
	fds[2] = pktchan_kick_endpoint_fd(t.ch);
	t.sock = attach_client_connect(h->path, "test", &r, fds, 3, NULL, err,
				       sizeof(err));
	assert_true(t.sock >= 0);
	return t;
}

static void tester_send(struct tester *t, const uint8_t *f, size_t len)
{
	const void *fp = f;
	uint16_t l = (uint16_t)len;

	assert_int_equal(pktchan_send_burst(t->ch, &fp, &l, 1), 1);
}

/* The next frame for the tester, parsed into @k (in @buf). */
static void tester_recv(struct tester *t, uint8_t *buf, struct net_pkt *k)
{
	void *b = buf;
	uint16_t len;
	int i;

	for (i = 0; i < 500; i++) {
		if (pktchan_recv_burst(t->ch, &b, PKTCHAN_FRAME_MAX, &len, 1)) {
			assert_int_equal(net_parse(buf, len, k), 0);
			return;
		}
		usleep(10000);
	}
	fail_msg("no frame for the tester");
}

static void test_responder(void **state)
{
	static const uint8_t tmac[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	static const uint8_t rmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t zero[6];
	const uint32_t tip = 0x0a000009, rip = 0x0a000001;
	struct hub *h = hub_start();
	const char *args[] = {
		"--port", "p-resp", "--mac", "02:00:00:00:00:01", "--ip",
		"10.0.0.1/24", NULL,
	};
	struct child c = peer_spawn(h->path, args);
	uint8_t f[PKTCHAN_FRAME_MAX], in[PKTCHAN_FRAME_MAX];
	struct tester t;
	struct net_pkt k;
	size_t len;
	json_t *j;

	j = read_event(&c, "ready", 5000);
	assert_string_equal(json_string_value(json_object_get(j, "mode")),
			    "responder");
	json_decref(j);
	t = tester_attach(h);

	/* ARP: who has 10.0.0.1? */
	len = net_build_arp(f, NET_ARP_REQUEST, net_broadcast, tmac, tip, zero,
			    rip);
	tester_send(&t, f, len);
	tester_recv(&t, in, &k);
	assert_true(k.is_arp);
	assert_int_equal(k.arp_op, NET_ARP_REPLY);
	assert_memory_equal(k.arp_sha, rmac, 6);
	assert_int_equal(k.arp_spa, rip);
	assert_memory_equal(k.dst, tmac, 6);

	/* Ping. */
	len = net_build_icmp_echo(f, rmac, tmac, tip, rip,
				  NET_ICMP_ECHO_REQUEST, 0x1234, 7, "hello",
				  5, 1);
	tester_send(&t, f, len);
	tester_recv(&t, in, &k);
	assert_true(k.is_icmp);
	assert_int_equal(k.icmp_type, NET_ICMP_ECHO_REPLY);
	assert_int_equal(k.icmp_id, 0x1234);
	assert_int_equal(k.icmp_seq, 7);
	assert_int_equal(k.ip_dst, tip);
	assert_memory_equal(k.icmp_data, "hello", 5);

	/* UDP echo on port 7. */
	len = net_build_udp(f, rmac, tmac, tip, rip, 5555, 7, "echo me", 7, 2);
	tester_send(&t, f, len);
	tester_recv(&t, in, &k);
	assert_true(k.is_udp);
	assert_int_equal(k.udp_sport, 7);
	assert_int_equal(k.udp_dport, 5555);
	assert_int_equal(k.udp_data_len, 7);
	assert_memory_equal(k.udp_data, "echo me", 7);

	/* SIGTERM: a clean exit with the counters. */
	kill(c.pid, SIGTERM);
	j = read_event(&c, "peer", 5000);
	assert_int_equal(jint(j, "arp_tx"), 1);
	assert_int_equal(jint(j, "icmp_echo"), 1);
	assert_int_equal(jint(j, "udp_echo"), 1);
	assert_int_equal(jint(j, "rx"), 3);
	json_decref(j);
	assert_int_equal(wait_exit(&c), 0);
	close(t.sock);
	pktchan_destroy(t.ch);
	hub_stop(h);
}

static void test_raw_vlan(void **state)
{
	struct hub *h = hub_start();
	const char *recv_args[] = {
		"--mode", "raw-recv", "--port", "p-recv", "--mac",
		"02:00:00:00:00:02", "--dump", "--count", "3", "--seconds",
		"10", NULL,
	};
	const char *send_args[] = {
		"--mode", "raw-send", "--port", "p-send", "--mac",
		"02:00:00:00:00:01", "--vlan", "100", "--count", "3",
		"--frame", "ffffffffffff 020000000001 88b5 0102030405", NULL,
	};
	struct child rcv = peer_spawn(h->path, recv_args), snd;
	json_t *j;
	int i;

	json_decref(read_event(&rcv, "ready", 5000));
	snd = peer_spawn(h->path, send_args);
	j = read_event(&snd, "peer", 5000);
	assert_int_equal(jint(j, "tx"), 3);
	json_decref(j);
	assert_int_equal(wait_exit(&snd), 0);
	for (i = 0; i < 3; i++) {
		j = read_event(&rcv, "frame", 5000);
		assert_int_equal(jint(j, "vlan"), 100);
		assert_int_equal(jint(j, "len"), 23);
		assert_string_equal(
			json_string_value(json_object_get(j, "hex")),
			"ffffffffffff0200000000018100006488b50102030405");
		json_decref(j);
	}
	j = read_event(&rcv, "peer", 5000);
	assert_int_equal(jint(j, "rx"), 3);
	assert_int_equal(jint(j, "rx_tagged"), 3);
	json_decref(j);
	assert_int_equal(wait_exit(&rcv), 0);
	hub_stop(h);
}

static void test_attach_failures(void **state)
{
	struct hub *h = hub_start();
	const char *args[] = {
		"--port", "refuse-me", "--mac", "02:00:00:00:00:01", "--ip",
		"10.0.0.1/24", NULL,
	};
	struct child c = peer_spawn(h->path, args);
	char *line;

	/* The switch's reason reaches stderr; exit status says failure. */
	line = read_line(c.err, 5000);
	assert_non_null(line);
	assert_non_null(strstr(line, "port refuse-me exists"));
	assert_int_equal(wait_exit(&c), 1);

	c = peer_spawn("/nonexistent/switch.sock", args);
	line = read_line(c.err, 5000);
	assert_non_null(line);
	assert_non_null(strstr(line, "/nonexistent/switch.sock"));
	assert_int_equal(wait_exit(&c), 1);
	hub_stop(h);
}

/* The switch going away ends the peer with an error, not a hang. */
static void test_switch_goes_away(void **state)
{
	struct hub *h = hub_start();
	const char *args[] = {
		"--port", "p1", "--mac", "02:00:00:00:00:01", "--ip",
		"10.0.0.1/24", NULL,
	};
	struct child c = peer_spawn(h->path, args);
	json_t *j;

	json_decref(read_event(&c, "ready", 5000));
	hub_stop(h);
	j = read_event(&c, "peer", 5000);
	assert_string_equal(json_string_value(json_object_get(j, "error")),
			    "switch closed the connection");
	json_decref(j);
	assert_int_equal(wait_exit(&c), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_send_to_sink),
		cmocka_unit_test(test_stream_rate),
		cmocka_unit_test(test_responder),
		cmocka_unit_test(test_raw_vlan),
		cmocka_unit_test(test_attach_failures),
		cmocka_unit_test(test_switch_goes_away),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
