// SPDX-License-Identifier: MIT
#include "rt/pci.h"

#include "rt/errno.h"
#include "rt/io.h"
#include "rt/lock.h"
#include "rt/string.h"

#define PCI_CFG_ADDR		0xcf8
#define PCI_CFG_DATA		0xcfc
#define PCI_CFG_ENABLE		0x80000000u
#define PCI_HDR_MULTIFN		0x80
#define PCI_BAR_IO_BIT		0x1
#define PCI_BAR_MEM_TYPE64	0x4
#define PCI_BAR_MEM_PREFETCH	0x8

/* The address/data pair is not atomic; one lock for all CPUs. */
static struct spinlock pci_lock;

uint32_t pci_cfg_read(uint16_t bdf, unsigned int off, unsigned int size)
{
	uint16_t port = (uint16_t)(PCI_CFG_DATA + (off & 3));
	uint32_t v;

	spin_lock(&pci_lock);
	outl(PCI_CFG_ADDR, PCI_CFG_ENABLE | (uint32_t)bdf << 8 | (off & 0xfc));
	if (size == 1)
		v = inb(port);
	else if (size == 2)
		v = inw(port);
	else
		v = inl(port);
	spin_unlock(&pci_lock);
	return v;
}

void pci_cfg_write(uint16_t bdf, unsigned int off, unsigned int size,
		   uint32_t v)
{
	uint16_t port = (uint16_t)(PCI_CFG_DATA + (off & 3));

	spin_lock(&pci_lock);
	outl(PCI_CFG_ADDR, PCI_CFG_ENABLE | (uint32_t)bdf << 8 | (off & 0xfc));
	if (size == 1)
		outb(port, (uint8_t)v);
	else if (size == 2)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
	spin_unlock(&pci_lock);
}

uint8_t pci_cap_find(uint16_t bdf, uint8_t id)
{
	uint8_t ptr;
	int guard = 48;		/* a looping list must not hang us */

	if (!(pci_cfg_read(bdf, PCI_REG_STATUS, 2) & PCI_STATUS_CAPS))
		return 0;
	ptr = (uint8_t)pci_cfg_read(bdf, PCI_REG_CAP_PTR, 1) & 0xfc;
	while (ptr >= 0x40 && guard--) {
		if (pci_cfg_read(bdf, ptr, 1) == id)
			return ptr;
		ptr = (uint8_t)pci_cfg_read(bdf, ptr + 1u, 1) & 0xfc;
	}
	return 0;
}

/* Sizes BAR i (PCI 3.0, 6.2.5.1); returns how many BAR slots it used. */
static unsigned int pci_bar_size(uint16_t bdf, unsigned int i,
				 unsigned int nbars, struct pci_bar *b)
{
	unsigned int off = PCI_REG_BAR0 + 4 * i;
	uint32_t orig = pci_cfg_read(bdf, off, 4), mask, orig_hi, mask_hi;
	uint64_t m64;

	pci_cfg_write(bdf, off, 4, 0xffffffffu);
	mask = pci_cfg_read(bdf, off, 4);
	pci_cfg_write(bdf, off, 4, orig);
	memset(b, 0, sizeof(*b));
	if (mask == 0 || mask == 0xffffffffu)
		return 1;	/* unimplemented (or a broken device) */
	if (orig & PCI_BAR_IO_BIT) {
		b->type = PCI_BAR_IO;
		b->addr = orig & ~3u;
		b->size = (uint16_t)(~(mask & ~3u) + 1);
		return 1;
	}
	b->prefetch = orig & PCI_BAR_MEM_PREFETCH;
	if ((orig & 0x6) == PCI_BAR_MEM_TYPE64 && i + 1 < nbars) {
		orig_hi = pci_cfg_read(bdf, off + 4, 4);
		pci_cfg_write(bdf, off + 4, 4, 0xffffffffu);
		mask_hi = pci_cfg_read(bdf, off + 4, 4);
		pci_cfg_write(bdf, off + 4, 4, orig_hi);
		b->type = PCI_BAR_MEM64;
		b->addr = (uint64_t)orig_hi << 32 | (orig & ~0xfu);
		m64 = (uint64_t)mask_hi << 32 | (mask & ~0xfu);
		b->size = ~m64 + 1;
		return 2;
	}
	b->type = PCI_BAR_MEM32;
	b->addr = orig & ~0xfu;
	b->size = (uint32_t)(~(mask & ~0xfu) + 1);
	return 1;
}

