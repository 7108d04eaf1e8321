// SPDX-License-Identifier: MIT
/*
 * The forwarding thread: a run-to-completion loop over the live ports.
 *
 * Each round: run the control thread's pending requests (sw_fwd_exec), then
 * for every port let it do its own work (poll: an SR-IOV NIC moves frames
 * VF to VF there), receive a burst, decide each frame (fwd_decide), copy it to
 * each egress port after the first (the last one takes the original mbuf),
 * retag for the egress port's VLAN mode and queue it; then flush every
 * port's queue with one tx burst.
 *
 * Sleeping: on a 2-core machine shared with vCPUs the thread must not spin
 * when there is nothing to do. After SW_IDLE_NS without a packet it arms
 * every waitable port (pktchan_arm_wait: "kick me on the next frame", then
 * a re-check) and sleeps in epoll on those ports' eventfds and its own
 * wake-up eventfd. Ports without a wake-up fd (af_packet and most other
 * ethdevs have no rx interrupt) are polled: the sleep then lasts at most
 * SW_UPLINK_POLL_MS, which also runs the bonds' rx/tx often enough for
 * LACP (802.3ad wants a burst at least every 100 ms). --poll never sleeps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#define LOG_SUBSYS "fwd"
#include "base/clock.h"
#include "base/log.h"
#include "vswitch/sw.h"

#define SW_IDLE_NS		(200 * 1000ull)	/* poll this long after work */
#define SW_UPLINK_POLL_MS	1		/* sleep bound, ethdev ports */
#define SW_IDLE_MAX_MS		1000		/* sleep bound otherwise */
#define SW_AGE_PERIOD_NS	(1000 * 1000 * 1000ull)
#define SW_EPOLL_TAG_WAKE	UINT64_MAX

struct sw_exec_req {
	int (*fn)(struct sw *sw, void *arg);
	void *arg;
	int ret;
	bool done;
	struct sw_exec_req *next;
};

struct sw_fwd {
	/* Requests from the control thread. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct sw_exec_req *head, *tail;
	int wake_fd;
	atomic_bool stop;
	atomic_bool running;
	pthread_t tid;			/* the forwarding thread, once up */
	bool on_lcore;
	unsigned lcore;
	pthread_t thread;		/* when not on an lcore */

	/* Forwarding thread only. */
	int epfd;
	struct sw_port *live[SW_MAX_PORTS];
	unsigned nlive;
	struct sw_port *by_id[SW_MAX_PORTS];
	unsigned npolled;		/* live ports without a wait fd */
	uint64_t next_age_ns;
	struct sw_fwd_stats st;
};

/* ---- the request handshake ---- */

int sw_fwd_exec(struct sw *sw, int (*fn)(struct sw *sw, void *arg),
		void *arg)
{
	struct sw_fwd *f = sw->fwd;
	struct sw_exec_req req = { .fn = fn, .arg = arg };
	uint64_t one = 1;

	if (!f || !atomic_load(&f->running) ||
	    pthread_equal(pthread_self(), f->tid))
		return fn(sw, arg);
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->next = &req;
	else
		f->head = &req;
	f->tail = &req;
	pthread_mutex_unlock(&f->lock);
	if (write(f->wake_fd, &one, sizeof(one)) < 0)
		log_warn("wake-up write failed: %s", strerror(errno));
	pthread_mutex_lock(&f->lock);
	while (!req.done)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	return req.ret;
}

/* Forwarding thread: run every pending request. */
static void sw_fwd_run_execs(struct sw *sw)
{
	struct sw_fwd *f = sw->fwd;
	struct sw_exec_req *r, *next;

	/* A racy peek is fine: a request queued after it also wrote wake_fd. */
	if (!__atomic_load_n(&f->head, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&f->lock);
	r = f->head;
	f->head = f->tail = NULL;
	pthread_mutex_unlock(&f->lock);
	for (; r; r = next) {
		int ret = r->fn(sw, r->arg);

		f->st.execs++;
		pthread_mutex_lock(&f->lock);
		next = r->next;
		r->ret = ret;
		r->done = true;	/* @r may vanish once this is seen */
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
	}
}

/* ---- ports joining and leaving ---- */

int sw_fwd_port_attach(struct sw *sw, struct sw_port *p)
{
	struct sw_fwd *f = sw->fwd;
	struct fwd_port fp = {
		.present = true,
		.up = p->admin_up && atomic_load(&p->link_up),
		.learn = true,
		.vlan = p->vlan,
	};
	int fd = p->ops->wait_fd ? p->ops->wait_fd(p) : -1;
	int ret;

	ret = fwd_port_set(&sw->table, p->id, &fp);
	if (ret < 0)
		return ret;
	if (fd >= 0) {
		struct epoll_event ev = {
			.events = EPOLLIN,
			.data.u64 = p->id,
		};

		if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			ret = -errno;
			fwd_port_remove(&sw->table, p->id);
			return ret;
		}
	} else if (p->ops->rx_burst) {
		f->npolled++;
	}
	f->live[f->nlive++] = p;
	f->by_id[p->id] = p;
	return 0;
}

