// SPDX-License-Identifier: MIT
/*
 * Live migration, the source's migration thread (vmm_migrate.h): the
 * pre-copy rounds run here while the VM runs on; the switch-over runs on
 * the event loop's thread (mig_call_on_loop), so no loop callback (a
 * 21140 timer, a frame from the switch, a control command) touches a
 * device between its state being saved and the VMM exiting or resuming.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_SUBSYS "migrate"
#include "base/clock.h"
#include "base/log.h"
#include "core/dirty_log.h"
#include "core/migrate_ram.h"
#include "core/migrate_stream.h"
#include "core/nic_port.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "cpu/vcpu_state.h"
#include "vmm/vmm_migrate.h"
#include "vmm/vmm_migrate_priv.h"

/* ---- the switch-over, on the loop thread ---- */

static int mig_send_vcpus(struct mig_out *m)
{
	struct vmm *vmm = m->vmm;
	struct kvm_vm_state vst;
	struct vcpu_state *st = malloc(sizeof(*st));
	int ret;

	if (!st)
		return -ENOMEM;
	ret = kvm_vm_state_save(vmm->kvm, &vst);
	if (ret == 0)
		ret = mig_section_send(&m->s, MIG_SEC_VM, &vst, sizeof(vst),
				       NULL, 0);
	for (unsigned i = 0; i < vmm->ncpus && ret == 0; i++) {
		uint32_t idx[2] = { i, 0 };

		ret = vcpu_state_save(vmm->vcpus[i], st);
		if (ret == 0)
			ret = mig_section_send(&m->s, MIG_SEC_VCPU, idx,
					       sizeof(idx), st, sizeof(*st));
	}
	free(st);
	if (ret)
		mig_error(m, "vCPU state: %s", m->s.err[0] ? m->s.err
							    : strerror(-ret));
	return ret;
}

/* The platform's and every device's state, taken before the last pages. */
struct mig_saved {
	unsigned n;
	struct mig_dev_id id[MIG_MAX_DEVICES + 1];
	struct vdev_state_writer w[MIG_MAX_DEVICES + 1];
};

static void mig_saved_free(struct mig_saved *sv)
{
	for (unsigned i = 0; i < sv->n; i++)
		vdev_state_writer_free(&sv->w[i]);
	free(sv);
}

/*
 * Device state is taken before the last pages are collected: the VM is
 * still (vCPUs held, the loop busy here), so nothing changes between the
 * two, and saving may mark pages dirty (the pv NIC: what its backend in
 * the switch may have written, pv_dev.c), which the last pages then
 * carry. Entry 0 is the PCI host.
 */
static int mig_save_devices(struct mig_out *m, struct mig_saved **out)
{
	struct mig_saved *sv = calloc(1, sizeof(*sv));
	int ret;

	if (!sv)
		return -ENOMEM;
	vdev_state_writer_init(&sv->w[0]);
	ret = pci_host_save(m->vmm->pci, &sv->w[0]);
	sv->n = 1;
	for (struct vdev *vd = m->vmm->devices; vd && ret == 0;
	     vd = vd->next) {
		struct mig_dev_id *id = &sv->id[sv->n];

		if (sv->n > MIG_MAX_DEVICES) {
			ret = -E2BIG;
			break;
		}
		snprintf(id->id, sizeof(id->id), "%s", vd->id);
		snprintf(id->model, sizeof(id->model), "%s", vd->ops->name);
		vdev_state_writer_init(&sv->w[sv->n]);
		ret = vdev_state_save(vd, &sv->w[sv->n++]);
		if (ret)
			mig_error(m, "device %s: cannot save its state: %s",
				  vd->id, strerror(-ret));
	}
	if (ret) {
		mig_saved_free(sv);
		return ret;
	}
	*out = sv;
	return 0;
}

static int mig_send_devices(struct mig_out *m, const struct mig_saved *sv)
{
	int ret = mig_section_send(&m->s, MIG_SEC_PLATFORM, sv->w[0].buf,
				   sv->w[0].len, NULL, 0);

	for (unsigned i = 1; i < sv->n && ret == 0; i++)
		ret = mig_section_send(&m->s, MIG_SEC_DEVICE, &sv->id[i],
				       sizeof(sv->id[i]), sv->w[i].buf,
				       sv->w[i].len);
	return ret;
}

