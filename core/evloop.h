/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_EVLOOP_H
#define IOPATH_CORE_EVLOOP_H

/*
 * The event loop of a host process, on io_uring (liburing): file
 * descriptors (eventfds, sockets) polled with multishot poll, and timers.
 * All calls but evloop_stop() come from the loop's own thread (or before
 * it runs). Callbacks run on that thread and may add or remove sources,
 * including their own.
 */

#include <stdbool.h>
#include <stdint.h>

struct evloop;

typedef void (*evloop_fd_fn)(void *opaque, int fd, uint32_t revents);
typedef void (*evloop_timer_fn)(void *opaque);

struct evloop *evloop_create(void);
void evloop_destroy(struct evloop *loop);

/*
 * Call @fn whenever @fd has any of @events (POLLIN, ...). 0 or -errno.
 * Edge-like: @fn is called when the fd becomes ready, not while it stays
 * ready, so it must drain the fd (read until EAGAIN, read the eventfd).
 */
int evloop_add_fd(struct evloop *loop, int fd, uint32_t events,
		  evloop_fd_fn fn, void *opaque);
/*
 * Stop watching @fd; no callback for it runs after this returns. The
 * kernel cancels the poll later and holds @fd's file until then, so a
 * close() right after may not reach the peer for a while: a socket that
 * must hang up on its peer now is shut down (shutdown(2)) first.
 */
int evloop_del_fd(struct evloop *loop, int fd);

/*
 * Call @fn after @ns nanoseconds, and every @ns after that if @periodic.
 * Returns a timer id (> 0) or -errno.
 */
int64_t evloop_add_timer(struct evloop *loop, uint64_t ns, bool periodic,
			 evloop_timer_fn fn, void *opaque);
int evloop_del_timer(struct evloop *loop, int64_t id);

/* Run until evloop_stop(). Returns 0 or -errno on a ring failure. */
int evloop_run(struct evloop *loop);
/* Make evloop_run() return soon. Safe from any thread or signal handler. */
void evloop_stop(struct evloop *loop);

#endif
