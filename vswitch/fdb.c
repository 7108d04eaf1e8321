// SPDX-License-Identifier: MIT
/*
 * The FDB as an open-addressing hash table: linear probing over a
 * power-of-two slot array at most half full, so a lookup or a learn
 * touches one or two cache lines on the per-packet path. Removal shifts
 * the following run back (Knuth 6.4, Algorithm R) instead of leaving
 * tombstones, so a table that churns through MACs never degrades and
 * never needs a rehash. Everything is allocated in fdb_create().
 *
 * Source MACs come from guests and from the wire, so an attacker picks
 * the keys. The hash is keyed with a random per-table seed so nobody can
 * precompute MACs that pile into one probe run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "vswitch/fdb.h"

#define FDB_VLAN_MAX	4095
#define FDB_MIN_SLOTS	16

struct fdb_slot {
	uint64_t key;		/* MAC (48 bits) << 16 | VLAN */
	uint64_t last_seen_ns;
	uint16_t port;
	bool used;
	bool is_static;
};

struct fdb {
	struct fdb_slot *slots;
	uint32_t mask;		/* slots - 1 */
	unsigned max;
	unsigned count;
	uint64_t aging_ns;
	uint64_t seed;
	/*
	 * No dynamic entry was last seen before this: a lower bound kept
	 * cheaply, so a full table under a flood of new sources does not
	 * sweep every slot per frame when nothing can have expired yet.
	 */
	uint64_t oldest_ns;
	struct fdb_stats stats;
};

static uint64_t fdb_key(const uint8_t mac[6], uint16_t vlan)
{
	uint64_t k = 0;

	for (int i = 0; i < 6; i++)
		k = k << 8 | mac[i];
	return k << 16 | vlan;
}

/* MurmurHash3's 64-bit finaliser over the seeded key: full avalanche. */
static uint32_t fdb_home(const struct fdb *fdb, uint64_t key)
{
	uint64_t h = key ^ fdb->seed;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h & fdb->mask;
}

