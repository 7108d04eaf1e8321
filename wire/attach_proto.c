// SPDX-License-Identifier: MIT
/*
 * The port attach protocol: message checks, send and receive over a unix
 * SOCK_SEQPACKET socket with SCM_RIGHTS, and the client handshake
 * (attach_proto.h, wire/PROTOCOL.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOG_SUBSYS "attach"
#include "base/clock.h"
#include "base/log.h"
#include "wire/attach_proto.h"
#include "wire/pv_abi.h"

/* How long the client waits for each answer of the switch. */
#define ATTACH_CLIENT_TIMEOUT_MS	5000
/* pv rings, event page and RAM regions are whole pages (wire/PV-RINGS.md). */
#define ATTACH_PV_PAGE			4096u

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static void close_fds(const int *fds, unsigned nfds)
{
	unsigned i;

	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

void attach_msg_close_fds(struct attach_msg *m)
{
	close_fds(m->fds, m->nfds);
	m->nfds = 0;
}

static bool str_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The exact body size of each known type; false for unknown types. */
static bool body_size(uint16_t type, size_t *size)
{
	switch (type) {
	case ATTACH_MSG_HELLO:
		*size = sizeof(struct attach_hello);
		return true;
	case ATTACH_MSG_HELLO_ACK:
		*size = sizeof(struct attach_hello_ack);
		return true;
	case ATTACH_MSG_ATTACH:
		*size = sizeof(struct attach_req);
		return true;
	case ATTACH_MSG_ATTACH_ACK:
		*size = sizeof(struct attach_ack);
		return true;
	case ATTACH_MSG_DETACH:
		*size = 0;
		return true;
	case ATTACH_MSG_ERROR:
		*size = sizeof(struct attach_error);
		return true;
	case ATTACH_MSG_PV_CONFIG:
		*size = sizeof(struct attach_pv_config);
		return true;
	case ATTACH_MSG_PV_RESET:
	case ATTACH_MSG_VF_FLR:
	case ATTACH_MSG_VF_UNMASK:
		*size = 0;
		return true;
	case ATTACH_MSG_VF_REG:
		*size = sizeof(struct attach_vf_reg);
		return true;
	case ATTACH_MSG_DIRTY_LOG:
		*size = sizeof(struct attach_dirty_log);
		return true;
	}
	return false;
}

/* Regions name fds of this message and describe sane, disjoint ranges. */
static int regions_check(const struct attach_req *r, char *err,
			 size_t errlen)
{
	unsigned i, j;

	for (i = 0; i < r->nregions; i++) {
		const struct attach_region *g = &r->regions[i];

		if (g->fd_index >= r->nfds)
			return fail(err, errlen, -EBADF,
				    "region %u names fd %u of %u", i,
				    g->fd_index, r->nfds);
		if (g->size == 0)
			return fail(err, errlen, -EPROTO,
				    "region %u is empty", i);
		if (g->gpa + g->size < g->gpa ||
		    g->offset + g->size < g->offset)
			return fail(err, errlen, -EPROTO,
				    "region %u overflows", i);
		for (j = 0; j < i; j++) {
			const struct attach_region *o = &r->regions[j];

			if (g->gpa < o->gpa + o->size &&
			    o->gpa < g->gpa + g->size)
				return fail(err, errlen, -EPROTO,
					    "regions %u and %u overlap", j, i);
		}
	}
	return 0;
}

/*
 * pv and vf: the regions are the guest's RAM, which the switch mmaps
 * region by region, so each must be whole pages at a page-aligned file
 * offset.
 */
static int ram_regions_check(const struct attach_req *r, char *err,
			    size_t errlen)
{
	unsigned i;

	if (r->nregions == 0)
		return fail(err, errlen, -EPROTO, "port without RAM regions");
	for (i = 0; i < r->nregions; i++) {
		const struct attach_region *g = &r->regions[i];

		if ((g->gpa | g->size | g->offset) & (ATTACH_PV_PAGE - 1))
			return fail(err, errlen, -EPROTO,
				    "region %u not page-aligned", i);
	}
	return regions_check(r, err, errlen);
}

/*
 * vf: the RAM regions as for pv, naming only the fds before the VF's own
 * ATTACH_VF_FDS; a VF number or ANY; known flags; an access port (the
 * VLAN, if any, is the VF's port VLAN: a VF tags its own frames).
 */
static int vf_req_check(const struct attach_req *r, char *err, size_t errlen)
{
	int ret = ram_regions_check(r, err, errlen);
	unsigned nram;

	if (ret)
		return ret;
	if (r->nfds < ATTACH_VF_FDS + 1)
		return fail(err, errlen, -EPROTO, "vf port takes its RAM fds "
			    "and %u more, not %u fds", ATTACH_VF_FDS, r->nfds);
	nram = (unsigned)r->nfds - ATTACH_VF_FDS;
	for (unsigned i = 0; i < r->nregions; i++)
		if (r->regions[i].fd_index >= nram)
			return fail(err, errlen, -EPROTO, "region %u names "
				    "fd %u, one of the VF's own", i,
				    r->regions[i].fd_index);
	if (r->vf >= ATTACH_VF_MAX && r->vf != ATTACH_VF_ANY)
		return fail(err, errlen, -EPROTO, "VF %u, 0..%u or any",
			    r->vf, ATTACH_VF_MAX - 1);
	if (r->vf_flags & ~(ATTACH_VF_F_MAC | ATTACH_VF_F_VLAN))
		return fail(err, errlen, -EPROTO, "unknown vf flags %#x",
			    r->vf_flags);
	if (r->vlan_mode != ATTACH_VLAN_ACCESS)
		return fail(err, errlen, -EPROTO, "a vf port is no trunk");
	return 0;
}

static int attach_req_check(const struct attach_req *r, unsigned nfds,
			    char *err, size_t errlen)
{
	static const uint8_t zero_mac[6];

	if (!str_terminated(r->port, sizeof(r->port)) ||
	    !str_terminated(r->vm, sizeof(r->vm)))
		return fail(err, errlen, -EPROTO, "unterminated name");
	if (r->port[0] == '\0')
		return fail(err, errlen, -EPROTO, "empty port name");
	/* Bit 0 of the first octet: group address (IEEE 802-2014 8.2). */
	if (r->mac[0] & 1)
		return fail(err, errlen, -EPROTO, "multicast MAC");
	if (memcmp(r->mac, zero_mac, sizeof(zero_mac)) == 0)
		return fail(err, errlen, -EPROTO, "zero MAC");
	if (r->flags & ~ATTACH_F_KNOWN)
		return fail(err, errlen, -EPROTO, "unknown attach flags %#x",
			    r->flags & ~ATTACH_F_KNOWN);
	if (r->vlan_mode == ATTACH_VLAN_ACCESS) {
		if (r->vlan < 1 || r->vlan > 4094)
			return fail(err, errlen, -EPROTO,
				    "access VLAN %u not in 1..4094", r->vlan);
	} else if (r->vlan_mode == ATTACH_VLAN_TRUNK) {
		if (r->vlan > 4094)
			return fail(err, errlen, -EPROTO,
				    "native VLAN %u over 4094", r->vlan);
	} else {
		return fail(err, errlen, -EPROTO, "unknown VLAN mode %u",
			    r->vlan_mode);
	}
	if (r->nfds > ATTACH_MAX_FDS || r->nregions > ATTACH_MAX_REGIONS)
		return fail(err, errlen, -EPROTO, "%u fds, %u regions",
			    r->nfds, r->nregions);
	if (nfds < r->nfds)
		return fail(err, errlen, -EBADF, "missing fds: %u of %u",
			    nfds, r->nfds);
	if (nfds > r->nfds)
		return fail(err, errlen, -EBADF, "extra fds: %u, expected %u",
			    nfds, r->nfds);
	switch (r->kind) {
	case ATTACH_KIND_PKTCHAN:
		if (r->nfds != 3 || r->nregions != 0)
			return fail(err, errlen, -EPROTO,
				    "packet channel takes 3 fds, 0 regions");
		return 0;
	case ATTACH_KIND_PV:
		return ram_regions_check(r, err, errlen);
	case ATTACH_KIND_VF:
		return vf_req_check(r, err, errlen);
	}
	return fail(err, errlen, -EPROTONOSUPPORT, "unknown port kind %u",
		    r->kind);
}

/* An fd index of PV_CONFIG: one of the message's fds, or NO_FD if allowed. */
static int pv_fd_check(uint16_t idx, bool may_be_none, uint32_t nfds,
		       unsigned q, const char *what, char *err, size_t errlen)
{
	if (idx == ATTACH_PV_NO_FD && may_be_none)
		return 0;
	if (idx >= nfds)
		return fail(err, errlen, -EBADF, "queue %u %s fd %u of %u", q,
			    what, idx, nfds);
	return 0;
}

/*
 * The event-channel wiring must be a function: a port has one kick fd and
 * one irq fd wherever it appears (tx and rx of a queue may share a port,
 * or queues may share one), and no fd is both a kick (the switch reads
 * it) and an irq (the switch writes it): that would signal ourselves.
 */
static int pv_wiring_check(const struct attach_pv_config *c, char *err,
			   size_t errlen)
{
	uint16_t kick_of[PV_EVT_PORTS], irq_of[PV_EVT_PORTS];
	uint8_t role[ATTACH_MAX_FDS] = { 0 };	/* 1 kick, 2 irq */
	bool seen[PV_EVT_PORTS] = { false };
	unsigned q, k;

	for (q = 0; q < c->num_queues; q++) {
		const struct attach_pv_queue *pq = &c->q[q];
		const uint16_t port[2] = { pq->tx_port, pq->rx_port };
		const uint16_t kick[2] = { pq->tx_kick_fd, pq->rx_kick_fd };
		const uint16_t irq[2] = { pq->tx_irq_fd, pq->rx_irq_fd };

		for (k = 0; k < 2; k++) {
			if (seen[port[k]] && (kick_of[port[k]] != kick[k] ||
					      irq_of[port[k]] != irq[k]))
				return fail(err, errlen, -EPROTO,
					    "event port %u wired to two fds",
					    port[k]);
			seen[port[k]] = true;
			kick_of[port[k]] = kick[k];
			irq_of[port[k]] = irq[k];
			if (role[kick[k]] == 2)
				return fail(err, errlen, -EPROTO,
					    "fd %u is both kick and irq",
					    kick[k]);
			role[kick[k]] = 1;
			if (irq[k] == ATTACH_PV_NO_FD)
				continue;
			if (role[irq[k]] == 1)
				return fail(err, errlen, -EPROTO,
					    "fd %u is both kick and irq",
					    irq[k]);
			role[irq[k]] = 2;
		}
	}
	return 0;
}

static int pv_config_check(const struct attach_pv_config *c, unsigned nfds,
			   char *err, size_t errlen)
{
	const uint32_t known = PV_F_MAC | PV_F_MQ | PV_F_EVENT_IDX;
	unsigned q;
	int ret;

	if (c->num_queues < 1 || c->num_queues > ATTACH_PV_MAX_QUEUES)
		return fail(err, errlen, -EPROTO, "%u queues, 1..%u",
			    c->num_queues, ATTACH_PV_MAX_QUEUES);
	if (c->ring_size < PV_RING_MIN || c->ring_size > PV_RING_MAX ||
	    (c->ring_size & (c->ring_size - 1)))
		return fail(err, errlen, -EPROTO,
			    "ring size %u: a power of two in %u..%u",
			    c->ring_size, PV_RING_MIN, PV_RING_MAX);
	if (c->features & ~known)
		return fail(err, errlen, -EPROTO, "unknown features %#x",
			    c->features & ~known);
	if (c->evt_page_gpa & (ATTACH_PV_PAGE - 1))
		return fail(err, errlen, -EPROTO,
			    "event page not page-aligned");
	if (c->nfds > ATTACH_MAX_FDS)
		return fail(err, errlen, -EPROTO, "%u fds", c->nfds);
	if (nfds != c->nfds)
		return fail(err, errlen, -EBADF, "%u fds received, %u announced",
			    nfds, c->nfds);
	for (q = 0; q < c->num_queues; q++) {
		const struct attach_pv_queue *pq = &c->q[q];

		if ((pq->tx_ring_gpa | pq->rx_ring_gpa) & (ATTACH_PV_PAGE - 1))
			return fail(err, errlen, -EPROTO,
				    "queue %u ring not page-aligned", q);
		if (pq->tx_port >= PV_EVT_PORTS || pq->rx_port >= PV_EVT_PORTS)
			return fail(err, errlen, -EPROTO,
				    "queue %u event port %u/%u, 0..%u", q,
				    pq->tx_port, pq->rx_port, PV_EVT_PORTS - 1);
		if (pq->reserved)
			return fail(err, errlen, -EPROTO,
				    "queue %u reserved field set", q);
		/* Kicks are how an idle switch hears the guest: required. */
		if ((ret = pv_fd_check(pq->tx_kick_fd, false, c->nfds, q,
				       "tx kick", err, errlen)) ||
		    (ret = pv_fd_check(pq->rx_kick_fd, false, c->nfds, q,
				       "rx kick", err, errlen)) ||
		    (ret = pv_fd_check(pq->tx_irq_fd, true, c->nfds, q,
				       "tx irq", err, errlen)) ||
		    (ret = pv_fd_check(pq->rx_irq_fd, true, c->nfds, q,
				       "rx irq", err, errlen)))
			return ret;
	}
	return pv_wiring_check(c, err, errlen);
}

static int body_check(struct attach_msg *m, unsigned nfds, char *err,
		      size_t errlen)
{
	switch (m->hdr.type) {
	case ATTACH_MSG_HELLO: {
		const struct attach_hello *h = &m->u.hello;

		if (!str_terminated(h->client, sizeof(h->client)))
			return fail(err, errlen, -EPROTO,
				    "unterminated client name");
		if (h->version_min > h->version_max)
			return fail(err, errlen, -EPROTO,
				    "version range %u..%u", h->version_min,
				    h->version_max);
		if (h->version_min > ATTACH_VERSION ||
		    h->version_max < ATTACH_VERSION)
			return fail(err, errlen, -EPROTONOSUPPORT,
				    "client speaks %u..%u, switch %u",
				    h->version_min, h->version_max,
				    ATTACH_VERSION);
		break;
	}
	case ATTACH_MSG_HELLO_ACK:
		if (!str_terminated(m->u.hello_ack.server,
				    sizeof(m->u.hello_ack.server)))
			return fail(err, errlen, -EPROTO,
				    "unterminated server name");
		if (m->u.hello_ack.version != ATTACH_VERSION)
			return fail(err, errlen, -EPROTONOSUPPORT,
				    "switch chose version %u",
				    m->u.hello_ack.version);
		break;
	case ATTACH_MSG_ATTACH:
		return attach_req_check(&m->u.attach, nfds, err, errlen);
	case ATTACH_MSG_PV_CONFIG:
		return pv_config_check(&m->u.pv_config, nfds, err, errlen);
	case ATTACH_MSG_VF_REG: {
		const struct attach_vf_reg *v = &m->u.vf_reg;

		if ((v->size != 1 && v->size != 2 && v->size != 4 &&
		     v->size != 8) || v->write > ATTACH_VF_WRITE_SYNC)
			return fail(err, errlen, -EPROTO, "vf register access "
				    "of %u bytes, write %u", v->size,
				    v->write);
		if (v->off >= ATTACH_VF_TRAP_SIZE ||
		    ATTACH_VF_TRAP_SIZE - v->off < v->size)
			return fail(err, errlen, -EPROTO, "vf register %#x "
				    "outside the trapped pages", v->off);
		break;
	}
	case ATTACH_MSG_DIRTY_LOG: {
		const struct attach_dirty_log *d = &m->u.dirty_log;

		if (d->on > 1 || d->reserved)
			return fail(err, errlen, -EPROTO, "DIRTY_LOG on %u, "
				    "reserved %#x", d->on, d->reserved);
		if (nfds != d->on)
			return fail(err, errlen, -EBADF, "DIRTY_LOG %s takes "
				    "%u fd, not %u", d->on ? "on" : "off",
				    d->on, nfds);
		/* The header's page at least; the switch checks the rest
		 * against the memfd and the header. */
		if (d->on && d->size < ATTACH_PV_PAGE)
			return fail(err, errlen, -EPROTO, "DIRTY_LOG of %llu "
				    "bytes, under a page",
				    (unsigned long long)d->size);
		return 0;
	}
	case ATTACH_MSG_VF_UNMASK:
		if (nfds != ATTACH_VF_VECTORS)
			return fail(err, errlen, -EBADF, "VF_UNMASK takes %u "
				    "fds, not %u", ATTACH_VF_VECTORS, nfds);
		return 0;
	case ATTACH_MSG_ERROR:
		if (!str_terminated(m->u.error.msg, sizeof(m->u.error.msg)))
			return fail(err, errlen, -EPROTO,
				    "unterminated error text");
		if (m->u.error.err <= 0)
			return fail(err, errlen, -EPROTO, "error code %d",
				    m->u.error.err);
		break;
	}
	/* Only ATTACH, PV_CONFIG, VF_UNMASK and DIRTY_LOG carry fds. */
	if (nfds)
		return fail(err, errlen, -EBADF, "extra fds: %u", nfds);
	return 0;
}

int attach_msg_parse(const void *buf, size_t len, const int *fds,
		     unsigned nfds, struct attach_msg *out, char *err,
		     size_t errlen)
{
	size_t want;
	int ret;

	memset(out, 0, sizeof(*out));
	if (nfds > ATTACH_MAX_FDS) {
		ret = fail(err, errlen, -EBADF, "%u fds", nfds);
		goto refuse;
	}
	if (len < sizeof(out->hdr)) {
		ret = fail(err, errlen, -EPROTO, "truncated: %zu bytes", len);
		goto refuse;
	}
	if (len > ATTACH_MSG_MAX) {
		ret = fail(err, errlen, -EMSGSIZE, "oversized: %zu bytes",
			   len);
		goto refuse;
	}
	/* Copy before checking: @buf may be unaligned or shared. */
	memcpy(&out->hdr, buf, sizeof(out->hdr));
	if (out->hdr.magic != ATTACH_MAGIC) {
		ret = fail(err, errlen, -EPROTO, "bad magic %#x",
			   out->hdr.magic);
		goto refuse;
	}
	/*
	 * HELLO negotiates in its body and ERROR may answer a HELLO we could
	 * not read, so both are understood in any version (their layouts
	 * are frozen); everything else must be in the version we speak.
	 */
	if (out->hdr.version != ATTACH_VERSION &&
	    out->hdr.type != ATTACH_MSG_HELLO &&
	    out->hdr.type != ATTACH_MSG_ERROR) {
		ret = fail(err, errlen, -EPROTONOSUPPORT, "version %u",
			   out->hdr.version);
		goto refuse;
	}
	if (out->hdr.len != len) {
		ret = fail(err, errlen, -EPROTO,
			   "length field %u, message %zu", out->hdr.len, len);
		goto refuse;
	}
	if (!body_size(out->hdr.type, &want)) {
		ret = fail(err, errlen, -EPROTO, "unknown type %u",
			   out->hdr.type);
		goto refuse;
	}
	if (len - sizeof(out->hdr) != want) {
		ret = fail(err, errlen, -EPROTO, "type %u body %zu bytes, "
			   "expected %zu", out->hdr.type,
			   len - sizeof(out->hdr), want);
		goto refuse;
	}
	memcpy(&out->u, (const uint8_t *)buf + sizeof(out->hdr), want);
	ret = body_check(out, nfds, err, errlen);
	if (ret)
		goto refuse;
	if (nfds)
		memcpy(out->fds, fds, nfds * sizeof(int));
	out->nfds = nfds;
	return 0;
refuse:
	close_fds(fds, nfds);
	out->nfds = 0;
	return ret;
}

int attach_msg_send(int sock, uint16_t type, uint32_t seq, const void *body,
		    size_t body_len, const int *fds, unsigned nfds)
{
	union {
		struct attach_msg_hdr hdr;
		uint8_t b[ATTACH_MSG_MAX];
	} buf;
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(int) * ATTACH_MAX_FDS)];
	} ctl;
	struct iovec iov;
	struct msghdr mh = { 0 };
	ssize_t n;

	if (body_len > ATTACH_MSG_MAX - sizeof(buf.hdr) ||
	    nfds > ATTACH_MAX_FDS)
		return -EMSGSIZE;
	buf.hdr = (struct attach_msg_hdr){
		.magic = ATTACH_MAGIC,
		.version = ATTACH_VERSION,
		.type = type,
		.len = (uint32_t)(sizeof(buf.hdr) + body_len),
		.seq = seq,
	};
	if (body_len)
		memcpy(buf.b + sizeof(buf.hdr), body, body_len);
	iov.iov_base = buf.b;
	iov.iov_len = buf.hdr.len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do {
		/* MSG_NOSIGNAL: a vanished peer is an error, not SIGPIPE. */
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)buf.hdr.len ? 0 : -EIO;
}

