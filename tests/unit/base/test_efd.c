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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eventfd_accepted),
		cmocka_unit_test(test_others_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
