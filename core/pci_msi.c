// SPDX-License-Identifier: MIT
/*
 * PCI interrupts: MSI and MSI-X capabilities, and INTA#.
 *
 * Each vector that can fire gets a KVM MSI route and an eventfd bound to
 * it as an irqfd, so raising it is one write() from any thread (or from
 * another process holding the fd), with no exit and no VMM involvement.
 * The binding follows the guest: a vector is "live" while its capability
 * is enabled and it is unmasked; masking unbinds the irqfd and interrupts
 * raised meanwhile are held as pending bits (MSI pending register, MSI-X
 * PBA) and sent on unmask (PCI 3.0, 6.8.3.4 and 6.8.2.9). Disabling frees
 * the route.
 *
 * INTA# of the device in slot s drives IOAPIC pin 16 + s % 4: the four
 * PCI interrupt lines PIRQA-D wired to IOAPIC inputs 16-19, as on PIIX/ICH
 * boards, with the usual swizzle of INTA# by slot. The pin number goes in
 * the interrupt line register (0x3C) as firmware would write it, so guests
 * read their GSI from there. Several devices share a pin, so the host keeps
 * a wired-OR: the pin is high while any of them asserts it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LOG_SUBSYS "pci"
#include "base/efd.h"
#include "base/log.h"
#include "core/pci.h"
#include "core/pci_priv.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/kvm.h"

static struct kvm_vm *pci_kvm(const struct pci_dev *pd)
{
	return pd->host->vmm->kvm;
}

static const char *pci_msi_name(const struct pci_dev *pd)
{
	return pd->vd ? pd->vd->id : "host-bridge";
}

/* ---- vector plumbing ---- */

