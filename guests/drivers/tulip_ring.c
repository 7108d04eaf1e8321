// SPDX-License-Identifier: MIT
/*
 * The 21140A data path: receive and transmit descriptor lists in guest
 * RAM (21140A manual chapter 4), ring mode (end-of-ring bits, skip length
 * 0) or chain mode (second address = next descriptor, behind desc=chain).
 *
 * Exits are what costs here, so: ownership and completion are read from
 * the descriptors (RAM, free), never from CSR5; tx_burst writes CSR1 (TX
 * poll demand) at most once per burst, and less with TAP (see "Kicks"
 * below); the receive side needs no CSR access at all
 * - a receive process that ran out of descriptors re-reads the current
 * one when the next frame arrives (4.3.3, "receive process suspended"),
 * so returning a descriptor needs no CSR2 poll demand. With interrupts
 * (irq and adaptive modes) a sleep after an interrupt costs one CSR5 write
 * to re-arm it (tulip_arm); a busy driver writes nothing.
 *
 * RX copies each frame out of the slot's fixed buffer into a fresh pkt
 * and returns the descriptor by writing RDES0 alone. Swapping in a new
 * buffer address instead (rx_zc=1) is only safe when the chip writes back
 * RDES0 alone, as the 21140A does: QEMU's model writes all four longwords,
 * status first, from another thread, so its late write of the old RDES2
 * can land after ours and leave two descriptors on one buffer (seen as
 * duplicated frames at ~65 kpps). A 1.5 KB copy costs far less than one
 * exit.
 */
#include <stddef.h>

#include "drivers/tulip_priv.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/string.h"

#define ETH_ZLEN	60	/* shortest frame without FCS */

/*
 * Kicks. With CSR0 TAP set (tulip.c) the chip looks at a suspended
 * transmit list every 200 us by itself (3.2.2.1), so a CSR1 write - a VM
 * exit, 15-70 us of CPU here - only buys latency. A burst kicks when the
 * last kick is at least this long ago (a stream costs at most one exit
 * per gap), and otherwise waits for the chip's own poll. A burst of one
 * frame always kicks: that is a request, a reply or an app's last word
 * (pktgen's FIN frames, sent just before the VM ends, when no poll would
 * come in time), and at low rates every burst is one frame anyway.
 *
 * Not every chip polls: QEMU's 21143 ignores TAP. Until the chip has
 * been seen taking frames no kick covered (tap_seen), the driver kicks
 * before it sleeps with frames still the chip's; and frames the chip has
 * left alone for a whole gap are kicked from ready(), so a driver that
 * spins without sleeping never strands them either.
 */
#define TULIP_KICK_GAP_US	1000

static uint32_t tulip_ring_round(unsigned int want, unsigned int def)
{
	uint32_t n = 4;

	if (want == 0)
		want = def;
	while (n < want && n < TULIP_RING_MAX)
		n <<= 1;
	return n;
}

/* des1 bits that stay with a slot: end of ring, or the chain flag. */
static uint32_t tulip_des1_fixed(const struct tulip *t, uint32_t slot,
				 uint32_t size, uint32_t end_bit,
				 uint32_t chain_bit)
{
	if (t->chain)
		return chain_bit;
	return slot == size - 1 ? end_bit : 0;
}

