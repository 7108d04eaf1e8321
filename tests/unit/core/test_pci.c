// SPDX-License-Identifier: MIT
/*
 * PCI host bridge: configuration mechanism #1, the type-0 header, BAR
 * sizing, placement and moves, command-register decode, memory-backed
 * BARs, and that garbage from the guest is harmless.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <linux/pci_regs.h>

#include "core/pci_priv.h"	/* pci_dev_destroy */
#include "tests/unit/core/pci_test_env.h"

/* ---- mechanism #1 ---- */

static void test_host_bridge(void **state)
{
	struct pci_env *e = *state;

	assert_int_equal(env_cfg_read(e, 0, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(env_cfg_read(e, 0, PCI_CLASS_REVISION, 4) >> 8,
			 0x060000);
	assert_int_equal(env_cfg_read(e, 0, PCI_HEADER_TYPE, 1),
			 PCI_HEADER_TYPE_NORMAL);
	assert_ptr_equal(pci_host_dev(e->vmm.pci, 0),
			 pci_host_dev(e->vmm.pci, 0));
	assert_non_null(pci_host_dev(e->vmm.pci, 0));
	assert_null(pci_host_dev(e->vmm.pci, 1));
	assert_null(pci_host_dev(e->vmm.pci, 32));
}

static void test_mech1_latch(void **state)
{
	struct pci_env *e = *state;

	/* Reserved bits and bits 1:0 read back as zero. */
	env_out(e, 0xcf8, 4, 0xffffffff);
	assert_int_equal(env_in(e, 0xcf8, 4), 0x80fffffc);
	env_out(e, 0xcf8, 4, 0x80000000);
	assert_int_equal(env_in(e, 0xcf8, 4), 0x80000000);

	/* Byte and word writes do not latch (Linux's type-1 probe). */
	env_out(e, 0xcfb, 1, 0x01);
	env_out(e, 0xcfa, 2, 0x1234);
	env_out(e, 0xcf8, 1, 0x55);
	assert_int_equal(env_in(e, 0xcf8, 4), 0x80000000);
	assert_int_equal(env_in(e, 0xcf9, 1), 0xff);

	/* Byte and word reads at the right lane of the data window. */
	env_out(e, 0xcf8, 4, env_cfg_addr(0, 0));
	assert_int_equal(env_in(e, 0xcfc, 1), 0x86);
	assert_int_equal(env_in(e, 0xcfd, 1), 0x80);
	assert_int_equal(env_in(e, 0xcfe, 2), 0x1237);
	assert_int_equal(env_in(e, 0xcfd, 2), 0x3780);
	assert_int_equal(env_in(e, 0xcff, 1), 0x12);
	/* Straddling the latch and the window: nothing decodes it. */
	assert_int_equal(env_in(e, 0xcfb, 2), 0xffff);

	/* Enable bit clear: master abort. */
	env_out(e, 0xcf8, 4, 0x00000000);
	assert_int_equal(env_in(e, 0xcfc, 4), 0xffffffff);
}

static void test_mech1_absent(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	unsigned slot = pci_dev_slot(pd);

	assert_int_equal(slot, 1);
	assert_int_equal(env_cfg_read(e, slot, 0, 4), 0x10006970);
	/* Function 1, bus 1, an empty slot: all ones. */
	env_out(e, 0xcf8, 4, env_cfg_addr(slot, 0) | 1u << 8);
	assert_int_equal(env_in(e, 0xcfc, 4), 0xffffffff);
	env_out(e, 0xcf8, 4, env_cfg_addr(slot, 0) | 1u << 16);
	assert_int_equal(env_in(e, 0xcfc, 4), 0xffffffff);
	assert_int_equal(env_cfg_read(e, 7, 0, 4), 0xffffffff);
	assert_int_equal(env_cfg_read(e, 7, 2, 2), 0xffff);
	/* Writes there go nowhere. */
	env_cfg_write(e, 7, PCI_COMMAND, 2, 0xffff);
	env_out(e, 0xcf8, 4, env_cfg_addr(slot, PCI_COMMAND) | 1u << 8);
	env_out(e, 0xcfc, 2, 0);
	assert_int_equal(env_cfg_read(e, slot, PCI_COMMAND, 2), 0);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 1;
}

static void test_garbage_writes(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	static const unsigned sizes[] = { 0, 1, 2, 3, 4, 8 };
	uint32_t seed = 1;

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 32), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_bar_add(pd, 2, PCI_BAR_MEM64, 8192), 0);
	assert_int_equal(pci_msi_add(pd, 4), 0);
	assert_int_equal(pci_msix_add(pd, 2, 1, 0, 1, 2048), 0);
	assert_int_equal(pci_intx_add(pd), 0);

	for (int i = 0; i < 20000; i++) {
		uint16_t port = (uint16_t)(0xcf8 + lcg(&seed) % 8);
		unsigned size = 1u << (lcg(&seed) % 3);
		uint32_t v = lcg(&seed) ^ lcg(&seed) << 16;

		if (lcg(&seed) % 3 == 0)
			env_out(e, 0xcf8, 4, 0x80000000u | (v & 0x1fff00u) |
					     (lcg(&seed) & 0xfc));
		else if (lcg(&seed) % 2)
			env_out(e, port, size, v);
		else
			env_in(e, port, size);
		pci_cfg_write(pd, lcg(&seed) % 300,
			      sizes[lcg(&seed) % 6], v);
		pci_irq_raise(pd, lcg(&seed) % 40);
	}
	/* Read-only identity survived. */
	assert_int_equal(pci_cfg_read(pd, PCI_VENDOR_ID, 4), 0x10006970);
	assert_int_equal(pci_cfg_read(pd, PCI_CLASS_REVISION, 4), 0xff000001);
	assert_int_equal(pci_cfg_read(pd, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_0, 4) & 3, 1);
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_2, 4) & 0xf, 4);
	assert_int_equal(env_cfg_read(e, 0, 0, 4), 0x12378086);
	/* Bad sizes and offsets through the direct interface. */
	assert_int_equal(pci_cfg_read(pd, 256, 4), 0xffffffff);
	assert_int_equal(pci_cfg_read(pd, 0, 3), 0xffffffff);
	assert_int_equal(pci_cfg_read(pd, 2, 4), 0xffffffff);
	assert_int_equal(pci_cfg_read(NULL, 0, 4), 0xffffffff);
	pci_cfg_write(NULL, 0, 4, 0);
	pci_cfg_write(pd, 0xfffffff0u, 4, 0);
}

