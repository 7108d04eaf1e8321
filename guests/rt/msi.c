// SPDX-License-Identifier: MIT
#include "rt/msi.h"

#include <stddef.h>

#include "kernel/kcpu.h"
#include "rt/errno.h"
#include "rt/io.h"

#define MSI_CTRL		0x02
#define MSI_CTRL_ENABLE		0x0001
#define MSI_CTRL_MME_MASK	0x0070
#define MSI_CTRL_64BIT		0x0080
#define MSI_CTRL_PVM		0x0100
#define MSI_ADDR_LO		0x04
#define MSI_ADDR_HI		0x08

#define MSIX_CTRL		0x02
#define MSIX_CTRL_SIZE_MASK	0x07ff
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_TABLE		0x04
#define MSIX_PBA		0x08
#define MSIX_BIR_MASK		0x7

#define MSIX_ENTRY_SIZE		16
#define MSIX_ENTRY_ADDR_LO	0x0
#define MSIX_ENTRY_ADDR_HI	0x4
#define MSIX_ENTRY_DATA		0x8
#define MSIX_ENTRY_CTRL		0xc
#define MSIX_ENTRY_MASKED	0x1

static uint32_t msi_addr(uint32_t apic_id)
{
	return LAPIC_BASE | (apic_id & 0xff) << 12;
}

static void msi_dev_prepare(const struct pci_dev *d)
{
	pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
}

int msi_enable(const struct pci_dev *d, unsigned int vector, uint32_t apic_id)
{
	unsigned int cap = d->msi_cap;
	uint16_t ctrl;
	unsigned int data_off, mask_off;

	if (!cap)
		return -ENODEV;
	msi_dev_prepare(d);
	ctrl = (uint16_t)pci_cfg_read(d->bdf, cap + MSI_CTRL, 2);
	ctrl &= ~(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK);
	pci_cfg_write(d->bdf, cap + MSI_CTRL, 2, ctrl);
	pci_cfg_write(d->bdf, cap + MSI_ADDR_LO, 4, msi_addr(apic_id));
	if (ctrl & MSI_CTRL_64BIT) {
		pci_cfg_write(d->bdf, cap + MSI_ADDR_HI, 4, 0);
		data_off = 0x0c;
		mask_off = 0x10;
	} else {
		data_off = 0x08;
		mask_off = 0x0c;
	}
	pci_cfg_write(d->bdf, cap + data_off, 2, vector & 0xff);
	if (ctrl & MSI_CTRL_PVM)
		pci_cfg_write(d->bdf, cap + mask_off, 4, 0);
	pci_cfg_write(d->bdf, cap + MSI_CTRL, 2, ctrl | MSI_CTRL_ENABLE);
	return 0;
}

void msi_disable(const struct pci_dev *d)
{
	uint16_t ctrl;

	if (!d->msi_cap)
		return;
	ctrl = (uint16_t)pci_cfg_read(d->bdf, d->msi_cap + MSI_CTRL, 2);
	pci_cfg_write(d->bdf, d->msi_cap + MSI_CTRL, 2,
		      ctrl & ~MSI_CTRL_ENABLE);
}

static volatile uint8_t *msix_locate(const struct pci_dev *d, uint32_t reg)
{
	volatile uint8_t *bar = pci_bar_map(d, reg & MSIX_BIR_MASK);

	return bar ? bar + (reg & ~(uint32_t)MSIX_BIR_MASK) : NULL;
}

int msix_enable(struct msix *m, const struct pci_dev *d)
{
	unsigned int cap = d->msix_cap, i;
	uint16_t ctrl;

	if (!cap)
		return -ENODEV;
	m->dev = d;
	m->table = msix_locate(d, pci_cfg_read(d->bdf, cap + MSIX_TABLE, 4));
	m->pba = msix_locate(d, pci_cfg_read(d->bdf, cap + MSIX_PBA, 4));
	if (!m->table)
		return -EINVAL;
	msi_disable(d);	/* never both at once (PCI 3.0, 6.8.1.3) */
	msi_dev_prepare(d);
	ctrl = (uint16_t)pci_cfg_read(d->bdf, cap + MSIX_CTRL, 2);
	m->nvec = (ctrl & MSIX_CTRL_SIZE_MASK) + 1u;
	/* Function-masked while the entries are written (PCI 3.0, 6.8.2.9). */
	pci_cfg_write(d->bdf, cap + MSIX_CTRL, 2,
		      ctrl | MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	for (i = 0; i < m->nvec; i++)
		mmio_write32(m->table + i * MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL,
			     MSIX_ENTRY_MASKED);
	pci_cfg_write(d->bdf, cap + MSIX_CTRL, 2,
		      (ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	return 0;
}

int msix_vector_set(struct msix *m, unsigned int entry, unsigned int vector,
		    uint32_t apic_id)
{
	volatile uint8_t *e;

	if (entry >= m->nvec)
		return -EINVAL;
	e = m->table + entry * MSIX_ENTRY_SIZE;
	mmio_write32(e + MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
	mmio_write32(e + MSIX_ENTRY_ADDR_LO, msi_addr(apic_id));
	mmio_write32(e + MSIX_ENTRY_ADDR_HI, 0);
	mmio_write32(e + MSIX_ENTRY_DATA, vector & 0xff);
	mmio_write32(e + MSIX_ENTRY_CTRL, 0);
	return 0;
}

void msix_vector_mask(struct msix *m, unsigned int entry)
{
	if (entry < m->nvec)
		mmio_write32(m->table + entry * MSIX_ENTRY_SIZE +
			     MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
}

void msix_disable(struct msix *m)
{
	unsigned int cap = m->dev->msix_cap;
	uint16_t ctrl = (uint16_t)pci_cfg_read(m->dev->bdf, cap + MSIX_CTRL, 2);

	pci_cfg_write(m->dev->bdf, cap + MSIX_CTRL, 2, ctrl & ~MSIX_CTRL_ENABLE);
}
