// SPDX-License-Identifier: MIT
/*
 * The 16550 model against the datasheet: reset values, divisor latch,
 * read-back registers, output sink, interrupt priorities and the IRQ line,
 * loopback, RX FIFO and overrun.
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

#include "core/vdev.h"
#include "core/vmm.h"
#include "emu-devices/uart16550.h"
#include "tests/unit/emu-devices/fake_vmm.h"

struct fixture {
	struct vmm vmm;
	struct vdev vd;
	char path[64];
};

static uint8_t rd(struct fixture *f, unsigned off)
{
	return (uint8_t)f->vd.ops->bar_read(&f->vd, 0, off, 1);
}

static void wr(struct fixture *f, unsigned off, uint8_t val)
{
	f->vd.ops->bar_write(&f->vd, 0, off, 1, val);
}

static void puts_thr(struct fixture *f, const char *s)
{
	while (*s)
		wr(f, UART_THR, (uint8_t)*s++);
}

/* The console file's contents so far (static buffer). */
static const char *sink_text(struct fixture *f)
{
	static char buf[4096];
	FILE *fp = fopen(f->path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char opts[128];
	int fd;

	fake_vmm_reset();
	strcpy(f->path, "/tmp/iopath-uart-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(opts, sizeof(opts), "path=%s,stdout=0", f->path);
	f->vd.ops = &uart16550_ops;
	f->vd.vmm = &f->vmm;
	strcpy(f->vd.id, "uart0");
	assert_int_equal(f->vd.ops->init(&f->vd, opts), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	f->vd.ops->fini(&f->vd);
	unlink(f->path);
	free(f);
	return 0;
}

static void test_init_maps_com1(void **state)
{
	assert_int_equal(fake_vmm.map_calls, 1);
	assert_int_equal(fake_vmm.map_region, 0);
	assert_int_equal(fake_vmm.map_base, 0x3f8);
	assert_int_equal(fake_vmm.map_len, 8);
	/* Reset leaves the line low and does not touch it. */
	assert_int_equal(fake_vmm.irq_calls, 0);
}

static void test_reset_values(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f, UART_IER), 0x00);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(f, UART_LCR), 0x00);
	assert_int_equal(rd(f, UART_MCR), 0x00);
	assert_int_equal(rd(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(f, UART_MSR),
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	assert_int_equal(rd(f, UART_SCR), 0x00);
	assert_int_equal(rd(f, UART_RBR), 0x00);

	/* A reset after changes brings the same values back. */
	wr(f, UART_LCR, 0x9b);
	wr(f, UART_DLL, 1);
	wr(f, UART_LCR, 0x03);
	wr(f, UART_IER, 0x0f);
	wr(f, UART_FCR, UART_FCR_FIFOE);
	wr(f, UART_MCR, 0x1f);
	wr(f, UART_SCR, 0x55);
	f->vd.ops->reset(&f->vd);
	assert_int_equal(rd(f, UART_IER), 0x00);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(f, UART_LCR), 0x00);
	assert_int_equal(rd(f, UART_MCR), 0x00);
	assert_int_equal(rd(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(f, UART_SCR), 0x00);
	assert_false(fake_vmm.irq_level);
	wr(f, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(f, UART_DLL), 12);
	assert_int_equal(rd(f, UART_DLM), 0);
}

static void test_divisor_latch(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_IER, 0x05);
	wr(f, UART_LCR, UART_LCR_DLAB | 0x03);
	wr(f, UART_DLL, 0x01);
	wr(f, UART_DLM, 0x02);
	assert_int_equal(rd(f, UART_DLL), 0x01);
	assert_int_equal(rd(f, UART_DLM), 0x02);
	/* With DLAB set, offset 0 is no THR: nothing is transmitted. */
	assert_string_equal(sink_text(f), "");
	wr(f, UART_LCR, 0x03);
	/* DLAB clear: the same offsets are IER and RBR again. */
	assert_int_equal(rd(f, UART_IER), 0x05);
	wr(f, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(f, UART_DLL), 0x01);
	assert_int_equal(rd(f, UART_DLM), 0x02);
}

static void test_lcr_scr_mcr_readback(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_LCR, 0x1b);
	assert_int_equal(rd(f, UART_LCR), 0x1b);
	wr(f, UART_SCR, 0xa5);
	assert_int_equal(rd(f, UART_SCR), 0xa5);
	wr(f, UART_MCR, 0xff);
	assert_int_equal(rd(f, UART_MCR), 0x1f);	/* 7:5 read 0 */
	/* LSR and MSR ignore writes. */
	wr(f, UART_MCR, 0);
	wr(f, UART_LSR, 0x00);
	assert_int_equal(rd(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}

/* A 16-bit read is two byte reads, as on the ISA bus. */
static void test_wide_access_is_split(void **state)
{
	struct fixture *f = *state;

	wr(f, UART_LCR, 0x03);
	wr(f, UART_MCR, 0x0b);
	assert_int_equal(f->vd.ops->bar_read(&f->vd, 0, UART_LCR, 2), 0x0b03);
	f->vd.ops->bar_write(&f->vd, 0, UART_SCR - 1, 2, 0x4400);
	assert_int_equal(rd(f, UART_SCR), 0x44);
}

static void test_output_whole_lines(void **state)
{
	struct fixture *f = *state;

	puts_thr(f, "{\"app\":\"ping\",");
	/* Nothing until the newline: a reader never sees half a record. */
	assert_string_equal(sink_text(f), "");
	assert_int_equal(rd(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	puts_thr(f, "\"rtt_us\":12}\nsecond");
	assert_string_equal(sink_text(f), "{\"app\":\"ping\",\"rtt_us\":12}\n");
	/* fini flushes the unterminated tail. */
	f->vd.ops->fini(&f->vd);
	assert_string_equal(sink_text(f),
			    "{\"app\":\"ping\",\"rtt_us\":12}\nsecond");
	fake_vmm_reset();
	/* teardown calls fini again: give it a fresh device on the file. */
	assert_int_equal(f->vd.ops->init(&f->vd, "stdout=0"), 0);
}

static void test_thre_interrupt(void **state)
{
	struct fixture *f = *state;

	/* Enabling ETBEI with THR empty raises THRE at once. */
	wr(f, UART_IER, UART_IER_ETBEI);
	assert_int_equal(rd(f, UART_IIR) & 0x0f, UART_IIR_THRI);
	assert_int_equal(fake_vmm.irq_gsi, 4);
	assert_int_equal(fake_vmm.irq_calls, 2);	/* up, then down */
	assert_true(fake_vmm.irq_log[0]);
	/* The IIR read that reported THRE cleared it. */
	assert_false(fake_vmm.irq_level);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);

	/* A THR write empties at once: THRE again. */
	wr(f, UART_THR, 'x');
	assert_true(fake_vmm.irq_level);
	assert_int_equal(fake_vmm.irq_calls, 3);
	/* Another write while it is pending pulses the line: a new edge. */
	wr(f, UART_THR, 'y');
	assert_int_equal(fake_vmm.irq_calls, 5);
	assert_false(fake_vmm.irq_log[3]);
	assert_true(fake_vmm.irq_log[4]);

	/* Masking ETBEI drops the line. */
	wr(f, UART_IER, 0);
	assert_false(fake_vmm.irq_level);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
}

static void test_interrupt_priorities(void **state)
{
	struct fixture *f = *state;
	uint8_t b[2] = { 'a', 'b' };

	wr(f, UART_MCR, UART_MCR_OUT2);
	rd(f, UART_MSR);		/* clear deltas from nothing */
	wr(f, UART_IER, 0x0f);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_false(fake_vmm.irq_level);

	/* Received data beats THRE; overrun (line status) beats both. */
	wr(f, UART_THR, '\n');			/* THRE pending again */
	assert_int_equal(uart16550_rx_push(&f->vd, b, 2), 2);
	assert_true(fake_vmm.irq_level);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_RLSI);
	assert_int_equal(rd(f, UART_LSR) & (UART_LSR_OE | UART_LSR_DR),
			 UART_LSR_OE | UART_LSR_DR);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_RDI);
	assert_int_equal(rd(f, UART_RBR), 'b');	/* 16450: overwritten */
	assert_true(fake_vmm.irq_level);	/* THRE still pending */
	assert_int_equal(rd(f, UART_IIR), UART_IIR_THRI);
	assert_false(fake_vmm.irq_level);

	/* Modem status is last: loopback turns MCR into MSR inputs. */
	wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	assert_true(fake_vmm.irq_level);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_MSI);
	/* CTS stays up (RTS); DSR and DCD fell with DTR and OUT2 low. */
	assert_int_equal(rd(f, UART_MSR),
			 UART_MSR_CTS | UART_MSR_DDSR | UART_MSR_DDCD);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_false(fake_vmm.irq_level);

	/* Disabled sources do not interrupt at all. */
	wr(f, UART_IER, 0);
	wr(f, UART_MCR, 0);
	assert_int_equal(uart16550_rx_push(&f->vd, b, 1), 1);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
	assert_false(fake_vmm.irq_level);
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
}

