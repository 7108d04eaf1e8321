/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_PCI_H
#define IOPATH_GUEST_RT_PCI_H

/*
 * PCI on bus 0 through configuration mechanism #1 (ports 0xCF8/0xCFC,
 * PCI Local Bus spec 3.0, 3.2.2.3.2). Every access is two port exits.
 */
#include <stdbool.h>
#include <stdint.h>

#define PCI_MAX_BARS		6
#define PCI_MAX_DEVS		64

#define PCI_REG_VENDOR		0x00
#define PCI_REG_DEVICE		0x02
#define PCI_REG_COMMAND		0x04
#define PCI_REG_STATUS		0x06
#define PCI_REG_REVISION	0x08
#define PCI_REG_HDR_TYPE	0x0e
#define PCI_REG_BAR0		0x10
#define PCI_REG_CAP_PTR		0x34
#define PCI_REG_IRQ_LINE	0x3c
#define PCI_REG_IRQ_PIN		0x3d

#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEM		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_INTX_DISABLE	0x0400
#define PCI_STATUS_CAPS		0x0010

#define PCI_CAP_MSI		0x05
#define PCI_CAP_MSIX		0x11

enum pci_bar_type {
	PCI_BAR_NONE,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
};

struct pci_bar {
	uint64_t addr;
	uint64_t size;
	uint8_t type;		/* enum pci_bar_type */
	bool prefetch;
};

struct pci_dev {
	uint16_t bdf;		/* bus << 8 | dev << 3 | fn */
	uint16_t vendor;
	uint16_t device;
	uint8_t revision;
	uint8_t hdr_type;	/* without the multifunction bit */
	uint32_t class;		/* class << 16 | subclass << 8 | prog-if */
	uint8_t irq_pin;
	uint8_t msi_cap;	/* config offset; 0: none */
	uint8_t msix_cap;
	struct pci_bar bar[PCI_MAX_BARS];
};

static inline uint16_t pci_bdf(unsigned int bus, unsigned int dev,
			       unsigned int fn)
{
	return (uint16_t)(bus << 8 | dev << 3 | fn);
}

/* size: 1, 2 or 4; off must be aligned to it. */
uint32_t pci_cfg_read(uint16_t bdf, unsigned int off, unsigned int size);
void pci_cfg_write(uint16_t bdf, unsigned int off, unsigned int size,
		   uint32_t v);

/*
 * Enumerates bus 0 into devs (up to max), BARs sized by the write-ones
 * dance with decoding off and every register restored. Returns the count.
 */
int pci_scan(struct pci_dev *devs, int max);
/* First function with this ID into *out: 0 or -ENODEV. */
int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);
/* Config offset of capability id, 0 if absent. */
uint8_t pci_cap_find(uint16_t bdf, uint8_t id);
/* Sets bits in the command register (PCI_CMD_*). */
void pci_enable(const struct pci_dev *d, uint16_t bits);
/* A memory BAR as a pointer (RAM and the PCI window are identity-mapped
 * and user-accessible), NULL for I/O or absent BARs. */
volatile void *pci_bar_map(const struct pci_dev *d, unsigned int bar);

#endif