/* ---- header ---- */

static void test_header_fields(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);

	pci_dev_set_subsys(pd, 0x1234, 0x5678);
	assert_int_equal(pci_cfg_read(pd, PCI_SUBSYSTEM_VENDOR_ID, 4),
			 0x56781234);
	/* IDs, class and header type are read-only. */
	pci_cfg_write(pd, PCI_VENDOR_ID, 4, 0);
	pci_cfg_write(pd, PCI_CLASS_REVISION, 4, 0);
	pci_cfg_write(pd, PCI_HEADER_TYPE, 1, 0x80);
	assert_int_equal(pci_cfg_read(pd, PCI_VENDOR_ID, 4), 0x10006970);
	assert_int_equal(pci_cfg_read(pd, PCI_HEADER_TYPE, 1), 0);

	/* Only the command bits we implement stick. */
	pci_cfg_write(pd, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pci_cfg_read(pd, PCI_COMMAND, 2),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
			 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
			 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);

	/* Status error bits are write-one-to-clear. */
	pci_cfg_set16(pd, PCI_STATUS, PCI_STATUS_REC_MASTER_ABORT |
				      PCI_STATUS_CAP_LIST);
	pci_cfg_write(pd, PCI_STATUS, 2, 0);
	assert_int_equal(pci_cfg_read(pd, PCI_STATUS, 2),
			 PCI_STATUS_REC_MASTER_ABORT | PCI_STATUS_CAP_LIST);
	pci_cfg_write(pd, PCI_STATUS, 2, 0xffff);
	assert_int_equal(pci_cfg_read(pd, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);

	/* Cache line size, latency timer, interrupt line are read-write. */
	pci_cfg_write(pd, PCI_CACHE_LINE_SIZE, 2, 0x4010);
	assert_int_equal(pci_cfg_read(pd, PCI_CACHE_LINE_SIZE, 2), 0x4010);
	pci_cfg_write(pd, PCI_INTERRUPT_LINE, 1, 11);
	assert_int_equal(pci_cfg_read(pd, PCI_INTERRUPT_LINE, 1), 11);
	/* No expansion ROM: the ROM BAR sizes to zero. */
	pci_cfg_write(pd, PCI_ROM_ADDRESS, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(pd, PCI_ROM_ADDRESS, 4), 0);
	/* pci_cfg_set* ignore offsets past the end. */
	pci_cfg_set32(pd, 254, 0xffffffff);
	pci_cfg_set16(pd, 255, 0xffff);
	pci_cfg_set8(pd, 256, 0xff);
}

