/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_PCI_WINDOW_H
#define IOPATH_CORE_PCI_WINDOW_H

/*
 * A window of a memory BAR served by host memory: part of the BAR is a
 * KVM memory slot at the BAR's address + offset, so the guest's loads and
 * stores there cause no exit at all, while the rest of the BAR traps to
 * the model as usual (the 82576 VF's queue-register pages, which the NIC
 * model in another process shares, inside a BAR whose other pages have
 * side effects). pci_bar_set_backing() is the whole-BAR case.
 *
 * The window follows the BAR: the model calls pci_window_follow() with
 * the BAR's new address from its BAR-moved callback (pci.h), and the slot
 * is moved, or removed while the BAR does not decode. Those callbacks run
 * serialised with config writes, so the window is never at two places.
 */

#include <stdint.h>

struct pci_dev;
struct pci_window;

/*
 * Bytes [@off, @off + @size) of memory BAR @bar of @pd served by @hva
 * (page-aligned, @size bytes, outliving the window); mapped now if the
 * BAR decodes. Not over the MSI-X table or PBA, which must trap. NULL
 * with errno: EINVAL (not a memory BAR, not whole pages, outside the
 * BAR, over MSI-X) or ENOSPC (no free KVM slot). If KVM refuses the
 * slot the window exists unmapped and the BAR traps whole meanwhile.
 */
struct pci_window *pci_window_create(struct pci_dev *pd, unsigned bar,
				     uint64_t off, uint64_t size, void *hva);
/* The BAR now decodes at @bar_addr (0: not at all). 0 or -errno. */
int pci_window_follow(struct pci_window *w, uint64_t bar_addr);
/* Where the window is in the guest now, 0 when not mapped. */
uint64_t pci_window_gpa(const struct pci_window *w);
/* Remove the slot and free its number. NULL is fine. */
void pci_window_destroy(struct pci_window *w);

#endif
