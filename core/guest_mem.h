/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_GUEST_MEM_H
#define IOPATH_CORE_GUEST_MEM_H

/*
 * Guest RAM: one memfd (hugetlb when the pool has pages), mapped once into
 * this process, laid out as DESIGN.md says: RAM from GPA 0 up to 3 GiB, the
 * rest from 4 GiB up. guest_mem_ptr() is the one checked GPA-to-host
 * translation that every device and loader uses.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_LOW_LIMIT	0xC0000000ull	/* 3 GiB: PCI hole above */
#define GUEST_MEM_HIGH_BASE	0x100000000ull	/* 4 GiB */
#define GUEST_MEM_MAX		(64ull << 30)	/* refuse more than this */
#define GUEST_MEM_MAX_REGIONS	2

struct guest_mem_region {
	uint64_t gpa;		/* first guest-physical address */
	uint64_t size;		/* bytes */
	uint64_t fd_offset;	/* where it starts in the memfd */
	uint8_t *hva;		/* where it is mapped in this process */
};

struct guest_mem {
	int fd;			/* the memfd; shareable with other processes */
	uint64_t size;		/* total RAM bytes */
	uint8_t *base;		/* the whole memfd mapped here */
	bool hugetlb;
	unsigned nregions;
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
};

/*
 * Create @size bytes of guest RAM (a multiple of 2 MiB, at most
 * GUEST_MEM_MAX). Tries MFD_HUGETLB first unless @no_huge. Returns 0 or
 * -errno (-EINVAL for a bad size, -ENOMEM when it cannot be had).
 */
int guest_mem_create(struct guest_mem *gm, uint64_t size, bool no_huge);
void guest_mem_destroy(struct guest_mem *gm);

/*
 * Lay out @size bytes over an existing mapping (unit tests, or a process
 * that received the memfd). Does not take ownership of @base.
 */
void guest_mem_layout(struct guest_mem *gm, uint8_t *base, uint64_t size);

/*
 * Host pointer for [gpa, gpa+len) if the whole range lies in one RAM
 * region, else NULL. Overflow-safe; len 0 is refused.
 */
void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len);

/* Copy to or from guest RAM. Return 0 or -EFAULT if out of range. */
int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *dst,
		   uint64_t len);
int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *src,
		    uint64_t len);

#endif
