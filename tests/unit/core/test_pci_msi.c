// SPDX-License-Identifier: MIT
/*
 * MSI, MSI-X and INTx: what the guest sees in config space and in the
 * MSI-X table and PBA, and what KVM is asked to do (routes, irqfds, irq
 * lines), checked against the fake KVM.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/pci_regs.h>

#include "core/pci_priv.h"	/* pci_dev_destroy */
#include "tests/unit/core/pci_test_env.h"

/* Offset of the capability with @id, or 0. */
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

/* The route whose message is @addr/@data, or -1. */
static int route_for(uint64_t addr, uint32_t data)
{
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		if (fake_kvm.routes[g].used &&
		    fake_kvm.routes[g].addr == addr &&
		    fake_kvm.routes[g].data == data)
			return (int)g;
	return -1;
}

static bool route_bound(int gsi)
{
	return gsi >= 0 && fake_kvm.routes[gsi].irqfd >= 0;
}

/* ---- MSI ---- */

static struct pci_dev *msi_dev(struct pci_env *e, unsigned nvec,
			       unsigned *cap)
{
	struct pci_dev *pd = env_dev(e, 0);

	assert_int_equal(pci_msi_add(pd, nvec), 0);
	*cap = find_cap(pd, PCI_CAP_ID_MSI);
	assert_int_not_equal(*cap, 0);
	return pd;
}

static void test_msi_cap_fields(void **state)
{
	struct pci_env *e = *state;
	unsigned cap;
	struct pci_dev *pd = msi_dev(e, 1, &cap);
	uint16_t ctrl = (uint16_t)pci_cfg_read(pd, cap + PCI_MSI_FLAGS, 2);

	assert_int_equal(ctrl, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT);
	assert_int_equal(pci_msi_add(pd, 3), -EINVAL);

	/* Address bits 1:0 and data bits 31:16 are reserved. */
	pci_cfg_write(pd, cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00003);
	pci_cfg_write(pd, cap + PCI_MSI_ADDRESS_HI, 4, 0x12345678);
	pci_cfg_write(pd, cap + PCI_MSI_DATA_64, 4, 0xffff4041);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_ADDRESS_LO, 4),
			 0xfee00000);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_ADDRESS_HI, 4),
			 0x12345678);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_DATA_64, 4), 0x4041);
	/* One vector: one mask bit. */
	pci_cfg_write(pd, cap + PCI_MSI_MASK_64, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_MASK_64, 4), 1);
	/* Pending bits are read-only; the ID and capability bits too. */
	pci_cfg_write(pd, cap + PCI_MSI_PENDING_64, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_PENDING_64, 4), 0);
	pci_cfg_write(pd, cap, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(pd, cap, 1), PCI_CAP_ID_MSI);
	ctrl = (uint16_t)pci_cfg_read(pd, cap + PCI_MSI_FLAGS, 2);
	assert_int_equal(ctrl, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
			       PCI_MSI_FLAGS_ENABLE);
}

static void test_msi_enable_raise_mask(void **state)
{
	struct pci_env *e = *state;
	unsigned cap;
	struct pci_dev *pd = msi_dev(e, 1, &cap);
	int gsi;

	assert_int_equal(pci_irq_raise(pd, 0), -EAGAIN);
	pci_cfg_write(pd, cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	pci_cfg_write(pd, cap + PCI_MSI_DATA_64, 2, 0x41);
	assert_int_equal(fake_kvm_route_count(), 0);
	pci_cfg_write(pd, cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	gsi = route_for(0xfee00000, 0x41);
	assert_true(route_bound(gsi));
	assert_int_equal(fake_kvm_route_count(), 1);

	assert_int_equal(pci_irq_raise(pd, 0), 0);
	assert_int_equal(pci_irq_raise(pd, 0), 0);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 2);
	assert_int_equal(pci_irq_raise(pd, 1), -EINVAL);

	/* Reprogramming the message updates the route in place. */
	pci_cfg_write(pd, cap + PCI_MSI_DATA_64, 2, 0x42);
	assert_int_equal(fake_kvm.route_updates, 1);
	assert_int_equal(fake_kvm.routes[gsi].data, 0x42);
	pci_cfg_write(pd, cap + PCI_MSI_ADDRESS_HI, 4, 1);
	assert_int_equal(fake_kvm.routes[gsi].addr, 0x1fee00000ull);

	/* Masked: unbound, raises become pending, sent on unmask. */
	pci_cfg_write(pd, cap + PCI_MSI_MASK_64, 4, 1);
	assert_false(route_bound(gsi));
	assert_int_equal(pci_irq_raise(pd, 0), 0);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_PENDING_64, 4), 1);
	pci_cfg_write(pd, cap + PCI_MSI_MASK_64, 4, 0);
	assert_true(route_bound(gsi));
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 1);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_PENDING_64, 4), 0);

	/* Disable frees it all. */
	pci_cfg_write(pd, cap + PCI_MSI_FLAGS, 2, 0);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_int_equal(fake_kvm.irqfd_binds, fake_kvm.irqfd_unbinds);
	assert_int_equal(pci_irq_raise(pd, 0), -EAGAIN);
}

