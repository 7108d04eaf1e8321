/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VF_DEV_H
#define IOPATH_SRIOV_VF_DEV_H

/*
 * The VMM side of the vf path: the PCI function of a VF of the SR-IOV
 * NIC the switch hosts (sriov/README.md), as a guest sees an 82576 VF:
 * 8086:10CA, BAR0 (16 KiB of registers, 64-bit) and BAR3 (MSI-X, 3
 * vectors, 64-bit). How BAR0 is served:
 *
 *  - 0x2000-0x3FFF, the queue registers (struct igbvf_shared), is a KVM
 *    memory slot backed by a memfd the switch maps too: tail writes
 *    cause no exit (core/pci_window.h);
 *  - EICS <- 0, the idle VF's doorbell, is a KVM ioeventfd with a
 *    data match on 0: an eventfd signal, no exit to userspace;
 *  - every other access to 0x0000-0x1FFF traps here and goes to the NIC
 *    model over the wire (set-up, interrupt handlers, the mailbox: not
 *    the per-packet path).
 *
 * The MSI-X vectors' irqfds go to the switch with the shared memfd and
 * the doorbell when the port attaches, vectors masked until the guest
 * enables them (the PCI layer keeps what arrives meanwhile pending).
 *
 * Options (--device igbvf,... or through --nic vf): mac=, vlan= (the
 * administrator's MAC and port VLAN for the VF), sriov=NAME (the NIC),
 * vf=N (which VF; default the first free one).
 *
 * Migration (the standby design): the VF is unplugged before pre-copy
 * (its port detached: no DMA into guest RAM meanwhile, link down, the
 * mailbox vector raised) and the guest's next STATUS read acknowledges
 * it; save/load carry the MAC, that it was unplugged, and the shared
 * pages; the destination's port binds a fresh VF at resume.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sriov/igbvf_regs.h"

struct vdev;

extern const struct vdev_ops igbvf_ops;

/*
 * How the function reaches the NIC model. Calls come from a vCPU thread
 * with the device's lock held and may block for a bounded time.
 */
struct vf_wire {
	void *opaque;
	/*
	 * A trapped access to BAR0 @off (< 0x2000) of @size bytes: 0 and,
	 * for a read, the value in *@val; -ENOTCONN without a switch; other
	 * -errno when the switch did not answer.
	 */
	int (*reg)(void *opaque, uint32_t off, unsigned size, bool write,
		   uint32_t *val);
	/* Function level reset (the VM was reset). */
	void (*flr)(void *opaque);
	/* The device is being destroyed: the wire's last call. */
	void (*close)(void *opaque);
};

/* What the attach needs from the device (the --nic options it took). */
struct vf_dev_attach {
	char sriov[32];		/* the NIC, "" for the switch's first */
	uint16_t vf;		/* ATTACH_VF_ANY unless vf= */
	bool mac_given;		/* mac= was the administrator's */
	bool vlan_given;
	uint16_t vlan;
};

void vf_dev_set_wire(struct vdev *vd, const struct vf_wire *w);
void vf_dev_get_attach(struct vdev *vd, struct vf_dev_attach *a);
/*
 * The fds the ATTACH carries after the RAM's, appended at fds[*nfds]:
 * the shared pages' memfd, the doorbell eventfd, the irqfds of vectors
 * 0..2. They stay the device's. 0 or -errno (-E2BIG: no room).
 */
int vf_dev_attach_fds(struct vdev *vd, int *fds, unsigned *nfds,
		      unsigned max);
/*
 * The eventfds KVM signals when the guest writes 1 << n to EIMS (vector
 * n re-enabled), for VF_UNMASK; they stay the device's.
 */
void vf_dev_unmask_fds(struct vdev *vd, int fds[IGBVF_MSIX_VECTORS]);
/*
 * The switch has them (@on): those writes become ioeventfds; or it does
 * not (any more): they trap again. Main or loop thread.
 */
void vf_dev_unmask_enable(struct vdev *vd, bool on);
/* The port's link: false once the switch is gone (any thread). */
void vf_dev_set_link(struct vdev *vd, bool up);
void vf_dev_get_mac(struct vdev *vd, uint8_t mac[6]);
/* mac= was given: the VF has the administrator's MAC (any thread). */
bool vf_dev_mac_given(struct vdev *vd);
/*
 * The port was unplugged (link down, no switch): raise the mailbox
 * vector and wait for the guest's acknowledgement, its next STATUS read.
 * Loop thread.
 */
void vf_dev_unplug_notify(struct vdev *vd);
/*
 * Wait up to @timeout_ms from the unplug for that read: 0, or -ETIMEDOUT
 * (also when the VF was replugged meanwhile, or never unplugged); the
 * time from the unplug to the read (or to now) in *@waited_us. Any
 * thread but a vCPU's or the loop's.
 */
int vf_dev_unplug_wait(struct vdev *vd, unsigned timeout_ms,
		       uint64_t *waited_us);
/* Its port is attached again (a fresh VF): no longer unplugged. */
void vf_dev_replugged(struct vdev *vd);
/* Counters as a JSON object (new reference). */
json_t *vf_dev_stats(struct vdev *vd);

#endif
