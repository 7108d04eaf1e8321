/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_ALLOC_H
#define IOPATH_GUEST_RT_ALLOC_H

/*
 * A bump allocator over the free RAM after the image (boot_info.free_start
 * to the end of its RAM region). Memory is identity-mapped, so a pointer
 * is also the guest-physical address a device DMAs to (alloc_phys).
 * Nothing is freed: guest programs allocate rings and buffers once.
 * Thread-safe.
 */
#include <stddef.h>
#include <stdint.h>

#include "include/boot_info.h"

void alloc_init(const struct iopath_boot_info *bi);
/* align: a power of two. NULL when out of memory. Zeroed. */
void *alloc_aligned(size_t size, size_t align);
void *alloc_zeroed(size_t size);
/* Bytes still free. */
uint64_t alloc_avail(void);

static inline uint64_t alloc_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif
