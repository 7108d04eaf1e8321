// SPDX-License-Identifier: MIT
/*
 * PCI host bridge: configuration mechanism #1, type-0 config headers and
 * BARs. The host places BARs like firmware would (naturally aligned, from
 * the windows in pci.h) and maps whatever the guest programs later: a BAR
 * decodes when its command-register enable bit is set and its address is a
 * real one, and is then a range on the PIO or MMIO bus (or a KVM memory
 * slot for memory-backed BARs). MSI, MSI-X and INTx are in pci_msi.c.
 *
 * References: PCI Local Bus Specification 3.0, 3.2.2.3.2 (mechanism #1)
 * and 6.2 (configuration header).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SUBSYS "pci"
#include "core/iobus.h"
#include "core/log.h"
#include "core/pci.h"
#include "core/pci_priv.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/kvm.h"

/* 0xCF8: enable, bus, device, function, dword register (bits 1:0 read 0). */
#define PCI_CFG_ADDR_ENABLE	0x80000000u
#define PCI_CFG_ADDR_MASK	0x80FFFFFCu
#define PCI_CFG_ADDR_BUS(a)	(((a) >> 16) & 0xff)
#define PCI_CFG_ADDR_DEV(a)	(((a) >> 11) & 0x1f)
#define PCI_CFG_ADDR_FN(a)	(((a) >> 8) & 0x7)
#define PCI_CFG_ADDR_REG(a)	((a) & 0xfc)

#define PCI_HEADER_END		0x40	/* end of the type-0 header */
#define PCI_IO_SPACE_END	0x10000ull

/* The i440FX host bridge, which every x86 guest knows. */
#define PCI_HOST_VENDOR		0x8086
#define PCI_HOST_DEVICE		0x1237
#define PCI_HOST_CLASS		0x060000
#define PCI_HOST_REVISION	0x02

/* BAR moves seen during one config write, reported after unlocking. */
struct pci_bar_move {
	struct pci_dev *pd;
	unsigned idx;
	uint64_t old_addr;
	uint64_t new_addr;
};

struct pci_moves {
	unsigned n;
	struct pci_bar_move m[PCI_MAX_BARS];
};

static const char *pci_dev_name(const struct pci_dev *pd)
{
	return pd->vd ? pd->vd->id : "host-bridge";
}

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

/* ---- BARs ---- */

static struct iobus *pci_bar_bus(const struct pci_dev *pd,
				 const struct pci_bar *bar)
{
	return bar->type == PCI_BAR_IO ? pd->host->vmm->pio
				       : pd->host->vmm->mmio;
}

/* The read-only low bits of a BAR register: space and memory type. */
static uint32_t pci_bar_flags(enum pci_bar_type type)
{
	switch (type) {
	case PCI_BAR_IO:
		return PCI_BASE_ADDRESS_SPACE_IO;
	case PCI_BAR_MEM64:
		return PCI_BASE_ADDRESS_MEM_TYPE_64;
	default:
		return PCI_BASE_ADDRESS_MEM_TYPE_32;
	}
}

/* The address the guest has programmed into BAR @idx. */
static uint64_t pci_bar_reg_addr(const struct pci_dev *pd, unsigned idx)
{
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * idx;
	uint32_t lo = pci_cfg_get32(pd, reg);

	switch (pd->bars[idx].type) {
	case PCI_BAR_IO:
		return lo & ~3u;
	case PCI_BAR_MEM32:
		return lo & ~0xfu;
	case PCI_BAR_MEM64:
		return (lo & ~0xfu) |
		       (uint64_t)pci_cfg_get32(pd, reg + 4) << 32;
	default:
		return 0;
	}
}

/*
 * Whether a programmed address is a place to decode. Zero means "not
 * assigned", and all address bits set is what a BAR holds in the middle of
 * sizing: neither is mapped, so a guest that sizes with decode on does not
 * throw BARs at the top of the address space.
 */
