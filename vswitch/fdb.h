/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_FDB_H
#define IOPATH_VSWITCH_FDB_H

/*
 * The forwarding database: (MAC, VLAN) -> port, learned from source
 * addresses, aged out, bounded. Plain C, no DPDK, single-threaded (the
 * forwarding thread owns it; the control thread asks through it).
 */

#include <stdbool.h>
#include <stdint.h>

#define FDB_DEFAULT_MAX		8192
/* 802.1D's default: 300 s. */
#define FDB_DEFAULT_AGING_NS	(300ull * 1000000000ull)
#define FDB_MAX_LIMIT		(1u << 20)

struct fdb;

struct fdb_entry {
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port;
	bool is_static;
	uint64_t last_seen_ns;
};

/*
 * NULL with errno set. @max entries at most (1..FDB_MAX_LIMIT, static ones
 * included); an entry idle for @aging_ns or longer has expired; 0 turns
 * aging off.
 */
struct fdb *fdb_create(unsigned max, uint64_t aging_ns);
void fdb_destroy(struct fdb *fdb);

enum fdb_learn_result {
	FDB_LEARN_REFRESHED = 0,	/* known, same port */
	FDB_LEARN_NEW = 1,
	FDB_LEARN_MOVED = 2,		/* known on another port: moved */
};

/*
 * Learn @mac on @vlan (0..4095) behind @port at time @now_ns.
 * Multicast/broadcast and all-zero sources are refused (-EINVAL). A full
 * table refuses new entries (-ENOSPC) after aging what it can; existing
 * entries still refresh. Static entries never move: a static MAC seen
 * behind another port is refused (-EPERM). Returns enum fdb_learn_result
 * or -errno. Never allocates.
 */
int fdb_learn(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan,
	      uint16_t port, uint64_t now_ns);

/* The port for @mac on @vlan, or -ENOENT (also when expired at @now_ns). */
int fdb_lookup(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan,
	       uint64_t now_ns);

/*
 * A static entry (does not age or move); turns a learned entry static.
 * 0, -EINVAL (multicast or zero MAC, bad VLAN) or -ENOSPC.
 */
int fdb_add_static(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan,
		   uint16_t port);
/* Remove one entry. 0 or -ENOENT. */
int fdb_del(struct fdb *fdb, const uint8_t mac[6], uint16_t vlan);

/* Expire idle entries. Returns how many were removed. */
unsigned fdb_age(struct fdb *fdb, uint64_t now_ns);
/*
 * Forget everything learned behind @port (port down): static entries stay,
 * as configuration does. Returns how many were removed.
 */
unsigned fdb_flush_port(struct fdb *fdb, uint16_t port);
/* The same, static entries included (port removed). */
unsigned fdb_flush_port_all(struct fdb *fdb, uint16_t port);

/* Entries held, expired ones not yet aged out included. */
unsigned fdb_count(const struct fdb *fdb);
/*
 * Call @fn for each entry, in no particular order; stop early if it
 * returns non-zero. @fn must not change the FDB. Entries that expired
 * since the last fdb_age() are listed too: age first for a fresh view.
 */
void fdb_foreach(const struct fdb *fdb,
		 int (*fn)(void *opaque, const struct fdb_entry *e),
		 void *opaque);

/* Counters since create, for "show fdb" and the switch's stats. */
struct fdb_stats {
	uint64_t learned;		/* new entries */
	uint64_t moved;			/* MAC moves between ports */
	uint64_t aged;			/* expired (sweeps and lazily) */
	uint64_t refused_full;		/* -ENOSPC from fdb_learn */
	uint64_t refused_static;	/* -EPERM from fdb_learn */
};
void fdb_stats_get(const struct fdb *fdb, struct fdb_stats *st);

#endif
