/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_SW_SRIOV_H
#define IOPATH_VSWITCH_SW_SRIOV_H

/*
 * A hosted SR-IOV NIC's insides, shared by sw_sriov.c (the NIC, its PF
 * port and the data path) and sw_vfrep.c (the VF representors and the
 * VMs that attach to VFs). Nothing else includes this.
 *
 * Threads: the NIC model (sriov/sriov_nic.h) is the forwarding thread's
 * alone; the control thread reaches it only through sw_fwd_exec(). A
 * VF's host resources (mappings, fds) are made and released by the
 * control thread outside the execs that attach and detach the VF, so
 * the forwarding thread sees them only while the VF is attached.
 */

#include <stdbool.h>
#include <stdint.h>

#include "sriov/sriov_nic.h"
#include "vswitch/sw.h"

/*
 * The PF's native VLAN in the vswitch: the NIC's untagged LAN (VFs
 * without a port VLAN) is this VLAN there. A port VLAN of this number
 * would be a second, unreachable copy of it (the vswitch sends its frames
 * to the PF untagged), so it means "no port VLAN".
 */
#define SW_SRIOV_PF_NATIVE	1

/*
 * While a VF's cause waits on a disabled vector, how often the switch
 * looks for an unmask that came by eventfd: a read each round cost the
 * forwarding thread a third of its time at 400 kpps, and a guest that
 * re-enables its vector is about to sleep, which takes longer than this.
 */
#define SW_SRIOV_UNMASK_NS	(50 * 1000ull)

/* Frames the VEB sent up to the PF, waiting for the PF port's rx. */
#define SW_SRIOV_PFQ	256

/* What the switch holds for one VF. */
struct sw_vf {
	struct sw_sriov *s;
	unsigned idx;
	struct sw_port *rep;		/* its representor port */

	/* While a VM holds the VF (control thread). */
	bool bound;
	int conn_fd;			/* the VM's attach connection */
	struct guest_mem gm;		/* the VM's RAM, mapped here */
	struct igbvf_shared *sh;	/* BAR0 0x2000-0x3FFF, shared */
	int own_fds[1 + ATTACH_VF_VECTORS];	/* doorbell, irqfds: to close */
	int own_unmask[ATTACH_VF_VECTORS];	/* VF_UNMASK's, to close */
	uint64_t attaches, reg_reads, reg_writes, flrs;

	/* Forwarding thread (set in the execs that attach and detach). */
	int doorbell_fd;		/* the guest's EICS <- 0 */
	int irq_fd[ATTACH_VF_VECTORS];	/* MSI-X vectors' irqfds */
	int unmask_fd[ATTACH_VF_VECTORS];	/* EIMS <- 1 << n, or -1 */
	uint64_t unmask_next_ns;	/* look at them again from then */
	uint8_t unmask_watched;		/* vectors whose unmask_fd is in
					 * the wait set */
	uint16_t applied;		/* ATTACH_VF_F_* the attach set */
	uint64_t irqs_sent, irqs_lost;
	/* The VMM stalled an irqfd write: the VF is let go (control). */
	atomic_bool stalled;
};

struct sw_sriov {
	struct sw *sw;
	char name[SW_NAME_MAX];
	struct sriov_nic *nic;
	unsigned nvfs;
	struct sw_port *pf;
	struct sw_vf vf[SRIOV_MAX_VFS];
	int epfd;			/* the PF's wait fd: doorbells, timer */
	int timer_fd;			/* interrupt moderation deadlines */
	int note_fd;			/* forwarding -> control: a VF stalled */

	/* Forwarding thread. */
	struct rte_mbuf *pfq[SW_SRIOV_PFQ];
	unsigned pfq_head, pfq_n;
	unsigned rr;			/* the VF polled first next round */
	uint64_t timer_at;		/* armed for, 0: disarmed */
	uint64_t pf_nombuf;		/* no mbuf for a frame to the PF */
	uint64_t pf_queue_full;
	uint64_t doorbell_wakeups;	/* doorbells found before sleeping */
	uint8_t tap[IGBVF_FRAME_JUMBO_MAX];	/* a stripped frame's copy */
};

/*
 * sw_sriov.c, forwarding thread: eventfd @fd of VF @v (its doorbell, an
 * unmask) joins (@on) or leaves the PF port's wait set. 0 or -errno.
 */
int sw_sriov_watch(struct sw_vf *v, int fd, bool on);
/*
 * Forwarding thread: the guest's EIMS writes that came by eventfd, for
 * the vectors in @mask, applied (the VF's register path does it first,
 * so a trapped access never overtakes one). Anything applied: true.
 */
bool sw_sriov_unmasks(struct sw_vf *v, uint32_t mask);

/*
 * sw_sriov.c: a port of the NIC's (its PF, a representor) named @name,
 * of kind @ops with @priv, admin up, published. *@out; 0 or -errno with
 * @err (the name taken, the switch full).
 */
int sw_sriov_port_add(struct sw_sriov *s, const char *name,
		      const struct sw_port_ops *ops, void *priv,
		      const struct vlan_port_cfg *vlan, bool link,
		      struct sw_port **out, char *err, size_t errlen);

/* sw_vfrep.c: VF @idx's representor port, "NAME.vfN". 0 or -errno. */
int sw_vfrep_create(struct sw_sriov *s, unsigned idx, char *err,
		    size_t errlen);
/* sw_vfrep.c, forwarding thread: a VF's frame, for its capture. */
void sw_vfrep_tap(struct sw_vf *v, bool to_vf, const uint8_t *data,
		  unsigned len, bool strip);

#endif
