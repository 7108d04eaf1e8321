// SPDX-License-Identifier: MIT
/*
 * The attach protocol: every message type round-trips over a real
 * SOCK_SEQPACKET socketpair, and every malformed message is refused with
 * its fds closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "wire/attach_proto.h"

struct sockpair {
	int a, b;
};

static struct sockpair sp_open(void)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv), 0);
	return (struct sockpair){ sv[0], sv[1] };
}

static void sp_close(struct sockpair *s)
{
	close(s->a);
	close(s->b);
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Open fds of this process: refusals must not leak any. */
static unsigned count_fds(void)
{
	unsigned n = 0;
	int fd;

	for (fd = 0; fd < 1024; fd++)
		if (fd_open(fd))
			n++;
	return n;
}

static void make_fds(int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		assert_true(fds[i] >= 0);
	}
}

static void close_all(int *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static struct attach_req good_req(void)
{
	struct attach_req r = {
		.mac = { 0x02, 0, 0, 0, 0, 0x01 },
		.kind = ATTACH_KIND_PKTCHAN,
		.vlan_mode = ATTACH_VLAN_ACCESS,
		.vlan = 1,
		.nfds = 3,
	};

	strcpy(r.port, "vm1.0");
	strcpy(r.vm, "vm1");
	return r;
}

/* Raw message bytes: header + body, with header fields as given. */
static size_t raw_msg(uint8_t *buf, uint16_t type, uint16_t version,
		      const void *body, size_t body_len)
{
	struct attach_msg_hdr h = {
		.magic = ATTACH_MAGIC,
		.version = version,
		.type = type,
		.len = (uint32_t)(sizeof(h) + body_len),
		.seq = 7,
	};

	memcpy(buf, &h, sizeof(h));
	if (body_len)
		memcpy(buf + sizeof(h), body, body_len);
	return sizeof(h) + body_len;
}

/* ---- round trips ---- */

static void test_roundtrip_hello(void **state)
{
	struct sockpair s = sp_open();
	struct attach_hello h = { .version_min = 1, .version_max = 3 };
	struct attach_hello_ack ack = { .version = 1, .features = 1u << 1 };
	struct attach_msg m;
	char err[128];

	strcpy(h.client, "iopath-vmm vm1");
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_HELLO, 42, &h,
					 sizeof(h), NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_HELLO);
	assert_int_equal(m.hdr.seq, 42);
	assert_int_equal(m.hdr.len, sizeof(m.hdr) + sizeof(h));
	assert_int_equal(m.u.hello.version_max, 3);
	assert_string_equal(m.u.hello.client, "iopath-vmm vm1");
	assert_int_equal(m.nfds, 0);

	strcpy(ack.server, "iopath-switch a");
	assert_int_equal(attach_msg_send(s.b, ATTACH_MSG_HELLO_ACK, 42, &ack,
					 sizeof(ack), NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.a, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_HELLO_ACK);
	assert_int_equal(m.u.hello_ack.features, 2);
	assert_string_equal(m.u.hello_ack.server, "iopath-switch a");
	sp_close(&s);
}

static void test_roundtrip_attach_with_fds(void **state)
{
	struct sockpair s = sp_open();
	struct attach_req r = good_req();
	struct attach_msg m;
	char err[128];
	int fds[3];
	struct stat a, b;

	make_fds(fds, 3);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_ATTACH, 2, &r,
					 sizeof(r), fds, 3), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_ATTACH);
	assert_string_equal(m.u.attach.port, "vm1.0");
	assert_string_equal(m.u.attach.vm, "vm1");
	assert_memory_equal(m.u.attach.mac, r.mac, 6);
	assert_int_equal(m.nfds, 3);
	/* The same files, and close-on-exec (MSG_CMSG_CLOEXEC). */
	assert_int_equal(fstat(fds[1], &a), 0);
	assert_int_equal(fstat(m.fds[1], &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_true(fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC);
	attach_msg_close_fds(&m);
	assert_int_equal(m.nfds, 0);
	close_all(fds, 3);
	sp_close(&s);
}

static void test_roundtrip_pv_regions(void **state)
{
	struct sockpair s = sp_open();
	struct attach_req r = good_req();
	struct attach_msg m;
	char err[128];
	int fds[2];

	r.kind = ATTACH_KIND_PV;
	r.nfds = 2;
	r.nregions = 2;
	r.regions[0] = (struct attach_region){ .gpa = 0, .size = 1 << 20,
					       .fd_index = 0 };
	r.regions[1] = (struct attach_region){ .gpa = 1ull << 32,
					       .size = 1 << 20,
					       .offset = 1 << 20,
					       .fd_index = 1 };
	make_fds(fds, 2);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_ATTACH, 2, &r,
					 sizeof(r), fds, 2), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.u.attach.kind, ATTACH_KIND_PV);
	assert_int_equal(m.u.attach.regions[1].gpa, 1ull << 32);
	assert_int_equal(m.nfds, 2);
	attach_msg_close_fds(&m);
	close_all(fds, 2);
	sp_close(&s);
}

