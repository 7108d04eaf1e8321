// SPDX-License-Identifier: MIT
/*
 * The 21140A's transmit and receive descriptor engines (manual chapter
 * 4; process states 3.2.2.6).
 *
 * Descriptor lists start at CSR4 (transmit) and CSR3 (receive). After a
 * descriptor the next one is: the list base if TDES1 TER / RDES1 RER is
 * set, else buffer 2's address if TCH / RCH is set (chain mode; buffer 2
 * is then not a buffer), else this one plus 16 bytes plus CSR0 DSL
 * longwords (ring mode). Each descriptor holds up to two buffers of at
 * most 2047 bytes (11-bit sizes).
 *
 * Guest memory is untrusted and shared with running vCPUs. Each
 * descriptor is copied out once (TDES0/RDES0 read first with acquire
 * order: the driver sets OWN last), checked, then acted on; status goes
 * back with one release store of DES0 that also hands ownership back.
 * Every address goes through guest_mem_ptr(); one outside RAM is what a
 * PCI master abort is to the chip: CSR5 FBE with EB = 001, both engines
 * stop and stay off until a software reset (3.2.2.6 FBE). Walks are
 * bounded (TULIP_WALK_MAX per run, TULIP_FRAME_DESC_MAX per frame, which
 * also ends chains that loop inside one frame); a transmit frame longer
 * than the jabber limit stops the transmitter with TJT, as the chip's
 * jabber timer does.
 *
 * Transmit, as the chip in store-and-forward mode: descriptors from FS to
 * LS are gathered into one frame; if a descriptor in the middle is still
 * the host's the process suspends (TU) and carries on with it after the
 * next poll demand. Frames go to the wire whole, padded to 60 bytes
 * unless TDES1 DPD, without the FCS (with AC the guest's own FCS is
 * stripped). A descriptor with no buffers and no FS outside a frame (the
 * dummy entry Linux puts before setup frames) is just closed. Setup frames
 * (TDES1 SET) load the address filter and close with TDES0 = 7FFFFFFFh.
 *
 * Receive: a frame is filtered, padded to 60 bytes, given its FCS, and
 * spread over as many descriptors as its length needs. The last gets
 * RDES0 LS, FL (length with FCS) and the frame's status; the first FS.
 * If the next descriptor is the host's when a frame arrives the receiver
 * suspends (RU) and the frame is counted in CSR8 as missed; running out in
 * the middle of a frame closes the last descriptor with DE (truncated).
 * A suspended receiver looks again when a frame arrives or on a poll
 * demand (CSR2).
 *
 * Both engines hand descriptors of one frame back last-to-first, so a
 * driver that sees the first descriptor free sees the whole frame done (a
 * real chip is fast enough that drivers cannot tell).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#define LOG_SUBSYS "tulip"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "emu-devices/tulip_priv.h"

#define DESC_SIZE	16u

static const char *nic_id(const struct tulip *t)
{
	return t->vd ? t->vd->id : "tulip";
}

void tulip_fatal_bus_error(struct tulip *t, unsigned eb, const char *why,
			   uint64_t addr)
{
	log_guest_warn("%s: fatal bus error: %s at %#lx; both engines "
		       "stopped until software reset", nic_id(t), why,
		       (unsigned long)addr);
	t->cnt.fbe++;
	t->eb = eb & CSR5_EB_MASK;
	t->bus_dead = true;
	t->rs = RS_STOPPED;
	t->ts = TS_STOPPED;
	t->tx_in_frame = t->tx_ready = t->tx_blocked = false;
	t->tx_ndesc = t->tx_len = 0;
	tulip_status_set(t, CSR5_FBE | CSR5_TPS | CSR5_RPS);
	tulip_tap_update(t);
}

/* Copy the descriptor at @addr; false (and FBE) if it is not in RAM. */
static bool desc_fetch(struct tulip *t, uint32_t addr, struct tulip_desc *d)
{
	const uint8_t *p = guest_mem_ptr(t->mem, addr, DESC_SIZE);
	uint32_t w[3];

	if (!p) {
		tulip_fatal_bus_error(t, CSR5_EB_MASTER_ABORT, "descriptor",
				      addr);
		return false;
	}
	d->des0 = le32toh(__atomic_load_n((const uint32_t *)p,
					  __ATOMIC_ACQUIRE));
	memcpy(w, p + 4, sizeof(w));
	d->des1 = le32toh(w[0]);
	d->buf1 = le32toh(w[1]);
	d->buf2 = le32toh(w[2]);
	return true;
}