static void test_msi_multi_message(void **state)
{
	struct pci_env *e = *state;
	unsigned cap;
	struct pci_dev *pd = msi_dev(e, 4, &cap);
	uint16_t ctrl;

	ctrl = (uint16_t)pci_cfg_read(pd, cap + PCI_MSI_FLAGS, 2);
	assert_int_equal((ctrl & PCI_MSI_FLAGS_QMASK) >> 1, 2);
	pci_cfg_write(pd, cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	pci_cfg_write(pd, cap + PCI_MSI_DATA_64, 2, 0x40);

	/* Asking for 128 vectors gets the 4 there are. */
	pci_cfg_write(pd, cap + PCI_MSI_FLAGS, 2,
		      PCI_MSI_FLAGS_ENABLE | 7 << 4);
	ctrl = (uint16_t)pci_cfg_read(pd, cap + PCI_MSI_FLAGS, 2);
	assert_int_equal((ctrl & PCI_MSI_FLAGS_QSIZE) >> 4, 2);
	assert_int_equal(fake_kvm_route_count(), 4);
	/* The function fills the low data bits with the vector number. */
	for (uint32_t v = 0; v < 4; v++)
		assert_true(route_bound(route_for(0xfee00000, 0x40 | v)));
	assert_int_equal(pci_irq_raise(pd, 3), 0);
	assert_int_equal(fake_kvm_irqfd_take(
		(unsigned)route_for(0xfee00000, 0x43)), 1);
	pci_cfg_write(pd, cap + PCI_MSI_MASK_64, 4, 0xff);
	assert_int_equal(pci_cfg_read(pd, cap + PCI_MSI_MASK_64, 4), 0xf);
	pci_cfg_write(pd, cap + PCI_MSI_MASK_64, 4, 0);

	/* Down to 2 vectors: 2 and 3 are released. */
	pci_cfg_write(pd, cap + PCI_MSI_FLAGS, 2,
		      PCI_MSI_FLAGS_ENABLE | 1 << 4);
	assert_int_equal(fake_kvm_route_count(), 2);
	assert_true(route_bound(route_for(0xfee00000, 0x41)));
	assert_int_equal(pci_irq_raise(pd, 2), -EINVAL);
}

/* ---- MSI-X ---- */

struct msix_ctx {
	struct pci_dev *pd;
	unsigned cap;
	uint64_t table;		/* guest address of the table */
	uint64_t pba;
};

/* 4 vectors; table at 0 and PBA at 2048 of BAR1, BAR0 the model's. */
static void msix_dev(struct pci_env *e, struct msix_ctx *x)
{
	x->pd = env_dev(e, 0);
	assert_int_equal(pci_bar_add(x->pd, 0, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_bar_add(x->pd, 1, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_msix_add(x->pd, 4, 1, 0, 1, 2048), 0);
	x->cap = find_cap(x->pd, PCI_CAP_ID_MSIX);
	assert_int_not_equal(x->cap, 0);
	x->table = pci_bar_addr(x->pd, 1);
	x->pba = x->table + 2048;
}

static void msix_entry(struct pci_env *e, struct msix_ctx *x, unsigned vec,
		       uint64_t addr, uint32_t data, bool masked)
{
	uint64_t ent = x->table + 16 * vec;

	env_mmio_write(e, ent + PCI_MSIX_ENTRY_LOWER_ADDR, 4, (uint32_t)addr);
	env_mmio_write(e, ent + PCI_MSIX_ENTRY_UPPER_ADDR, 4, addr >> 32);
	env_mmio_write(e, ent + PCI_MSIX_ENTRY_DATA, 4, data);
	env_mmio_write(e, ent + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, masked);
}

static void msix_ctrl(struct msix_ctx *x, uint16_t ctrl)
{
	pci_cfg_write(x->pd, x->cap + PCI_MSIX_FLAGS, 2, ctrl);
}

static void test_msix_cap_and_table(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	struct rec_access *r = &e->rec[0];

	msix_dev(e, &x);
	assert_int_equal(pci_cfg_read(x.pd, x.cap + PCI_MSIX_FLAGS, 2), 3);
	assert_int_equal(pci_cfg_read(x.pd, x.cap + PCI_MSIX_TABLE, 4), 1);
	assert_int_equal(pci_cfg_read(x.pd, x.cap + PCI_MSIX_PBA, 4),
			 2048 | 1);
	/* Only enable and function mask are writable. */
	msix_ctrl(&x, 0xffff);
	assert_int_equal(pci_cfg_read(x.pd, x.cap + PCI_MSIX_FLAGS, 2),
			 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 3);
	pci_cfg_write(x.pd, x.cap + PCI_MSIX_TABLE, 4, 0x100);
	assert_int_equal(pci_cfg_read(x.pd, x.cap + PCI_MSIX_TABLE, 4), 1);
	msix_ctrl(&x, 0);

	/* Vectors start masked. */
	for (unsigned v = 0; v < 4; v++)
		assert_int_equal(env_mmio_read(e, x.table + 16 * v + 12, 4,
					       NULL), 1);
	msix_entry(e, &x, 2, 0xfee01003, 0x51, false);
	assert_int_equal(env_mmio_read(e, x.table + 32, 4, NULL), 0xfee01000);
	assert_int_equal(env_mmio_read(e, x.table + 40, 4, NULL), 0x51);
	assert_int_equal(env_mmio_read(e, x.table + 44, 4, NULL), 0);
	/* Reserved vector-control bits stay zero; qword access works. */
	env_mmio_write(e, x.table + 44, 4, 0xfffffffe);
	assert_int_equal(env_mmio_read(e, x.table + 44, 4, NULL), 0);
	env_mmio_write(e, x.table + 32, 8, 0x00000002fee02000ull);
	assert_int_equal(env_mmio_read(e, x.table + 32, 8, NULL),
			 0x00000002fee02000ull);
	assert_int_equal(env_mmio_read(e, x.table + 33, 1, NULL), 0x20);
	/* Narrow or misaligned writes are dropped. */
	env_mmio_write(e, x.table + 40, 1, 0xff);
	env_mmio_write(e, x.table + 42, 4, 0xffffffff);
	assert_int_equal(env_mmio_read(e, x.table + 40, 4, NULL), 0x51);
	assert_int_equal(env_mmio_read(e, x.table + 41, 4, NULL), 0xffffffff);
	/* PBA is read-only. */
	env_mmio_write(e, x.pba, 8, ~0ull);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 0);

	/* Table and PBA never reach the model; the rest of BAR1 does. */
	assert_int_equal(r->calls, 0);
	env_mmio_write(e, x.table + 64, 4, 9);
	assert_int_equal(r->calls, 1);
	assert_int_equal(r->bar, 1);
	assert_int_equal(r->off, 64);
	env_mmio_read(e, x.pba + 8, 4, NULL);
	assert_int_equal(r->calls, 2);
	assert_int_equal(r->off, 2056);
	/* Disabled: no routes for any of that. */
	assert_int_equal(fake_kvm_route_count(), 0);
}

static void test_msix_add_errors(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_IO, 64), 0);
	assert_int_equal(pci_msix_add(pd, 0, 0, 0, 0, 2048), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 4, 2, 0, 0, 2048), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 4, 1, 0, 0, 2048), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 4, 0, 4, 0, 2048), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 4, 0, 0, 0, 32), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 300, 0, 0, 0, 2048), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 4, 0, 0, 0, 4096), -EINVAL);
	assert_int_equal(pci_msix_add(pd, 4, 0, 0, 0, 2048), 0);
	assert_int_equal(pci_msix_add(pd, 4, 0, 0, 0, 2048), -EEXIST);
	assert_int_equal(pci_msix_eventfd(pd, 4), -EINVAL);
	assert_int_equal(pci_msix_eventfd(env_dev(e, 1), 0), -ENODEV);
}

