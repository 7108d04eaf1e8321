/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_SRIOV_NIC_H
#define IOPATH_SRIOV_SRIOV_NIC_H

/*
 * The modelled SR-IOV NIC (an 82576): one PF and 1..7 VFs, each VF with
 * its queue pair (vf_queue.h), interrupt logic (vf_irq.h) and mailbox
 * (vf_mbx.h), and the embedded switch (veb.h) between them. The switch
 * hosts it: it gives the PF a vswitch port (pf_tx and
 * sriov_pf_rx_burst), forwards the VF's trapped register accesses from
 * the VMM (sriov_vf_reg_read/write), polls busy VFs (sriov_vf_poll) and
 * sends their MSI-X vectors (vf_irq). sriov/README.md has the design.
 *
 * Plain C, no DPDK, no KVM. One thread drives a NIC; every call takes
 * the time (CLOCK_MONOTONIC ns) where the model needs it, so tests drive
 * the clock.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guest_mem.h"
#include "sriov/igbvf_regs.h"
#include "sriov/vf_cfg.h"
#include "sriov/vf_queue.h"	/* VFQ_E_* */

#define SRIOV_MAX_VFS	7
#define SRIOV_NAME_MAX	32

struct sriov_nic;

enum sriov_event {
	SRIOV_EV_VF_ERROR,	/* a VF's queues stopped on bad input */
	SRIOV_EV_VF_RESET,	/* a VF reset itself (CTRL.RST) or was FLRed */
	SRIOV_EV_VF_READY,	/* a VF finished VF_RESET: clear to send */
	SRIOV_EV_VF_CFG,	/* a VF changed its MAC, filters or modes */
};

struct sriov_nic_ops {
	/* A frame for the PF's vswitch port; valid during the call. */
	void (*pf_tx)(void *opaque, const uint8_t *data, unsigned len);
	/* Send VF @vf's MSI-X vector @vector (an irqfd write). */
	void (*vf_irq)(void *opaque, unsigned vf, unsigned vector);
	/* The PF's mailbox interrupt cause, as an event about VF @vf. */
	void (*pf_event)(void *opaque, unsigned vf, enum sriov_event ev);
	/*
	 * Optional, for captures on the VF's representor: a frame VF @vf
	 * sent (@to_vf false: as its driver posted it, before the VEB's
	 * checks) or was given (@to_vf true: as the VEB delivered it;
	 * with @strip, bytes 12..15 are a tag the NIC took off on the
	 * way into the guest). Valid during the call.
	 */
	void (*vf_tap)(void *opaque, unsigned vf, bool to_vf,
		       const uint8_t *data, unsigned len, bool strip);
};

/* Per-VF counters, also shown as JSON. */
struct sriov_vf_stats {
	uint64_t tx_packets, tx_bytes;		/* accepted by the VEB */
	uint64_t tx_to_vf, tx_to_pf;		/* where they went */
	uint64_t rx_packets, rx_bytes;		/* into guest buffers */
	uint64_t tx_drop_spoof;			/* source MAC */
	uint64_t tx_drop_vlan;			/* VLAN anti-spoofing */
	uint64_t tx_drop_link;			/* link down, not reset yet */
	uint64_t tx_drop_runt;			/* under 14 bytes */
	uint64_t rx_drop_no_buffer;		/* too few buffers posted */
	uint64_t rx_drop_link;			/* link down, not reset yet */
	uint64_t rx_drop_too_big;		/* over its max frame */
	uint64_t rx_drop_off;			/* RX queue off or in error */
	uint64_t errors;			/* error state entered */
	uint64_t resets;			/* CTRL.RST and FLR */
	uint64_t doorbells;			/* wake-ups by the guest */
	uint64_t sleeps;			/* polling stopped */
	uint64_t unmasks;			/* EIMS taken from IGBVF_UNMASK */
	uint64_t stale_rx;			/* RX causes IGBVF_RX_SEEN dropped */
	uint64_t bad_access;			/* odd size/offset accesses */
	uint64_t irq_restores;			/* rebinds with IRQ_KEEP */
};

/*
 * A NIC named @name with @nvfs VFs (1..SRIOV_MAX_VFS), PF link up, each
 * VF detached, spoof check on, trust off, link auto, no MAC. NULL with
 * errno EINVAL or ENOMEM.
 */
struct sriov_nic *sriov_nic_create(const char *name, unsigned nvfs,
				   const struct sriov_nic_ops *ops,
				   void *opaque);
void sriov_nic_destroy(struct sriov_nic *nic);
const char *sriov_nic_name(const struct sriov_nic *nic);
unsigned sriov_nic_num_vfs(const struct sriov_nic *nic);

/*
 * Give VF @vf a VM: its RAM @gm and the shared BAR0 pages @sh (both
 * outlive the attachment). The VF starts reset and busy. -EINVAL for no
 * such VF, -EBUSY if attached. Detach stops all access to them.
 */
int sriov_vf_attach(struct sriov_nic *nic, unsigned vf,
		    const struct guest_mem *gm, struct igbvf_shared *sh);
int sriov_vf_detach(struct sriov_nic *nic, unsigned vf);

/* PCI function level reset of VF @vf (from the VMM's config space). */
int sriov_vf_flr(struct sriov_nic *nic, unsigned vf, uint64_t now_ns);