/*
 * This process's own writes to guest RAM are invisible to KVM's dirty
 * log: a migration in progress must hear of them (core/vmm.h).
 */
static void dma_written(struct tulip *t, uint64_t gpa, uint64_t len)
{
	if (t->vd)
		vmm_dirty_mark(t->vd->vmm, gpa, len);
}

/* Write DES0 (status, OWN cleared): one release store. */
static void desc_close(struct tulip *t, uint32_t addr, uint32_t des0)
{
	uint32_t *p = guest_mem_ptr(t->mem, addr, DESC_SIZE);

	/* The address was fetched from RAM moments ago; RAM does not move. */
	if (p) {
		__atomic_store_n(p, htole32(des0), __ATOMIC_RELEASE);
		dma_written(t, addr, 4);
	}
}

static uint32_t desc_next(const struct tulip *t, uint32_t addr,
			  const struct tulip_desc *d, uint32_t base,
			  uint32_t end_bit, uint32_t chain_bit)
{
	unsigned skip = (t->csr0 >> CSR0_DSL_SHIFT) & CSR0_DSL_MASK;

	if (d->des1 & end_bit)
		return base;
	if (d->des1 & chain_bit)
		return d->buf2 & ~3u;
	return addr + DESC_SIZE + 4 * skip;
}

static unsigned bs1(const struct tulip_desc *d)
{
	return d->des1 & TULIP_DES1_BS1_MASK;
}

static unsigned bs2(const struct tulip_desc *d, uint32_t chain_bit)
{
	if (d->des1 & chain_bit)
		return 0;
	return (d->des1 >> TULIP_DES1_BS2_SHIFT) & TULIP_DES1_BS2_MASK;
}

/* ---- transmit ---- */

static void tx_reset_frame(struct tulip *t)
{
	t->tx_in_frame = t->tx_ready = false;
	t->tx_ndesc = t->tx_len = 0;
}

/* Hand the frame's descriptors back, the last one with @status. */
static void tx_close_frame(struct tulip *t, uint32_t status)
{
	unsigned i = t->tx_ndesc;

	while (i-- > 0)
		desc_close(t, t->txdesc[i], i == t->tx_ndesc - 1 ? status : 0);
	if (t->tx_last_des1 & TDES1_IC)
		tulip_status_set(t, CSR5_TI);
	tx_reset_frame(t);
}

/* Copy @len bytes of buffer @gpa into the frame; false on a bus error. */
static bool tx_gather(struct tulip *t, uint32_t gpa, unsigned len)
{
	const void *p;

	if (!len)
		return true;
	p = guest_mem_ptr(t->mem, gpa, len);
	if (!p) {
		tulip_fatal_bus_error(t, CSR5_EB_MASTER_ABORT,
				      "transmit buffer", gpa);
		return false;
	}
	memcpy(t->txbuf + t->tx_len, p, len);
	t->tx_len += len;
	return true;
}

/* The frame as it goes on the wire (no FCS); 0 if nothing to send. */
static unsigned tx_wire_len(struct tulip *t)
{
	unsigned len = t->tx_len;

	if (t->tx_first_des1 & TDES1_AC)
		len = len > TULIP_FCS_LEN ? len - TULIP_FCS_LEN : 0;
	if (len && len < TULIP_ETH_MIN && !(t->tx_first_des1 & TDES1_DPD)) {
		memset(t->txbuf + len, 0, TULIP_ETH_MIN - len);
		len = TULIP_ETH_MIN;
	}
	return len;
}

