// SPDX-License-Identifier: MIT
/*
 * Migration state of the small devices, save -> load into a fresh one:
 * the 16550 (registers, RX FIFO, the console line half written), the
 * debug-exit port (options must match), and testdev with its PCI
 * function (BARs, MSI-X table, a vector pending while masked): the state
 * read back is what was saved, and the device goes on from it.
 * Damaged blobs are refused with a reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/pci_regs.h>

#include "core/vdev_state.h"
#include "emu-devices/debug_exit.h"
#include "emu-devices/testdev.h"
#include "emu-devices/testdev_regs.h"
#include "emu-devices/uart16550.h"
#include "tests/unit/core/pci_test_env.h"
#include "tests/unit/emu-devices/fake_vmm.h"

/* ---- helpers ---- */

struct blob {
	uint8_t *buf;
	size_t len;
};

static struct blob save(struct vdev *vd)
{
	struct vdev_state_writer w;
	struct blob b;

	vdev_state_writer_init(&w);
	assert_int_equal(vdev_state_save(vd, &w), 0);
	b.buf = w.buf;
	b.len = w.len;
	return b;
}

static int load(struct vdev *vd, const struct blob *b, char *why)
{
	struct vdev_state_reader r;
	int ret;

	vdev_state_reader_init(&r, b->buf, b->len);
	ret = vdev_state_load(vd, &r);
	if (why)
		snprintf(why, 160, "%s", r.why);
	return ret;
}

/* ---- UART ---- */

struct uart_fx {
	struct vmm vmm;
	struct vdev vd;
	char path[64];
};