void sw_fwd_port_detach(struct sw *sw, struct sw_port *p)
{
	struct sw_fwd *f = sw->fwd;
	int fd = p->ops->wait_fd ? p->ops->wait_fd(p) : -1;
	unsigned i;

	for (i = 0; i < f->nlive; i++)
		if (f->live[i] == p)
			break;
	if (i == f->nlive)
		return;
	f->live[i] = f->live[--f->nlive];
	f->by_id[p->id] = NULL;
	if (fd >= 0)
		epoll_ctl(f->epfd, EPOLL_CTL_DEL, fd, NULL);
	else if (p->ops->rx_burst)
		f->npolled--;
	rte_pktmbuf_free_bulk(p->txq, p->txq_n);
	p->txq_n = 0;
	if (p->cap) {
		sw_capture_close(p->cap, "port removed");
		p->cap = NULL;
	}
	fwd_port_remove(&sw->table, p->id);
	sw_announce_forget_port(sw, p->id);
}

/* ---- transmit ---- */

static void sw_fwd_flush_port(struct sw *sw, struct sw_port *p)
{
	uint32_t lens[SW_BURST];
	unsigned n = p->txq_n, sent, i;

	if (!n && !p->tx_always)
		return;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = p->txq[i];

		lens[i] = rte_pktmbuf_data_len(m);
		if (p->cap)
			sw_capture_packet(p->cap, SW_CAP_TX,
					  rte_pktmbuf_mtod(m, const uint8_t *),
					  lens[i]);
	}
	sent = p->ops->tx_burst(p, p->txq, n);
	for (i = 0; i < sent; i++)
		p->st.tx_bytes += lens[i];
	p->st.tx_packets += sent;
	if (sent < n) {
		p->st.tx_drops += n - sent;
		rte_pktmbuf_free_bulk(p->txq + sent, n - sent);
	}
	p->txq_n = 0;
}

void sw_fwd_flush(struct sw *sw)
{
	struct sw_fwd *f = sw->fwd;

	for (unsigned i = 0; i < f->nlive; i++)
		sw_fwd_flush_port(sw, f->live[i]);
}

void sw_fwd_tx_one(struct sw *sw, struct sw_port *p, struct rte_mbuf *m)
{
	if (p->txq_n == SW_BURST)
		sw_fwd_flush_port(sw, p);
	p->txq[p->txq_n++] = m;
}

/* ---- receive and decide ---- */

