// SPDX-License-Identifier: MIT
/*
 * testdev: PCI identity, BAR0 registers, and RAISE going out through
 * INTx, MSI-X and MSI as the guest enables them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <linux/pci_regs.h>

#include "emu-devices/testdev.h"
#include "emu-devices/testdev_regs.h"
#include "tests/unit/core/pci_test_env.h"

struct td_env {
	struct pci_env *e;
	struct vdev *vd;
	struct pci_dev *pd;
	uint64_t regs;
	uint64_t msix;
};

static int td_setup(void **state)
{
	struct td_env *t = calloc(1, sizeof(*t));

	if (!t || env_setup((void **)&t->e))
		return -1;
	t->vd = &t->e->vd[0];
	t->vd->ops = &testdev_ops;
	t->vd->priv = NULL;
	if (testdev_ops.init(t->vd, ""))
		return -1;
	t->pd = t->vd->pci;
	t->regs = pci_bar_addr(t->pd, 0);
	t->msix = pci_bar_addr(t->pd, 1);
	*state = t;
	return 0;
}

static int td_teardown(void **state)
{
	struct td_env *t = *state;

	testdev_ops.fini(t->vd);
	env_teardown((void **)&t->e);
	free(t);
	return 0;
}

static uint32_t td_read(struct td_env *t, unsigned reg)
{
	return (uint32_t)env_mmio_read(t->e, t->regs + reg, 4, NULL);
}

static void td_write(struct td_env *t, unsigned reg, uint32_t v)
{
	env_mmio_write(t->e, t->regs + reg, 4, v);
}

static unsigned find_cap(struct pci_dev *pd, unsigned id)
{
	unsigned cap = pci_cfg_read(pd, PCI_CAPABILITY_LIST, 1);

	for (int n = 0; cap && n < 48; n++) {
		if (pci_cfg_read(pd, cap, 1) == id)
			return cap;
		cap = pci_cfg_read(pd, cap + PCI_CAP_LIST_NEXT, 1);
	}
	return 0;
}

static void test_identity(void **state)
{
	struct td_env *t = *state;
	unsigned msix = find_cap(t->pd, PCI_CAP_ID_MSIX);
	unsigned msi = find_cap(t->pd, PCI_CAP_ID_MSI);

	assert_string_equal(testdev_ops.name, "testdev");
	assert_int_equal(pci_cfg_read(t->pd, PCI_VENDOR_ID, 4),
			 TESTDEV_DEVICE_ID << 16 | TESTDEV_VENDOR_ID);
	assert_int_equal(pci_cfg_read(t->pd, PCI_CLASS_REVISION, 4) >> 8,
			 TESTDEV_CLASS);
	assert_true(t->regs != 0 && t->msix != 0);
	assert_int_equal(pci_cfg_read(t->pd, PCI_BASE_ADDRESS_0, 4) & 0xf, 0);
	assert_int_not_equal(msi, 0);
	assert_int_not_equal(msix, 0);
	assert_int_equal(pci_cfg_read(t->pd, msix + PCI_MSIX_FLAGS, 2) &
			 PCI_MSIX_FLAGS_QSIZE, TESTDEV_MSIX_VECTORS - 1);
	assert_int_equal(pci_cfg_read(t->pd, msix + PCI_MSIX_PBA, 4),
			 TESTDEV_MSIX_PBA_OFF | 1);
	assert_int_equal(pci_cfg_read(t->pd, msi + PCI_MSI_FLAGS, 2) &
			 PCI_MSI_FLAGS_QMASK, 0);
}

static void test_registers(void **state)
{
	struct td_env *t = *state;

	assert_int_equal(td_read(t, TESTDEV_REG_MAGIC), TESTDEV_MAGIC);
	assert_int_equal(td_read(t, TESTDEV_REG_RAISED), 0);
	td_write(t, TESTDEV_REG_SCRATCH, 0x12345678);
	assert_int_equal(td_read(t, TESTDEV_REG_SCRATCH), 0x12345678);
	td_write(t, TESTDEV_REG_MAGIC, 0);
	assert_int_equal(td_read(t, TESTDEV_REG_MAGIC), TESTDEV_MAGIC);
	/* Registers are 32-bit only. */
	assert_int_equal(env_mmio_read(t->e, t->regs, 2, NULL), 0xffff);
	testdev_ops.reset(t->vd);
	assert_int_equal(td_read(t, TESTDEV_REG_SCRATCH), 0);
}

static void test_raise(void **state)
{
	struct td_env *t = *state;
	unsigned gsi = 16 + pci_dev_slot(t->pd) % 4;
	unsigned msix = find_cap(t->pd, PCI_CAP_ID_MSIX);
	unsigned msi = find_cap(t->pd, PCI_CAP_ID_MSI);
	uint64_t ent = t->msix + TESTDEV_MSIX_TABLE_OFF + 16 * 2;
	int route;

	/* Nothing enabled: INTA# pulses. */
	fake_kvm.line_calls = 0;
	td_write(t, TESTDEV_REG_RAISE, 0);
	assert_int_equal(fake_kvm.line_calls, 2);
	assert_false(fake_kvm.line[gsi]);
	assert_int_equal(td_read(t, TESTDEV_REG_RAISED), 1);

	/* MSI-X vector 2. */
	pci_cfg_write(t->pd, msix + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	env_mmio_write(t->e, ent, 4, 0xfee00000);
	env_mmio_write(t->e, ent + 8, 4, 0x55);
	env_mmio_write(t->e, ent + 12, 4, 0);
	route = -1;
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		if (fake_kvm.routes[g].used && fake_kvm.routes[g].data == 0x55)
			route = (int)g;
	assert_true(route >= 0);
	td_write(t, TESTDEV_REG_RAISE, 2);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)route), 1);
	assert_int_equal(td_read(t, TESTDEV_REG_RAISED), 2);
	/* A vector that does not exist is not counted. */
	td_write(t, TESTDEV_REG_RAISE, 9);
	assert_int_equal(td_read(t, TESTDEV_REG_RAISED), 2);

	/* MSI. */
	pci_cfg_write(t->pd, msix + PCI_MSIX_FLAGS, 2, 0);
	pci_cfg_write(t->pd, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	pci_cfg_write(t->pd, msi + PCI_MSI_DATA_64, 2, 0x66);
	pci_cfg_write(t->pd, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	td_write(t, TESTDEV_REG_RAISE, 0);
	assert_int_equal(td_read(t, TESTDEV_REG_RAISED), 3);
	route = -1;
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		if (fake_kvm.routes[g].used && fake_kvm.routes[g].data == 0x66)
			route = (int)g;
	assert_true(route >= 0);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)route), 1);

	testdev_ops.reset(t->vd);
	assert_int_equal(td_read(t, TESTDEV_REG_RAISED), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, td_setup, td_teardown)
		T(test_identity),
		T(test_registers),
		T(test_raise),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