static void uart_new(struct uart_fx *f)
{
	char opts[128];
	int fd;

	memset(f, 0, sizeof(*f));
	strcpy(f->path, "/tmp/iopath-uart-state-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(opts, sizeof(opts), "path=%s,stdout=0", f->path);
	f->vd.ops = &uart16550_ops;
	f->vd.vmm = &f->vmm;
	strcpy(f->vd.id, "uart0");
	assert_int_equal(uart16550_ops.init(&f->vd, opts), 0);
}

static void uart_del(struct uart_fx *f)
{
	uart16550_ops.fini(&f->vd);
	unlink(f->path);
}

static uint8_t uart_rd(struct uart_fx *f, unsigned off)
{
	return (uint8_t)uart16550_ops.bar_read(&f->vd, 0, off, 1);
}

static void uart_wr(struct uart_fx *f, unsigned off, uint8_t v)
{
	uart16550_ops.bar_write(&f->vd, 0, off, 1, v);
}

static size_t file_text(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n;
}

static void test_uart_roundtrip(void **state)
{
	static struct uart_fx a, b;
	struct blob s1, s2;
	const char *half = "{\"event\":\"tick\",";
	char text[256];

	fake_vmm_reset();
	uart_new(&a);
	/* Divisor, line settings, FIFO with trigger 4, interrupts on. */
	uart_wr(&a, UART_LCR, UART_LCR_DLAB);
	uart_wr(&a, UART_DLL, 0x03);
	uart_wr(&a, UART_DLM, 0x00);
	uart_wr(&a, UART_LCR, 0x03);
	uart_wr(&a, UART_FCR, UART_FCR_FIFOE | 0x40);
	uart_wr(&a, UART_IER, UART_IER_ERBFI | UART_IER_ETBEI);
	uart_wr(&a, UART_SCR, 0x5a);
	assert_int_equal(uart16550_rx_push(&a.vd, (const uint8_t *)"xyz", 3),
			 3);
	for (const char *p = half; *p; p++)
		uart_wr(&a, UART_THR, (uint8_t)*p);
	s1 = save(&a.vd);

	uart_new(&b);
	assert_int_equal(load(&b.vd, &s1, NULL), 0);
	s2 = save(&b.vd);
	assert_int_equal(s1.len, s2.len);
	assert_memory_equal(s1.buf, s2.buf, s1.len);

	/* It goes on: the FIFO's bytes, the registers, the line. */
	assert_int_equal(uart_rd(&b, UART_SCR), 0x5a);
	assert_int_equal(uart_rd(&b, UART_LCR), 0x03);
	assert_true(uart_rd(&b, UART_LSR) & UART_LSR_DR);
	assert_int_equal(uart_rd(&b, UART_RBR), 'x');
	assert_int_equal(uart_rd(&b, UART_RBR), 'y');
	assert_int_equal(uart_rd(&b, UART_RBR), 'z');
	assert_false(uart_rd(&b, UART_LSR) & UART_LSR_DR);
	uart_wr(&b, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(uart_rd(&b, UART_DLL), 0x03);
	uart_wr(&b, UART_LCR, 0x03);
	for (const char *p = "\"n\":1}\n"; *p; p++)
		uart_wr(&b, UART_THR, (uint8_t)*p);
	file_text(b.path, text, sizeof(text));
	/* The record is whole on the destination's console. */
	assert_string_equal(text, "{\"event\":\"tick\",\"n\":1}\n");

	free(s1.buf);
	free(s2.buf);
	uart_del(&a);
	uart_del(&b);
}

static void test_uart_refuses_bad_state(void **state)
{
	static struct uart_fx a, b;
	struct blob s;
	char why[160];
	size_t regs_off;

	fake_vmm_reset();
	uart_new(&a);
	uart_new(&b);
	s = save(&a.vd);

	/* Truncated anywhere: refused. */
	for (size_t cut = 0; cut < s.len; cut += 7) {
		struct blob t = { s.buf, cut };

		assert_int_equal(load(&b.vd, &t, why), -EPROTO);
		assert_true(why[0] != '\0');
	}
	/* An IER with bits the register does not have. */
	regs_off = 1 + strlen("version") + 4 + 4 + 1 + strlen("regs") + 4;
	assert_memory_equal(s.buf + 1 + strlen("version") + 4 + 4 + 1, "regs",
			    4);
	s.buf[regs_off] = 0xf0;
	assert_int_equal(load(&b.vd, &s, why), -EPROTO);
	assert_non_null(strstr(why, "out of range"));
	free(s.buf);
	uart_del(&a);
	uart_del(&b);
}

/* ---- debug-exit ---- */

static void test_debug_exit_options_must_match(void **state)
{
	struct vmm vmm;
	struct vdev a = { .ops = &debug_exit_ops, .vmm = &vmm };
	struct vdev b = { .ops = &debug_exit_ops, .vmm = &vmm };
	struct vdev c = { .ops = &debug_exit_ops, .vmm = &vmm };
	struct blob s;
	char why[160];

	memset(&vmm, 0, sizeof(vmm));
	fake_vmm_reset();
	assert_int_equal(debug_exit_ops.init(&a, ""), 0);
	assert_int_equal(debug_exit_ops.init(&b, ""), 0);
	assert_int_equal(debug_exit_ops.init(&c, "qemu=1"), 0);
	s = save(&a);
	assert_int_equal(load(&b, &s, NULL), 0);
	assert_int_equal(load(&c, &s, why), -EPROTO);
	assert_non_null(strstr(why, "debug-exit"));
	free(s.buf);
	debug_exit_ops.fini(&a);
	debug_exit_ops.fini(&b);
	debug_exit_ops.fini(&c);
}

/* ---- testdev and its PCI function ---- */

struct td {
	struct pci_env *e;
	struct vdev *vd;
	uint64_t regs, msix;
	unsigned cap;
};

static void td_new(struct td *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(env_setup((void **)&t->e), 0);
	t->vd = &t->e->vd[0];
	t->vd->ops = &testdev_ops;
	t->vd->priv = NULL;
	assert_int_equal(testdev_ops.init(t->vd, ""), 0);
	t->regs = pci_bar_addr(t->vd->pci, 0);
	t->msix = pci_bar_addr(t->vd->pci, 1);
	for (unsigned c = pci_cfg_read(t->vd->pci, PCI_CAPABILITY_LIST, 1);
	     c; c = pci_cfg_read(t->vd->pci, c + 1, 1))
		if (pci_cfg_read(t->vd->pci, c, 1) == PCI_CAP_ID_MSIX)
			t->cap = c;
	assert_int_not_equal(t->cap, 0);
}

static void td_del(struct td *t)
{
	testdev_ops.fini(t->vd);
	env_teardown((void **)&t->e);
}

static int route_of(uint32_t data)
{
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		if (fake_kvm.routes[g].used && fake_kvm.routes[g].data == data)
			return (int)g;
	return -1;
}

static void td_entry(struct td *t, unsigned v, uint32_t data, bool masked)
{
	uint64_t ent = t->msix + TESTDEV_MSIX_TABLE_OFF + 16 * v;

	env_mmio_write(t->e, ent, 4, 0xfee00000);
	env_mmio_write(t->e, ent + 4, 4, 0);
	env_mmio_write(t->e, ent + 8, 4, data);
	env_mmio_write(t->e, ent + 12, 4, masked);
}

static void test_testdev_msix_roundtrip(void **state)
{
	struct td a, b;
	struct blob s1, s2;
	uint64_t moved;
	int r0, r1;

	td_new(&a);
	/* The guest moves BAR0, enables MSI-X, vector 0 live, vector 1
	 * masked with an interrupt pending, scratch set. */
	pci_cfg_write(a.vd->pci, PCI_BASE_ADDRESS_0, 4, 0xd0000000);
	moved = pci_bar_addr(a.vd->pci, 0);
	assert_int_equal(moved, 0xd0000000);
	a.regs = moved;
	pci_cfg_write(a.vd->pci, a.cap + PCI_MSIX_FLAGS, 2,
		      PCI_MSIX_FLAGS_ENABLE);
	td_entry(&a, 0, 0x41, false);
	td_entry(&a, 1, 0x42, true);
	env_mmio_write(a.e, a.regs + TESTDEV_REG_SCRATCH, 4, 0xcafe);
	env_mmio_write(a.e, a.regs + TESTDEV_REG_RAISE, 4, 1);
	assert_int_equal(env_mmio_read(a.e, a.msix + TESTDEV_MSIX_PBA_OFF, 8,
				       NULL), 2);
	s1 = save(a.vd);
	td_del(&a);

	td_new(&b);
	assert_int_not_equal(pci_bar_addr(b.vd->pci, 0), moved);
	pci_host_quiesce(b.e->vmm.pci);
	assert_int_equal(load(b.vd, &s1, NULL), 0);
	s2 = save(b.vd);
	assert_int_equal(s1.len, s2.len);
	assert_memory_equal(s1.buf, s2.buf, s1.len);

	/* BAR0 where the guest had put it; registers and vectors go on. */
	assert_int_equal(pci_bar_addr(b.vd->pci, 0), moved);
	b.regs = moved;
	assert_int_equal(env_mmio_read(b.e, b.regs + TESTDEV_REG_SCRATCH, 4,
				       NULL), 0xcafe);
	assert_int_equal(env_mmio_read(b.e, b.regs + TESTDEV_REG_RAISED, 4,
				       NULL), 1);
	r0 = route_of(0x41);
	assert_true(r0 >= 0);
	env_mmio_write(b.e, b.regs + TESTDEV_REG_RAISE, 4, 0);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)r0), 1);
	/* The pending vector fires when the guest unmasks it. */
	env_mmio_write(b.e, b.msix + TESTDEV_MSIX_TABLE_OFF + 16 + 12, 4, 0);
	r1 = route_of(0x42);
	assert_true(r1 >= 0);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)r1), 1);
	assert_int_equal(env_mmio_read(b.e, b.msix + TESTDEV_MSIX_PBA_OFF, 8,
				       NULL), 0);
	free(s1.buf);
	free(s2.buf);
	td_del(&b);
}

static void test_testdev_refuses_other_function(void **state)
{
	struct td a, b;
	struct blob s;
	char why[160];

	td_new(&a);
	s = save(a.vd);
	td_del(&a);
	td_new(&b);
	/* Another device ID is another function. */
	pci_dev_set_ids(b.vd->pci, TESTDEV_VENDOR_ID, 0x1234, TESTDEV_CLASS,
			1);
	assert_int_equal(load(b.vd, &s, why), -EPROTO);
	assert_non_null(strstr(why, "6970:7e57"));
	free(s.buf);
	td_del(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uart_roundtrip),
		cmocka_unit_test(test_uart_refuses_bad_state),
		cmocka_unit_test(test_debug_exit_options_must_match),
		cmocka_unit_test(test_testdev_msix_roundtrip),
		cmocka_unit_test(test_testdev_refuses_other_function),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