static void test_device_specific_cfg(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	struct rec_access *r = &e->rec[0];
	unsigned slot = pci_dev_slot(pd);

	/* 0x40-0x7f belong to the model. */
	assert_int_equal(env_cfg_read(e, slot, 0x42, 2), 0x0042);
	assert_int_equal(r->cfg_reads, 1);
	assert_int_equal(r->cfg_off, 0x42);
	assert_int_equal(r->cfg_size, 2);
	env_cfg_write(e, slot, 0x41, 1, 0x1ab);
	assert_int_equal(r->cfg_writes, 1);
	assert_int_equal(r->cfg_off, 0x41);
	assert_int_equal(r->cfg_val, 0xab);

	/* A model without handlers: its image, read-only to the guest. */
	e->vd[1].ops = &(const struct vdev_ops){ .name = "bare" };
	pd = env_dev(e, 1);
	pci_cfg_set32(pd, 0x40, 0xcafef00d);
	assert_int_equal(pci_cfg_read(pd, 0x40, 4), 0xcafef00d);
	pci_cfg_write(pd, 0x40, 4, 0);
	assert_int_equal(pci_cfg_read(pd, 0x40, 4), 0xcafef00d);
	assert_int_equal(pci_cfg_read(pd, 0xfc, 4), 0);
}

static void test_capability_list(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	unsigned cap, ids[4], n = 0;

	assert_int_equal(pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
			 0);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_msi_add(pd, 1), 0);
	assert_int_equal(pci_msix_add(pd, 4, 0, 0, 0, 2048), 0);
	assert_int_equal(pci_msi_add(pd, 1), -EEXIST);
	assert_true(pci_cfg_read(pd, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (cap = pci_cfg_read(pd, PCI_CAPABILITY_LIST, 1); cap && n < 4;
	     cap = pci_cfg_read(pd, cap + PCI_CAP_LIST_NEXT, 1)) {
		assert_true(cap >= 0x40 && (cap & 3) == 0);
		ids[n++] = pci_cfg_read(pd, cap, 1);
	}
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], PCI_CAP_ID_MSI);
	assert_int_equal(ids[1], PCI_CAP_ID_MSIX);
	/* Capabilities are ours: the model never sees those offsets. */
	assert_int_equal(e->rec[0].cfg_reads, 0);
}

static void test_slots(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *a = env_dev(e, 0);
	struct pci_dev *b = env_dev(e, 1);

	assert_int_equal(pci_dev_slot(a), 1);
	assert_int_equal(pci_dev_slot(b), 2);
	assert_ptr_equal(e->vd[0].pci, a);
	assert_ptr_equal(pci_host_dev(e->vmm.pci, 2), b);
	errno = 0;
	assert_null(pci_dev_create(e->vmm.pci, &e->vd[2], 2));
	assert_int_equal(errno, EEXIST);
	assert_null(pci_dev_create(e->vmm.pci, &e->vd[2], 32));
	assert_int_equal(errno, EINVAL);
	assert_non_null(pci_dev_create(e->vmm.pci, &e->vd[2], 31));
	pci_dev_destroy(b);
	assert_null(pci_host_dev(e->vmm.pci, 2));
	assert_int_equal(env_cfg_read(e, 2, 0, 4), 0xffffffff);
}