static void test_roundtrip_ack_detach_error(void **state)
{
	struct sockpair s = sp_open();
	struct attach_ack ack = { .port_id = 9 };
	struct attach_error e = { .err = EEXIST };
	struct attach_msg m;
	char err[128];

	assert_int_equal(attach_msg_send(s.b, ATTACH_MSG_ATTACH_ACK, 2, &ack,
					 sizeof(ack), NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.a, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_ATTACH_ACK);
	assert_int_equal(m.u.ack.port_id, 9);

	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_DETACH, 3, NULL, 0,
					 NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_DETACH);
	assert_int_equal(m.hdr.len, sizeof(m.hdr));

	strcpy(e.msg, "port vm1.0 exists");
	assert_int_equal(attach_msg_send(s.b, ATTACH_MSG_ERROR, 2, &e,
					 sizeof(e), NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.a, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.u.error.err, EEXIST);
	assert_string_equal(m.u.error.msg, "port vm1.0 exists");

	/* Nothing more: a timeout; then the peer closes: ECONNRESET. */
	assert_int_equal(attach_msg_recv(s.a, &m, 20, err, sizeof(err)),
			 -ETIMEDOUT);
	close(s.b);
	assert_int_equal(attach_msg_recv(s.a, &m, 1000, err, sizeof(err)),
			 -ECONNRESET);
	close(s.a);
}

/* ---- refusals through the parser (fds must be closed) ---- */

/* Parse @buf with @nfds fresh eventfds; expect @want and closed fds. */
static void expect_refused(const void *buf, size_t len, unsigned nfds,
			   int want)
{
	struct attach_msg m;
	char err[128] = "";
	int fds[ATTACH_MAX_FDS + 2];
	unsigned i, before = count_fds();

	make_fds(fds, nfds);
	assert_int_equal(attach_msg_parse(buf, len, fds, nfds, &m, err,
					  sizeof(err)), want);
	assert_true(err[0] != '\0');	/* says why */
	assert_int_equal(m.nfds, 0);
	for (i = 0; i < nfds; i++)
		assert_false(fd_open(fds[i]));
	assert_int_equal(count_fds(), before);
}

static void test_refuse_header(void **state)
{
	struct attach_req r = good_req();
	uint8_t buf[ATTACH_MSG_MAX + 64];
	struct attach_msg_hdr *h = (void *)buf;
	size_t len;

	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	expect_refused(buf, 10, 3, -EPROTO);			/* truncated */
	expect_refused(buf, 0, 0, -EPROTO);
	expect_refused(buf, ATTACH_MSG_MAX + 1, 3, -EMSGSIZE);	/* oversized */
	h->magic = 0x11223344;
	expect_refused(buf, len, 3, -EPROTO);			/* magic */
	len = raw_msg(buf, ATTACH_MSG_ATTACH, 2, &r, sizeof(r));
	expect_refused(buf, len, 3, -EPROTONOSUPPORT);		/* version */
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	h->len = (uint32_t)len + 4;
	expect_refused(buf, len, 3, -EPROTO);			/* len field */
	h->len = (uint32_t)len - 8;
	expect_refused(buf, len, 3, -EPROTO);
	len = raw_msg(buf, 99, ATTACH_VERSION, &r, sizeof(r));
	expect_refused(buf, len, 0, -EPROTO);			/* type */
	len = raw_msg(buf, 0, ATTACH_VERSION, NULL, 0);
	expect_refused(buf, len, 0, -EPROTO);
	/* A body one byte short or long. */
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r,
		      sizeof(r) - 1);
	expect_refused(buf, len, 3, -EPROTO);
	len = raw_msg(buf, ATTACH_MSG_DETACH, ATTACH_VERSION, &r, 4);
	expect_refused(buf, len, 0, -EPROTO);
}

static void test_refuse_fd_counts(void **state)
{
	struct attach_req r = good_req();
	uint8_t buf[512];
	size_t len;

	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	expect_refused(buf, len, 2, -EBADF);		/* missing */
	expect_refused(buf, len, 0, -EBADF);
	expect_refused(buf, len, 4, -EBADF);		/* extra */
	expect_refused(buf, len, ATTACH_MAX_FDS + 1, -EBADF);
	/* nfds agrees with the fds but not with the kind. */
	r.nfds = 2;
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	expect_refused(buf, len, 2, -EPROTO);
	r = good_req();
	r.nregions = 1;
	r.regions[0] = (struct attach_region){ .size = 4096 };
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	expect_refused(buf, len, 3, -EPROTO);		/* pktchan: no regions */
	/* fds on a message that carries none. */
	{
		struct attach_hello h = { .version_min = 1, .version_max = 1 };

		len = raw_msg(buf, ATTACH_MSG_HELLO, 1, &h, sizeof(h));
		expect_refused(buf, len, 1, -EBADF);
	}
	len = raw_msg(buf, ATTACH_MSG_DETACH, ATTACH_VERSION, NULL, 0);
	expect_refused(buf, len, 2, -EBADF);
}

