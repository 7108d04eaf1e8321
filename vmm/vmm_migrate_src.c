// SPDX-License-Identifier: MIT
/*
 * Live migration, the source's control side (vmm_migrate.h): the
 * control commands, the status, calls the migration thread makes on the
 * loop thread, and auto-converge's throttle thread. The migration itself
 * is vmm_migrate_out.c.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define LOG_SUBSYS "migrate"
#include "base/clock.h"
#include "base/log.h"
#include "core/dirty_log.h"
#include "core/evloop.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "vmm/vmm_migrate.h"
#include "vmm/vmm_migrate_priv.h"

static const char *const mig_state_names[] = {
	[MIG_NONE] = "none", [MIG_SETUP] = "setup", [MIG_ACTIVE] = "active",
	[MIG_SWITCHOVER] = "switchover", [MIG_COMPLETED] = "completed",
	[MIG_FAILED] = "failed", [MIG_CANCELLED] = "cancelled",
};

/* One VM per process: one migration at a time. */
struct mig_out mig_out = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.call_cond = PTHREAD_COND_INITIALIZER,
	.call_fd = -1,
	.fd = -1,
};

static bool mig_busy(enum mig_out_state st)
{
	return st == MIG_SETUP || st == MIG_ACTIVE || st == MIG_SWITCHOVER;
}

void mig_set_state(struct mig_out *m, enum mig_out_state st)
{
	pthread_mutex_lock(&m->lock);
	m->state = st;
	pthread_mutex_unlock(&m->lock);
}

