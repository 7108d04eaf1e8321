// SPDX-License-Identifier: MIT
/* Checking eventfds passed by a peer (efd.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/efd.h"

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
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}
