// SPDX-License-Identifier: MIT
/*
 * PCI host bridge: configuration mechanism #1 and type-0 config headers
 * (command and status registers, IDs, the capability list). BARs are in
 * pci_bar.c, which this file calls on writes to a BAR or to the command
 * register's decode enables; MSI, MSI-X and INTx are in pci_msi.c.
 *
 * References: PCI Local Bus Specification 3.0, 3.2.2.3.2 (mechanism #1)
 * and 6.2 (configuration header).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SUBSYS "pci"
#include "base/log.h"
#include "core/iobus.h"
#include "core/pci.h"
#include "core/pci_priv.h"
#include "core/vdev.h"
#include "core/vmm.h"

/* 0xCF8: enable, bus, device, function, dword register (bits 1:0 read 0). */
#define PCI_CFG_ADDR_ENABLE	0x80000000u
#define PCI_CFG_ADDR_MASK	0x80FFFFFCu
#define PCI_CFG_ADDR_BUS(a)	(((a) >> 16) & 0xff)
#define PCI_CFG_ADDR_DEV(a)	(((a) >> 11) & 0x1f)
#define PCI_CFG_ADDR_FN(a)	(((a) >> 8) & 0x7)
#define PCI_CFG_ADDR_REG(a)	((a) & 0xfc)

#define PCI_HEADER_END		0x40	/* end of the type-0 header */

/* The i440FX host bridge, which every x86 guest knows. */
#define PCI_HOST_VENDOR		0x8086
#define PCI_HOST_DEVICE		0x1237
#define PCI_HOST_CLASS		0x060000
#define PCI_HOST_REVISION	0x02

static uint32_t pci_size_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/*
 * A config access the host will serve: 1, 2 or 4 bytes inside one dword,
 * which is all mechanism #1 can produce. Anything else is ignored.
 */
static bool pci_cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE &&
	       (off & 3) + size <= 4;
}

/* ---- config header ---- */

static void pci_header_write_locked(struct pci_dev *pd, unsigned off,
				    unsigned size, uint32_t val,
				    struct pci_moves *moves)
{
	uint16_t old_cmd = pci_cfg_get16(pd, PCI_COMMAND);
	uint16_t new_cmd;

	if (off >= PCI_BASE_ADDRESS_0 && off < PCI_CARDBUS_CIS) {
		/* Partial BAR writes merge into the dword, as on hardware. */
		unsigned dw = off & ~3u, shift = 8 * (off & 3);
		uint32_t bytes = pci_size_mask(size) << shift;
		uint32_t cur = pci_cfg_get32(pd, dw);

		cur = (cur & ~bytes) | ((val << shift) & bytes);
		pci_bar_reg_write_locked(pd, (dw - PCI_BASE_ADDRESS_0) / 4,
					 cur, moves);
		return;
	}

	for (unsigned i = 0; i < size; i++) {
		unsigned b = off + i;
		uint8_t v = (uint8_t)(val >> (8 * i));

		pd->cfg[b] = (uint8_t)((pd->cfg[b] & ~pd->wmask[b]) |
				       (v & pd->wmask[b]));
		pd->cfg[b] &= (uint8_t)~(v & pd->w1cmask[b]);
	}

	new_cmd = pci_cfg_get16(pd, PCI_COMMAND);
	if ((old_cmd ^ new_cmd) & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		for (unsigned i = 0; i < PCI_MAX_BARS; i++)
			pci_bar_update_locked(pd, i, moves);
	if ((old_cmd ^ new_cmd) & PCI_COMMAND_INTX_DISABLE)
		pci_intx_update_locked(pd);
}

static uint32_t pci_cfg_image_read(const struct pci_dev *pd, unsigned off,
				   unsigned size)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)pd->cfg[off + i] << (8 * i);
	return val;
}

