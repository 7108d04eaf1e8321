// SPDX-License-Identifier: MIT
/* The ELF loader refuses what it must and loads what it should. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/elf_load.h"
#include "core/guest_mem.h"

#define RAM_SIZE (4u << 20)
#define MIN_GPA 0x100000u

static uint8_t ram[RAM_SIZE];
static struct guest_mem gm;

/* An image with up to two PT_LOAD segments, built in a buffer. */
struct img {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t data[256];
};

static void img_init(struct img *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = MIN_GPA;
	im->eh.e_phoff = offsetof(struct img, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 1;
	im->ph[0] = (Elf64_Phdr){
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct img, data),
		.p_paddr = MIN_GPA,
		.p_vaddr = MIN_GPA,
		.p_filesz = 16,
		.p_memsz = 4096,
	};
	memset(im->data, 0xab, sizeof(im->data));
}

static int setup(void **state)
{
	guest_mem_layout(&gm, ram, sizeof(ram));
	memset(ram, 0x55, sizeof(ram));
	return 0;
}

static int load(struct img *im, size_t len, struct elf_image *out)
{
	char err[256];

	return elf_load(&gm, im, len, MIN_GPA, out, err, sizeof(err));
}

static void test_good_image(void **state)
{
	struct elf_image out;
	struct img im;

	img_init(&im);
	assert_int_equal(load(&im, sizeof(im), &out), 0);
	assert_int_equal(out.entry, MIN_GPA);
	assert_int_equal(out.lowest, MIN_GPA);
	assert_int_equal(out.highest, MIN_GPA + 4096);
	assert_int_equal(ram[MIN_GPA], 0xab);
	assert_int_equal(ram[MIN_GPA + 15], 0xab);
	assert_int_equal(ram[MIN_GPA + 16], 0);		/* bss zeroed */
	assert_int_equal(ram[MIN_GPA + 4095], 0);
	assert_int_equal(ram[MIN_GPA + 4096], 0x55);	/* untouched */
}

static void test_truncated(void **state)
{
	struct elf_image out;
	struct img im;

	img_init(&im);
	/* Header cut short, headers cut short, segment data cut short. */
	assert_int_equal(load(&im, 10, &out), -ENOEXEC);
	assert_int_equal(load(&im, sizeof(Elf64_Ehdr) + 8, &out), -ENOEXEC);
	assert_int_equal(load(&im, offsetof(struct img, data) + 8, &out),
			 -ENOEXEC);
	/* Nothing was written on refusal. */
	assert_int_equal(ram[MIN_GPA], 0x55);
}

static void test_bad_headers(void **state)
{
	struct elf_image out;
	struct img im;

	img_init(&im);
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.eh.e_machine = EM_AARCH64;
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.eh.e_type = ET_DYN;
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.eh.e_phentsize = 12;
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.eh.e_phoff = UINT64_MAX - 8;	/* offset arithmetic must not wrap */
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.ph[0].p_offset = UINT64_MAX - 4;
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.ph[0].p_filesz = 8192;	/* more file than memory */
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.ph[0].p_type = PT_NOTE;	/* nothing to load */
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
}

static void test_entry_outside(void **state)
{
	struct elf_image out;
	struct img im;

	img_init(&im);
	im.eh.e_entry = MIN_GPA + 8192;
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	img_init(&im);
	im.ph[0].p_flags = PF_R | PF_W;	/* entry in a data segment */
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
}

static void test_out_of_ram(void **state)
{
	struct elf_image out;
	struct img im;

	img_init(&im);
	im.ph[0].p_paddr = RAM_SIZE - 1024;	/* runs past the end */
	im.eh.e_entry = im.ph[0].p_paddr;
	assert_int_equal(load(&im, sizeof(im), &out), -ERANGE);
	img_init(&im);
	im.ph[0].p_paddr = UINT64_MAX - 100;	/* wraps */
	im.eh.e_entry = im.ph[0].p_paddr;
	assert_int_equal(load(&im, sizeof(im), &out), -ERANGE);
	img_init(&im);
	im.ph[0].p_paddr = 0x1000;	/* over the boot area below 1 MiB */
	im.eh.e_entry = 0x1000;
	assert_int_equal(load(&im, sizeof(im), &out), -ERANGE);
	img_init(&im);
	im.ph[0].p_memsz = UINT64_MAX;
	assert_int_equal(load(&im, sizeof(im), &out), -ERANGE);
}

static void test_overlapping_segments(void **state)
{
	struct elf_image out;
	struct img im;

	img_init(&im);
	im.eh.e_phnum = 2;
	im.ph[1] = im.ph[0];
	im.ph[1].p_flags = PF_R | PF_W;
	im.ph[1].p_paddr = MIN_GPA + 2048;	/* inside segment 0 */
	assert_int_equal(load(&im, sizeof(im), &out), -ENOEXEC);
	im.ph[1].p_paddr = MIN_GPA + 4096;	/* right after: fine */
	assert_int_equal(load(&im, sizeof(im), &out), 0);
	assert_int_equal(out.nsegs, 2);
	assert_int_equal(out.highest, MIN_GPA + 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_image, setup),
		cmocka_unit_test_setup(test_truncated, setup),
		cmocka_unit_test_setup(test_bad_headers, setup),
		cmocka_unit_test_setup(test_entry_outside, setup),
		cmocka_unit_test_setup(test_out_of_ram, setup),
		cmocka_unit_test_setup(test_overlapping_segments, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
