// SPDX-License-Identifier: MIT
/*
 * The switch's side of a migrating VMM's dirty log (DIRTY_LOG,
 * vswitch/sw_guestmem.c and core/dirty_log.h): a log is mapped only if it
 * is sealed, what its header says, and covers every RAM region; marking
 * by guest-physical address sets the right bits of the RAM memfd's pages
 * and never a bit outside the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/dirty_log.h"
#include "vswitch/sw.h"

/* Guest RAM as the switch maps it: 1 MiB low, 1 MiB at 4 GiB. */
#define RAM_LO		(1ull << 20)
#define RAM_HI_GPA	0x100000000ull
#define RAM_HI		(1ull << 20)
#define RAM_PAGES	((RAM_LO + RAM_HI) >> 12)

static struct guest_mem ram_layout(void)
{
	return (struct guest_mem){
		.fd = -1, .size = RAM_LO + RAM_HI, .nregions = 2,
		.regions = {
			{ .gpa = 0, .size = RAM_LO, .fd_offset = 0 },
			{ .gpa = RAM_HI_GPA, .size = RAM_HI,
			  .fd_offset = RAM_LO },
		},
	};
}

/*
 * A log memfd of @size bytes whose header says @npages; sealed against
 * shrinking unless @unsealed.
 */
static int log_fd(size_t size, uint64_t npages, bool unsealed)
{
	struct dirty_log_shm h = {
		.magic = DIRTY_LOG_MAGIC, .version = DIRTY_LOG_VERSION,
		.page_shift = DIRTY_LOG_PAGE_SHIFT,
		.bitmap_off = DIRTY_LOG_BITMAP_OFF, .npages = npages,
		.active = 1,
	};
	int fd = memfd_create("test-dirty-log",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	if (!unsealed)
		assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	return fd;
}

/* A DIRTY_LOG on message carrying @fd (which it owns from here). */
static struct attach_msg log_msg(int fd, uint64_t size)
{
	struct attach_msg m = { .nfds = 1 };

	m.hdr.type = ATTACH_MSG_DIRTY_LOG;
	m.u.dirty_log = (struct attach_dirty_log){ .on = 1, .size = size };
	m.fds[0] = fd;
	return m;
}

static int try_map(struct sw_dirty_log *dl, size_t size, uint64_t npages,
		   bool unsealed, uint64_t msg_size, char *err, size_t errlen)
{
	struct guest_mem gm = ram_layout();
	struct attach_msg m = log_msg(log_fd(size, npages, unsealed),
				      msg_size);
	int ret = sw_dirty_log_map(dl, &m, &gm, true, err, errlen);

	close(m.fds[0]);	/* mapped or not, the fd is not kept */
	return ret;
}

static bool bit(const struct sw_dirty_log *dl, uint64_t page)
{
	return dl->view.bits[page / 64] & (1ull << (page % 64));
}

static unsigned bits_set(const struct sw_dirty_log *dl)
{
	unsigned n = 0;

	for (uint64_t w = 0; w < (dl->view.npages + 63) / 64; w++)
		n += (unsigned)__builtin_popcountll(dl->view.bits[w]);
	return n;
}

static void test_marks_the_right_pages(void **state)
{
	size_t size = dirty_log_shm_size(RAM_PAGES);
	struct guest_mem gm = ram_layout();
	struct sw_dirty_log dl;
	char err[ATTACH_ERR_MAX];

	(void)state;
	assert_int_equal(try_map(&dl, size, RAM_PAGES, false, size, err,
				 sizeof(err)), 0);
	assert_non_null(dl.base);
	assert_int_equal(dl.view.npages, RAM_PAGES);
	assert_int_equal(bits_set(&dl), 0);

	/* One byte: its page. Across a boundary: both pages. */
	dirty_log_view_set_gpa(&dl.view, &gm, 0x5000, 1);
	assert_true(bit(&dl, 5));
	dirty_log_view_set_gpa(&dl.view, &gm, 0x7ff0, 0x20);
	assert_true(bit(&dl, 7) && bit(&dl, 8));
	assert_int_equal(bits_set(&dl), 3);
	/* Above 4 GiB: the page's place in the memfd, after low RAM. */
	dirty_log_view_set_gpa(&dl.view, &gm, RAM_HI_GPA + 0x3000, 4096);
	assert_true(bit(&dl, (RAM_LO >> 12) + 3));
	assert_int_equal(bits_set(&dl), 4);
	/* Marking again changes nothing. */
	dirty_log_view_set_gpa(&dl.view, &gm, 0x5000, 4096);
	assert_int_equal(bits_set(&dl), 4);
	/* Past the end of a region: clipped to it, the last page marked. */
	dirty_log_view_set_gpa(&dl.view, &gm, RAM_LO - 16, 8192);
	assert_true(bit(&dl, (RAM_LO >> 12) - 1));
	assert_false(bit(&dl, RAM_LO >> 12));
	assert_int_equal(bits_set(&dl), 5);
	/* Outside RAM (the hole), or no length: nothing. */
	dirty_log_view_set_gpa(&dl.view, &gm, RAM_LO + 0x1000, 4096);
	dirty_log_view_set_gpa(&dl.view, &gm, 0x9000, 0);
	assert_int_equal(bits_set(&dl), 5);
	/* The last page of RAM is the log's last bit. */
	dirty_log_view_set_gpa(&dl.view, &gm, RAM_HI_GPA + RAM_HI - 1, 1);
	assert_true(bit(&dl, RAM_PAGES - 1));
	assert_int_equal(bits_set(&dl), 6);
	sw_dirty_log_unmap(&dl);
	assert_null(dl.base);
}

/* A log one page short of RAM: refused, with the reason, nothing kept. */
static void test_too_small_refused(void **state)
{
	size_t size = dirty_log_shm_size(RAM_PAGES - 1);
	struct sw_dirty_log dl;
	char err[ATTACH_ERR_MAX] = "";

	(void)state;
	assert_int_equal(try_map(&dl, size, RAM_PAGES - 1, false, size, err,
				 sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "too small"));
	assert_non_null(strstr(err, "511 pages"));
	assert_null(dl.base);
}

/* Headers that lie about the size, the layout, or are not logs at all. */
static void test_bad_headers_refused(void **state)
{
	size_t size = dirty_log_shm_size(RAM_PAGES);
	struct sw_dirty_log dl;
	char err[ATTACH_ERR_MAX];

	(void)state;
	/* More pages than the bytes it has: bits would be out of it. */
	assert_int_equal(try_map(&dl, size, RAM_PAGES * 2, false, size, err,
				 sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad header"));
	assert_null(dl.base);
	/* The message says more bytes than the memfd has. */
	assert_int_equal(try_map(&dl, size, RAM_PAGES, false, size + 4096,
				 err, sizeof(err)), -EINVAL);
	assert_null(dl.base);
	/* Or just the header's page: no room for any bit. */
	assert_int_equal(try_map(&dl, size, RAM_PAGES, false, 4096, err,
				 sizeof(err)), -EINVAL);
	assert_null(dl.base);
	/* More than any guest's RAM needs. */
	assert_int_equal(try_map(&dl, size, RAM_PAGES, false,
				 dirty_log_shm_size(GUEST_MEM_MAX >> 12) + 8,
				 err, sizeof(err)), -EINVAL);
	assert_null(dl.base);
}

/* A memfd the VMM could shrink under us (SIGBUS): refused. */
static void test_unsealed_refused(void **state)
{
	size_t size = dirty_log_shm_size(RAM_PAGES);
	struct sw_dirty_log dl;
	char err[ATTACH_ERR_MAX];

	(void)state;
	assert_int_equal(try_map(&dl, size, RAM_PAGES, true, size, err,
				 sizeof(err)), -EPERM);
	assert_null(dl.base);
}

/* RAM from two memfds: one log by memfd offset cannot cover it. */
static void test_two_ram_fds_refused(void **state)
{
	size_t size = dirty_log_shm_size(RAM_PAGES);
	struct guest_mem gm = ram_layout();
	struct attach_msg a = { 0 };
	struct attach_msg m = log_msg(log_fd(size, RAM_PAGES, false), size);
	struct sw_dirty_log dl;
	char err[ATTACH_ERR_MAX];

	(void)state;
	a.u.attach.nregions = 2;
	a.u.attach.regions[1].fd_index = 1;
	assert_false(sw_guest_mem_one_fd(&a));
	a.u.attach.regions[1].fd_index = 0;
	assert_true(sw_guest_mem_one_fd(&a));
	assert_int_equal(sw_dirty_log_map(&dl, &m, &gm, false, err,
					  sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than one memfd"));
	assert_null(dl.base);
	close(m.fds[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_the_right_pages),
		cmocka_unit_test(test_too_small_refused),
		cmocka_unit_test(test_bad_headers_refused),
		cmocka_unit_test(test_unsealed_refused),
		cmocka_unit_test(test_two_ram_fds_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
