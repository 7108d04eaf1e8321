/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_MIGRATE_RAM_H
#define IOPATH_CORE_MIGRATE_RAM_H

/*
 * Guest RAM in the migration stream (migrate_stream.h, MIG_SEC_RAM):
 * pages named by their RAM page index (memfd offset / 4096, the index of
 * core/dirty_log.h), sent as runs of up to MIG_RUN_MAX_PAGES contiguous
 * pages, a run of zero pages as a flag without data.
 */

#include <stdint.h>

#include "core/migrate_stream.h"

/* Updated with relaxed atomics: another thread may read them. */
struct mig_ram_stats {
	uint64_t pages;		/* pages sent, zero ones included */
	uint64_t zero_pages;
	uint64_t sections;
};

/*
 * Send every page set in @bitmap (RAM page index, gm->size / 4096 bits),
 * clearing the bits as they go. Pages are copied out of RAM before they
 * are checksummed, so a guest writing meanwhile cannot make a section's
 * CRC wrong (its page is dirty again, for the next round). Counts are
 * added to @st. 0 or -errno (s->err says why; -ECANCELED on cancel).
 */
int mig_ram_send(struct mig_stream *s, const struct guest_mem *gm,
		 uint64_t *bitmap, struct mig_ram_stats *st);

/*
 * Write one RAM section (already read by mig_section_recv) into @gm,
 * whose size the header matched. Adds the pages to *@pages. 0 or -EPROTO
 * with s->err.
 */
int mig_ram_apply(struct mig_stream *s, const struct guest_mem *gm,
		  const uint8_t *payload, size_t len, uint64_t *pages);

#endif