/* Send the completed frame; false if the wire is full (try again). */
static bool tx_send(struct tulip *t)
{
	unsigned len = tx_wire_len(t);
	uint32_t status = 0;

	if (len && t->has_wire && t->link_up) {
		const void *frame = t->txbuf;
		uint16_t l16 = (uint16_t)len;

		if (t->wire.tx_burst(t->wire.opaque, &frame, &l16, 1) == 0) {
			t->tx_blocked = true;
			t->ts = TS_WAIT;
			t->cnt.tx_wire_full++;
			return false;
		}
		t->cnt.tx_frames++;
		t->cnt.tx_bytes += len;
	} else {
		t->cnt.tx_dropped++;
		/* No link: what the MAC sees without a carrier. */
		if (len && !t->link_up)
			status = TDES0_ES | TDES0_LO | TDES0_NC;
	}
	tx_close_frame(t, status);
	return true;
}

static void tx_jabber(struct tulip *t)
{
	log_guest_warn("%s: transmit frame over %u bytes: jabber timeout",
		       nic_id(t), TULIP_JABBER_BYTES);
	t->cnt.tjt++;
	tx_close_frame(t, TDES0_ES | TDES0_TO);
	t->ts = TS_STOPPED;
	tulip_status_set(t, CSR5_TJT | CSR5_TPS);
}

/* A setup frame in descriptor @d at @addr (4.2.3). */
static bool tx_setup(struct tulip *t, uint32_t addr,
		     const struct tulip_desc *d)
{
	unsigned ft = (d->des1 & TDES1_FT1 ? 2 : 0) |
		      (d->des1 & TDES1_FT0 ? 1 : 0);
	const uint8_t *p;

	if (bs1(d) >= TULIP_SETUP_LEN) {
		p = guest_mem_ptr(t->mem, d->buf1, TULIP_SETUP_LEN);
		if (!p) {
			tulip_fatal_bus_error(t, CSR5_EB_MASTER_ABORT,
					      "setup frame", d->buf1);
			return false;
		}
		tulip_filter_load(&t->filter, p, ft);
	} else {
		log_guest_warn("%s: setup frame of %u bytes ignored "
			       "(must be %u)", nic_id(t), bs1(d),
			       TULIP_SETUP_LEN);
	}
	t->cnt.tx_setup++;
	desc_close(t, addr, TDES0_SETUP_DONE);
	if (d->des1 & TDES1_IC)
		tulip_status_set(t, CSR5_TI);
	return true;
}

/*
 * One descriptor at t->tx_cur. Returns 1 to go on, 0 when the process
 * suspended or stopped.
 */
