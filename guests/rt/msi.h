/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_MSI_H
#define IOPATH_GUEST_RT_MSI_H

/*
 * MSI and MSI-X (PCI 3.0, 6.8): messages go to one LAPIC in physical
 * destination mode, fixed delivery, edge: address 0xFEE00000 | id << 12,
 * data = vector (SDM vol. 3, 10.11). Enabling either also turns on memory
 * decoding and bus mastering and turns INTx off.
 */
#include <stdint.h>

#include "rt/pci.h"

struct msix {
	const struct pci_dev *dev;
	volatile uint8_t *table;	/* 16 bytes per entry */
	volatile uint8_t *pba;
	unsigned int nvec;
};

/* One vector (multiple-message enable 0). 0 or -ENODEV. */
int msi_enable(const struct pci_dev *d, unsigned int vector, uint32_t apic_id);
void msi_disable(const struct pci_dev *d);

/* Maps the table, enables MSI-X with every entry masked. 0 or -errno. */
int msix_enable(struct msix *m, const struct pci_dev *d);
/* Programs entry and unmasks it. 0 or -EINVAL. */
int msix_vector_set(struct msix *m, unsigned int entry, unsigned int vector,
		    uint32_t apic_id);
void msix_vector_mask(struct msix *m, unsigned int entry);
void msix_disable(struct msix *m);

#endif
