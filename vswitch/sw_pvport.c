// SPDX-License-Identifier: MIT
/*
 * pv ports: the pv backend (pv-rings/pv_backend.h) as a switch port, the
 * way a Xen driver domain runs netback or OVS-DPDK runs vhost-user.
 *
 * Life cycle, on the attach connection (wire/PROTOCOL.md, "pv ports"):
 *  - ATTACH (kind PV): the guest's RAM regions are mapped MAP_SHARED; the
 *    port is listed with link down, nothing to do yet;
 *  - PV_CONFIG (the guest wrote DRIVER_OK): rings, event page and the
 *    event-channel eventfds; the backend starts, link up, ATTACH_ACK (or
 *    ERROR and the port stays idle);
 *  - PV_RESET: the backend stops, link down, until the next PV_CONFIG;
 *  - a request the backend refuses: it stops ("error"), the VMM gets an
 *    unsolicited ERROR (EPROTO, seq 0), the port stays listed as broken
 *    and frames switched to it are dropped and counted;
 *  - DIRTY_LOG (a migration copies the guest's RAM): from the answer on,
 *    the backend marks every page it writes in the VMM's log, until
 *    DIRTY_LOG off or the port goes; without one it marks nothing and
 *    pays one test per burst;
 *  - ATTACH with ATTACH_F_ANNOUNCE (the VM migrated here): the first
 *    backend that runs announces the VM's MAC (sw_announce.c);
 *  - hang-up or DETACH: the port goes, mappings and fds with it.
 *
 * Threads: the control thread builds and tears down backends; the
 * forwarding thread is the only one that runs them. A backend is handed
 * over and taken back with sw_fwd_exec(), so neither ever sees it half
 * made. The port's wait fd is its own epoll set holding the kick
 * eventfds, so the forwarding thread sleeps on one fd per port however
 * many queues and configs come and go.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_mbuf.h>

#define LOG_SUBSYS "pvport"
#include "base/efd.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "core/evloop.h"
#include "core/guest_mem.h"
#include "pv-rings/pv_backend.h"
#include "vswitch/sw.h"

enum sw_pv_state {
	SW_PV_IDLE,		/* attached, no rings yet (or after a reset) */
	SW_PV_RUNNING,
	SW_PV_ERROR,		/* the guest broke its rings */
};

struct sw_pvport {
	struct sw *sw;
	struct sw_port *port;
	int conn_fd;			/* the attach connection (not ours) */
	struct guest_mem gm;		/* the guest's RAM, mapped here */
	int epfd;			/* the port's wait fd: kicks inside */
	int note_fd;			/* forwarding -> control: it stopped */
	bool one_fd;			/* RAM from one memfd: loggable */
	bool announce_owed;		/* ATTACH_F_ANNOUNCE, not done yet */
	struct sw_dirty_log log_ctl;	/* control: the mapped log, if any */
	uint64_t logs;			/* DIRTY_LOG on accepted */

	/* Control thread: what the running config owns. */
	struct pv_backend *be_ctl;
	int fds[ATTACH_MAX_FDS];	/* eventfds of the config */
	unsigned nfds;

	/* Forwarding thread (set through sw_pv_swap_fn). */
	struct pv_backend *be;		/* NULL while idle */
	const struct dirty_log_view *log;	/* NULL: not logging */
	int kick_fds[ATTACH_MAX_FDS];	/* distinct kicks, in epfd */
	unsigned nkicks;
	unsigned rr;			/* next TX queue to look at */
	bool fail_noted;
	uint64_t kicks;			/* guest notifications received */
	uint64_t wakeups;		/* arm_wait calls finding work */
	struct pv_backend_stats past;	/* of backends since stopped */

	/* Either thread, once set. */
	_Atomic int state;
	int error;			/* PV_E_* of the stop */
	char why[PV_BACKEND_WHY_MAX];
	uint64_t configs, resets;
};

/* ---- the data path (forwarding thread) ---- */

struct sw_pv_sink {
	struct sw_port *p;
	struct rte_mempool *pool;
	struct rte_mbuf **pkts;
	unsigned got;
};

/* An mbuf for the next TX frame; NULL: the guest's frame is dropped. */
static void *sw_pv_sink_get(void *opaque, uint16_t len)
{
	struct sw_pv_sink *s = opaque;
	struct rte_mbuf *m = rte_pktmbuf_alloc(s->pool);
	char *dst;

	if (!m) {
		s->p->st.rx_nombuf++;
		return NULL;
	}
	dst = rte_pktmbuf_append(m, len);
	if (!dst) {
		rte_pktmbuf_free(m);
		s->p->st.drops[FWD_DROP_OVERSIZED]++;
		return NULL;
	}
	s->pkts[s->got++] = m;
	return dst;
}

