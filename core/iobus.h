/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_IOBUS_H
#define IOPATH_CORE_IOBUS_H

/*
 * An I/O bus: a set of non-overlapping address ranges, each owned by a
 * handler. The VMM has two, one for port I/O and one for MMIO. A handler is
 * called with the offset into its range, never the absolute address.
 *
 * vCPU threads dispatch concurrently while devices (PCI BAR moves) register
 * and unregister ranges; dispatch looks a range up under a read lock and
 * calls the handler after dropping it, so a handler may itself change the
 * bus. Handlers and their opaque must live as long as the bus.
 */

#include <stdbool.h>
#include <stdint.h>

/* Read fills *data (size bytes, little-endian); write reads it. */
typedef void (*iobus_handler_fn)(void *opaque, uint64_t offset, void *data,
				 unsigned size, bool is_write);

struct iobus;

/* Returns NULL and sets errno on failure. @name is for log lines. */
struct iobus *iobus_create(const char *name);
void iobus_destroy(struct iobus *bus);

/*
 * Claim [base, base+len). Returns 0, -EINVAL for len 0 or a range that
 * wraps, -EEXIST if it overlaps a registered range, -ENOMEM.
 */
int iobus_register(struct iobus *bus, uint64_t base, uint64_t len,
		   iobus_handler_fn fn, void *opaque);
/* Release the range that starts at @base. Returns 0 or -ENOENT. */
int iobus_unregister(struct iobus *bus, uint64_t base);

/*
 * Dispatch an access. An access must fall entirely inside one range.
 * Returns 0, or -ENOENT if no range claims it (reads then return all ones,
 * as on a real bus with nothing decoding the address).
 */
int iobus_access(struct iobus *bus, uint64_t addr, void *data, unsigned size,
		 bool is_write);

/* Accesses that hit no range, for stats. */
uint64_t iobus_unclaimed_count(const struct iobus *bus);

#endif