/* ---- BARs ---- */

static void test_bar_add_errors(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);

	assert_int_equal(pci_bar_add(pd, 6, PCI_BAR_MEM32, 4096), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 3000), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 2048), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 512), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 2), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 5, PCI_BAR_MEM64, 4096), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_NONE, 4096), -EINVAL);
	assert_int_equal(pci_bar_add(pd, 2, PCI_BAR_MEM64, 4096), 0);
	assert_int_equal(pci_bar_add(pd, 2, PCI_BAR_MEM32, 4096), -EEXIST);
	assert_int_equal(pci_bar_add(pd, 3, PCI_BAR_MEM32, 4096), -EEXIST);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_MEM64, 4096), -EEXIST);
	assert_int_equal(pci_bar_add(pd, 4, PCI_BAR_IO, 16), 0);
}

static void test_bar_placement(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	uint64_t io, m32, m64;

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 128), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_bar_add(pd, 2, PCI_BAR_MEM64, 0x10000), 0);
	io = pci_bar_addr(pd, 0);
	m32 = pci_bar_addr(pd, 1);
	m64 = pci_bar_addr(pd, 2);

	/* Naturally aligned, inside the windows, decoding on. */
	assert_true(io >= PCI_IO_WINDOW_BASE &&
		    io + 128 <= PCI_IO_WINDOW_BASE + PCI_IO_WINDOW_SIZE);
	assert_int_equal(io % 128, 0);
	assert_true(m32 >= PCI_MMIO_WINDOW_BASE && m32 % 4096 == 0);
	assert_true(m64 >= PCI_MMIO_WINDOW_BASE && m64 % 0x10000 == 0);
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_0, 4), io | 1);
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_1, 4), m32);
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_2, 4), m64 | 4);
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_3, 4), 0);
	assert_int_equal(pci_bar_addr(pd, 3), 0);
	assert_int_equal(pci_cfg_read(pd, PCI_COMMAND, 2) &
			 (PCI_COMMAND_IO | PCI_COMMAND_MEMORY),
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY);

	/* Accesses reach the model with BAR index and offset. */
	env_out(e, (uint16_t)(io + 0x7c), 4, 0x11223344);
	assert_int_equal(e->rec[0].bar, 0);
	assert_int_equal(e->rec[0].off, 0x7c);
	assert_int_equal(e->rec[0].val, 0x11223344);
	assert_int_equal(env_mmio_read(e, m64 + 0xfff8, 8, NULL),
			 0x5a5afff8);
	assert_int_equal(e->rec[0].bar, 2);
	assert_int_equal(e->rec[0].size, 8);
}