uint32_t pci_cfg_read(struct pci_dev *pd, unsigned off, unsigned size)
{
	const struct vdev_ops *ops;
	uint32_t val;

	if (!pd || !pci_cfg_access_ok(off, size))
		return 0xffffffffu;
	ops = pd->vd ? pd->vd->ops : NULL;
	/* The model's own registers: called unlocked (pci_priv.h). */
	if (off >= PCI_HEADER_END && !pci_msi_cap_owns(pd, off) && ops &&
	    ops->cfg_read)
		return ops->cfg_read(pd->vd, off, size) & pci_size_mask(size);

	pthread_mutex_lock(&pd->host->lock);
	val = pci_cfg_image_read(pd, off, size);
	pthread_mutex_unlock(&pd->host->lock);
	return val;
}

void pci_cfg_write(struct pci_dev *pd, unsigned off, unsigned size,
		   uint32_t val)
{
	const struct vdev_ops *ops;
	struct pci_moves moves = { 0 };

	if (!pd || !pci_cfg_access_ok(off, size))
		return;
	val &= pci_size_mask(size);
	ops = pd->vd ? pd->vd->ops : NULL;

	if (off >= PCI_HEADER_END && !pci_msi_cap_owns(pd, off)) {
		/* Model-specific; without a handler the image is read-only. */
		if (ops && ops->cfg_write)
			ops->cfg_write(pd->vd, off, size, val);
		return;
	}

	pthread_mutex_lock(&pd->host->cfg_write_lock);
	pthread_mutex_lock(&pd->host->lock);
	if (off < PCI_HEADER_END)
		pci_header_write_locked(pd, off, size, val, &moves);
	else
		pci_msi_cfg_write_locked(pd, off, size, val);
	pthread_mutex_unlock(&pd->host->lock);
	pci_moves_notify(&moves);
	pthread_mutex_unlock(&pd->host->cfg_write_lock);
}

/* ---- mechanism #1 ---- */

/* The function an 0xCF8 value selects, or NULL (master abort). */
static struct pci_dev *pci_cfg_target(struct pci_host *host, uint32_t addr)
{
	if (!(addr & PCI_CFG_ADDR_ENABLE) || PCI_CFG_ADDR_BUS(addr) != 0 ||
	    PCI_CFG_ADDR_FN(addr) != 0)
		return NULL;
	return host->devs[PCI_CFG_ADDR_DEV(addr)];
}

/*
 * Ports 0xCF8-0xCFF. Only a dword access to 0xCF8 is the address latch
 * (byte accesses there are other chipset registers, such as the reset
 * control at 0xCF9, which we do not have); the data window takes any
 * access that stays inside 0xCFC-0xCFF. A master abort reads all ones.
 */
static void pci_cfg_port(void *opaque, uint64_t off, void *data,
			 unsigned size, bool is_write)
{
	struct pci_host *host = opaque;
	struct pci_dev *pd;
	uint32_t addr, val = 0;
	unsigned reg;

	if (off == 0 && size == 4) {
		pthread_mutex_lock(&host->lock);
		if (is_write) {
			memcpy(&val, data, 4);
			host->cfg_addr = val & PCI_CFG_ADDR_MASK;
		} else {
			memcpy(data, &host->cfg_addr, 4);
		}
		pthread_mutex_unlock(&host->lock);
		return;
	}
	if (off < 4 || size > 4 || off - 4 + size > 4)
		goto abort;

	pthread_mutex_lock(&host->lock);
	addr = host->cfg_addr;
	pd = pci_cfg_target(host, addr);
	pthread_mutex_unlock(&host->lock);
	if (!pd)
		goto abort;

	reg = PCI_CFG_ADDR_REG(addr) + (unsigned)(off - 4);
	if (is_write) {
		memcpy(&val, data, size);
		pci_cfg_write(pd, reg, size, val);
	} else {
		val = pci_cfg_read(pd, reg, size);
		memcpy(data, &val, size);
	}
	return;
abort:
	if (!is_write)
		memset(data, 0xff, size);
}

/* ---- functions ---- */

