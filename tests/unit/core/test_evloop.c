// SPDX-License-Identifier: MIT
/*
 * The event loop: fds fire, timers (one-shot, periodic), sources removed
 * and re-added from inside callbacks (stale completions ignored), stop
 * from another thread, argument errors.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/clock.h"
#include "core/evloop.h"

#define MS	1000000ull

static void efd_kick(int fd)
{
	uint64_t one = 1;

	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

static void efd_drain(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0)
		assert_int_equal(errno, EAGAIN);
}

struct counter {
	struct evloop *loop;
	int fd;
	int calls;
	int stop_at;		/* stop the loop after this many calls */
	uint32_t revents;
	int64_t timer;
	struct counter *other;	/* a source to remove */
};

static void stop_cb(void *opaque)
{
	evloop_stop(opaque);
}

/* Every test ends by this even if what it waits for never comes. */
static void watchdog(struct evloop *loop, uint64_t ns)
{
	assert_true(evloop_add_timer(loop, ns, false, stop_cb, loop) > 0);
}

static void fd_count_cb(void *opaque, int fd, uint32_t revents)
{
	struct counter *c = opaque;

	assert_int_equal(fd, c->fd);
	efd_drain(fd);
	c->revents = revents;
	if (++c->calls == c->stop_at)
		evloop_stop(c->loop);
}

static void test_fd_fires(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop, .stop_at = 1 };

	assert_non_null(loop);
	c.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(evloop_add_fd(loop, c.fd, POLLIN, fd_count_cb, &c),
			 0);
	efd_kick(c.fd);
	watchdog(loop, 2000 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 1);
	assert_true(c.revents & POLLIN);

	/* Multishot: the same poll fires again without re-adding. */
	c.stop_at = 2;
	efd_kick(c.fd);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 2);

	assert_int_equal(evloop_del_fd(loop, c.fd), 0);
	evloop_destroy(loop);
	close(c.fd);
}

/*
 * More sources than the table starts with, and more completions at once
 * than the CQ holds: the kernel ends multishot polls it cannot post to,
 * and the loop must re-arm them, so a second round still reaches all.
 */
static void test_many_fds(void **state)
{
	enum { N = 700 };
	struct evloop *loop = evloop_create();
	static struct counter c[N];
	int i, round;

	for (i = 0; i < N; i++) {
		c[i] = (struct counter){ .loop = loop, .stop_at = -1 };
		c[i].fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		assert_true(c[i].fd >= 0);
		assert_int_equal(evloop_add_fd(loop, c[i].fd, POLLIN,
					       fd_count_cb, &c[i]), 0);
	}
	for (round = 1; round <= 2; round++) {
		for (i = 0; i < N; i++)
			efd_kick(c[i].fd);
		watchdog(loop, 200 * MS);
		assert_int_equal(evloop_run(loop), 0);
		for (i = 0; i < N; i++)
			assert_int_equal(c[i].calls, round);
	}
	evloop_destroy(loop);
	for (i = 0; i < N; i++)
		close(c[i].fd);
}

static void timer_count_cb(void *opaque)
{
	struct counter *c = opaque;

	if (++c->calls == c->stop_at)
		evloop_stop(c->loop);
}

static void test_timer_oneshot(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop, .stop_at = -1 };
	uint64_t t0 = clock_mono_ns();
	int64_t id;

	id = evloop_add_timer(loop, 10 * MS, false, timer_count_cb, &c);
	assert_true(id > 0);
	watchdog(loop, 80 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 1);
	assert_true(clock_mono_ns() - t0 >= 80 * MS);
	/* A fired one-shot timer is gone. */
	assert_int_equal(evloop_del_timer(loop, id), -ENOENT);
	evloop_destroy(loop);
}

static void test_timer_zero_fires_now(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop, .stop_at = 1 };

	assert_true(evloop_add_timer(loop, 0, false, timer_count_cb, &c) > 0);
	watchdog(loop, 2000 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 1);
	evloop_destroy(loop);
}

static void test_timer_periodic(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop, .stop_at = 5 };
	uint64_t t0 = clock_mono_ns();
	int64_t id;

	id = evloop_add_timer(loop, 5 * MS, true, timer_count_cb, &c);
	assert_true(id > 0);
	watchdog(loop, 2000 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 5);
	assert_true(clock_mono_ns() - t0 >= 25 * MS);
	assert_int_equal(evloop_del_timer(loop, id), 0);
	assert_int_equal(evloop_del_timer(loop, id), -ENOENT);
	evloop_destroy(loop);
}

static void timer_del_self_cb(void *opaque)
{
	struct counter *c = opaque;

	c->calls++;
	assert_int_equal(evloop_del_timer(c->loop, c->timer), 0);
}

static void test_timer_del_inside_callback(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop };

	c.timer = evloop_add_timer(loop, 2 * MS, true, timer_del_self_cb, &c);
	assert_true(c.timer > 0);
	watchdog(loop, 50 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 1);
	evloop_destroy(loop);
}

static void fd_del_self_cb(void *opaque, int fd, uint32_t revents)
{
	struct counter *c = opaque;

	c->calls++;
	assert_int_equal(evloop_del_fd(c->loop, fd), 0);
	/* Left readable and kicked again: no call may follow the removal. */
	efd_kick(fd);
}

