// SPDX-License-Identifier: MIT
/*
 * The 82576 VF's data path: advanced descriptors in our RAM, queue
 * registers in BAR0's shared pages (sriov/igbvf_regs.h), so nothing here
 * traps but the doorbell of an idle VF.
 *
 * RX: one buffer per descriptor (SRRCTL one-buffer, 2 KiB), a packet
 * buffer posted as is and handed to the caller when its write-back comes
 * (zero copy: a fresh buffer takes its slot). RDT once per burst. At most
 * size - 1 descriptors are posted, since RDH == RDT means empty to the
 * NIC (igbvf_desc_unused).
 *
 * TX: one advanced data descriptor per frame (DEXT, DTYP data, EOP,
 * IFCS), RS on the last of each burst and at least every
 * IGBVF_TX_RS_EVERY, so the NIC writes DD back once per group and the
 * reclaim reads one descriptor per group (rs_at remembers where each
 * group's RS is). TDT once per burst, then the doorbell protocol of
 * sriov/README.md ("Waking an idle VF"): a full barrier, a look at
 * IGBVF_POLL, and EICS <- 0 only if the model has stopped polling us
 * and we have not rung since it stopped.
 *
 * Every value the NIC writes is read once and checked before use: DD and
 * EOP, the error bit, the length against the frame size we allowed. A
 * write-back is only looked for in a slot we posted.
 */
#include <stddef.h>

#include "drivers/igbvf_priv.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/string.h"

/* Orders the tail store before the load of IGBVF_POLL (x86 may let a
 * load pass an earlier store: the model would miss our tail while we
 * miss its flag going to 0). */
static inline void igbvf_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* A ring of @bytes, 128-byte aligned, behind a guard (igbvf_priv.h). */
static void *igbvf_ring_mem(size_t bytes)
{
	uint8_t *p = alloc_aligned(bytes + IGBVF_RING_GUARD, IGBVF_RING_ALIGN);

	return p ? p + IGBVF_RING_GUARD : NULL;
}

int igbvf_rings_alloc(struct igbvf *v, unsigned int rx, unsigned int tx)
{
	struct igbvf_rxq *r = &v->rx;
	struct igbvf_txq *t = &v->tx;

	r->size = igbvf_ring_round(rx, IGBVF_RING_DEF);
	t->size = igbvf_ring_round(tx, IGBVF_RING_DEF);
	r->mask = r->size - 1;
	t->mask = t->size - 1;
	r->desc = igbvf_ring_mem(r->size * sizeof(union igbvf_rx_desc));
	t->desc = igbvf_ring_mem(t->size * sizeof(struct igbvf_tx_desc));
	r->pkt = alloc_zeroed(r->size * sizeof(struct pkt *));
	t->pkt = alloc_zeroed(t->size * sizeof(struct pkt *));
	t->rs_at = alloc_zeroed(t->size * sizeof(uint32_t));
	if (!r->desc || !t->desc || !r->pkt || !t->pkt || !t->rs_at)
		return -ENOMEM;
	return 0;
}

/* True if a 2 KiB receive buffer at @gpa stays off both rings. */
static bool igbvf_rx_buf_ok(const struct igbvf *v, uint64_t gpa)
{
	uint64_t rb = pkt_phys((const void *)v->rx.desc);
	uint64_t tb = pkt_phys((const void *)v->tx.desc);
	uint64_t rl = (uint64_t)v->rx.size * sizeof(union igbvf_rx_desc);
	uint64_t tl = (uint64_t)v->tx.size * sizeof(struct igbvf_tx_desc);
	uint64_t end = gpa + IGBVF_RX_BUF_LEN;

	return (end <= rb || gpa >= rb + rl) && (end <= tb || gpa >= tb + tl);
}

/* Post buffers in every free slot we can fill; RDT once. */
static void igbvf_rx_refill(struct igbvf *v)
{
	struct igbvf_rxq *r = &v->rx;
	uint32_t posted = 0;

	while (r->tail - r->next < r->size - 1) {
		uint32_t slot = r->tail & r->mask;
		volatile union igbvf_rx_desc *d = &r->desc[slot];
		struct pkt *p = r->pkt[slot];

		if (!p) {
			p = pkt_alloc();
			if (!p) {
				v->nd.st.rx_nobuf++;
				break;
			}
			if (!igbvf_rx_buf_ok(v, pkt_phys(p->data))) {
				/* kept off the NIC for good: not freed */
				v->st.rx_buf_unsafe++;
				continue;
			}
			r->pkt[slot] = p;
		}
		/* hdr_addr 0 also clears the old write-back's DD */
		d->read.pkt_addr = pkt_phys(p->data);
		d->read.hdr_addr = 0;
		r->tail++;
		posted++;
	}
	if (!posted)
		return;
	cpu_barrier();		/* the descriptors before the tail */
	v->sh->rxq[0].rdt = r->tail & r->mask;
}

