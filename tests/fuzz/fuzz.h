/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_FUZZ_H
#define IOPATH_TESTS_FUZZ_H

/*
 * Fuzz harnesses for everything a guest or a peer process can feed us.
 * Each harness defines LLVMFuzzerTestOneInput() and its seeds. Built with
 * clang and -DIOPATH_LIBFUZZER=ON they are libFuzzer targets; in the
 * normal build fuzz_main.c drives them instead: a bounded, reproducible
 * run over the harness's corpus (tests/fuzz/corpus/<harness>/), its
 * seeds, random inputs and mutations of both (ctest label "fuzz"), so
 * every CI run exercises them under the sanitizers too.
 *
 * Most harnesses read their input as a stream of operations (fuzz_in
 * below): running out of input reads zeros, so every byte string is a
 * valid program and a mutation anywhere still means something.
 */

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_seed {
	const void *data;
	size_t size;
	const char *name;	/* file name in the corpus; NULL: seed-NN */
};

/*
 * The harness's valid inputs, mutated by the driver. May return 0. The
 * driver writes them into a corpus directory when FUZZ_WRITE_SEEDS=DIR
 * is set, which is how the binary seeds in tests/fuzz/corpus/ are made.
 */
unsigned fuzz_seeds(const struct fuzz_seed **seeds);

/* ---- reading an input as operations ---- */

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->n > 0;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)(fuzz_u8(in) | fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return fuzz_u16(in) | (uint32_t)fuzz_u16(in) << 16;
}

/* Up to @max bytes of the input itself (fewer at its end). */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t max,
					size_t *got)
{
	const uint8_t *p = in->p;

	*got = max < in->n ? max : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

/* ---- writing seeds in the same encoding ---- */

struct fuzz_out {
	uint8_t *buf;
	size_t len, cap;
};

static inline void fuzz_put8(struct fuzz_out *o, uint8_t v)
{
	if (o->len < o->cap)
		o->buf[o->len++] = v;
}

static inline void fuzz_put16(struct fuzz_out *o, uint16_t v)
{
	fuzz_put8(o, (uint8_t)v);
	fuzz_put8(o, (uint8_t)(v >> 8));
}

static inline void fuzz_put32(struct fuzz_out *o, uint32_t v)
{
	fuzz_put16(o, (uint16_t)v);
	fuzz_put16(o, (uint16_t)(v >> 16));
}

static inline void fuzz_putmem(struct fuzz_out *o, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fuzz_put8(o, ((const uint8_t *)p)[i]);
}

/* Seeds made by code: each maker writes one into its own buffer. */
#define FUZZ_SEED_MAX	2048

struct fuzz_maker {
	const char *name;
	void (*make)(struct fuzz_out *o);
};

static inline unsigned fuzz_make_seeds(const struct fuzz_maker *mk,
				       unsigned n,
				       const struct fuzz_seed **out)
{
	static struct fuzz_seed *seeds;

	if (!seeds) {
		seeds = calloc(n, sizeof(*seeds));
		if (!seeds)
			abort();
		for (unsigned i = 0; i < n; i++) {
			struct fuzz_out o = { malloc(FUZZ_SEED_MAX), 0,
					      FUZZ_SEED_MAX };

			if (!o.buf)
				abort();
			mk[i].make(&o);
			seeds[i] = (struct fuzz_seed){ o.buf, o.len,
						       mk[i].name };
		}
	}
	*out = seeds;
	return n;
}

/* ---- file descriptors ---- */

/*
 * Open descriptors of this process: the same before and after an input,
 * or the code under test leaked one. (Counting, not the lowest free
 * number: libFuzzer opens its own files between inputs.)
 */
static inline int fuzz_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		abort();
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- memory a device may only touch inside ---- */

/*
 * @size bytes (a multiple of the page size) between two inaccessible
 * pages, so a read or write just outside faults even without ASan. The
 * mapping lives as long as the process: harnesses keep one and zero it
 * with fuzz_guarded_zero() between inputs.
 */
static inline uint8_t *fuzz_guarded_alloc(size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *p = mmap(NULL, size + 2 * pg, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + pg, size, PROT_READ | PROT_WRITE))
		abort();
	return p + pg;
}

/* Fresh zero pages (cheap: untouched pages cost nothing). */
static inline void fuzz_guarded_zero(uint8_t *p, size_t size)
{
	if (madvise(p, size, MADV_DONTNEED))
		memset(p, 0, size);
}

#endif
