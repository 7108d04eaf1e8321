// SPDX-License-Identifier: MIT
/*
 * SR-IOV NICs hosted by the switch (`--sriov NAME:vfs=N`): the modelled
 * 82576 of sriov/ is the silicon, this file is its slot in the switch.
 *
 * The PF is a port of kind "sriov-pf" named after the NIC. Frames the
 * embedded switch (VEB) sends up to the PF come out of its rx_burst into
 * the vswitch's forwarding; frames the vswitch forwards to it go into the
 * VEB (sriov_pf_rx_burst), which hands them to the VF owning the
 * destination MAC or drops them (unknown unicast: counted in show-sriov,
 * not as the port's tx drops). The PF is a trunk of every VLAN with
 * native VLAN 1: a VF's untagged frames are VLAN 1 in the vswitch, the
 * frames of a VF with a port VLAN carry that VLAN. So a port VLAN of 1
 * (from an attach's vlan=1 or set-vf vlan=1) means none: the untagged
 * LAN is VLAN 1 already, as an emu or pv NIC's default access VLAN 1 is.
 * VF-to-VF frames never reach the vswitch. Each VF also has a
 * representor port (sw_vfrep.c).
 *
 * Polling and sleeping (sriov/README.md, "Waking an idle VF"). While the
 * forwarding thread is awake the PF port's poll op, first in the port's
 * turn, polls every VF (sriov_vf_poll: ~20 ns for an idle one), which
 * moves frames VF to VF inside the model and queues those for the PF, and
 * sends the interrupts moderation held (sriov_nic_poll_irqs). Before the
 * thread sleeps, arm_wait puts each VF to sleep (sriov_vf_sleep: its
 * IGBVF_POLL made even, then a last look at its tail) and arms a
 * timerfd for the next moderation deadline. From then on a driver that
 * posts frames rings its doorbell (EICS <- 0, which the VMM made a KVM
 * ioeventfd: no exit to userspace) and the thread, asleep in epoll on the
 * PF's wait fd (the doorbells, the unmask eventfds and the timerfd),
 * wakes. A guest's EIMS <- 1 << n (re-enabling a vector before it
 * sleeps) comes the same way when its VMM sent VF_UNMASK: applied before
 * the thread sleeps, each round for a vector with a cause waiting, and
 * before any trapped access of that VF; asleep, the thread is woken only
 * by unmasks of vectors with a cause waiting (sw_sriov_unmask_watch).
 * Every round the thread polls marks every VF busy again
 * (sriov_vf_resume), so a driver does not ring while the thread polls,
 * and rings once per sleep otherwise
 * (IGBVF_POLL is a new even value each sleep). The cost of an idle VF is
 * its share of one poll per round while the switch is awake, and
 * nothing while it sleeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <rte_mbuf.h>

#define LOG_SUBSYS "sriov"
#include "base/clock.h"
#include "base/efd.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "core/evloop.h"
#include "vswitch/sw_req.h"
#include "vswitch/sw_sriov.h"

_Static_assert(ATTACH_VF_VECTORS == IGBVF_MSIX_VECTORS,
	       "the attach protocol's irqfds are the VF's vectors");
_Static_assert(ATTACH_VF_SHARED_SIZE == sizeof(struct igbvf_shared),
	       "the shared memfd is BAR0's shared pages");
_Static_assert(ATTACH_VF_MAX == SRIOV_MAX_VFS, "VFs per NIC");

/* ---- the model's callbacks (forwarding thread) ---- */

/* The VEB sent a frame up: into the PF's receive queue. */
static void sw_sriov_pf_tx(void *opaque, const uint8_t *data, unsigned len)
{
	struct sw_sriov *s = opaque;
	struct rte_mbuf *m;
	char *dst;

	if (s->pfq_n == SW_SRIOV_PFQ) {
		s->pf_queue_full++;
		return;
	}
	m = rte_pktmbuf_alloc(s->sw->pool);
	if (!m) {
		s->pf->st.rx_nombuf++;
		return;
	}
	dst = len <= UINT16_MAX ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;
	if (!dst) {
		/* A jumbo frame from a VF: the vswitch carries no jumbos. */
		rte_pktmbuf_free(m);
		s->pf->st.drops[FWD_DROP_OVERSIZED]++;
		return;
	}
	memcpy(dst, data, len);
	s->pfq[(s->pfq_head + s->pfq_n++) % SW_SRIOV_PFQ] = m;
}