/* The backend just refused a request: stop listening, tell control. */
static void sw_pv_note_failure(struct sw_pvport *v)
{
	uint64_t one = 1;
	const char *why;

	if (v->fail_noted)
		return;
	v->fail_noted = true;
	v->error = pv_backend_error(v->be, &why);
	snprintf(v->why, sizeof(v->why), "%s", why);
	/* A broken guest may go on kicking: it must not wake us. */
	for (unsigned i = 0; i < v->nkicks; i++)
		epoll_ctl(v->epfd, EPOLL_CTL_DEL, v->kick_fds[i], NULL);
	atomic_store(&v->state, SW_PV_ERROR);
	if (write(v->note_fd, &one, sizeof(one)) < 0)
		log_warn("%s: note fd: %s", v->port->name, strerror(errno));
}

static unsigned sw_pv_rx(struct sw_port *p, struct rte_mbuf **pkts,
			 unsigned n)
{
	struct sw_pvport *v = p->priv;
	struct sw_pv_sink s = { .p = p, .pool = p->sw->pool, .pkts = pkts };
	const struct pv_tx_sink sink = { .get = sw_pv_sink_get, .opaque = &s };
	unsigned nq, i;

	if (!v->be || v->fail_noted)
		return 0;
	/* The VM just migrated here: its announcement, as if it sent it. */
	s.got = sw_announce_vm_take(p->sw, p, pkts, n);
	/*
	 * Round-robin over the queues, at most @n frames (one burst) per
	 * call: a guest that keeps its rings full, or kicks without end,
	 * gets its turn like every other port and no more.
	 */
	nq = pv_backend_num_queues(v->be);
	for (i = 0; i < nq && s.got < n; i++) {
		unsigned q = (v->rr + i) % nq;

		pv_backend_tx(v->be, q, &sink, n - s.got);
		if (pv_backend_failed(v->be))
			break;
	}
	v->rr = (v->rr + 1) % nq;
	/* Newly posted RX buffers: refuse bad ones now, not at first use. */
	for (i = 0; i < nq && !pv_backend_failed(v->be); i++)
		pv_backend_rx_scan(v->be, i, SW_BURST);
	if (pv_backend_failed(v->be))
		sw_pv_note_failure(v);
	/* Frames copied before a refusal are good: they go on. */
	return s.got;
}

/* Which RX queue a frame goes to: a flow hash of the MACs. */
static unsigned sw_pv_steer(const uint8_t *d, unsigned nq)
{
	return nq == 1 ? 0 : (unsigned)(d[5] ^ d[11]) % nq;
}

static unsigned sw_pv_tx(struct sw_port *p, struct rte_mbuf **pkts,
			 unsigned n)
{
	struct sw_pvport *v = p->priv;
	const void *frames[SW_BURST];
	uint16_t lens[SW_BURST];
	unsigned nq, q, delivered = 0;

	if (!v->be || v->fail_noted)
		return 0;	/* dropped and counted by the caller */
	if (n > SW_BURST)
		n = SW_BURST;
	nq = pv_backend_num_queues(v->be);
	for (q = 0; q < nq; q++) {
		unsigned k = 0;

		for (unsigned i = 0; i < n; i++) {
			const uint8_t *d = rte_pktmbuf_mtod(pkts[i],
							    const uint8_t *);

			if (sw_pv_steer(d, nq) != q)
				continue;
			frames[k] = d;
			lens[k++] = rte_pktmbuf_data_len(pkts[i]);
		}
		if (k)
			delivered += pv_backend_rx(v->be, q, frames, lens, k);
	}
	if (pv_backend_failed(v->be))
		sw_pv_note_failure(v);
	/*
	 * Every frame has been copied or dropped: which mbufs we free does
	 * not matter. We free as many as were delivered and leave the rest
	 * to the caller, which counts them as drops.
	 */
	rte_pktmbuf_free_bulk(pkts, delivered);
	return delivered;
}

static int sw_pv_wait_fd(struct sw_port *p)
{
	struct sw_pvport *v = p->priv;

	return v->epfd;
}

/*
 * Before the forwarding thread sleeps: empty the kick eventfds (their
 * counts are the guest's notifications, coalesced by the eventfd), then
 * the backend's final check.
 */
