// SPDX-License-Identifier: MIT
/*
 * testdev: a PCI function for testing the platform from inside a guest.
 * BAR0 holds four 32-bit registers (testdev_regs.h); writing RAISE n
 * raises interrupt vector n through whatever the guest enabled (MSI-X,
 * MSI, else INTA#), so a guest selftest can check every delivery path.
 * BAR1 holds the MSI-X table and PBA, which the PCI layer serves.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#define LOG_SUBSYS "testdev"
#include "base/log.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "emu-devices/testdev.h"
#include "emu-devices/testdev_regs.h"

#define TESTDEV_REGS_BAR	0
#define TESTDEV_MSIX_BAR	1
#define TESTDEV_BAR_SIZE	4096
#define TESTDEV_REVISION	1
#define TESTDEV_MSI_VECTORS	1

struct testdev {
	/* vCPU threads access the registers concurrently. */
	_Atomic uint32_t raised;
	_Atomic uint32_t scratch;
};

static void testdev_reset(struct vdev *vd)
{
	struct testdev *td = vd->priv;

	atomic_store(&td->raised, 0);
	atomic_store(&td->scratch, 0);
}

static int testdev_init(struct vdev *vd, const char *opts)
{
	struct pci_dev *pd;
	int ret;

	(void)opts;
	vd->priv = calloc(1, sizeof(struct testdev));
	if (!vd->priv)
		return -ENOMEM;
	pd = pci_dev_create(vd->vmm->pci, vd, -1);
	if (!pd)
		return -errno;
	vd->pci = pd;
	pci_dev_set_ids(pd, TESTDEV_VENDOR_ID, TESTDEV_DEVICE_ID,
			TESTDEV_CLASS, TESTDEV_REVISION);
	pci_dev_set_subsys(pd, TESTDEV_VENDOR_ID, TESTDEV_DEVICE_ID);
	ret = pci_bar_add(pd, TESTDEV_REGS_BAR, PCI_BAR_MEM32,
			  TESTDEV_BAR_SIZE);
	if (!ret)
		ret = pci_bar_add(pd, TESTDEV_MSIX_BAR, PCI_BAR_MEM32,
				  TESTDEV_BAR_SIZE);
	if (!ret)
		ret = pci_msi_add(pd, TESTDEV_MSI_VECTORS);
	if (!ret)
		ret = pci_msix_add(pd, TESTDEV_MSIX_VECTORS, TESTDEV_MSIX_BAR,
				   TESTDEV_MSIX_TABLE_OFF, TESTDEV_MSIX_BAR,
				   TESTDEV_MSIX_PBA_OFF);
	/* INTA# too, so the guest can test the legacy path. */
	if (!ret)
		ret = pci_intx_add(pd);
	if (ret)
		log_err("%s: PCI setup: %d", vd->id, ret);
	return ret;
}

static void testdev_fini(struct vdev *vd)
{
	free(vd->priv);
	vd->priv = NULL;
}

static uint64_t testdev_bar_read(struct vdev *vd, unsigned bar, uint64_t off,
				 unsigned size)
{
	struct testdev *td = vd->priv;

	if (bar != TESTDEV_REGS_BAR)
		return 0;
	if (size != 4 || (off & 3))
		return UINT64_MAX;
	switch (off) {
	case TESTDEV_REG_MAGIC:
		return TESTDEV_MAGIC;
	case TESTDEV_REG_RAISED:
		return atomic_load(&td->raised);
	case TESTDEV_REG_SCRATCH:
		return atomic_load(&td->scratch);
	default:
		return 0;
	}
}

static void testdev_bar_write(struct vdev *vd, unsigned bar, uint64_t off,
			      unsigned size, uint64_t val)
{
	struct testdev *td = vd->priv;
	int ret;

	if (bar != TESTDEV_REGS_BAR || size != 4 || (off & 3))
		return;
	switch (off) {
	case TESTDEV_REG_RAISE:
		/* RAISED counts what was handed to the interrupt path. */
		ret = pci_irq_raise(vd->pci, (uint32_t)val);
		if (ret == 0)
			atomic_fetch_add(&td->raised, 1);
		else
			log_guest_warn("%s: raise %u: %d", vd->id,
				       (uint32_t)val, ret);
		break;
	case TESTDEV_REG_SCRATCH:
		atomic_store(&td->scratch, (uint32_t)val);
		break;
	}
}

/* Migration: the two registers (the PCI layer carries the rest). */
static int testdev_save(struct vdev *vd, struct vdev_state_writer *w)
{
	struct testdev *td = vd->priv;

	vdev_state_put_u32(w, "raised", atomic_load(&td->raised));
	vdev_state_put_u32(w, "scratch", atomic_load(&td->scratch));
	return w->err;
}

static int testdev_load(struct vdev *vd, struct vdev_state_reader *r)
{
	struct testdev *td = vd->priv;
	uint32_t raised = 0, scratch = 0;

	vdev_state_get_u32(r, "raised", &raised);
	vdev_state_get_u32(r, "scratch", &scratch);
	if (r->err)
		return r->err;
	atomic_store(&td->raised, raised);
	atomic_store(&td->scratch, scratch);
	return 0;
}

const struct vdev_ops testdev_ops = {
	.name = "testdev",
	.init = testdev_init,
	.fini = testdev_fini,
	.reset = testdev_reset,
	.bar_read = testdev_bar_read,
	.bar_write = testdev_bar_write,
	.save = testdev_save,
	.load = testdev_load,
};
