// SPDX-License-Identifier: MIT
/*
 * PCI state for migration: a function's config header, BAR placement,
 * MSI and MSI-X state and INTx level out (pci_dev_save) and back in
 * (pci_dev_load); the host's 0xCF8 latch and bridge header.
 *
 * Loading does not copy the saved image over ours. It first checks that
 * the function is built alike (IDs, BAR types and sizes, capabilities:
 * the same model with the same options), then replays what a guest can
 * write through pci_cfg_write(), the path a guest's own writes take, so
 * the usual masks and checks apply and BARs are mapped, routes made and
 * irqfds bound exactly as they would be for the guest. Only what a guest
 * cannot write directly (error status bits, MSI pending bits, the MSI-X
 * PBA, the INTx level the model drives) is set by hand, masked to what
 * the function has.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "pci"
#include "base/log.h"
#include "core/pci.h"
#include "core/pci_priv.h"
#include "core/vdev.h"
#include "core/vdev_state.h"

#define PCI_STATE_VERSION	1

/* What must be equal on both sides: the function's build. */
struct pci_shape {
	uint16_t vendor, device, subsys_vendor, subsys_id;
	uint32_t class_rev;
	uint8_t header_type, cap_ptr, int_pin, intx;
	uint32_t bar_type[PCI_MAX_BARS];
	uint64_t bar_size[PCI_MAX_BARS];
	uint32_t msi_off, msi_nvec;
	uint32_t msix_off, msix_nvec, msix_table_bar, msix_table_off;
	uint32_t msix_pba_bar, msix_pba_off;
};

static void pci_shape_of(const struct pci_dev *pd, struct pci_shape *s)
{
	memset(s, 0, sizeof(*s));
	s->vendor = pci_cfg_get16(pd, PCI_VENDOR_ID);
	s->device = pci_cfg_get16(pd, PCI_DEVICE_ID);
	s->subsys_vendor = pci_cfg_get16(pd, PCI_SUBSYSTEM_VENDOR_ID);
	s->subsys_id = pci_cfg_get16(pd, PCI_SUBSYSTEM_ID);
	s->class_rev = pci_cfg_get32(pd, PCI_CLASS_REVISION);
	s->header_type = pd->cfg[PCI_HEADER_TYPE];
	s->cap_ptr = pd->cfg[PCI_CAPABILITY_LIST];
	s->int_pin = pd->cfg[PCI_INTERRUPT_PIN];
	s->intx = pd->intx;
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		s->bar_type[i] = pd->bars[i].type;
		s->bar_size[i] = pd->bars[i].size;
	}
	s->msi_off = pd->msi.off;
	s->msi_nvec = pd->msi.nvec;
	s->msix_off = pd->msix.off;
	s->msix_nvec = pd->msix.nvec;
	s->msix_table_bar = pd->msix.table_bar;
	s->msix_table_off = pd->msix.table_off;
	s->msix_pba_bar = pd->msix.pba_bar;
	s->msix_pba_off = pd->msix.pba_off;
}

static uint32_t pci_pba_bytes(const struct pci_dev *pd)
{
	return (pd->msix.nvec + 63) / 64 * 8;
}

int pci_dev_save(struct pci_dev *pd, struct vdev_state_writer *w)
{
	struct pci_host *host = pd->host;
	uint8_t cfg[PCI_CFG_SIZE];
	struct pci_shape shape;
	uint32_t *table = NULL;
	uint64_t *pba = NULL;
	bool level;

	pthread_mutex_lock(&host->lock);
	if (pd->msix.off)
		pci_msix_pba_collect_locked(pd);
	pci_shape_of(pd, &shape);
	memcpy(cfg, pd->cfg, sizeof(cfg));
	level = pd->intx_level;
	table = pd->msix.table;
	pba = pd->msix.pba;
	vdev_state_put_u32(w, "pci.version", PCI_STATE_VERSION);
	vdev_state_put(w, "pci.shape", &shape, sizeof(shape));
	vdev_state_put(w, "pci.cfg", cfg, sizeof(cfg));
	if (pd->msix.off) {
		vdev_state_put(w, "pci.msix.table", table,
			       (size_t)pd->msix.nvec * PCI_MSIX_ENTRY_SIZE);
		vdev_state_put(w, "pci.msix.pba", pba, pci_pba_bytes(pd));
	}
	vdev_state_put_bool(w, "pci.intx", level);
	pthread_mutex_unlock(&host->lock);
	return w->err;
}