void mig_error(struct mig_out *m, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&m->lock);
	if (!m->error[0]) {
		va_start(ap, fmt);
		vsnprintf(m->error, sizeof(m->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&m->lock);
}

/* ---- calls on the loop thread ---- */

static void mig_call_ready(void *opaque, int fd, uint32_t revents)
{
	struct mig_out *m = opaque;
	int (*fn)(struct mig_out *m) = NULL;
	uint64_t n;
	int ret;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
	pthread_mutex_lock(&m->lock);
	if (m->call_state == CALL_PENDING) {
		fn = m->call_fn;
		m->call_state = CALL_RUNNING;
	}
	pthread_mutex_unlock(&m->lock);
	if (!fn)
		return;
	ret = fn(m);
	pthread_mutex_lock(&m->lock);
	m->call_ret = ret;
	m->call_state = CALL_DONE;
	pthread_cond_broadcast(&m->call_cond);
	pthread_mutex_unlock(&m->lock);
}

int mig_call_on_loop(struct mig_out *m, int (*fn)(struct mig_out *m))
{
	const uint64_t one = 1;
	int ret;

	pthread_mutex_lock(&m->lock);
	m->call_fn = fn;
	m->call_state = CALL_PENDING;
	pthread_mutex_unlock(&m->lock);
	if (write(m->call_fd, &one, sizeof(one)) < 0)
		return -errno;
	pthread_mutex_lock(&m->lock);
	while (m->call_state != CALL_DONE) {
		struct timespec ts;

		if (m->call_state == CALL_PENDING &&
		    atomic_load(&m->vmm->exiting)) {
			m->call_state = CALL_IDLE;
			pthread_mutex_unlock(&m->lock);
			return -ECANCELED;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&m->call_cond, &m->lock, &ts);
	}
	m->call_state = CALL_IDLE;
	ret = m->call_ret;
	pthread_mutex_unlock(&m->lock);
	return ret;
}

/* ---- auto-converge ---- */

void mig_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Hold the vCPUs for throttle_pct of every period. */
static void *mig_throttle_thread(void *arg)
{
	struct mig_out *m = arg;

	while (!m->throttle_stop) {
		unsigned pct, held;

		pthread_mutex_lock(&m->lock);
		pct = m->throttle_pct;
		pthread_mutex_unlock(&m->lock);
		held = MIG_THROTTLE_PERIOD_MS * pct / 100;
		vmm_hold(m->vmm);
		mig_sleep_ms(held);
		vmm_release(m->vmm);
		mig_sleep_ms(MIG_THROTTLE_PERIOD_MS - held);
	}
	return NULL;
}

void mig_throttle_raise(struct mig_out *m)
{
	unsigned pct;

	pthread_mutex_lock(&m->lock);
	pct = m->throttle_pct ? m->throttle_pct + MIG_THROTTLE_STEP
			      : MIG_THROTTLE_INITIAL;
	if (pct > MIG_THROTTLE_MAX)
		pct = MIG_THROTTLE_MAX;
	if (pct == m->throttle_pct) {
		pthread_mutex_unlock(&m->lock);
		return;
	}
	m->throttle_pct = pct;
	pthread_mutex_unlock(&m->lock);
	log_info("dirty pages do not shrink: auto-converge holds the guest "
		 "%u%% of the time", pct);
	if (m->throttle_live)
		return;
	m->throttle_stop = false;
	if (pthread_create(&m->throttle, NULL, mig_throttle_thread, m) == 0)
		m->throttle_live = true;
	else
		log_warn("cannot start the throttle thread");
}

void mig_throttle_stop(struct mig_out *m)
{
	if (!m->throttle_live)
		return;
	m->throttle_stop = true;
	pthread_join(m->throttle, NULL);
	m->throttle_live = false;
}

/* ---- control commands (loop thread) ---- */

int vmm_migrate_start(struct vmm *vmm, const struct vmm_migrate_params *p,
		      char *err, size_t len)
{
	struct mig_out *m = &mig_out;
	char host[96], port[16];
	uint64_t npages;

	pthread_mutex_lock(&m->lock);
	if (mig_busy(m->state)) {
		pthread_mutex_unlock(&m->lock);
		snprintf(err, len, "a migration is already running");
		return -EBUSY;
	}
	pthread_mutex_unlock(&m->lock);
	if (m->thread_live) {
		pthread_join(m->thread, NULL);
		m->thread_live = false;
	}
	if (vmm_migrate_parse_addr(p->to, host, sizeof(host), port,
				   sizeof(port)) < 0) {
		snprintf(err, len, "\"to\" must be tcp:HOST:PORT");
		return -EINVAL;
	}
	if (!vmm->dirty) {
		snprintf(err, len, "this VM has no dirty log");
		return -ENOTSUP;
	}
	for (struct vdev *vd = vmm->devices; vd; vd = vd->next)
		if (!vd->ops->save || !vd->ops->load) {
			snprintf(err, len, "device %s (%s) cannot be migrated",
				 vd->id, vd->ops->name);
			return -ENOTSUP;
		}
	if (mig_vf_check(vmm, err, len) < 0)
		return -ENOTSUP;
	if (m->call_fd < 0) {
		m->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (m->call_fd < 0 ||
		    evloop_add_fd(vmm->loop, m->call_fd, POLLIN,
				  mig_call_ready, m) < 0) {
			snprintf(err, len, "cannot set up: %s",
				 strerror(errno));
			if (m->call_fd >= 0)
				close(m->call_fd);
			m->call_fd = -1;
			return -EIO;
		}
	}
	npages = dirty_log_pages(vmm->dirty);
	m->bitmap = calloc((npages + 63) / 64, sizeof(uint64_t));
	if (!m->bitmap) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_lock(&m->lock);
	m->vmm = vmm;
	m->params = *p;
	m->cancel = false;
	m->state = MIG_SETUP;
	m->error[0] = '\0';
	m->round = 0;
	m->dirty_pages = m->unsent = m->expected_downtime_ms = 0;
	m->bytes_per_ms = 0;
	m->throttle_pct = 0;
	m->start_ms = clock_mono_ms();
	m->end_ms = m->downtime_us = 0;
	m->vf_unplugged = false;
	m->vf_count = m->vf_unacked = 0;
	m->vf_ack_us = m->vf_unplug_us = 0;
	memset(&m->ram, 0, sizeof(m->ram));
	m->drain_ns = 0;
	m->drain_bpms = 0;
	memset(&m->s, 0, sizeof(m->s));
	pthread_mutex_unlock(&m->lock);
	if (pthread_create(&m->thread, NULL, mig_thread, m)) {
		free(m->bitmap);
		m->bitmap = NULL;
		mig_set_state(m, MIG_FAILED);
		snprintf(err, len, "cannot start the migration thread");
		return -EAGAIN;
	}
	m->thread_live = true;
	log_info("migrating to %s (downtime budget %u ms, at most %u s)",
		 p->to, p->downtime_ms, p->max_s);
	return 0;
}

json_t *vmm_migrate_status(struct vmm *vmm)
{
	struct mig_out *m = &mig_out;
	json_t *o = json_object();
	uint64_t now = clock_mono_ms();

	(void)vmm;
	pthread_mutex_lock(&m->lock);
	json_object_set_new(o, "state", json_string(mig_state_names[m->state]));
	if (m->state != MIG_NONE) {
		uint64_t end = m->end_ms ? m->end_ms : now;
		/* The migration thread adds to these as it sends. */
		uint64_t pages = __atomic_load_n(&m->ram.pages,
						 __ATOMIC_RELAXED);
		uint64_t zero = __atomic_load_n(&m->ram.zero_pages,
						__ATOMIC_RELAXED);
		uint64_t bytes = __atomic_load_n(&m->s.bytes, __ATOMIC_RELAXED);

		json_object_set_new(o, "to", json_string(m->params.to));
		json_object_set_new(o, "downtime_budget_ms",
				    json_integer(m->params.downtime_ms));
		json_object_set_new(o, "max_s", json_integer(m->params.max_s));
		json_object_set_new(o, "rounds", json_integer(m->round));
		json_object_set_new(o, "pages", json_integer(pages));
		json_object_set_new(o, "zero_pages", json_integer(zero));
		json_object_set_new(o, "bytes", json_integer(bytes));
		json_object_set_new(o, "dirty_pages",
				    json_integer(m->dirty_pages));
		json_object_set_new(o, "unsent_bytes", json_integer(m->unsent));
		json_object_set_new(o, "bandwidth_mbps",
				    json_integer((json_int_t)(m->bytes_per_ms *
							      8 / 1000)));
		json_object_set_new(o, "expected_downtime_ms",
				    json_integer(m->expected_downtime_ms));
		json_object_set_new(o, "throttle_pct",
				    json_integer(m->throttle_pct));
		json_object_set_new(o, "auto_converge",
				    json_boolean(m->throttle_pct > 0));
		json_object_set_new(o, "total_ms",
				    json_integer(end - m->start_ms));
		if (m->downtime_us)
			json_object_set_new(o, "downtime_ms",
					    json_real((double)m->downtime_us /
						      1000));
		if (m->vf_count) {
			json_object_set_new(o, "vfs", json_integer(m->vf_count));
			json_object_set_new(o, "vf_ack_ms",
					    json_real((double)m->vf_ack_us /
						      1000));
			json_object_set_new(o, "vf_unacked",
					    json_integer(m->vf_unacked));
			json_object_set_new(o, "vf_unplug_ms",
					    json_real((double)m->vf_unplug_us /
						      1000));
		}
		if (m->error[0])
			json_object_set_new(o, "error", json_string(m->error));
	}
	pthread_mutex_unlock(&m->lock);
	return o;
}

int vmm_migrate_cancel(struct vmm *vmm)
{
	struct mig_out *m = &mig_out;
	int ret = -ENOENT;

	(void)vmm;
	pthread_mutex_lock(&m->lock);
	if (mig_busy(m->state)) {
		m->cancel = true;
		ret = 0;
	}
	pthread_mutex_unlock(&m->lock);
	if (ret == 0)
		log_info("migration cancel requested");
	return ret;
}

void vmm_migrate_shutdown(struct vmm *vmm)
{
	struct mig_out *m = &mig_out;

	(void)vmm;
	if (!m->thread_live)
		return;
	m->cancel = true;
	pthread_join(m->thread, NULL);
	m->thread_live = false;
}