static int tx_step(struct tulip *t)
{
	uint32_t addr = t->tx_cur;
	struct tulip_desc d;
	unsigned n1, n2;

	if (!desc_fetch(t, addr, &d))
		return 0;
	if (!(d.des0 & TULIP_DES0_OWN)) {
		t->ts = TS_SUSPENDED;
		tulip_status_set(t, CSR5_TU);
		return 0;
	}
	t->tx_taken++;
	if (d.des1 & TDES1_SET) {
		if (t->tx_in_frame) {
			/* A frame without LS: the setup frame ends it. */
			tx_close_frame(t, TDES0_ES | TDES0_UF);
			tulip_status_set(t, CSR5_UNF);
		}
		if (!tx_setup(t, addr, &d))
			return 0;
		t->tx_cur = desc_next(t, addr, &d, t->csr4, TDES1_TER,
				      TDES1_TCH);
		return 1;
	}
	n1 = bs1(&d);
	n2 = bs2(&d, TDES1_TCH);
	if (!t->tx_in_frame && !n1 && !n2 && !(d.des1 & TDES1_FS)) {
		desc_close(t, addr, 0);
		t->tx_cur = desc_next(t, addr, &d, t->csr4, TDES1_TER,
				      TDES1_TCH);
		return 1;
	}
	if (!t->tx_in_frame || (d.des1 & TDES1_FS)) {
		if (t->tx_in_frame) {
			/* FS again before LS: the old frame is cut short. */
			tx_close_frame(t, TDES0_ES | TDES0_UF);
			tulip_status_set(t, CSR5_UNF);
			t->cnt.unf++;
		}
		t->tx_in_frame = true;
		t->tx_first_des1 = d.des1;
	}
	if (t->tx_ndesc == TULIP_FRAME_DESC_MAX) {
		tulip_fatal_bus_error(t, CSR5_EB_MASTER_ABORT,
				      "transmit frame spans too many "
				      "descriptors", addr);
		return 0;
	}
	t->txdesc[t->tx_ndesc++] = addr;
	t->tx_last_des1 = d.des1;
	if (t->tx_len + n1 + n2 > TULIP_JABBER_BYTES) {
		tx_jabber(t);
		t->tx_cur = desc_next(t, addr, &d, t->csr4, TDES1_TER,
				      TDES1_TCH);
		return 0;
	}
	if (!tx_gather(t, d.buf1, n1) || !tx_gather(t, d.buf2, n2))
		return 0;
	t->tx_cur = desc_next(t, addr, &d, t->csr4, TDES1_TER, TDES1_TCH);
	if (d.des1 & TDES1_LS) {
		t->tx_ready = true;
		if (!tx_send(t))
			return 0;
	}
	return 1;
}

void tulip_tx_poll(struct tulip *t)
{
	unsigned walked = 0;

	if (t->ts == TS_STOPPED || t->bus_dead)
		return;
	t->tx_blocked = false;
	t->ts = TS_FETCH;
	if (t->tx_ready && !tx_send(t))
		goto out;
	while (walked++ < TULIP_WALK_MAX && tx_step(t))
		;
	/* Out of budget while running: wait for the next poll demand. */
	if (t->ts == TS_FETCH)
		t->ts = TS_SUSPENDED;
out:
	tulip_tap_update(t);
}

/* ---- receive ---- */

void tulip_rx_poll(struct tulip *t)
{
	struct tulip_desc d;

	if (t->rs != RS_SUSPENDED || t->bus_dead)
		return;
	if (!desc_fetch(t, t->rx_cur, &d))
		return;
	if (d.des0 & TULIP_DES0_OWN)
		t->rs = RS_WAIT;
}

/* Write @len bytes of the frame to buffer @gpa; false on a bus error. */
static bool rx_scatter(struct tulip *t, uint32_t gpa, const uint8_t *src,
		       unsigned len)
{
	void *p;

	if (!len)
		return true;
	p = guest_mem_ptr(t->mem, gpa, len);
	if (!p) {
		tulip_fatal_bus_error(t, CSR5_EB_MASTER_ABORT,
				      "receive buffer", gpa);
		return false;
	}
	memcpy(p, src, len);
	dma_written(t, gpa, len);
	return true;
}

static void rx_missed(struct tulip *t)
{
	t->cnt.rx_missed++;
	if (t->missed == CSR8_MFC_MASK)
		t->missed_ovf = true;
	else
		t->missed++;
}

/* RDES0 of the last descriptor for a frame of @flen bytes with FCS. */
static uint32_t rx_status(const uint8_t *frame, unsigned flen, bool passed)
{
	uint32_t st = RDES0_LS | (flen & RDES0_FL_MASK) << RDES0_FL_SHIFT;
	unsigned type = (unsigned)frame[12] << 8 | frame[13];

	if (frame[0] & 1)
		st |= RDES0_MF;
	if (type > 1500)
		st |= RDES0_FT;
	if (flen > TULIP_ETH_MAX)
		st |= RDES0_TL | RDES0_ES;
	if (!passed)
		st |= RDES0_FF;
	return st;
}

