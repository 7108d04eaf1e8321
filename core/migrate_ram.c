// SPDX-License-Identifier: MIT
/* Guest RAM runs in the migration stream (migrate_ram.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/clock.h"
#include "core/migrate_ram.h"

static bool mig_page_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t acc = 0;

	for (unsigned i = 0; i < MIG_PAGE_SIZE / 8; i += 4)
		acc |= w[i] | w[i + 1] | w[i + 2] | w[i + 3];
	return acc == 0;
}

/* Send @n pages copied at @buf, first RAM page @first, as runs that are
 * all zero or all data. */
static int mig_ram_emit(struct mig_stream *s, uint64_t first,
			const uint8_t *buf, unsigned n,
			struct mig_ram_stats *st)
{
	unsigned i = 0;

	while (i < n) {
		bool zero = mig_page_zero(buf + (size_t)i * MIG_PAGE_SIZE);
		unsigned j = i + 1;
		struct mig_ram_run run;
		int ret;

		while (j < n && mig_page_zero(buf + (size_t)j * MIG_PAGE_SIZE)
				== zero)
			j++;
		run = (struct mig_ram_run){
			.first_page = first + i, .npages = j - i,
			.flags = zero ? MIG_RAM_ZERO : 0,
		};
		ret = mig_section_send(s, MIG_SEC_RAM, &run, sizeof(run),
				       zero ? NULL
					    : buf + (size_t)i * MIG_PAGE_SIZE,
				       zero ? 0
					    : (size_t)(j - i) * MIG_PAGE_SIZE);
		if (ret)
			return ret;
		/* Status queries read these from another thread. */
		__atomic_fetch_add(&st->pages, j - i, __ATOMIC_RELAXED);
		__atomic_fetch_add(&st->zero_pages, zero ? j - i : 0,
				   __ATOMIC_RELAXED);
		__atomic_fetch_add(&st->sections, 1, __ATOMIC_RELAXED);
		i = j;
	}
	return 0;
}

int mig_ram_send(struct mig_stream *s, const struct guest_mem *gm,
		 uint64_t *bitmap, struct mig_ram_stats *st)
{
	uint64_t npages = gm->size / MIG_PAGE_SIZE, p = 0;
	/* s->buf is the reader's; a sender uses it as its copy buffer. */
	uint8_t *copy = s->buf;

	while (p < npages) {
		uint64_t first;
		unsigned n = 0;
		int ret;

		if (!bitmap[p / 64]) {
			p = (p / 64 + 1) * 64;
			continue;
		}
		if (!(bitmap[p / 64] & (1ull << (p % 64)))) {
			p++;
			continue;
		}
		if (s->cancel && *s->cancel)
			return -ECANCELED;
		if (s->deadline_ms && clock_mono_ms() >= s->deadline_ms)
			return -ETIME;
		/* A run of dirty pages: take them out of the bitmap and
		 * copy them before anything looks at their content. */
		first = p;
		while (p < npages && n < MIG_RUN_MAX_PAGES &&
		       (bitmap[p / 64] & (1ull << (p % 64)))) {
			bitmap[p / 64] &= ~(1ull << (p % 64));
			p++;
			n++;
		}
		memcpy(copy, gm->base + first * MIG_PAGE_SIZE,
		       (size_t)n * MIG_PAGE_SIZE);
		ret = mig_ram_emit(s, first, copy, n, st);
		if (ret)
			return ret;
	}
	return 0;
}

int mig_ram_apply(struct mig_stream *s, const struct guest_mem *gm,
		  const uint8_t *payload, size_t len, uint64_t *pages)
{
	struct mig_ram_run run;
	const uint8_t *data;
	uint8_t *dst;
	int ret;

	ret = mig_ram_parse(s, payload, len, &run, &data);
	if (ret)
		return ret;
	/* mig_ram_parse bounded the run by the header's RAM, which the
	 * destination matched against its own: still, check ours. */
	if ((run.first_page + run.npages) * MIG_PAGE_SIZE > gm->size)
		return -EPROTO;
	dst = gm->base + run.first_page * MIG_PAGE_SIZE;
	if (run.flags & MIG_RAM_ZERO)
		memset(dst, 0, (size_t)run.npages * MIG_PAGE_SIZE);
	else
		memcpy(dst, data, (size_t)run.npages * MIG_PAGE_SIZE);
	*pages += run.npages;
	return 0;
}
