// SPDX-License-Identifier: MIT
/* The I/O bus: overlaps refused, offsets not addresses, unclaimed reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/iobus.h"

struct rec {
	uint64_t offset;
	unsigned size;
	bool is_write;
	uint32_t value;
	int calls;
	struct iobus *bus;	/* for the handler that unmaps itself */
	uint64_t self_base;
};

static void rec_handler(void *opaque, uint64_t offset, void *data,
			unsigned size, bool is_write)
{
	struct rec *r = opaque;

	r->offset = offset;
	r->size = size;
	r->is_write = is_write;
	r->calls++;
	if (is_write)
		memcpy(&r->value, data, size < 4 ? size : 4);
	else
		memcpy(data, &r->value, size < 4 ? size : 4);
}

static void unmap_self_handler(void *opaque, uint64_t offset, void *data,
			       unsigned size, bool is_write)
{
	struct rec *r = opaque;

	r->calls++;
	/* A handler may change its own bus (a BAR moving itself). */
	assert_int_equal(iobus_unregister(r->bus, r->self_base), 0);
}

static void test_register_and_dispatch(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec a = { 0 };
	uint32_t v = 0xdeadbeef;

	assert_non_null(bus);
	assert_int_equal(iobus_register(bus, 0x3f8, 8, rec_handler, &a), 0);
	assert_int_equal(iobus_access(bus, 0x3fd, &v, 1, true), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.offset, 5);	/* offset, never the address */
	assert_int_equal(a.size, 1);
	assert_true(a.is_write);
	assert_int_equal(a.value & 0xff, 0xef);

	a.value = 0x12345678;
	v = 0;
	assert_int_equal(iobus_access(bus, 0x3f8, &v, 4, false), 0);
	assert_int_equal(v, 0x12345678);
	iobus_destroy(bus);
}

static void test_overlap_refused(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec a = { 0 };

	assert_int_equal(iobus_register(bus, 0x1000, 0x100, rec_handler, &a), 0);
	/* Same range, inside, straddling either end, covering it whole. */
	assert_int_equal(iobus_register(bus, 0x1000, 0x100, rec_handler, &a),
			 -EEXIST);
	assert_int_equal(iobus_register(bus, 0x1010, 0x10, rec_handler, &a),
			 -EEXIST);
	assert_int_equal(iobus_register(bus, 0xff0, 0x20, rec_handler, &a),
			 -EEXIST);
	assert_int_equal(iobus_register(bus, 0x10ff, 0x10, rec_handler, &a),
			 -EEXIST);
	assert_int_equal(iobus_register(bus, 0x0, 0x10000, rec_handler, &a),
			 -EEXIST);
	/* Touching but not overlapping is fine. */
	assert_int_equal(iobus_register(bus, 0x1100, 0x10, rec_handler, &a), 0);
	assert_int_equal(iobus_register(bus, 0xf00, 0x100, rec_handler, &a), 0);
	iobus_destroy(bus);
}

static void test_bad_ranges(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec a = { 0 };

	assert_int_equal(iobus_register(bus, 0x10, 0, rec_handler, &a), -EINVAL);
	assert_int_equal(iobus_register(bus, UINT64_MAX - 4, 16, rec_handler,
					&a), -EINVAL);
	assert_int_equal(iobus_register(bus, UINT64_MAX, 1, rec_handler, &a), 0);
	iobus_destroy(bus);
}

static void test_unclaimed_and_straddle(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec a = { 0 };
	uint32_t v = 0;

	assert_int_equal(iobus_register(bus, 0x100, 4, rec_handler, &a), 0);
	assert_int_equal(iobus_access(bus, 0x200, &v, 4, false), -ENOENT);
	assert_int_equal(v, 0xffffffff);
	/* A 4-byte access at the last byte runs off the end: unclaimed. */
	v = 0;
	assert_int_equal(iobus_access(bus, 0x103, &v, 4, false), -ENOENT);
	assert_int_equal(a.calls, 0);
	assert_int_equal(iobus_unclaimed_count(bus), 2);
	iobus_destroy(bus);
}

static void test_unregister(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec a = { 0 };
	uint32_t v = 0;

	assert_int_equal(iobus_register(bus, 0x100, 4, rec_handler, &a), 0);
	assert_int_equal(iobus_unregister(bus, 0x101), -ENOENT);
	assert_int_equal(iobus_unregister(bus, 0x100), 0);
	assert_int_equal(iobus_access(bus, 0x100, &v, 4, true), -ENOENT);
	assert_int_equal(iobus_unregister(bus, 0x100), -ENOENT);
	/* The range is free again. */
	assert_int_equal(iobus_register(bus, 0x100, 4, rec_handler, &a), 0);
	iobus_destroy(bus);
}

static void test_handler_unmaps_itself(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec r = { .bus = bus, .self_base = 0x500 };
	uint32_t v = 0;

	assert_int_equal(iobus_register(bus, 0x500, 4, unmap_self_handler, &r),
			 0);
	assert_int_equal(iobus_access(bus, 0x500, &v, 4, true), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(iobus_access(bus, 0x500, &v, 4, true), -ENOENT);
	iobus_destroy(bus);
}

static void test_many_ranges_sorted(void **state)
{
	struct iobus *bus = iobus_create("test");
	struct rec r[64];
	uint32_t v;
	int i;

	memset(r, 0, sizeof(r));
	/* Register out of order to exercise insertion in the middle. */
	for (i = 63; i >= 0; i -= 2)
		assert_int_equal(iobus_register(bus, i * 0x10, 8, rec_handler,
						&r[i]), 0);
	for (i = 62; i >= 0; i -= 2)
		assert_int_equal(iobus_register(bus, i * 0x10, 8, rec_handler,
						&r[i]), 0);
	for (i = 0; i < 64; i++) {
		v = i;
		assert_int_equal(iobus_access(bus, i * 0x10 + 7, &v, 1, true),
				 0);
		assert_int_equal(r[i].calls, 1);
		assert_int_equal(r[i].offset, 7);
		/* The gap after each range is unclaimed. */
		assert_int_equal(iobus_access(bus, i * 0x10 + 8, &v, 1, true),
				 -ENOENT);
	}
	iobus_destroy(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_dispatch),
		cmocka_unit_test(test_overlap_refused),
		cmocka_unit_test(test_bad_ranges),
		cmocka_unit_test(test_unclaimed_and_straddle),
		cmocka_unit_test(test_unregister),
		cmocka_unit_test(test_handler_unmaps_itself),
		cmocka_unit_test(test_many_ranges_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
