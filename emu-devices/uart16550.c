// SPDX-License-Identifier: MIT
/*
 * PC16550D UART model (National Semiconductor datasheet, June 1995).
 *
 * Transmission is instantaneous: a byte written to THR is in the sink (or,
 * in loopback, in the RX FIFO) before the write returns, so LSR.THRE and
 * LSR.TEMT always read 1 and the TX FIFO never holds anything.
 *
 * The VMM may batch THR writes with KVM coalesced PIO, handing them to us
 * only at the next exit. That is safe because a THR write has no effect the
 * guest must observe synchronously: the byte leaving, and the THRE/IIR
 * bookkeeping, which the guest can only look at through a read of IIR or
 * LSR, and a read exits to the VMM, which drains the coalesced ring first.
 * (In loopback mode the byte lands in the RX FIFO; the same argument holds,
 * as the guest learns of it only by reading LSR, IIR or RBR.) The one thing
 * that does arrive late is the THRE interrupt a THR write re-arms: with
 * coalescing on, a guest that sleeps (hlt) waiting for it may wait until
 * some other exit drains the ring. Console output should poll LSR.THRE,
 * which is what the iopath guest runtime does.
 *
 * vCPU threads may access the ports concurrently and the host may push
 * input from the loop thread: one mutex covers the whole state.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SUBSYS "uart"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "emu-devices/uart16550.h"

#define UART_DEFAULT_PORT	0x3f8
#define UART_DEFAULT_IRQ	4
/* Long enough for any JSON record a guest prints on one line. */
#define UART_LINE_MAX		16384
/* Power-on divisor: 9600 baud from the 1.8432 MHz clock, as QEMU has it. */
#define UART_DEFAULT_DIVISOR	12
/* Modem inputs when not in loopback: a null-modem cable with a peer. */
#define UART_MSR_CABLE		(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define UART_STATE_VERSION	1

struct uart {
	pthread_mutex_t lock;
	struct vdev *vd;
	uint16_t port;
	unsigned irq;

	/* Registers. IIR is computed, not stored. */
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr;
	uint16_t divisor;
	/* The THRE interrupt latch: set when THR empties, cleared by an IIR
	 * read that reports it or by a THR write (datasheet table IV). */
	bool thr_ipending;
	bool irq_level;

	uint8_t rx_fifo[UART_FIFO_LEN];
	unsigned rx_head, rx_count;

	/* Sink for transmitted bytes. */
	int out_fd;		/* -1: no file */
	bool out_stdout;
	bool out_failed;	/* report a broken sink once */
	size_t line_len;
	char line[UART_LINE_MAX];
};

static const uint8_t uart_trigger_levels[4] = { 1, 4, 8, 14 };

/* ---- output sink ---- */

static void uart_sink_write(struct uart *u, int fd, const char *buf,
			    size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!u->out_failed)
				log_warn("%s: console output lost: %s",
					 u->vd->id, strerror(errno));
			u->out_failed = true;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* One write() per line, so a reader never sees half a JSON record. */
static void uart_sink_flush(struct uart *u)
{
	if (!u->line_len)
		return;
	if (u->out_fd >= 0)
		uart_sink_write(u, u->out_fd, u->line, u->line_len);
	if (u->out_stdout)
		uart_sink_write(u, STDOUT_FILENO, u->line, u->line_len);
	u->line_len = 0;
}

static void uart_sink_put(struct uart *u, uint8_t c)
{
	u->line[u->line_len++] = (char)c;
	if (c == '\n' || u->line_len == sizeof(u->line))
		uart_sink_flush(u);
}

/* ---- interrupts ---- */

static bool uart_fifo_on(const struct uart *u)
{
	return u->fcr & UART_FCR_FIFOE;
}

/*
 * The pending interrupt of highest priority, as IIR bits 3:1 and bit 0
 * (datasheet table IV): line status > received data > THR empty > modem.
 */