static int wait_readable(int sock, int timeout_ms)
{
	int64_t deadline = (int64_t)clock_mono_ms() + timeout_ms;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	int left = timeout_ms, r;

	for (;;) {
		r = poll(&p, 1, left);
		if (r > 0)
			return 0;	/* readable, or hung up: recvmsg says */
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
		if (timeout_ms >= 0) {
			left = (int)(deadline - (int64_t)clock_mono_ms());
			if (left < 0)
				left = 0;
		}
	}
}

/* Take every SCM_RIGHTS fd out of @mh, whatever else happened. */
static unsigned collect_fds(struct msghdr *mh, int *fds, unsigned max,
			    bool *excess)
{
	struct cmsghdr *c;
	unsigned n = 0;

	*excess = false;
	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t i, cnt;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < cnt; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (n < max) {
				fds[n++] = fd;
			} else {
				close(fd);
				*excess = true;
			}
		}
	}
	return n;
}

int attach_msg_recv(int sock, struct attach_msg *out, int timeout_ms,
		    char *err, size_t errlen)
{
	union {
		struct attach_msg_hdr hdr;
		uint8_t b[ATTACH_MSG_MAX];
	} buf;
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(int) * ATTACH_MAX_FDS)];
	} ctl;
	int fds[ATTACH_MAX_FDS];
	struct iovec iov = { .iov_base = buf.b, .iov_len = sizeof(buf.b) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.b,
		.msg_controllen = sizeof(ctl.b),
	};
	unsigned nfds;
	bool excess;
	ssize_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = wait_readable(sock, timeout_ms);
	if (ret)
		return fail(err, errlen, ret, "%s", strerror(-ret));
	do {
		/* CLOEXEC: fds we are handed must not leak into children. */
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return fail(err, errlen, -ETIMEDOUT, "no message");
		return fail(err, errlen, -errno, "recvmsg: %s",
			    strerror(errno));
	}
	nfds = collect_fds(&mh, fds, ATTACH_MAX_FDS, &excess);
	if (n == 0) {
		close_fds(fds, nfds);
		return fail(err, errlen, -ECONNRESET, "peer closed");
	}
	if (excess || (mh.msg_flags & MSG_CTRUNC)) {
		close_fds(fds, nfds);
		return fail(err, errlen, -EBADF, "more than %u fds",
			    ATTACH_MAX_FDS);
	}
	if (mh.msg_flags & MSG_TRUNC) {
		close_fds(fds, nfds);
		return fail(err, errlen, -EMSGSIZE,
			    "oversized: more than %u bytes", ATTACH_MSG_MAX);
	}
	return attach_msg_parse(buf.b, (size_t)n, fds, nfds, out, err, errlen);
}