static void test_msix_function_mask(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	int gsi;

	msix_dev(e, &x);
	msix_entry(e, &x, 0, 0xfee00000, 0x30, false);
	msix_entry(e, &x, 1, 0xfee00000, 0x31, true);
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_int_equal(fake_kvm.irqfd_binds, 0);

	assert_int_equal(pci_irq_raise(x.pd, 0), 0);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 1);
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE);
	gsi = route_for(0xfee00000, 0x30);
	assert_true(route_bound(gsi));
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 1);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 0);
	/* Vector 1 is still masked by its own bit. */
	assert_int_equal(route_for(0xfee00000, 0x31), -1);
	/* Function mask again: everything unbound, routes kept. */
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	assert_false(route_bound(gsi));
	assert_int_equal(fake_kvm_route_count(), 1);
	/* With MSI-X enabled, vector numbers are MSI-X's. */
	assert_int_equal(pci_irq_raise(x.pd, 4), -EINVAL);
}

static void test_msix_vector_mask_pba(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	int gsi;

	msix_dev(e, &x);
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE);
	msix_entry(e, &x, 3, 0xfee00000, 0x63, false);
	gsi = route_for(0xfee00000, 0x63);
	assert_true(route_bound(gsi));
	assert_int_equal(pci_irq_raise(x.pd, 3), 0);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 1);

	/* Mask, raise twice: one pending bit, nothing delivered. */
	env_mmio_write(e, x.table + 16 * 3 + 12, 4, 1);
	assert_false(route_bound(gsi));
	assert_int_equal(pci_irq_raise(x.pd, 3), 0);
	assert_int_equal(pci_irq_raise(x.pd, 3), 0);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 1u << 3);
	assert_int_equal(env_mmio_read(e, x.pba, 1, NULL), 1u << 3);

	/* Reprogram while masked (what drivers do): the route follows. */
	env_mmio_write(e, x.table + 16 * 3 + 8, 4, 0x64);
	assert_int_equal(fake_kvm.route_updates, 1);
	assert_int_equal(fake_kvm.routes[gsi].data, 0x64);

	/* Unmask: bound again, the pending one delivered, PBA clear. */
	env_mmio_write(e, x.table + 16 * 3 + 12, 4, 0);
	assert_true(route_bound(gsi));
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 1);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 0);

	/* Disable: routes deleted, irqfds unbound, PBA cleared. */
	env_mmio_write(e, x.table + 16 * 3 + 12, 4, 1);
	pci_irq_raise(x.pd, 3);
	msix_ctrl(&x, 0);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_int_equal(fake_kvm.route_dels, 1);
	assert_int_equal(fake_kvm.irqfd_binds, fake_kvm.irqfd_unbinds);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 0);
}

