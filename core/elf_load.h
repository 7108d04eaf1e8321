/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_ELF_LOAD_H
#define IOPATH_CORE_ELF_LOAD_H

/*
 * Loads a guest image: a static x86-64 ELF executable whose PT_LOAD
 * segments are placed at their physical addresses. Images are untrusted
 * files: every offset and size is checked, and a bad image is refused with
 * a message saying what is wrong, before anything is written to RAM.
 */

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

struct elf_image {
	uint64_t entry;		/* the 64-bit entry point */
	uint64_t lowest;	/* lowest loaded GPA */
	uint64_t highest;	/* end of the highest segment (exclusive) */
	unsigned nsegs;
};

/*
 * Load @len bytes at @buf into @gm. Segments must lie at or above
 * @min_gpa, inside RAM, and not overlap each other; the entry point must be
 * in an executable segment. On error returns -errno (-ENOEXEC for a bad
 * image, -ERANGE for one that does not fit) and writes the reason to @err.
 */
int elf_load(struct guest_mem *gm, const void *buf, size_t len,
	     uint64_t min_gpa, struct elf_image *img, char *err,
	     size_t errlen);

/* Read @path and elf_load() it; logs the reason on failure. */
int elf_load_file(struct guest_mem *gm, const char *path, uint64_t min_gpa,
		  struct elf_image *img);

#endif