/* Pad to the minimum and append the FCS the cable would have carried. */
static unsigned rx_prepare(struct tulip *t, const uint8_t *frame,
			   unsigned len)
{
	uint32_t fcs;

	memcpy(t->rxbuf, frame, len);
	if (len < TULIP_ETH_MIN) {
		memset(t->rxbuf + len, 0, TULIP_ETH_MIN - len);
		len = TULIP_ETH_MIN;
	}
	fcs = ~tulip_crc32_le(t->rxbuf, len);
	for (unsigned i = 0; i < TULIP_FCS_LEN; i++)
		t->rxbuf[len + i] = (uint8_t)(fcs >> (8 * i));
	return len + TULIP_FCS_LEN;
}

int tulip_rx_frame(struct tulip *t, const uint8_t *frame, unsigned len)
{
	uint32_t descs[TULIP_FRAME_DESC_MAX], last_status;
	unsigned n = 0, done = 0, flen;
	struct tulip_desc d;
	bool passed;

	if (len < 14 || len > TULIP_RX_FRAME_MAX - TULIP_FCS_LEN)
		return -EINVAL;
	if (t->rs == RS_STOPPED || t->bus_dead || !t->link_up) {
		t->cnt.rx_stopped++;
		return -ENETDOWN;
	}
	passed = tulip_filter_accept(&t->filter, t->csr6, frame);
	if (!passed && !(t->csr6 & CSR6_RA)) {
		t->cnt.rx_filtered++;
		return -ENOENT;
	}
	flen = rx_prepare(t, frame, len);
	if (t->rs == RS_SUSPENDED) {
		tulip_rx_poll(t);
		if (t->rs != RS_WAIT) {
			if (!t->bus_dead)
				rx_missed(t);
			return t->bus_dead ? -EIO : -ENOBUFS;
		}
	}
	while (done < flen) {
		uint32_t addr = t->rx_cur;
		unsigned c1, c2;

		if (n == TULIP_FRAME_DESC_MAX) {
			tulip_fatal_bus_error(t, CSR5_EB_MASTER_ABORT,
					      "receive frame spans too many "
					      "descriptors", addr);
			return -EIO;
		}
		if (!desc_fetch(t, addr, &d))
			return -EIO;
		if (!(d.des0 & TULIP_DES0_OWN))
			break;
		c1 = bs1(&d) < flen - done ? bs1(&d) : flen - done;
		if (!rx_scatter(t, d.buf1, t->rxbuf + done, c1))
			return -EIO;
		done += c1;
		c2 = bs2(&d, RDES1_RCH);
		c2 = c2 < flen - done ? c2 : flen - done;
		if (!rx_scatter(t, d.buf2, t->rxbuf + done, c2))
			return -EIO;
		done += c2;
		descs[n++] = addr;
		t->rx_cur = desc_next(t, addr, &d, t->csr3, RDES1_RER,
				      RDES1_RCH);
	}
	if (done < flen) {
		/* The next descriptor is the host's. */
		t->rs = RS_SUSPENDED;
		if (n == 0) {
			rx_missed(t);
			tulip_status_set(t, CSR5_RU);
			return -ENOBUFS;
		}
		/* Truncated: the last one we had says so (RDES0 DE). */
		t->cnt.rx_truncated++;
		last_status = RDES0_LS | RDES0_DE | RDES0_ES |
			      (done & RDES0_FL_MASK) << RDES0_FL_SHIFT;
	} else {
		t->rs = RS_WAIT;
		last_status = rx_status(t->rxbuf, flen, passed);
	}
	while (n-- > 0) {
		uint32_t st = n == 0 ? RDES0_FS : 0;

		if (last_status) {
			st |= last_status;
			last_status = 0;
		}
		desc_close(t, descs[n], st);
	}
	if (t->rs == RS_SUSPENDED) {
		tulip_status_set(t, CSR5_RI | CSR5_RU);
		return -ENOBUFS;
	}
	t->cnt.rx_frames++;
	t->cnt.rx_bytes += len;
	tulip_status_set(t, CSR5_RI);
	return 0;
}