static void test_bar_sizing(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	unsigned slot = pci_dev_slot(pd);
	uint32_t saved[6];

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 128), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_bar_add(pd, 2, PCI_BAR_MEM64, 0x2000), 0);
	for (unsigned i = 0; i < 6; i++)
		saved[i] = env_cfg_read(e, slot, PCI_BASE_ADDRESS_0 + 4 * i, 4);

	/* The way Linux sizes: decode off, all ones, read, restore. */
	env_cfg_write(e, slot, PCI_COMMAND, 2, 0);
	for (unsigned i = 0; i < 6; i++)
		env_cfg_write(e, slot, PCI_BASE_ADDRESS_0 + 4 * i, 4,
			      0xffffffff);
	assert_int_equal(env_cfg_read(e, slot, PCI_BASE_ADDRESS_0, 4),
			 0xffffff81);
	assert_int_equal(env_cfg_read(e, slot, PCI_BASE_ADDRESS_1, 4),
			 0xfffff000);
	assert_int_equal(env_cfg_read(e, slot, PCI_BASE_ADDRESS_2, 4),
			 0xffffe004);
	assert_int_equal(env_cfg_read(e, slot, PCI_BASE_ADDRESS_3, 4),
			 0xffffffff);
	assert_int_equal(env_cfg_read(e, slot, PCI_BASE_ADDRESS_4, 4), 0);
	assert_int_equal(env_cfg_read(e, slot, PCI_BASE_ADDRESS_5, 4), 0);
	for (unsigned i = 0; i < 6; i++)
		env_cfg_write(e, slot, PCI_BASE_ADDRESS_0 + 4 * i, 4,
			      saved[i]);
	env_cfg_write(e, slot, PCI_COMMAND, 2,
		      PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(env_cfg_read(e, slot,
					      PCI_BASE_ADDRESS_0 + 4 * i, 4),
				 saved[i]);
	assert_int_equal(pci_bar_addr(pd, 0), saved[0] & ~3u);
	assert_int_equal(pci_bar_addr(pd, 1), saved[1]);
	assert_int_equal(pci_bar_addr(pd, 2), saved[2] & ~0xfu);

	/* Sizing with decode left on: the BAR is off the bus meanwhile. */
	pci_cfg_write(pd, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	assert_int_equal(pci_bar_addr(pd, 1), 0);
	assert_int_equal(iobus_unclaimed_count(e->vmm.mmio), 0);
	env_mmio_read(e, 0xfffff000, 4, NULL);
	assert_int_equal(iobus_unclaimed_count(e->vmm.mmio), 1);
	pci_cfg_write(pd, PCI_BASE_ADDRESS_1, 4, saved[1]);
	assert_int_equal(pci_bar_addr(pd, 1), saved[1]);
	/* Byte writes merge into the dword. */
	pci_cfg_write(pd, PCI_BASE_ADDRESS_1 + 3, 1, 0xd1);
	assert_int_equal(pci_bar_addr(pd, 1),
			 0xd1000000 | (saved[1] & 0xffffff));
}

static void test_bar_move(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	struct moved_note *m = &e->moved[0];
	struct rec_access *r = &e->rec[0];
	uint64_t old_mem, old_io;
	int ret;

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 64), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096), 0);
	old_io = pci_bar_addr(pd, 0);
	old_mem = pci_bar_addr(pd, 1);

	pci_cfg_write(pd, PCI_BASE_ADDRESS_1, 4, 0xd0000000);
	assert_int_equal(pci_bar_addr(pd, 1), 0xd0000000);
	assert_int_equal(m->calls, 1);
	assert_int_equal(m->idx, 1);
	assert_int_equal(m->old_addr, old_mem);
	assert_int_equal(m->new_addr, 0xd0000000);
	assert_int_equal(env_mmio_write(e, 0xd0000010, 4, 0xfeed), 0);
	assert_int_equal(r->bar, 1);
	assert_int_equal(r->off, 0x10);
	assert_int_equal(r->val, 0xfeed);
	r->calls = 0;
	env_mmio_read(e, old_mem + 0x10, 4, &ret);
	assert_int_equal(ret, -ENOENT);
	assert_int_equal(r->calls, 0);

	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xe000);
	assert_int_equal(pci_bar_addr(pd, 0), 0xe000);
	env_out(e, 0xe004, 2, 0xbeef);
	assert_int_equal(r->bar, 0);
	assert_int_equal(r->off, 4);
	assert_int_equal(r->size, 2);
	assert_int_equal(env_in(e, (uint16_t)old_io, 4), 0xffffffff);

	/* Rewriting the same address is no move. */
	m->calls = 0;
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xe000);
	assert_int_equal(m->calls, 0);
	/* An I/O BAR that would end past 64K is not decoded. */
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0x10000);
	assert_int_equal(pci_bar_addr(pd, 0), 0);
}

static void test_bar_mem64_high(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	struct rec_access *r = &e->rec[0];

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM64, 0x4000), 0);
	assert_true(pci_bar_addr(pd, 0) < 0x100000000ull);
	pci_cfg_write(pd, PCI_COMMAND, 2, 0);
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0x40000000);
	pci_cfg_write(pd, PCI_BASE_ADDRESS_1, 4, 0x8);
	assert_int_equal(pci_bar_addr(pd, 0), 0);
	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_bar_addr(pd, 0), 0x840000000ull);
	assert_int_equal(env_mmio_write(e, 0x840000000ull + 0x3ffc, 4, 7), 0);
	assert_int_equal(r->bar, 0);
	assert_int_equal(r->off, 0x3ffc);
}