/* The saved function must be this one (same model, same options). */
static int pci_shape_check(struct pci_dev *pd, struct vdev_state_reader *r,
			   const struct pci_shape *saved)
{
	struct pci_shape ours;
	const char *name = pd->vd ? pd->vd->id : "host-bridge";

	pthread_mutex_lock(&pd->host->lock);
	pci_shape_of(pd, &ours);
	pthread_mutex_unlock(&pd->host->lock);
	if (saved->vendor != ours.vendor || saved->device != ours.device)
		return vdev_state_fail(r, "%s: PCI %04x:%04x in the stream, "
				       "%04x:%04x here", name, saved->vendor,
				       saved->device, ours.vendor,
				       ours.device);
	if (memcmp(saved, &ours, sizeof(ours)))
		return vdev_state_fail(r, "%s: PCI function built differently "
				       "(BARs, capabilities or IDs; were "
				       "both sides given the same options?)",
				       name);
	return 0;
}

/* Header: decoding off, BARs, the small registers, then COMMAND. */
static void pci_load_header(struct pci_dev *pd, const uint8_t *cfg)
{
	uint16_t cmd = (uint16_t)(cfg[PCI_COMMAND] | cfg[PCI_COMMAND + 1] << 8);
	uint16_t st = (uint16_t)(cfg[PCI_STATUS] | cfg[PCI_STATUS + 1] << 8);
	uint32_t v;

	pci_cfg_write(pd, PCI_COMMAND, 2,
		      cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		memcpy(&v, cfg + PCI_BASE_ADDRESS_0 + 4 * i, 4);
		pci_cfg_write(pd, PCI_BASE_ADDRESS_0 + 4 * i, 4, v);
	}
	pci_cfg_write(pd, PCI_CACHE_LINE_SIZE, 1, cfg[PCI_CACHE_LINE_SIZE]);
	pci_cfg_write(pd, PCI_LATENCY_TIMER, 1, cfg[PCI_LATENCY_TIMER]);
	pci_cfg_write(pd, PCI_INTERRUPT_LINE, 1, cfg[PCI_INTERRUPT_LINE]);
	pci_cfg_write(pd, PCI_COMMAND, 2, cmd);

	/* Error bits are the device's to set: by hand, W1C ones only. */
	pthread_mutex_lock(&pd->host->lock);
	pci_cfg_put16(pd, PCI_STATUS,
		      (uint16_t)((pci_cfg_get16(pd, PCI_STATUS) &
				  ~PCI_STATUS_W1C) | (st & PCI_STATUS_W1C)));
	pthread_mutex_unlock(&pd->host->lock);
}

/* MSI: message, mask, pending bits, then the enable that binds. */
static void pci_load_msi(struct pci_dev *pd, const uint8_t *cfg)
{
	unsigned off = pd->msi.off;
	uint32_t v, pending, valid;

	if (!off)
		return;
	valid = pd->msi.nvec == 32 ? ~0u : (1u << pd->msi.nvec) - 1;
	for (unsigned rel = PCI_MSI_ADDRESS_LO; rel <= PCI_MSI_MASK_64;
	     rel += 4) {
		memcpy(&v, cfg + off + rel, 4);
		pci_cfg_write(pd, off + rel, 4, v);
	}
	memcpy(&pending, cfg + off + PCI_MSI_PENDING_64, 4);
	pthread_mutex_lock(&pd->host->lock);
	pci_cfg_put32(pd, off + PCI_MSI_PENDING_64, pending & valid);
	pthread_mutex_unlock(&pd->host->lock);
	pci_cfg_write(pd, off + PCI_MSI_FLAGS, 2,
		      (uint32_t)(cfg[off + PCI_MSI_FLAGS] |
				 cfg[off + PCI_MSI_FLAGS + 1] << 8));
}

