/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_CTL_H
#define IOPATH_CORE_CTL_H

/*
 * A control socket: a unix stream socket speaking JSON lines. Each request
 * is one line holding an object with a "cmd" member; each answer is one
 * line: {"ok":true, ...} or {"ok":false,"error":"..."}. Runs on an evloop.
 * Clients are untrusted: lines over CTL_LINE_MAX, bad JSON, unknown
 * commands get an error answer (too long: the client is dropped), and a
 * client that vanishes costs nothing. The server serves several clients.
 *
 * Access is the server owner's (base/usock.h): the socket is mode 0600,
 * and a client whose SO_PEERCRED uid is neither the server's nor root
 * gets {"ok":false,"error":"permission denied: ..."} and is hung up on.
 * So whatever a command does with a path or a device string it is given
 * (the switch's capture file, an uplink's vdev), the caller could have
 * done as the server's user: commands need no per-client rights check.
 */

#include <jansson.h>

struct evloop;
struct ctl;

#define CTL_LINE_MAX	65536
#define CTL_MAX_CLIENTS	16

/*
 * A command handler: fill @resp (an object already holding "ok": true) or
 * return -errno / a negative code with an error message set via
 * ctl_error(). @req is the whole request object.
 */
typedef int (*ctl_cmd_fn)(void *opaque, json_t *req, json_t *resp);

/*
 * Listen on @path, mode 0600. A file already there is replaced only if it
 * is a stale socket of ours (nobody listens); otherwise NULL with errno
 * EEXIST (not a socket), EPERM (another user's) or EADDRINUSE (a live
 * server), and the reason logged. The file is removed by ctl_destroy.
 * Returns NULL with errno set.
 */
struct ctl *ctl_create(struct evloop *loop, const char *path);
void ctl_destroy(struct ctl *ctl);

/* Serve command @name with @fn. Returns 0, -EEXIST or -ENOMEM. */
int ctl_register(struct ctl *ctl, const char *name, ctl_cmd_fn fn,
		 void *opaque);

/* For handlers: set the error text of the current answer. Returns -EINVAL. */
int ctl_error(json_t *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Client side, for tools and tests: connect to @path, send one request
 * object, wait up to @timeout_ms for the answer line. Returns the parsed
 * answer (caller json_decref()s it) or NULL with errno set.
 */
json_t *ctl_call(const char *path, json_t *req, int timeout_ms);

#endif