static void test_msix_eventfd(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	uint64_t one = 1;
	int fd, gsi;

	msix_dev(e, &x);
	/* Handed out before the guest enables anything: held until live. */
	fd = pci_msix_eventfd(x.pd, 1);
	assert_true(fd >= 0);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));

	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE);
	msix_entry(e, &x, 1, 0xfee00000, 0x71, false);
	gsi = route_for(0xfee00000, 0x71);
	assert_true(route_bound(gsi));
	assert_int_equal(fake_kvm.routes[gsi].irqfd, fd);
	assert_int_equal(pci_msix_eventfd(x.pd, 1), fd);
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
	/* (The fake does not model KVM's inject-on-assign: one + one.) */
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 2);

	/* Masked: writes by the fd's holder show in the PBA ... */
	env_mmio_write(e, x.table + 16 + 12, 4, 1);
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 1u << 1);
	/* ... and are delivered on unmask. */
	env_mmio_write(e, x.table + 16 + 12, 4, 0);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 1);

	/* Disable frees the route but keeps the handed-out fd open. */
	msix_ctrl(&x, 0);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE);
	gsi = route_for(0xfee00000, 0x71);
	assert_int_equal(fake_kvm.routes[gsi].irqfd, fd);
	assert_int_equal(pci_msix_eventfd(x.pd, 1), fd);
	pci_dev_destroy(x.pd);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_true(fcntl(fd, F_GETFD) < 0);
}