/* Give @m the egress shape for @out; false (and @m freed) on failure. */
static bool sw_fwd_retag(struct sw_port *out, struct rte_mbuf *m, bool tag,
			 uint16_t vid)
{
	unsigned len = rte_pktmbuf_data_len(m);
	unsigned cap = len + rte_pktmbuf_tailroom(m);

	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

	/* A tag taken off a 60-byte frame leaves it short: pad it again. */
	if (vlan_retag(d, cap, &len, tag, vid) < 0 ||
	    frame_pad(d, cap, &len) < 0) {
		out->st.tx_drops++;
		rte_pktmbuf_free(m);
		return false;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return true;
}

static void sw_fwd_egress(struct sw *sw, struct rte_mbuf *m,
			  const struct fwd_result *r)
{
	struct sw_fwd *f = sw->fwd;
	uint64_t mask = r->out_mask;
	bool consumed = false;

	while (mask) {
		unsigned o = (unsigned)__builtin_ctzll(mask);
		struct sw_port *out;
		struct rte_mbuf *c;
		int tag;

		mask &= mask - 1;
		out = o < SW_MAX_PORTS ? f->by_id[o] : NULL;
		if (!out || atomic_load_explicit(&out->dead,
						 memory_order_relaxed))
			continue;
		tag = vlan_egress_tagged(&sw->table.ports[o].vlan, r->vid);
		if (tag < 0)
			continue;
		if (!mask) {
			c = m;
			consumed = true;
		} else {
			/* A flood: each port gets its own copy to retag. */
			c = rte_pktmbuf_copy(m, sw->pool, 0, UINT32_MAX);
			if (!c) {
				out->st.tx_drops++;
				continue;
			}
		}
		if ((r->in_tagged || tag) && !sw_fwd_retag(out, c, tag, r->vid))
			continue;
		sw_fwd_tx_one(sw, out, c);
	}
	if (!consumed)
		rte_pktmbuf_free(m);
}

/* Is this an ARP frame (maybe tagged)? Cheap test before the snoop. */
static bool sw_fwd_is_arp(const uint8_t *d, unsigned len)
{
	if (len < 14)
		return false;
	if (d[12] == 0x08 && d[13] == 0x06)
		return true;
	return len >= 18 && d[12] == 0x81 && d[13] == 0x00 && d[16] == 0x08 &&
	       d[17] == 0x06;
}

/*
 * A frame shorter than the 802.3 minimum (VMs and veth do not pad) is
 * padded once here, whatever kind of port it came from, so no port ever
 * sends a runt. False if the mbuf has no room (then it is a runt).
 */
static bool sw_fwd_pad(struct sw_port *p, struct rte_mbuf *m)
{
	unsigned len = rte_pktmbuf_data_len(m);

	if (frame_pad(rte_pktmbuf_mtod(m, uint8_t *),
		      len + rte_pktmbuf_tailroom(m), &len) < 0)
		return false;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	p->st.rx_padded++;
	return true;
}

static unsigned sw_fwd_port_rx(struct sw *sw, struct sw_port *p,
			       uint64_t now)
{
	struct rte_mbuf *pkts[SW_BURST];
	unsigned n, i;

	if (!p->ops->rx_burst)
		return 0;	/* a port that never receives */
	n = p->ops->rx_burst(p, pkts, SW_BURST);
	if (p->ops->broken && p->ops->broken(p)) {
		uint64_t one = 1;

		/* The control thread reaps it; stop touching it now. */
		atomic_store(&p->dead, true);
		rte_pktmbuf_free_bulk(pkts, n);
		if (write(sw->reap_fd, &one, sizeof(one)) < 0)
			log_warn("reap wake-up failed: %s", strerror(errno));
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct fwd_result r;
		const uint8_t *d;
		unsigned len;

		if (m->nb_segs > 1 && rte_pktmbuf_linearize(m) < 0) {
			p->st.rx_packets++;
			p->st.rx_bytes += rte_pktmbuf_pkt_len(m);
			p->st.drops[FWD_DROP_OVERSIZED]++;
			rte_pktmbuf_free(m);
			continue;
		}
		d = rte_pktmbuf_mtod(m, const uint8_t *);
		len = rte_pktmbuf_data_len(m);
		p->st.rx_packets++;
		p->st.rx_bytes += len;
		if (p->cap)
			sw_capture_packet(p->cap, SW_CAP_RX, d, len);
		fwd_decide(&sw->table, p->id, d, len, now, &r);
		if (r.drop != FWD_DROP_NONE) {
			if ((unsigned)r.drop < FWD_DROP_REASONS)
				p->st.drops[r.drop]++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (sw_fwd_is_arp(d, len))
			sw_announce_snoop(sw, d, len, r.vid);
		if (len < ETH_ZLEN && !sw_fwd_pad(p, m)) {
			p->st.drops[FWD_DROP_RUNT]++;
			rte_pktmbuf_free(m);
			continue;
		}
		sw_fwd_egress(sw, m, &r);
	}
	return n;
}

/* ---- sleeping ---- */

static void sw_fwd_sleep(struct sw *sw, uint64_t now)
{
	struct sw_fwd *f = sw->fwd;
	struct epoll_event evs[16];
	uint64_t until_ns;
	int timeout_ms, n;

	for (unsigned i = 0; i < f->nlive; i++) {
		struct sw_port *p = f->live[i];

		if (p->ops->arm_wait && !atomic_load(&p->dead) &&
		    p->ops->arm_wait(p))
			return;		/* a frame slipped in: no sleep */
	}
	if (f->npolled) {
		timeout_ms = SW_UPLINK_POLL_MS;
	} else {
		until_ns = f->next_age_ns > now ? f->next_age_ns - now : 0;
		if (sw_announce_next_ns(sw, now) < until_ns)
			until_ns = sw_announce_next_ns(sw, now);
		timeout_ms = (int)((until_ns + 999999) / 1000000);
		if (timeout_ms > SW_IDLE_MAX_MS)
			timeout_ms = SW_IDLE_MAX_MS;
	}
	f->st.sleeps++;
	n = epoll_wait(f->epfd, evs, 16, timeout_ms);
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u64 == SW_EPOLL_TAG_WAKE) {
			uint64_t v;

			if (read(f->wake_fd, &v, sizeof(v)) < 0 &&
			    errno != EAGAIN)
				log_warn("wake fd: %s", strerror(errno));
		} else {
			/* Ports' eventfds are drained by their arm_wait. */
			f->st.wakeups_by_fd++;
		}
	}
	f->st.idle_ns += clock_mono_ns() - now;
}

