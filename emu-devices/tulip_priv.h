/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_TULIP_PRIV_H
#define IOPATH_EMU_TULIP_PRIV_H

/*
 * The 21140A model's state, shared by its files and their unit tests:
 * tulip.c (vdev glue, threads), tulip_csr.c (registers, interrupts,
 * timers), tulip_dma.c (descriptor engines), tulip_filter.c (address
 * filter), tulip_srom.c (serial ROM), tulip_mii.c (PHY). Not for others.
 *
 * Locking: every function here but the srom/mii/filter helpers expects
 * t->lock held. Those helpers work on their own sub-struct only.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/guest_mem.h"
#include "emu-devices/tulip.h"
#include "emu-devices/tulip_regs.h"

struct vdev;
struct vdev_state_writer;
struct vdev_state_reader;

/*
 * TAP while idle (tulip_csr.c): after this long with nothing taken the
 * poll period doubles, up to the slow one.
 */
#define TULIP_TAP_BUSY_NS	2000000ull
#define TULIP_TAP_SLOW_NS	51200000ull
/* Walk bounds for guest-built descriptor lists (see tulip_dma.c). */
#define TULIP_WALK_MAX		4096	/* descriptors per engine run */
#define TULIP_FRAME_DESC_MAX	64	/* descriptors in one frame */
/* Jabber: the transmitter stops a frame longer than this (3.2.2.16). */
#define TULIP_JABBER_BYTES	2048
#define TULIP_ETH_MIN		60	/* without FCS; shorter is padded */
#define TULIP_ETH_MAX		1518	/* with FCS; longer sets RDES0 TL */
#define TULIP_FCS_LEN		4
#define TULIP_RX_FRAME_MAX	(TULIP_JABBER_BYTES)

/* 93C46 Microwire EEPROM. */
enum tulip_srom_phase {
	SROM_IDLE,		/* waiting for the start bit */
	SROM_CMD,		/* shifting opcode and address in */
	SROM_DATA,		/* shifting a word out */
	SROM_IGNORE,		/* write-type command: ignored to CS low */
};

struct tulip_srom {
	uint16_t words[SROM_WORDS];
	enum tulip_srom_phase phase;
	bool cs, sk;		/* last levels seen */
	bool dout;		/* what DO drives (1 when high-Z) */
	unsigned nbits;		/* command bits taken */
	uint32_t cmd;
	uint16_t shift;		/* word being shifted out */
	unsigned addr;
	unsigned out_bits;	/* data bits shifted out of this word */
};

/* MII PHY at one address, clause 22 management frames. */
enum tulip_mii_phase {
	MII_IDLE,		/* preamble: waiting for start "01" */
	MII_START,		/* saw the 0 of the start pattern */
	MII_HDR,		/* op, PHY address, register address */
	MII_TA,			/* turnaround */
	MII_DATA,		/* 16 data bits, either direction */
};

struct tulip_mii {
	unsigned phy_addr;
	bool mdc;		/* last MDC level */
	bool mdi;		/* what the PHY drives (1 when high-Z) */
	enum tulip_mii_phase phase;
	unsigned nbits;
	uint32_t hdr;		/* op(2) phy(5) reg(5) */
	bool reading, ours;
	uint16_t data;
	uint16_t bmcr, anar;
	bool link;
	bool link_latched_low;	/* BMSR LS reads 0 once after a drop */
};

/* Receive address filter, loaded by setup frames (manual 4.2.3). */
struct tulip_filter {
	unsigned type;		/* TULIP_FT_* of the last setup frame */
	uint8_t perfect[TULIP_SETUP_ENTRIES][6];
	uint8_t hash[TULIP_SETUP_HASH_BITS / 8];
};

struct tulip_counters {
	uint64_t csr_reads[TULIP_NCSR], csr_writes[TULIP_NCSR];
	uint64_t tx_frames, tx_bytes, tx_setup, tx_dropped, tx_wire_full;
	uint64_t rx_frames, rx_bytes, rx_filtered, rx_missed, rx_stopped;
	uint64_t rx_truncated;
	uint64_t irqs;		/* interrupt messages / line assertions */
	uint64_t fbe, tjt, unf;
	uint64_t gpt_expired, tap_polls;
};

struct tulip {
	pthread_mutex_t lock;
	struct vdev *vd;
	const struct guest_mem *mem;
	uint8_t mac[6];

	/* Registers as the guest wrote them (the ones kept verbatim). */
	uint32_t csr0, csr3, csr4, csr6, csr7, csr9, csr15;
	uint32_t status;	/* CSR5 bits 16..0 */
	unsigned eb;		/* CSR5 EB */
	unsigned rs, ts;	/* CSR5 RS, TS */
	bool bus_dead;		/* FBE: no bus access until SWR */
	uint32_t rx_cur, tx_cur;	/* current descriptor addresses */
	uint32_t missed;	/* CSR8 MFC */
	bool missed_ovf;	/* CSR8 MFO */
	uint32_t cfdd;		/* config 0x40 */

	/* CSR11 general-purpose timer and CSR0 TAP on timerfds. */
	int gpt_fd, tap_fd;
	uint32_t gpt_value;	/* as written, with CON */
	uint64_t gpt_start_ns;
	bool tap_armed;
	uint64_t tap_cur_ns;	/* TAP's period now (backs off when idle) */
	uint64_t tap_busy_ns;	/* last poll demand or descriptor taken */
	uint64_t tx_taken;	/* transmit descriptors taken, ever */

	/* CSR12 general-purpose port: direction 1 = output. */
	uint8_t gp_dir, gp_out;

