// SPDX-License-Identifier: MIT
/*
 * The pv NIC's data path (wire/pv_abi.h, wire/PV-RINGS.md): TX
 * and RX rings of 16-byte slots in our RAM; we produce requests and
 * consume responses, the backend in the switch does the opposite.
 *
 * Indices are free-running 32-bit counters, masked once per slot access.
 * Request ids name the buffer behind a request (a stack of free ids), so
 * responses may come back in any order. Whatever the backend writes is
 * read once into locals and checked before use: an id out of range or not
 * in flight, or a response index beyond what we requested, is counted
 * and skipped, never followed.
 *
 * Notifications, both ways, are decided by pv_need_notify() on the other
 * side's *_event index. To the backend: a 32-bit write of the port number
 * to the notify register, which KVM turns into an eventfd signal (an
 * in-kernel exit, ~3.5 us, no userspace exit), only when req_event says
 * the backend sleeps. From the backend: only while we sleep in wait() (irq
 * and adaptive modes) - pvnet_arm sets rsp_event on the rings waited for
 * and unmasks their ports just before sleeping, pvnet_disarm masks them
 * again once awake, so a busy driver takes no interrupts at all.
 */
#include <stddef.h>

#include "drivers/pvnet_priv.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/string.h"

#define ETH_ZLEN	60	/* shortest frame without FCS */
#define PVNET_RX_BUF	(PKT_DATA_MAX < PV_BUF_MAX ? PKT_DATA_MAX : PV_BUF_MAX)

/* Orders our index store before the load of the peer's *_event (x86 may
 * otherwise let the load pass the store: a lost wake-up). */
static inline void pvnet_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static int pvnet_ring_init(struct pvnet_ring *r, uint32_t size,
			   uint32_t port)
{
	uint8_t *page = alloc_aligned(PV_RING_BYTES(size), 4096);
	uint32_t i;

	r->pkt = alloc_zeroed(size * sizeof(struct pkt *));
	r->free_ids = alloc_zeroed(size * sizeof(uint16_t));
	if (!page || !r->pkt || !r->free_ids)
		return -ENOMEM;
	r->hdr = (volatile struct pv_ring_hdr *)page;
	r->slots = page + sizeof(struct pv_ring_hdr);
	/* ids handed out from the top of the stack: 0 first */
	for (i = 0; i < size; i++)
		r->free_ids[i] = (uint16_t)(size - 1 - i);
	r->nfree = size;
	r->req_prod = r->rsp_cons = 0;
	r->port = port;
	return 0;
}

int pvnet_rings_alloc(struct pvnet *v, unsigned int size)
{
	int r;

	v->size = size;
	v->mask = size - 1;
	r = pvnet_ring_init(&v->tx, size, PVNET_TX_PORT);
	if (!r)
		r = pvnet_ring_init(&v->rx, size, PVNET_RX_PORT);
	return r;
}

/* Publish the requests written so far; kick the backend if it asked. */
static void pvnet_push(struct pvnet *v, struct pvnet_ring *r)
{
	uint32_t old = r->hdr->req_prod, new_ = r->req_prod;

	if (old == new_)
		return;
	cpu_barrier();		/* release: the slots before the index */
	r->hdr->req_prod = new_;
	pvnet_mb();		/* the index before reading req_event */
	if (!v->event_idx || pv_need_notify(r->hdr->req_event, old, new_)) {
		*v->notify = r->port;
		v->notifies++;
	} else {
		v->notifies_saved++;
	}
}

/*
 * The backend's response producer, or the consumer (no news) when it
 * claims more responses than we have requests out: a broken backend.
 */
static uint32_t pvnet_rsp_prod(struct pvnet *v, struct pvnet_ring *r)
{
	uint32_t prod = r->hdr->rsp_prod;

	cpu_barrier();		/* acquire: the index before the slots */
	if ((uint32_t)(prod - r->rsp_cons) >
	    (uint32_t)(r->req_prod - r->rsp_cons)) {
		v->bad_rsp++;
		return r->rsp_cons;
	}
	return prod;
}

/* The buffer behind response id @id, or NULL if @id is not in flight. */
static struct pkt *pvnet_take_id(struct pvnet *v, struct pvnet_ring *r,
				 uint16_t id)
{
	if (id >= v->size || !r->pkt[id]) {
		v->bad_rsp++;
		return NULL;
	}
	return r->pkt[id];
}

/* Frees what the backend has sent; returns how many responses. */
static uint32_t pvnet_tx_reclaim(struct pvnet *v)
{
	struct pvnet_ring *r = &v->tx;
	volatile union pv_tx_slot *slots = r->slots;
	uint32_t prod = pvnet_rsp_prod(v, r), n = 0;

	while (r->rsp_cons != prod) {
		volatile struct pv_tx_rsp *s = &slots[r->rsp_cons & v->mask].rsp;
		uint16_t id = s->id;
		int16_t status = s->status;
		struct pkt *p = pvnet_take_id(v, r, id);

		r->rsp_cons++;
		n++;
		if (!p)
			continue;
		if (status != PV_RSP_OKAY)
			v->nd.st.tx_errors++;
		pkt_free(p);
		r->pkt[id] = NULL;
		r->free_ids[r->nfree++] = id;
	}
	return n;
}