/* Drop what a reset took from the NIC: TX buffers in flight. */
static void igbvf_tx_drop_all(struct igbvf *v)
{
	struct igbvf_txq *t = &v->tx;

	for (; t->clean != t->prod; t->clean++) {
		struct pkt **slot = &t->pkt[t->clean & t->mask];

		if (*slot) {
			pkt_free(*slot);
			*slot = NULL;
			v->nd.st.tx_errors++;
		}
	}
}

void igbvf_rings_start(struct igbvf *v)
{
	volatile struct igbvf_txq_regs *tr = &v->sh->txq[0];
	volatile struct igbvf_rxq_regs *rr = &v->sh->rxq[0];
	uint64_t tb = pkt_phys((const void *)v->tx.desc);
	uint64_t rb = pkt_phys((const void *)v->rx.desc);

	igbvf_tx_drop_all(v);
	v->tx.prod = v->tx.clean = v->tx.wd_clean = 0;
	v->tx.rang_for = IGBVF_RANG_NONE;
	v->rx.next = v->rx.tail = 0;
	v->rx.discard = false;
	/* The NIC is reset: nothing reads the rings now. RX buffers stay
	 * in their slots and are posted again below. */
	memset((void *)v->tx.desc, 0, v->tx.size * sizeof(*v->tx.desc));
	memset((void *)v->rx.desc, 0, v->rx.size * sizeof(*v->rx.desc));

	/*
	 * igbvf_configure_tx: queue off, base, length, head and tail 0,
	 * no head write-back, then ENABLE - the model, like the datasheet,
	 * takes base, length and head when ENABLE rises.
	 */
	tr->txdctl = 0;
	tr->tdlen = v->tx.size * (uint32_t)sizeof(struct igbvf_tx_desc);
	tr->tdbal = (uint32_t)tb;
	tr->tdbah = (uint32_t)(tb >> 32);
	tr->tdh = 0;
	tr->tdt = 0;
	tr->tdwbal = 0;
	tr->tdwbah = 0;
	cpu_barrier();
	tr->txdctl = IGBVF_TXDCTL_ENABLE;

	/* igbvf_setup_srrctl and igbvf_configure_rx, then the buffers. */
	rr->rxdctl = 0;
	rr->rdbal = (uint32_t)rb;
	rr->rdbah = (uint32_t)(rb >> 32);
	rr->rdlen = v->rx.size * (uint32_t)sizeof(union igbvf_rx_desc);
	rr->srrctl = igbvf_srrctl();
	rr->rdh = 0;
	rr->rdt = 0;
	cpu_barrier();
	rr->rxdctl = IGBVF_RXDCTL_ENABLE;
	igbvf_rx_refill(v);
}

uint32_t igbvf_tx_reclaim(struct igbvf *v)
{
	struct igbvf_txq *t = &v->tx;
	uint32_t n = 0;

	while (t->clean != t->prod) {
		/* rs_at is ours (RAM the NIC never sees); only DD is the
		 * NIC's, read from a descriptor we posted with RS. */
		uint32_t rs = t->rs_at[t->clean & t->mask];

		if (rs - t->clean >= t->prod - t->clean)
			break;		/* cannot be: a bookkeeping bug */
		if (!(t->desc[rs & t->mask].olinfo_status & IGBVF_TXD_STAT_DD))
			break;
		cpu_barrier();
		do {
			struct pkt **slot = &t->pkt[t->clean & t->mask];

			if (*slot)
				pkt_free(*slot);
			*slot = NULL;
			n++;
		} while (t->clean++ != rs);
	}
	return n;
}

/*
 * Tell the NIC about the burst: the tail, and the doorbell if needed.
 * IGBVF_POLL is odd while the model polls us, and a new even value each
 * time it stops (igbvf_regs.h): one doorbell per stop wakes it, and it
 * reads the tail after it wakes, so the posts until it polls again need
 * none. A busy host may leave the woken switch thread waiting for a CPU
 * for a while; ringing on every post meanwhile cost an exit each.
 */
static void igbvf_tx_kick(struct igbvf *v)
{
	uint32_t poll;

	cpu_barrier();		/* the descriptors before the tail */
	v->sh->txq[0].tdt = v->tx.prod & v->tx.mask;
	igbvf_mb();
	poll = v->sh->poll;
	if (poll & 1) {
		v->st.doorbells_saved++;
		return;
	}
	if (poll == v->tx.rang_for) {
		v->st.doorbells_pending++;
		return;
	}
	igbvf_reg_write(&v->bar, IGBVF_EICS, 0);
	v->tx.rang_for = poll;
	v->st.doorbells++;
}