struct pci_dev *pci_dev_create(struct pci_host *host, struct vdev *vd,
			       int slot)
{
	struct pci_dev *pd;

	if (!host || slot < -1 || slot >= PCI_MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return NULL;

	pthread_mutex_lock(&host->lock);
	if (slot < 0) {
		/* Slot 0 is the host bridge. */
		for (int s = 1; s < PCI_MAX_SLOTS && slot < 0; s++)
			if (!host->devs[s])
				slot = s;
		if (slot < 0) {
			pthread_mutex_unlock(&host->lock);
			free(pd);
			errno = ENOSPC;
			return NULL;
		}
	} else if (host->devs[slot]) {
		pthread_mutex_unlock(&host->lock);
		free(pd);
		errno = EEXIST;
		return NULL;
	}

	pd->host = host;
	pd->vd = vd;
	pd->slot = (unsigned)slot;
	pd->cap_next = PCI_CAP_START;
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		pd->bars[i].pd = pd;
		pd->bars[i].idx = i;
		pd->bars[i].memslot = -1;
	}
	for (unsigned i = 0; i < PCI_MSI_MAX_VECTORS; i++) {
		pd->msi.vec[i].gsi = -1;
		pd->msi.vec[i].efd = -1;
	}
	pd->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	pci_cfg_put16(pd, PCI_STATUS, PCI_STATUS_DEVSEL_MEDIUM);
	pd->wmask[PCI_COMMAND] = (uint8_t)PCI_COMMAND_WRITABLE;
	pd->wmask[PCI_COMMAND + 1] = (uint8_t)(PCI_COMMAND_WRITABLE >> 8);
	pd->w1cmask[PCI_STATUS] = (uint8_t)PCI_STATUS_W1C;
	pd->w1cmask[PCI_STATUS + 1] = (uint8_t)(PCI_STATUS_W1C >> 8);
	pd->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	pd->wmask[PCI_LATENCY_TIMER] = 0xff;
	pd->wmask[PCI_INTERRUPT_LINE] = 0xff;
	host->devs[slot] = pd;
	pthread_mutex_unlock(&host->lock);

	/* So vdev teardown finds the function even if init fails later. */
	if (vd)
		vd->pci = pd;
	return pd;
}

void pci_dev_destroy(struct pci_dev *pd)
{
	struct pci_host *host;

	if (!pd)
		return;
	host = pd->host;
	pthread_mutex_lock(&host->lock);
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		struct pci_bar *bar = &pd->bars[i];

		pci_bar_unmap_locked(pd, bar);
		if (bar->memslot >= 0)
			host->memslots_used &= ~(1ull << (bar->memslot -
							  PCI_MEMSLOT_FIRST));
	}
	pci_irq_release_locked(pd);
	if (host->devs[pd->slot] == pd)
		host->devs[pd->slot] = NULL;
	pthread_mutex_unlock(&host->lock);
	free(pd->msix.table);
	free(pd->msix.pba);
	free(pd->msix.vec);
	free(pd);
}

unsigned pci_dev_slot(const struct pci_dev *pd)
{
	return pd->slot;
}

void pci_dev_set_ids(struct pci_dev *pd, uint16_t vendor, uint16_t device,
		     uint32_t class, uint8_t revision)
{
	pthread_mutex_lock(&pd->host->lock);
	pci_cfg_put16(pd, PCI_VENDOR_ID, vendor);
	pci_cfg_put16(pd, PCI_DEVICE_ID, device);
	pci_cfg_put32(pd, PCI_CLASS_REVISION, (class << 8) | revision);
	pthread_mutex_unlock(&pd->host->lock);
}

void pci_dev_set_subsys(struct pci_dev *pd, uint16_t vendor, uint16_t id)
{
	pthread_mutex_lock(&pd->host->lock);
	pci_cfg_put16(pd, PCI_SUBSYSTEM_VENDOR_ID, vendor);
	pci_cfg_put16(pd, PCI_SUBSYSTEM_ID, id);
	pthread_mutex_unlock(&pd->host->lock);
}

