/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_FUZZ_H
#define IOPATH_TESTS_FUZZ_H

/*
 * Fuzz harnesses for everything a guest or a peer process can feed us.
 * Each harness defines LLVMFuzzerTestOneInput() and its seeds. Built with
 * clang and -DIOPATH_LIBFUZZER=ON they are libFuzzer targets; in the
 * normal build fuzz_main.c drives them instead: a bounded, reproducible
 * run of random inputs and mutations of the seeds (ctest label "fuzz"),
 * so every CI run exercises them under the sanitizers too.
 */

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_seed {
	const void *data;
	size_t size;
};

/* The harness's valid inputs, mutated by the driver. May return 0. */
unsigned fuzz_seeds(const struct fuzz_seed **seeds);

#endif
