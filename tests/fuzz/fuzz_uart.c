// SPDX-License-Identifier: MIT
/*
 * The 16550 UART (emu-devices/uart16550.c) as a hostile guest drives it:
 * port reads and writes of any offset and width through its BAR handlers,
 * bytes arriving on the serial line, resets, with the unit tests' fake
 * VMM (tests/unit/emu-devices/fake_vmm.c) recording the IRQ line.
 *
 * Input: operations [op][arguments...] (fz_op()). Checked after each:
 * the line only moves when its level changes (no call repeats a level);
 * an IIR read that says "no interrupt" leaves the line low, one that
 * names a cause other than THRE leaves it high (THRE clears on that very
 * read); the receiver never holds more than its FIFO; LSR.DR is set
 * exactly when there is something to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "emu-devices/uart16550.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/emu-devices/fake_vmm.h"

#define OPS_MAX		4000

enum {
	OP_READ,	/* [sel]: sel 2:0 port, 5:3 width, 7:6 beyond */
	OP_WRITE,	/* [sel][value u32] */
	OP_THR,		/* [n][n bytes]: a string to THR */
	OP_PUSH,	/* [n][n bytes]: from the serial line */
	OP_ROOM,
	OP_RESET,
	OP_COUNT
};

struct fz {
	struct vmm vmm;
	struct vdev vd;
	unsigned irq_calls;
	bool level;
};

static uint64_t fz_read(struct fz *f, unsigned off, unsigned size)
{
	return f->vd.ops->bar_read(&f->vd, 0, off, size);
}

/*
 * Every new vmm_irq_line call must change the level. Called after each
 * access, so the fake's log (FAKE_IRQ_LOG calls) holds all of them.
 */
static void fz_check_line(struct fz *f)
{
	if (fake_vmm.irq_calls > FAKE_IRQ_LOG)
		abort();	/* one access moved the line 64 times */
	for (; f->irq_calls < fake_vmm.irq_calls; f->irq_calls++) {
		bool l = fake_vmm.irq_log[f->irq_calls];

		if (l == f->level)
			abort();	/* a repeated level: a lost edge */
		f->level = l;
	}
	if (fake_vmm.irq_calls > FAKE_IRQ_LOG / 2) {
		/* Start the log again, keep the level. */
		fake_vmm_reset();
		f->irq_calls = 0;
		fake_vmm.irq_level = f->level;
	}
}

static void fz_check_iir(struct fz *f, uint8_t iir)
{
	uint8_t id = iir & (UART_IIR_ID | UART_IIR_NO_INT);

	fz_check_line(f);
	if (id == UART_IIR_NO_INT && f->level)
		abort();	/* nothing pending, the line still high */
	if (id != UART_IIR_NO_INT && id != UART_IIR_THRI && !f->level)
		abort();	/* a cause pending, the line low */
}

static void fz_check_rx(struct fz *f)
{
	size_t room = uart16550_rx_room(&f->vd);
	uint8_t mcr = (uint8_t)fz_read(f, UART_MCR, 1);
	uint8_t lsr, iir;

	if (room > UART_FIFO_LEN)
		abort();
	if (mcr & UART_MCR_LOOP)
		return;		/* room reads 0 in loopback */
	lsr = (uint8_t)fz_read(f, UART_LSR, 1);
	iir = (uint8_t)fz_read(f, UART_IIR, 1);
	/* FIFO mode: 16 places, else 1; DR says whether any is used. */
	if ((lsr & UART_LSR_DR) !=
	    (room < ((iir & UART_IIR_FIFOS) ? UART_FIFO_LEN : 1u) ?
		     UART_LSR_DR : 0))
		abort();
	fz_check_iir(f, iir);
}

