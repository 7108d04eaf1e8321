// SPDX-License-Identifier: MIT
#include "rt/alloc.h"

#include "rt/lock.h"
#include "rt/string.h"

static uint64_t alloc_next, alloc_end;
static struct spinlock alloc_lock;

void alloc_init(const struct iopath_boot_info *bi)
{
	uint32_t i;

	alloc_next = bi->free_start;
	alloc_end = bi->free_start;
	for (i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		const struct iopath_boot_mem *m = &bi->mem[i];

		if (m->type == BOOT_MEM_RAM && m->base <= bi->free_start &&
		    bi->free_start < m->base + m->size)
			alloc_end = m->base + m->size;
	}
}

void *alloc_aligned(size_t size, size_t align)
{
	uint64_t p;

	if (align == 0 || (align & (align - 1)))
		return NULL;
	spin_lock(&alloc_lock);
	p = (alloc_next + align - 1) & ~(uint64_t)(align - 1);
	if (p < alloc_next || p > alloc_end || alloc_end - p < size) {
		spin_unlock(&alloc_lock);
		return NULL;
	}
	alloc_next = p + size;
	spin_unlock(&alloc_lock);
	return memset((void *)(uintptr_t)p, 0, size);
}

void *alloc_zeroed(size_t size)
{
	return alloc_aligned(size, 16);
}

uint64_t alloc_avail(void)
{
	return alloc_end - alloc_next;
}