static void test_refuse_regions(void **state)
{
	struct attach_req r;
	uint8_t buf[512];
	size_t len;

#define REGION_CASE(setup, want) do {					\
		r = good_req();						\
		r.kind = ATTACH_KIND_VF;				\
		r.nfds = 1;						\
		r.nregions = 1;						\
		r.regions[0] = (struct attach_region){ .size = 4096 };	\
		setup;							\
		len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION,	\
			      &r, sizeof(r));				\
		expect_refused(buf, len, r.nfds, (want));		\
	} while (0)
	REGION_CASE(r.regions[0].fd_index = 1, -EBADF);
	REGION_CASE(r.regions[0].size = 0, -EPROTO);
	REGION_CASE(r.regions[0].gpa = UINT64_MAX - 100, -EPROTO);
	REGION_CASE(r.regions[0].offset = UINT64_MAX - 4094, -EPROTO);
	REGION_CASE(r.nregions = ATTACH_MAX_REGIONS + 1, -EPROTO);
	REGION_CASE((r.nregions = 2,
		     r.regions[1] = (struct attach_region){ .gpa = 4095,
							   .size = 10 }),
		    -EPROTO);				/* overlapping */
	REGION_CASE(r.kind = 77, -EPROTONOSUPPORT);
#undef REGION_CASE
}

static void test_refuse_strings_and_mac(void **state)
{
	struct attach_req r;
	uint8_t buf[512];
	size_t len;

#define REQ_CASE(setup) do {						\
		r = good_req();						\
		setup;							\
		len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION,	\
			      &r, sizeof(r));				\
		expect_refused(buf, len, 3, -EPROTO);			\
	} while (0)
	REQ_CASE(memset(r.port, 'a', sizeof(r.port)));
	REQ_CASE(memset(r.vm, 'b', sizeof(r.vm)));
	REQ_CASE(r.port[0] = '\0');
	REQ_CASE(r.mac[0] = 0x01);			/* multicast */
	REQ_CASE(memset(r.mac, 0xff, 6));		/* broadcast */
	REQ_CASE(memset(r.mac, 0, 6));
	REQ_CASE(r.vlan = 0);				/* access needs a VID */
	REQ_CASE(r.vlan = 4095);
	REQ_CASE((r.vlan_mode = ATTACH_VLAN_TRUNK, r.vlan = 5000));
	REQ_CASE(r.vlan_mode = 9);
#undef REQ_CASE
	{
		struct attach_hello h = { .version_min = 1, .version_max = 1 };
		struct attach_hello_ack a = { .version = 1 };
		struct attach_error e = { .err = EINVAL };

		memset(h.client, 'c', sizeof(h.client));
		len = raw_msg(buf, ATTACH_MSG_HELLO, 1, &h, sizeof(h));
		expect_refused(buf, len, 0, -EPROTO);
		memset(a.server, 's', sizeof(a.server));
		len = raw_msg(buf, ATTACH_MSG_HELLO_ACK, 1, &a, sizeof(a));
		expect_refused(buf, len, 0, -EPROTO);
		memset(e.msg, 'e', sizeof(e.msg));
		len = raw_msg(buf, ATTACH_MSG_ERROR, 1, &e, sizeof(e));
		expect_refused(buf, len, 0, -EPROTO);
		e.msg[0] = '\0';
		e.err = 0;
		len = raw_msg(buf, ATTACH_MSG_ERROR, 1, &e, sizeof(e));
		expect_refused(buf, len, 0, -EPROTO);
	}
}

static void test_hello_versions(void **state)
{
	struct attach_hello h = { .version_min = 2, .version_max = 5 };
	struct attach_msg m;
	uint8_t buf[128];
	char err[128];
	size_t len;

	len = raw_msg(buf, ATTACH_MSG_HELLO, 2, &h, sizeof(h));
	expect_refused(buf, len, 0, -EPROTONOSUPPORT);
	h.version_min = 3;
	h.version_max = 1;
	len = raw_msg(buf, ATTACH_MSG_HELLO, 1, &h, sizeof(h));
	expect_refused(buf, len, 0, -EPROTO);
	/* A newer client that also speaks 1 is accepted, whatever its hdr. */
	h.version_min = 1;
	h.version_max = 4;
	len = raw_msg(buf, ATTACH_MSG_HELLO, 4, &h, sizeof(h));
	assert_int_equal(attach_msg_parse(buf, len, NULL, 0, &m, err,
					  sizeof(err)), 0);
	/* The switch must answer in a version we speak. */
	{
		struct attach_hello_ack a = { .version = 2 };

		len = raw_msg(buf, ATTACH_MSG_HELLO_ACK, 1, &a, sizeof(a));
		expect_refused(buf, len, 0, -EPROTONOSUPPORT);
	}
}

