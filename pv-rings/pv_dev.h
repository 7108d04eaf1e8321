/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_PV_DEV_H
#define IOPATH_PV_DEV_H

/*
 * The VMM side of the pv NIC (pv_abi.h): a PCI function 6970:0001 with
 * the setup registers (BAR0, trapped), the notify page (BAR2, caught by
 * KVM ioeventfds with datamatch = port) and MSI-X (BAR4). It only sets up:
 * once the guest writes DRIVER_OK it checks the configuration, creates
 * one eventfd per event-channel port in use, and hands rings, event page
 * and eventfds to the backend in the switch through a struct pv_wire.
 * After that no packet passes through this process.
 *
 * Options (--device pvnet,... or through --nic pv): mac=02:.., queues=N
 * (1..ATTACH_PV_MAX_QUEUES), standby=1 (offer PV_F_STANDBY: this NIC is
 * the standby of a VF with the same MAC, so the VF VM can migrate).
 *
 * Migration (vdev_ops save/load): the registers, running and error
 * state travel; eventfds and the backend are made again on the
 * destination (pv_dev_reconnect).
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/attach_proto.h"

struct vdev;

extern const struct vdev_ops pvnet_ops;

/*
 * How the device reaches its backend. Both calls come from a vCPU thread
 * with the device's lock held and may block for a bounded time.
 */
struct pv_wire {
	void *opaque;
	/* Start the backend: 0 once it accepted, -errno otherwise (the
	 * switch's reason in @err). -ENOTCONN: no backend at all. */
	int (*config)(void *opaque, const struct attach_pv_config *cfg,
		      const int *fds, unsigned nfds, char *err,
		      size_t errlen);
	/* Stop the backend (the guest reset the device). */
	void (*reset)(void *opaque);
	/* The device is being destroyed: the wire's last call. */
	void (*close)(void *opaque);
};

/* Attach the backend wire (pv_port.c; before the guest runs). */
void pv_dev_set_wire(struct vdev *vd, const struct pv_wire *w);
/* Link status the guest reads in PV_REG_STATUS. Any thread. */
void pv_dev_set_link(struct vdev *vd, bool up);
/*
 * The backend stopped on its own (a bad guest request: PV_E_BAD_REQUEST
 * or PV_E_RING_OVERRUN) or went away (PV_E_BACKEND_GONE): the device
 * shows DEVICE_ERROR until the guest resets it. Any thread but a vCPU
 * inside a wire call.
 */
void pv_dev_backend_error(struct vdev *vd, uint32_t code);
void pv_dev_get_mac(struct vdev *vd, uint8_t mac[6]);
/* Built with standby=1: it offers PV_F_STANDBY (any thread). */
bool pv_dev_standby(struct vdev *vd);
/*
 * The port is attached again: after a migration (the device's state came
 * in the stream, or stayed on a source whose migration failed; vCPUs
 * paused) or after the switch came back (vCPUs running; the device lock
 * keeps the guest's register writes out meanwhile). If the guest had the
 * device running, make the event channels (eventfds, ioeventfds, irqfds)
 * and send the configuration to the backend once more, with the same
 * ring addresses: it carries on from the indices in guest memory, as
 * Xen's netfront does on reconnect.
 */
void pv_dev_reconnect(struct vdev *vd);
/* Counters as a JSON object (new reference). */
json_t *pv_dev_stats(struct vdev *vd);

#endif
