// SPDX-License-Identifier: MIT
/* The FDB: learning, moves, aging, the limit, static entries, flushing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vswitch/fdb.h"

#define SEC	1000000000ull
#define AGING	(10 * SEC)

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

/* A locally administered unicast MAC numbered @n. */
static void mac_n(uint8_t mac[6], unsigned n)
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static void test_create_args(void **state)
{
	struct fdb *f;

	errno = 0;
	assert_null(fdb_create(0, AGING));
	assert_int_equal(errno, EINVAL);
	assert_null(fdb_create(FDB_MAX_LIMIT + 1, AGING));
	assert_int_equal(errno, EINVAL);
	f = fdb_create(FDB_DEFAULT_MAX, FDB_DEFAULT_AGING_NS);
	assert_non_null(f);
	assert_int_equal(fdb_count(f), 0);
	fdb_destroy(f);
	fdb_destroy(NULL);
}

static void test_learn_lookup_refresh(void **state)
{
	struct fdb *f = fdb_create(16, AGING);
	struct fdb_stats st;

	assert_int_equal(fdb_lookup(f, mac_a, 1, 0), -ENOENT);
	assert_int_equal(fdb_learn(f, mac_a, 1, 3, 1 * SEC), FDB_LEARN_NEW);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 1 * SEC), 3);
	assert_int_equal(fdb_lookup(f, mac_a, 2, 1 * SEC), -ENOENT);
	assert_int_equal(fdb_lookup(f, mac_b, 1, 1 * SEC), -ENOENT);
	assert_int_equal(fdb_learn(f, mac_a, 1, 3, 8 * SEC),
			 FDB_LEARN_REFRESHED);
	/* The refresh restarted the idle clock: alive well past 1 s + AGING. */
	assert_int_equal(fdb_lookup(f, mac_a, 1, 17 * SEC), 3);
	assert_int_equal(fdb_count(f), 1);
	fdb_stats_get(f, &st);
	assert_int_equal(st.learned, 1);
	assert_int_equal(st.moved, 0);
	fdb_destroy(f);
}

static void test_move_counted(void **state)
{
	struct fdb *f = fdb_create(16, AGING);
	struct fdb_stats st;

	assert_int_equal(fdb_learn(f, mac_a, 1, 3, 0), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, mac_a, 1, 5, 1), FDB_LEARN_MOVED);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 2), 5);
	assert_int_equal(fdb_learn(f, mac_a, 1, 5, 3), FDB_LEARN_REFRESHED);
	assert_int_equal(fdb_learn(f, mac_a, 1, 3, 4), FDB_LEARN_MOVED);
	assert_int_equal(fdb_count(f), 1);
	fdb_stats_get(f, &st);
	assert_int_equal(st.moved, 2);
	fdb_destroy(f);
}

static void test_aging_boundary(void **state)
{
	struct fdb *f = fdb_create(16, AGING);
	struct fdb_stats st;

	/* Lazy expiry: idle for AGING - 1 ns is alive, for AGING is gone. */
	fdb_learn(f, mac_a, 1, 3, 100);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 100 + AGING - 1), 3);
	assert_int_equal(fdb_count(f), 1);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 100 + AGING), -ENOENT);
	assert_int_equal(fdb_count(f), 0);

	/* The sweep uses the same boundary. */
	fdb_learn(f, mac_a, 1, 3, 100);
	fdb_learn(f, mac_b, 1, 4, 200);
	assert_int_equal(fdb_age(f, 100 + AGING - 1), 0);
	assert_int_equal(fdb_age(f, 100 + AGING), 1);
	assert_int_equal(fdb_lookup(f, mac_b, 1, 100 + AGING), 4);
	assert_int_equal(fdb_age(f, 200 + AGING), 1);
	assert_int_equal(fdb_count(f), 0);

	/* An expired entry seen again is new, not a move. */
	fdb_learn(f, mac_a, 1, 3, 0);
	assert_int_equal(fdb_learn(f, mac_a, 1, 6, AGING), FDB_LEARN_NEW);
	assert_int_equal(fdb_lookup(f, mac_a, 1, AGING), 6);
	fdb_stats_get(f, &st);
	assert_int_equal(st.aged, 4);
	assert_int_equal(st.moved, 0);

	/* A clock that steps back does not expire anything. */
	assert_int_equal(fdb_lookup(f, mac_a, 1, 0), 6);
	fdb_destroy(f);
}

