/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_WIRE_PKTCHAN_H
#define IOPATH_WIRE_PKTCHAN_H

/*
 * The packet channel: how a VM's emulated NIC (and host-side test tools)
 * exchange frames with the switch. One memfd holds a header and two
 * single-producer/single-consumer rings of fixed-size frame slots:
 *
 *   "up" ring:   endpoint -> switch   (the endpoint produces)
 *   "down" ring: switch -> endpoint   (the switch produces)
 *
 * and two eventfds kick the other side: kick_switch (the endpoint writes)
 * and kick_endpoint (the switch writes). Indices are free-running 32-bit
 * counters, masked only when a slot is addressed. Notification suppression
 * works like Xen's netif req_event: a consumer about to sleep sets
 * `event = cons + 1` and re-checks; a producer publishing [old, new)
 * kicks only if event lies in (old, new]. So a busy consumer costs the
 * producer no syscalls.
 *
 * Both sides distrust each other: every index and length read from the
 * shared header is checked before use; a bad one marks the channel broken
 * (pktchan_broken()) and the owner drops the port.
 *
 * This header is also the layout ABI (wire/PROTOCOL.md).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKTCHAN_MAGIC		0x4e484350u	/* "PCHN" */
#define PKTCHAN_VERSION		1
#define PKTCHAN_SLOT_SIZE	2048		/* bytes per slot incl. header */
#define PKTCHAN_FRAME_MAX	(PKTCHAN_SLOT_SIZE - 16)
#define PKTCHAN_RING_MIN	64
#define PKTCHAN_RING_MAX	4096

/* Shared layout. Offsets are from the start of the memfd. */
struct pktchan_ring_shm {
	/* Producer's cache line. */
	uint32_t prod;		/* next slot the producer will fill */
	uint32_t prod_event;	/* producer wants a kick when cons passes */
	uint8_t pad0[56];
	/* Consumer's cache line. */
	uint32_t cons;		/* next slot the consumer will read */
	uint32_t cons_event;	/* consumer wants a kick when prod passes */
	uint8_t pad1[56];
};

struct pktchan_slot {
	uint32_t len;		/* frame bytes in data[] */
	uint32_t flags;		/* reserved, 0 */
	uint64_t tstamp;	/* producer's TSC or ns stamp, 0 if none */
	uint8_t data[PKTCHAN_FRAME_MAX];
};

struct pktchan_shm_hdr {
	uint32_t magic;		/* PKTCHAN_MAGIC */
	uint32_t version;	/* PKTCHAN_VERSION */
	uint32_t nslots;	/* slots per ring, power of two */
	uint32_t slot_size;	/* PKTCHAN_SLOT_SIZE */
	uint64_t up_ring_off;	/* struct pktchan_ring_shm of the up ring */
	uint64_t up_slots_off;	/* its slot array */
	uint64_t down_ring_off;
	uint64_t down_slots_off;
	uint64_t total_size;	/* bytes of the memfd */
	uint8_t pad[8];
};

_Static_assert(sizeof(struct pktchan_ring_shm) == 128, "ring ABI");
_Static_assert(sizeof(struct pktchan_slot) == PKTCHAN_SLOT_SIZE, "slot ABI");
_Static_assert(sizeof(struct pktchan_shm_hdr) == 64, "header ABI");

enum pktchan_side {
	PKTCHAN_SIDE_ENDPOINT,	/* produces up, consumes down */
	PKTCHAN_SIDE_SWITCH,	/* produces down, consumes up */
};

/* A process's handle on a channel (either side). */
struct pktchan;

/*
 * Endpoint side: create the memfd (@nslots per ring, power of two within
 * PKTCHAN_RING_MIN..MAX) and both eventfds. NULL with errno set.
 */
struct pktchan *pktchan_create(unsigned nslots);

/*
 * Switch side (or a second endpoint process): map a channel from fds
 * received over the attach socket. Checks size, magic, version and every
 * offset against the memfd's real size before trusting them; refuses a
 * memfd without F_SEAL_SHRINK (EPERM: the peer could truncate it under us)
 * and kick fds that are not eventfds. This side's indices resume from the
 * shared header (checked). Takes ownership of the fds on success. NULL
 * with errno set (EPROTO bad magic or indices, EPROTONOSUPPORT version,
 * EINVAL layout).
 */
struct pktchan *pktchan_open(int memfd, int kick_switch_fd,
			     int kick_endpoint_fd, enum pktchan_side side);

void pktchan_destroy(struct pktchan *ch);

/* fds to pass in an attach message (owned by the channel). */
int pktchan_memfd(const struct pktchan *ch);
int pktchan_kick_switch_fd(const struct pktchan *ch);
int pktchan_kick_endpoint_fd(const struct pktchan *ch);
/* The eventfd this side sleeps on (the other side kicks it). */
int pktchan_wait_fd(const struct pktchan *ch);

/*
 * Send up to @n frames (this side's producer ring). Each frame is copied
 * into a slot; frames over PKTCHAN_FRAME_MAX or of length 0 are refused
 * (counted, not sent). Kicks the peer if it asked to be. Returns the
 * number of frames consumed from the array (sent or refused); fewer than
 * @n means the ring is full.
 */
unsigned pktchan_send_burst(struct pktchan *ch, const void *const *frames,
			    const uint16_t *lens, unsigned n);

/*
 * Receive up to @n frames (this side's consumer ring) into caller buffers
 * of @buf_size bytes each; @lens gets each length. A slot whose length is
 * 0 or over PKTCHAN_FRAME_MAX breaks the channel. Returns the count.
 */
unsigned pktchan_recv_burst(struct pktchan *ch, void *const *bufs,
			    unsigned buf_size, uint16_t *lens, unsigned n);

/*
 * Frames longer than @buf_size are consumed and counted in rx_dropped
 * (pass PKTCHAN_FRAME_MAX to never drop).
 *
 * Zero-copy receive for the switch: each pktchan_peek() returns the next
 * frame not yet peeked, in place (pointer into shared memory; length read
 * once and validated). pktchan_release(n) gives back the first @n frames
 * peeked since the last release; frames peeked beyond @n stay in the ring
 * and the next peek returns them again. The peer can still rewrite the
 * bytes under the pointer: copy what you parse. Returns 0, -EAGAIN when
 * empty, -EPROTO when the channel is broken.
 */
int pktchan_peek(struct pktchan *ch, const void **frame, uint16_t *len);
void pktchan_release(struct pktchan *ch, unsigned n);

/*
 * Before sleeping on pktchan_wait_fd(): drain the eventfd, ask for a kick
 * on the next frame and re-check. Returns true if frames arrived
 * meanwhile, or if a send found the ring full and space has freed since
 * (the consumer kicks once half the ring is free), or if the channel is
 * broken: do not sleep then.
 */
bool pktchan_arm_wait(struct pktchan *ch);

/* Frames waiting in this side's consumer ring (0 if broken). */
unsigned pktchan_rx_pending(struct pktchan *ch);

/* Frames sent but not yet consumed by the peer (0 if broken). */
unsigned pktchan_tx_inflight(struct pktchan *ch);

/* True once the peer has written an impossible index or length. */
bool pktchan_broken(const struct pktchan *ch);

struct pktchan_stats {
	uint64_t tx_frames, tx_bytes, tx_full, tx_refused, kicks_sent;
	uint64_t rx_frames, rx_bytes, rx_dropped;
};
void pktchan_get_stats(const struct pktchan *ch, struct pktchan_stats *st);

#endif