static int pci_vec_signal(const struct pci_vec *v)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is saturated, the interrupt is pending anyway. */
	if (write(v->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

/* Consume what was written to an unbound eventfd; true if anything. */
static bool pci_vec_drain(const struct pci_vec *v)
{
	uint64_t cnt;

	/* The switch holds this eventfd too: read it without trusting the
	 * shared O_NONBLOCK flag. */
	return v->efd >= 0 && !v->bound && efd_read(v->efd, &cnt) > 0 && cnt;
}

static void pci_vec_unbind(struct pci_dev *pd, struct pci_vec *v)
{
	if (!v->bound)
		return;
	kvm_irqfd(pci_kvm(pd), v->efd, (unsigned)v->gsi, false);
	v->bound = false;
}

/*
 * Make @v carry message @addr/@data, and be bound when @live. Routes that
 * exist follow the message even while masked, which is when a guest
 * reprograms them. Returns 0 or -errno (the vector then stays unbound).
 */
static int pci_vec_sync(struct pci_dev *pd, struct pci_vec *v, bool live,
			uint64_t addr, uint32_t data)
{
	struct kvm_vm *kvm = pci_kvm(pd);
	int ret;

	if (v->gsi >= 0 && (v->addr != addr || v->data != data)) {
		ret = kvm_msi_route_update(kvm, (unsigned)v->gsi, addr, data);
		if (ret)
			log_guest_warn("%s: MSI route %d update: %s",
				       pci_msi_name(pd), v->gsi,
				       strerror(-ret));
		v->addr = addr;
		v->data = data;
	}
	if (!live) {
		pci_vec_unbind(pd, v);
		return 0;
	}
	if (v->efd < 0) {
		v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->efd < 0) {
			ret = -errno;
			log_guest_warn("%s: eventfd: %s", pci_msi_name(pd),
				       strerror(-ret));
			return ret;
		}
	}
	if (v->gsi < 0) {
		ret = kvm_msi_route_add(kvm, addr, data);
		if (ret < 0) {
			log_guest_warn("%s: no MSI route for %#" PRIx64
				       "/%#x: %s", pci_msi_name(pd), addr,
				       data, strerror(-ret));
			return ret;
		}
		v->gsi = ret;
		v->addr = addr;
		v->data = data;
	}
	if (!v->bound) {
		ret = kvm_irqfd(kvm, v->efd, (unsigned)v->gsi, true);
		if (ret) {
			log_guest_warn("%s: irqfd on GSI %d: %s",
				       pci_msi_name(pd), v->gsi,
				       strerror(-ret));
			return ret;
		}
		v->bound = true;
	}
	return 0;
}

/*
 * The vector can no longer fire: free its route. An eventfd handed out
 * by pci_msix_eventfd() stays open (its holder may still write it) unless
 * @final, with what was written so far dropped.
 */
static void pci_vec_release(struct pci_dev *pd, struct pci_vec *v,
			    bool final)
{
	pci_vec_unbind(pd, v);
	if (v->gsi >= 0) {
		kvm_msi_route_del(pci_kvm(pd), (unsigned)v->gsi);
		v->gsi = -1;
	}
	if (v->efd < 0)
		return;
	if (v->exported && !final) {
		pci_vec_drain(v);
		return;
	}
	close(v->efd);
	v->efd = -1;
	v->exported = false;
}

/* ---- INTx ---- */

static bool pci_msi_enabled(const struct pci_dev *pd)
{
	return pd->msi.off &&
	       (pci_cfg_get16(pd, pd->msi.off + PCI_MSI_FLAGS) &
		PCI_MSI_FLAGS_ENABLE);
}

static bool pci_msix_enabled(const struct pci_dev *pd)
{
	return pd->msix.off &&
	       (pci_cfg_get16(pd, pd->msix.off + PCI_MSIX_FLAGS) &
		PCI_MSIX_FLAGS_ENABLE);
}

/* INTx may reach the pin: not disabled, and no MSI in use (6.8.1.3). */
static bool pci_intx_allowed(const struct pci_dev *pd)
{
	return pd->intx &&
	       !(pci_cfg_get16(pd, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE) &&
	       !pci_msi_enabled(pd) && !pci_msix_enabled(pd);
}

static unsigned pci_intx_gsi(const struct pci_dev *pd)
{
	return PCI_INTX_GSI_BASE + pd->slot % PCI_INTX_PINS;
}

/* Add (+1) or remove (-1) this device's vote on its shared pin. */
static void pci_intx_vote(struct pci_dev *pd, int delta)
{
	unsigned pin = pd->slot % PCI_INTX_PINS;
	unsigned *count = &pd->host->intx_count[pin];
	bool was = *count > 0;

	*count = (unsigned)((int)*count + delta);
	if (was != (*count > 0))
		kvm_irq_line(pci_kvm(pd), pci_intx_gsi(pd), *count > 0);
}

void pci_intx_update_locked(struct pci_dev *pd)
{
	bool want = pd->intx_level && pci_intx_allowed(pd);

	if (want == pd->intx_asserted)
		return;
	pd->intx_asserted = want;
	pci_intx_vote(pd, want ? 1 : -1);
}

int pci_intx_add(struct pci_dev *pd)
{
	if (!pd)
		return -EINVAL;
	pthread_mutex_lock(&pd->host->lock);
	pd->intx = true;
	pd->cfg[PCI_INTERRUPT_PIN] = 1;	/* INTA# */
	pd->cfg[PCI_INTERRUPT_LINE] = (uint8_t)pci_intx_gsi(pd);
	pthread_mutex_unlock(&pd->host->lock);
	return 0;
}

void pci_intx_set(struct pci_dev *pd, bool level)
{
	uint16_t status;

	if (!pd)
		return;
	pthread_mutex_lock(&pd->host->lock);
	if (pd->intx) {
		/* Status shows the device's request even when disabled. */
		status = pci_cfg_get16(pd, PCI_STATUS);
		status = level ? status | PCI_STATUS_INTERRUPT
			       : status & ~PCI_STATUS_INTERRUPT;
		pci_cfg_put16(pd, PCI_STATUS, status);
		pd->intx_level = level;
		pci_intx_update_locked(pd);
	}
	pthread_mutex_unlock(&pd->host->lock);
}

/* ---- MSI ---- */

int pci_msi_add(struct pci_dev *pd, unsigned nvec)
{
	unsigned off, mmc = 0;
	int ret = 0;

	if (!pd || nvec == 0 || nvec > PCI_MSI_MAX_VECTORS ||
	    (nvec & (nvec - 1)))
		return -EINVAL;
	while ((1u << mmc) < nvec)
		mmc++;
	pthread_mutex_lock(&pd->host->lock);
	if (pd->msi.off) {
		ret = -EEXIST;
		goto out;
	}
	off = pci_cap_add_locked(pd, PCI_CAP_ID_MSI, PCI_MSI_CAP_LEN);
	if (!off) {
		ret = -ENOSPC;
		goto out;
	}
	pci_cfg_put16(pd, off + PCI_MSI_FLAGS,
		      PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
		      (uint16_t)(mmc << 1));
	pd->msi.nvec = nvec;
	pd->msi.off = off;
out:
	pthread_mutex_unlock(&pd->host->lock);
	return ret;
}

/* Vectors the guest granted (Multiple Message Enable), 0 when disabled. */
static unsigned pci_msi_granted(const struct pci_dev *pd)
{
	uint16_t ctrl = pci_cfg_get16(pd, pd->msi.off + PCI_MSI_FLAGS);

	if (!(ctrl & PCI_MSI_FLAGS_ENABLE))
		return 0;
	return 1u << ((ctrl & PCI_MSI_FLAGS_QSIZE) >> 4);
}

static void pci_msi_sync_locked(struct pci_dev *pd)
{
	unsigned off = pd->msi.off, n = pci_msi_granted(pd);
	uint64_t addr = pci_cfg_get32(pd, off + PCI_MSI_ADDRESS_LO) |
			(uint64_t)pci_cfg_get32(pd, off + PCI_MSI_ADDRESS_HI)
				<< 32;
	uint32_t data = pci_cfg_get32(pd, off + PCI_MSI_DATA_64);
	uint32_t mask = pci_cfg_get32(pd, off + PCI_MSI_MASK_64);
	uint32_t pending = pci_cfg_get32(pd, off + PCI_MSI_PENDING_64);

	for (unsigned i = 0; i < pd->msi.nvec; i++) {
		struct pci_vec *v = &pd->msi.vec[i];
		bool live = !(mask & (1u << i));

		if (i >= n) {
			pci_vec_release(pd, v, false);
			pending &= ~(1u << i);
			continue;
		}
		/* Multiple messages: the function sets the low data bits. */
		pci_vec_sync(pd, v, live, addr, (data & ~(n - 1)) | i);
		if (live && v->bound && (pending & (1u << i))) {
			pending &= ~(1u << i);
			pci_vec_signal(v);
		}
	}
	pci_cfg_put32(pd, off + PCI_MSI_PENDING_64, pending);
}

/* ---- MSI-X ---- */

static uint32_t pci_msix_pba_len(unsigned nvec)
{
	return (nvec + 63) / 64 * 8;
}

int pci_msix_add(struct pci_dev *pd, unsigned nvec, unsigned table_bar,
		 uint32_t table_off, unsigned pba_bar, uint32_t pba_off)
{
	const struct pci_bar *tb, *pb;
	uint64_t table_len = (uint64_t)nvec * PCI_MSIX_ENTRY_SIZE;
	uint32_t pba_len = pci_msix_pba_len(nvec);
	unsigned off;
	int ret = 0;

	if (!pd || nvec == 0 || nvec > PCI_MSIX_MAX_VECTORS ||
	    table_bar >= PCI_MAX_BARS || pba_bar >= PCI_MAX_BARS ||
	    (table_off & PCI_MSIX_TABLE_BIR) || (pba_off & PCI_MSIX_PBA_BIR))
		return -EINVAL;

	pthread_mutex_lock(&pd->host->lock);
	tb = &pd->bars[table_bar];
	pb = &pd->bars[pba_bar];
	if (pd->msix.off) {
		ret = -EEXIST;
		goto out;
	}
	/* Both in trapped memory BARs, inside them, and apart. */
	if ((tb->type != PCI_BAR_MEM32 && tb->type != PCI_BAR_MEM64) ||
	    (pb->type != PCI_BAR_MEM32 && pb->type != PCI_BAR_MEM64) ||
	    tb->backing || pb->backing ||
	    table_off + table_len > tb->size ||
	    (uint64_t)pba_off + pba_len > pb->size ||
	    (table_bar == pba_bar && table_off < pba_off + pba_len &&
	     pba_off < table_off + table_len)) {
		ret = -EINVAL;
		goto out;
	}

	pd->msix.table = calloc(nvec, 4 * sizeof(uint32_t));
	pd->msix.pba = calloc(pba_len / 8, sizeof(uint64_t));
	pd->msix.vec = calloc(nvec, sizeof(struct pci_vec));
	if (!pd->msix.table || !pd->msix.pba || !pd->msix.vec) {
		ret = -ENOMEM;
		goto fail;
	}
	off = pci_cap_add_locked(pd, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_LEN);
	if (!off) {
		ret = -ENOSPC;
		goto fail;
	}
	for (unsigned i = 0; i < nvec; i++) {
		/* Vectors come out of reset masked (6.8.2.9). */
		pd->msix.table[4 * i + 3] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
		pd->msix.vec[i].gsi = -1;
		pd->msix.vec[i].efd = -1;
	}
	pci_cfg_put16(pd, off + PCI_MSIX_FLAGS, (uint16_t)(nvec - 1));
	pci_cfg_put32(pd, off + PCI_MSIX_TABLE, table_off | table_bar);
	pci_cfg_put32(pd, off + PCI_MSIX_PBA, pba_off | pba_bar);
	pd->msix.nvec = nvec;
	pd->msix.table_bar = table_bar;
	pd->msix.table_off = table_off;
	pd->msix.pba_bar = pba_bar;
	pd->msix.pba_off = pba_off;
	pd->msix.off = off;
	goto out;
fail:
	free(pd->msix.table);
	free(pd->msix.pba);
	free(pd->msix.vec);
	pd->msix.table = NULL;
	pd->msix.pba = NULL;
	pd->msix.vec = NULL;
out:
	pthread_mutex_unlock(&pd->host->lock);
	return ret;
}

static bool pci_msix_masked(const struct pci_dev *pd, unsigned i)
{
	return (pci_cfg_get16(pd, pd->msix.off + PCI_MSIX_FLAGS) &
		PCI_MSIX_FLAGS_MASKALL) ||
	       (pd->msix.table[4 * i + 3] & PCI_MSIX_ENTRY_CTRL_MASKBIT);
}

static bool pci_msix_pending(const struct pci_dev *pd, unsigned i)
{
	return pd->msix.pba[i / 64] & (1ull << (i % 64));
}

static void pci_msix_set_pending(struct pci_dev *pd, unsigned i, bool on)
{
	if (on)
		pd->msix.pba[i / 64] |= 1ull << (i % 64);
	else
		pd->msix.pba[i / 64] &= ~(1ull << (i % 64));
}

static void pci_msix_sync_vec_locked(struct pci_dev *pd, unsigned i)
{
	struct pci_vec *v = &pd->msix.vec[i];
	const uint32_t *e = &pd->msix.table[4 * i];
	bool live;

	if (!pci_msix_enabled(pd)) {
		pci_vec_release(pd, v, false);
		pci_msix_set_pending(pd, i, false);
		return;
	}
	live = !pci_msix_masked(pd, i);
	pci_vec_sync(pd, v, live, e[0] | (uint64_t)e[1] << 32, e[2]);
	if (live && v->bound && pci_msix_pending(pd, i)) {
		pci_msix_set_pending(pd, i, false);
		pci_vec_signal(v);
	}
}

void pci_msix_sync_locked(struct pci_dev *pd)
{
	for (unsigned i = 0; i < pd->msix.nvec; i++)
		pci_msix_sync_vec_locked(pd, i);
}

void pci_msix_pba_collect_locked(struct pci_dev *pd)
{
	/* Writes to handed-out eventfds of masked vectors count. */
	for (unsigned i = 0; i < pd->msix.nvec; i++)
		if (pci_vec_drain(&pd->msix.vec[i]))
			pci_msix_set_pending(pd, i, true);
}

bool pci_msix_owns_bar(const struct pci_dev *pd, unsigned idx, uint64_t off,
		       unsigned size)
{
	const struct pci_msix *x = &pd->msix;

	(void)size;
	if (!x->off)
		return false;
	if (idx == x->table_bar && off >= x->table_off &&
	    off - x->table_off < (uint64_t)x->nvec * PCI_MSIX_ENTRY_SIZE)
		return true;
	return idx == x->pba_bar && off >= x->pba_off &&
	       off - x->pba_off < pci_msix_pba_len(x->nvec);
}

void pci_msix_table_write_locked(struct pci_dev *pd, unsigned dw,
				 uint32_t val)
{
	unsigned i = dw / 4;

	switch (dw % 4) {
	case PCI_MSIX_ENTRY_LOWER_ADDR / 4:
		val &= ~3u;	/* dword-aligned address */
		break;
	case PCI_MSIX_ENTRY_VECTOR_CTRL / 4:
		/* The other vector-control bits are reserved. */
		val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		break;
	}
	if (pd->msix.table[dw] == val)
		return;
	pd->msix.table[dw] = val;
	pci_msix_sync_vec_locked(pd, i);
}

/*
 * Table and PBA accesses. Software uses aligned dwords or qwords
 * (6.8.2); narrower reads are served, narrower or misaligned writes are
 * dropped. The PBA is read-only.
 */
void pci_msix_bar_access_locked(struct pci_dev *pd, unsigned idx,
				uint64_t off, void *data, unsigned size,
				bool is_write)
{
	struct pci_msix *x = &pd->msix;
	uint64_t table_len = (uint64_t)x->nvec * PCI_MSIX_ENTRY_SIZE;
	const uint8_t *src;
	uint64_t rel, len, val = 0;

	if (idx == x->table_bar && off >= x->table_off &&
	    off - x->table_off < table_len) {
		rel = off - x->table_off;
		len = table_len;
		src = (const uint8_t *)x->table;
		if (is_write) {
			if ((size != 4 && size != 8) || (rel & (size - 1)) ||
			    rel + size > len)
				return;
			memcpy(&val, data, size);
			pci_msix_table_write_locked(pd, (unsigned)(rel / 4),
						    (uint32_t)val);
			if (size == 8)
				pci_msix_table_write_locked(
					pd, (unsigned)(rel / 4 + 1),
					(uint32_t)(val >> 32));
			return;
		}
	} else {
		rel = off - x->pba_off;
		len = pci_msix_pba_len(x->nvec);
		src = (const uint8_t *)x->pba;
		if (is_write)
			return;
		pci_msix_pba_collect_locked(pd);
	}
	if ((size != 1 && size != 2 && size != 4 && size != 8) ||
	    (rel & (size - 1)) || rel + size > len) {
		memset(data, 0xff, size);
		return;
	}
	memcpy(data, src + rel, size);
}

/* ---- config writes to the two capabilities ---- */

bool pci_msi_cap_owns(const struct pci_dev *pd, unsigned off)
{
	return (pd->msi.off && off >= pd->msi.off &&
		off < pd->msi.off + PCI_MSI_CAP_LEN) ||
	       (pd->msix.off && off >= pd->msix.off &&
		off < pd->msix.off + PCI_MSIX_CAP_LEN);
}

static void pci_msi_dword_write(struct pci_dev *pd, unsigned rel,
				uint32_t nv)
{
	unsigned off = pd->msi.off;
	uint16_t ctrl, mme, mmc;

	switch (rel) {
	case 0:
		ctrl = pci_cfg_get16(pd, off + PCI_MSI_FLAGS);
		ctrl = (uint16_t)((ctrl & ~(PCI_MSI_FLAGS_ENABLE |
					    PCI_MSI_FLAGS_QSIZE)) |
				  ((nv >> 16) & (PCI_MSI_FLAGS_ENABLE |
						 PCI_MSI_FLAGS_QSIZE)));
		/* More vectors than we offer is undefined: grant them all. */
		mmc = (ctrl & PCI_MSI_FLAGS_QMASK) >> 1;
		mme = (ctrl & PCI_MSI_FLAGS_QSIZE) >> 4;
		if (mme > mmc)
			ctrl = (uint16_t)((ctrl & ~PCI_MSI_FLAGS_QSIZE) |
					  mmc << 4);
		pci_cfg_put16(pd, off + PCI_MSI_FLAGS, ctrl);
		break;
	case PCI_MSI_ADDRESS_LO:
		pci_cfg_put32(pd, off + rel, nv & ~3u);
		break;
	case PCI_MSI_ADDRESS_HI:
		pci_cfg_put32(pd, off + rel, nv);
		break;
	case PCI_MSI_DATA_64:
		pci_cfg_put32(pd, off + rel, nv & 0xffff);
		break;
	case PCI_MSI_MASK_64:
		pci_cfg_put32(pd, off + rel,
			      pd->msi.nvec == 32 ? nv
				: nv & ((1u << pd->msi.nvec) - 1));
		break;
	default:
		return;		/* pending bits are read-only */
	}
	pci_msi_sync_locked(pd);
}

static void pci_msix_dword_write(struct pci_dev *pd, unsigned rel,
				 uint32_t nv)
{
	const uint16_t rw = PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL;
	unsigned off = pd->msix.off;
	uint16_t ctrl;

	if (rel != 0)
		return;		/* table and PBA locations: read-only */
	ctrl = pci_cfg_get16(pd, off + PCI_MSIX_FLAGS);
	ctrl = (uint16_t)((ctrl & ~rw) | ((nv >> 16) & rw));
	pci_cfg_put16(pd, off + PCI_MSIX_FLAGS, ctrl);
	pci_msix_sync_locked(pd);
}

void pci_msi_cfg_write_locked(struct pci_dev *pd, unsigned off,
			      unsigned size, uint32_t val)
{
	unsigned dw = off & ~3u, shift = 8 * (off & 3);
	uint32_t bytes = (size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1)
			 << shift;
	uint32_t nv = (pci_cfg_get32(pd, dw) & ~bytes) |
		      ((val << shift) & bytes);

	if (pd->msi.off && dw >= pd->msi.off &&
	    dw < pd->msi.off + PCI_MSI_CAP_LEN)
		pci_msi_dword_write(pd, dw - pd->msi.off, nv);
	else
		pci_msix_dword_write(pd, dw - pd->msix.off, nv);
	/* Enabling either MSI flavour takes the device off INTx. */
	pci_intx_update_locked(pd);
}

/* ---- raising ---- */

static int pci_msix_raise_locked(struct pci_dev *pd, unsigned vec)
{
	struct pci_vec *v;

	if (vec >= pd->msix.nvec)
		return -EINVAL;
	v = &pd->msix.vec[vec];
	if (pci_msix_masked(pd, vec)) {
		pci_msix_set_pending(pd, vec, true);
		return 0;
	}
	if (!v->bound) {
		/* No route could be made (bad message): hold it pending. */
		pci_msix_set_pending(pd, vec, true);
		return -EIO;
	}
	return pci_vec_signal(v);
}

static int pci_msi_raise_locked(struct pci_dev *pd, unsigned vec)
{
	unsigned off = pd->msi.off;
	uint32_t mask = pci_cfg_get32(pd, off + PCI_MSI_MASK_64);
	uint32_t pending = pci_cfg_get32(pd, off + PCI_MSI_PENDING_64);
	struct pci_vec *v;

	if (vec >= pci_msi_granted(pd))
		return -EINVAL;
	v = &pd->msi.vec[vec];
	if ((mask & (1u << vec)) || !v->bound) {
		pci_cfg_put32(pd, off + PCI_MSI_PENDING_64,
			      pending | 1u << vec);
		return mask & (1u << vec) ? 0 : -EIO;
	}
	return pci_vec_signal(v);
}

/*
 * INTx without a level from the model: a pulse. The IOAPIC pin is level
 * triggered, so high-then-low is delivered once; if the pin is already
 * high (another device, or this one's level) the interrupt is pending and
 * nothing more is needed.
 */
static int pci_intx_pulse_locked(struct pci_dev *pd)
{
	if (!pci_intx_allowed(pd))
		return -EAGAIN;
	if (pd->intx_asserted)
		return 0;
	pci_intx_vote(pd, 1);
	pci_intx_vote(pd, -1);
	return 0;
}

int pci_irq_raise(struct pci_dev *pd, unsigned vec)
{
	int ret;

	if (!pd)
		return -EINVAL;
	pthread_mutex_lock(&pd->host->lock);
	if (pci_msix_enabled(pd))
		ret = pci_msix_raise_locked(pd, vec);
	else if (pci_msi_enabled(pd))
		ret = pci_msi_raise_locked(pd, vec);
	else if (pd->intx)
		ret = pci_intx_pulse_locked(pd);
	else
		ret = -EAGAIN;
	pthread_mutex_unlock(&pd->host->lock);
	return ret;
}

int pci_msix_eventfd(struct pci_dev *pd, unsigned vec)
{
	struct pci_vec *v;
	int ret;

	if (!pd)
		return -EINVAL;
	pthread_mutex_lock(&pd->host->lock);
	if (!pd->msix.off) {
		ret = -ENODEV;
		goto out;
	}
	if (vec >= pd->msix.nvec) {
		ret = -EINVAL;
		goto out;
	}
	v = &pd->msix.vec[vec];
	if (v->efd < 0) {
		v->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (v->efd < 0) {
			ret = -errno;
			goto out;
		}
	}
	v->exported = true;
	/* Route and bind now if the vector is live; else on unmask. */
	pci_msix_sync_vec_locked(pd, vec);
	ret = v->efd;
out:
	pthread_mutex_unlock(&pd->host->lock);
	return ret;
}

void pci_irq_release_locked(struct pci_dev *pd)
{
	for (unsigned i = 0; i < pd->msi.nvec; i++)
		pci_vec_release(pd, &pd->msi.vec[i], true);
	for (unsigned i = 0; i < pd->msix.nvec; i++)
		pci_vec_release(pd, &pd->msix.vec[i], true);
	if (pd->intx_asserted) {
		pd->intx_asserted = false;
		pci_intx_vote(pd, -1);
	}
}
