/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CPU_KVM_DIRTY_H
#define IOPATH_CPU_KVM_DIRTY_H

/*
 * KVM's dirty-page log on RAM slots: which pages the guest wrote since the
 * last look, what pre-copy migration sends each round. Only writes made
 * through the guest's mappings (and KVM's own) are seen; a process that
 * writes guest RAM through its own mapping (our device models, the
 * switch) must say so elsewhere (core/dirty_log.h).
 *
 * The bitmap is KVM's layout: bit n of 64-bit word n / 64 is the 4 KiB
 * page at slot gpa + n * 4096.
 *
 * With KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 a fetch is KVM_GET_DIRTY_LOG then
 * KVM_CLEAR_DIRTY_LOG of exactly the bits fetched: write protection comes
 * back only for pages the caller is about to copy, and a page written
 * between the two calls was already unprotected, so its content is in
 * the copy that follows. Without the capability KVM_GET_DIRTY_LOG clears
 * and re-protects in one go. (The dirty ring, KVM_CAP_DIRTY_LOG_RING,
 * would spare scanning the bitmap, but must be enabled before the vCPUs
 * exist and harvested per vCPU; for the VM sizes here a bitmap fetch is a
 * few microseconds: MACHINE-NOTES.md.)
 */

#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;

#define KVM_DIRTY_PAGE_SHIFT	12

/* A RAM slot as it was given to kvm_vm_set_memory(). */
struct kvm_dirty_slot {
	unsigned slot;
	uint64_t gpa;
	uint64_t size;		/* a multiple of 4 KiB */
	void *hva;
	bool logging;		/* set by start, cleared by stop */
	bool manual;		/* fetches clear explicitly (see above) */
};

/* 64-bit words a bitmap of @s needs. */
static inline uint64_t kvm_dirty_words(const struct kvm_dirty_slot *s)
{
	return ((s->size >> KVM_DIRTY_PAGE_SHIFT) + 63) / 64;
}

/*
 * Turn logging on for @s (the slot keeps its mapping; only its flags
 * change, which KVM allows while vCPUs run). Every page starts clean and
 * write-protected. 0 or -errno.
 */
int kvm_dirty_start(struct kvm_vm *vm, struct kvm_dirty_slot *s);

/*
 * Fetch the pages of @s written since start or the last fetch into
 * @bitmap (kvm_dirty_words(s) words, overwritten) and clear them in
 * KVM. 0 or -errno.
 */
int kvm_dirty_fetch(struct kvm_vm *vm, struct kvm_dirty_slot *s,
		    uint64_t *bitmap);

/* Turn logging off again (the slot's mapping stays). 0 or -errno. */
int kvm_dirty_stop(struct kvm_vm *vm, struct kvm_dirty_slot *s);

#endif
