/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_PCI_PRIV_H
#define IOPATH_CORE_PCI_PRIV_H

/*
 * State shared by pci.c (host bridge, config header), pci_bar.c (BARs) and
 * pci_msi.c (MSI, MSI-X, INTx). Not for device models: they use core/pci.h.
 *
 * Locking: one mutex per host guards every function's config image, BAR
 * placement and interrupt state. It is never held while calling into a
 * model (bar_read/bar_write, cfg_read/cfg_write, the BAR-moved callback),
 * because a model holding its own lock calls pci_irq_raise(), and the two
 * orders would deadlock. Functions named *_locked expect it held.
 * BAR-moved callbacks run under cfg_write_lock only, so they may call
 * pci_bar_addr() and the like but must not write config space.
 */

#include <linux/pci_regs.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/pci.h"

/* KVM memory slots the host hands to memory-backed BARs. */
#define PCI_MEMSLOT_FIRST	16
#define PCI_MEMSLOT_LAST	63

/*
 * Capabilities go from 0x80 up, leaving 0x40-0x7F to models for chip
 * registers that real parts keep there (the 21140's CFDD is at 0x40).
 */
#define PCI_CAP_START		0x80

/* MSI with 64-bit address and per-vector masking. */
#define PCI_MSI_CAP_LEN		24
#define PCI_MSIX_CAP_LEN	12
#define PCI_MSI_MAX_VECTORS	32
#define PCI_MSIX_MAX_VECTORS	2048

/* INTA# of slot s drives IOAPIC pin PCI_INTX_GSI_BASE + s % 4 (PIRQA-D). */
#define PCI_INTX_GSI_BASE	16
#define PCI_INTX_PINS		4

/* Command bits a guest may change (PCI 3.0, 6.2.2). */
#define PCI_COMMAND_WRITABLE						\
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |	\
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
/* Status error bits are write-one-to-clear. */
#define PCI_STATUS_W1C							\
	(PCI_STATUS_DETECTED_PARITY | PCI_STATUS_SIG_SYSTEM_ERROR |	\
	 PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_REC_TARGET_ABORT |	\
	 PCI_STATUS_SIG_TARGET_ABORT | PCI_STATUS_PARITY)

struct pci_dev;

struct pci_bar {
	struct pci_dev *pd;	/* back pointer: the bus handler's opaque */
	unsigned idx;
	enum pci_bar_type type;
	uint64_t size;
	void *backing;		/* host memory to map as a KVM slot */
	int memslot;		/* with backing: the slot, else -1 */
	bool mapped;		/* on a bus (and in a slot) right now */
	uint64_t mapped_addr;
};

/* One interrupt vector's KVM plumbing: MSI route + eventfd + irqfd. */
struct pci_vec {
	int gsi;		/* MSI route, -1 when none */
	int efd;		/* eventfd, -1 when none */
	bool bound;		/* efd is an irqfd on gsi right now */
	bool exported;		/* given out by pci_msix_eventfd: keep it */
	uint64_t addr;		/* message the route carries */
	uint32_t data;
};

struct pci_msi {
	unsigned off;		/* capability offset, 0 when absent */
	unsigned nvec;
	struct pci_vec vec[PCI_MSI_MAX_VECTORS];
};

struct pci_msix {
	unsigned off;		/* capability offset, 0 when absent */
	unsigned nvec;
	unsigned table_bar;
	uint32_t table_off;
	unsigned pba_bar;
	uint32_t pba_off;
	uint32_t *table;	/* nvec entries of 4 dwords */
	uint64_t *pba;		/* pending bits */
	struct pci_vec *vec;
};

struct pci_dev {
	struct pci_host *host;
	struct vdev *vd;	/* NULL for the host bridge */
	unsigned slot;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];	/* plainly writable header bits */
	uint8_t w1cmask[PCI_CFG_SIZE];	/* write-one-to-clear bits */
	unsigned cap_next;	/* where the next capability goes */
	unsigned cap_last;	/* offset of the last one, 0 if none */
	struct pci_bar bars[PCI_MAX_BARS];
	pci_bar_moved_fn moved_fn;
	struct pci_msi msi;
	struct pci_msix msix;
	bool intx;		/* has INTA# */
	bool intx_level;	/* what the model drives */
	bool intx_asserted;	/* what reaches the IOAPIC pin */
};