static void sw_sriov_vf_irq(void *opaque, unsigned vf, unsigned vector)
{
	struct sw_sriov *s = opaque;
	struct sw_vf *v = &s->vf[vf];
	uint64_t one = 1;
	int fd, ret;

	if (vf >= s->nvfs || vector >= ATTACH_VF_VECTORS)
		return;
	/* -1 once the VF is detached: a held interrupt has nowhere to go. */
	fd = v->irq_fd[vector];
	if (fd < 0)
		return;
	/*
	 * The VMM shares the irqfd and may make it blocking with a full
	 * count: efd_signal gives up on a stalled write. Such a VMM loses
	 * its VF (the control thread drops its connection); 0 means the
	 * count is saturated, an interrupt is pending anyway.
	 */
	ret = efd_signal(fd);
	if (ret >= 0) {
		v->irqs_sent++;
		return;
	}
	v->irqs_lost++;
	if (ret != -ETIMEDOUT || atomic_exchange(&v->stalled, true))
		return;
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++)
		v->irq_fd[k] = -1;
	if (write(s->note_fd, &one, sizeof(one)) < 0)
		log_warn("%s: note fd: %s", s->name, strerror(errno));
}

static void sw_sriov_pf_event(void *opaque, unsigned vf, enum sriov_event ev)
{
	static const char *const names[] = {
		[SRIOV_EV_VF_ERROR] = "error", [SRIOV_EV_VF_RESET] = "reset",
		[SRIOV_EV_VF_READY] = "ready", [SRIOV_EV_VF_CFG] = "config",
	};
	struct sw_sriov *s = opaque;

	/* The model logs errors itself (rate-limited); the rest is news. */
	if ((unsigned)ev < sizeof(names) / sizeof(*names))
		log_debug("%s: VF %u: %s", s->name, vf, names[ev]);
}

static void sw_sriov_vf_tap(void *opaque, unsigned vf, bool to_vf,
			    const uint8_t *data, unsigned len, bool strip)
{
	struct sw_sriov *s = opaque;

	if (vf < s->nvfs)
		sw_vfrep_tap(&s->vf[vf], to_vf, data, len, strip);
}

/* ---- the PF port (forwarding thread) ---- */

/* Every VF's tail, then held interrupts: VF-to-VF work happens here. */
static unsigned sw_sriov_poll(struct sw_port *p, uint64_t now_ns)
{
	struct sw_sriov *s = p->priv;
	unsigned work = 0, k;

	for (k = 0; k < s->nvfs; k++) {
		unsigned i = (s->rr + k) % s->nvfs;
		uint32_t held = sriov_vf_masked_causes(s->nic, i);

		/*
		 * A cause waits on a disabled vector: has the guest enabled
		 * it by eventfd meanwhile? Only in that state (a receiver
		 * between its interrupts), and not more often than every
		 * SW_SRIOV_UNMASK_NS: the reads are syscalls.
		 */
		if (held && now_ns >= s->vf[i].unmask_next_ns) {
			sw_sriov_unmasks(&s->vf[i], held);
			s->vf[i].unmask_next_ns = now_ns + SW_SRIOV_UNMASK_NS;
		}

		/*
		 * Room for a whole burst up to the PF, or this VF waits for
		 * the next round with its descriptors still posted: the PF
		 * port drains a burst a round, so a full queue pushes back
		 * on the guests' TX rings instead of dropping.
		 */
		if (SW_SRIOV_PFQ - s->pfq_n < SW_BURST)
			break;
		/* Awake means polled: back from a sleep, or from a sleep
		 * another port called off after arm_wait, the VF's driver
		 * has no doorbell to ring (each one a KVM exit). */
		sriov_vf_resume(s->nic, i);
		work += sriov_vf_poll(s->nic, i, SW_BURST, now_ns);
	}
	s->rr = (s->rr + 1) % s->nvfs;
	sriov_nic_poll_irqs(s->nic, now_ns);
	return work;
}