/*
 * The switch writes guest RAM too (a pv backend's receive), through its
 * own mapping: KVM does not see it. A switch that logs those writes
 * (DIRTY_LOG, nic_port_dirty_log_all at the start) has marked them in
 * the shared log by now: it stopped writing at the detach. For one that
 * did not, all of RAM goes again, while the vCPUs are held.
 */
static void mig_cover_switch_writes(struct mig_out *m)
{
	const struct guest_mem *gm = &m->vmm->mem;

	if (nic_port_dirty_logged(m->vmm))
		return;
	log_info("the switch does not log its writes to guest RAM: the last "
		 "round sends all of RAM");
	for (unsigned i = 0; i < gm->nregions; i++)
		vmm_dirty_mark(m->vmm, gm->regions[i].gpa,
			       gm->regions[i].size);
}

/* The last pages, the state, END; then the destination's answer. */
static int mig_send_final(struct mig_out *m)
{
	struct mig_end end = { 0 };
	struct mig_saved *sv = NULL;
	char msg[MIG_REPLY_MSG];
	int64_t n;
	int ret, status = 0;

	uint64_t t0 = clock_mono_us(), t1, t2, t3;

	ret = mig_save_devices(m, &sv);
	if (ret)
		return ret;
	mig_cover_switch_writes(m);
	t1 = clock_mono_us();
	n = dirty_log_collect(m->vmm->dirty, m->bitmap);
	if (n < 0) {
		mig_saved_free(sv);
		return (int)n;
	}
	/* The last round's pages and what came since: all go now. */
	n = 0;
	for (uint64_t w = 0; w < (dirty_log_pages(m->vmm->dirty) + 63) / 64;
	     w++)
		n += __builtin_popcountll(m->bitmap[w]);
	pthread_mutex_lock(&m->lock);
	m->dirty_pages = (uint64_t)n;
	pthread_mutex_unlock(&m->lock);
	ret = mig_ram_send(&m->s, &m->vmm->mem, m->bitmap, &m->ram);
	if (ret == 0)
		ret = mig_send_vcpus(m);
	if (ret == 0)
		ret = mig_send_devices(m, sv);
	mig_saved_free(sv);
	if (ret == 0) {
		end.sections = m->s.seq;
		end.flags = atomic_load(&m->vmm->paused) ? MIG_END_PAUSED : 0;
		ret = mig_section_send(&m->s, MIG_SEC_END, &end, sizeof(end),
				       NULL, 0);
	}
	if (ret)
		return ret;
	t2 = clock_mono_us();
	ret = mig_reply_recv(m->fd, MIG_REPLY_TIMEOUT_MS, &status, msg,
			     sizeof(msg));
	if (ret) {
		mig_error(m, "no answer from the destination: %s",
			  ret == -ECONNRESET ? "connection closed"
					     : strerror(-ret));
		return ret;
	}
	if (status) {
		mig_error(m, "the destination refused the VM: %s", msg);
		return status;
	}
	t3 = clock_mono_us();
	log_info("switch-over: %llu pages; devices saved in %.1f ms, last "
		 "pages and state sent in %.1f ms, the destination answered "
		 "after %.1f ms", (unsigned long long)n,
		 (double)(t1 - t0) / 1000, (double)(t2 - t1) / 1000,
		 (double)(t3 - t2) / 1000);
	return 0;
}

static int mig_switchover(struct mig_out *m)
{
	struct vmm *vmm = m->vmm;
	uint64_t t0 = clock_mono_us();
	int ret;

	/* Each vCPU finishes a pending I/O exit, then parks. */
	vmm_hold(vmm);
	/* Off the switch first: the destination attaches the same MAC. */
	nic_port_detach_all(vmm);
	ret = mig_send_final(m);
	pthread_mutex_lock(&m->lock);
	m->downtime_us = clock_mono_us() - t0;
	pthread_mutex_unlock(&m->lock);
	if (ret == 0) {
		dirty_log_stop(vmm->dirty);
		mig_set_state(m, MIG_COMPLETED);
		vmm_request_exit(vmm, 0, "migrated to %s", m->params.to);
		return 0;
	}
	/* Nothing happened as far as the guest can tell. */
	nic_port_attach_all(vmm);
	vmm_release(vmm);
	return ret;
}

/* ---- pre-copy, on the migration thread ---- */