static void test_loopback(void **state)
{
	struct fixture *f = *state;
	uint8_t in = 'z';

	wr(f, UART_MCR, UART_MCR_LOOP | 0x0f);
	/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
	assert_int_equal(rd(f, UART_MSR) & 0xf0, 0xf0);
	wr(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	/* DSR, DCD changed; RI fell: a trailing edge. */
	assert_int_equal(rd(f, UART_MSR),
			 UART_MSR_CTS | UART_MSR_DDSR | UART_MSR_DDCD |
			 UART_MSR_TERI);

	puts_thr(f, "hi\n");
	assert_int_equal(rd(f, UART_LSR) & (UART_LSR_DR | UART_LSR_OE),
			 UART_LSR_DR | UART_LSR_OE);	/* no FIFO: 1 byte */
	assert_int_equal(rd(f, UART_RBR), '\n');
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_DR, 0);

	wr(f, UART_FCR, UART_FCR_FIFOE);
	puts_thr(f, "hi\n");
	assert_int_equal(rd(f, UART_RBR), 'h');
	assert_int_equal(rd(f, UART_RBR), 'i');
	assert_int_equal(rd(f, UART_RBR), '\n');
	/* The serial input is cut off in loopback. */
	assert_int_equal(uart16550_rx_push(&f->vd, &in, 1), 0);
	assert_int_equal(uart16550_rx_room(&f->vd), 0);
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_DR, 0);
	/* Nothing went to the console. */
	wr(f, UART_MCR, 0);
	assert_string_equal(sink_text(f), "");
}

