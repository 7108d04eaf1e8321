/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_FAKE_RT_H
#define IOPATH_TESTS_FAKE_RT_H
/*
 * The guest runtime's allocator and clock for host-side tests of guest
 * drivers: a bump allocator over memory the test provides (where the
 * driver's pointers must land: below 4 GiB, or a model's guest memory),
 * and 1 TSC tick = 1 ns, so the drivers' timeouts are only shorter.
 */
#include <stddef.h>

/* Allocate from [@base, @base + @size) from now on, from its start. */
void fake_rt_arena(void *base, size_t size);

#endif
