// SPDX-License-Identifier: MIT
/*
 * The fuzz driver for builds without libFuzzer. In order:
 *  1. every file named on the command line, and every file of every
 *     directory named there (the harness's corpus, sorted by name);
 *  2. the harness's own seeds (fuzz_seeds());
 *  3. FUZZ_ITERS inputs (default 20000), half random bytes, half corpus
 *     files and seeds with bytes flipped, inserted, dropped or overwritten
 *     with boundary values, from a fixed PRNG seed (FUZZ_SEED) so a
 *     failure reproduces; FUZZ_SECONDS, if set, ends this phase early.
 * The input being run when a check aborts or a sanitizer reports is
 * written to fuzz-crash-<harness> in the working directory, to replay
 * with `<harness> fuzz-crash-<harness>`.
 *
 * FUZZ_WRITE_SEEDS=DIR writes the seeds into DIR instead (one file each)
 * and exits: that is how the binary corpus files are made.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX	8192		/* mutated and random inputs */
#define FUZZ_FILE_MAX	(1u << 20)	/* corpus files */
#define FUZZ_POOL_MAX	256

static uint64_t fuzz_rng = 0x9e3779b97f4a7c15ull;

/* The corpus files kept for mutation. */
static struct fuzz_seed fuzz_pool[FUZZ_POOL_MAX];
static unsigned fuzz_npool;

/* What runs now, for the crash file. */
static const uint8_t *volatile fuzz_cur;
static volatile size_t fuzz_cur_len;
static char fuzz_crash_path[256];

/* Sanitizers call this before they exit; weak: absent without them. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

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

/* ---- the crash file ---- */

static void fuzz_save_crash(void)
{
	const uint8_t *p = fuzz_cur;
	size_t len = fuzz_cur_len;
	int fd;

	if (!p || !fuzz_crash_path[0])
		return;
	fuzz_cur = NULL;
	fd = open(fuzz_crash_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	if (write(STDERR_FILENO, "fuzz: input saved to ", 21) > 0 &&
	    write(STDERR_FILENO, fuzz_crash_path,
		  strlen(fuzz_crash_path)) > 0 &&
	    write(STDERR_FILENO, "\n", 1) > 0) {
		/* nothing more to say */
	}
}

static void fuzz_on_signal(int sig)
{
	fuzz_save_crash();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void fuzz_crash_setup(const char *argv0)
{
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1
					       : argv0;
	static const int sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };

	snprintf(fuzz_crash_path, sizeof(fuzz_crash_path), "fuzz-crash-%s",
		 base);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], fuzz_on_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(fuzz_save_crash);
}

static void fuzz_run(const uint8_t *data, size_t len)
{
	fuzz_cur_len = len;
	fuzz_cur = data;
	LLVMFuzzerTestOneInput(data, len);
	fuzz_cur = NULL;
}

/* ---- corpus ---- */

/* Run @path; keep a copy for mutation. Returns 1 (one input run). */
static unsigned fuzz_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(FUZZ_FILE_MAX);
	size_t n;

	if (!f || !buf) {
		perror(path);
		exit(2);
	}
	n = fread(buf, 1, FUZZ_FILE_MAX, f);
	fclose(f);
	fuzz_run(buf, n);
	if (fuzz_npool < FUZZ_POOL_MAX) {
		uint8_t *keep = realloc(buf, n ? n : 1);

		fuzz_pool[fuzz_npool++] = (struct fuzz_seed){
			keep ? keep : buf, n, NULL };
	} else {
		free(buf);
	}
	return 1;
}

static int fuzz_visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file of directory @dir, in name order. Returns how many. */
static unsigned fuzz_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, fuzz_visible, alphasort);
	unsigned ran = 0;

	if (n < 0) {
		perror(dir);
		exit(2);
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			ran += fuzz_file(path);
		free(ents[i]);
	}
	free(ents);
	return ran;
}

static unsigned fuzz_arg(const char *arg)
{
	struct stat st;

	if (stat(arg, &st) < 0) {
		perror(arg);
		exit(2);
	}
	return S_ISDIR(st.st_mode) ? fuzz_dir(arg) : fuzz_file(arg);
}

/* FUZZ_WRITE_SEEDS: the seeds as corpus files. */
static int fuzz_write_seeds(const char *dir, const struct fuzz_seed *seeds,
			    unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char path[4096];
		FILE *f;

		if (seeds[i].name)
			snprintf(path, sizeof(path), "%s/%s", dir,
				 seeds[i].name);
		else
			snprintf(path, sizeof(path), "%s/seed-%02u", dir, i);
		f = fopen(path, "wb");
		if (!f || fwrite(seeds[i].data, 1, seeds[i].size, f) !=
				  seeds[i].size || fclose(f)) {
			perror(path);
			return 2;
		}
		printf("%s (%zu bytes)\n", path, seeds[i].size);
	}
	return 0;
}

static double fuzz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *it = getenv("FUZZ_ITERS"), *sd = getenv("FUZZ_SEED");
	const char *secs = getenv("FUZZ_SECONDS");
	const char *wr = getenv("FUZZ_WRITE_SEEDS");
	unsigned long iters = it ? strtoul(it, NULL, 0) : 20000, i;
	double deadline = secs ? fuzz_now() + strtod(secs, NULL) : 0;
	const struct fuzz_seed *seeds;
	unsigned nseeds = fuzz_seeds(&seeds), nfiles = 0;
	static uint8_t buf[FUZZ_MAX];
	int a;

	if (wr)
		return fuzz_write_seeds(wr, seeds, nseeds);
	fuzz_crash_setup(argv[0]);
	if (sd)
		fuzz_rng = strtoull(sd, NULL, 0) | 1;
	for (a = 1; a < argc; a++)
		nfiles += fuzz_arg(argv[a]);
	for (i = 0; i < nseeds; i++)
		fuzz_run(seeds[i].data, seeds[i].size);
	for (i = 0; i < iters; i++) {
		unsigned npick = nseeds + fuzz_npool;
		size_t len;

		if (deadline && !(i & 63) && fuzz_now() > deadline)
			break;
		if (npick && (i & 1)) {
			unsigned k = (unsigned)(fuzz_next() % npick);
			const struct fuzz_seed *s = k < nseeds ? &seeds[k]
				: &fuzz_pool[k - nseeds];

			len = s->size < FUZZ_MAX ? s->size : FUZZ_MAX;
			memcpy(buf, s->data, len);
			len = fuzz_mutate(buf, len);
		} else {
			size_t k;

			len = fuzz_next() % 512;
			for (k = 0; k < len; k++)
				buf[k] = (uint8_t)fuzz_next();
		}
		fuzz_run(buf, len);
	}
	printf("%u corpus files, %u seeds, %lu generated inputs: no crash, "
	       "no sanitizer report\n", nfiles, nseeds, i);
	for (i = 0; i < fuzz_npool; i++)
		free((void *)fuzz_pool[i].data);
	return 0;
}
