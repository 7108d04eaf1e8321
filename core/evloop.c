// SPDX-License-Identifier: MIT
/*
 * The event loop on io_uring. Every source is a file descriptor watched by
 * one multishot poll: user fds as given, timers as timerfds, and one
 * eventfd that evloop_stop() writes to wake the loop.
 *
 * Sources live in a table; a poll's user_data is (generation << 32 | slot).
 * Freeing a slot bumps its generation, so a CQE that was already on its way
 * for a removed source (or for a new source that took its slot) no longer
 * matches and is dropped. That is what lets callbacks remove any source,
 * themselves included, at any time.
 *
 * Multishot poll reports wake-ups, not levels: a callback gets one call per
 * wake-up of its fd and must consume what made it ready (read an eventfd,
 * read or accept until EAGAIN). A wake-up that happens while it runs gives
 * another call, so nothing is lost.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <fcntl.h>
#include <unistd.h>

#include <liburing.h>

#define LOG_SUBSYS "evloop"
#include "base/log.h"
#include "core/evloop.h"

#define EVLOOP_RING_ENTRIES	256
#define EVLOOP_UD_IGNORE	0	/* poll_remove completions */

enum ev_kind {
	EV_FREE,
	EV_FD,		/* a caller's fd */
	EV_TIMER,	/* our timerfd */
	EV_WAKE,	/* our eventfd for evloop_stop() */
};

struct ev_source {
	enum ev_kind kind;
	uint32_t gen;		/* never 0, so no user_data is 0 */
	bool armed;		/* a poll for this generation is in flight */
	int fd;
	uint32_t events;
	bool periodic;
	int64_t timer_id;
	evloop_fd_fn fd_fn;
	evloop_timer_fn timer_fn;
	void *opaque;
};

struct evloop {
	struct io_uring ring;
	struct ev_source *src;
	unsigned nsrc;
	int wake_fd;
	int64_t next_timer_id;
	/* Written by evloop_stop() from any thread or a signal handler. */
	atomic_bool stop;
};

static uint64_t ev_user_data(const struct evloop *loop, unsigned idx)
{
	return (uint64_t)loop->src[idx].gen << 32 | idx;
}

/* A free SQE, flushing the queue to the kernel if it is full. */
static struct io_uring_sqe *ev_get_sqe(struct evloop *loop)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);

	if (!sqe) {
		io_uring_submit(&loop->ring);
		sqe = io_uring_get_sqe(&loop->ring);
	}
	return sqe;
}

/*
 * Submit at once rather than at the next loop turn: after evloop_del_fd()
 * the caller may close its fd, and the poll_remove should already be in.
 */
static int ev_submit(struct evloop *loop)
{
	int ret;

	do
		ret = io_uring_submit(&loop->ring);
	while (ret == -EINTR);
	return ret < 0 ? ret : 0;
}

static int ev_arm(struct evloop *loop, unsigned idx)
{
	struct ev_source *s = &loop->src[idx];
	struct io_uring_sqe *sqe = ev_get_sqe(loop);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_multishot(sqe, s->fd, s->events);
	io_uring_sqe_set_data64(sqe, ev_user_data(loop, idx));
	s->armed = true;
	return ev_submit(loop);
}

