/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_TULIP_PRIV_H
#define IOPATH_GUEST_DRIVERS_TULIP_PRIV_H

/* State shared by the tulip_*.c files; not for other callers. */
#include <stdbool.h>
#include <stdint.h>

#include "emu-devices/tulip_regs.h"
#include "net/netdev.h"
#include "rt/io.h"

/* RX deep enough to ride out a descheduled vCPU on a busy 2-core host (64
 * lost frames at 5 kpps under iopath-vmm with two VMs and the switch). */
#define TULIP_RX_RING_DEF	256
#define TULIP_TX_RING_DEF	128
#define TULIP_RING_MAX		NETDEV_RING_MAX
/* Receive buffer size in RDES1: a multiple of 4 (4.2.1) that holds a
 * 1518-byte frame with CRC; the Linux driver uses 1536 as well. */
#define TULIP_RX_BUF_LEN	1536

struct tulip {
	struct netdev nd;

	/* CSR access: exactly one of the two */
	uint16_t io_base;
	volatile uint8_t *mmio;
	uint64_t csr_reads, csr_writes;

	bool is_21143;
	bool chain;
	bool rx_zero_copy;		/* swap buffers on RX (see tulip_ring.c) */
	uint32_t csr6;

	/* rings: free-running indices, masked once per use */
	struct tulip_desc *rx_ring, *tx_ring;
	struct pkt **rx_pkt, **tx_pkt;	/* buffer behind each slot */
	uint32_t rx_size, tx_size;	/* powers of two */
	uint32_t rx_head;		/* next slot the chip will complete */
	uint32_t tx_prod, tx_clean;	/* handed over / reclaimed */
	/* Transmit poll demands (CSR1), see tulip_ring.c "Kicks". */
	bool tap;			/* CSR0 TAP set at bring-up */
	bool tap_seen;			/* the chip took unkicked frames */
	uint32_t kick_prod;		/* tx_prod at the last CSR1 write */
	uint64_t kick_tsc, post_tsc;	/* last CSR1 write, last post */
	uint64_t kick_gap_tsc;		/* TULIP_KICK_GAP_US */
	uint64_t kicks;
	uint8_t *setup_buf;

	/* interrupts */
	int vector;
	volatile uint32_t irq_seen;	/* set by the callback */
	bool need_ack;			/* CSR5 may hold bits: clear first */
	uint32_t irq_mask;		/* CSR7 value */
	uint64_t acks;

	/* MII / SROM results */
	int phy;			/* -1: none found */
	uint32_t phy_id;
	uint16_t srom_words;		/* 64 (6-bit address) or 256 */
	uint8_t srom_addr_bits;
	bool srom_crc_ok;
	bool srom_old_format;
	uint8_t srom_mac[6];
	uint16_t srom[SROM_WORDS_MAX];
};

static inline struct tulip *tulip_of(struct netdev *nd)
{
	return (struct tulip *)nd;
}

static inline uint32_t tulip_csr_read(struct tulip *t, unsigned int n)
{
	t->csr_reads++;
	if (t->mmio)
		return mmio_read32(t->mmio + TULIP_CSR(n));
	return inl((uint16_t)(t->io_base + TULIP_CSR(n)));
}

static inline void tulip_csr_write(struct tulip *t, unsigned int n,
				   uint32_t v)
{
	t->csr_writes++;
	if (t->mmio)
		mmio_write32(t->mmio + TULIP_CSR(n), v);
	else
		outl((uint16_t)(t->io_base + TULIP_CSR(n)), v);
}

/* tulip_srom.c: reads the whole SROM, checks its CRC, finds the MAC.
 * 0 or -EIO (all ones: no SROM answered). */
int tulip_srom_load(struct tulip *t);
/* CRC-32 (IEEE 802.3) of len bytes, as the SROM format defines it. */
uint32_t tulip_srom_crc32(const uint8_t *p, unsigned int len);

/* tulip_mii.c: clause-22 management frames bit-banged on CSR9. */
uint16_t tulip_mii_read(struct tulip *t, int phy, int reg);
/* First PHY answering (phy < 0: scan 1..31 then 0, as Linux does). */
int tulip_mii_find(struct tulip *t, int phy);
bool tulip_mii_link(struct tulip *t);

/* tulip_ring.c: descriptor rings and the data path. */
int tulip_rings_alloc(struct tulip *t, unsigned int rx, unsigned int tx);
/* Puts the setup frame (own MAC + broadcast, perfect filtering) on the
 * TX ring; the chip takes it when transmission starts. */
void tulip_setup_frame_queue(struct tulip *t);
/* Waits (RAM polling) until the chip has taken every queued TX
 * descriptor. true on success. */
bool tulip_tx_drain(struct tulip *t, uint64_t timeout_us);
/* After bring-up: the transmit kick state starts from here. */
void tulip_tx_kick_init(struct tulip *t);
uint16_t tulip_rx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n);
uint16_t tulip_tx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n);
/* netdev_wait's callbacks (net/netdev_wait.c). */
int tulip_ready(struct netdev *nd);
void tulip_arm(struct netdev *nd, int events);

#endif