static int mig_connect(struct mig_out *m)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL, *ai;
	char host[96], port[16];
	int fd = -1, ret;

	if (vmm_migrate_parse_addr(m->params.to, host, sizeof(host), port,
				   sizeof(port)) < 0)
		return -EINVAL;
	ret = getaddrinfo(host, port, &hints, &res);
	if (ret) {
		mig_error(m, "%s: %s", m->params.to, gai_strerror(ret));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t sl = sizeof(ret);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
			    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0)
			continue;
		vmm_migrate_sockopts(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		ret = -errno;
		if (errno == EINPROGRESS) {
			pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
			if (poll(&pfd, 1, MIG_CONNECT_TIMEOUT_MS) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &ret,
				       &sl) == 0 && ret == 0)
				break;
			ret = ret > 0 ? -ret : -ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		mig_error(m, "cannot connect to %s: %s", m->params.to,
			  strerror(ret < 0 ? -ret : EHOSTUNREACH));
		return ret < 0 ? ret : -EHOSTUNREACH;
	}
	m->fd = fd;
	return 0;
}

static int mig_send_header(struct mig_out *m)
{
	struct mig_header h;
	int ret = vmm_migrate_header(m->vmm, &h);

	if (ret == 0)
		ret = mig_header_send(&m->s, &h);
	return ret;
}

/* One round: what the bitmap names; then the next round's bitmap. */
static int mig_drain(struct mig_out *m);

static int mig_round(struct mig_out *m, int64_t *dirty)
{
	struct mig_round rd;
	int ret;

	ret = mig_ram_send(&m->s, &m->vmm->mem, m->bitmap, &m->ram);
	pthread_mutex_lock(&m->lock);
	m->round++;
	rd = (struct mig_round){ .round = m->round,
				 .pages = m->ram.pages };
	pthread_mutex_unlock(&m->lock);
	if (ret)
		return ret;
	ret = mig_section_send(&m->s, MIG_SEC_ROUND, &rd, sizeof(rd), NULL,
			       0);
	if (ret == 0)
		ret = mig_drain(m);
	if (ret)
		return ret;
	*dirty = dirty_log_collect(m->vmm->dirty, m->bitmap);
	return *dirty < 0 ? (int)*dirty : 0;
}

/* Bytes sent but still in our socket's send queue. */
static uint64_t mig_unsent(struct mig_out *m)
{
	int unsent = 0;

	if (ioctl(m->fd, SIOCOUTQ, &unsent) < 0 || unsent < 0)
		return 0;
	return (uint64_t)unsent;
}

/*
 * The rate the destination takes the stream at: what was delivered (sent
 * minus still queued: socket buffers hide megabytes) over the time the
 * link held us up, blocked in a send or waiting for the queue to drain.
 * Not over the wall clock: scanning RAM (mostly zero pages, a few bytes
 * each) would make a fast link look slow and a nearly idle guest never
 * fit its budget. A link that never made us wait reads as fast, which
 * it then is.
 */
static double mig_rate(struct mig_out *m, uint64_t unsent)
{
	uint64_t bytes = __atomic_load_n(&m->s.bytes, __ATOMIC_RELAXED);
	uint64_t ns = __atomic_load_n(&m->s.send_ns, __ATOMIC_RELAXED) +
		      m->drain_ns;
	double bpms;

	if (unsent > bytes)
		unsent = bytes;
	bpms = (double)(bytes - unsent) * 1e6 / (double)(ns ? ns : 1);
	/* What went straight into buffers says nothing of the link: the
	 * queue's own pace, once seen, bounds the estimate. */
	if (m->drain_bpms > 0 && m->drain_bpms < bpms)
		bpms = m->drain_bpms;
	return bpms < 1 ? 1 : bpms;
}

/*
 * While we wait on the queue: the destination says nothing before the
 * END, so anything to read is its hang-up (a closed connection also
 * empties the queue, which would read as "delivered").
 */
static int mig_peer_gone(struct mig_out *m)
{
	struct pollfd p = { .fd = m->fd, .events = POLLIN | POLLRDHUP };

	if (poll(&p, 1, 0) <= 0 || !p.revents)
		return 0;
	snprintf(m->s.err, sizeof(m->s.err), "the connection closed while "
		 "round %u was being delivered", m->round);
	return -ECONNRESET;
}

/* How long the queue is watched before its pace counts. */
#define MIG_DRAIN_LOOK_NS	1000000ull