/*
 * A trapped access by VF @vf's guest to BAR0 offset @off, @size bytes
 * (4; anything else reads 0, is ignored, counted and -EINVAL). Any
 * write also wakes the VF (sriov_vf_kick).
 */
int sriov_vf_reg_read(struct sriov_nic *nic, unsigned vf, uint32_t off,
		      unsigned size, uint32_t *val, uint64_t now_ns);
int sriov_vf_reg_write(struct sriov_nic *nic, unsigned vf, uint32_t off,
		       unsigned size, uint32_t val, uint64_t now_ns);

/*
 * Look at VF @vf's TX tail and send up to @budget frames through the
 * VEB (to other VFs and the PF), then write back, publish heads and
 * raise causes once. Returns the frames sent (0: no work). A VF found
 * with work while asleep is busy again (its driver stops ringing).
 */
unsigned sriov_vf_poll(struct sriov_nic *nic, unsigned vf, unsigned budget,
		       uint64_t now_ns);

/*
 * VF @vf's vectors with a cause waiting while the guest has them
 * disabled (bit n: vector n), 0 for none or no such VF: the switch
 * looks for the guest's EIMS writes that reach it asynchronously (the
 * VMM's ioeventfds) only while this is nonzero.
 */
uint32_t sriov_vf_masked_causes(const struct sriov_nic *nic, unsigned vf);

/* Is VF @vf busy (polled; IGBVF_POLL odd)? */
bool sriov_vf_busy(const struct sriov_nic *nic, unsigned vf);

/*
 * Stop polling VF @vf: IGBVF_POLL the next even value, then look at the
 * tail again (the final check, against a guest that posted just before
 * seeing the new value). True if it is asleep; false if work arrived (it
 * stays busy, IGBVF_POLL odd again).
 */
bool sriov_vf_sleep(struct sriov_nic *nic, unsigned vf);

/* The doorbell (EICS <- 0, or its ioeventfd): VF @vf is busy again. */
void sriov_vf_kick(struct sriov_nic *nic, unsigned vf);

/*
 * The thread that polls VF @vf is awake (it came back from a sleep, or
 * it put the VFs to sleep and then found work elsewhere and did not
 * sleep): VF @vf is busy again, IGBVF_POLL odd, so its driver does not
 * ring a doorbell while it is being polled anyway. Not a doorbell: not
 * counted as one.
 */
void sriov_vf_resume(struct sriov_nic *nic, unsigned vf);

/*
 * Frames from the PF's vswitch port into the VEB. Returns how many
 * reached at least one VF; the rest were dropped and counted.
 */
unsigned sriov_pf_rx_burst(struct sriov_nic *nic,
			   const uint8_t *const *frames,
			   const uint16_t *lens, unsigned n, uint64_t now_ns);

/* The PF's link (the vswitch port's); VFs with link auto follow it. */
void sriov_pf_set_link(struct sriov_nic *nic, bool up, uint64_t now_ns);

/* Send interrupts that moderation held and may go now. */
void sriov_nic_poll_irqs(struct sriov_nic *nic, uint64_t now_ns);
/* When sriov_nic_poll_irqs() next has work; UINT64_MAX: none. */
uint64_t sriov_nic_next_deadline(const struct sriov_nic *nic);

/*
 * The administrator's settings (`ip link set PF vf N ...`). MAC: a
 * station address, or all zeros to hand the MAC back to the VF. VLAN
 * 1..4094 with QoS 0..7, or 0 for none. -EINVAL for a bad VF or value.
 */
int sriov_vf_set_mac(struct sriov_nic *nic, unsigned vf,
		     const uint8_t mac[6], uint64_t now_ns);
int sriov_vf_set_vlan(struct sriov_nic *nic, unsigned vf, uint16_t vid,
		      uint8_t qos, uint64_t now_ns);
int sriov_vf_set_spoofchk(struct sriov_nic *nic, unsigned vf, bool on);
int sriov_vf_set_trust(struct sriov_nic *nic, unsigned vf, bool on);
int sriov_vf_set_link_state(struct sriov_nic *nic, unsigned vf,
			    enum vf_link_state st, uint64_t now_ns);

/*
 * The same from words as `ip link set PF vf N` takes them: "mac M",
 * "vlan V [qos Q]", "spoofchk on|off", "trust on|off",
 * "state auto|enable|disable", in any order. All are checked before any
 * is applied. 0, or -EINVAL with a sentence in @err.
 */
int sriov_vf_admin(struct sriov_nic *nic, unsigned vf, int argc,
		   const char *const *argv, uint64_t now_ns, char *err,
		   size_t errlen);

/* VF @vf's settings and counters; -EINVAL for no such VF. */
int sriov_vf_get_cfg(const struct sriov_nic *nic, unsigned vf,
		     struct vf_cfg *cfg);
int sriov_vf_get_stats(const struct sriov_nic *nic, unsigned vf,
		       struct sriov_vf_stats *st);
/* The error state: VFQ_E_* (0: running) and why. */
int sriov_vf_error(const struct sriov_nic *nic, unsigned vf,
		   const char **why);

/* The NIC, its PF and every VF as one JSON object (new reference). */
json_t *sriov_nic_show(const struct sriov_nic *nic);

#endif