/* ---- refusals on the wire: truncation of data and of fds ---- */

static void test_wire_oversized_and_too_many_fds(void **state)
{
	struct sockpair s = sp_open();
	static uint8_t big[ATTACH_MSG_MAX + 100];
	struct attach_req r = good_req();
	struct attach_msg m;
	char err[128];
	int fds[ATTACH_MAX_FDS + 2];
	unsigned before;
	uint8_t buf[512];
	size_t len;
	struct msghdr mh = { 0 };
	struct iovec iov;
	union {
		struct cmsghdr c;
		uint8_t b[CMSG_SPACE(sizeof(int) * (ATTACH_MAX_FDS + 2))];
	} ctl;
	struct cmsghdr *c;

	/* More bytes than ATTACH_MSG_MAX: MSG_TRUNC, refused. */
	memset(big, 0, sizeof(big));
	raw_msg(big, ATTACH_MSG_HELLO, 1, big + 16, 0);
	((struct attach_msg_hdr *)big)->len = sizeof(big);
	assert_int_equal(send(s.a, big, sizeof(big), 0), sizeof(big));
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)),
			 -EMSGSIZE);

	/* More fds than ATTACH_MAX_FDS: MSG_CTRUNC, refused, none leak. */
	make_fds(fds, ATTACH_MAX_FDS + 2);
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	iov = (struct iovec){ buf, len };
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (ATTACH_MAX_FDS + 2));
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (ATTACH_MAX_FDS + 2));
	assert_int_equal(sendmsg(s.a, &mh, 0), (ssize_t)len);
	close_all(fds, ATTACH_MAX_FDS + 2);
	before = count_fds();
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)),
			 -EBADF);
	assert_int_equal(count_fds(), before);

	/* Missing fds on the wire: refused, the ones that came are closed. */
	make_fds(fds, 2);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_ATTACH, 2, &r,
					 sizeof(r), fds, 2), 0);
	close_all(fds, 2);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)),
			 -EBADF);
	assert_int_equal(count_fds(), before);
	assert_non_null(strstr(err, "missing"));
	sp_close(&s);
}

/* ---- the client handshake against a scripted switch ---- */

struct fake_switch {
	int listen_fd;
	bool refuse;		/* answer ATTACH with ERROR */
	uint32_t features;
	unsigned got_fds;
	uint32_t got_flags;	/* the ATTACH's */
};

/* The last run_client's ATTACH flags, as the switch got them. */
static uint32_t fake_got_flags;

static void *fake_switch_run(void *arg)
{
	struct fake_switch *fs = arg;
	struct attach_msg m;
	char err[128];
	int c = accept4(fs->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return NULL;
	if (attach_msg_recv(c, &m, 2000, err, sizeof(err)) == 0 &&
	    m.hdr.type == ATTACH_MSG_HELLO) {
		struct attach_hello_ack a = { .version = ATTACH_VERSION,
					      .features = fs->features };

		strcpy(a.server, "fake");
		attach_msg_send(c, ATTACH_MSG_HELLO_ACK, m.hdr.seq, &a,
				sizeof(a), NULL, 0);
	}
	if (attach_msg_recv(c, &m, 2000, err, sizeof(err)) == 0 &&
	    m.hdr.type == ATTACH_MSG_ATTACH) {
		fs->got_fds = m.nfds;
		fs->got_flags = m.u.attach.flags;
		attach_msg_close_fds(&m);
		if (fs->refuse) {
			struct attach_error e = { .err = EEXIST };

			strcpy(e.msg, "port vm1.0 exists");
			attach_msg_send(c, ATTACH_MSG_ERROR, m.hdr.seq, &e,
					sizeof(e), NULL, 0);
		} else {
			struct attach_ack a = { .port_id = 5 };

			attach_msg_send(c, ATTACH_MSG_ATTACH_ACK, m.hdr.seq,
					&a, sizeof(a), NULL, 0);
		}
	}
	/* Wait for the client to hang up: the port's lifetime. */
	attach_msg_recv(c, &m, 2000, err, sizeof(err));
	close(c);
	return NULL;
}

static int run_client(bool refuse, uint32_t features, char *err,
		      size_t errlen, uint32_t *port_id, unsigned *got_fds)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fake_switch fs = { .refuse = refuse, .features = features };
	struct attach_req r = good_req();
	pthread_t t;
	int fds[3], sock;

	/* Sent only to a switch that announces (ATTACH_FEAT_ANNOUNCE). */
	r.flags = ATTACH_F_ANNOUNCE;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/attach-test-%d.sock",
		 getpid());
	unlink(sa.sun_path);
	fs.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fs.listen_fd, (struct sockaddr *)&sa,
			      sizeof(sa)), 0);
	assert_int_equal(listen(fs.listen_fd, 1), 0);
	assert_int_equal(pthread_create(&t, NULL, fake_switch_run, &fs), 0);
	make_fds(fds, 3);
	sock = attach_client_connect(sa.sun_path, "test", &r, fds, 3, port_id,
				     err, errlen);
	close_all(fds, 3);
	if (sock >= 0)
		close(sock);
	else
		shutdown(fs.listen_fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(fs.listen_fd);
	unlink(sa.sun_path);
	*got_fds = fs.got_fds;
	fake_got_flags = fs.got_flags;
	return sock < 0 ? sock : 0;
}