/* ---- client ---- */

static int client_expect(int sock, uint16_t type, struct attach_msg *m,
			 char *err, size_t errlen)
{
	int ret = attach_msg_recv(sock, m, ATTACH_CLIENT_TIMEOUT_MS, err,
				  errlen);

	if (ret)
		return ret;
	if (m->hdr.type == ATTACH_MSG_ERROR)
		return fail(err, errlen, -m->u.error.err, "switch: %s",
			    m->u.error.msg);
	if (m->hdr.type != type) {
		attach_msg_close_fds(m);
		return fail(err, errlen, -EPROTO,
			    "switch sent type %u, expected %u", m->hdr.type,
			    type);
	}
	return 0;
}

int attach_client_connect(const char *path, const char *client,
			  const struct attach_req *req, const int *fds,
			  unsigned nfds, uint32_t *port_id, char *err,
			  size_t errlen)
{
	struct attach_client_info info;
	int sock = attach_client_open(path, client, req, fds, nfds, &info,
				      err, errlen);

	if (sock >= 0 && port_id)
		*port_id = info.port_id;
	return sock;
}

int attach_client_open(const char *path, const char *client,
		       const struct attach_req *req, const int *fds,
		       unsigned nfds, struct attach_client_info *info,
		       char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct attach_hello hello = {
		.version_min = ATTACH_VERSION,
		.version_max = ATTACH_VERSION,
	};
	struct attach_req r = *req;
	struct attach_msg m;
	int sock, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(err, errlen, -ENAMETOOLONG, "socket path too long");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	snprintf(hello.client, sizeof(hello.client), "%s", client);
	r.nfds = (uint16_t)nfds;

	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail(err, errlen, -errno, "socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = fail(err, errlen, -errno, "connect %s: %s", path,
			   strerror(errno));
		goto out;
	}
	ret = attach_msg_send(sock, ATTACH_MSG_HELLO, 1, &hello,
			      sizeof(hello), NULL, 0);
	if (ret) {
		fail(err, errlen, ret, "send hello: %s", strerror(-ret));
		goto out;
	}
	ret = client_expect(sock, ATTACH_MSG_HELLO_ACK, &m, err, errlen);
	if (ret)
		goto out;
	/* features: bit (1 << kind) per port kind the switch serves. */
	if (r.kind >= 32 || !(m.u.hello_ack.features & (1u << r.kind))) {
		ret = fail(err, errlen, -EPROTONOSUPPORT,
			   "switch %s does not serve port kind %u",
			   m.u.hello_ack.server, r.kind);
		goto out;
	}
	info->features = m.u.hello_ack.features;
	/* A switch that does not know a flag would refuse the ATTACH. */
	if (!(info->features & ATTACH_FEAT_ANNOUNCE))
		r.flags &= ~ATTACH_F_ANNOUNCE;
	ret = attach_msg_send(sock, ATTACH_MSG_ATTACH, 2, &r, sizeof(r), fds,
			      nfds);
	if (ret) {
		fail(err, errlen, ret, "send attach: %s", strerror(-ret));
		goto out;
	}
	ret = client_expect(sock, ATTACH_MSG_ATTACH_ACK, &m, err, errlen);
	if (ret)
		goto out;
	info->port_id = m.u.ack.port_id;
	return sock;
out:
	close(sock);
	return ret;
}

int attach_client_detach(int sock, int timeout_ms)
{
	uint64_t deadline = clock_mono_ms() + (uint64_t)timeout_ms;
	struct attach_msg m;
	char err[64];
	int ret;

	ret = attach_msg_send(sock, ATTACH_MSG_DETACH, 0, NULL, 0, NULL, 0);
	if (ret < 0)
		return ret == -EPIPE || ret == -ECONNRESET ? 0 : ret;
	/* The switch closes only once the port is off its forwarding
	 * thread; anything it still says before that is of no use now. */
	for (;;) {
		uint64_t now = clock_mono_ms();

		if (now >= deadline)
			return -ETIMEDOUT;
		ret = attach_msg_recv(sock, &m, (int)(deadline - now), err,
				      sizeof(err));
		if (ret == -ECONNRESET)
			return 0;
		if (ret == -ETIMEDOUT)
			return ret;
		if (ret == 0)
			attach_msg_close_fds(&m);
		else if (ret != -EPROTO && ret != -EMSGSIZE &&
			 ret != -EPROTONOSUPPORT && ret != -EBADF)
			return ret;
	}
}
