/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_USOCK_H
#define IOPATH_BASE_USOCK_H

/*
 * The unix sockets our servers listen on (control sockets, the switch's
 * attach socket) belong to whoever runs the server. The rule, the same
 * for every one of them:
 *  - the socket file is made mode 0600 (under umask 077, so no other user
 *    can connect even for an instant), and a path already there is only
 *    replaced if it is a stale socket of ours: a socket, owned by our
 *    uid, that nobody listens on (connect() is refused). Anything else
 *    (another kind of file, another user's socket, a live server) is
 *    refused with a reason;
 *  - each connection's peer credentials (SO_PEERCRED) are checked on
 *    accept: the server's own uid or root, no one else. The file's mode
 *    alone would not hold if someone loosened it by hand.
 * So control access is exactly the server owner's access.
 */

#include <stddef.h>
#include <sys/types.h>

/*
 * Listen on @path with a socket of @type (SOCK_STREAM, SOCK_SEQPACKET;
 * non-blocking, close-on-exec). Returns the listening fd, or -errno with
 * the reason in @err (not NULL): -EEXIST (not a socket), -EPERM (another user's
 * socket), -EADDRINUSE (a server listens there), -ENAMETOOLONG, or what
 * socket(), bind() or listen() said.
 */
int usock_listen(const char *path, int type, int backlog, char *err,
		 size_t errlen);

/*
 * May the peer of connected unix socket @fd use our servers? 0 if it runs
 * as our effective uid or as root; -EACCES if not; -errno if its
 * credentials cannot be read. Its uid goes to @uid when known.
 */
int usock_peer_check(int fd, uid_t *uid);

/*
 * Close @fd, on which we have just sent a refusal, after reading away
 * what the peer had sent: a unix socket closed with input unread makes
 * the peer's next read fail with ECONNRESET ahead of our answer.
 */
void usock_hangup(int fd);

#endif