/* MSI-X: the table (disabled, so nothing binds), enable, then the PBA. */
static void pci_load_msix(struct pci_dev *pd, const uint8_t *cfg,
			  const uint32_t *table, const uint64_t *pba)
{
	unsigned off = pd->msix.off, n = pd->msix.nvec;
	uint16_t ctl = (uint16_t)(cfg[off + PCI_MSIX_FLAGS] |
				  cfg[off + PCI_MSIX_FLAGS + 1] << 8);

	pci_cfg_write(pd, off + PCI_MSIX_FLAGS, 2, 0);
	pthread_mutex_lock(&pd->host->lock);
	for (unsigned dw = 0; dw < 4 * n; dw++)
		pci_msix_table_write_locked(pd, dw, table[dw]);
	pthread_mutex_unlock(&pd->host->lock);
	pci_cfg_write(pd, off + PCI_MSIX_FLAGS, 2, ctl);
	pthread_mutex_lock(&pd->host->lock);
	for (unsigned w = 0; w < (n + 63) / 64; w++) {
		uint64_t valid = (w == n / 64 && n % 64)
					 ? (1ull << (n % 64)) - 1 : ~0ull;

		/* Pending only means something while enabled. */
		pd->msix.pba[w] = (ctl & PCI_MSIX_FLAGS_ENABLE)
					  ? pba[w] & valid : 0;
	}
	/* A pending vector that is live is sent now. */
	pci_msix_sync_locked(pd);
	pthread_mutex_unlock(&pd->host->lock);
}

int pci_dev_load(struct pci_dev *pd, struct vdev_state_reader *r)
{
	uint8_t cfg[PCI_CFG_SIZE];
	struct pci_shape shape;
	uint32_t version = 0, *table = NULL;
	uint64_t *pba = NULL;
	size_t tlen = (size_t)pd->msix.nvec * PCI_MSIX_ENTRY_SIZE;
	bool level = false;
	int ret;

	vdev_state_get_u32(r, "pci.version", &version);
	if (!r->err && version != PCI_STATE_VERSION)
		return vdev_state_fail(r, "PCI state version %u, this VMM "
				       "reads %u", version, PCI_STATE_VERSION);
	vdev_state_get(r, "pci.shape", &shape, sizeof(shape));
	if (r->err)
		return r->err;
	ret = pci_shape_check(pd, r, &shape);
	if (ret)
		return ret;
	vdev_state_get(r, "pci.cfg", cfg, sizeof(cfg));
	if (pd->msix.off) {
		table = calloc(1, tlen);
		pba = calloc(1, pci_pba_bytes(pd));
		if (!table || !pba) {
			free(table);
			free(pba);
			return vdev_state_fail(r, "out of memory");
		}
		vdev_state_get(r, "pci.msix.table", table, tlen);
		vdev_state_get(r, "pci.msix.pba", pba, pci_pba_bytes(pd));
	}
	vdev_state_get_bool(r, "pci.intx", &level);
	if (!r->err) {
		pci_load_header(pd, cfg);
		pci_load_msi(pd, cfg);
		if (pd->msix.off)
			pci_load_msix(pd, cfg, table, pba);
		if (pd->intx)
			pci_intx_set(pd, level);
	}
	free(table);
	free(pba);
	return r->err;
}

void pci_host_quiesce(struct pci_host *host)
{
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *pd = pci_host_dev(host, s);
		uint32_t cmd;

		if (!pd)
			continue;
		cmd = pci_cfg_read(pd, PCI_COMMAND, 2);
		pci_cfg_write(pd, PCI_COMMAND, 2,
			      cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	}
}

int pci_host_save(struct pci_host *host, struct vdev_state_writer *w)
{
	uint32_t addr;

	pthread_mutex_lock(&host->lock);
	addr = host->cfg_addr;
	pthread_mutex_unlock(&host->lock);
	vdev_state_put_u32(w, "pci.host.cfg_addr", addr);
	return pci_dev_save(host->devs[0], w);
}

int pci_host_load(struct pci_host *host, struct vdev_state_reader *r)
{
	uint32_t addr = 0;

	if (vdev_state_get_u32(r, "pci.host.cfg_addr", &addr))
		return r->err;
	pthread_mutex_lock(&host->lock);
	/* What a guest write of 0xCF8 would have kept. */
	host->cfg_addr = addr & 0x80FFFFFCu;
	pthread_mutex_unlock(&host->lock);
	return pci_dev_load(host->devs[0], r);
}