/* ---- pv ports ---- */

/* One queue pair, two kick fds (0, 1) and two irq fds (2, 3). */
static struct attach_pv_config good_pv(void)
{
	struct attach_pv_config c = {
		.evt_page_gpa = 0x1000,
		.ring_size = 256,
		.num_queues = 1,
		.features = 1u << 2,	/* PV_F_EVENT_IDX */
		.nfds = 4,
		.q[0] = { .tx_ring_gpa = 0x2000, .rx_ring_gpa = 0x3000,
			  .tx_port = 0, .rx_port = 1,
			  .tx_kick_fd = 0, .rx_kick_fd = 1,
			  .tx_irq_fd = 2, .rx_irq_fd = 3 },
	};

	return c;
}

static void test_pv_config_roundtrip(void **state)
{
	struct sockpair s = sp_open();
	struct attach_pv_config c = good_pv();
	struct attach_msg m;
	char err[128];
	int fds[4];

	make_fds(fds, 4);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_PV_CONFIG, 3, &c,
					 sizeof(c), fds, 4), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_PV_CONFIG);
	assert_int_equal(m.u.pv_config.ring_size, 256);
	assert_int_equal(m.u.pv_config.q[0].rx_ring_gpa, 0x3000);
	assert_int_equal(m.nfds, 4);
	attach_msg_close_fds(&m);

	/* Polled guest: no irq fds; tx and rx sharing one port and kick. */
	c.nfds = 1;
	c.q[0].rx_port = 0;
	c.q[0].rx_kick_fd = 0;
	c.q[0].tx_irq_fd = c.q[0].rx_irq_fd = ATTACH_PV_NO_FD;
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_PV_CONFIG, 4, &c,
					 sizeof(c), fds, 1), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.nfds, 1);
	attach_msg_close_fds(&m);

	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_PV_RESET, 5, NULL, 0,
					 NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_PV_RESET);
	close_all(fds, 4);
	sp_close(&s);
}

static void test_pv_config_refused(void **state)
{
	struct attach_pv_config c;
	uint8_t buf[512];
	size_t len;

#define PV_CASE(setup, nfds, want) do {					\
		c = good_pv();						\
		setup;							\
		len = raw_msg(buf, ATTACH_MSG_PV_CONFIG, ATTACH_VERSION,	\
			      &c, sizeof(c));				\
		expect_refused(buf, len, nfds, want);			\
	} while (0)
	PV_CASE(c.num_queues = 0, 4, -EPROTO);
	PV_CASE(c.num_queues = 5, 4, -EPROTO);
	PV_CASE(c.ring_size = 48, 4, -EPROTO);		/* not a power of 2 */
	PV_CASE(c.ring_size = 16, 4, -EPROTO);		/* below PV_RING_MIN */
	PV_CASE(c.ring_size = 8192, 4, -EPROTO);	/* above PV_RING_MAX */
	PV_CASE(c.ring_size = 0, 4, -EPROTO);
	PV_CASE(c.features = 1u << 9, 4, -EPROTO);
	PV_CASE(c.evt_page_gpa = 0x1008, 4, -EPROTO);
	PV_CASE(c.q[0].tx_ring_gpa = 0x2080, 4, -EPROTO);
	PV_CASE(c.q[0].tx_port = 64, 4, -EPROTO);
	PV_CASE(c.q[0].rx_port = 0xffff, 4, -EPROTO);
	PV_CASE(c.q[0].reserved = 1, 4, -EPROTO);
	PV_CASE(, 3, -EBADF);				/* fds missing */
	PV_CASE(, 5, -EBADF);				/* fds extra */
	PV_CASE(c.nfds = 9, 4, -EPROTO);
	PV_CASE(c.q[0].rx_irq_fd = 4, 4, -EBADF);	/* index >= nfds */
	PV_CASE(c.q[0].tx_kick_fd = ATTACH_PV_NO_FD, 4, -EBADF);
	PV_CASE(c.q[0].rx_irq_fd = 0, 4, -EPROTO);	/* kick is irq */
	PV_CASE(c.q[0].tx_kick_fd = 2, 4, -EPROTO);	/* irq is kick */
	/* One port, two different kick fds. */
	PV_CASE(c.q[0].rx_port = 0, 4, -EPROTO);
	/* Queue 1 reuses queue 0's port with other fds. */
	PV_CASE((c.num_queues = 2, c.q[1] = c.q[0], c.q[1].tx_irq_fd = 3),
		4, -EPROTO);