static void test_aging_off(void **state)
{
	struct fdb *f = fdb_create(4, 0);

	fdb_learn(f, mac_a, 1, 3, 0);
	assert_int_equal(fdb_age(f, UINT64_MAX), 0);
	assert_int_equal(fdb_lookup(f, mac_a, 1, UINT64_MAX), 3);
	fdb_destroy(f);
}

static void test_limit(void **state)
{
	struct fdb *f = fdb_create(4, AGING);
	struct fdb_stats st;
	uint8_t m[6];

	for (unsigned i = 0; i < 4; i++) {
		mac_n(m, i);
		assert_int_equal(fdb_learn(f, m, 1, 1, i * SEC), FDB_LEARN_NEW);
	}
	/* Full: a new source is refused, known ones still refresh/move. */
	mac_n(m, 99);
	assert_int_equal(fdb_learn(f, m, 1, 1, 5 * SEC), -ENOSPC);
	assert_int_equal(fdb_lookup(f, m, 1, 5 * SEC), -ENOENT);
	mac_n(m, 0);
	assert_int_equal(fdb_learn(f, m, 1, 1, 5 * SEC), FDB_LEARN_REFRESHED);
	mac_n(m, 1);
	assert_int_equal(fdb_learn(f, m, 1, 2, 5 * SEC), FDB_LEARN_MOVED);
	assert_int_equal(fdb_count(f), 4);
	/* Same MAC on another VLAN is another entry: refused too. */
	assert_int_equal(fdb_learn(f, m, 2, 2, 5 * SEC), -ENOSPC);

	/* At 12 s entry 2 (seen at 2 s) is due: learning ages it out. */
	mac_n(m, 99);
	assert_int_equal(fdb_learn(f, m, 1, 1, 12 * SEC), FDB_LEARN_NEW);
	mac_n(m, 2);
	assert_int_equal(fdb_lookup(f, m, 1, 12 * SEC), -ENOENT);
	/* Entry 3 (seen at 3 s) is not due until 13 s. */
	mac_n(m, 100);
	assert_int_equal(fdb_learn(f, m, 1, 1, 12 * SEC), -ENOSPC);
	assert_int_equal(fdb_learn(f, m, 1, 1, 13 * SEC), FDB_LEARN_NEW);
	assert_int_equal(fdb_count(f), 4);
	fdb_stats_get(f, &st);
	assert_int_equal(st.refused_full, 3);
	fdb_destroy(f);
}

static void test_static(void **state)
{
	struct fdb *f = fdb_create(4, AGING);
	struct fdb_stats st;

	assert_int_equal(fdb_add_static(f, mac_a, 1, 7), 0);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 1000 * AGING), 7);
	assert_int_equal(fdb_age(f, 1000 * AGING), 0);
	/* A station claiming a static MAC elsewhere does not take it over. */
	assert_int_equal(fdb_learn(f, mac_a, 1, 2, 0), -EPERM);
	assert_int_equal(fdb_learn(f, mac_a, 1, 7, 0), FDB_LEARN_REFRESHED);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 0), 7);
	fdb_stats_get(f, &st);
	assert_int_equal(st.refused_static, 1);

	/* A learned entry turns static in place. */
	fdb_learn(f, mac_b, 1, 2, 0);
	assert_int_equal(fdb_add_static(f, mac_b, 1, 3), 0);
	assert_int_equal(fdb_count(f), 2);
	assert_int_equal(fdb_lookup(f, mac_b, 1, 5 * AGING), 3);

	assert_int_equal(fdb_del(f, mac_a, 1), 0);
	assert_int_equal(fdb_del(f, mac_a, 1), -ENOENT);
	assert_int_equal(fdb_lookup(f, mac_a, 1, 0), -ENOENT);
	fdb_destroy(f);
}

