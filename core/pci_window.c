// SPDX-License-Identifier: MIT
/*
 * BAR windows (pci_window.h): a KVM memory slot over part of a trapped
 * memory BAR. The BAR stays registered on the MMIO bus whole, so overlap
 * checks and decoding work as for any BAR; KVM resolves accesses inside
 * the window from the slot and never exits for them. The slot number
 * comes from the host's pool of BAR slots (pci_priv.h), like a
 * memory-backed BAR's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "pci"
#include "base/log.h"
#include "core/pci.h"
#include "core/pci_priv.h"
#include "core/pci_window.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/kvm.h"

#define PCI_WINDOW_PAGE	4096ull

struct pci_window {
	struct pci_dev *pd;
	unsigned bar;
	uint64_t off, size;
	void *hva;
	int slot;
	uint64_t gpa;		/* mapped here now, 0: not mapped */
};

static bool pci_window_ranges_meet(uint64_t a, uint64_t alen, uint64_t b,
				   uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The MSI-X table and PBA trap: a window may not cover them. */
static bool pci_window_over_msix(const struct pci_dev *pd, unsigned bar,
				 uint64_t off, uint64_t size)
{
	const struct pci_msix *x = &pd->msix;

	if (!x->off)
		return false;
	if (x->table_bar == bar &&
	    pci_window_ranges_meet(off, size, x->table_off, 16ull * x->nvec))
		return true;
	return x->pba_bar == bar &&
	       pci_window_ranges_meet(off, size, x->pba_off,
				      8ull * ((x->nvec + 63) / 64));
}

/* A free BAR slot, taken; -ENOSPC. Host lock held. */
static int pci_window_slot_get_locked(struct pci_host *host)
{
	for (int s = PCI_MEMSLOT_FIRST; s <= PCI_MEMSLOT_LAST; s++) {
		uint64_t bit = 1ull << (s - PCI_MEMSLOT_FIRST);

		if (!(host->memslots_used & bit)) {
			host->memslots_used |= bit;
			return s;
		}
	}
	return -ENOSPC;
}

struct pci_window *pci_window_create(struct pci_dev *pd, unsigned bar,
				     uint64_t off, uint64_t size, void *hva)
{
	struct pci_window *w;
	const struct pci_bar *b;
	int slot;

	if (!pd || bar >= PCI_MAX_BARS || !hva || !size ||
	    ((uintptr_t)hva | off | size) & (PCI_WINDOW_PAGE - 1)) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	pthread_mutex_lock(&pd->host->lock);
	b = &pd->bars[bar];
	if ((b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64) ||
	    b->backing || off >= b->size || b->size - off < size ||
	    pci_window_over_msix(pd, bar, off, size))
		slot = -EINVAL;
	else
		slot = pci_window_slot_get_locked(pd->host);
	pthread_mutex_unlock(&pd->host->lock);
	if (slot < 0) {
		free(w);
		errno = -slot;
		return NULL;
	}
	*w = (struct pci_window){ .pd = pd, .bar = bar, .off = off,
				  .size = size, .hva = hva, .slot = slot };
	/* Refused by KVM: logged, and the BAR traps whole until it moves. */
	pci_window_follow(w, pci_bar_addr(pd, bar));
	return w;
}

int pci_window_follow(struct pci_window *w, uint64_t bar_addr)
{
	struct kvm_vm *kvm = w->pd->host->vmm->kvm;
	uint64_t gpa = bar_addr ? bar_addr + w->off : 0;
	int ret;

	if (gpa == w->gpa)
		return 0;
	if (w->gpa) {
		kvm_vm_set_memory(kvm, (unsigned)w->slot, w->gpa, 0, w->hva,
				  0);
		w->gpa = 0;
	}
	if (!gpa)
		return 0;
	ret = kvm_vm_set_memory(kvm, (unsigned)w->slot, gpa, w->size, w->hva,
				0);
	if (ret < 0) {
		/* The BAR then traps whole: slower, never wrong. */
		log_guest_warn("%s: BAR%u window at %#" PRIx64 " refused: %s",
			       w->pd->vd ? w->pd->vd->id : "?", w->bar, gpa,
			       strerror(-ret));
		return ret;
	}
	w->gpa = gpa;
	return 0;
}

uint64_t pci_window_gpa(const struct pci_window *w)
{
	return w ? w->gpa : 0;
}

void pci_window_destroy(struct pci_window *w)
{
	struct pci_host *host;

	if (!w)
		return;
	host = w->pd->host;
	pci_window_follow(w, 0);
	pthread_mutex_lock(&host->lock);
	host->memslots_used &= ~(1ull << (w->slot - PCI_MEMSLOT_FIRST));
	pthread_mutex_unlock(&host->lock);
	free(w);
}
