/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_DIRTY_LOG_H
#define IOPATH_CORE_DIRTY_LOG_H

/*
 * Which guest pages changed while a migration copies RAM: KVM's log of
 * the guest's own writes (cpu/kvm_dirty.h) OR-ed with a shared log that
 * every other writer of guest RAM marks: this VMM's device models (the
 * 21140's DMA) and, once the attach protocol hands it over, the switch
 * (pv backend receive, the VF's DMA). KVM cannot see those writes: they
 * come through other mappings of the RAM memfd. The shared log is
 * vhost-user's log base (VHOST_USER_SET_LOG_BASE) in our own layout.
 *
 * The shared log is a memfd the VMM creates, sealed at its size:
 *
 *   offset 0            struct dirty_log_shm (below)
 *   offset bitmap_off   the bitmap: npages bits in 64-bit little-endian
 *                       words; bit n (word n / 64, bit n % 64) is the
 *                       4 KiB page at offset n * 4096 of the guest RAM
 *                       memfd (the attach's regions map GPAs to memfd
 *                       offsets)
 *
 * Writers (dirty_log_view_mark): write guest memory first, then mark the
 * pages with an atomic OR. They may skip marking while `active` is 0;
 * a fence orders their writes before that check (in the VMM's own
 * process, the membarrier() that dirty_log_start() issues stands in for
 * it), and the VMM sets `active` before it copies all of RAM, so a write
 * that skipped marking is in that first copy. The VMM takes each word with an
 * atomic exchange before copying the pages, so a page written meanwhile
 * is marked again for the next round.
 *
 * Every field is read from memory a peer can write: a process that maps a
 * log it did not create checks it with dirty_log_view_map() and then uses
 * only its own copy of the geometry.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guest_mem.h"

#define DIRTY_LOG_MAGIC		0x474f4c44u	/* "DLOG" */
#define DIRTY_LOG_VERSION	1
#define DIRTY_LOG_PAGE_SHIFT	12
#define DIRTY_LOG_BITMAP_OFF	4096u

struct dirty_log_shm {
	uint32_t magic;		/* DIRTY_LOG_MAGIC */
	uint32_t version;	/* DIRTY_LOG_VERSION */
	uint32_t page_shift;	/* DIRTY_LOG_PAGE_SHIFT */
	uint32_t bitmap_off;	/* DIRTY_LOG_BITMAP_OFF */
	uint64_t npages;	/* bits in the bitmap: RAM bytes / 4096 */
	uint32_t active;	/* nonzero while a migration copies RAM */
	uint32_t reserved;
};
_Static_assert(sizeof(struct dirty_log_shm) == 32, "shared layout");

/* Bytes of a log for @npages pages. */
static inline size_t dirty_log_shm_size(uint64_t npages)
{
	return DIRTY_LOG_BITMAP_OFF + (size_t)((npages + 63) / 64) * 8;
}

/* A process's checked view of a log (its own copy of the geometry). */
struct dirty_log_view {
	struct dirty_log_shm *hdr;
	uint64_t *bits;
	uint64_t npages;
	/* The creator's own view when membarrier() works: its writers
	 * need no fence of their own (dirty_log_view_mark). */
	bool fenced_by_starter;
};

/*
 * Check a mapped log of @size bytes at @base (magic, version, geometry
 * inside @size, npages at most @max_pages) and fill @v. 0 or -EINVAL.
 * Header-only, so the switch needs no VMM library for it.
 */
static inline int dirty_log_view_map(struct dirty_log_view *v, void *base,
				     size_t size, uint64_t max_pages)
{
	struct dirty_log_shm h;

	v->hdr = NULL;
	v->fenced_by_starter = false;
	if (!base || size < DIRTY_LOG_BITMAP_OFF)
		return -EINVAL;
	/* One copy of the geometry, checked, then used. */
	__builtin_memcpy(&h, base, sizeof(h));
	if (h.magic != DIRTY_LOG_MAGIC || h.version != DIRTY_LOG_VERSION ||
	    h.page_shift != DIRTY_LOG_PAGE_SHIFT ||
	    h.bitmap_off != DIRTY_LOG_BITMAP_OFF || !h.npages ||
	    h.npages > max_pages || h.npages > UINT64_MAX - 63 ||
	    /* In words of the mapping: no page count overflows this. */
	    (h.npages + 63) / 64 > (size - DIRTY_LOG_BITMAP_OFF) / 8)
		return -EINVAL;
	v->hdr = base;
	v->bits = (uint64_t *)((uint8_t *)base + DIRTY_LOG_BITMAP_OFF);
	v->npages = h.npages;
	return 0;
}

/*
 * Set the bits of pages [off, off + len) of the RAM memfd, whatever
 * `active` says: for a writer that is told when logging runs (the
 * switch, by the attach protocol). Out-of-range parts are ignored. A
 * bit already set costs a load, not a locked OR.
 */