/*
 * A round is over when what it sent has mostly been delivered: until
 * what is still queued could go in half the downtime budget. Otherwise
 * rounds would follow each other as fast as the socket takes bytes,
 * each finding the few pages written during the last, while the queue
 * (and the real downtime) stays seconds long.
 */
static int mig_drain(struct mig_out *m)
{
	uint64_t t0 = clock_mono_ns(), start = t0;
	uint64_t first = mig_unsent(m);
	int ret = 0;

	for (;;) {
		uint64_t unsent = mig_unsent(m), now = clock_mono_ns();
		/*
		 * Never on the first look alone: a small stream can sit
		 * whole in the socket buffers of a slow link, sent "at
		 * once"; how fast the queue shrinks is the link's rate.
		 */
		bool looked = now - start >= MIG_DRAIN_LOOK_NS;

		m->drain_ns += now - t0;
		t0 = now;
		if (looked)
			m->drain_bpms = unsent < first ?
				(double)(first - unsent) * 1e6 /
				(double)(now - start) : 1;
		if (unsent == 0 ||
		    (looked && (double)unsent <=
		     mig_rate(m, unsent) * m->params.downtime_ms / 2))
			break;
		if (m->cancel) {
			ret = -ECANCELED;
			break;
		}
		if (m->s.deadline_ms && clock_mono_ms() >= m->s.deadline_ms) {
			ret = -ETIME;
			break;
		}
		ret = mig_peer_gone(m);
		if (ret)
			break;
		mig_sleep_ms(2);
	}
	return ret;
}

/* What the switch-over would cost now: the dirty pages and the queue. */
static uint64_t mig_expected_ms(struct mig_out *m, int64_t dirty)
{
	uint64_t unsent = mig_unsent(m);
	double bpms = mig_rate(m, unsent);

	pthread_mutex_lock(&m->lock);
	m->unsent = unsent;
	m->bytes_per_ms = bpms;
	m->dirty_pages = (uint64_t)dirty;
	m->expected_downtime_ms =
		(uint64_t)(((double)dirty * MIG_PAGE_SIZE + (double)unsent) /
			   bpms) + MIG_FIXED_COST_MS;
	pthread_mutex_unlock(&m->lock);
	return m->expected_downtime_ms;
}

/*
 * Rounds until what is dirty fits the budget at the bandwidth seen so
 * far. 0: switch over now; -errno: give up.
 */
static int mig_precopy(struct mig_out *m)
{
	uint64_t npages = dirty_log_pages(m->vmm->dirty);
	uint64_t deadline = m->start_ms + 1000ull * m->params.max_s;
	int64_t dirty = 0, prev = -1;
	unsigned stuck = 0;
	int ret;

	/* Round 1 is all of RAM; the log catches what changes meanwhile. */
	for (uint64_t w = 0; w < (npages + 63) / 64; w++)
		m->bitmap[w] = ~0ull;
	if (npages % 64)
		m->bitmap[npages / 64] = (1ull << (npages % 64)) - 1;
	for (;;) {
		uint64_t expected;

		ret = mig_round(m, &dirty);
		if (ret == -ETIME)
			mig_error(m, "did not finish within %u s (round %u "
				  "still sending)", m->params.max_s, m->round);
		if (ret)
			return ret;
		expected = mig_expected_ms(m, dirty);
		if (expected <= m->params.downtime_ms)
			return 0;
		if (clock_mono_ms() >= deadline) {
			mig_error(m, "did not converge within %u s (%lld pages "
				  "still dirty, %llu ms expected downtime)",
				  m->params.max_s, (long long)dirty,
				  (unsigned long long)expected);
			return -ETIMEDOUT;
		}
		/* Auto-converge: two rounds in a row without shrinking. */
		stuck = prev > 0 && dirty * 10 >= prev * 9 ? stuck + 1 : 0;
		if (stuck >= 2) {
			mig_throttle_raise(m);
			stuck = 0;
		}
		prev = dirty;
	}
}

