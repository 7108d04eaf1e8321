/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_PCI_H
#define IOPATH_CORE_PCI_H

/*
 * PCI: a host bridge on bus 0 reached by configuration mechanism #1 (ports
 * 0xCF8 address, 0xCFC-0xCFF data), type-0 config headers, BARs that the
 * VMM places like firmware would and the guest may size and move, command
 * register decode (I/O and memory enable map and unmap the BARs on the
 * buses), and MSI / MSI-X capabilities wired to KVM MSI routes and irqfds.
 *
 * A device model creates its function in vdev_ops.init():
 *
 *	pd = pci_dev_create(vmm->pci, vd, -1);
 *	pci_dev_set_ids(pd, 0x1011, 0x0009, 0x020000, 0x22);
 *	pci_bar_add(pd, 0, PCI_BAR_IO, 128);
 *	pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096);
 *	pci_msix_add(pd, 4, 2, 0, 2, 2048);
 *
 * BAR accesses reach vdev_ops.bar_read/bar_write with the BAR index and
 * offset. All guest writes to config space are untrusted: out-of-range
 * offsets, bad sizes and garbage are ignored (reads give all ones), never
 * fatal.
 */

#include <stdbool.h>
#include <stdint.h>

struct vmm;
struct vdev;
struct pci_host;
struct pci_dev;
struct vdev_state_writer;
struct vdev_state_reader;

#define PCI_MAX_SLOTS		32
#define PCI_MAX_BARS		6
#define PCI_CFG_SIZE		256

/* Windows the host bridge places BARs in (DESIGN.md memory map). */
#define PCI_MMIO_WINDOW_BASE	0xC0000000ull
#define PCI_MMIO_WINDOW_SIZE	0x3EC00000ull	/* up to the IOAPIC */
#define PCI_IO_WINDOW_BASE	0xC000u
#define PCI_IO_WINDOW_SIZE	0x4000u
#define PCI_CONFIG_ADDR_PORT	0xCF8
#define PCI_CONFIG_DATA_PORT	0xCFC

enum pci_bar_type {
	PCI_BAR_NONE,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,		/* takes this BAR index and the next */
};

/* Create the host bridge (device 0, 8086:1237-like) and claim 0xCF8-0xCFF. */
struct pci_host *pci_host_create(struct vmm *vmm);
void pci_host_destroy(struct pci_host *host);

/*
 * Add a function for @vd at device number @slot (0..31, or -1 for the
 * first free one). Returns NULL with errno set.
 */
struct pci_dev *pci_dev_create(struct pci_host *host, struct vdev *vd,
			       int slot);
/*
 * Remove a function: unmap its BARs, free its interrupt routes, release
 * its slot. For device teardown and failed init, with the vCPUs stopped
 * (a vCPU inside a BAR access would use the freed function).
 */
void pci_dev_destroy(struct pci_dev *pd);
unsigned pci_dev_slot(const struct pci_dev *pd);
/* @class is the 24-bit class code (0x020000: Ethernet controller). */
void pci_dev_set_ids(struct pci_dev *pd, uint16_t vendor, uint16_t device,
		     uint32_t class, uint8_t revision);
void pci_dev_set_subsys(struct pci_dev *pd, uint16_t vendor, uint16_t id);
/* Direct access to the config image, for models' own read-only fields. */
void pci_cfg_set8(struct pci_dev *pd, unsigned off, uint8_t v);
void pci_cfg_set16(struct pci_dev *pd, unsigned off, uint16_t v);
void pci_cfg_set32(struct pci_dev *pd, unsigned off, uint32_t v);

/*
 * Declare BAR @idx of @size bytes (a power of two; I/O BARs 4..256 bytes,
 * memory BARs at least 4 KiB so they can be KVM slots). The host places it
 * and enables decoding, as firmware would. Returns 0 or -errno.
 */