int tulip_rings_alloc(struct tulip *t, unsigned int rx, unsigned int tx)
{
	uint32_t i;

	t->rx_size = tulip_ring_round(rx, TULIP_RX_RING_DEF);
	t->tx_size = tulip_ring_round(tx, TULIP_TX_RING_DEF);
	/* 32-bit descriptor and buffer addresses: the allocator hands out
	 * low RAM (the image sits at 1 MiB). */
	t->rx_ring = alloc_aligned(t->rx_size * sizeof(struct tulip_desc), 64);
	t->tx_ring = alloc_aligned(t->tx_size * sizeof(struct tulip_desc), 64);
	t->rx_pkt = alloc_zeroed(t->rx_size * sizeof(struct pkt *));
	t->tx_pkt = alloc_zeroed(t->tx_size * sizeof(struct pkt *));
	t->setup_buf = alloc_aligned(TULIP_SETUP_LEN, 64);
	if (!t->rx_ring || !t->tx_ring || !t->rx_pkt || !t->tx_pkt ||
	    !t->setup_buf || pkt_phys(t->tx_ring) >> 32)
		return -ENOMEM;

	for (i = 0; i < t->rx_size; i++) {
		struct tulip_desc *d = &t->rx_ring[i];
		struct pkt *p = pkt_alloc();

		if (!p)
			return -ENOMEM;
		t->rx_pkt[i] = p;
		d->buf1 = (uint32_t)pkt_phys(p->data);
		d->buf2 = t->chain ? (uint32_t)pkt_phys(&t->rx_ring[(i + 1) &
						       (t->rx_size - 1)]) : 0;
		d->des1 = TULIP_RX_BUF_LEN |
			  tulip_des1_fixed(t, i, t->rx_size, RDES1_RER,
					   RDES1_RCH);
		d->des0 = TULIP_DES0_OWN;
	}
	for (i = 0; i < t->tx_size; i++) {
		struct tulip_desc *d = &t->tx_ring[i];

		d->buf2 = t->chain ? (uint32_t)pkt_phys(&t->tx_ring[(i + 1) &
						       (t->tx_size - 1)]) : 0;
		d->des1 = tulip_des1_fixed(t, i, t->tx_size, TDES1_TER,
					   TDES1_TCH);
		d->des0 = 0;
	}
	t->rx_head = t->tx_prod = t->tx_clean = 0;
	return 0;
}

/* One slot on the TX ring: buffer, control, then ownership last. */
static void tulip_tx_post(struct tulip *t, uint32_t slot, uint32_t buf,
			  uint32_t ctl)
{
	struct tulip_desc *d = &t->tx_ring[slot];

	d->buf1 = buf;
	d->des1 = ctl | tulip_des1_fixed(t, slot, t->tx_size, TDES1_TER,
					 TDES1_TCH);
	/* the chip may read the descriptor the moment OWN is set: x86
	 * keeps stores in order, so only the compiler must not reorder */
	cpu_barrier();
	d->des0 = TULIP_DES0_OWN;
}

void tulip_setup_frame_queue(struct tulip *t)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint32_t *w = (uint32_t *)t->setup_buf;
	uint32_t slot = t->tx_prod & (t->tx_size - 1);
	unsigned int e, k;

	/* Perfect filtering (4.2.3.1): entry 0 our address, the other 15
	 * broadcast (unused entries must hold some address we accept).
	 * Each longword carries 16 address bits in its low half; Linux
	 * repeats them in the high half, which the chip ignores. */
	for (e = 0; e < TULIP_SETUP_ENTRIES; e++) {
		const uint8_t *a = e == 0 ? t->nd.mac : bcast;

		for (k = 0; k < 3; k++) {
			uint32_t half = (uint32_t)a[2 * k] | a[2 * k + 1] << 8;

			w[e * 3 + k] = half | half << 16;
		}
	}
	t->tx_pkt[slot] = NULL;
	tulip_tx_post(t, slot, (uint32_t)pkt_phys(t->setup_buf),
		      TDES1_SET | TULIP_SETUP_LEN);
	t->tx_prod++;
}

