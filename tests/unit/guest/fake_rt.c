// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <string.h>

#include "fake_rt.h"
#include "rt/alloc.h"
#include "rt/clock.h"

static uint8_t *arena;
static size_t arena_size, arena_used;

void fake_rt_arena(void *base, size_t size)
{
	arena = base;
	arena_size = size;
	arena_used = 0;
}

void *alloc_aligned(size_t size, size_t align)
{
	size_t p = (arena_used + align - 1) & ~(align - 1);

	if (!arena || p + size > arena_size)
		return NULL;
	arena_used = p + size;
	return memset(arena + p, 0, size);
}

void *alloc_zeroed(size_t size)
{
	return alloc_aligned(size, 16);
}

uint64_t clock_ns_to_tsc(uint64_t ns)
{
	return ns;
}
