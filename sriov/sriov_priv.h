/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_SRIOV_PRIV_H
#define IOPATH_SRIOV_SRIOV_PRIV_H

/*
 * The NIC object's insides, shared by its files: sriov_nic.c (life
 * cycle, data path), sriov_regs.c (trapped registers), sriov_admin.c
 * (the administrator's settings) and sriov_show.c (JSON). Nothing
 * outside sriov/ includes this.
 */

#include "sriov/sriov_nic.h"
#include "sriov/veb.h"
#include "sriov/vf_irq.h"
#include "sriov/vf_mbx.h"
#include "sriov/vf_queue.h"

/* The guest-visible statistics registers: 32 bits, wrapping. */
struct sriov_vf_regstats {
	uint32_t gprc, gptc, gorc, gotc, mprc;
	uint32_t gprlbc, gptlbc, gorlbc, gotlbc;
};

struct sriov_vf {
	struct sriov_nic *nic;
	unsigned idx;
	struct vf_cfg cfg;
	struct vf_mbx mbx;
	struct vf_irq irq;
	struct vf_queue q;
	struct igbvf_shared *sh;	/* NULL while detached */
	uint32_t ctrl;			/* CTRL as last written, less RST */
	uint64_t t0_ns;			/* FRTIMER's zero */
	bool busy;			/* polled; IGBVF_POLL is odd */
	uint32_t poll_gen;		/* IGBVF_POLL's value */
	struct sriov_vf_regstats rs;
	struct sriov_vf_stats st;
};

struct sriov_pf_stats {
	uint64_t tx_frames, tx_bytes;		/* to the vswitch */
	uint64_t rx_frames, rx_bytes;		/* from it, to some VF */
	uint64_t rx_drop_unknown;		/* unicast to no VF */
	uint64_t rx_drop_runt;
};

struct sriov_nic {
	char name[SRIOV_NAME_MAX];
	unsigned nvfs;
	bool pf_link;
	struct sriov_nic_ops ops;
	void *opaque;
	struct veb veb;
	uint8_t rx_dirty;		/* VFs with RDH to publish */
	uint64_t now_ns;		/* of the call in progress */
	struct sriov_pf_stats pf;
	struct sriov_vf vf[SRIOV_MAX_VFS];
};

/* VF @vf, or NULL for no such VF. */
struct sriov_vf *sriov_vf_get(struct sriov_nic *nic, unsigned vf);

/* Bring the VF's effective link (STATUS.LU) in line; ping it on change
 * (true: pinged). */
bool sriov_vf_update_link(struct sriov_vf *vf);

/* Copy the VF's interrupt registers to its shared pages (igbvf_regs.h,
 * IGBVF_IRQ_KEEP) after they changed. */
void sriov_vf_irq_save(struct sriov_vf *vf);

/* The VF asked for (or was given) a new max frame: tell its queues. */
void sriov_vf_cfg_changed(struct sriov_vf *vf);

/* VF reset: CTRL.RST (@flr false) or a function level reset. */
void sriov_vf_reset(struct sriov_vf *vf, bool flr);

/* Busy again (the doorbell, a trapped write). */
void sriov_vf_wake(struct sriov_vf *vf);
/* The EIMS write the driver posted at IGBVF_UNMASK, applied (before any
 * trapped access, each poll, and when polling stops). */
void sriov_vf_take_unmask(struct sriov_vf *vf, uint64_t now_ns);
/* Before an EIMS of @eims is applied: IGBVF_RX_SEEN (igbvf_regs.h). */
void sriov_vf_stale_rx(struct sriov_vf *vf, uint32_t eims);

/* Tell the PF's event callback. */
void sriov_pf_event(struct sriov_vf *vf, enum sriov_event ev);

#endif