	struct tulip_srom srom;
	struct tulip_mii mii;
	struct tulip_filter filter;
	bool link_up;

	struct tulip_wire wire;
	bool has_wire;

	/*
	 * Transmit frame in assembly: descriptors read so far (still owned
	 * by the chip in guest memory until the frame closes), bytes, and
	 * TDES1 of its first descriptor (AC, DPD) and last (IC).
	 */
	unsigned tx_ndesc, tx_len;
	uint32_t tx_first_des1, tx_last_des1;
	bool tx_in_frame;
	bool tx_ready;		/* complete, waiting for the wire */
	bool tx_blocked;	/* the wire refused it */

	/* Interrupt output (see tulip_irq_update). */
	bool irq_level;
	uint32_t irq_active;

	struct tulip_counters cnt;

	/* Frame assembly buffer and the descriptors of the frame. */
	uint8_t txbuf[TULIP_JABBER_BYTES + 64];
	uint32_t txdesc[TULIP_FRAME_DESC_MAX];
	uint8_t rxbuf[TULIP_RX_FRAME_MAX + TULIP_FCS_LEN];
};

/* ---- tulip_csr.c ---- */
uint32_t tulip_csr_read(struct tulip *t, unsigned idx);
void tulip_csr_write(struct tulip *t, unsigned idx, uint32_t val);
/* Power-on / software reset of the chip (not the PHY or SROM). */
void tulip_chip_reset(struct tulip *t);
/* Set CSR5 status bits (and their summaries), update the interrupt. */
void tulip_status_set(struct tulip *t, uint32_t bits);
/* Recompute the interrupt output from CSR5 and CSR7. */
void tulip_irq_update(struct tulip *t);
/* Timer expiries, called by tulip.c from the event loop. */
void tulip_gpt_expired(struct tulip *t);
void tulip_tap_expired(struct tulip *t);
/* (Dis)arm transmit automatic polling after TS or CSR0 changed. */
void tulip_tap_update(struct tulip *t);
/* A transmit poll demand: TAP polls at the datasheet's period again. */
void tulip_tap_busy(struct tulip *t);
/* CSR11: time to the next expiry (0: none due); and set it back up with
 * @value as written and @left_ns to the next expiry (migration). */
uint64_t tulip_gpt_left_ns(const struct tulip *t);
void tulip_gpt_restore(struct tulip *t, uint32_t value, uint64_t left_ns);

/* ---- tulip_state.c: migration ---- */
int tulip_save(struct vdev *vd, struct vdev_state_writer *w);
int tulip_load(struct vdev *vd, struct vdev_state_reader *r);

/* ---- tulip_dma.c ---- */
/* Run the transmit engine (poll demand, start, TAP, wire room). */
void tulip_tx_poll(struct tulip *t);
/* Receive poll demand: a suspended receiver re-reads its descriptor. */
void tulip_rx_poll(struct tulip *t);
/* One frame from the wire; returns as tulip_rx(). */
int tulip_rx_frame(struct tulip *t, const uint8_t *frame, unsigned len);
/* Master abort on a guest address: FBE, both engines stopped. */
void tulip_fatal_bus_error(struct tulip *t, unsigned eb, const char *why,
			   uint64_t addr);

/* ---- tulip_filter.c ---- */
void tulip_filter_reset(struct tulip_filter *f);
/* Load a 192-byte setup frame with filtering type @ft. */
void tulip_filter_load(struct tulip_filter *f, const uint8_t *setup,
		       unsigned ft);
/* Does a frame to @da pass the filter under CSR6 @csr6? */
bool tulip_filter_accept(const struct tulip_filter *f, uint32_t csr6,
			 const uint8_t da[6]);
/* The CSR6 HP/HO/IF bits the filter type implies. */
uint32_t tulip_filter_csr6_bits(const struct tulip_filter *f);
/* CRC-32 (IEEE 802.3) register after @len bytes, LSB first, no final
 * inversion: Linux's ether_crc_le(). The FCS is its complement. */
uint32_t tulip_crc32_le(const uint8_t *p, unsigned len);
/* The 21140 hash index of an address: low 9 bits of ether_crc_le. */
unsigned tulip_hash_index(const uint8_t addr[6]);

/* ---- tulip_srom.c ---- */
void tulip_srom_build(struct tulip_srom *s, const uint8_t mac[6],
		      uint16_t subsys_vendor, uint16_t subsys_id,
		      unsigned phy_num);
/* CSR9 written while the SROM is selected (SR) or deselected. */
void tulip_srom_write(struct tulip_srom *s, bool selected, uint32_t csr9);
/* The SROM's DO line as CSR9 shows it. */
bool tulip_srom_dout(const struct tulip_srom *s);
/* Low 16 bits of the SROM CRC over bytes 0..125 (what word 63 holds). */
uint16_t tulip_srom_crc(const struct tulip_srom *s);

/* ---- tulip_mii.c ---- */
void tulip_mii_init(struct tulip_mii *m, unsigned phy_addr, bool link);
/* PHY reset (BMCR reset bit or power-on). */
void tulip_mii_reset(struct tulip_mii *m);
/* CSR9 MII lines after a write: MDC, MDO and the MII read mode. */
void tulip_mii_write(struct tulip_mii *m, uint32_t csr9);
/* MDIO as CSR9 MDI shows it. */
bool tulip_mii_mdi(const struct tulip_mii *m);
void tulip_mii_set_link(struct tulip_mii *m, bool up);
/* Register access as a management frame does it (also for tests). */
uint16_t tulip_mii_reg_read(struct tulip_mii *m, unsigned reg);
void tulip_mii_reg_write(struct tulip_mii *m, unsigned reg, uint16_t val);

#endif
