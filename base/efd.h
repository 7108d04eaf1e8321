/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_EFD_H
#define IOPATH_BASE_EFD_H

/*
 * Eventfds that come from another process (kicks, interrupt lines). We
 * read and write them 8 bytes at a time and wait on them in poll loops,
 * so a peer must not pass off a pipe, a socket or a regular file instead.
 */

/*
 * 0 if @fd is an open eventfd (it is then set O_NONBLOCK); -EBADF if it
 * is not open, -EINVAL if it is something else, -ENOSYS if the kind
 * cannot be told (no /proc): a peer's fd we cannot check is refused.
 */
int efd_check(int fd);

#endif