static unsigned sw_sriov_pf_rx(struct sw_port *p, struct rte_mbuf **pkts,
			       unsigned n)
{
	struct sw_sriov *s = p->priv;
	unsigned got = 0;

	while (got < n && s->pfq_n) {
		pkts[got++] = s->pfq[s->pfq_head];
		s->pfq_head = (s->pfq_head + 1) % SW_SRIOV_PFQ;
		s->pfq_n--;
	}
	return got;
}

/*
 * Into the VEB. Every frame is consumed: what no VF takes (unknown
 * unicast, a VF without buffers) the NIC counts, as a real PF's VEB does.
 */
static unsigned sw_sriov_pf_tx_burst(struct sw_port *p,
				     struct rte_mbuf **pkts, unsigned n)
{
	struct sw_sriov *s = p->priv;
	const uint8_t *frames[SW_BURST];
	uint16_t lens[SW_BURST];

	if (n > SW_BURST)
		n = SW_BURST;
	for (unsigned i = 0; i < n; i++) {
		frames[i] = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		lens[i] = rte_pktmbuf_data_len(pkts[i]);
	}
	sriov_pf_rx_burst(s->nic, frames, lens, n, clock_mono_ns());
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

static int sw_sriov_wait_fd(struct sw_port *p)
{
	struct sw_sriov *s = p->priv;

	return s->epfd;
}

/* One-shot at @at (CLOCK_MONOTONIC ns), or off for 0. */
static void sw_sriov_timer_set(struct sw_sriov *s, uint64_t at)
{
	struct itimerspec its = { 0 };

	if (at == s->timer_at)
		return;
	its.it_value.tv_sec = (time_t)(at / 1000000000ull);
	its.it_value.tv_nsec = (long)(at % 1000000000ull);
	if (timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("%s: moderation timer: %s", s->name, strerror(errno));
	else
		s->timer_at = at;
}

/*
 * Only the vectors in @held (a cause waiting while masked) wake the
 * sleeping thread when the guest unmasks them. Every cause is raised by
 * this thread, so while it sleeps no other vector gets one; its unmask
 * is applied by the next round that finds a cause held (sw_sriov_poll)
 * or the next sleep. Watching every unmask woke the thread (and its
 * SW_IDLE_NS of polling) at each receiver's re-arm that came after the
 * thread slept: wake-ups other than doorbells were 242-529 a second at
 * 700 kpps VF to VF, 100-265 with this (five runs each).
 */
static void sw_sriov_unmask_watch(struct sw_vf *v, uint32_t held)
{
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
		uint8_t bit = (uint8_t)(1u << k);
		bool want = (held & bit) != 0;
		int fd = v->unmask_fd[k], ret;

		if (fd < 0 || want == ((v->unmask_watched & bit) != 0))
			continue;
		ret = sw_sriov_watch(v, fd, want);
		if (!ret || ret == (want ? -EEXIST : -ENOENT))
			v->unmask_watched ^= bit;
	}
}

/*
 * Before the thread sleeps: doorbells rung meanwhile, every VF to sleep
 * (false from sriov_vf_sleep: a post slipped in), and the timer for the
 * next held interrupt. True if there is work now.
 */
static bool sw_sriov_arm_wait(struct sw_port *p)
{
	struct sw_sriov *s = p->priv;
	bool work = false;
	uint64_t cnt, now, at;

	if (read(s->timer_fd, &cnt, sizeof(cnt)) == sizeof(cnt))
		s->timer_at = 0;	/* it fired: one-shot, now off */
	for (unsigned i = 0; i < s->nvfs; i++) {
		struct sw_vf *v = &s->vf[i];

		/* efd_read: the VMM may have made the doorbell blocking. */
		if (v->doorbell_fd >= 0 && efd_read(v->doorbell_fd, NULL) > 0) {
			sriov_vf_kick(s->nic, i);
			s->doorbell_wakeups++;
			work = true;
		} else if (sriov_vf_busy(s->nic, i) &&
			   !sriov_vf_sleep(s->nic, i)) {
			work = true;
		}
		/* Drained before we sleep on them (applied, interrupts sent). */
		sw_sriov_unmasks(v, IGBVF_EICR_MASK);
	}
	now = clock_mono_ns();
	sriov_nic_poll_irqs(s->nic, now);
	for (unsigned i = 0; i < s->nvfs; i++)
		sw_sriov_unmask_watch(&s->vf[i],
				      sriov_vf_masked_causes(s->nic, i));
	at = sriov_nic_next_deadline(s->nic);
	if (at != UINT64_MAX && at <= now)
		return true;
	sw_sriov_timer_set(s, at == UINT64_MAX ? 0 : at);
	return work;
}

int sw_sriov_watch(struct sw_vf *v, int fd, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = v->idx };