void pci_cfg_set8(struct pci_dev *pd, unsigned off, uint8_t v)
{
	if (off >= PCI_CFG_SIZE)
		return;
	pthread_mutex_lock(&pd->host->lock);
	pd->cfg[off] = v;
	pthread_mutex_unlock(&pd->host->lock);
}

void pci_cfg_set16(struct pci_dev *pd, unsigned off, uint16_t v)
{
	if (off > PCI_CFG_SIZE - 2)
		return;
	pthread_mutex_lock(&pd->host->lock);
	pci_cfg_put16(pd, off, v);
	pthread_mutex_unlock(&pd->host->lock);
}

void pci_cfg_set32(struct pci_dev *pd, unsigned off, uint32_t v)
{
	if (off > PCI_CFG_SIZE - 4)
		return;
	pthread_mutex_lock(&pd->host->lock);
	pci_cfg_put32(pd, off, v);
	pthread_mutex_unlock(&pd->host->lock);
}

unsigned pci_cap_add_locked(struct pci_dev *pd, uint8_t id, unsigned len)
{
	unsigned off = pd->cap_next;

	len = (len + 3) & ~3u;
	if (off + len > PCI_CFG_SIZE)
		return 0;
	pd->cfg[off + PCI_CAP_LIST_ID] = id;
	pd->cfg[off + PCI_CAP_LIST_NEXT] = 0;
	if (pd->cap_last)
		pd->cfg[pd->cap_last + PCI_CAP_LIST_NEXT] = (uint8_t)off;
	else
		pd->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	pci_cfg_put16(pd, PCI_STATUS,
		      pci_cfg_get16(pd, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	pd->cap_last = off;
	pd->cap_next = off + len;
	return off;
}

/* ---- host ---- */

struct pci_host *pci_host_create(struct vmm *vmm)
{
	struct pci_host *host;
	struct pci_dev *bridge;
	int ret;

	if (!vmm || !vmm->pio || !vmm->mmio) {
		errno = EINVAL;
		return NULL;
	}
	host = calloc(1, sizeof(*host));
	if (!host)
		return NULL;
	host->vmm = vmm;
	host->next_io = PCI_IO_WINDOW_BASE;
	host->next_mmio = PCI_MMIO_WINDOW_BASE;
	pthread_mutex_init(&host->lock, NULL);
	pthread_mutex_init(&host->cfg_write_lock, NULL);

	bridge = pci_dev_create(host, NULL, 0);
	if (!bridge) {
		ret = -errno;
		goto fail;
	}
	pci_dev_set_ids(bridge, PCI_HOST_VENDOR, PCI_HOST_DEVICE,
			PCI_HOST_CLASS, PCI_HOST_REVISION);

	ret = iobus_register(vmm->pio, PCI_CONFIG_ADDR_PORT, 8, pci_cfg_port,
			     host);
	if (ret) {
		log_err("cannot claim ports %#x-%#x: %s", PCI_CONFIG_ADDR_PORT,
			PCI_CONFIG_ADDR_PORT + 7, strerror(-ret));
		goto fail;
	}
	return host;
fail:
	pci_dev_destroy(bridge);
	pthread_mutex_destroy(&host->cfg_write_lock);
	pthread_mutex_destroy(&host->lock);
	free(host);
	errno = -ret;
	return NULL;
}

void pci_host_destroy(struct pci_host *host)
{
	if (!host)
		return;
	iobus_unregister(host->vmm->pio, PCI_CONFIG_ADDR_PORT);
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++)
		pci_dev_destroy(host->devs[s]);
	pthread_mutex_destroy(&host->cfg_write_lock);
	pthread_mutex_destroy(&host->lock);
	free(host);
}

struct pci_dev *pci_host_dev(struct pci_host *host, unsigned slot)
{
	struct pci_dev *pd;

	if (!host || slot >= PCI_MAX_SLOTS)
		return NULL;
	pthread_mutex_lock(&host->lock);
	pd = host->devs[slot];
	pthread_mutex_unlock(&host->lock);
	return pd;
}
