/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_UART16550_H
#define IOPATH_EMU_UART16550_H

/*
 * A National Semiconductor PC16550D UART as a platform device: eight
 * byte-wide ports (COM1 at 0x3F8, IRQ 4, by default). Register and bit names
 * are the datasheet's.
 *
 * Options ("path=/tmp/console.log,stdout=1,port=0x3f8,irq=4"):
 *   path=FILE   write what the guest transmits to FILE (created or
 *               truncated)
 *   stdout=0|1  also write it to the VMM's stdout; the default is 1 when no
 *               path is given, 0 otherwise
 *   port=N      base port (default 0x3F8)
 *   irq=N       IOAPIC input (default 4)
 * Output is line-buffered: a line reaches the sink whole, at its newline
 * (or when the buffer fills, or at reset and fini).
 */

#include <stddef.h>
#include <stdint.h>

/* Port offsets; DLL/DLM replace RBR/THR and IER while LCR.DLAB is set. */
#define UART_RBR	0	/* R: receiver buffer */
#define UART_THR	0	/* W: transmitter holding */
#define UART_DLL	0	/* divisor latch, low byte */
#define UART_IER	1	/* interrupt enable */
#define UART_DLM	1	/* divisor latch, high byte */
#define UART_IIR	2	/* R: interrupt identification */
#define UART_FCR	2	/* W: FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */
#define UART_MSR	6	/* modem status */
#define UART_SCR	7	/* scratch */
#define UART_NR_PORTS	8

#define UART_IER_ERBFI	0x01	/* received data available */
#define UART_IER_ETBEI	0x02	/* transmitter holding register empty */
#define UART_IER_ELSI	0x04	/* receiver line status */
#define UART_IER_EDSSI	0x08	/* modem status */

#define UART_IIR_NO_INT	0x01	/* 0 = an interrupt is pending */
#define UART_IIR_ID	0x0e
#define UART_IIR_MSI	0x00	/* modem status (lowest priority) */
#define UART_IIR_THRI	0x02	/* THR empty */
#define UART_IIR_RDI	0x04	/* received data at the trigger level */
#define UART_IIR_RLSI	0x06	/* receiver line status (highest) */
#define UART_IIR_CTI	0x0c	/* character timeout (FIFO mode) */
#define UART_IIR_FIFOS	0xc0	/* FIFOs enabled */

#define UART_FCR_FIFOE	0x01	/* FIFO enable */
#define UART_FCR_RFR	0x02	/* reset the RX FIFO (self-clearing) */
#define UART_FCR_XFR	0x04	/* reset the TX FIFO (self-clearing) */
#define UART_FCR_DMS	0x08	/* DMA mode select */
#define UART_FCR_TRIG	0xc0	/* RX trigger level: 1, 4, 8, 14 bytes */

#define UART_LCR_WLS	0x03	/* word length - 5 */
#define UART_LCR_STB	0x04	/* stop bits */
#define UART_LCR_PEN	0x08	/* parity enable */
#define UART_LCR_EPS	0x10	/* even parity */
#define UART_LCR_SPAR	0x20	/* stick parity */
#define UART_LCR_SBRK	0x40	/* set break */
#define UART_LCR_DLAB	0x80	/* divisor latch access */

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10	/* local loopback */

#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_OE	0x02	/* overrun error */
#define UART_LSR_PE	0x04	/* parity error */
#define UART_LSR_FE	0x08	/* framing error */
#define UART_LSR_BI	0x10	/* break interrupt */
#define UART_LSR_THRE	0x20	/* THR (TX FIFO) empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_LSR_RXFE	0x80	/* error in RX FIFO */

#define UART_MSR_DCTS	0x01	/* delta CTS */
#define UART_MSR_DDSR	0x02	/* delta DSR */
#define UART_MSR_TERI	0x04	/* trailing edge of RI */
#define UART_MSR_DDCD	0x08	/* delta DCD */
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80
#define UART_MSR_DELTAS	0x0f

#define UART_FIFO_LEN	16

struct vdev;
struct vdev_ops;

extern const struct vdev_ops uart16550_ops;

/*
 * Feed bytes to the receiver, as if they came in on the serial line. A
 * byte that finds the RX FIFO full is lost and sets LSR.OE, as a real
 * overrun would (with FIFOs off, it overwrites the unread holding register
 * instead). In loopback mode the serial input is disconnected and nothing
 * is taken. Returns the bytes that reached the receiver. Any thread.
 */
size_t uart16550_rx_push(struct vdev *vd, const uint8_t *buf, size_t n);

/* Bytes the receiver can take now without an overrun. Any thread. */
size_t uart16550_rx_room(struct vdev *vd);

#endif