/* ---- the loop ---- */

static int sw_fwd_main(void *arg)
{
	struct sw *sw = arg;
	struct sw_fwd *f = sw->fwd;
	uint64_t last_work = clock_mono_ns();
	bool idle = false;

	f->tid = pthread_self();
	log_info("forwarding on lcore %d, %s", (int)rte_lcore_id(),
		 sw->opts.poll ? "busy-polling" : "sleeping when idle");
	while (!atomic_load_explicit(&f->stop, memory_order_relaxed)) {
		uint64_t now = clock_mono_ns();
		unsigned work = 0;

		sw_fwd_run_execs(sw);
		f->st.loops++;
		for (unsigned i = 0; i < f->nlive; i++) {
			struct sw_port *p = f->live[i];

			if (atomic_load_explicit(&p->dead,
						 memory_order_relaxed))
				continue;
			if (p->ops->poll)
				work += p->ops->poll(p, now);
			work += sw_fwd_port_rx(sw, p, now);
		}
		sw_fwd_flush(sw);
		if (now >= f->next_age_ns) {
			fdb_age(sw->table.fdb, now);
			f->next_age_ns = now + SW_AGE_PERIOD_NS;
		}
		sw_announce_tick(sw, now);
		if (work) {
			last_work = now;
			idle = false;
		} else if (!sw->opts.poll &&
			   (idle || now - last_work > SW_IDLE_NS)) {
			/*
			 * Once asleep, a wake-up that finds nothing (an
			 * uplink poll timeout) sleeps again at once instead
			 * of spinning another SW_IDLE_NS.
			 */
			idle = true;
			sw_fwd_sleep(sw, now);
		}
	}
	/* Requests that raced with stop still get an answer. */
	atomic_store(&f->running, false);
	sw_fwd_run_execs(sw);
	return 0;
}

static void *sw_fwd_pthread(void *arg)
{
	sw_fwd_main(arg);
	return NULL;
}

int sw_fwd_start(struct sw *sw)
{
	struct sw_fwd *f = calloc(1, sizeof(*f));
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = SW_EPOLL_TAG_WAKE };
	unsigned lcore;
	int ret;

	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->wake_fd < 0 || f->epfd < 0 ||
	    epoll_ctl(f->epfd, EPOLL_CTL_ADD, f->wake_fd, &ev) < 0) {
		ret = -errno;
		goto fail;
	}
	f->next_age_ns = clock_mono_ns() + SW_AGE_PERIOD_NS;
	sw->fwd = f;
	/*
	 * From here sw_fwd_exec() queues for the thread (which drains the
	 * queue first thing) instead of running inline: no window where
	 * both threads touch the data path.
	 */
	atomic_store(&f->running, true);

	/* Ports created before the thread runs are attached inline. */
	lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	if (lcore < RTE_MAX_LCORE) {
		f->on_lcore = true;
		f->lcore = lcore;
		ret = -rte_eal_remote_launch(sw_fwd_main, sw, lcore);
		if (ret)
			f->on_lcore = false;
	}
	if (!f->on_lcore) {
		/* One lcore only: a plain thread on the main one's CPUs. */
		ret = -pthread_create(&f->thread, NULL, sw_fwd_pthread, sw);
		if (ret) {
			atomic_store(&f->running, false);
			sw->fwd = NULL;
			goto fail;
		}
	}
	return 0;
fail:
	if (f->wake_fd >= 0)
		close(f->wake_fd);
	if (f->epfd >= 0)
		close(f->epfd);
	free(f);
	return ret;
}

void sw_fwd_stop(struct sw *sw)
{
	struct sw_fwd *f = sw->fwd;
	uint64_t one = 1;

	if (!f)
		return;
	atomic_store(&f->stop, true);
	if (write(f->wake_fd, &one, sizeof(one)) < 0)
		log_warn("wake-up write failed: %s", strerror(errno));
	if (f->on_lcore)
		rte_eal_wait_lcore(f->lcore);
	else
		pthread_join(f->thread, NULL);
	/*
	 * The thread is gone: what is left is torn down inline by the
	 * caller (sw_fwd_exec runs functions directly from now on). The
	 * struct stays until sw_fwd_free so ports can still detach.
	 */
}

void sw_fwd_free(struct sw *sw)
{
	struct sw_fwd *f = sw->fwd;

	if (!f)
		return;
	close(f->wake_fd);
	close(f->epfd);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
	sw->fwd = NULL;
}

void sw_fwd_get_stats(struct sw *sw, struct sw_fwd_stats *st)
{
	*st = sw->fwd->st;
	st->polling = sw->opts.poll;
}