static void test_msix_route_failure(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	int gsi;

	msix_dev(e, &x);
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE);
	fake_kvm.fail_route_add = -ENOSPC;
	msix_entry(e, &x, 0, 0xfee00000, 0x22, false);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_int_equal(pci_irq_raise(x.pd, 0), -EIO);
	assert_int_equal(env_mmio_read(e, x.pba, 8, NULL), 1);
	/* Once KVM has room, the next change of the vector recovers. */
	fake_kvm.fail_route_add = 0;
	env_mmio_write(e, x.table + 12, 4, 1);
	env_mmio_write(e, x.table + 12, 4, 0);
	gsi = route_for(0xfee00000, 0x22);
	assert_true(route_bound(gsi));
	assert_int_equal(fake_kvm_irqfd_take((unsigned)gsi), 1);
}

static void test_msix_preferred_over_msi(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	unsigned msi;

	msix_dev(e, &x);
	assert_int_equal(pci_msi_add(x.pd, 1), 0);
	msi = find_cap(x.pd, PCI_CAP_ID_MSI);
	pci_cfg_write(x.pd, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	pci_cfg_write(x.pd, msi + PCI_MSI_DATA_64, 2, 0x10);
	pci_cfg_write(x.pd, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	msix_ctrl(&x, PCI_MSIX_FLAGS_ENABLE);
	msix_entry(e, &x, 0, 0xfee00000, 0x20, false);
	assert_int_equal(pci_irq_raise(x.pd, 0), 0);
	assert_int_equal(fake_kvm_irqfd_take(
		(unsigned)route_for(0xfee00000, 0x20)), 1);
	assert_int_equal(fake_kvm_irqfd_take(
		(unsigned)route_for(0xfee00000, 0x10)), 0);
	msix_ctrl(&x, 0);
	assert_int_equal(pci_irq_raise(x.pd, 0), 0);
	assert_int_equal(fake_kvm_irqfd_take(
		(unsigned)route_for(0xfee00000, 0x10)), 1);
}

/* ---- INTx ---- */

static void test_intx_level(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	unsigned gsi = 16 + pci_dev_slot(pd) % 4;

	assert_int_equal(pci_irq_raise(pd, 0), -EAGAIN);
	assert_int_equal(pci_intx_add(pd), 0);
	assert_int_equal(pci_cfg_read(pd, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(pci_cfg_read(pd, PCI_INTERRUPT_LINE, 1), gsi);

	pci_intx_set(pd, true);
	assert_true(fake_kvm.line[gsi]);
	assert_true(pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* INTx disable drops the pin; status still shows the request. */
	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_false(fake_kvm.line[gsi]);
	assert_true(pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	pci_cfg_write(pd, PCI_COMMAND, 2, 0);
	assert_true(fake_kvm.line[gsi]);
	pci_intx_set(pd, false);
	assert_false(fake_kvm.line[gsi]);
	assert_false(pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	/* Setting the same level twice makes no extra KVM call. */
	fake_kvm.line_calls = 0;
	pci_intx_set(pd, false);
	assert_int_equal(fake_kvm.line_calls, 0);

	/* A raise without MSI is a pulse: up, then down. */
	assert_int_equal(pci_irq_raise(pd, 0), 0);
	assert_int_equal(fake_kvm.line_calls, 2);
	assert_false(fake_kvm.line[gsi]);
	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_int_equal(pci_irq_raise(pd, 0), -EAGAIN);
}

static void test_intx_shared_pin(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *a = pci_dev_create(e->vmm.pci, &e->vd[0], 1);
	struct pci_dev *b = pci_dev_create(e->vmm.pci, &e->vd[1], 5);
	unsigned cap;

	/* Slots 1 and 5 share PIRQB: IOAPIC pin 17, a wired-OR. */
	assert_int_equal(pci_intx_add(a), 0);
	assert_int_equal(pci_intx_add(b), 0);
	assert_int_equal(pci_cfg_read(b, PCI_INTERRUPT_LINE, 1), 17);
	pci_intx_set(a, true);
	pci_intx_set(b, true);
	pci_intx_set(a, false);
	assert_true(fake_kvm.line[17]);
	pci_intx_set(b, false);
	assert_false(fake_kvm.line[17]);

	/* MSI enabled takes the function off its pin. */
	assert_int_equal(pci_msi_add(a, 1), 0);
	cap = find_cap(a, PCI_CAP_ID_MSI);
	pci_intx_set(a, true);
	assert_true(fake_kvm.line[17]);
	pci_cfg_write(a, cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	assert_false(fake_kvm.line[17]);
	pci_cfg_write(a, cap + PCI_MSI_FLAGS, 2, 0);
	assert_true(fake_kvm.line[17]);
	/* A device going away releases its vote. */
	pci_dev_destroy(a);
	assert_false(fake_kvm.line[17]);
}

/* ---- threads ---- */

struct hammer {
	struct pci_env *e;
	struct msix_ctx *x;
	atomic_bool stop;
	unsigned raised;
};

static void *hammer_raise(void *arg)
{
	struct hammer *h = arg;

	while (!atomic_load(&h->stop))
		if (pci_irq_raise(h->x->pd, h->raised++ % 4) == 0)
			pci_intx_set(h->x->pd, h->raised & 1);
	return NULL;
}

static void *hammer_guest(void *arg)
{
	struct hammer *h = arg;
	unsigned slot = pci_dev_slot(h->x->pd);

	for (unsigned i = 0; i < 3000; i++) {
		/* Mask games, table writes, BAR moves, decode toggles. */
		uint64_t t = pci_bar_addr(h->x->pd, 1);

		if (t)
			env_mmio_write(h->e, t + 16 * (i % 4) + 12, 4, i & 1);
		env_cfg_write(h->e, slot, h->x->cap + PCI_MSIX_FLAGS, 2,
			      i % 7 ? PCI_MSIX_FLAGS_ENABLE : 0);
		env_cfg_write(h->e, slot, PCI_BASE_ADDRESS_1, 4,
			      i % 2 ? 0xd0000000 : 0xd0010000);
		env_cfg_write(h->e, slot, PCI_COMMAND, 2,
			      i % 5 ? PCI_COMMAND_MEMORY : 0);
		if (t)
			env_mmio_read(h->e, t + 2048, 8, NULL);
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	struct pci_env *e = *state;
	struct msix_ctx x;
	struct hammer h = { .e = e, .x = &x };
	pthread_t raiser, guest[2];

	msix_dev(e, &x);
	assert_int_equal(pci_intx_add(x.pd), 0);
	for (unsigned v = 0; v < 4; v++)
		msix_entry(e, &x, v, 0xfee00000, 0x40 + v, false);
	assert_int_equal(pthread_create(&raiser, NULL, hammer_raise, &h), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&guest[i], NULL, hammer_guest,
						&h), 0);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(guest[i], NULL);
	atomic_store(&h.stop, true);
	pthread_join(raiser, NULL);
	/* Bookkeeping came out even: disabling frees every route. */
	msix_ctrl(&x, 0);
	assert_int_equal(fake_kvm_route_count(), 0);
	assert_int_equal(fake_kvm.irqfd_binds, fake_kvm.irqfd_unbinds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
		T(test_msi_cap_fields),
		T(test_msi_enable_raise_mask),
		T(test_msi_multi_message),
		T(test_msix_cap_and_table),
		T(test_msix_add_errors),
		T(test_msix_function_mask),
		T(test_msix_vector_mask_pba),
		T(test_msix_eventfd),
		T(test_msix_route_failure),
		T(test_msix_preferred_over_msi),
		T(test_intx_level),
		T(test_intx_shared_pin),
		T(test_concurrent),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