static void test_static_limit(void **state)
{
	struct fdb *f = fdb_create(2, AGING);

	assert_int_equal(fdb_add_static(f, mac_a, 1, 1), 0);
	assert_int_equal(fdb_add_static(f, mac_b, 1, 1), 0);
	assert_int_equal(fdb_add_static(f, mac_b, 2, 1), -ENOSPC);
	/* Statics never age, so a full static table refuses learning. */
	assert_int_equal(fdb_learn(f, mac_a, 3, 1, 100 * AGING), -ENOSPC);
	fdb_destroy(f);
}

static void test_bad_addresses(void **state)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t zero[6];
	struct fdb *f = fdb_create(4, AGING);

	assert_int_equal(fdb_learn(f, bcast, 1, 1, 0), -EINVAL);
	assert_int_equal(fdb_learn(f, mcast, 1, 1, 0), -EINVAL);
	assert_int_equal(fdb_learn(f, zero, 1, 1, 0), -EINVAL);
	assert_int_equal(fdb_learn(f, mac_a, 4096, 1, 0), -EINVAL);
	assert_int_equal(fdb_add_static(f, mcast, 1, 1), -EINVAL);
	assert_int_equal(fdb_count(f), 0);
	assert_int_equal(fdb_lookup(f, bcast, 1, 0), -ENOENT);
	fdb_destroy(f);
}

static void test_same_mac_two_vlans(void **state)
{
	struct fdb *f = fdb_create(4, AGING);

	assert_int_equal(fdb_learn(f, mac_a, 10, 1, 0), FDB_LEARN_NEW);
	assert_int_equal(fdb_learn(f, mac_a, 20, 2, 0), FDB_LEARN_NEW);
	assert_int_equal(fdb_count(f), 2);
	assert_int_equal(fdb_lookup(f, mac_a, 10, 0), 1);
	assert_int_equal(fdb_lookup(f, mac_a, 20, 0), 2);
	assert_int_equal(fdb_del(f, mac_a, 10), 0);
	assert_int_equal(fdb_lookup(f, mac_a, 20, 0), 2);
	fdb_destroy(f);
}

static void test_flush_port(void **state)
{
	struct fdb *f = fdb_create(64, AGING);
	uint8_t m[6];

	for (unsigned i = 0; i < 30; i++) {
		mac_n(m, i);
		fdb_learn(f, m, 1, (uint16_t)(i % 3), 0);
	}
	fdb_add_static(f, mac_a, 1, 1);
	assert_int_equal(fdb_flush_port(f, 1), 10);
	assert_int_equal(fdb_count(f), 21);
	for (unsigned i = 0; i < 30; i++) {
		mac_n(m, i);
		assert_int_equal(fdb_lookup(f, m, 1, 0),
				 i % 3 == 1 ? -ENOENT : (int)(i % 3));
	}
	/* Static entries survive a port flush, not a port removal. */
	assert_int_equal(fdb_lookup(f, mac_a, 1, 0), 1);
	assert_int_equal(fdb_flush_port_all(f, 1), 1);
	assert_int_equal(fdb_flush_port_all(f, 0), 10);
	assert_int_equal(fdb_count(f), 10);
	fdb_destroy(f);
}

struct seen {
	unsigned n;
	unsigned statics;
	unsigned stop_after;
	uint8_t last_mac[6];
	uint16_t last_vlan;
};

static int count_entry(void *opaque, const struct fdb_entry *e)
{
	struct seen *s = opaque;

	s->n++;
	s->statics += e->is_static;
	memcpy(s->last_mac, e->mac, 6);
	s->last_vlan = e->vlan;
	return s->stop_after && s->n == s->stop_after;
}