static void pci_dev_read(uint16_t bdf, uint8_t hdr, struct pci_dev *d)
{
	unsigned int nbars, i;
	uint16_t cmd;

	memset(d, 0, sizeof(*d));
	d->bdf = bdf;
	d->vendor = (uint16_t)pci_cfg_read(bdf, PCI_REG_VENDOR, 2);
	d->device = (uint16_t)pci_cfg_read(bdf, PCI_REG_DEVICE, 2);
	d->class = pci_cfg_read(bdf, PCI_REG_REVISION, 4) >> 8;
	d->revision = (uint8_t)pci_cfg_read(bdf, PCI_REG_REVISION, 1);
	d->hdr_type = hdr & 0x7f;
	d->irq_pin = (uint8_t)pci_cfg_read(bdf, PCI_REG_IRQ_PIN, 1);
	d->msi_cap = pci_cap_find(bdf, PCI_CAP_MSI);
	d->msix_cap = pci_cap_find(bdf, PCI_CAP_MSIX);

	nbars = d->hdr_type == 0 ? 6 : d->hdr_type == 1 ? 2 : 0;
	if (!nbars)
		return;
	/* Decoding off while a BAR briefly holds all-ones (PCI 3.0, 6.2.5.1). */
	cmd = (uint16_t)pci_cfg_read(bdf, PCI_REG_COMMAND, 2);
	pci_cfg_write(bdf, PCI_REG_COMMAND, 2,
		      cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (i = 0; i < nbars;)
		i += pci_bar_size(bdf, i, nbars, &d->bar[i]);
	pci_cfg_write(bdf, PCI_REG_COMMAND, 2, cmd);
}

int pci_scan(struct pci_dev *devs, int max)
{
	unsigned int dev, fn, nfn;
	int n = 0;

	for (dev = 0; dev < 32; dev++) {
		nfn = 1;
		for (fn = 0; fn < nfn; fn++) {
			uint16_t bdf = pci_bdf(0, dev, fn);
			uint8_t hdr;

			if (pci_cfg_read(bdf, PCI_REG_VENDOR, 2) == 0xffff)
				continue;
			hdr = (uint8_t)pci_cfg_read(bdf, PCI_REG_HDR_TYPE, 1);
			if (fn == 0 && (hdr & PCI_HDR_MULTIFN))
				nfn = 8;
			if (n < max)
				pci_dev_read(bdf, hdr, &devs[n]);
			n++;
		}
	}
	return n < max ? n : max;
}

int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	unsigned int dev, fn, nfn;

	for (dev = 0; dev < 32; dev++) {
		nfn = 1;
		for (fn = 0; fn < nfn; fn++) {
			uint16_t bdf = pci_bdf(0, dev, fn);
			uint32_t id = pci_cfg_read(bdf, PCI_REG_VENDOR, 4);
			uint8_t hdr;

			if ((id & 0xffff) == 0xffff)
				continue;
			hdr = (uint8_t)pci_cfg_read(bdf, PCI_REG_HDR_TYPE, 1);
			if (fn == 0 && (hdr & PCI_HDR_MULTIFN))
				nfn = 8;
			if (id == ((uint32_t)device << 16 | vendor)) {
				pci_dev_read(bdf, hdr, out);
				return 0;
			}
		}
	}
	return -ENODEV;
}

void pci_enable(const struct pci_dev *d, uint16_t bits)
{
	uint16_t cmd = (uint16_t)pci_cfg_read(d->bdf, PCI_REG_COMMAND, 2);

	pci_cfg_write(d->bdf, PCI_REG_COMMAND, 2, cmd | bits);
}

volatile void *pci_bar_map(const struct pci_dev *d, unsigned int bar)
{
	const struct pci_bar *b;

	if (bar >= PCI_MAX_BARS)
		return NULL;
	b = &d->bar[bar];
	if (b->type != PCI_BAR_MEM32 && b->type != PCI_BAR_MEM64)
		return NULL;
	return (volatile void *)(uintptr_t)b->addr;
}