	if (fd < 0)
		return 0;
	if (epoll_ctl(v->s->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd,
		      &ev) < 0)
		return -errno;
	return 0;
}

bool sw_sriov_unmasks(struct sw_vf *v, uint32_t mask)
{
	bool any = false;

	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
		int fd = v->unmask_fd[k];

		/* efd_read: the VMM may have made the eventfd blocking. */
		if (!(mask & (1u << k)) || fd < 0 || efd_read(fd, NULL) <= 0)
			continue;
		sriov_vf_reg_write(v->s->nic, v->idx, IGBVF_EIMS, 4, 1u << k,
				   clock_mono_ns());
		any = true;
	}
	return any;
}

static void sw_sriov_pf_json(struct sw_port *p, json_t *o)
{
	struct sw_sriov *s = p->priv;
	json_t *j = json_object();
	unsigned attached = 0;

	for (unsigned i = 0; i < s->nvfs; i++)
		attached += s->vf[i].bound;
	json_object_set_new(j, "nic", json_string(s->name));
	json_object_set_new(j, "vfs", json_integer(s->nvfs));
	json_object_set_new(j, "attached", json_integer(attached));
	json_object_set_new(j, "queue", json_integer(s->pfq_n));
	JSON_COUNTER(j, *s, pf_queue_full);
	JSON_COUNTER(j, *s, doorbell_wakeups);
	json_object_set_new(o, "sriov", j);
}

static void sw_sriov_pf_destroy(struct sw_port *p)
{
	struct sw_sriov *s = p->priv;

	/* Retired from the data path: the queue is ours now. */
	while (s->pfq_n) {
		rte_pktmbuf_free(s->pfq[s->pfq_head]);
		s->pfq_head = (s->pfq_head + 1) % SW_SRIOV_PFQ;
		s->pfq_n--;
	}
	s->pf = NULL;
	free(p);
}

static const struct sw_port_ops sw_sriov_pf_ops = {
	.kind = "sriov-pf",
	.poll = sw_sriov_poll,
	.rx_burst = sw_sriov_pf_rx,
	.tx_burst = sw_sriov_pf_tx_burst,
	.wait_fd = sw_sriov_wait_fd,
	.arm_wait = sw_sriov_arm_wait,
	.json = sw_sriov_pf_json,
	.destroy = sw_sriov_pf_destroy,
};

/* ---- show and set (forwarding thread, through sw_fwd_exec) ---- */

