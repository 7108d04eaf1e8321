// SPDX-License-Identifier: MIT
/*
 * The dirty log (core/dirty_log.h): KVM's per-slot bitmaps (the fake
 * KVM's) and the shared log merged by RAM page index, across the two RAM
 * regions (the second starts at 4 GiB but right after the first in the
 * memfd); marks only while active; a writer's view refuses a log whose
 * header is not one; and what a VMM's own write reports.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "base/log.h"
#include "core/dirty_log.h"
#include "core/guest_mem.h"
#include "tests/unit/core/fake_kvm.h"

/* A layout as guest_mem makes one, without mapping 3 GiB. */
static void two_regions(struct guest_mem *gm, uint8_t *base, uint64_t low,
			uint64_t high)
{
	memset(gm, 0, sizeof(*gm));
	gm->base = base;
	gm->size = low + high;
	gm->nregions = 2;
	gm->regions[0] = (struct guest_mem_region){ 0, low, 0, base };
	gm->regions[1] = (struct guest_mem_region){
		GUEST_MEM_HIGH_BASE, high, low, base + low };
}

static bool bit(const uint64_t *bm, uint64_t p)
{
	return bm[p / 64] & (1ull << (p % 64));
}

static void test_merge_by_ram_page(void **state)
{
	uint8_t *ram = calloc(1, 3072 * 4096);
	struct guest_mem gm;
	struct dirty_log *dl;
	const struct dirty_log_view *v;
	uint64_t bm[64] = { 0 };
	uint64_t low_pages = 1024;	/* 4 MiB */

	log_set_level(LOG_LEVEL_ERR);
	fake_kvm_reset();
	assert_non_null(ram);
	two_regions(&gm, ram, low_pages * 4096, 2048 * 4096);
	dl = dirty_log_create(&gm, fake_kvm_vm(), 0);
	assert_non_null(dl);
	assert_int_equal(dirty_log_pages(dl), 3072);
	v = dirty_log_own_view(dl);

	/* Inactive: a writer's mark is dropped. */
	dirty_log_view_mark(v, 5 * 4096, 1);
	assert_int_equal(dirty_log_collect(dl, bm), -EINVAL);
	assert_int_equal(dirty_log_start(dl), 0);
	assert_int_equal(fake_kvm.dirty_starts, 2);
	assert_true(dirty_log_running(dl));
	assert_int_equal(dirty_log_collect(dl, bm), 0);

	/* The guest wrote page 7 and, in the high region, its page 3; a
	 * device wrote 8 KiB across pages 5..6 and one byte of page 2000. */
	fake_kvm.dirty[0][0] = 1ull << 7;
	fake_kvm.dirty[1][0] = 1ull << 3;
	dirty_log_view_mark(v, 5 * 4096 + 100, 8192 - 200);
	dirty_log_view_mark(v, 2000 * 4096 + 4095, 1);
	/* Beyond RAM: ignored, not written past the bitmap. */
	dirty_log_view_mark(v, 3072ull * 4096, 4096);
	assert_int_equal(dirty_log_collect(dl, bm), 5);
	assert_true(bit(bm, 7));
	assert_true(bit(bm, low_pages + 3));
	assert_true(bit(bm, 5) && bit(bm, 6) && !bit(bm, 4) && !bit(bm, 8));
	assert_true(bit(bm, 2000));
	/* Taken: the next collect finds nothing new; counts only new bits. */
	assert_int_equal(dirty_log_collect(dl, bm), 0);
	fake_kvm.dirty[0][0] = 1ull << 7 | 1ull << 9;
	assert_int_equal(dirty_log_collect(dl, bm), 1);

	dirty_log_stop(dl);
	assert_int_equal(fake_kvm.dirty_stops, 2);
	assert_false(dirty_log_running(dl));
	dirty_log_view_mark(v, 9 * 4096, 1);
	assert_int_equal(v->bits[0], 0);
	dirty_log_destroy(dl);
	free(ram);
}

static void test_start_fails_cleanly(void **state)
{
	uint8_t *ram = calloc(1, 128 * 4096);
	struct guest_mem gm;
	struct dirty_log *dl;

	fake_kvm_reset();
	assert_non_null(ram);
	two_regions(&gm, ram, 4096 * 64, 4096 * 64);
	dl = dirty_log_create(&gm, fake_kvm_vm(), 0);
	assert_non_null(dl);
	fake_kvm.fail_dirty = -EBUSY;
	assert_int_equal(dirty_log_start(dl), -EBUSY);
	assert_false(dirty_log_running(dl));
	assert_int_equal(dirty_log_own_view(dl)->hdr->active, 0);
	dirty_log_destroy(dl);
	free(ram);
}

static void test_view_checks_the_header(void **state)
{
	struct dirty_log_view v;
	size_t size = dirty_log_shm_size(1000);
	uint8_t *mem = calloc(1, size);
	struct dirty_log_shm *h = (struct dirty_log_shm *)mem;
	const struct dirty_log_shm good = {
		DIRTY_LOG_MAGIC, DIRTY_LOG_VERSION, DIRTY_LOG_PAGE_SHIFT,
		DIRTY_LOG_BITMAP_OFF, 1000, 0, 0 };

	*h = good;
	assert_int_equal(dirty_log_view_map(&v, mem, size, 1000), 0);
	assert_int_equal(v.npages, 1000);
	/* A mapping too small for the pages it claims. */
	assert_int_equal(dirty_log_view_map(&v, mem, size - 8, 1000), -EINVAL);
	/* More pages than the RAM we know of. */
	assert_int_equal(dirty_log_view_map(&v, mem, size, 999), -EINVAL);
	h->magic = 0;
	assert_int_equal(dirty_log_view_map(&v, mem, size, 1000), -EINVAL);
	*h = good;
	h->bitmap_off = 64;
	assert_int_equal(dirty_log_view_map(&v, mem, size, 1000), -EINVAL);
	*h = good;
	h->npages = UINT64_MAX;
	assert_int_equal(dirty_log_view_map(&v, mem, size, UINT64_MAX),
			 -EINVAL);
	assert_null(v.hdr);
	/* A writer with no view marks nothing and does not crash. */
	dirty_log_view_mark(&v, 0, 4096);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_by_ram_page),
		cmocka_unit_test(test_start_fails_cleanly),
		cmocka_unit_test(test_view_checks_the_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