static bool fdb_mac_ok(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	/* Group addresses are destinations, never stations (802.3 3.2.3). */
	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

static bool fdb_expired(const struct fdb *fdb, const struct fdb_slot *s,
			uint64_t now_ns)
{
	/* A clock that steps back makes entries younger, never older. */
	return !s->is_static && fdb->aging_ns &&
	       now_ns >= s->last_seen_ns &&
	       now_ns - s->last_seen_ns >= fdb->aging_ns;
}

/* The slot holding @key, or -1. */
static long fdb_find(const struct fdb *fdb, uint64_t key)
{
	uint32_t i = fdb_home(fdb, key);

	for (;;) {
		const struct fdb_slot *s = &fdb->slots[i];

		if (!s->used)
			return -1;
		if (s->key == key)
			return i;
		i = (i + 1) & fdb->mask;
	}
}

/* Empty slot @i and close the gap behind it (Algorithm R). */
static void fdb_remove_at(struct fdb *fdb, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & fdb->mask;
		if (!fdb->slots[j].used)
			break;
		home = fdb_home(fdb, fdb->slots[j].key);
		/* Stays if its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		fdb->slots[i] = fdb->slots[j];
		i = j;
	}
	fdb->slots[i].used = false;
	fdb->count--;
}

static void fdb_note_seen(struct fdb *fdb, uint64_t now_ns)
{
	if (now_ns < fdb->oldest_ns)
		fdb->oldest_ns = now_ns;
}

/* Make room in a full table if anything can have expired. */
static void fdb_make_room(struct fdb *fdb, uint64_t now_ns)
{
	if (!fdb->aging_ns || now_ns < fdb->oldest_ns ||
	    now_ns - fdb->oldest_ns < fdb->aging_ns)
		return;
	fdb_age(fdb, now_ns);
}

/* Insert a key known to be absent; the caller checked the limit. */
static struct fdb_slot *fdb_insert(struct fdb *fdb, uint64_t key)
{
	uint32_t i = fdb_home(fdb, key);

	while (fdb->slots[i].used)
		i = (i + 1) & fdb->mask;
	fdb->slots[i] = (struct fdb_slot){ .key = key, .used = true };
	fdb->count++;
	return &fdb->slots[i];
}

static uint64_t fdb_seed(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	/* No entropy yet (early boot): still differs per run and table. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^
	       (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&ts;
}

struct fdb *fdb_create(unsigned max, uint64_t aging_ns)
{
	struct fdb *fdb;
	uint32_t nslots = FDB_MIN_SLOTS;

	if (max == 0 || max > FDB_MAX_LIMIT) {
		errno = EINVAL;
		return NULL;
	}
	/* At most half full: expected probes stay near 1.5 (Knuth 6.4). */
	while (nslots < 2 * max)
		nslots <<= 1;
	fdb = calloc(1, sizeof(*fdb));
	if (!fdb)
		return NULL;
	fdb->slots = calloc(nslots, sizeof(*fdb->slots));
	if (!fdb->slots) {
		free(fdb);
		return NULL;
	}
	fdb->mask = nslots - 1;
	fdb->max = max;
	fdb->aging_ns = aging_ns;
	fdb->seed = fdb_seed();
	fdb->oldest_ns = UINT64_MAX;
	return fdb;
}

void fdb_destroy(struct fdb *fdb)
{
	if (!fdb)
		return;
	free(fdb->slots);
	free(fdb);
}

int fdb_learn(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan,
	      uint16_t port, uint64_t now_ns)
{
	uint64_t key;
	struct fdb_slot *s;
	long i;

	if (!fdb_mac_ok(mac) || vlan > FDB_VLAN_MAX)
		return -EINVAL;
	key = fdb_key(mac, vlan);
	i = fdb_find(fdb, key);
	if (i >= 0) {
		s = &fdb->slots[i];
		if (s->is_static) {
			if (s->port == port)
				return FDB_LEARN_REFRESHED;
			fdb->stats.refused_static++;
			return -EPERM;
		}
		if (fdb_expired(fdb, s, now_ns)) {
			/* Expired but not swept: it is a new station now. */
			fdb->stats.aged++;
			fdb->stats.learned++;
			s->port = port;
			s->last_seen_ns = now_ns;
			fdb_note_seen(fdb, now_ns);
			return FDB_LEARN_NEW;
		}
		s->last_seen_ns = now_ns;
		if (s->port == port)
			return FDB_LEARN_REFRESHED;
		/*
		 * The station moved (a VM migrated, a team failed over, a
		 * cable was replugged): follow it at once, as 802.1D's
		 * learning process does, rather than wait for aging.
		 */
		s->port = port;
		fdb->stats.moved++;
		fdb_note_seen(fdb, now_ns);
		return FDB_LEARN_MOVED;
	}
	if (fdb->count >= fdb->max) {
		fdb_make_room(fdb, now_ns);
		if (fdb->count >= fdb->max) {
			fdb->stats.refused_full++;
			return -ENOSPC;
		}
	}
	s = fdb_insert(fdb, key);
	s->port = port;
	s->last_seen_ns = now_ns;
	fdb_note_seen(fdb, now_ns);
	fdb->stats.learned++;
	return FDB_LEARN_NEW;
}

int fdb_lookup(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan,
	       uint64_t now_ns)
{
	long i;

	if (vlan > FDB_VLAN_MAX)
		return -ENOENT;
	i = fdb_find(fdb, fdb_key(mac, vlan));
	if (i < 0)
		return -ENOENT;
	if (fdb_expired(fdb, &fdb->slots[i], now_ns)) {
		fdb_remove_at(fdb, (uint32_t)i);
		fdb->stats.aged++;
		return -ENOENT;
	}
	return fdb->slots[i].port;
}

int fdb_add_static(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan,
		   uint16_t port)
{
	uint64_t key;
	struct fdb_slot *s;
	long i;

	if (!fdb_mac_ok(mac) || vlan > FDB_VLAN_MAX)
		return -EINVAL;
	key = fdb_key(mac, vlan);
	i = fdb_find(fdb, key);
	if (i >= 0) {
		s = &fdb->slots[i];
	} else {
		/* No clock to age with here: callers age first if they must. */
		if (fdb->count >= fdb->max)
			return -ENOSPC;
		s = fdb_insert(fdb, key);
	}
	s->port = port;
	s->is_static = true;
	s->last_seen_ns = 0;
	return 0;
}

int fdb_del(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan)
{
	long i;

	if (vlan > FDB_VLAN_MAX)
		return -ENOENT;
	i = fdb_find(fdb, fdb_key(mac, vlan));
	if (i < 0)
		return -ENOENT;
	fdb_remove_at(fdb, (uint32_t)i);
	return 0;
}

/*
 * Removal pulls later entries back into the freed slot, so after removing
 * at @i the same @i is looked at again. An entry that wraps from the front
 * of the array to its back is looked at twice, which is harmless here.
 */
unsigned fdb_age(struct fdb *fdb, uint64_t now_ns)
{
	uint64_t oldest = UINT64_MAX;
	unsigned removed = 0;
	uint32_t i = 0;

	if (!fdb->aging_ns)
		return 0;
	while (i <= fdb->mask) {
		struct fdb_slot *s = &fdb->slots[i];

		if (s->used && fdb_expired(fdb, s, now_ns)) {
			fdb_remove_at(fdb, i);
			removed++;
			continue;
		}
		if (s->used && !s->is_static && s->last_seen_ns < oldest)
			oldest = s->last_seen_ns;
		i++;
	}
	fdb->oldest_ns = oldest;
	fdb->stats.aged += removed;
	return removed;
}

static unsigned fdb_flush(struct fdb *fdb, uint16_t port, bool statics)
{
	unsigned removed = 0;
	uint32_t i = 0;

	while (i <= fdb->mask) {
		struct fdb_slot *s = &fdb->slots[i];

		if (s->used && s->port == port && (statics || !s->is_static)) {
			fdb_remove_at(fdb, i);
			removed++;
			continue;
		}
		i++;
	}
	return removed;
}

unsigned fdb_flush_port(struct fdb *fdb, uint16_t port)
{
	return fdb_flush(fdb, port, false);
}

unsigned fdb_flush_port_all(struct fdb *fdb, uint16_t port)
{
	return fdb_flush(fdb, port, true);
}

unsigned fdb_count(const struct fdb *fdb)
{
	return fdb->count;
}

void fdb_foreach(const struct fdb *fdb,
		 int (*fn)(void *opaque, const struct fdb_entry *e),
		 void *opaque)
{
	for (uint32_t i = 0; i <= fdb->mask; i++) {
		const struct fdb_slot *s = &fdb->slots[i];
		struct fdb_entry e;

		if (!s->used)
			continue;
		for (int b = 0; b < 6; b++)
			e.mac[b] = (uint8_t)(s->key >> (56 - 8 * b));
		e.vlan = (uint16_t)(s->key & 0xffff);
		e.port = s->port;
		e.is_static = s->is_static;
		e.last_seen_ns = s->last_seen_ns;
		if (fn(opaque, &e))
			return;
	}
}

void fdb_stats_get(const struct fdb *fdb, struct fdb_stats *st)
{
	*st = fdb->stats;
}
