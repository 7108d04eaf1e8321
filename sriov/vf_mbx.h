/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VF_MBX_H
#define IOPATH_SRIOV_VF_MBX_H

/*
 * The PF-VF mailbox of one VF, PF side, after the 82576 datasheet's
 * "PF-VF mailbox" and what the Linux igb PF driver answers
 * (igb_rcv_msg_from_vf and its helpers). The VF's registers, VMBMEM (16
 * dwords) and VFMAILBOX, are trapped; the PF here is synchronous: the
 * VF's write of REQ reads the message, acks it (PFACK), acts on it and
 * writes the reply (PFSTS) before the write returns, and the caller
 * raises the VF's mailbox interrupt.
 *
 * The protocol, as igbvf drives it (mbx.c): take the buffer (write VFU,
 * read it back), write the message, write REQ (which also drops VFU);
 * poll VFMAILBOX for PFACK, then for PFSTS; read the reply; write ACK.
 * PFSTS, PFACK and RSTD clear when VFMAILBOX is read.
 *
 * Each message costs bounded work (at most 16 words, 30 hashes, one
 * VLAN bit), paid for with the VF's own trapped writes, so a flood of
 * requests slows only the VF that sends it; every request is counted.
 */

#include <stdbool.h>
#include <stdint.h>

#include "sriov/vf_cfg.h"

struct vf_mbx_stats {
	uint64_t msgs;		/* REQ writes */
	uint64_t acks;		/* answered ACK */
	uint64_t nacks;		/* answered NACK */
	uint64_t resets;	/* VF_RESET handled */
	uint64_t not_cts;	/* refused: before the first VF_RESET */
	uint64_t denied;	/* refused: admin MAC, port VLAN, trust */
	uint64_t invalid;	/* refused: bad argument or unknown type */
	uint64_t stale;		/* REQ on an already answered message */
	uint64_t pings;		/* PF control messages sent */
};

struct vf_mbx {
	uint32_t mem[IGBVF_MBX_WORDS];	/* VMBMEM */
	uint32_t bits;			/* VFMAILBOX as the VF reads it */
	uint64_t last_nack_ns;
	struct vf_mbx_stats st;
};

/* What a write did, for the caller to act on. */
#define VF_MBX_EV_IRQ	0x1u	/* raise the VF's mailbox cause */
#define VF_MBX_EV_CFG	0x2u	/* filters or modes in the vf_cfg changed */
#define VF_MBX_EV_RESET	0x4u	/* VF_RESET done: the VF may now run */

/* Power-on state: an empty buffer, no bits. */
void vf_mbx_init(struct vf_mbx *m);

/* After a VF reset (CTRL.RST, FLR): empty buffer, RSTD set, RSTI clear. */
void vf_mbx_vf_reset(struct vf_mbx *m);

/* RSTI: the PF is resetting (or has stopped the VF); RSTD when cleared. */
void vf_mbx_set_rsti(struct vf_mbx *m, bool on);

/*
 * The VF reads VMBMEM(i) or VFMAILBOX at @off. Reading VFMAILBOX
 * clears its read-to-clear bits. Other offsets read 0.
 */
uint32_t vf_mbx_read(struct vf_mbx *m, uint32_t off);

/*
 * The VF writes @val at @off (VMBMEM(i) or VFMAILBOX). A REQ runs the
 * message against @cfg. @now_ns paces igb's NACK of a VF that acks
 * while not clear to send. Returns VF_MBX_EV_* bits.
 */
unsigned vf_mbx_write(struct vf_mbx *m, struct vf_cfg *cfg, uint32_t off,
		      uint32_t val, uint64_t now_ns);

/*
 * A PF control message (igb_ping_all_vfs): word 0 is PF_CONTROL_MSG,
 * with CTS when the VF is clear to send and NACK when @nack (the VF
 * must reset), PFSTS set. Skipped, like igb's PF-side write, while the
 * VF holds the buffer (VFU). Returns VF_MBX_EV_IRQ or 0.
 */
unsigned vf_mbx_ping(struct vf_mbx *m, const struct vf_cfg *cfg, bool nack);

#endif