static bool sw_pv_arm_wait(struct sw_port *p)
{
	struct sw_pvport *v = p->priv;
	bool work;

	for (unsigned i = 0; i < v->nkicks; i++) {
		uint64_t cnt;

		/* Never blocks, whatever the VMM did to the shared file. */
		if (efd_read(v->kick_fds[i], &cnt) > 0)
			v->kicks += cnt;
	}
	if (!v->be || v->fail_noted)
		return false;
	work = pv_backend_arm(v->be);
	if (work)
		v->wakeups++;
	return work;
}

/* ---- handing a backend over (runs on the forwarding thread) ---- */

struct sw_pv_swap {
	struct sw_pvport *v;
	struct pv_backend *be;		/* new one, or NULL to stop */
	const int *kicks;
	unsigned nkicks;
};

static void sw_pv_stats_add(struct pv_backend_stats *a,
			    const struct pv_backend_stats *b)
{
	const uint64_t *s = (const uint64_t *)b;
	uint64_t *d = (uint64_t *)a;

	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

/* The port's counters over all its backends: past ones and the current. */
static void sw_pv_stats_total(const struct sw_pvport *v,
			      struct pv_backend_stats *st)
{
	*st = v->past;
	if (v->be) {
		struct pv_backend_stats cur;

		pv_backend_get_stats(v->be, &cur);
		sw_pv_stats_add(st, &cur);
	}
}

static int sw_pv_swap_fn(struct sw *sw, void *arg)
{
	struct sw_pv_swap *s = arg;
	struct sw_pvport *v = s->v;
	unsigned i;

	if (v->be) {
		struct pv_backend_stats st;

		pv_backend_get_stats(v->be, &st);
		sw_pv_stats_add(&v->past, &st);
		if (!v->fail_noted)
			for (i = 0; i < v->nkicks; i++)
				epoll_ctl(v->epfd, EPOLL_CTL_DEL,
					  v->kick_fds[i], NULL);
	}
	v->be = s->be;
	/* A backend started while logging logs too (marks its set-up). */
	if (v->be && v->log)
		pv_backend_set_log(v->be, v->log);
	v->fail_noted = false;
	v->rr = 0;
	v->nkicks = 0;
	for (i = 0; i < s->nkicks; i++) {
		struct epoll_event ev = { .events = EPOLLIN };

		if (epoll_ctl(v->epfd, EPOLL_CTL_ADD, s->kicks[i], &ev) < 0)
			return -errno;
		v->kick_fds[v->nkicks++] = s->kicks[i];
	}
	return 0;
}

/* Logging on (@arg a view) or off (NULL), between two bursts. */
static int sw_pv_log_fn(struct sw *sw, void *arg)
{
	struct sw_pvport *v = arg;

	(void)sw;
	v->log = v->log_ctl.base ? &v->log_ctl.view : NULL;
	if (v->be)
		pv_backend_set_log(v->be, v->log);
	return 0;
}

/* The VM migrated here: announce it, now that its link is up. */
static int sw_pv_announce_fn(struct sw *sw, void *arg)
{
	struct sw_pvport *v = arg;

	sw_announce_vm(sw, v->port);
	return 0;
}

/* ---- show-ports (forwarding thread) ---- */

static json_t *sw_pv_backend_json(struct sw_pvport *v)
{
	static const char *const names[] = { "idle", "running", "error" };
	struct pv_backend_stats st;
	json_t *o = json_object();
	int state = atomic_load(&v->state);

	sw_pv_stats_total(v, &st);
	json_object_set_new(o, "state", json_string(names[state]));
	if (state == SW_PV_ERROR) {
		json_object_set_new(o, "error", json_integer(v->error));
		json_object_set_new(o, "why", json_string(v->why));
	}
	json_object_set_new(o, "queues", json_integer(
		v->be ? pv_backend_num_queues(v->be) : 0));
	JSON_COUNTER(o, *v, configs);
	JSON_COUNTER(o, *v, resets);
	JSON_COUNTER(o, *v, logs);
	json_object_set_new(o, "dirty_log", json_boolean(v->log != NULL));
	JSON_COUNTER(o, *v, kicks);
	JSON_COUNTER(o, st, irqs_sent);
	JSON_COUNTER(o, st, irqs_masked);
	JSON_COUNTER(o, st, notify_suppressed);
	JSON_COUNTER(o, st, final_checks);
	JSON_COUNTER(o, st, final_check_hits);
	/* Named from the guest's side: the backend's tx is what it sent. */
	json_counter_set(o, "from_guest", st.tx_frames);
	json_counter_set(o, "from_guest_bytes", st.tx_bytes);
	json_counter_set(o, "from_guest_dropped", st.tx_dropped);
	json_counter_set(o, "to_guest", st.rx_frames);
	json_counter_set(o, "to_guest_bytes", st.rx_bytes);
	json_counter_set(o, "to_guest_no_buffer", st.rx_no_buffer);
	json_counter_set(o, "to_guest_too_big", st.rx_too_big);
	if (v->be) {
		json_t *rings = json_array();

		for (unsigned q = 0; q < pv_backend_num_queues(v->be); q++) {
			struct pv_backend_ring_view rv[2];

			pv_backend_ring_view(v->be, q, &rv[0], &rv[1]);
			for (unsigned k = 0; k < 2; k++) {
				json_t *r = json_object();

				json_object_set_new(r, "ring", json_string(
					k ? "rx" : "tx"));
				json_object_set_new(r, "queue",
						    json_integer(q));
				JSON_COUNTER(r, rv[k], req_prod);
				JSON_COUNTER(r, rv[k], req_cons);
				JSON_COUNTER(r, rv[k], rsp_prod);
				JSON_COUNTER(r, rv[k], req_event);
				JSON_COUNTER(r, rv[k], rsp_event);
				json_array_append_new(rings, r);
			}
		}
		json_object_set_new(o, "rings", rings);
	}
	return o;
}

/* The json op: the backend's state, counters and rings. */
static void sw_pv_json(struct sw_port *p, json_t *o)
{
	struct sw_pvport *v = p->priv;

	json_object_set_new(o, "pv", sw_pv_backend_json(v));
	/* A guest that broke its rings: listed broken, the port stays. */
	if (atomic_load(&v->state) == SW_PV_ERROR)
		json_object_set_new(o, "broken", json_true());
}

/* ---- set-up and tear-down (control thread) ---- */

static void sw_pv_send_error(struct sw_pvport *v, uint32_t seq, int err,
			     const char *msg)
{
	struct attach_error e = { .err = err };

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	attach_msg_send(v->conn_fd, ATTACH_MSG_ERROR, seq, &e, sizeof(e),
			NULL, 0);
}

/* Stop the running backend (if any) and release what its config held. */
static void sw_pv_stop(struct sw_pvport *v)
{
	struct sw_pv_swap s = { .v = v };

	if (!v->be_ctl)
		return;
	sw_fwd_exec(v->sw, sw_pv_swap_fn, &s);
	pv_backend_destroy(v->be_ctl);
	v->be_ctl = NULL;
	for (unsigned i = 0; i < v->nfds; i++)
		close(v->fds[i]);
	v->nfds = 0;
	atomic_store(&v->state, SW_PV_IDLE);
}

static int sw_pv_config(struct sw_pvport *v, struct attach_msg *m)
{
	const struct attach_pv_config *c = &m->u.pv_config;
	struct pv_backend_cfg bc = {
		.evt_page_gpa = c->evt_page_gpa,
		.ring_size = c->ring_size,
		.num_queues = c->num_queues,
		.features = c->features,
	};
	struct sw_pv_swap s = { .v = v };
	struct attach_ack ack = { .port_id = v->port->id };
	int kicks[ATTACH_MAX_FDS];
	char err[ATTACH_ERR_MAX];
	unsigned nkicks = 0, i, q;
	int ret;

	/* A new config replaces the old one, as a reset would. */
	sw_pv_stop(v);
	sw_port_set_link(v->sw, v->port, false);
	/*
	 * Kicks and irqs must really be eventfds (we read and write 8 bytes);
	 * efd_check leaves them non-blocking: the forwarding thread never
	 * blocks on a full or empty counter.
	 */
	for (i = 0; i < m->nfds; i++) {
		ret = efd_check(m->fds[i]);
		if (ret < 0) {
			snprintf(err, sizeof(err), "fd %u is not an eventfd",
				 i);
			goto refuse;
		}
	}
	/* attach_msg_parse checked indices and roles; translate them. */
	for (q = 0; q < c->num_queues; q++) {
		const struct attach_pv_queue *aq = &c->q[q];
		const uint16_t kick[2] = { aq->tx_kick_fd, aq->rx_kick_fd };

		bc.q[q] = (struct pv_backend_queue_cfg){
			.tx_ring_gpa = aq->tx_ring_gpa,
			.rx_ring_gpa = aq->rx_ring_gpa,
			.tx_port = aq->tx_port,
			.rx_port = aq->rx_port,
			.tx_irq_fd = aq->tx_irq_fd == ATTACH_PV_NO_FD ? -1 :
				     m->fds[aq->tx_irq_fd],
			.rx_irq_fd = aq->rx_irq_fd == ATTACH_PV_NO_FD ? -1 :
				     m->fds[aq->rx_irq_fd],
		};
		for (unsigned k = 0; k < 2; k++) {
			int fd = m->fds[kick[k]];
			bool dup = false;

			for (i = 0; i < nkicks; i++)
				dup |= kicks[i] == fd;
			if (!dup)
				kicks[nkicks++] = fd;
		}
	}
	/* The backend checks rings and event page against the guest RAM. */
	v->be_ctl = pv_backend_create(&v->gm, &bc, err, sizeof(err));
	if (!v->be_ctl) {
		ret = -errno;
		goto refuse;
	}
	/* The fds are ours from here. */
	memcpy(v->fds, m->fds, m->nfds * sizeof(int));
	v->nfds = m->nfds;
	m->nfds = 0;
	s.be = v->be_ctl;
	s.kicks = kicks;
	s.nkicks = nkicks;
	ret = sw_fwd_exec(v->sw, sw_pv_swap_fn, &s);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot watch kicks: %s",
			 strerror(-ret));
		sw_pv_stop(v);
		goto refuse;
	}
	v->error = PV_E_NONE;
	v->why[0] = '\0';
	v->configs++;
	atomic_store(&v->state, SW_PV_RUNNING);
	sw_port_set_link(v->sw, v->port, true);
	/* Frames from a port whose link is down would be dropped. */
	if (v->announce_owed) {
		v->announce_owed = false;
		sw_fwd_exec(v->sw, sw_pv_announce_fn, v);
	}
	log_info("%s: backend running: %u queue(s) of %u slots, events %s",
		 v->port->name, c->num_queues, c->ring_size,
		 (c->features & PV_F_EVENT_IDX) ? "suppressed" : "always");
	return attach_msg_send(v->conn_fd, ATTACH_MSG_ATTACH_ACK, m->hdr.seq,
			       &ack, sizeof(ack), NULL, 0);
