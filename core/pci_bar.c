// SPDX-License-Identifier: MIT
/*
 * PCI BARs. The host places BARs like firmware would (naturally aligned,
 * from the windows in pci.h) and maps whatever the guest programs later: a
 * BAR decodes when its command-register enable bit is set and its address
 * is a real one, and is then a range on the PIO or MMIO bus (or a KVM
 * memory slot for memory-backed BARs). pci.c decodes config space and
 * calls in here on writes to a BAR or to the command register.
 *
 * References: PCI Local Bus Specification 3.0, 6.2.5 (base addresses).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define LOG_SUBSYS "pci"
#include "base/log.h"
#include "core/iobus.h"
#include "core/pci.h"
#include "core/pci_priv.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/kvm.h"

#define PCI_IO_SPACE_END	0x10000ull

static const char *pci_dev_name(const struct pci_dev *pd)
{
	return pd->vd ? pd->vd->id : "host-bridge";
}

/* ---- decoding and mapping ---- */

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

void pci_bar_unmap_locked(struct pci_dev *pd, struct pci_bar *bar)
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
void pci_bar_update_locked(struct pci_dev *pd, unsigned idx,
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

void pci_moves_notify(const struct pci_moves *moves)
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
void pci_bar_reg_write_locked(struct pci_dev *pd, unsigned reg, uint32_t val,
			      struct pci_moves *moves)
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
