/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_NET_PKT_H
#define IOPATH_GUEST_NET_PKT_H

/*
 * Packet buffers, DPDK-style: fixed 2 KiB buffers from one pool, handed
 * between driver and app by pointer. RAM is identity-mapped, so a
 * buffer's address is also the guest-physical address a NIC DMAs to
 * (pkt_phys). rx_burst hands buffers to the caller, who frees them or
 * passes them to tx_burst; tx_burst takes ownership of what it accepts and
 * frees each buffer when the NIC is done with it.
 *
 * One CPU owns a pool (no locks): the apps are single-threaded.
 */
#include <stddef.h>
#include <stdint.h>

#define PKT_BUF_SIZE	2048		/* bytes per buffer, headroom included */
#define PKT_HEADROOM	64		/* data starts here: 64-byte aligned */
#define PKT_DATA_MAX	(PKT_BUF_SIZE - PKT_HEADROOM)
#define PKT_FRAME_MAX	1518		/* Ethernet, with FCS */
#define PKT_FRAME_MIN	64

struct pkt {
	uint8_t *data;		/* first byte of the frame (no FCS) */
	uint8_t *buf;		/* the buffer: PKT_BUF_SIZE bytes */
	uint16_t len;		/* frame length without FCS */
	uint16_t flags;
	uint32_t index;		/* slot in the pool */
	uint64_t rx_tsc;	/* when rx_burst handed it over */
	struct pkt *next;	/* free list */
};

/* Allocates count buffers. 0 or -ENOMEM. */
int pkt_pool_init(unsigned int count);
/* NULL when the pool is empty. data = PKT_HEADROOM, len = 0. */
struct pkt *pkt_alloc(void);
void pkt_free(struct pkt *p);
/* Frees n buffers. */
void pkt_free_bulk(struct pkt **p, unsigned int n);
unsigned int pkt_pool_avail(void);
unsigned int pkt_pool_size(void);

/* Frame copy: `rep movsb` is fast at CPL3 on CPUs with ERMSB, unlike the
 * runtime's byte-loop memcpy (fine for boot-time use only). */
static inline void pkt_copy(void *dst, const void *src, size_t n)
{
	__asm__ volatile("rep movsb"
			 : "+D"(dst), "+S"(src), "+c"(n)
			 :
			 : "memory");
}

static inline uint64_t pkt_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

#endif