refuse:
	log_guest_warn("%s: PV_CONFIG refused: %s", v->port->name, err);
	sw_pv_send_error(v, m->hdr.seq, ret < 0 ? -ret : EINVAL, err);
	return 0;	/* the port stays, idle */
}

/*
 * DIRTY_LOG: map and check the log, hand it to the forwarding thread,
 * answer. The answer comes after the hand-over, between two bursts: every
 * write after it is marked, and the VMM copies all of RAM after it.
 */
static int sw_pv_dirty_log(struct sw_pvport *v, struct attach_msg *m)
{
	struct attach_ack ack = { .port_id = v->port->id };
	struct sw_dirty_log old = v->log_ctl, nlog = { 0 };
	char err[ATTACH_ERR_MAX];
	int ret;

	if (m->u.dirty_log.on) {
		ret = sw_dirty_log_map(&nlog, m, &v->gm, v->one_fd, err,
				       sizeof(err));
		if (ret < 0) {
			log_guest_warn("%s: DIRTY_LOG refused: %s",
				       v->port->name, err);
			sw_pv_send_error(v, m->hdr.seq, -ret, err);
			return 0;	/* the port runs on, not logging */
		}
	}
	v->log_ctl = nlog;
	sw_fwd_exec(v->sw, sw_pv_log_fn, v);
	sw_dirty_log_unmap(&old);
	if (nlog.base) {
		v->logs++;
		log_info("%s: logging writes to guest RAM (%llu pages)",
			 v->port->name,
			 (unsigned long long)nlog.view.npages);
	} else if (old.base) {
		log_info("%s: no longer logging writes to guest RAM",
			 v->port->name);
	}
	return attach_msg_send(v->conn_fd, ATTACH_MSG_ATTACH_ACK, m->hdr.seq,
			       &ack, sizeof(ack), NULL, 0);
}