static void test_command_decode(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	struct moved_note *m = &e->moved[0];
	uint64_t io, mem;
	int ret;

	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_IO, 32), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096), 0);
	io = pci_bar_addr(pd, 0);
	mem = pci_bar_addr(pd, 1);

	/* Memory decode off: only the memory BAR goes. */
	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_int_equal(pci_bar_addr(pd, 1), 0);
	assert_int_equal(pci_bar_addr(pd, 0), io);
	assert_int_equal(m->calls, 1);
	assert_int_equal(m->old_addr, mem);
	assert_int_equal(m->new_addr, 0);
	env_mmio_read(e, mem, 4, &ret);
	assert_int_equal(ret, -ENOENT);
	/* The register keeps its value while not decoding. */
	assert_int_equal(pci_cfg_read(pd, PCI_BASE_ADDRESS_1, 4), mem);

	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_int_equal(pci_bar_addr(pd, 1), mem);
	assert_int_equal(pci_bar_addr(pd, 0), 0);
	env_mmio_read(e, mem, 4, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(env_in(e, (uint16_t)io, 4), 0xffffffff);
	assert_int_equal(m->calls, 3);

	/* A byte write to the command register counts too. */
	pci_cfg_write(pd, PCI_COMMAND, 1, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(pci_bar_addr(pd, 0), io);
}

static void test_bar_overlap_refused(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *a = env_dev(e, 0);
	struct pci_dev *b = env_dev(e, 1);
	uint64_t a_mem, a_io;

	assert_int_equal(pci_bar_add(a, 0, PCI_BAR_MEM32, 0x2000), 0);
	assert_int_equal(pci_bar_add(a, 1, PCI_BAR_IO, 64), 0);
	assert_int_equal(pci_bar_add(b, 0, PCI_BAR_MEM32, 0x1000), 0);
	assert_int_equal(pci_bar_add(b, 1, PCI_BAR_IO, 16), 0);
	a_mem = pci_bar_addr(a, 0);
	a_io = pci_bar_addr(a, 1);
	assert_int_not_equal(pci_bar_addr(b, 0), a_mem);

	/* B onto the second page of A: refused, B left unmapped. */
	pci_cfg_write(b, PCI_BASE_ADDRESS_0, 4, (uint32_t)a_mem + 0x1000);
	assert_int_equal(pci_bar_addr(b, 0), 0);
	assert_int_equal(pci_cfg_read(b, PCI_BASE_ADDRESS_0, 4),
			 a_mem + 0x1000);
	env_mmio_write(e, a_mem + 0x1004, 4, 1);
	assert_int_equal(e->rec[0].calls, 1);
	assert_int_equal(e->rec[0].off, 0x1004);
	assert_int_equal(e->rec[1].calls, 0);
	/* The same for I/O, and decode toggles do not change that. */
	pci_cfg_write(b, PCI_BASE_ADDRESS_1, 4, (uint32_t)a_io + 16);
	assert_int_equal(pci_bar_addr(b, 1), 0);
	pci_cfg_write(b, PCI_COMMAND, 2, 0);
	pci_cfg_write(b, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_int_equal(pci_bar_addr(b, 0), 0);
	assert_int_equal(pci_bar_addr(a, 0), a_mem);

	/* Moved somewhere free, B decodes again. */
	pci_cfg_write(b, PCI_BASE_ADDRESS_0, 4, 0xd8000000);
	assert_int_equal(pci_bar_addr(b, 0), 0xd8000000);
	env_mmio_write(e, 0xd8000000, 4, 1);
	assert_int_equal(e->rec[1].calls, 1);
}

static void dummy_handler(void *opaque, uint64_t offset, void *data,
			  unsigned size, bool is_write)
{
	(void)opaque;
	(void)offset;
	(void)data;
	(void)size;
	(void)is_write;
}

static void test_bar_placement_skips_claimed(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);

	/* Firmware-style placement steps over ranges already claimed. */
	assert_int_equal(iobus_register(e->vmm.mmio, PCI_MMIO_WINDOW_BASE,
					0x1000, dummy_handler, NULL), 0);
	assert_int_equal(iobus_register(e->vmm.pio, PCI_IO_WINDOW_BASE, 0x20,
					dummy_handler, NULL), 0);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 0x1000), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_IO, 0x20), 0);
	assert_int_equal(pci_bar_addr(pd, 0), PCI_MMIO_WINDOW_BASE + 0x1000);
	assert_int_equal(pci_bar_addr(pd, 1), PCI_IO_WINDOW_BASE + 0x20);
	/* Natural alignment after a smaller BAR. */
	assert_int_equal(pci_bar_add(pd, 2, PCI_BAR_MEM32, 0x4000), 0);
	assert_int_equal(pci_bar_addr(pd, 2), PCI_MMIO_WINDOW_BASE + 0x4000);
	iobus_unregister(e->vmm.mmio, PCI_MMIO_WINDOW_BASE);
	iobus_unregister(e->vmm.pio, PCI_IO_WINDOW_BASE);
}