#undef PV_CASE
	/* PV_RESET has no body and no fds. */
	len = raw_msg(buf, ATTACH_MSG_PV_RESET, ATTACH_VERSION, NULL, 0);
	expect_refused(buf, len, 1, -EBADF);
	len = raw_msg(buf, ATTACH_MSG_PV_RESET, ATTACH_VERSION, &c, 8);
	expect_refused(buf, len, 0, -EPROTO);
	/* A body one byte short. */
	c = good_pv();
	len = raw_msg(buf, ATTACH_MSG_PV_CONFIG, ATTACH_VERSION, &c,
		      sizeof(c) - 1);
	expect_refused(buf, len, 4, -EPROTO);
}

static void test_pv_attach_regions(void **state)
{
	struct attach_req r;
	uint8_t buf[512];
	size_t len;

#define PVR_CASE(setup, want) do {					\
		r = good_req();						\
		r.kind = ATTACH_KIND_PV;				\
		r.nfds = 1;						\
		r.nregions = 1;						\
		r.regions[0] = (struct attach_region){ .size = 1 << 20 };	\
		setup;							\
		len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION,	\
			      &r, sizeof(r));				\
		expect_refused(buf, len, 1, want);			\
	} while (0)
	PVR_CASE(r.nregions = 0, -EPROTO);			/* no RAM */
	PVR_CASE(r.regions[0].gpa = 0x800, -EPROTO);		/* unaligned */
	PVR_CASE(r.regions[0].size = 4095, -EPROTO);
	PVR_CASE(r.regions[0].offset = 12, -EPROTO);
	PVR_CASE(r.regions[0].fd_index = 1, -EBADF);
	PVR_CASE(r.regions[0].gpa = UINT64_MAX - 4095, -EPROTO);	/* wraps */
#undef PVR_CASE
}

/* A vf ATTACH: RAM fd, then shared pages, doorbell and 3 irqfds. */
static struct attach_req good_vf(void)
{
	struct attach_req r = good_req();

	strcpy(r.port, "nic0");
	r.kind = ATTACH_KIND_VF;
	r.nfds = 1 + ATTACH_VF_FDS;
	r.nregions = 1;
	r.regions[0] = (struct attach_region){ .size = 1 << 20 };
	r.vf = 2;
	r.vf_flags = ATTACH_VF_F_MAC | ATTACH_VF_F_VLAN;
	r.vlan = 100;
	return r;
}

static void test_vf_attach(void **state)
{
	struct sockpair s = sp_open();
	struct attach_req r = good_vf();
	struct attach_msg m;
	uint8_t buf[512];
	char err[128];
	int fds[1 + ATTACH_VF_FDS];
	size_t len;

	make_fds(fds, 1 + ATTACH_VF_FDS);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_ATTACH, 2, &r,
					 sizeof(r), fds, r.nfds), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.u.attach.kind, ATTACH_KIND_VF);
	assert_int_equal(m.u.attach.vf, 2);
	assert_int_equal(m.u.attach.vf_flags, 3);
	assert_int_equal(m.nfds, 1 + ATTACH_VF_FDS);
	attach_msg_close_fds(&m);
	/* Any VF, no administrator's settings: fine too. */
	r.vf = ATTACH_VF_ANY;
	r.vf_flags = 0;
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	assert_int_equal(attach_msg_parse(buf, len, fds, r.nfds, &m, err,
					  sizeof(err)), 0);
	attach_msg_close_fds(&m);
	sp_close(&s);

#define VF_CASE(setup, want) do {					\
		r = good_vf();						\
		setup;							\
		len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION,	\
			      &r, sizeof(r));				\
		expect_refused(buf, len, r.nfds, want);			\
	} while (0)
	VF_CASE(r.nfds = ATTACH_VF_FDS, -EPROTO);	/* no RAM fd */
	VF_CASE(r.nregions = 0, -EPROTO);		/* no RAM */
	VF_CASE(r.regions[0].fd_index = 1, -EPROTO);	/* the shared memfd */
	VF_CASE(r.regions[0].size = 100, -EPROTO);	/* not whole pages */
	VF_CASE(r.vf = ATTACH_VF_MAX, -EPROTO);
	VF_CASE(r.vf_flags = 4, -EPROTO);
	VF_CASE((r.vlan_mode = ATTACH_VLAN_TRUNK, r.vlan = 0), -EPROTO);