static void fz_op(struct fz *f, struct fuzz_in *in)
{
	uint8_t sel;
	unsigned off, size, n;
	uint64_t v;
	size_t got;
	const uint8_t *p;

	switch (fuzz_u8(in) % OP_COUNT) {
	case OP_READ:
		sel = fuzz_u8(in);
		off = (sel & 7) + 8 * (sel >> 6);
		size = 1 + (sel >> 3 & 7);
		v = fz_read(f, off, size);
		if (off == UART_IIR && size == 1)
			fz_check_iir(f, (uint8_t)v);
		break;
	case OP_WRITE:
		sel = fuzz_u8(in);
		off = (sel & 7) + 8 * (sel >> 6);
		size = 1 + (sel >> 3 & 7);
		v = fuzz_u32(in);
		f->vd.ops->bar_write(&f->vd, 0, off, size, v << 32 | v);
		break;
	case OP_THR:
		n = fuzz_u8(in);
		p = fuzz_bytes(in, n, &got);
		for (size_t i = 0; i < got; i++) {
			f->vd.ops->bar_write(&f->vd, 0, UART_THR, 1, p[i]);
			fz_check_line(f);
		}
		break;
	case OP_PUSH:
		n = fuzz_u8(in);
		p = fuzz_bytes(in, n, &got);
		if (uart16550_rx_push(&f->vd, p, got) > got)
			abort();
		break;
	case OP_ROOM:
		fz_check_rx(f);
		break;
	default:
		f->vd.ops->reset(&f->vd);
	}
	fz_check_line(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct fuzz_in in = { data, size };
	struct fz f = { 0 };
	unsigned ops = 0;

	if (!quiet) {
		log_set_level(LOG_LEVEL_ERR);
		quiet = true;
	}
	fake_vmm_reset();
	f.vd.ops = &uart16550_ops;
	f.vd.vmm = &f.vmm;
	strcpy(f.vd.id, "uart0");
	/* What the guest transmits goes nowhere. */
	if (f.vd.ops->init(&f.vd, "path=/dev/null,stdout=0"))
		abort();
	while (fuzz_more(&in) && ops++ < OPS_MAX)
		fz_op(&f, &in);
	fz_check_rx(&f);
	f.vd.ops->fini(&f.vd);
	return 0;
}

/* ---- seeds: what Linux's 8250 driver and the guest runtime do ---- */

static void s_wr(struct fuzz_out *o, unsigned port, uint32_t v)
{
	fuzz_put8(o, OP_WRITE);
	fuzz_put8(o, (uint8_t)port);
	fuzz_put32(o, v);
}

static void s_rd(struct fuzz_out *o, unsigned port)
{
	fuzz_put8(o, OP_READ);
	fuzz_put8(o, (uint8_t)port);
}

static void s_bytes(struct fuzz_out *o, uint8_t op, const char *s)
{
	fuzz_put8(o, op);
	fuzz_put8(o, (uint8_t)strlen(s));
	fuzz_putmem(o, s, strlen(s));
}

/* Probe as 8250 autoconfig does, 115200 8N1, FIFOs, interrupts. */
static void s_probe(struct fuzz_out *o)
{
	s_wr(o, UART_IER, 0);
	s_rd(o, UART_IER);
	s_wr(o, UART_IER, 0x0f);
	s_rd(o, UART_IER);
	s_wr(o, UART_MCR, UART_MCR_LOOP | 0x0a);
	s_rd(o, UART_MSR);
	s_wr(o, UART_MCR, 0);
	s_wr(o, UART_FCR, UART_FCR_FIFOE);
	s_rd(o, UART_IIR);
	s_wr(o, UART_LCR, UART_LCR_DLAB | 3);
	s_wr(o, UART_DLL, 1);
	s_wr(o, UART_DLM, 0);
	s_wr(o, UART_LCR, 3);
	s_wr(o, UART_FCR, UART_FCR_FIFOE | UART_FCR_RFR | UART_FCR_XFR |
	     0x80);
	s_wr(o, UART_MCR, UART_MCR_OUT2 | UART_MCR_RTS | UART_MCR_DTR);
	s_wr(o, UART_IER, UART_IER_ERBFI | UART_IER_ETBEI | UART_IER_ELSI);
	s_rd(o, UART_IIR);
	s_rd(o, UART_LSR);
}

static void s_console(struct fuzz_out *o)
{
	s_probe(o);
	s_bytes(o, OP_THR, "{\"event\":\"boot\"}\n");
	s_rd(o, UART_LSR);
	s_rd(o, UART_IIR);
}

/* Input: under the trigger level (timeout), over it, an overrun. */
static void s_rx(struct fuzz_out *o)
{
	s_probe(o);
	s_bytes(o, OP_PUSH, "abc");
	fuzz_put8(o, OP_ROOM);
	s_bytes(o, OP_PUSH, "0123456789abcdefXYZ");
	s_rd(o, UART_IIR);
	s_rd(o, UART_LSR);
	for (unsigned i = 0; i < 4; i++)
		s_rd(o, UART_RBR);
	fuzz_put8(o, OP_ROOM);
	s_wr(o, UART_FCR, 0);		/* 16450 mode: one byte */
	s_bytes(o, OP_PUSH, "xy");
	fuzz_put8(o, OP_ROOM);
}

/* Loopback: THR lands in the RX FIFO, modem lines follow MCR. */
static void s_loop(struct fuzz_out *o)
{
	s_probe(o);
	s_wr(o, UART_MCR, UART_MCR_LOOP | 0x0f);
	s_wr(o, UART_IER, 0x0f);
	s_bytes(o, OP_THR, "loop");
	s_rd(o, UART_IIR);
	s_rd(o, UART_MSR);
	s_rd(o, UART_RBR);
	fuzz_put8(o, OP_ROOM);
	s_wr(o, UART_MCR, 0);
	s_rd(o, UART_MSR);
	fuzz_put8(o, OP_RESET);
}

/* Wide and stray accesses: 4 and 8 bytes at once, past port 7. */
static void s_wide(struct fuzz_out *o)
{
	s_wr(o, 3 << 3 | UART_LCR, 0x83);
	fuzz_put8(o, OP_READ);
	fuzz_put8(o, 7 << 3);
	fuzz_put8(o, OP_READ);
	fuzz_put8(o, 0x40 | 3 << 3 | 6);
	s_wr(o, 0xc0 | 1 << 3 | 7, 0x1234);
	fuzz_put8(o, OP_ROOM);
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static const struct fuzz_maker mk[] = {
		{ "linux-8250-probe", s_probe },
		{ "console-line", s_console },
		{ "rx-fifo-timeout-overrun", s_rx },
		{ "loopback-modem-lines", s_loop },
		{ "wide-and-stray-accesses", s_wide },
	};

	return fuzz_make_seeds(mk, sizeof(mk) / sizeof(mk[0]), out);
}