static void mig_finish(struct mig_out *m, int ret)
{
	struct vmm *vmm = m->vmm;

	mig_throttle_stop(m);
	if (ret) {
		nic_port_dirty_log_all(vmm, -1, 0);
		dirty_log_stop(vmm->dirty);
		if (!m->error[0] && m->s.err[0])
			mig_error(m, "%s%s", ret == -ECONNRESET ||
				  ret == -EPIPE ? "the destination went away: "
						: "", m->s.err);
		else if (!m->error[0])
			mig_error(m, "%s", strerror(-ret));
		pthread_mutex_lock(&m->lock);
		m->state = m->cancel ? MIG_CANCELLED : MIG_FAILED;
		pthread_mutex_unlock(&m->lock);
		log_warn("migration to %s %s: %s; the VM runs on here",
			 m->params.to, m->cancel ? "cancelled" : "failed",
			 m->error);
		/* The VM goes back to its VFs here. */
		mig_vf_replug(m);
	} else {
		char vf[96] = "";

		if (m->vf_count)
			snprintf(vf, sizeof(vf), "; %u VF(s) unplugged in "
				 "%.1f ms, the guest acknowledged after %.1f "
				 "ms%s", m->vf_count,
				 (double)m->vf_unplug_us / 1000,
				 (double)m->vf_ack_us / 1000,
				 m->vf_unacked ? " (not all did)" : "");
		log_info("migrated to %s in %llu ms: %u rounds, %llu pages "
			 "(%llu zero), %llu bytes, downtime %.1f ms%s%s",
			 m->params.to,
			 (unsigned long long)(clock_mono_ms() - m->start_ms),
			 m->round, (unsigned long long)m->ram.pages,
			 (unsigned long long)m->ram.zero_pages,
			 (unsigned long long)m->s.bytes,
			 (double)m->downtime_us / 1000,
			 m->throttle_pct ? ", auto-converge used" : "", vf);
	}
	pthread_mutex_lock(&m->lock);
	m->end_ms = clock_mono_ms();
	pthread_mutex_unlock(&m->lock);
	mig_stream_free(&m->s);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
	free(m->bitmap);
	m->bitmap = NULL;
}

/*
 * Before round 1 copies all of RAM: every switch that writes guest RAM
 * logs its writes from its answer on, so none is missed in between.
 */
static void mig_switch_log_start(struct mig_out *m)
{
	struct dirty_log *dl = m->vmm->dirty;
	int missing;

	missing = nic_port_dirty_log_all(m->vmm, dirty_log_fd(dl),
					 dirty_log_shm_size(
						 dirty_log_pages(dl)));
	if (missing)
		log_info("%d NIC(s) on a switch that does not log its writes "
			 "to guest RAM: the last round will send all of RAM",
			 missing);
}

void *mig_thread(void *arg)
{
	struct mig_out *m = arg;
	int ret;

	ret = mig_connect(m);
	if (ret == 0)
		ret = mig_stream_init(&m->s, m->fd, MIG_IO_TIMEOUT_MS,
				      &m->cancel);
	if (ret == 0)
		ret = mig_send_header(m);
	/*
	 * The VFs leave before round 1 (the standby design): from the
	 * switch's acknowledgement of the detach no VF DMA writes guest
	 * RAM, so no VF needs a dirty log (the SR-IOV NIC keeps none), and
	 * the guest's traffic is on its standby pv NIC while RAM is copied.
	 */
	if (ret == 0)
		ret = mig_vf_unplug(m);
	if (ret == 0)
		ret = dirty_log_start(m->vmm->dirty);
	if (ret == 0)
		mig_switch_log_start(m);
	if (ret == 0) {
		mig_set_state(m, MIG_ACTIVE);
		/* max_s bounds the rounds, not the switch-over. */
		m->s.deadline_ms = m->start_ms + 1000ull * m->params.max_s;
		ret = mig_precopy(m);
		m->s.deadline_ms = 0;
	}
	mig_throttle_stop(m);
	if (ret == 0 && m->cancel)
		ret = -ECANCELED;
	if (ret == 0) {
		mig_set_state(m, MIG_SWITCHOVER);
		ret = mig_call_on_loop(m, mig_switchover);
	}
	/* A refusal comes with a reason: fetch it if the stream broke. */
	if (ret && ret != -ECANCELED && m->fd >= 0 && !m->error[0]) {
		char msg[MIG_REPLY_MSG];
		int status;

		if (mig_reply_recv(m->fd, 500, &status, msg,
				   sizeof(msg)) == 0 && status)
			mig_error(m, "the destination refused the VM: %s", msg);
	}
	mig_finish(m, ret);
	return NULL;
}