uint16_t pvnet_tx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct pvnet *v = pvnet_of(nd);
	struct pvnet_ring *r = &v->tx;
	volatile union pv_tx_slot *slots = r->slots;
	uint32_t room, i;
	uint64_t bytes = 0;

	pvnet_tx_reclaim(v);
	room = v->size - (r->req_prod - r->rsp_cons);
	if (room > r->nfree)
		room = r->nfree;
	if (n > room) {
		nd->st.tx_full++;
		n = (uint16_t)room;
	}
	for (i = 0; i < n; i++) {
		struct pkt *p = pkts[i];
		volatile struct pv_tx_req *s;
		uint16_t len = p->len, id;

		if (len > PV_FRAME_MAX || len < 14) {
			/* taken and dropped, as a NIC drops a giant */
			nd->st.tx_errors++;
			pkt_free(p);
			continue;
		}
		if (len < ETH_ZLEN) {
			memset(p->data + len, 0, ETH_ZLEN - len);
			len = ETH_ZLEN;
		}
		id = r->free_ids[--r->nfree];
		r->pkt[id] = p;
		s = &slots[r->req_prod & v->mask].req;
		s->gpa = pkt_phys(p->data);
		s->len = len;
		s->flags = 0;
		s->id = id;
		s->reserved = 0;
		r->req_prod++;
		bytes += len;
		nd->st.tx_packets++;
	}
	nd->st.tx_bytes += bytes;
	pvnet_push(v, r);	/* one decision, at most one notify, per burst */
	return n;
}

void pvnet_rx_refill(struct pvnet *v)
{
	struct pvnet_ring *r = &v->rx;
	volatile union pv_rx_slot *slots = r->slots;

	while (r->nfree && r->req_prod - r->rsp_cons < v->size) {
		uint16_t id = r->free_ids[r->nfree - 1];
		volatile struct pv_rx_req *s;
		struct pkt *p = r->pkt[id];

		if (!p) {
			p = pkt_alloc();
			if (!p) {
				v->nd.st.rx_nobuf++;
				break;
			}
			r->pkt[id] = p;
		}
		r->nfree--;
		s = &slots[r->req_prod & v->mask].req;
		s->gpa = pkt_phys(p->data);
		s->len = PVNET_RX_BUF;
		s->flags = 0;
		s->id = id;
		s->reserved = 0;
		r->req_prod++;
	}
	pvnet_push(v, r);
}

uint16_t pvnet_rx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct pvnet *v = pvnet_of(nd);
	struct pvnet_ring *r = &v->rx;
	volatile union pv_rx_slot *slots = r->slots;
	uint32_t prod = pvnet_rsp_prod(v, r), seen = 0;
	uint64_t now = 0;
	uint16_t got = 0;

	while (got < n && r->rsp_cons != prod) {
		volatile struct pv_rx_rsp *s = &slots[r->rsp_cons & v->mask].rsp;
		uint16_t id = s->id, len = s->len;
		int16_t status = s->status;
		struct pkt *p = pvnet_take_id(v, r, id);

		r->rsp_cons++;
		seen++;
		if (!p)
			continue;
		r->free_ids[r->nfree++] = id;
		if (status != PV_RSP_OKAY || len < 14 || len > PVNET_RX_BUF) {
			/* the buffer stays with the id, posted again */
			nd->st.rx_errors++;
			continue;
		}
		r->pkt[id] = NULL;	/* now the caller's */
		pkts[got++] = netdev_rx_take(nd, p, len, &now);
	}
	nd->st.rx_packets += got;
	if (seen)
		pvnet_rx_refill(v);
	return got;
}

int pvnet_ready(struct netdev *nd)
{
	struct pvnet *v = pvnet_of(nd);
	int ev = 0;

	if (v->rx.hdr->rsp_prod != v->rx.rsp_cons)
		ev |= NETDEV_EV_RX;
	if (pvnet_tx_reclaim(v))
		ev |= NETDEV_EV_TX;
	return ev;
}

#define PVNET_PORT_BIT(p)	(1ull << (p))
#define PVNET_PORTS		(PVNET_PORT_BIT(PVNET_TX_PORT) | \
				 PVNET_PORT_BIT(PVNET_RX_PORT))

void pvnet_arm(struct netdev *nd, int events)
{
	struct pvnet *v = pvnet_of(nd);
	uint32_t inflight = v->tx.req_prod - v->tx.rsp_cons;
	uint64_t ports = 0;

	/* An interrupt at the next RX response... */
	if (events & NETDEV_EV_RX) {
		v->rx.hdr->rsp_event = v->rx.rsp_cons + 1;
		ports |= PVNET_PORT_BIT(PVNET_RX_PORT);
	}
	/* ...and, when waiting for TX room, once half of what is in flight
	 * has gone (virtio's "delayed" callback: one wake-up frees a batch,
	 * and the backend still has the other half to send meanwhile). */
	if ((events & NETDEV_EV_TX) && inflight) {
		v->tx.hdr->rsp_event = v->tx.rsp_cons +
				       (inflight > 1 ? inflight / 2 : 1);
		ports |= PVNET_PORT_BIT(PVNET_TX_PORT);
	}
	__atomic_and_fetch(&v->evt->mask, ~ports, __ATOMIC_SEQ_CST);
	/* Pending is only a record here (the backend signals on the mask
	 * alone); clear it so pending_seen counts events since the arm. */
	if (__atomic_exchange_n(&v->evt->pending, 0, __ATOMIC_SEQ_CST))
		v->pending_seen++;
	/* rsp_event and the mask before the caller's final look at the
	 * rings (wire/pv_abi.h, consumer order). */
	pvnet_mb();
}

void pvnet_disarm(struct netdev *nd)
{
	struct pvnet *v = pvnet_of(nd);

	/* Busy again: the backend may set pending, but sends nothing. */
	__atomic_or_fetch(&v->evt->mask, PVNET_PORTS, __ATOMIC_SEQ_CST);
	v->irq_seen = 0;
}
