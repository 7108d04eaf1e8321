/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_EFD_H
#define IOPATH_BASE_EFD_H

#include <stdint.h>

/*
 * Eventfds that come from another process (kicks, interrupt lines). We
 * read and write them 8 bytes at a time and wait on them in poll loops,
 * so a peer must not pass off a pipe, a socket or a regular file instead.
 */

/*
 * 0 if @fd is an open eventfd in counter mode (it is then set
 * O_NONBLOCK); -EBADF if it is not open, -EINVAL if it is something else
 * or a semaphore-mode eventfd (each read would take one from a count a
 * peer may have set near 2^64: a drain loop that never ends, or a fd
 * that stays readable after every read), -ENOSYS if the kind cannot be
 * told (no /proc): a peer's fd we cannot check is refused.
 */
int efd_check(int fd);

/*
 * Take the count of an eventfd without ever blocking, whatever its
 * O_NONBLOCK flag says: that flag lives on the file a peer shares with
 * us and may clear. One read takes the whole count (counter mode,
 * efd_check). 1 with the count in *@cnt (may be NULL), 0 if it was zero,
 * -errno on another error.
 */
int efd_read(int fd, uint64_t *cnt);

/*
 * Add 1 to a peer's eventfd (a kick, an irqfd) without being stalled by
 * the peer. A write to an eventfd blocks when its count would overflow
 * and the file is blocking, and both the count and O_NONBLOCK are the
 * peer's to set. There is no per-call no-wait flag for eventfd writes,
 * so a watchdog thread (started on first use, waking every
 * EFD_STALL_MS) interrupts a write that has not returned after that
 * long. Returns 1 when signalled, 0 when the count is saturated (a
 * wake-up is pending anyway), -ETIMEDOUT when the peer stalled us (the
 * caller should give up on that peer), -errno otherwise. A thread that
 * calls this may see EINTR from one other call, rarely: every caller in
 * iopath retries or ignores EINTR.
 */
#define EFD_STALL_MS	100
int efd_signal(int fd);

#endif
