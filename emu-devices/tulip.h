/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_TULIP_H
#define IOPATH_EMU_TULIP_H

/*
 * The DEC/Intel 21140A "Tulip" NIC model (emu path, DESIGN.md). A vdev
 * named "tulip" with options "mac=02:xx:xx:xx:xx:xx". What is on the
 * other end of its wire is plugged in afterwards with tulip_set_wire():
 * tulip_port.c attaches a switch port, unit tests a fake.
 *
 * Threads: CSR accesses come on vCPU threads, received frames and timers
 * on the event loop thread; one mutex per NIC orders them.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/vdev.h"

extern const struct vdev_ops tulip_ops;

/* The wire side of the NIC. */
struct tulip_wire {
	/*
	 * Take up to @n transmitted frames (no FCS: the chip's CRC is not
	 * carried). Return how many were taken; fewer than @n means the
	 * wire is full: the chip keeps the rest of its transmit list and
	 * retries on tulip_tx_resume(). Called with the NIC's lock held, on
	 * a vCPU thread or the event loop: must not call back into the NIC.
	 */
	unsigned (*tx_burst)(void *opaque, const void *const *frames,
			     const uint16_t *lens, unsigned n);
	/* The NIC is going away (vdev fini); drop every reference to it. */
	void (*close)(void *opaque);
	void *opaque;
};

/* Plug @wire in (copied), or unplug with NULL: frames are then dropped. */
void tulip_set_wire(struct vdev *vd, const struct tulip_wire *wire);

/*
 * Link state as the PHY reports it (BMSR link status, latched low; the
 * board's GP pin 7 when it is an input). Down: transmitted frames are
 * dropped with loss of carrier, nothing is received.
 */
void tulip_set_link(struct vdev *vd, bool up);

/* The MAC the NIC was built with (its SROM identity). */
void tulip_get_mac(struct vdev *vd, uint8_t mac[6]);

/*
 * Frames from the wire, as if received from the cable (no FCS; the chip
 * appends one). Returns how many of the @n were placed in the guest's
 * receive buffers; the others were filtered out, missed for lack of a
 * descriptor (CSR8) or dropped because the receiver is stopped. At most
 * one interrupt is raised for the burst.
 */
unsigned tulip_rx_burst(struct vdev *vd, const void *const *frames,
			const uint16_t *lens, unsigned n);
/*
 * One frame: 0 when placed in guest memory, -ENOENT when the address
 * filter refused it, -ENOBUFS when missed (no descriptor), -ENETDOWN when
 * the receiver is stopped or the link is down, -EINVAL for a bad length.
 */
int tulip_rx(struct vdev *vd, const void *frame, unsigned len);

/* The wire has room again: continue a transmit list it refused. */
void tulip_tx_resume(struct vdev *vd);

/*
 * Counters as JSON: CSR reads and writes per register (each one a VM
 * exit), frames, bytes, interrupts, errors, and the exits per frame they
 * imply. New reference.
 */
json_t *tulip_stats(struct vdev *vd);

#endif