#undef VF_CASE
}

static void test_vf_reg(void **state)
{
	struct sockpair s = sp_open();
	struct attach_vf_reg v = { .off = 0x1580, .size = 4 }, bad;
	struct attach_msg m;
	uint8_t buf[512];
	char err[128];
	size_t len;

	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_VF_REG, 101, &v,
					 sizeof(v), NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_VF_REG);
	assert_int_equal(m.u.vf_reg.off, 0x1580);
	v.val = 0x5;
	assert_int_equal(attach_msg_send(s.b, ATTACH_MSG_VF_REG, 101, &v,
					 sizeof(v), NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.a, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.seq, 101);
	assert_int_equal(m.u.vf_reg.val, 5);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_VF_FLR, 102, NULL, 0,
					 NULL, 0), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_VF_FLR);
	sp_close(&s);

#define REG_CASE(setup) do {						\
		bad = v;						\
		setup;							\
		len = raw_msg(buf, ATTACH_MSG_VF_REG, ATTACH_VERSION,	\
			      &bad, sizeof(bad));			\
		expect_refused(buf, len, 0, -EPROTO);			\
	} while (0)
	REG_CASE(bad.off = ATTACH_VF_TRAP_SIZE);	/* a shared page */
	REG_CASE(bad.off = ATTACH_VF_TRAP_SIZE - 2);	/* runs into it */
	REG_CASE(bad.off = UINT32_MAX - 1);
	REG_CASE(bad.size = 3);
	REG_CASE(bad.size = 0);
#undef REG_CASE
	len = raw_msg(buf, ATTACH_MSG_VF_REG, ATTACH_VERSION, &v, sizeof(v));
	expect_refused(buf, len, 1, -EBADF);		/* no fds on it */
	len = raw_msg(buf, ATTACH_MSG_VF_REG, ATTACH_VERSION, &v, 8);
	expect_refused(buf, len, 0, -EPROTO);		/* short body */
	len = raw_msg(buf, ATTACH_MSG_VF_FLR, ATTACH_VERSION, &v, 4);
	expect_refused(buf, len, 0, -EPROTO);		/* FLR has none */
	/* A write that asks for an answer; nothing past that. */
	bad = v;
	bad.write = ATTACH_VF_WRITE_SYNC;
	len = raw_msg(buf, ATTACH_MSG_VF_REG, ATTACH_VERSION, &bad,
		      sizeof(bad));
	{
		struct attach_msg pm;

		assert_int_equal(attach_msg_parse(buf, len, NULL, 0, &pm, err,
						  sizeof(err)), 0);
	}
	bad.write = 3;
	len = raw_msg(buf, ATTACH_MSG_VF_REG, ATTACH_VERSION, &bad,
		      sizeof(bad));
	expect_refused(buf, len, 0, -EPROTO);
}

/* VF_UNMASK: exactly one eventfd per vector, no body. */
static void test_vf_unmask(void **state)
{
	struct sockpair s = sp_open();
	struct attach_msg m;
	uint8_t buf[64];
	char err[128];
	int fds[ATTACH_VF_VECTORS];
	size_t len;

	make_fds(fds, ATTACH_VF_VECTORS);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_VF_UNMASK, 5, NULL, 0,
					 fds, ATTACH_VF_VECTORS), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_VF_UNMASK);
	assert_int_equal(m.nfds, ATTACH_VF_VECTORS);
	attach_msg_close_fds(&m);
	close_all(fds, ATTACH_VF_VECTORS);
	sp_close(&s);
	len = raw_msg(buf, ATTACH_MSG_VF_UNMASK, ATTACH_VERSION, NULL, 0);
	expect_refused(buf, len, ATTACH_VF_VECTORS - 1, -EBADF);
	expect_refused(buf, len, ATTACH_VF_VECTORS + 1, -EBADF);
	expect_refused(buf, len, 0, -EBADF);
	len = raw_msg(buf, ATTACH_MSG_VF_UNMASK, ATTACH_VERSION, buf, 4);
	expect_refused(buf, len, ATTACH_VF_VECTORS, -EPROTO);
}

