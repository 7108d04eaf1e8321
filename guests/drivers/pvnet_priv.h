/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_PVNET_PRIV_H
#define IOPATH_GUEST_DRIVERS_PVNET_PRIV_H

/* State shared by pvnet.c (bring-up) and pvnet_ring.c (data path). */
#include <stdbool.h>
#include <stdint.h>

#include "net/netdev.h"
#include "wire/pv_abi.h"
#include "rt/io.h"

#define PVNET_RING_DEF		256
#define PVNET_TX_PORT		0	/* event-channel ports of queue 0 */
#define PVNET_RX_PORT		1
#define PVNET_NO_ID		0xffffu

/* One ring as the driver sees it: header, slots, bookkeeping. */
struct pvnet_ring {
	volatile struct pv_ring_hdr *hdr;
	volatile void *slots;		/* union pv_tx_slot / pv_rx_slot */
	uint32_t req_prod;		/* private copy of what we published */
	uint32_t rsp_cons;		/* responses consumed */
	struct pkt **pkt;		/* buffer behind each request id */
	uint16_t *free_ids;		/* stack of ids not in flight */
	uint32_t nfree;
	uint32_t port;			/* event-channel port */
};

struct pvnet {
	struct netdev nd;
	volatile uint8_t *regs;		/* BAR0 */
	volatile uint32_t *notify;	/* BAR2 + PV_NOTIFY_OFF */
	volatile struct pv_evt_page *evt;
	uint32_t size, mask;
	bool event_idx;			/* PV_F_EVENT_IDX negotiated */
	bool standby;			/* PV_F_STANDBY negotiated */
	const char *standby_alone;	/* why no VF was teamed with it */
	struct pvnet_ring tx, rx;

	int vector;
	volatile uint32_t irq_seen;

	/* counters: register accesses are exits, notifies are not */
	uint64_t reg_reads, reg_writes;
	uint64_t notifies, notifies_saved;
	uint64_t pending_seen, bad_rsp;
};

static inline struct pvnet *pvnet_of(struct netdev *nd)
{
	return (struct pvnet *)nd;
}

static inline uint32_t pvnet_reg_read(struct pvnet *v, unsigned int off)
{
	v->reg_reads++;
	return mmio_read32(v->regs + off);
}

static inline void pvnet_reg_write(struct pvnet *v, unsigned int off,
				   uint32_t val)
{
	v->reg_writes++;
	mmio_write32(v->regs + off, val);
}

/* pvnet_ring.c */
int pvnet_rings_alloc(struct pvnet *v, unsigned int size);
/* Posts RX buffers until the ring is full (or the pool is empty). */
void pvnet_rx_refill(struct pvnet *v);
uint16_t pvnet_rx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n);
uint16_t pvnet_tx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n);
/* netdev_wait's callbacks (net/netdev_wait.c). */
int pvnet_ready(struct netdev *nd);
void pvnet_arm(struct netdev *nd, int events);
void pvnet_disarm(struct netdev *nd);

#endif