/* Close a group at descriptor @last: RS there, found from @first. */
static void igbvf_tx_group(struct igbvf_txq *t, uint32_t first,
			   uint32_t last)
{
	t->desc[last & t->mask].cmd_type_len |= IGBVF_TXD_DCMD_RS;
	t->rs_at[first & t->mask] = last;
}

uint16_t igbvf_tx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct igbvf *v = igbvf_of(nd);
	struct igbvf_txq *t = &v->tx;
	uint32_t room, first, start, i;
	uint64_t bytes = 0;

	igbvf_service(v);
	if (!v->up)
		return 0;
	igbvf_tx_reclaim(v);
	room = igbvf_tx_room(t);
	if (n > room) {
		nd->st.tx_full++;
		n = (uint16_t)room;
	}
	first = start = t->prod;
	for (i = 0; i < n; i++) {
		struct pkt *p = pkts[i];
		volatile struct igbvf_tx_desc *d;
		uint16_t len = p->len;

		/* A frame longer than SET_LPE allowed would put the VF into
		 * its error state: taken and dropped, as a NIC drops a
		 * giant. */
		if (len < ETH_HLEN || len > v->max_frame) {
			nd->st.tx_errors++;
			v->st.tx_bad_len++;
			pkt_free(p);
			continue;
		}
		if (len < ETH_ZLEN) {
			memset(p->data + len, 0, ETH_ZLEN - len);
			len = ETH_ZLEN;
		}
		t->pkt[t->prod & t->mask] = p;
		d = &t->desc[t->prod & t->mask];
		d->buffer_addr = pkt_phys(p->data);
		d->olinfo_status = igbvf_tx_olinfo(len);
		d->cmd_type_len = igbvf_tx_cmd(len);
		t->prod++;
		bytes += len;
		if (t->prod - first == IGBVF_TX_RS_EVERY) {
			igbvf_tx_group(t, first, t->prod - 1);
			first = t->prod;
		}
	}
	if (t->prod != first)
		igbvf_tx_group(t, first, t->prod - 1);
	nd->st.tx_packets += t->prod - start;
	nd->st.tx_bytes += bytes;
	if (t->prod != start)
		igbvf_tx_kick(v);
	return n;
}

uint16_t igbvf_rx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct igbvf *v = igbvf_of(nd);
	struct igbvf_rxq *r = &v->rx;
	uint64_t now = 0;
	uint32_t seen = 0;
	uint16_t got = 0;

	igbvf_service(v);
	if (!v->up)
		return 0;
	while (got < n && r->next != r->tail) {
		uint32_t slot = r->next & r->mask;
		volatile union igbvf_rx_desc *d = &r->desc[slot];
		uint32_t st = d->wb.status_error;
		struct pkt *p;
		uint16_t len;

		if (!(st & IGBVF_RXD_STAT_DD))
			break;
		cpu_barrier();	/* DD before the rest (x86 keeps loads in
				 * order; the compiler must too) */
		len = d->wb.length;
		p = r->pkt[slot];
		r->next++;
		seen++;
		if (r->discard) {
			/* the rest of a frame that did not fit a buffer */
			r->discard = !(st & IGBVF_RXD_STAT_EOP);
			continue;
		}
		switch (igbvf_rx_check(st, len, v->max_frame)) {
		case IGBVF_RX_PART:
			r->discard = true;
			v->st.rx_multi++;
			nd->st.rx_errors++;
			continue;
		case IGBVF_RX_BAD:
			v->st.rx_bad_wb++;
			nd->st.rx_errors++;
			continue;	/* the buffer stays in its slot */
		default:
			break;
		}
		if (st & IGBVF_RXD_STAT_VP)
			v->st.rx_vlan++;
		r->pkt[slot] = NULL;	/* now the caller's */
		pkts[got++] = netdev_rx_take(nd, p, len, &now);
	}
	nd->st.rx_packets += got;
	if (seen)
		igbvf_rx_refill(v);
	return got;
}

int igbvf_ready(struct netdev *nd)
{
	struct igbvf *v = igbvf_of(nd);
	struct igbvf_rxq *r = &v->rx;
	int ev = 0;

	igbvf_service(v);
	if (r->next != r->tail &&
	    (r->desc[r->next & r->mask].wb.status_error & IGBVF_RXD_STAT_DD))
		ev |= NETDEV_EV_RX;
	if (igbvf_tx_reclaim(v))
		ev |= NETDEV_EV_TX;
	return ev;
}