/* DIRTY_LOG: on with the log's memfd, off with none; flags known. */
static void test_dirty_log(void **state)
{
	struct attach_dirty_log on = { .on = 1, .size = 8192 };
	struct attach_dirty_log off = { .on = 0 };
	struct attach_dirty_log bad;
	struct sockpair s = sp_open();
	struct attach_req r = good_req();
	struct attach_msg m;
	uint8_t buf[512];
	char err[128];
	int fd[1];
	size_t len;

	make_fds(fd, 1);
	assert_int_equal(attach_msg_send(s.a, ATTACH_MSG_DIRTY_LOG, 7, &on,
					 sizeof(on), fd, 1), 0);
	assert_int_equal(attach_msg_recv(s.b, &m, 1000, err, sizeof(err)), 0);
	assert_int_equal(m.hdr.type, ATTACH_MSG_DIRTY_LOG);
	assert_int_equal(m.u.dirty_log.on, 1);
	assert_int_equal(m.u.dirty_log.size, 8192);
	assert_int_equal(m.nfds, 1);
	attach_msg_close_fds(&m);
	close_all(fd, 1);
	sp_close(&s);

	len = raw_msg(buf, ATTACH_MSG_DIRTY_LOG, ATTACH_VERSION, &on,
		      sizeof(on));
	expect_refused(buf, len, 0, -EBADF);	/* on without the log */
	expect_refused(buf, len, 2, -EBADF);
	len = raw_msg(buf, ATTACH_MSG_DIRTY_LOG, ATTACH_VERSION, &off,
		      sizeof(off));
	expect_refused(buf, len, 1, -EBADF);	/* off with an fd */
	bad = on;
	bad.size = 100;				/* not even the header */
	len = raw_msg(buf, ATTACH_MSG_DIRTY_LOG, ATTACH_VERSION, &bad,
		      sizeof(bad));
	expect_refused(buf, len, 1, -EPROTO);
	bad = on;
	bad.on = 2;
	len = raw_msg(buf, ATTACH_MSG_DIRTY_LOG, ATTACH_VERSION, &bad,
		      sizeof(bad));
	expect_refused(buf, len, 1, -EPROTO);
	bad = on;
	bad.reserved = 1;
	len = raw_msg(buf, ATTACH_MSG_DIRTY_LOG, ATTACH_VERSION, &bad,
		      sizeof(bad));
	expect_refused(buf, len, 1, -EPROTO);

	/* ATTACH: the announce flag is known, others are refused. */
	r.flags = 0x8000;
	len = raw_msg(buf, ATTACH_MSG_ATTACH, ATTACH_VERSION, &r, sizeof(r));
	expect_refused(buf, len, 3, -EPROTO);
}

static void test_client_connect(void **state)
{
	char err[256] = "";
	uint32_t port_id = 0;
	unsigned got_fds;

	assert_int_equal(run_client(false, 1u << ATTACH_KIND_PKTCHAN, err,
				    sizeof(err), &port_id, &got_fds), 0);
	assert_int_equal(port_id, 5);
	assert_int_equal(got_fds, 3);
	/* An older switch would refuse a flag it does not know. */
	assert_int_equal(fake_got_flags, 0);
	assert_int_equal(run_client(false, (1u << ATTACH_KIND_PKTCHAN) |
				    ATTACH_FEAT_ANNOUNCE, err, sizeof(err),
				    &port_id, &got_fds), 0);
	assert_int_equal(fake_got_flags, ATTACH_F_ANNOUNCE);

	assert_int_equal(run_client(true, 1u << ATTACH_KIND_PKTCHAN, err,
				    sizeof(err), &port_id, &got_fds), -EEXIST);
	assert_non_null(strstr(err, "port vm1.0 exists"));

	/* The switch does not serve packet channels: refused before ATTACH. */
	assert_int_equal(run_client(false, 1u << ATTACH_KIND_PV, err,
				    sizeof(err), &port_id, &got_fds),
			 -EPROTONOSUPPORT);

	{
		struct attach_req r = good_req();

		assert_true(attach_client_connect("/nonexistent/sock", "t", &r,
						  NULL, 0, NULL, err,
						  sizeof(err)) < 0);
		assert_non_null(strstr(err, "/nonexistent/sock"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_hello),
		cmocka_unit_test(test_roundtrip_attach_with_fds),
		cmocka_unit_test(test_roundtrip_pv_regions),
		cmocka_unit_test(test_roundtrip_ack_detach_error),
		cmocka_unit_test(test_refuse_header),
		cmocka_unit_test(test_refuse_fd_counts),
		cmocka_unit_test(test_refuse_regions),
		cmocka_unit_test(test_refuse_strings_and_mac),
		cmocka_unit_test(test_hello_versions),
		cmocka_unit_test(test_wire_oversized_and_too_many_fds),
		cmocka_unit_test(test_pv_config_roundtrip),
		cmocka_unit_test(test_pv_config_refused),
		cmocka_unit_test(test_pv_attach_regions),
		cmocka_unit_test(test_vf_attach),
		cmocka_unit_test(test_vf_reg),
		cmocka_unit_test(test_vf_unmask),
		cmocka_unit_test(test_dirty_log),
		cmocka_unit_test(test_client_connect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