/* A free slot (growing the table), or -ENOMEM. */
static int ev_slot_alloc(struct evloop *loop)
{
	struct ev_source *grown;
	unsigned i, n;

	for (i = 0; i < loop->nsrc; i++)
		if (loop->src[i].kind == EV_FREE)
			return (int)i;

	n = loop->nsrc ? loop->nsrc * 2 : 16;
	grown = realloc(loop->src, n * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	for (i = loop->nsrc; i < n; i++)
		grown[i] = (struct ev_source){ .kind = EV_FREE, .gen = 1,
					       .fd = -1 };
	loop->src = grown;
	i = loop->nsrc;
	loop->nsrc = n;
	return (int)i;
}

/*
 * Forget a source: cancel its poll, close our own fds, and move the slot to
 * a new generation so its in-flight CQEs are dropped.
 */
static void ev_slot_release(struct evloop *loop, unsigned idx)
{
	struct ev_source *s = &loop->src[idx];

	if (s->armed) {
		struct io_uring_sqe *sqe = ev_get_sqe(loop);

		if (sqe) {
			io_uring_prep_poll_remove(sqe,
						  ev_user_data(loop, idx));
			io_uring_sqe_set_data64(sqe, EVLOOP_UD_IGNORE);
			if (ev_submit(loop) < 0)
				log_warn("poll_remove of fd %d not submitted",
					 s->fd);
		} else {
			/* Harmless: its CQEs no longer match a source. */
			log_warn("no SQE to cancel the poll on fd %d", s->fd);
		}
	}
	if (s->kind == EV_TIMER || s->kind == EV_WAKE)
		close(s->fd);
	s->kind = EV_FREE;
	s->armed = false;
	s->fd = -1;
	s->fd_fn = NULL;
	s->timer_fn = NULL;
	s->opaque = NULL;
	if (++s->gen == 0)
		s->gen = 1;
}

/* Fill a fresh slot and arm it. Returns the slot or -errno. */
static int ev_source_add(struct evloop *loop, const struct ev_source *tmpl)
{
	int idx = ev_slot_alloc(loop);
	uint32_t gen;
	int ret;

	if (idx < 0)
		return idx;
	gen = loop->src[idx].gen;
	loop->src[idx] = *tmpl;
	loop->src[idx].gen = gen;
	loop->src[idx].armed = false;
	ret = ev_arm(loop, (unsigned)idx);
	if (ret < 0) {
		ev_slot_release(loop, (unsigned)idx);
		return ret;
	}
	return idx;
}

struct evloop *evloop_create(void)
{
	struct evloop *loop = calloc(1, sizeof(*loop));
	struct ev_source wake = { .kind = EV_WAKE, .events = POLLIN };
	int ret;

	if (!loop)
		return NULL;
	loop->wake_fd = -1;
	loop->next_timer_id = 1;
	atomic_init(&loop->stop, false);
	ret = io_uring_queue_init(EVLOOP_RING_ENTRIES, &loop->ring, 0);
	if (ret < 0) {
		free(loop);
		errno = -ret;
		return NULL;
	}
	wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (wake.fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = ev_source_add(loop, &wake);
	if (ret < 0)
		goto fail;	/* the slot release closed the eventfd */
	loop->wake_fd = wake.fd;
	return loop;

fail:
	io_uring_queue_exit(&loop->ring);
	free(loop->src);
	free(loop);
	errno = -ret;
	return NULL;
}

void evloop_destroy(struct evloop *loop)
{
	unsigned i;

	if (!loop)
		return;
	/* Tearing down the ring cancels every poll still armed. */
	io_uring_queue_exit(&loop->ring);
	for (i = 0; i < loop->nsrc; i++)
		if (loop->src[i].kind == EV_TIMER ||
		    loop->src[i].kind == EV_WAKE)
			close(loop->src[i].fd);
	free(loop->src);
	free(loop);
}

static int ev_find_fd(const struct evloop *loop, int fd)
{
	unsigned i;

	for (i = 0; i < loop->nsrc; i++)
		if (loop->src[i].kind == EV_FD && loop->src[i].fd == fd)
			return (int)i;
	return -ENOENT;
}

int evloop_add_fd(struct evloop *loop, int fd, uint32_t events,
		  evloop_fd_fn fn, void *opaque)
{
	struct ev_source s = {
		.kind = EV_FD, .fd = fd, .events = events,
		.fd_fn = fn, .opaque = opaque,
	};
	int ret;

	if (!loop || fd < 0 || !fn)
		return -EINVAL;
	/* Catch a bad fd now rather than as an error CQE later. */
	if (fcntl(fd, F_GETFD) < 0)
		return -errno;
	if (ev_find_fd(loop, fd) >= 0)
		return -EEXIST;
	ret = ev_source_add(loop, &s);
	return ret < 0 ? ret : 0;
}

int evloop_del_fd(struct evloop *loop, int fd)
{
	int idx;

	if (!loop)
		return -EINVAL;
	idx = ev_find_fd(loop, fd);
	if (idx < 0)
		return idx;
	ev_slot_release(loop, (unsigned)idx);
	return 0;
}

int64_t evloop_add_timer(struct evloop *loop, uint64_t ns, bool periodic,
			 evloop_timer_fn fn, void *opaque)
{
	struct itimerspec its = { 0 };
	struct ev_source s = {
		.kind = EV_TIMER, .events = POLLIN, .periodic = periodic,
		.timer_fn = fn, .opaque = opaque,
	};
	int ret;

	if (!loop || !fn || (periodic && ns == 0))
		return -EINVAL;
	/* An all-zero it_value disarms a timerfd: "now" is 1 ns. */
	if (ns == 0)
		ns = 1;
	its.it_value.tv_sec = (time_t)(ns / 1000000000u);
	its.it_value.tv_nsec = (long)(ns % 1000000000u);
	if (periodic)
		its.it_interval = its.it_value;

	s.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s.fd < 0)
		return -errno;
	if (timerfd_settime(s.fd, 0, &its, NULL) < 0) {
		ret = -errno;
		close(s.fd);
		return ret;
	}
	s.timer_id = loop->next_timer_id++;
	ret = ev_source_add(loop, &s);
	if (ret < 0)
		return ret;	/* the slot release closed the timerfd */
	return s.timer_id;
}

int evloop_del_timer(struct evloop *loop, int64_t id)
{
	unsigned i;

	if (!loop || id <= 0)
		return -EINVAL;
	for (i = 0; i < loop->nsrc; i++) {
		if (loop->src[i].kind == EV_TIMER &&
		    loop->src[i].timer_id == id) {
			ev_slot_release(loop, i);
			return 0;
		}
	}
	return -ENOENT;
}

/* Still the same source as when the CQE was posted? */
static bool ev_slot_live(const struct evloop *loop, unsigned idx,
			 uint32_t gen)
{
	return idx < loop->nsrc && loop->src[idx].kind != EV_FREE &&
	       loop->src[idx].gen == gen;
}

/* Drain a timerfd or eventfd; false if nothing was there (spurious). */
static bool ev_drain_counter(int fd)
{
	uint64_t n;

	return read(fd, &n, sizeof(n)) == (ssize_t)sizeof(n);
}

static void ev_dispatch_timer(struct evloop *loop, unsigned idx)
{
	struct ev_source *s = &loop->src[idx];
	evloop_timer_fn fn = s->timer_fn;
	void *opaque = s->opaque;

	/* Expirations missed while the loop was busy are coalesced. */
	if (!ev_drain_counter(s->fd))
		return;
	/* A one-shot timer is gone before its callback runs. */
	if (!s->periodic)
		ev_slot_release(loop, idx);
	fn(opaque);
}

static void ev_dispatch(struct evloop *loop, uint64_t ud, int32_t res,
			uint32_t flags)
{
	unsigned idx = (unsigned)(ud & 0xffffffffu);
	uint32_t gen = (uint32_t)(ud >> 32);
	struct ev_source *s;

	if (ud == EVLOOP_UD_IGNORE || !ev_slot_live(loop, idx, gen))
		return;	/* a removed source: stale */
	s = &loop->src[idx];
	if (!(flags & IORING_CQE_F_MORE))
		s->armed = false;

	if (res < 0) {
		/*
		 * The poll itself failed (the fd was closed under us, say).
		 * Leave it disarmed; an fd owner hears POLLERR so it can
		 * clean up, our own sources are only logged.
		 */
		log_warn("poll on fd %d failed: %s", s->fd, strerror(-res));
		if (s->kind == EV_FD)
			s->fd_fn(s->opaque, s->fd, POLLERR);
		return;
	}

	switch (s->kind) {
	case EV_FD:
		/* s may move (table growth) or be freed by the callback. */
		s->fd_fn(s->opaque, s->fd, (uint32_t)res);
		break;
	case EV_TIMER:
		ev_dispatch_timer(loop, idx);
		break;
	case EV_WAKE:
		ev_drain_counter(s->fd);
		break;
	case EV_FREE:
		break;
	}

	/*
	 * The kernel ends a multishot poll on its own at times (CQ overflow,
	 * for one); a source that is still there gets a new poll.
	 */
	if (ev_slot_live(loop, idx, gen) && !loop->src[idx].armed) {
		int ret = ev_arm(loop, idx);

		log_debug("fd %d: multishot poll ended, re-armed",
			  loop->src[idx].fd);
		if (ret < 0)
			log_err("cannot re-arm fd %d: %s", loop->src[idx].fd,
				strerror(-ret));
	}
}

int evloop_run(struct evloop *loop)
{
	int err = 0;

	if (!loop)
		return -EINVAL;
	while (!atomic_load(&loop->stop)) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_submit_and_wait(&loop->ring, 1);

		/*
		 * -EBUSY/-EAGAIN: the CQ is full or the kernel is short of
		 * memory; reaping below makes room.
		 */
		if (ret < 0 && ret != -EINTR && ret != -EBUSY &&
		    ret != -EAGAIN) {
			log_err("io_uring wait: %s", strerror(-ret));
			err = ret;
			break;
		}
		while (!atomic_load(&loop->stop) &&
		       io_uring_peek_cqe(&loop->ring, &cqe) == 0) {
			uint64_t ud = io_uring_cqe_get_data64(cqe);
			int32_t res = cqe->res;
			uint32_t flags = cqe->flags;

			/* Copied out: the CQ slot is free before callbacks. */
			io_uring_cqe_seen(&loop->ring, cqe);
			ev_dispatch(loop, ud, res, flags);
		}
	}
	/* One stop request ends one run. */
	atomic_store(&loop->stop, false);
	return err;
}

void evloop_stop(struct evloop *loop)
{
	uint64_t one = 1;
	int saved = errno;	/* we may be in a signal handler */

	atomic_store(&loop->stop, true);
	/* EAGAIN (counter saturated) still leaves the loop woken. */
	if (write(loop->wake_fd, &one, sizeof(one)) < 0) {
		/* nothing to do: the flag is set */
	}
	errno = saved;
}