static uint8_t uart_iir_id(const struct uart *u)
{
	if ((u->ier & UART_IER_ELSI) &&
	    (u->lsr & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count) {
		if (!uart_fifo_on(u) ||
		    u->rx_count >= uart_trigger_levels[u->fcr >> 6])
			return UART_IIR_RDI;
		/*
		 * Below the trigger level the chip raises the timeout
		 * interrupt after four idle character times. Our line
		 * is idle between pushes, so it is due at once.
		 */
		return UART_IIR_CTI;
	}
	if ((u->ier & UART_IER_ETBEI) && u->thr_ipending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && (u->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

/* Make the IRQ line follow the pending state; called with the lock held
 * so two vCPUs cannot deliver their level changes out of order. */
static void uart_update_irq(struct uart *u)
{
	bool level = uart_iir_id(u) != UART_IIR_NO_INT;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	vmm_irq_line(u->vd->vmm, u->irq, level);
}

/* ---- receiver ---- */

static unsigned uart_rx_capacity(const struct uart *u)
{
	return uart_fifo_on(u) ? UART_FIFO_LEN : 1;
}

static void uart_rx_clear(struct uart *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
	u->lsr &= (uint8_t)~UART_LSR_DR;
}

/* A byte off the serial line (or from THR in loopback). */
static bool uart_rx_byte(struct uart *u, uint8_t c)
{
	if (u->rx_count == uart_rx_capacity(u)) {
		u->lsr |= UART_LSR_OE;
		if (uart_fifo_on(u))
			return false;	/* FIFO kept, new byte lost */
		/* 16450 mode: the unread byte is overwritten. */
		u->rx_fifo[u->rx_head] = c;
		return true;
	}
	u->rx_fifo[(u->rx_head + u->rx_count) % UART_FIFO_LEN] = c;
	u->rx_count++;
	u->lsr |= UART_LSR_DR;
	return true;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx_fifo[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_LEN;
	if (--u->rx_count == 0)
		u->lsr &= (uint8_t)~UART_LSR_DR;
	return c;
}

/* ---- modem lines ---- */

/* New modem inputs: set the delta bits for what changed (datasheet 8.6.8). */
static void uart_msr_set(struct uart *u, uint8_t lines)
{
	uint8_t old = u->msr & ~UART_MSR_DELTAS;
	uint8_t changed = old ^ lines;
	uint8_t deltas = u->msr & UART_MSR_DELTAS;

	if (changed & UART_MSR_CTS)
		deltas |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		deltas |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		deltas |= UART_MSR_DDCD;
	if ((old & UART_MSR_RI) && !(lines & UART_MSR_RI))
		deltas |= UART_MSR_TERI;
	u->msr = lines | deltas;
}

/* In loopback the modem inputs are wired to the MCR outputs (8.6.5). */
static uint8_t uart_modem_inputs(const struct uart *u)
{
	uint8_t lines = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_CABLE;
	if (u->mcr & UART_MCR_RTS)
		lines |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		lines |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		lines |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		lines |= UART_MSR_DCD;
	return lines;
}

/* ---- registers ---- */

static void uart_reset_locked(struct uart *u)
{
	uart_sink_flush(u);
	u->ier = 0;
	u->fcr = 0;
	u->lcr = 0;
	u->mcr = 0;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = UART_MSR_CABLE;
	u->scr = 0;
	u->divisor = UART_DEFAULT_DIVISOR;
	u->thr_ipending = false;
	uart_rx_clear(u);
	uart_update_irq(u);
}

static void uart_thr_write(struct uart *u, uint8_t c)
{
	/*
	 * Writing THR clears the THRE interrupt; the byte leaves at once and
	 * THR is empty again, which sets it anew. Updating the line in
	 * between gives an edge-triggered IOAPIC input the fresh edge that
	 * a driver sending a FIFO-full per interrupt waits for.
	 */
	u->thr_ipending = false;
	uart_update_irq(u);
	if (u->mcr & UART_MCR_LOOP)
		uart_rx_byte(u, c);
	else
		uart_sink_put(u, c);
	u->thr_ipending = true;
}

static void uart_ier_write(struct uart *u, uint8_t val)
{
	uint8_t old = u->ier;

	u->ier = val & 0x0f;
	/*
	 * Enabling ETBEI with THR already empty raises THRE at once; Linux's
	 * 8250 driver probes for exactly this.
	 */
	if ((u->ier ^ old) & UART_IER_ETBEI)
		u->thr_ipending = (u->ier & UART_IER_ETBEI) &&
				  (u->lsr & UART_LSR_THRE);
}

static void uart_fcr_write(struct uart *u, uint8_t val)
{
	/* Switching FIFO mode either way empties both FIFOs (8.6.3). */
	if ((val ^ u->fcr) & UART_FCR_FIFOE)
		uart_rx_clear(u);
	/* The other bits are programmed only together with FIFOE. */
	if (!(val & UART_FCR_FIFOE)) {
		u->fcr = 0;
		return;
	}
	if (val & UART_FCR_RFR)
		uart_rx_clear(u);
	/* XFR: the TX FIFO is always empty here. */
	u->fcr = val & (UART_FCR_FIFOE | UART_FCR_DMS | UART_FCR_TRIG);
}

static void uart_write_locked(struct uart *u, unsigned off, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (off) {
	case UART_THR:
		if (dlab)
			u->divisor = (u->divisor & 0xff00) | val;
		else
			uart_thr_write(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->divisor = (uint16_t)((u->divisor & 0x00ff) |
						(val << 8));
		else
			uart_ier_write(u, val);
		break;
	case UART_FCR:
		uart_fcr_write(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		u->mcr = val & 0x1f;	/* bits 7:5 are always 0 */
		uart_msr_set(u, uart_modem_inputs(u));
		break;
	case UART_LSR:
	case UART_MSR:
		/* Factory test registers on the real chip: ignored. */
		break;
	case UART_SCR:
		u->scr = val;
		break;
	}
	uart_update_irq(u);
}

static uint8_t uart_read_locked(struct uart *u, unsigned off)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t val = 0;

	switch (off) {
	case UART_RBR:
		val = dlab ? (uint8_t)u->divisor : uart_rx_pop(u);
		break;
	case UART_IER:
		val = dlab ? (uint8_t)(u->divisor >> 8) : u->ier;
		break;
	case UART_IIR:
		val = uart_iir_id(u);
		/* Reading IIR when it names THRE clears that source. */
		if (val == UART_IIR_THRI)
			u->thr_ipending = false;
		if (uart_fifo_on(u))
			val |= UART_IIR_FIFOS;
		break;
	case UART_LCR:
		val = u->lcr;
		break;
	case UART_MCR:
		val = u->mcr;
		break;
	case UART_LSR:
		val = u->lsr;
		/* The error bits clear on read (8.6.4). */
		u->lsr &= (uint8_t)~(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE |
				     UART_LSR_BI | UART_LSR_RXFE);
		break;
	case UART_MSR:
		val = u->msr;
		u->msr &= (uint8_t)~UART_MSR_DELTAS;
		break;
	case UART_SCR:
		val = u->scr;
		break;
	}
	uart_update_irq(u);
	return val;
}

/*
 * The UART is byte-wide; a wider access is split into byte accesses, as
 * the ISA bus does for an 8-bit device.
 */
static uint64_t uart_bar_read(struct vdev *vd, unsigned bar, uint64_t off,
			      unsigned size)
{
	struct uart *u = vd->priv;
	uint64_t val = 0;
	unsigned i;

	if (bar != 0 || size > 8)
		return ~0ull;
	pthread_mutex_lock(&u->lock);
	for (i = 0; i < size; i++) {
		uint64_t b = off + i < UART_NR_PORTS ?
			uart_read_locked(u, (unsigned)(off + i)) : 0xff;

		val |= b << (8 * i);
	}
	pthread_mutex_unlock(&u->lock);
	return val;
}

static void uart_bar_write(struct vdev *vd, unsigned bar, uint64_t off,
			   unsigned size, uint64_t val)
{
	struct uart *u = vd->priv;
	unsigned i;

	if (bar != 0 || size > 8)
		return;
	pthread_mutex_lock(&u->lock);
	for (i = 0; i < size && off + i < UART_NR_PORTS; i++)
		uart_write_locked(u, (unsigned)(off + i),
				  (uint8_t)(val >> (8 * i)));
	pthread_mutex_unlock(&u->lock);
}

/* ---- host side ---- */

size_t uart16550_rx_push(struct vdev *vd, const uint8_t *buf, size_t n)
{
	struct uart *u = vd->priv;
	size_t i, taken = 0;

	pthread_mutex_lock(&u->lock);
	/* Loopback disconnects the serial input (8.6.5). */
	if (!(u->mcr & UART_MCR_LOOP)) {
		for (i = 0; i < n; i++)
			taken += uart_rx_byte(u, buf[i]);
		uart_update_irq(u);
	}
	pthread_mutex_unlock(&u->lock);
	return taken;
}

size_t uart16550_rx_room(struct vdev *vd)
{
	struct uart *u = vd->priv;
	size_t room;

	pthread_mutex_lock(&u->lock);
	room = (u->mcr & UART_MCR_LOOP) ? 0 :
		uart_rx_capacity(u) - u->rx_count;
	pthread_mutex_unlock(&u->lock);
	return room;
}

/* ---- lifecycle ---- */

static int uart_parse_opts(struct uart *u, const char *opts)
{
	unsigned long port = UART_DEFAULT_PORT, irq = UART_DEFAULT_IRQ;
	unsigned long to_stdout = 2;	/* 2: not given */
	char path[4096];
	int ret;

	opts = opts ? opts : "";
	if (vdev_opt_num(opts, "port", 0, 0xffff - UART_NR_PORTS + 1, &port) ||
	    vdev_opt_num(opts, "irq", 0, 255, &irq) ||
	    vdev_opt_num(opts, "stdout", 0, 1, &to_stdout)) {
		log_err("%s: bad option in \"%s\"", u->vd->id, opts);
		return -EINVAL;
	}
	u->port = (uint16_t)port;
	u->irq = (unsigned)irq;

	ret = vdev_opt_get(opts, "path", path, sizeof(path));
	if (ret == -ENAMETOOLONG || ret == 0) {
		log_err("%s: bad path= option", u->vd->id);
		return -EINVAL;
	}
	if (ret > 0) {
		u->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC |
				 O_CLOEXEC, 0644);
		if (u->out_fd < 0) {
			ret = -errno;
			log_err("%s: cannot open %s: %s", u->vd->id, path,
				strerror(errno));
			return ret;
		}
	}
	u->out_stdout = to_stdout == 2 ? u->out_fd < 0 : to_stdout == 1;
	return 0;
}

static int uart_init(struct vdev *vd, const char *opts)
{
	struct uart *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	u->vd = vd;
	u->out_fd = -1;
	ret = uart_parse_opts(u, opts);
	if (ret < 0)
		goto fail;
	pthread_mutex_init(&u->lock, NULL);
	vd->priv = u;
	uart_reset_locked(u);
	ret = vdev_map_pio(vd, 0, u->port, UART_NR_PORTS);
	if (ret < 0) {
		log_err("%s: ports %#x-%#x: %s", vd->id, u->port,
			u->port + UART_NR_PORTS - 1, strerror(-ret));
		pthread_mutex_destroy(&u->lock);
		vd->priv = NULL;
		goto fail;
	}
	return 0;

fail:
	if (u->out_fd >= 0)
		close(u->out_fd);
	free(u);
	return ret;
}

static void uart_fini(struct vdev *vd)
{
	struct uart *u = vd->priv;

	if (!u)
		return;
	pthread_mutex_lock(&u->lock);
	uart_sink_flush(u);
	pthread_mutex_unlock(&u->lock);
	if (u->out_fd >= 0)
		close(u->out_fd);
	pthread_mutex_destroy(&u->lock);
	free(u);
	vd->priv = NULL;
}

static void uart_reset(struct vdev *vd)
{
	struct uart *u = vd->priv;

	pthread_mutex_lock(&u->lock);
	uart_reset_locked(u);
	pthread_mutex_unlock(&u->lock);
}

/* ---- migration ---- */

/*
 * Registers, the THRE latch, the RX FIFO and the console line not yet
 * written out: the destination finishes the line, so a JSON record is
 * never split between two consoles (the source leaves the start of it in
 * its own, unterminated, at exit). The IRQ level is what the IOAPIC's
 * state already holds: it is recorded, not driven again.
 */
static int uart_save(struct vdev *vd, struct vdev_state_writer *w)
{
	struct uart *u = vd->priv;
	uint8_t regs[7];

	pthread_mutex_lock(&u->lock);
	regs[0] = u->ier;
	regs[1] = u->fcr;
	regs[2] = u->lcr;
	regs[3] = u->mcr;
	regs[4] = u->lsr;
	regs[5] = u->msr;
	regs[6] = u->scr;
	vdev_state_put_u32(w, "version", UART_STATE_VERSION);
	vdev_state_put(w, "regs", regs, sizeof(regs));
	vdev_state_put_u32(w, "divisor", u->divisor);
	vdev_state_put_bool(w, "thr_ipending", u->thr_ipending);
	vdev_state_put_bool(w, "irq_level", u->irq_level);
	vdev_state_put(w, "rx_fifo", u->rx_fifo, sizeof(u->rx_fifo));
	vdev_state_put_u32(w, "rx_head", u->rx_head);
	vdev_state_put_u32(w, "rx_count", u->rx_count);
	vdev_state_put(w, "line", u->line, u->line_len);
	pthread_mutex_unlock(&u->lock);
	return w->err;
}

static int uart_load(struct vdev *vd, struct vdev_state_reader *r)
{
	struct uart *u = vd->priv;
	uint8_t regs[7], fifo[UART_FIFO_LEN];
	uint32_t version = 0, divisor = 0, head = 0, count = 0;
	bool thr = false, level = false;
	char *line = malloc(UART_LINE_MAX);
	size_t line_len = 0;

	if (!line)
		return vdev_state_fail(r, "out of memory");

	vdev_state_get_u32(r, "version", &version);
	if (!r->err && version != UART_STATE_VERSION)
		return vdev_state_fail(r, "UART state version %u", version);
	vdev_state_get(r, "regs", regs, sizeof(regs));
	vdev_state_get_u32(r, "divisor", &divisor);
	vdev_state_get_bool(r, "thr_ipending", &thr);
	vdev_state_get_bool(r, "irq_level", &level);
	vdev_state_get(r, "rx_fifo", fifo, sizeof(fifo));
	vdev_state_get_u32(r, "rx_head", &head);
	vdev_state_get_u32(r, "rx_count", &count);
	/* A full line would have been written out: less than a buffer. */
	vdev_state_get_var(r, "line", line, UART_LINE_MAX - 1, &line_len);
	/* What the register writes would have allowed. */
	if (!r->err &&
	    ((regs[0] & ~0x0fu) ||
	     (regs[1] & ~(UART_FCR_FIFOE | UART_FCR_DMS | UART_FCR_TRIG)) ||
	     (regs[3] & ~0x1fu) || divisor > 0xffff ||
	     head >= UART_FIFO_LEN ||
	     count > ((regs[1] & UART_FCR_FIFOE) ? UART_FIFO_LEN : 1u)))
		vdev_state_fail(r, "UART registers out of range");
	if (r->err) {
		free(line);
		return r->err;
	}

	pthread_mutex_lock(&u->lock);
	u->ier = regs[0];
	u->fcr = regs[1];
	u->lcr = regs[2];
	u->mcr = regs[3];
	u->lsr = regs[4];
	u->msr = regs[5];
	u->scr = regs[6];
	u->divisor = (uint16_t)divisor;
	u->thr_ipending = thr;
	u->irq_level = level;
	memcpy(u->rx_fifo, fifo, sizeof(fifo));
	u->rx_head = head;
	u->rx_count = count;
	memcpy(u->line, line, line_len);
	u->line_len = line_len;
	pthread_mutex_unlock(&u->lock);
	free(line);
	return 0;
}

const struct vdev_ops uart16550_ops = {
	.name = "uart16550",
	.init = uart_init,
	.fini = uart_fini,
	.reset = uart_reset,
	.bar_read = uart_bar_read,
	.bar_write = uart_bar_write,
	.save = uart_save,
	.load = uart_load,
};