static void test_bar_backing(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	struct pci_dev *other = env_dev(e, 1);
	void *page = aligned_alloc(4096, 4096);
	uint64_t addr;
	int slot = -1;

	assert_non_null(page);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 4096), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_IO, 16), 0);
	assert_int_equal(pci_bar_add(other, 0, PCI_BAR_MEM32, 4096), 0);
	addr = pci_bar_addr(pd, 0);
	assert_int_equal(pci_bar_set_backing(pd, 1, page), -EINVAL);
	assert_int_equal(pci_bar_set_backing(pd, 0, (char *)page + 8),
			 -EINVAL);
	assert_int_equal(pci_bar_set_backing(pd, 0, page), 0);
	assert_int_equal(pci_bar_set_backing(pd, 0, page), -EEXIST);

	for (int s = 0; s < FAKE_KVM_MAX_SLOTS; s++)
		if (fake_kvm.slots[s].used)
			slot = s;
	assert_in_range(slot, 16, 63);
	assert_int_equal(fake_kvm.slots[slot].gpa, addr);
	assert_int_equal(fake_kvm.slots[slot].size, 4096);
	assert_ptr_equal(fake_kvm.slots[slot].hva, page);

	/* Moves follow in the slot. */
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xd0000000);
	assert_true(fake_kvm.slots[slot].used);
	assert_int_equal(fake_kvm.slots[slot].gpa, 0xd0000000);
	/* Decode off removes the slot; on brings it back. */
	pci_cfg_write(pd, PCI_COMMAND, 2, 0);
	assert_false(fake_kvm.slots[slot].used);
	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(fake_kvm.slots[slot].used);
	/* Onto another device's BAR: no slot at all. */
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4,
		      (uint32_t)pci_bar_addr(other, 0));
	assert_false(fake_kvm.slots[slot].used);
	assert_int_equal(pci_bar_addr(pd, 0), 0);
	/* KVM refusing a slot leaves the BAR unmapped, nothing else. */
	fake_kvm.fail_set_memory = -EEXIST;
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xd0000000);
	assert_int_equal(pci_bar_addr(pd, 0), 0);
	fake_kvm.fail_set_memory = 0;
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xd0001000);
	assert_int_equal(pci_bar_addr(pd, 0), 0xd0001000);
	pci_dev_destroy(pd);
	assert_false(fake_kvm.slots[slot].used);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
		T(test_host_bridge),
		T(test_mech1_latch),
		T(test_mech1_absent),
		T(test_garbage_writes),
		T(test_header_fields),
		T(test_device_specific_cfg),
		T(test_capability_list),
		T(test_slots),
		T(test_bar_add_errors),
		T(test_bar_placement),
		T(test_bar_placement_skips_claimed),
		T(test_bar_sizing),
		T(test_bar_move),
		T(test_bar_mem64_high),
		T(test_command_decode),
		T(test_bar_overlap_refused),
		T(test_bar_backing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
