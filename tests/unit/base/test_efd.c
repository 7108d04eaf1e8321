// SPDX-License-Identifier: MIT
/* A peer's "eventfd" must be one: anything else is refused. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/efd.h"

static void test_eventfd_accepted(void **state)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(efd_check(fd), 0);
	/* Checked fds never block their reader. */
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);
}

static void test_others_refused(void **state)
{
	int p[2], sv[2], f;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(efd_check(p[0]), -EINVAL);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(efd_check(sv[0]), -EINVAL);
	f = open("/dev/null", O_RDONLY);
	assert_true(f >= 0);
	assert_int_equal(efd_check(f), -EINVAL);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
	close(f);
	assert_int_equal(efd_check(p[0]), -EBADF);
	assert_int_equal(efd_check(-1), -EBADF);
}

/* Semaphore mode is refused; efd_read never blocks, whatever the file's
 * O_NONBLOCK says (a peer sharing the file may clear it). */
static void test_semaphore_and_nowait(void **state)
{
	int sem = eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC);
	int fd = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 5, got = 0;

	assert_true(sem >= 0 && fd >= 0);
	assert_int_equal(efd_check(sem), -EINVAL);
	assert_int_equal(efd_check(fd), 0);
	assert_int_equal(fcntl(fd, F_SETFL, 0), 0);	/* blocking again */
	assert_int_equal(efd_read(fd, &got), 0);	/* empty: no block */
	assert_int_equal(write(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(write(fd, &v, sizeof(v)), sizeof(v));
	assert_int_equal(efd_read(fd, &got), 1);
	assert_int_equal(got, 10);
	assert_int_equal(efd_read(fd, NULL), 0);
	close(sem);
	close(fd);
}

/* A peer that made its eventfd blocking and filled the count cannot
 * stall our signal: it gives up after EFD_STALL_MS or so. */
static void test_signal_not_stalled(void **state)
{
	int fd = eventfd(0, EFD_CLOEXEC);		/* blocking */
	uint64_t full = 0xfffffffffffffffeull, got;
	struct timespec t0, t1;
	double ms;

	assert_true(fd >= 0);
	assert_int_equal(efd_signal(fd), 1);
	assert_int_equal(efd_read(fd, &got), 1);
	assert_int_equal(got, 1);
	assert_int_equal(write(fd, &full, sizeof(full)), sizeof(full));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(efd_signal(fd), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* Not a speed assert: only that it returned, within reason. */
	assert_true(ms < 60000);
	/* Non-blocking and saturated: a wake-up is pending, say 0. */
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(efd_signal(fd), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eventfd_accepted),
		cmocka_unit_test(test_others_refused),
		cmocka_unit_test(test_semaphore_and_nowait),
		cmocka_unit_test(test_signal_not_stalled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
