// SPDX-License-Identifier: MIT
/* Checking eventfds passed by a peer (efd.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

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

/* ---- writes that a peer cannot stall ---- */

#define EFD_WRITERS_MAX	64	/* threads that ever signal, per process */

struct efd_writer {
	atomic_bool used;
	pthread_t tid;
	atomic_uint_fast64_t since_ns;	/* in a write since; 0: not */
};

static struct efd_writer efd_writers[EFD_WRITERS_MAX];
static _Thread_local struct efd_writer *efd_me;
static pthread_once_t efd_guard_once = PTHREAD_ONCE_INIT;
static bool efd_guard_ok;

/* Empty: its only job is to make a blocked write return EINTR. */
static void efd_on_sigurg(int sig)
{
	(void)sig;
}

static void *efd_watchdog(void *arg)
{
	const struct timespec tick = { .tv_nsec = EFD_STALL_MS * 1000000L };

	(void)arg;
	for (;;) {
		uint64_t now;

		nanosleep(&tick, NULL);
		now = clock_mono_ns();
		for (unsigned i = 0; i < EFD_WRITERS_MAX; i++) {
			struct efd_writer *w = &efd_writers[i];
			uint64_t since = atomic_load(&w->since_ns);

			if (atomic_load(&w->used) && since &&
			    now - since > EFD_STALL_MS * 1000000ull)
				pthread_kill(w->tid, SIGURG);
		}
	}
	return NULL;
}

static void efd_guard_start(void)
{
	struct sigaction sa = { .sa_handler = efd_on_sigurg };
	sigset_t all, old;
	pthread_t t;

	/*
	 * SIGURG: ignored by default, so a stray one harms nothing; no
	 * SA_RESTART, so the blocked write returns EINTR.
	 */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGURG, &sa, NULL) < 0)
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&t, NULL, efd_watchdog, NULL) == 0) {
		pthread_detach(t);
		efd_guard_ok = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static struct efd_writer *efd_writer_self(void)
{
	if (efd_me)
		return efd_me;
	for (unsigned i = 0; i < EFD_WRITERS_MAX; i++) {
		bool no = false;

		if (atomic_compare_exchange_strong(&efd_writers[i].used, &no,
						   true)) {
			efd_writers[i].tid = pthread_self();
			efd_me = &efd_writers[i];
			break;
		}
	}
	return efd_me;
}

int efd_signal(int fd)
{
	uint64_t one = 1;
	struct efd_writer *w;
	ssize_t n;
	int err;

	pthread_once(&efd_guard_once, efd_guard_start);
	w = efd_guard_ok ? efd_writer_self() : NULL;
	if (!w) {
		/* No guard (no thread, no slot): write only if it cannot
		 * block now; a race with the peer remains. */
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
			return 0;
		n = write(fd, &one, sizeof(one));
		return n == (ssize_t)sizeof(one) ? 1
		       : n < 0 && errno == EAGAIN ? 0 : n < 0 ? -errno : -EIO;
	}
	/* | 1: a clock reading of 0 must not read as "not writing". */
	atomic_store(&w->since_ns, clock_mono_ns() | 1);
	n = write(fd, &one, sizeof(one));
	err = errno;
	atomic_store(&w->since_ns, 0);
	if (n == (ssize_t)sizeof(one))
		return 1;
	if (n < 0 && err == EAGAIN)
		return 0;
	if (n < 0 && err == EINTR)
		return -ETIMEDOUT;
	return n < 0 ? -err : -EIO;
}