json_t *sw_sriov_json(struct sw_sriov *s)
{
	json_t *o = sriov_nic_show(s->nic);
	json_t *vfs = json_object_get(o, "vf"), *e;
	size_t i;

	json_object_set_new(o, "pf_port", json_string(s->name));
	json_array_foreach(vfs, i, e) {
		struct sw_vf *v = &s->vf[i];
		json_t *h = json_object();

		if (i >= s->nvfs)
			break;
		json_object_set_new(e, "representor",
				    json_string(v->rep ? v->rep->name : ""));
		json_object_set_new(e, "vm", v->bound && v->rep->vm[0]
				    ? json_string(v->rep->vm) : json_null());
		json_object_set_new(e, "client", v->bound
				    ? json_string(sw_vmport_client(v->rep))
				    : json_null());
		JSON_COUNTER(h, *v, attaches);
		JSON_COUNTER(h, *v, reg_reads);
		JSON_COUNTER(h, *v, reg_writes);
		JSON_COUNTER(h, *v, flrs);
		JSON_COUNTER(h, *v, irqs_sent);
		JSON_COUNTER(h, *v, irqs_lost);
		json_object_set_new(e, "host", h);
	}
	return o;
}

int sw_sriov_admin(struct sw_sriov *s, unsigned vf, int argc,
		   const char *const *argv, char *err, size_t errlen)
{
	const char *words[SW_VF_WORDS_MAX];

	if (argc < 0 || argc > SW_VF_WORDS_MAX) {
		snprintf(err, errlen, "too many settings");
		return -EINVAL;
	}
	/* "vlan 1" is the PF's native VLAN: the untagged LAN, vlan 0. */
	for (int i = 0; i < argc; i++)
		words[i] = i % 2 && !strcmp(argv[i - 1], "vlan") &&
			   !strcmp(argv[i], "1") ? "0" : argv[i];
	return sriov_vf_admin(s->nic, vf, argc, words, clock_mono_ns(), err,
			      errlen);
}

/* ---- life cycle (control thread) ---- */

/* The forwarding thread gave up on a VMM's irqfd: that VM loses its VF. */
static void sw_sriov_note_event(void *opaque, int fd, uint32_t revents)
{
	struct sw_sriov *s = opaque;
	uint64_t cnt;

	(void)revents;
	if (read(fd, &cnt, sizeof(cnt)) < 0)
		return;
	for (unsigned i = 0; i < s->nvfs; i++) {
		struct sw_vf *v = &s->vf[i];

		if (!v->bound || !atomic_load(&v->stalled))
			continue;
		log_guest_warn("%s: VF %u: its VMM stalled an interrupt write: "
			       "VF released", s->name, i);
		sw_vmport_disconnect(v->rep, "irqfd stalled the switch");
	}
}

struct sw_sriov *sw_sriov_find(struct sw *sw, const char *name)
{
	for (unsigned i = 0; i < sw->nsriovs; i++)
		if (!strcmp(sw->sriovs[i]->name, name))
			return sw->sriovs[i];
	return NULL;
}

const char *sw_sriov_name(const struct sw_sriov *s)
{
	return s->name;
}

static void sw_sriov_free(struct sw_sriov *s)
{
	if (s->note_fd >= 0) {
		evloop_del_fd(s->sw->loop, s->note_fd);
		close(s->note_fd);
	}
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	sriov_nic_destroy(s->nic);
	free(s);
}

int sw_sriov_port_add(struct sw_sriov *s, const char *name,
		      const struct sw_port_ops *ops, void *priv,
		      const struct vlan_port_cfg *vlan, bool link,
		      struct sw_port **out, char *err, size_t errlen)
{
	struct sw *sw = s->sw;
	struct sw_port *p;
	int id, ret;