/* The attach_msg op: PV_CONFIG, PV_RESET, DIRTY_LOG on the connection. */
static int sw_pv_attach_msg(struct sw_port *p, int conn_fd,
			    struct attach_msg *m)
{
	struct sw_pvport *v = p->priv;

	(void)conn_fd;		/* the same as v->conn_fd, kept since ATTACH */
	if (m->hdr.type == ATTACH_MSG_PV_CONFIG)
		return sw_pv_config(v, m);
	if (m->hdr.type == ATTACH_MSG_DIRTY_LOG)
		return sw_pv_dirty_log(v, m);
	if (m->hdr.type != ATTACH_MSG_PV_RESET)
		return -ENOMSG;
	/* The guest reset the device; no answer expected. */
	sw_pv_stop(v);
	sw_port_set_link(p->sw, p, false);
	v->resets++;
	log_info("%s: backend reset by the guest", p->name);
	return 0;
}

/* The forwarding thread says the backend stopped: tell the VMM. */
static void sw_pv_note_event(void *opaque, int fd, uint32_t revents)
{
	struct sw_pvport *v = opaque;
	char msg[ATTACH_ERR_MAX];
	uint64_t cnt;

	if (read(fd, &cnt, sizeof(cnt)) < 0)
		return;
	if (atomic_load(&v->state) != SW_PV_ERROR)
		return;		/* reset or re-configured meanwhile */
	snprintf(msg, sizeof(msg), "pv backend stopped (error %d): %s",
		 v->error, v->why);
	log_guest_warn("%s: %s", v->port->name, msg);
	/* seq 0: unsolicited. The port stays, listed as broken. */
	sw_pv_send_error(v, 0, EPROTO, msg);
}

