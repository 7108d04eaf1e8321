// SPDX-License-Identifier: MIT
/* The one checked GPA translation: ranges, the PCI hole, overflow. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/guest_mem.h"

/* A layout over a small buffer: region sizes are what matter, not RAM. */
static void test_low_only(void **state)
{
	static uint8_t ram[64 << 10];
	struct guest_mem gm;
	uint8_t b = 0;

	guest_mem_layout(&gm, ram, sizeof(ram));
	assert_int_equal(gm.nregions, 1);
	assert_ptr_equal(guest_mem_ptr(&gm, 0, 1), ram);
	assert_ptr_equal(guest_mem_ptr(&gm, sizeof(ram) - 1, 1),
			 ram + sizeof(ram) - 1);
	assert_ptr_equal(guest_mem_ptr(&gm, 0, sizeof(ram)), ram);
	assert_null(guest_mem_ptr(&gm, 0, sizeof(ram) + 1));
	assert_null(guest_mem_ptr(&gm, sizeof(ram), 1));
	assert_null(guest_mem_ptr(&gm, 16, 0));	/* len 0 refused */
	assert_int_equal(guest_mem_write(&gm, 100, &b, 1), 0);
	assert_int_equal(guest_mem_read(&gm, sizeof(ram), &b, 1), -EFAULT);
}

static void test_overflow_refused(void **state)
{
	static uint8_t ram[64 << 10];
	struct guest_mem gm;

	guest_mem_layout(&gm, ram, sizeof(ram));
	/* gpa + len wraps to a small number: must not pass as "in range". */
	assert_null(guest_mem_ptr(&gm, 16, UINT64_MAX));
	assert_null(guest_mem_ptr(&gm, UINT64_MAX, 2));
	assert_null(guest_mem_ptr(&gm, UINT64_MAX - 15, 32));
}

/*
 * Above 3 GiB RAM continues at 4 GiB. Lay out a fake 3 GiB + 8 KiB with a
 * base pointer we never dereference: only the arithmetic is under test.
 */
static void test_split_at_pci_hole(void **state)
{
	uint8_t *fake = (uint8_t *)(uintptr_t)0x100000000000ull;
	uint64_t size = GUEST_MEM_LOW_LIMIT + 8192;
	struct guest_mem gm;

	guest_mem_layout(&gm, fake, size);
	assert_int_equal(gm.nregions, 2);
	assert_int_equal(gm.regions[1].gpa, GUEST_MEM_HIGH_BASE);
	assert_int_equal(gm.regions[1].size, 8192);
	assert_ptr_equal(guest_mem_ptr(&gm, GUEST_MEM_LOW_LIMIT - 4, 4),
			 fake + GUEST_MEM_LOW_LIMIT - 4);
	/* The hole itself is not RAM. */
	assert_null(guest_mem_ptr(&gm, GUEST_MEM_LOW_LIMIT, 1));
	assert_null(guest_mem_ptr(&gm, 0xFEE00000ull, 4));
	/* An access may not span the hole. */
	assert_null(guest_mem_ptr(&gm, GUEST_MEM_LOW_LIMIT - 4, 8));
	assert_ptr_equal(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE, 8192),
			 fake + GUEST_MEM_LOW_LIMIT);
	assert_null(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE + 8192, 1));
	assert_null(guest_mem_ptr(&gm, GUEST_MEM_HIGH_BASE + 4096, 4097));
}

static void test_create_real(void **state)
{
	struct guest_mem gm;
	uint32_t v = 0x11223344, r = 0;

	assert_int_equal(guest_mem_create(&gm, 4 << 20, true), 0);
	assert_true(gm.fd >= 0);
	assert_int_equal(guest_mem_write(&gm, 0x1000, &v, 4), 0);
	assert_int_equal(guest_mem_read(&gm, 0x1000, &r, 4), 0);
	assert_int_equal(r, v);
	guest_mem_destroy(&gm);
}

static void test_create_bad_sizes(void **state)
{
	struct guest_mem gm;

	assert_int_equal(guest_mem_create(&gm, 0, true), -EINVAL);
	assert_int_equal(guest_mem_create(&gm, (2 << 20) + 4096, true),
			 -EINVAL);
	assert_int_equal(guest_mem_create(&gm, GUEST_MEM_MAX + (2 << 20), true),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_low_only),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_split_at_pci_hole),
		cmocka_unit_test(test_create_real),
		cmocka_unit_test(test_create_bad_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