static void test_fd_del_inside_callback(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop };

	c.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(evloop_add_fd(loop, c.fd, POLLIN, fd_del_self_cb, &c),
			 0);
	efd_kick(c.fd);
	watchdog(loop, 50 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(evloop_del_fd(loop, c.fd), -ENOENT);
	evloop_destroy(loop);
	close(c.fd);
}

/* Whichever of two ready fds runs first removes the other. */
static void fd_del_other_cb(void *opaque, int fd, uint32_t revents)
{
	struct counter *c = opaque;

	efd_drain(fd);
	c->calls++;
	if (evloop_del_fd(c->loop, c->other->fd) == 0)
		close(c->other->fd);
}

static void test_fd_del_other_in_same_batch(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter a = { .loop = loop }, b = { .loop = loop };

	a.other = &b;
	b.other = &a;
	a.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	b.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(evloop_add_fd(loop, a.fd, POLLIN, fd_del_other_cb,
				       &a), 0);
	assert_int_equal(evloop_add_fd(loop, b.fd, POLLIN, fd_del_other_cb,
				       &b), 0);
	/* Both ready before the loop looks: both CQEs come in one batch. */
	efd_kick(a.fd);
	efd_kick(b.fd);
	watchdog(loop, 50 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(a.calls + b.calls, 1);
	evloop_destroy(loop);
	close(a.calls ? a.fd : b.fd);
}

/*
 * A callback that removes its fd and adds it again with another callback:
 * the new source takes the freed slot; only the new callback runs after.
 */
static void fd_readd_cb(void *opaque, int fd, uint32_t revents);

static void fd_second_cb(void *opaque, int fd, uint32_t revents)
{
	struct counter *c = opaque;

	efd_drain(fd);
	c->stop_at = 1000 + c->calls;	/* marks: second callback ran */
	evloop_stop(c->loop);
}

static void fd_readd_cb(void *opaque, int fd, uint32_t revents)
{
	struct counter *c = opaque;

	c->calls++;
	assert_int_equal(evloop_del_fd(c->loop, fd), 0);
	assert_int_equal(evloop_add_fd(c->loop, fd, POLLIN, fd_second_cb, c),
			 0);
	/* Still readable: the new poll reports it at once. */
}

static void test_fd_readd_inside_callback(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop };

	c.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_int_equal(evloop_add_fd(loop, c.fd, POLLIN, fd_readd_cb, &c),
			 0);
	efd_kick(c.fd);
	watchdog(loop, 2000 * MS);
	assert_int_equal(evloop_run(loop), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.stop_at, 1001);
	evloop_destroy(loop);
	close(c.fd);
}

static void *stopper(void *opaque)
{
	usleep(20000);
	evloop_stop(opaque);
	return NULL;
}

static void test_stop_from_thread(void **state)
{
	struct evloop *loop = evloop_create();
	uint64_t t0 = clock_mono_ns();
	pthread_t t;

	/* Nothing else to wake the loop: only the stop can end it. */
	assert_int_equal(pthread_create(&t, NULL, stopper, loop), 0);
	assert_int_equal(evloop_run(loop), 0);
	assert_true(clock_mono_ns() - t0 >= 15 * MS);
	assert_int_equal(pthread_join(t, NULL), 0);

	/* A stop asked for before run() ends that run at once. */
	evloop_stop(loop);
	assert_int_equal(evloop_run(loop), 0);
	evloop_destroy(loop);
}

static void test_errors(void **state)
{
	struct evloop *loop = evloop_create();
	struct counter c = { .loop = loop };
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	assert_int_equal(evloop_add_fd(loop, 12345, POLLIN, fd_count_cb, &c),
			 -EBADF);
	assert_int_equal(evloop_add_fd(loop, fd, POLLIN, NULL, &c), -EINVAL);
	assert_int_equal(evloop_add_fd(loop, fd, POLLIN, fd_count_cb, &c), 0);
	assert_int_equal(evloop_add_fd(loop, fd, POLLIN, fd_count_cb, &c),
			 -EEXIST);
	assert_int_equal(evloop_del_fd(loop, fd), 0);
	assert_int_equal(evloop_del_fd(loop, fd), -ENOENT);
	assert_int_equal(evloop_add_timer(loop, 0, true, timer_count_cb, &c),
			 -EINVAL);
	assert_int_equal(evloop_del_timer(loop, 999), -ENOENT);
	assert_int_equal(evloop_del_timer(loop, 0), -EINVAL);
	evloop_destroy(loop);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_fires),
		cmocka_unit_test(test_many_fds),
		cmocka_unit_test(test_timer_oneshot),
		cmocka_unit_test(test_timer_zero_fires_now),
		cmocka_unit_test(test_timer_periodic),
		cmocka_unit_test(test_timer_del_inside_callback),
		cmocka_unit_test(test_fd_del_inside_callback),
		cmocka_unit_test(test_fd_del_other_in_same_batch),
		cmocka_unit_test(test_fd_readd_inside_callback),
		cmocka_unit_test(test_stop_from_thread),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