static bool pci_bar_addr_valid(const struct pci_bar *bar, uint64_t addr)
{
	uint64_t max = bar->type == PCI_BAR_MEM64 ? UINT64_MAX : 0xffffffffull;
	uint64_t low = bar->type == PCI_BAR_IO ? 3 : 0xf;

	if (addr == 0 || (addr | (bar->size - 1) | low) == max)
		return false;
	if (bar->type == PCI_BAR_IO && addr + bar->size > PCI_IO_SPACE_END)
		return false;
	return true;
}

static bool pci_bar_decoding(const struct pci_dev *pd,
			     const struct pci_bar *bar)
{
	uint16_t cmd = pci_cfg_get16(pd, PCI_COMMAND);

	return cmd & (bar->type == PCI_BAR_IO ? PCI_COMMAND_IO
					      : PCI_COMMAND_MEMORY);
}

/*
 * Guest accesses to a BAR. The MSI-X table and PBA are served here; the
 * rest goes to the model with the BAR index and offset. Runs on vCPU
 * threads without the host lock (see pci_priv.h).
 */
static void pci_bar_io(void *opaque, uint64_t off, void *data, unsigned size,
		       bool is_write)
{
	struct pci_bar *bar = opaque;
	struct pci_dev *pd = bar->pd;
	const struct vdev_ops *ops = pd->vd ? pd->vd->ops : NULL;
	uint64_t val = 0;

	if (size == 0 || size > 8) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (pci_msix_owns_bar(pd, bar->idx, off, size)) {
		pthread_mutex_lock(&pd->host->lock);
		pci_msix_bar_access_locked(pd, bar->idx, off, data, size,
					   is_write);
		pthread_mutex_unlock(&pd->host->lock);
		return;
	}
	if (is_write) {
		memcpy(&val, data, size);
		if (ops && ops->bar_write)
			ops->bar_write(pd->vd, bar->idx, off, size, val);
		return;
	}
	val = ops && ops->bar_read ? ops->bar_read(pd->vd, bar->idx, off, size)
				   : UINT64_MAX;
	memcpy(data, &val, size);
}

static void pci_bar_unmap_locked(struct pci_dev *pd, struct pci_bar *bar)
{
	struct kvm_vm *kvm = pd->host->vmm->kvm;

	if (!bar->mapped)
		return;
	if (bar->backing)
		kvm_vm_set_memory(kvm, (unsigned)bar->memslot,
				  bar->mapped_addr, 0, bar->backing, 0);
	iobus_unregister(pci_bar_bus(pd, bar), bar->mapped_addr);
	bar->mapped = false;
	bar->mapped_addr = 0;
}

/*
 * Put @bar at @addr. A memory-backed BAR also claims its range on the MMIO
 * bus, so overlaps are refused the same way for both kinds; the handler
 * is only reached if KVM ever lets an access through.
 */
static int pci_bar_map_locked(struct pci_dev *pd, struct pci_bar *bar,
			      uint64_t addr)
{
	struct iobus *bus = pci_bar_bus(pd, bar);
	int ret;

	ret = iobus_register(bus, addr, bar->size, pci_bar_io, bar);
	if (ret)
		return ret;
	if (bar->backing) {
		ret = kvm_vm_set_memory(pd->host->vmm->kvm,
					(unsigned)bar->memslot, addr,
					bar->size, bar->backing, 0);
		if (ret) {
			iobus_unregister(bus, addr);
			return ret;
		}
	}
	bar->mapped = true;
	bar->mapped_addr = addr;
	return 0;
}

/*
 * Bring BAR @idx's mapping in line with its register and the command
 * register. A refused range (overlap with another device) leaves the BAR
 * unmapped, as a guest that programs overlapping BARs gets on real
 * hardware something undefined: here, nothing.
 */
static void pci_bar_update_locked(struct pci_dev *pd, unsigned idx,
				  struct pci_moves *moves)
{
	struct pci_bar *bar = &pd->bars[idx];
	uint64_t addr = pci_bar_reg_addr(pd, idx);
	uint64_t old = bar->mapped ? bar->mapped_addr : 0;
	uint64_t new;
	bool want;
	int ret;

