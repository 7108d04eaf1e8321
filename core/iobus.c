// SPDX-License-Identifier: MIT
/*
 * Address-range bus. Ranges are kept sorted by base in an array: buses have
 * tens of ranges, lookups are a binary search, and changes are rare (BAR
 * moves), so nothing fancier pays off.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "iobus"
#include "base/log.h"
#include "core/iobus.h"

struct iobus_range {
	uint64_t base;
	uint64_t len;
	iobus_handler_fn fn;
	void *opaque;
};

struct iobus {
	char name[16];
	pthread_rwlock_t lock;
	struct iobus_range *ranges;
	unsigned nranges;
	unsigned cap;
	_Atomic uint64_t unclaimed;
};

struct iobus *iobus_create(const char *name)
{
	struct iobus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return NULL;
	strncpy(bus->name, name, sizeof(bus->name) - 1);
	pthread_rwlock_init(&bus->lock, NULL);
	return bus;
}

void iobus_destroy(struct iobus *bus)
{
	if (!bus)
		return;
	pthread_rwlock_destroy(&bus->lock);
	free(bus->ranges);
	free(bus);
}

/* Index of the first range whose base is > addr. Caller holds the lock. */
static unsigned iobus_upper(const struct iobus *bus, uint64_t addr)
{
	unsigned lo = 0, hi = bus->nranges;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Range containing addr, or NULL. Caller holds the lock. */
static const struct iobus_range *iobus_find(const struct iobus *bus,
					    uint64_t addr)
{
	unsigned i = iobus_upper(bus, addr);
	const struct iobus_range *r;

	if (i == 0)
		return NULL;
	r = &bus->ranges[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

int iobus_register(struct iobus *bus, uint64_t base, uint64_t len,
		   iobus_handler_fn fn, void *opaque)
{
	unsigned i;
	int ret = 0;

	if (len == 0 || base + len - 1 < base || !fn)
		return -EINVAL;

	pthread_rwlock_wrlock(&bus->lock);
	i = iobus_upper(bus, base);
	/* The range before must end before us; the one after must start after. */
	if (i > 0 && base - bus->ranges[i - 1].base < bus->ranges[i - 1].len) {
		ret = -EEXIST;
		goto out;
	}
	if (i < bus->nranges && bus->ranges[i].base <= base + len - 1) {
		ret = -EEXIST;
		goto out;
	}
	if (bus->nranges == bus->cap) {
		unsigned cap = bus->cap ? bus->cap * 2 : 16;
		struct iobus_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r) {
			ret = -ENOMEM;
			goto out;
		}
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i],
		(bus->nranges - i) * sizeof(bus->ranges[0]));
	bus->ranges[i] = (struct iobus_range){ base, len, fn, opaque };
	bus->nranges++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int iobus_unregister(struct iobus *bus, uint64_t base)
{
	unsigned i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = iobus_upper(bus, base);
	if (i > 0 && bus->ranges[i - 1].base == base) {
		i--;
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nranges - i - 1) * sizeof(bus->ranges[0]));
		bus->nranges--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int iobus_access(struct iobus *bus, uint64_t addr, void *data, unsigned size,
		 bool is_write)
{
	const struct iobus_range *r;
	struct iobus_range hit;
	bool found = false;

	pthread_rwlock_rdlock(&bus->lock);
	r = iobus_find(bus, addr);
	/* The access must not straddle the end of the range. */
	if (r && size <= r->len - (addr - r->base)) {
		hit = *r;
		found = true;
	}
	pthread_rwlock_unlock(&bus->lock);

	if (!found) {
		atomic_fetch_add_explicit(&bus->unclaimed, 1,
					  memory_order_relaxed);
		if (!is_write)
			memset(data, 0xff, size);
		return -ENOENT;
	}
	hit.fn(hit.opaque, addr - hit.base, data, size, is_write);
	return 0;
}

uint64_t iobus_unclaimed_count(const struct iobus *bus)
{
	return atomic_load_explicit(&bus->unclaimed, memory_order_relaxed);
}