/* Frees what the chip has finished sending; returns how many. */
static uint32_t tulip_tx_reclaim(struct tulip *t)
{
	uint32_t n = 0, mask = t->tx_size - 1;

	while (t->tx_clean != t->tx_prod) {
		uint32_t slot = t->tx_clean & mask;
		uint32_t st = t->tx_ring[slot].des0;
		struct pkt *p;

		if (st & TULIP_DES0_OWN)
			break;
		/* Taken without a poll demand covering it: the chip polls. */
		if ((int32_t)(t->tx_clean - t->kick_prod) >= 0)
			t->tap_seen = true;
		p = t->tx_pkt[slot];
		/* Setup frames have no buffer; QEMU's model writes their
		 * status as 0x7fffffff, so their error bits mean nothing. */
		if (p) {
			if (st & TDES0_ES)
				t->nd.st.tx_errors++;
			pkt_free(p);
			t->tx_pkt[slot] = NULL;
		}
		t->tx_clean++;
		n++;
	}
	return n;
}

static void tulip_tx_kick(struct tulip *t, uint64_t now)
{
	tulip_csr_write(t, 1, 0);
	t->kick_prod = t->tx_prod;
	t->kick_tsc = now;
	t->kicks++;
}

void tulip_tx_kick_init(struct tulip *t)
{
	t->kick_gap_tsc = clock_ns_to_tsc(TULIP_KICK_GAP_US * 1000ull);
	t->kick_prod = t->tx_prod;
	t->kick_tsc = t->post_tsc = clock_tsc();
	/* The setup frame went with the start of transmission (CSR6 ST),
	 * which says nothing about polling. */
	t->tap_seen = false;
}

/* Frames handed to the chip that it has not taken yet? */
static bool tulip_tx_pending(const struct tulip *t)
{
	return t->tx_clean != t->tx_prod &&
	       (t->tx_ring[t->tx_clean & (t->tx_size - 1)].des0 &
		TULIP_DES0_OWN);
}

bool tulip_tx_drain(struct tulip *t, uint64_t timeout_us)
{
	uint64_t end = clock_tsc() + clock_ns_to_tsc(timeout_us * 1000);

	while (t->tx_clean != t->tx_prod) {
		tulip_tx_reclaim(t);
		if (clock_tsc() > end)
			return false;
		cpu_relax();
	}
	return true;
}

uint16_t tulip_tx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct tulip *t = tulip_of(nd);
	uint32_t mask = t->tx_size - 1, room, inflight, i;
	uint64_t bytes = 0;

	tulip_tx_reclaim(t);
	room = t->tx_size - (t->tx_prod - t->tx_clean);
	if (n > room) {
		nd->st.tx_full++;
		n = (uint16_t)room;
	}
	if (n == 0)
		return 0;
	inflight = t->tx_prod - t->tx_clean + n;
	for (i = 0; i < n; i++) {
		struct pkt *p = pkts[i];
		uint32_t slot = (t->tx_prod + i) & mask, ctl;
		uint16_t len = p->len;

		/* The 21140 pads short frames itself (TDES1 DPD clear);
		 * QEMU's 21143 sends them as they are: pad here. */
		if (len < ETH_ZLEN) {
			memset(p->data + len, 0, ETH_ZLEN - len);
			len = ETH_ZLEN;
		}
		ctl = TDES1_FS | TDES1_LS | len;
		/* With interrupts ask for a TX interrupt only when the ring
		 * is filling up, i.e. when someone may soon wait for room;
		 * it comes only after wait() has cleared CSR5. */
		if (i == n - 1u && nd->mode != NETDEV_MODE_POLL &&
		    inflight >= t->tx_size / 2)
			ctl |= TDES1_IC;
		t->tx_pkt[slot] = p;
		tulip_tx_post(t, slot, (uint32_t)pkt_phys(p->data), ctl);
		bytes += len;
	}
	t->tx_prod += n;
	nd->st.tx_packets += n;
	nd->st.tx_bytes += bytes;
	/* At most one poll demand for the whole burst: a suspended
	 * transmit process re-reads the current descriptor (3.2.2.2). */
	t->post_tsc = clock_tsc();
	if (!t->tap || n == 1 || t->post_tsc - t->kick_tsc >= t->kick_gap_tsc)
		tulip_tx_kick(t, t->post_tsc);
	return n;
}