	if (bar->type == PCI_BAR_NONE)
		return;
	want = pci_bar_decoding(pd, bar) && pci_bar_addr_valid(bar, addr);
	if (bar->mapped && (!want || bar->mapped_addr != addr))
		pci_bar_unmap_locked(pd, bar);
	if (want && !bar->mapped) {
		ret = pci_bar_map_locked(pd, bar, addr);
		if (ret)
			log_guest_warn("%s: BAR%u at %#" PRIx64
				       " refused (%s); left unmapped",
				       pci_dev_name(pd), idx, addr,
				       strerror(-ret));
	}
	new = bar->mapped ? bar->mapped_addr : 0;
	if (old != new && moves && pd->moved_fn && moves->n < PCI_MAX_BARS)
		moves->m[moves->n++] = (struct pci_bar_move){
			pd, idx, old, new };
}

static void pci_moves_notify(const struct pci_moves *moves)
{
	for (unsigned i = 0; i < moves->n; i++) {
		const struct pci_bar_move *m = &moves->m[i];

		m->pd->moved_fn(m->pd->vd, m->idx, m->old_addr, m->new_addr);
	}
}

/*
 * A write to BAR register @reg (0..5): keep the size-aligned address bits
 * and the read-only type bits, which gives the standard sizing behaviour
 * (all ones in, size mask out).
 */