int pci_bar_add(struct pci_dev *pd, unsigned idx, enum pci_bar_type type,
		uint64_t size);
/* Current guest address of a BAR (0 when not decoding). */
uint64_t pci_bar_addr(const struct pci_dev *pd, unsigned idx);

/*
 * A BAR served by host memory instead of traps (the VF register page):
 * whenever the BAR is decoded, @hva is mapped into the guest at its
 * address as a KVM memory slot. Call after pci_bar_add.
 */
int pci_bar_set_backing(struct pci_dev *pd, unsigned idx, void *hva);

/* Called after the guest moves or (un)maps a BAR; lets ioeventfds follow. */
typedef void (*pci_bar_moved_fn)(struct vdev *vd, unsigned idx,
				 uint64_t old_addr, uint64_t new_addr);
void pci_dev_on_bar_moved(struct pci_dev *pd, pci_bar_moved_fn fn);

/* MSI capability with @nvec vectors (1, 2, 4, 8, 16, 32), 64-bit, maskable. */
int pci_msi_add(struct pci_dev *pd, unsigned nvec);
/*
 * MSI-X capability: @nvec vectors, table at @table_off in BAR @table_bar,
 * PBA at @pba_off in BAR @pba_bar. The PCI layer serves those ranges of
 * the BAR itself; the model sees the rest.
 */
int pci_msix_add(struct pci_dev *pd, unsigned nvec, unsigned table_bar,
		 uint32_t table_off, unsigned pba_bar, uint32_t pba_off);
/* Interrupt pin INTA#, routed to an IOAPIC input (level, active high). */
int pci_intx_add(struct pci_dev *pd);

/*
 * Raise interrupt @vec: the MSI-X vector if MSI-X is enabled (pending in
 * the PBA while masked), else MSI (data + vec) if enabled, else pulse
 * INTx. Returns 0, or -EAGAIN when nothing is enabled to carry it.
 */
int pci_irq_raise(struct pci_dev *pd, unsigned vec);
/* Level of INTx, for devices whose status register holds the line. */
void pci_intx_set(struct pci_dev *pd, bool level);

/*
 * The eventfd whose write raises MSI-X vector @vec (via a KVM irqfd), for
 * data planes in other threads or processes. Valid while MSI-X is enabled
 * and the vector unmasked; the PCI layer rebinds it as the guest changes
 * the vector. Returns the fd or -errno.
 */
int pci_msix_eventfd(struct pci_dev *pd, unsigned vec);

/* Config space access as the guest does it, for tests and migration. */
uint32_t pci_cfg_read(struct pci_dev *pd, unsigned off, unsigned size);
void pci_cfg_write(struct pci_dev *pd, unsigned off, unsigned size,
		   uint32_t val);

/* Each function: a JSON-able summary (slot, ids, BARs) for "show". */
struct pci_dev *pci_host_dev(struct pci_host *host, unsigned slot);

/*
 * Migration (pci_state.c). Save: the function's config header, BAR
 * placement, MSI and MSI-X state and INTx level. Load into a function
 * built alike (same IDs, BARs and capabilities, else -EPROTO with the
 * reason in the reader): the guest-writable state is replayed through
 * pci_cfg_write(), so it gets a guest write's checks, and BARs, MSI
 * routes and irqfds come up as they would for the guest. 0 or -errno.
 */
int pci_dev_save(struct pci_dev *pd, struct vdev_state_writer *w);
int pci_dev_load(struct pci_dev *pd, struct vdev_state_reader *r);
/* The host: the 0xCF8 address latch and the host bridge's header. */
int pci_host_save(struct pci_host *host, struct vdev_state_writer *w);
int pci_host_load(struct pci_host *host, struct vdev_state_reader *r);
/*
 * Turn off every function's decoding, before loading states: a BAR the
 * guest moved then never collides with another function's BAR still
 * at its default place.
 */
void pci_host_quiesce(struct pci_host *host);

#endif