static void sw_pv_destroy(struct sw_port *p)
{
	struct sw_pvport *v = p->priv;

	if (v) {
		struct pv_backend_stats st;

		sw_pv_stats_total(v, &st);
		/* A guest that left behind: what it missed is told once. */
		log_info("%s: to the guest %llu frames, %llu with no buffer "
			 "posted; from it %llu", p->name,
			 (unsigned long long)st.rx_frames,
			 (unsigned long long)st.rx_no_buffer,
			 (unsigned long long)st.tx_frames);
		/* Retired from the data path already: no exec needed. */
		pv_backend_destroy(v->be_ctl);
		for (unsigned i = 0; i < v->nfds; i++)
			close(v->fds[i]);
		if (v->note_fd >= 0) {
			evloop_del_fd(v->sw->loop, v->note_fd);
			close(v->note_fd);
		}
		if (v->epfd >= 0)
			close(v->epfd);
		sw_guest_mem_unmap(&v->gm);
		sw_dirty_log_unmap(&v->log_ctl);
		free(v);
	}
	free(p);
}

/*
 * Never called today (a pv port has no broken op: a guest that breaks its
 * rings leaves the port listed as broken), but a pv port must only ever
 * go with its attach connection.
 */
static void sw_pv_disconnect(struct sw_port *p)
{
	sw_vmport_disconnect(p, "port broken");
}

static const struct sw_port_ops sw_pv_ops = {
	.kind = "pv",
	.rx_burst = sw_pv_rx,
	.tx_burst = sw_pv_tx,
	.wait_fd = sw_pv_wait_fd,
	.arm_wait = sw_pv_arm_wait,
	.json = sw_pv_json,
	.disconnect = sw_pv_disconnect,
	.attach_msg = sw_pv_attach_msg,
	.destroy = sw_pv_destroy,
};

int sw_pvport_create(struct sw *sw, int conn_fd, struct attach_msg *m,
		     struct sw_port *p, char *err, size_t errlen)
{
	struct sw_pvport *v = calloc(1, sizeof(*v));
	int ret;

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->sw = sw;
	v->port = p;
	v->conn_fd = conn_fd;
	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	v->note_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->epfd < 0 || v->note_fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	ret = sw_guest_mem_map(&v->gm, m, err, errlen);
	if (ret < 0)
		goto fail;
	v->one_fd = sw_guest_mem_one_fd(m);
	v->announce_owed = m->u.attach.flags & ATTACH_F_ANNOUNCE;
	ret = evloop_add_fd(sw->loop, v->note_fd, POLLIN, sw_pv_note_event, v);
	if (ret < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(-ret));
		goto fail;
	}
	/* The memfd itself is not needed once mapped (closed by caller). */
	p->priv = v;
	p->ops = &sw_pv_ops;
	/* No rings yet: nothing is switched to it until PV_CONFIG. */
	atomic_store(&p->link_up, false);
	atomic_store(&v->state, SW_PV_IDLE);
	return 0;
fail:
	if (v->note_fd >= 0)
		close(v->note_fd);
	if (v->epfd >= 0)
		close(v->epfd);
	sw_guest_mem_unmap(&v->gm);
	free(v);
	return ret;
}