static void test_foreach(void **state)
{
	struct fdb *f = fdb_create(64, AGING);
	struct seen s = { 0 };
	uint8_t m[6];

	fdb_foreach(f, count_entry, &s);
	assert_int_equal(s.n, 0);
	fdb_learn(f, mac_a, 4094, 9, 5);
	fdb_foreach(f, count_entry, &s);
	assert_int_equal(s.n, 1);
	assert_memory_equal(s.last_mac, mac_a, 6);
	assert_int_equal(s.last_vlan, 4094);
	for (unsigned i = 0; i < 20; i++) {
		mac_n(m, i);
		fdb_learn(f, m, 1, 1, 0);
	}
	fdb_add_static(f, mac_b, 1, 2);
	s = (struct seen){ 0 };
	fdb_foreach(f, count_entry, &s);
	assert_int_equal(s.n, 22);
	assert_int_equal(s.statics, 1);
	s = (struct seen){ .stop_after = 5 };
	fdb_foreach(f, count_entry, &s);
	assert_int_equal(s.n, 5);
	fdb_destroy(f);
}

/*
 * A full table at the load limit, then removal in a scrambled order by
 * every path that removes (del, lazy expiry, sweep, flush): every entry
 * left must still be found, whatever probe runs the removals shifted.
 */
static void test_many_with_collisions(void **state)
{
	enum { N = 4096 };
	struct fdb *f = fdb_create(N, AGING);
	static bool gone[N];
	uint8_t m[6];
	unsigned i, k;

	memset(gone, 0, sizeof(gone));
	for (i = 0; i < N; i++) {
		mac_n(m, i * 7919);	/* neighbours differ in several bytes */
		/* Half the entries are older, so a sweep can take them. */
		assert_int_equal(fdb_learn(f, m, (uint16_t)(1 + i % 3),
					   (uint16_t)(i % 5),
					   i % 2 ? 5 * SEC : 0),
				 FDB_LEARN_NEW);
	}
	assert_int_equal(fdb_count(f), N);
	mac_n(m, 1);
	assert_int_equal(fdb_learn(f, m, 1, 0, 5 * SEC), -ENOSPC);

	for (k = 0, i = 0; k < N / 4; k++, i = (i + 2654435761u) % N) {
		if (gone[i] || i % 2 == 0)
			continue;
		mac_n(m, i * 7919);
		assert_int_equal(fdb_del(f, m, (uint16_t)(1 + i % 3)), 0);
		gone[i] = true;
	}
	/* Lazy expiry of some even (old) entries, then a sweep of the rest. */
	for (i = 0; i < N; i += 8) {
		mac_n(m, i * 7919);
		assert_int_equal(fdb_lookup(f, m, (uint16_t)(1 + i % 3), AGING),
				 -ENOENT);
		gone[i] = true;
	}
	fdb_age(f, AGING);
	for (i = 0; i < N; i += 2)
		gone[i] = true;
	fdb_flush_port(f, 3);
	for (i = 0; i < N; i++)
		if (i % 5 == 3)
			gone[i] = true;

	k = 0;
	for (i = 0; i < N; i++) {
		mac_n(m, i * 7919);
		assert_int_equal(fdb_lookup(f, m, (uint16_t)(1 + i % 3),
					    AGING),
				 gone[i] ? -ENOENT : (int)(i % 5));
		k += !gone[i];
	}
	assert_int_equal(fdb_count(f), k);

	/* Refill to the limit through the holes the removals left. */
	for (i = 0; fdb_count(f) < N; i++) {
		mac_n(m, 0x800000 + i);
		assert_int_equal(fdb_learn(f, m, 7, 1, AGING), FDB_LEARN_NEW);
	}
	for (i = 0; i < N - k; i++) {
		mac_n(m, 0x800000 + i);
		assert_int_equal(fdb_lookup(f, m, 7, AGING), 1);
	}
	fdb_destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_args),
		cmocka_unit_test(test_learn_lookup_refresh),
		cmocka_unit_test(test_move_counted),
		cmocka_unit_test(test_aging_boundary),
		cmocka_unit_test(test_aging_off),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_limit),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_same_mac_two_vlans),
		cmocka_unit_test(test_flush_port),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_many_with_collisions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