struct pci_host {
	struct vmm *vmm;
	pthread_mutex_t lock;
	/*
	 * Serialises config writes with the BAR-moved callbacks they cause,
	 * so a model sees moves in the order they happened. Taken before
	 * lock, held while calling the callbacks.
	 */
	pthread_mutex_t cfg_write_lock;
	uint32_t cfg_addr;	/* 0xCF8 latch */
	struct pci_dev *devs[PCI_MAX_SLOTS];
	uint64_t next_io;	/* firmware-style placement cursors */
	uint64_t next_mmio;
	uint64_t memslots_used;	/* bit n: slot PCI_MEMSLOT_FIRST + n */
	unsigned intx_count[PCI_INTX_PINS];	/* wired-OR of INTA# lines */
};

/* Config image helpers (little-endian, like the bus). */
static inline uint16_t pci_cfg_get16(const struct pci_dev *pd, unsigned off)
{
	return (uint16_t)(pd->cfg[off] | pd->cfg[off + 1] << 8);
}

static inline uint32_t pci_cfg_get32(const struct pci_dev *pd, unsigned off)
{
	return (uint32_t)pd->cfg[off] | (uint32_t)pd->cfg[off + 1] << 8 |
	       (uint32_t)pd->cfg[off + 2] << 16 |
	       (uint32_t)pd->cfg[off + 3] << 24;
}

static inline void pci_cfg_put16(struct pci_dev *pd, unsigned off,
				 uint16_t v)
{
	pd->cfg[off] = (uint8_t)v;
	pd->cfg[off + 1] = (uint8_t)(v >> 8);
}

static inline void pci_cfg_put32(struct pci_dev *pd, unsigned off,
				 uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		pd->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

/* Append a capability of @len bytes with @id; returns its offset or 0. */
unsigned pci_cap_add_locked(struct pci_dev *pd, uint8_t id, unsigned len);

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

/* pci_bar.c, the *_locked ones with the host lock held. */
/* Take @bar off its bus and KVM slot (device going away); no-op if unmapped. */
void pci_bar_unmap_locked(struct pci_dev *pd, struct pci_bar *bar);
/* Remap BAR @idx from its register and COMMAND; moves go to @moves if set. */
void pci_bar_update_locked(struct pci_dev *pd, unsigned idx,
			   struct pci_moves *moves);
/* Guest wrote @val to BAR register @reg (0..5): sizing and remapping. */
void pci_bar_reg_write_locked(struct pci_dev *pd, unsigned reg, uint32_t val,
			      struct pci_moves *moves);
/* Run the BAR-moved callbacks; host lock dropped, cfg_write_lock held. */
void pci_moves_notify(const struct pci_moves *moves);

/* pci_msi.c, all with the host lock held. */
/* @off lies in the MSI or MSI-X capability (config image, our rules). */
bool pci_msi_cap_owns(const struct pci_dev *pd, unsigned off);
void pci_msi_cfg_write_locked(struct pci_dev *pd, unsigned off,
			      unsigned size, uint32_t val);
bool pci_msix_owns_bar(const struct pci_dev *pd, unsigned idx, uint64_t off,
		       unsigned size);
void pci_msix_bar_access_locked(struct pci_dev *pd, unsigned idx,
				uint64_t off, void *data, unsigned size,
				bool is_write);
/* Command register changed: INTx disable and bus master may matter. */
void pci_intx_update_locked(struct pci_dev *pd);
/* Release every route, irqfd and eventfd of @pd (device going away). */
void pci_irq_release_locked(struct pci_dev *pd);
/* For pci_state.c: a guest write of table dword @dw, checks included. */
void pci_msix_table_write_locked(struct pci_dev *pd, unsigned dw,
				 uint32_t val);
/* Bind, unbind and fire pending vectors as the capability now says. */
void pci_msix_sync_locked(struct pci_dev *pd);
/* Fold writes to handed-out eventfds of masked vectors into the PBA. */
void pci_msix_pba_collect_locked(struct pci_dev *pd);

#endif