	if ((ret = sw_name_free(sw, name, err, errlen)) < 0)
		return ret;
	id = sw_port_alloc_id(sw);
	if (id < 0) {
		snprintf(err, errlen, "switch full (%d ports)", SW_MAX_PORTS);
		return id;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->sw = sw;
	p->id = (unsigned)id;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ops = ops;
	p->priv = priv;
	p->vlan = *vlan;
	p->admin_up = true;
	atomic_store(&p->link_up, link);
	ret = sw_port_add(sw, p);
	if (ret < 0) {
		snprintf(err, errlen, "port %s: %s", name, strerror(-ret));
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

/* The PF's port: a trunk of every VLAN, native VLAN 1. */
static int sw_sriov_pf_add(struct sw_sriov *s, char *err, size_t errlen)
{
	struct vlan_port_cfg trunk;

	if (sw_vlan_parse("trunk:native=1", &trunk) < 0) {
		snprintf(err, errlen, "PF VLANs");
		return -EINVAL;
	}
	return sw_sriov_port_add(s, s->name, &sw_sriov_pf_ops, s, &trunk, true,
				 &s->pf, err, errlen);
}

int sw_sriov_add(struct sw *sw, const struct sw_sriov_spec *spec,
		 char *err, size_t errlen)
{
	static const struct sriov_nic_ops ops = {
		.pf_tx = sw_sriov_pf_tx,
		.vf_irq = sw_sriov_vf_irq,
		.pf_event = sw_sriov_pf_event,
		.vf_tap = sw_sriov_vf_tap,
	};
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
	struct sw_sriov *s;
	int ret;

	if (sw->nsriovs == SW_SRIOV_MAX) {
		snprintf(err, errlen, "at most %d SR-IOV NICs", SW_SRIOV_MAX);
		return -ENOSPC;
	}
	if (sw_sriov_find(sw, spec->name)) {
		snprintf(err, errlen, "SR-IOV NIC %s exists", spec->name);
		return -EEXIST;
	}
	if (sw_name_check("SR-IOV NIC name", spec->name, err, errlen) < 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->sw = sw;
	s->nvfs = spec->nvfs;
	snprintf(s->name, sizeof(s->name), "%s", spec->name);
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_NONBLOCK | TFD_CLOEXEC);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->note_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	for (unsigned i = 0; i < SRIOV_MAX_VFS; i++) {
		struct sw_vf *v = &s->vf[i];

		v->s = s;
		v->idx = i;
		v->conn_fd = v->doorbell_fd = -1;
		for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++)
			v->irq_fd[k] = v->unmask_fd[k] = v->own_unmask[k] = -1;
		for (unsigned k = 0; k <= ATTACH_VF_VECTORS; k++)
			v->own_fds[k] = -1;
	}
	s->nic = sriov_nic_create(spec->name, spec->nvfs, &ops, s);
	if (!s->nic || s->timer_fd < 0 || s->epfd < 0 || s->note_fd < 0 ||
	    epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->timer_fd, &ev) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s", strerror(errno));
		if (s->note_fd >= 0)
			close(s->note_fd);
		s->note_fd = -1;
		sw_sriov_free(s);
		return ret;
	}
	ret = evloop_add_fd(sw->loop, s->note_fd, POLLIN, sw_sriov_note_event,
			    s);
	if (ret < 0) {
		snprintf(err, errlen, "event loop: %s", strerror(-ret));
		close(s->note_fd);
		s->note_fd = -1;
		sw_sriov_free(s);
		return ret;
	}
	ret = sw_sriov_pf_add(s, err, errlen);
	for (unsigned i = 0; ret == 0 && i < s->nvfs; i++)
		ret = sw_vfrep_create(s, i, err, errlen);
	if (ret < 0) {
		for (unsigned i = 0; i < s->nvfs; i++)
			if (s->vf[i].rep)
				sw_port_remove(sw, s->vf[i].rep,
					       "SR-IOV NIC not made");
		if (s->pf)
			sw_port_remove(sw, s->pf, "SR-IOV NIC not made");
		sw_sriov_free(s);
		return ret;
	}
	sw->sriovs[sw->nsriovs++] = s;
	log_info("SR-IOV NIC %s: PF port %s (id %u), %u VFs", s->name,
		 s->pf->name, s->pf->id, s->nvfs);
	return 0;
}

void sw_sriov_fini(struct sw *sw)
{
	for (unsigned i = 0; i < sw->nsriovs; i++)
		sw_sriov_free(sw->sriovs[i]);
	sw->nsriovs = 0;
}