uint16_t tulip_rx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct tulip *t = tulip_of(nd);
	uint32_t mask = t->rx_size - 1;
	uint16_t got = 0;
	uint64_t now = 0;

	while (got < n) {
		uint32_t slot = t->rx_head & mask;
		struct tulip_desc *d = &t->rx_ring[slot];
		uint32_t st = d->des0, fl;
		struct pkt *p = t->rx_pkt[slot], *fresh = NULL;

		if (st & TULIP_DES0_OWN)
			break;
		/* read the status once, then the buffer: loads stay in
		 * order on x86, only the compiler must not hoist them */
		cpu_barrier();
		fl = (st >> RDES0_FL_SHIFT) & RDES0_FL_MASK;
		/* One buffer holds any frame we accept: a frame spread over
		 * descriptors (FS without LS) is an error here. */
		if ((st & (RDES0_ES | RDES0_FS | RDES0_LS)) !=
		    (RDES0_FS | RDES0_LS) || fl < 14 + 4 ||
		    fl - 4 > TULIP_RX_BUF_LEN)
			nd->st.rx_errors++;
		else if (!(fresh = pkt_alloc()))
			nd->st.rx_nobuf++;
		if (fresh) {
			uint16_t len = (uint16_t)(fl - 4); /* FL counts CRC */

			if (!now)
				now = clock_tsc();
			if (t->rx_zero_copy) {
				t->rx_pkt[slot] = fresh;
				d->buf1 = (uint32_t)pkt_phys(fresh->data);
			} else {
				pkt_copy(fresh->data, p->data, len);
				p = fresh;
			}
			p->len = len;
			p->rx_tsc = now;
			pkts[got++] = p;
			nd->st.rx_bytes += len;
		}
		cpu_barrier();
		d->des0 = TULIP_DES0_OWN;	/* back to the chip */
		t->rx_head++;
	}
	nd->st.rx_packets += got;
	return got;
}

int tulip_ready(struct netdev *nd)
{
	struct tulip *t = tulip_of(nd);
	int ev = 0;

	if (!(t->rx_ring[t->rx_head & (t->rx_size - 1)].des0 &
	      TULIP_DES0_OWN))
		ev |= NETDEV_EV_RX;
	if (tulip_tx_reclaim(t))
		ev |= NETDEV_EV_TX;
	/* Frames the chip left alone for a gap: it does not poll after all
	 * (or its poll is late): kick. */
	if (t->tap && tulip_tx_pending(t)) {
		uint64_t now = clock_tsc();

		if (now - t->post_tsc >= t->kick_gap_tsc &&
		    now - t->kick_tsc >= t->kick_gap_tsc)
			tulip_tx_kick(t, now);
	}
	return ev;
}

void tulip_arm(struct netdev *nd, int events)
{
	struct tulip *t = tulip_of(nd);

	/* CSR7 enables RI and TI for good: choosing per wait would cost an
	 * exit each time, and TI only comes from descriptors with TDES1 IC,
	 * set when the TX ring fills (tulip_tx_burst). */
	(void)events;
	/* About to sleep: frames nobody kicked wait for the chip's own poll,
	 * unless it has never shown it polls. */
	if (t->tap && !t->tap_seen && t->kick_prod != t->tx_prod &&
	    tulip_tx_pending(t))
		tulip_tx_kick(t, clock_tsc());
	if (t->irq_seen) {
		t->irq_seen = 0;
		t->need_ack = true;
	}
	/*
	 * The chip signals when (CSR5 & CSR7) becomes nonzero; while status
	 * from an earlier interrupt is still set no new one comes. So clear
	 * CSR5 (one exit) - only if an interrupt came since the last clear:
	 * no interrupt, no status bit set - and let the caller look at the
	 * rings again: whatever lands after the clear interrupts anew.
	 */
	if (t->need_ack) {
		tulip_csr_write(t, 5, CSR5_W1C_ALL);
		t->need_ack = false;
		t->acks++;
	}
}