static void pci_bar_reg_write_locked(struct pci_dev *pd, unsigned reg,
				     uint32_t val, struct pci_moves *moves)
{
	unsigned off = PCI_BASE_ADDRESS_0 + 4 * reg;
	struct pci_bar *bar = &pd->bars[reg];
	uint32_t nv;

	if (bar->type == PCI_BAR_NONE) {
		/* The upper half of a 64-bit BAR, or nothing at all. */
		if (reg == 0 || pd->bars[reg - 1].type != PCI_BAR_MEM64)
			return;
		bar = &pd->bars[reg - 1];
		nv = val & (uint32_t)(~(bar->size - 1) >> 32);
		pci_cfg_put32(pd, off, nv);
		pci_bar_update_locked(pd, reg - 1, moves);
		return;
	}

	nv = (val & (uint32_t)~(bar->size - 1) &
	      (bar->type == PCI_BAR_IO ? ~3u : ~0xfu)) |
	     pci_bar_flags(bar->type);
	pci_cfg_put32(pd, off, nv);
	pci_bar_update_locked(pd, reg, moves);
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

/* ---- BAR placement (what firmware would do) ---- */

static bool pci_is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int pci_bar_add(struct pci_dev *pd, unsigned idx, enum pci_bar_type type,
		uint64_t size)
{
	struct pci_host *host;
	struct pci_bar *bar;
	uint64_t *cursor, base, end;
	uint16_t cmd;
	int ret = -ENOSPC;

	if (!pd || idx >= PCI_MAX_BARS || !pci_is_pow2(size))
		return -EINVAL;
	switch (type) {
	case PCI_BAR_IO:
		if (size < 4 || size > 256)
			return -EINVAL;
		break;
	case PCI_BAR_MEM32:
	case PCI_BAR_MEM64:
		if (size < 4096 || size > PCI_MMIO_WINDOW_SIZE)
			return -EINVAL;
		if (type == PCI_BAR_MEM64 && idx + 1 >= PCI_MAX_BARS)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	host = pd->host;
	pthread_mutex_lock(&host->lock);
	bar = &pd->bars[idx];
	if (bar->type != PCI_BAR_NONE ||
	    (idx > 0 && pd->bars[idx - 1].type == PCI_BAR_MEM64) ||
	    (type == PCI_BAR_MEM64 && pd->bars[idx + 1].type != PCI_BAR_NONE)) {
		ret = -EEXIST;
		goto out;
	}
	bar->type = type;
	bar->size = size;
	if (type == PCI_BAR_IO) {
		cursor = &host->next_io;
		end = PCI_IO_WINDOW_BASE + PCI_IO_WINDOW_SIZE;
	} else {
		cursor = &host->next_mmio;
		end = PCI_MMIO_WINDOW_BASE + PCI_MMIO_WINDOW_SIZE;
	}

	/* Next naturally aligned hole; skip ranges someone else claimed. */
	for (base = (*cursor + size - 1) & ~(size - 1); base + size <= end;
	     base += size) {
		ret = pci_bar_map_locked(pd, bar, base);
		if (ret != -EEXIST)
			break;
	}
	if (ret) {
		if (ret == -EEXIST)
			ret = -ENOSPC;
		bar->type = PCI_BAR_NONE;
		bar->size = 0;
		goto out;
	}
	*cursor = base + size;

	/* The register, then decoding on, as firmware leaves a device. */
	pci_cfg_put32(pd, PCI_BASE_ADDRESS_0 + 4 * idx,
		      (uint32_t)base | pci_bar_flags(type));
	if (type == PCI_BAR_MEM64)
		pci_cfg_put32(pd, PCI_BASE_ADDRESS_0 + 4 * idx + 4,
			      (uint32_t)(base >> 32));
	cmd = pci_cfg_get16(pd, PCI_COMMAND);
	cmd |= type == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	pci_cfg_put16(pd, PCI_COMMAND, cmd);
	for (unsigned i = 0; i < PCI_MAX_BARS; i++)
		pci_bar_update_locked(pd, i, NULL);
out:
	pthread_mutex_unlock(&host->lock);
	return ret;
}

uint64_t pci_bar_addr(const struct pci_dev *pd, unsigned idx)
{
	uint64_t addr;

	if (!pd || idx >= PCI_MAX_BARS)
		return 0;
	pthread_mutex_lock(&pd->host->lock);
	addr = pd->bars[idx].mapped ? pd->bars[idx].mapped_addr : 0;
	pthread_mutex_unlock(&pd->host->lock);
	return addr;
}

int pci_bar_set_backing(struct pci_dev *pd, unsigned idx, void *hva)
{
	struct pci_host *host;
	struct pci_bar *bar;
	bool was_mapped;
	int slot = -1, ret = 0;

	if (!pd || idx >= PCI_MAX_BARS || !hva ||
	    ((uintptr_t)hva & 4095) != 0)
		return -EINVAL;
	host = pd->host;
	pthread_mutex_lock(&host->lock);
	bar = &pd->bars[idx];
	/* The MSI-X table must trap, so its BAR cannot be plain memory. */
	if ((bar->type != PCI_BAR_MEM32 && bar->type != PCI_BAR_MEM64) ||
	    (pd->msix.off && (pd->msix.table_bar == idx ||
			      pd->msix.pba_bar == idx))) {
		ret = -EINVAL;
		goto out;
	}
	if (bar->backing) {
		ret = -EEXIST;
		goto out;
	}
	for (int s = PCI_MEMSLOT_FIRST; s <= PCI_MEMSLOT_LAST; s++) {
		uint64_t bit = 1ull << (s - PCI_MEMSLOT_FIRST);

		if (!(host->memslots_used & bit)) {
			slot = s;
			break;
		}
	}
	if (slot < 0) {
		ret = -ENOSPC;
		goto out;
	}

	was_mapped = bar->mapped;
	pci_bar_unmap_locked(pd, bar);
	bar->backing = hva;
	bar->memslot = slot;
	host->memslots_used |= 1ull << (slot - PCI_MEMSLOT_FIRST);
	pci_bar_update_locked(pd, idx, NULL);
	if (was_mapped && !bar->mapped) {
		/* KVM refused the slot: go back to a trapped BAR. */
		ret = -EIO;
		bar->backing = NULL;
		bar->memslot = -1;
		host->memslots_used &= ~(1ull << (slot - PCI_MEMSLOT_FIRST));
		pci_bar_update_locked(pd, idx, NULL);
	}
out:
	pthread_mutex_unlock(&host->lock);
	return ret;
}

void pci_dev_on_bar_moved(struct pci_dev *pd, pci_bar_moved_fn fn)
{
	pthread_mutex_lock(&pd->host->lock);
	pd->moved_fn = fn;
	pthread_mutex_unlock(&pd->host->lock);
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
