// SPDX-License-Identifier: MIT
/*
 * The fuzz driver for builds without libFuzzer: FUZZ_ITERS inputs (default
 * 20000), half random bytes, half seeds with bytes flipped, inserted,
 * dropped or overwritten with boundary values, from a fixed PRNG seed
 * (FUZZ_SEED) so a failure reproduces. Files given as arguments are run
 * first (a corpus, or a crash to replay).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX 8192

static uint64_t fuzz_rng = 0x9e3779b97f4a7c15ull;

static uint64_t fuzz_next(void)
{
	fuzz_rng ^= fuzz_rng << 13;
	fuzz_rng ^= fuzz_rng >> 7;
	fuzz_rng ^= fuzz_rng << 17;
	return fuzz_rng;
}

static size_t fuzz_mutate(uint8_t *buf, size_t len)
{
	static const uint32_t edges[] = { 0, 1, 0x7f, 0x80, 0xff, 0xffff,
					  0x7fffffff, 0x80000000u,
					  0xffffffffu };
	unsigned n = 1 + fuzz_next() % 8, i;

	for (i = 0; i < n; i++) {
		size_t at = len ? fuzz_next() % len : 0;
		uint32_t e;

		switch (fuzz_next() % 5) {
		case 0:	/* flip a bit */
			if (len)
				buf[at] ^= 1u << (fuzz_next() % 8);
			break;
		case 1:	/* a boundary value */
			e = edges[fuzz_next() % (sizeof(edges) / sizeof(edges[0]))];
			if (len >= 4 && at <= len - 4)
				memcpy(buf + at, &e, 4);
			break;
		case 2:	/* truncate */
			len = at;
			break;
		case 3:	/* grow with garbage */
			if (len < FUZZ_MAX - 16) {
				unsigned k, g = 1 + fuzz_next() % 16;

				for (k = 0; k < g; k++)
					buf[len++] = (uint8_t)fuzz_next();
			}
			break;
		default:	/* a random byte */
			if (len)
				buf[at] = (uint8_t)fuzz_next();
		}
	}
	return len;
}

static void fuzz_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
}

int main(int argc, char **argv)
{
	const char *it = getenv("FUZZ_ITERS"), *sd = getenv("FUZZ_SEED");
	unsigned long iters = it ? strtoul(it, NULL, 0) : 20000, i;
	const struct fuzz_seed *seeds;
	unsigned nseeds = fuzz_seeds(&seeds);
	static uint8_t buf[FUZZ_MAX];
	int a;

	if (sd)
		fuzz_rng = strtoull(sd, NULL, 0) | 1;
	for (a = 1; a < argc; a++)
		fuzz_file(argv[a]);
	for (i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].size);
	for (i = 0; i < iters; i++) {
		size_t len;

		if (nseeds && (i & 1)) {
			const struct fuzz_seed *s = &seeds[fuzz_next() % nseeds];

			len = s->size < FUZZ_MAX ? s->size : FUZZ_MAX;
			memcpy(buf, s->data, len);
			len = fuzz_mutate(buf, len);
		} else {
			size_t k;

			len = fuzz_next() % 512;
			for (k = 0; k < len; k++)
				buf[k] = (uint8_t)fuzz_next();
		}
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("%lu inputs, %u seeds: no crash, no sanitizer report\n",
	       iters + nseeds + argc - 1, nseeds);
	return 0;
}
