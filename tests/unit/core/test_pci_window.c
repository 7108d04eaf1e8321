// SPDX-License-Identifier: MIT
/*
 * BAR windows: a KVM slot over part of a trapped memory BAR that follows
 * the BAR as the guest moves it, turns decoding off and on, and lets the
 * rest of the BAR trap to the model.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/pci_regs.h>

#include "core/pci_window.h"
#include "tests/unit/core/pci_test_env.h"

static struct pci_window *moved_window;

static void window_moved(struct vdev *vd, unsigned idx, uint64_t old_addr,
			 uint64_t new_addr)
{
	(void)vd;
	(void)old_addr;
	if (idx == 0 && moved_window)
		pci_window_follow(moved_window, new_addr);
}

/* The one slot in use, or -1. */
static int used_slot(void)
{
	int slot = -1;

	for (int s = 0; s < FAKE_KVM_MAX_SLOTS; s++)
		if (fake_kvm.slots[s].used)
			slot = s;
	return slot;
}

static void test_window_follows_bar(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	void *pages = aligned_alloc(4096, 0x2000);
	struct pci_window *w;
	uint64_t addr;
	int slot, ret;

	assert_non_null(pages);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 0x4000), 0);
	addr = pci_bar_addr(pd, 0);
	w = pci_window_create(pd, 0, 0x2000, 0x2000, pages);
	assert_non_null(w);
	moved_window = w;
	pci_dev_on_bar_moved(pd, window_moved);
	slot = used_slot();
	assert_in_range(slot, 16, 63);
	assert_int_equal(fake_kvm.slots[slot].gpa, addr + 0x2000);
	assert_int_equal(fake_kvm.slots[slot].size, 0x2000);
	assert_ptr_equal(fake_kvm.slots[slot].hva, pages);
	assert_int_equal(pci_window_gpa(w), addr + 0x2000);

	/* The rest of the BAR still traps to the model. */
	env_mmio_read(e, addr + 0x1520, 4, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(e->rec[0].off, 0x1520);

	/* The guest moves the BAR; turns decoding off, then on. */
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xd0000000);
	assert_int_equal(fake_kvm.slots[slot].gpa, 0xd0002000);
	pci_cfg_write(pd, PCI_COMMAND, 2, 0);
	assert_false(fake_kvm.slots[slot].used);
	assert_int_equal(pci_window_gpa(w), 0);
	pci_cfg_write(pd, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	assert_true(fake_kvm.slots[slot].used);
	assert_int_equal(fake_kvm.slots[slot].gpa, 0xd0002000);

	/* KVM refusing the slot: unmapped, and the next move tries again. */
	fake_kvm.fail_set_memory = -EEXIST;
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xd0010000);
	assert_false(fake_kvm.slots[slot].used);
	assert_int_equal(pci_window_gpa(w), 0);
	fake_kvm.fail_set_memory = 0;
	pci_cfg_write(pd, PCI_BASE_ADDRESS_0, 4, 0xd0020000);
	assert_int_equal(fake_kvm.slots[slot].gpa, 0xd0022000);

	/* Gone: the slot is free for the next window. */
	moved_window = NULL;
	pci_window_destroy(w);
	assert_int_equal(used_slot(), -1);
	w = pci_window_create(pd, 0, 0, 0x1000, pages);
	assert_non_null(w);
	assert_int_equal(used_slot(), slot);
	pci_window_destroy(w);
	pci_dev_destroy(pd);
	free(pages);
}

static void test_window_refused(void **state)
{
	struct pci_env *e = *state;
	struct pci_dev *pd = env_dev(e, 0);
	void *pages = aligned_alloc(4096, 0x4000);

	assert_non_null(pages);
	assert_int_equal(pci_bar_add(pd, 0, PCI_BAR_MEM32, 0x4000), 0);
	assert_int_equal(pci_bar_add(pd, 1, PCI_BAR_IO, 32), 0);
	assert_int_equal(pci_bar_add(pd, 3, PCI_BAR_MEM32, 0x4000), 0);
	assert_int_equal(pci_msix_add(pd, 3, 3, 0, 3, 0x2000), 0);
#define REFUSED(call) do {						\
		errno = 0;						\
		assert_null(call);					\
		assert_int_equal(errno, EINVAL);			\
	} while (0)
	REFUSED(pci_window_create(pd, 1, 0, 0x1000, pages));	/* I/O BAR */
	REFUSED(pci_window_create(pd, 2, 0, 0x1000, pages));	/* none */
	REFUSED(pci_window_create(pd, 0, 0x800, 0x1000, pages));
	REFUSED(pci_window_create(pd, 0, 0, 0x1800, pages));
	REFUSED(pci_window_create(pd, 0, 0, 0x1000, (char *)pages + 8));
	REFUSED(pci_window_create(pd, 0, 0x3000, 0x2000, pages)); /* past */
	REFUSED(pci_window_create(pd, 0, 0, 0, pages));
	REFUSED(pci_window_create(pd, 3, 0, 0x1000, pages));	/* table */
	REFUSED(pci_window_create(pd, 3, 0x2000, 0x1000, pages)); /* PBA */
	REFUSED(pci_window_create(NULL, 0, 0, 0x1000, pages));
#undef REFUSED
	assert_int_equal(used_slot(), -1);
	/* Beside the MSI-X structures is fine. */
	pci_window_destroy(pci_window_create(pd, 3, 0x1000, 0x1000, pages));
	pci_dev_destroy(pd);
	free(pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
		T(test_window_follows_bar),
		T(test_window_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
