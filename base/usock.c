// SPDX-License-Identifier: MIT
/* Unix sockets only their owner may use (usock.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/usock.h"

/*
 * Does a server listen on @sa? A probe connect: refused means nobody
 * does (a socket left by a process that died); a connection or a full
 * backlog means someone does. A socket of another type answers
 * EPROTOTYPE only while it is bound: live too.
 */
static int usock_probe(const struct sockaddr_un *sa, int type)
{
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Make room at @sa's path: nothing there, or a stale socket of ours. */
static int usock_clear(const struct sockaddr_un *sa, int type, char *err,
		       size_t errlen)
{
	const char *path = sa->sun_path;
	struct stat st;
	int ret;

	if (lstat(path, &st) < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret == -ENOENT ? 0 : ret;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: not ours "
			 "to replace", path);
		return -EEXIST;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s is a socket of uid %u, not ours (uid "
			 "%u): refusing to replace it", path,
			 (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	ret = usock_probe(sa, type);
	if (ret != -ECONNREFUSED) {
		snprintf(err, errlen, "%s: a server is listening there (%s)",
			 path, ret ? strerror(-ret) : "it answered");
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	return 0;
}

int usock_listen(const char *path, int type, int backlog, char *err,
		 size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, ret;

	if (!path || !*path) {
		snprintf(err, errlen, "empty socket path");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long (over %zu "
			 "bytes)", path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	ret = usock_clear(&sa, type, err, errlen);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-ret));
		return ret;
	}
	/* bind() makes the file with the umask's mode: no instant in which
	 * another user may connect. The umask is the process's, so only
	 * for this call; 077 rather than 177 so that a directory another
	 * thread makes meanwhile stays usable. */
	old = umask(077);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old);
	if (ret < 0) {
		snprintf(err, errlen, "%s: bind: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	/* Exactly 0600, as documented; 0700 would be as private, so this is
	 * best effort. NOFOLLOW: a path swapped for a symlink meanwhile must
	 * not lend us its target. */
	if (fchmodat(AT_FDCWD, path, 0600, AT_SYMLINK_NOFOLLOW) < 0) {
		/* the mode from the umask stands */
	}
	if (listen(fd, backlog) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: listen: %s", path, strerror(-ret));
		close(fd);
		unlink(path);
		return ret;
	}
	return fd;
}

void usock_hangup(int fd)
{
	char buf[512];

	/* bounded: a peer that keeps sending still gets hung up on */
	for (int i = 0; i < 64; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	close(fd);
}

int usock_peer_check(int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (len != sizeof(cred))
		return -EINVAL;
	if (uid)
		*uid = cred.uid;
	return cred.uid == geteuid() || cred.uid == 0 ? 0 : -EACCES;
}
