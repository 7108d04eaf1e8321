// SPDX-License-Identifier: MIT
/* Checking eventfds passed by a peer (efd.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/efd.h"

/* fdinfo says "eventfd-semaphore: 1" (Linux 6.4 on); older kernels do
 * not say, and such an fd is taken for a counter. */
static int efd_is_semaphore(int fd)
{
	char path[64], buf[512];
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "eventfd-semaphore:\t1") != NULL ||
	       strstr(buf, "eventfd-semaphore: 1") != NULL;
}

int efd_check(int fd)
{
	char path[64], target[64];
	ssize_t n;
	int fl;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	/* An eventfd is an anonymous inode; only /proc names its kind. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == ENOENT ? -ENOSYS : -errno;
	target[n] = '\0';
	if (strcmp(target, "anon_inode:[eventfd]") != 0)
		return -EINVAL;
	if (efd_is_semaphore(fd))
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int efd_read(int fd, uint64_t *cnt)
{
	uint64_t v;
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	ssize_t n;

	/* RWF_NOWAIT is per call: it does not trust the shared file flag. */
	n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
	if (n == (ssize_t)sizeof(v)) {
		if (cnt)
			*cnt = v;
		return 1;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	return n < 0 ? -errno : -EIO;
}