static void test_rx_fifo_and_overrun(void **state)
{
	struct fixture *f = *state;
	uint8_t data[UART_FIFO_LEN + 4];
	unsigned i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)('A' + i);
	wr(f, UART_FCR, UART_FCR_FIFOE);
	assert_int_equal(rd(f, UART_IIR) & UART_IIR_FIFOS, UART_IIR_FIFOS);
	assert_int_equal(uart16550_rx_room(&f->vd), UART_FIFO_LEN);
	assert_int_equal(uart16550_rx_push(&f->vd, data, sizeof(data)),
			 UART_FIFO_LEN);
	assert_int_equal(uart16550_rx_room(&f->vd), 0);
	assert_int_equal(rd(f, UART_LSR) & (UART_LSR_OE | UART_LSR_DR),
			 UART_LSR_OE | UART_LSR_DR);
	/* OE clears on read; the FIFO kept the first 16 bytes, in order. */
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_OE, 0);
	for (i = 0; i < UART_FIFO_LEN; i++)
		assert_int_equal(rd(f, UART_RBR), 'A' + i);
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_DR, 0);

	/* FCR.RFR empties the RX FIFO. */
	uart16550_rx_push(&f->vd, data, 3);
	wr(f, UART_FCR, UART_FCR_FIFOE | UART_FCR_RFR);
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_DR, 0);
	/* Turning the FIFOs off empties them too. */
	uart16550_rx_push(&f->vd, data, 3);
	wr(f, UART_FCR, 0);
	assert_int_equal(rd(f, UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_NO_INT);
}

/* Below the trigger level: the timeout indication; at it: data available. */
static void test_rx_trigger_level(void **state)
{
	struct fixture *f = *state;
	uint8_t data[14] = { 0 };

	wr(f, UART_FCR, UART_FCR_FIFOE | 0xc0);	/* trigger at 14 */
	wr(f, UART_IER, UART_IER_ERBFI);
	uart16550_rx_push(&f->vd, data, 3);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_FIFOS | UART_IIR_CTI);
	uart16550_rx_push(&f->vd, data, 11);
	assert_int_equal(rd(f, UART_IIR), UART_IIR_FIFOS | UART_IIR_RDI);
	assert_true(fake_vmm.irq_level);
	while (rd(f, UART_LSR) & UART_LSR_DR)
		rd(f, UART_RBR);
	assert_false(fake_vmm.irq_level);
}

static void test_options(void **state)
{
	struct vmm vmm = { 0 };
	struct vdev vd = { .ops = &uart16550_ops, .vmm = &vmm, .id = "u" };

	fake_vmm_reset();
	assert_int_equal(vd.ops->init(&vd, "port=0x2f8,irq=3,stdout=0"), 0);
	assert_int_equal(fake_vmm.map_base, 0x2f8);
	vd.ops->bar_write(&vd, 0, UART_IER, 1, UART_IER_ETBEI);
	assert_int_equal(fake_vmm.irq_gsi, 3);
	vd.ops->fini(&vd);

	assert_int_equal(vd.ops->init(&vd, "port=banana"), -EINVAL);
	assert_int_equal(vd.ops->init(&vd, "stdout=2"), -EINVAL);
	assert_int_equal(vd.ops->init(&vd, "path=/nonexistent/dir/x"),
			 -ENOENT);
	fake_vmm.map_ret = -EEXIST;
	assert_int_equal(vd.ops->init(&vd, "stdout=0"), -EEXIST);
	assert_null(vd.priv);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_maps_com1),
		T(test_reset_values),
		T(test_divisor_latch),
		T(test_lcr_scr_mcr_readback),
		T(test_wide_access_is_split),
		T(test_output_whole_lines),
		T(test_thre_interrupt),
		T(test_interrupt_priorities),
		T(test_loopback),
		T(test_rx_fifo_and_overrun),
		T(test_rx_trigger_level),
		cmocka_unit_test(test_options),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
