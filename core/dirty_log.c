// SPDX-License-Identifier: MIT
/*
 * The VMM's dirty log (dirty_log.h): KVM's per-slot bitmaps and the
 * shared log, merged into one bitmap by RAM page index.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <linux/memfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOG_SUBSYS "dirty"
#include "base/log.h"
#include "core/dirty_log.h"
#include "core/guest_mem.h"
#include "cpu/kvm_dirty.h"

struct dirty_log {
	int fd;
	size_t map_size;
	struct dirty_log_view view;
	struct kvm_vm *kvm;
	uint64_t npages;
	unsigned nslots;
	struct kvm_dirty_slot slots[GUEST_MEM_MAX_REGIONS];
	uint64_t first_page[GUEST_MEM_MAX_REGIONS];	/* RAM page index */
	uint64_t *scratch;	/* one slot's KVM bitmap */
	bool running;
};

struct dirty_log *dirty_log_create(const struct guest_mem *gm,
				   struct kvm_vm *kvm, unsigned first_slot)
{
	struct dirty_log *dl = calloc(1, sizeof(*dl));
	struct dirty_log_shm *h;
	uint64_t words = 0;
	void *p;
	int err;

	if (!dl)
		return NULL;
	dl->fd = -1;
	dl->kvm = kvm;
	dl->npages = gm->size >> DIRTY_LOG_PAGE_SHIFT;
	if (!dl->npages || gm->nregions > GUEST_MEM_MAX_REGIONS) {
		errno = EINVAL;
		goto fail;
	}
	dl->nslots = gm->nregions;
	for (unsigned i = 0; i < gm->nregions; i++) {
		const struct guest_mem_region *r = &gm->regions[i];

		dl->slots[i] = (struct kvm_dirty_slot){
			.slot = first_slot + i, .gpa = r->gpa,
			.size = r->size, .hva = r->hva,
		};
		dl->first_page[i] = r->fd_offset >> DIRTY_LOG_PAGE_SHIFT;
		if (kvm_dirty_words(&dl->slots[i]) > words)
			words = kvm_dirty_words(&dl->slots[i]);
	}
	dl->scratch = calloc(words, sizeof(uint64_t));
	if (!dl->scratch)
		goto fail;
	dl->map_size = dirty_log_shm_size(dl->npages);
	dl->fd = memfd_create("iopath-dirty-log",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (dl->fd < 0 || ftruncate(dl->fd, (off_t)dl->map_size) < 0)
		goto fail;
	/* The switch maps it too: it must not shrink under anyone. */
	if (fcntl(dl->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		log_warn("cannot seal the dirty log: %s", strerror(errno));
	p = mmap(NULL, dl->map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dl->fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	h = p;
	*h = (struct dirty_log_shm){
		.magic = DIRTY_LOG_MAGIC, .version = DIRTY_LOG_VERSION,
		.page_shift = DIRTY_LOG_PAGE_SHIFT,
		.bitmap_off = DIRTY_LOG_BITMAP_OFF, .npages = dl->npages,
	};
	if (dirty_log_view_map(&dl->view, p, dl->map_size, dl->npages) < 0) {
		munmap(p, dl->map_size);
		errno = EINVAL;
		goto fail;
	}
	/* Without it, writers keep a fence each (dirty_log_view_mark). */
	dl->view.fenced_by_starter =
		syscall(SYS_membarrier,
			MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
	return dl;
fail:
	err = errno;
	dirty_log_destroy(dl);
	errno = err;
	return NULL;
}

void dirty_log_destroy(struct dirty_log *dl)
{
	if (!dl)
		return;
	dirty_log_stop(dl);
	if (dl->view.hdr)
		munmap(dl->view.hdr, dl->map_size);
	if (dl->fd >= 0)
		close(dl->fd);
	free(dl->scratch);
	free(dl);
}

int dirty_log_fd(const struct dirty_log *dl)
{
	return dl->fd;
}

const struct dirty_log_view *dirty_log_own_view(const struct dirty_log *dl)
{
	return &dl->view;
}

uint64_t dirty_log_pages(const struct dirty_log *dl)
{
	return dl->npages;
}

bool dirty_log_running(const struct dirty_log *dl)
{
	return dl->running;
}

int dirty_log_start(struct dirty_log *dl)
{
	int ret;

	if (dl->running)
		return -EBUSY;
	memset(dl->view.bits, 0, ((dl->npages + 63) / 64) * 8);
	for (unsigned i = 0; i < dl->nslots; i++) {
		ret = kvm_dirty_start(dl->kvm, &dl->slots[i]);
		if (ret < 0) {
			while (i-- > 0)
				kvm_dirty_stop(dl->kvm, &dl->slots[i]);
			return ret;
		}
	}
	/* Before the caller's first full copy (dirty_log.h). */
	__atomic_store_n(&dl->view.hdr->active, 1, __ATOMIC_SEQ_CST);
	if (dl->view.fenced_by_starter &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0,
		    0) < 0) {
		ret = -errno;
		log_err("membarrier: %s: not logging", strerror(errno));
		__atomic_store_n(&dl->view.hdr->active, 0, __ATOMIC_SEQ_CST);
		for (unsigned i = 0; i < dl->nslots; i++)
			kvm_dirty_stop(dl->kvm, &dl->slots[i]);
		return ret;
	}
	dl->running = true;
	return 0;
}

/* OR @n bits of @src into @bitmap from bit @first; count the new ones. */
static uint64_t dirty_log_or_bits(uint64_t *bitmap, uint64_t first,
				  const uint64_t *src, uint64_t n)
{
	uint64_t added = 0;

	for (uint64_t w = 0; w < (n + 63) / 64; w++) {
		uint64_t v = src[w];

		if (w == n / 64 && n % 64)
			v &= (1ull << (n % 64)) - 1;
		while (v) {
			unsigned b = (unsigned)__builtin_ctzll(v);
			uint64_t p = first + w * 64 + b;
			uint64_t bit = 1ull << (p % 64);

			v &= v - 1;
			if (!(bitmap[p / 64] & bit)) {
				bitmap[p / 64] |= bit;
				added++;
			}
		}
	}
	return added;
}

int64_t dirty_log_collect(struct dirty_log *dl, uint64_t *bitmap)
{
	uint64_t added = 0, words = (dl->npages + 63) / 64;
	int ret;

	if (!dl->running)
		return -EINVAL;
	for (unsigned i = 0; i < dl->nslots; i++) {
		const struct kvm_dirty_slot *s = &dl->slots[i];

		ret = kvm_dirty_fetch(dl->kvm, &dl->slots[i], dl->scratch);
		if (ret < 0) {
			log_err("slot %u: KVM_GET_DIRTY_LOG: %s", s->slot,
				strerror(-ret));
			return ret;
		}
		added += dirty_log_or_bits(bitmap, dl->first_page[i],
					   dl->scratch,
					   s->size >> DIRTY_LOG_PAGE_SHIFT);
	}
	for (uint64_t w = 0; w < words; w++) {
		uint64_t v;

		/* A cheap look first: most words are clean. */
		if (!__atomic_load_n(&dl->view.bits[w], __ATOMIC_RELAXED))
			continue;
		v = __atomic_exchange_n(&dl->view.bits[w], 0,
					__ATOMIC_ACQUIRE);
		added += (uint64_t)__builtin_popcountll(v & ~bitmap[w]);
		bitmap[w] |= v;
	}
	return (int64_t)added;
}

void dirty_log_stop(struct dirty_log *dl)
{
	if (!dl->running)
		return;
	__atomic_store_n(&dl->view.hdr->active, 0, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < dl->nslots; i++)
		kvm_dirty_stop(dl->kvm, &dl->slots[i]);
	dl->running = false;
}