static inline void dirty_log_view_set(const struct dirty_log_view *v,
				      uint64_t off, uint64_t len)
{
	uint64_t first, last;

	if (!len)
		return;
	first = off >> DIRTY_LOG_PAGE_SHIFT;
	if (first >= v->npages)
		return;
	last = (off + len - 1) >> DIRTY_LOG_PAGE_SHIFT;
	if (last >= v->npages || last < first)
		last = v->npages - 1;
	for (uint64_t p = first; p <= last; p++) {
		uint64_t bit = 1ull << (p % 64);

		if (!(__atomic_load_n(&v->bits[p / 64], __ATOMIC_RELAXED) &
		      bit))
			__atomic_fetch_or(&v->bits[p / 64], bit,
					  __ATOMIC_RELEASE);
	}
}

/*
 * A writer's mark: pages [off, off + len) of the RAM memfd were written
 * (call after writing them). Out-of-range parts are ignored.
 */
static inline void dirty_log_view_mark(const struct dirty_log_view *v,
				       uint64_t off, uint64_t len)
{
	if (!v->hdr || !len)
		return;
	/*
	 * Our writes before the check of active (see above). In the
	 * creator's process, dirty_log_start() makes every thread pass a
	 * full barrier (membarrier) after it sets active and before the
	 * first copy, which orders a write that saw active 0 before that
	 * copy: here only the compiler must keep the order. A fence per
	 * descriptor cost the emu receiver 11% of its CPU (perf).
	 */
	if (v->fenced_by_starter)
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&v->hdr->active, __ATOMIC_ACQUIRE))
		return;
	dirty_log_view_set(v, off, len);
}

/*
 * Where [@gpa, @gpa + *@len) of guest RAM @gm is in its memfd: the
 * offset in *@off and *@len clipped to the region @gpa is in. False
 * outside RAM (the writer checked the range against @gm before writing).
 * The bitmap's index for every writer that knows GPAs.
 */
static inline bool dirty_log_gpa_off(const struct guest_mem *gm,
				     uint64_t gpa, uint64_t *len,
				     uint64_t *off)
{
	for (unsigned i = 0; i < gm->nregions; i++) {
		const struct guest_mem_region *r = &gm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size) {
			uint64_t in = gpa - r->gpa;

			if (*len > r->size - in)
				*len = r->size - in;
			*off = r->fd_offset + in;
			return true;
		}
	}
	return false;
}

/*
 * dirty_log_view_set by guest-physical address, through @gm's regions
 * (whose fd_offset must be offsets in the memfd the log covers): for
 * the switch, which is told when logging runs.
 */
static inline void dirty_log_view_set_gpa(const struct dirty_log_view *v,
					  const struct guest_mem *gm,
					  uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (dirty_log_gpa_off(gm, gpa, &len, &off))
		dirty_log_view_set(v, off, len);
}

/*
 * A peer's log (checked by dirty_log_view_map) covers every region of
 * @gm: 0, or -ERANGE with the first page it lacks in @need. A writer
 * refuses a log that does not: it could not mark what it writes.
 */
static inline int dirty_log_view_covers(const struct dirty_log_view *v,
					const struct guest_mem *gm,
					uint64_t *need)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < gm->nregions; i++) {
		const struct guest_mem_region *r = &gm->regions[i];
		/* The page after the region's last byte (size > 0). */
		uint64_t end = ((r->fd_offset + r->size - 1) >>
				DIRTY_LOG_PAGE_SHIFT) + 1;

		if (r->size && end > top)
			top = end;
	}
	*need = top;
	return top <= v->npages ? 0 : -ERANGE;
}

/* ---- the VMM's side ---- */

struct kvm_vm;
struct dirty_log;

/*
 * The log of guest RAM @gm, whose regions are KVM slots @first_slot and
 * up on @kvm: creates the shared memfd (inactive, empty). NULL with
 * errno set.
 */
struct dirty_log *dirty_log_create(const struct guest_mem *gm,
				   struct kvm_vm *kvm, unsigned first_slot);
void dirty_log_destroy(struct dirty_log *dl);

/* The shared memfd, for the attach protocol to hand to the switch. */
int dirty_log_fd(const struct dirty_log *dl);
/* This process's view, for its own writers (vmm_dirty_mark). */
const struct dirty_log_view *dirty_log_own_view(const struct dirty_log *dl);
/* Pages of RAM: bits a caller's bitmap holds. */
uint64_t dirty_log_pages(const struct dirty_log *dl);

/*
 * Start logging: KVM's on every RAM slot, the shared log cleared and
 * active. 0 or -errno (nothing left on).
 */
int dirty_log_start(struct dirty_log *dl);
/*
 * OR every page written since start or the last collect into @bitmap
 * (dirty_log_pages() bits, RAM page index), and clear them at the
 * sources. Returns the number of pages newly set in @bitmap, or -errno.
 */
int64_t dirty_log_collect(struct dirty_log *dl, uint64_t *bitmap);
/* Stop logging (KVM slots back to plain, shared log inactive). */
void dirty_log_stop(struct dirty_log *dl);
bool dirty_log_running(const struct dirty_log *dl);

#endif
