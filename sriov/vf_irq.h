/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VF_IRQ_H
#define IOPATH_SRIOV_VF_IRQ_H

/*
 * One VF's interrupt logic in MSI-X mode, after the 82576 datasheet's
 * "Interrupts" chapter as it applies to a VF, and how igbvf uses it:
 *
 *  - three causes, RX queue 0, TX queue 0 and the mailbox, each routed
 *    by IVAR0 / IVAR_MISC to one of the three vectors (entries without
 *    the valid bit route nowhere);
 *  - EICR bit n is vector n's cause: set by a routed cause or by an
 *    EICS write, cleared by reading EICR or writing 1 to it;
 *  - EIMS enables vectors (write 1 to set, read the mask), EIMC disables
 *    them; enabling a vector whose cause is set sends its message;
 *  - when vector n's message is sent, EIAC bit n clears EICR bit n and
 *    EIAM bit n clears EIMS bit n (auto-mask; igbvf re-enables with EIMS
 *    at the end of its poll);
 *  - EITR(n) moderates: a vector is not sent again before its interval
 *    (bits 14:2, microseconds) has passed since it was last sent; a cause
 *    that arrives sooner is sent when the interval ends.
 *
 * No threads or timers inside: the caller passes the time and calls
 * vf_irq_poll() by vf_irq_next_deadline(). Sending a vector is the
 * raise() callback (an irqfd write in the switch).
 */

#include <stdbool.h>
#include <stdint.h>

#include "sriov/igbvf_regs.h"

enum vf_irq_cause {
	VF_IRQ_RX,
	VF_IRQ_TX,
	VF_IRQ_MBX,
};

struct vf_irq_stats {
	uint64_t sent[IGBVF_MSIX_VECTORS];	/* raise() calls */
	uint64_t moderated;	/* causes held back by EITR */
	uint64_t unrouted;	/* causes with no valid IVAR entry */
};

struct vf_irq {
	uint32_t eicr, eims, eiac, eiam;
	uint32_t eitr[IGBVF_MSIX_VECTORS];
	uint32_t ivar0, ivar_misc;
	uint32_t pending;	/* vectors owed a message */
	uint32_t sent_once;	/* vectors sent since reset */
	uint64_t last_ns[IGBVF_MSIX_VECTORS];
	void (*raise)(void *opaque, unsigned vector);
	void *opaque;
	struct vf_irq_stats st;
};

/* Power-on / VF reset: all registers 0, nothing pending. */
void vf_irq_init(struct vf_irq *irq, void (*raise)(void *, unsigned),
		 void *opaque);
void vf_irq_reset(struct vf_irq *irq);

/* The vector cause @c is routed to (IVAR), or -1 if none. */
int vf_irq_cause_vector(const struct vf_irq *irq, enum vf_irq_cause c);

/*
 * Forget vector @vec's cause while it is disabled: the driver has seen
 * what it stood for (igbvf_regs.h, IGBVF_RX_SEEN). Not for a vector
 * that TX or the mailbox share. True if a cause was dropped.
 */
bool vf_irq_drop_stale(struct vf_irq *irq, int vec);

/* A device cause happened at @now_ns. */
void vf_irq_cause(struct vf_irq *irq, enum vf_irq_cause c, uint64_t now_ns);

/* Register access at @off (EICS..EIAM, EICR, EITR(n), IVAR0, IVAR_MISC). */
uint32_t vf_irq_read(struct vf_irq *irq, uint32_t off);
void vf_irq_write(struct vf_irq *irq, uint32_t off, uint32_t val,
		  uint64_t now_ns);

/* Send what moderation held back and may go now. */
void vf_irq_poll(struct vf_irq *irq, uint64_t now_ns);

/* When vf_irq_poll() next has work; UINT64_MAX when nothing is held. */
uint64_t vf_irq_next_deadline(const struct vf_irq *irq);

/*
 * The MSI-X vector one IVAR entry (a byte of IVAR0 or IVAR_MISC) routes
 * its cause to, or -1 when it routes nowhere (VALID clear, or a vector
 * the VF does not have). The model and the VMM read entries alike.
 */
static inline int vf_irq_ivar_vector(uint32_t entry)
{
	entry &= 0xFF;
	if (!(entry & IGBVF_IVAR_VALID) ||
	    (entry & 0x1F) >= IGBVF_MSIX_VECTORS)
		return -1;
	return (int)(entry & 0x1F);
}

/*
 * Vectors whose cause is set while they are disabled: what an EIMS
 * write would send at once.
 */
static inline uint32_t vf_irq_masked_causes(const struct vf_irq *irq)
{
	return irq->eicr & ~irq->eims & IGBVF_EICR_MASK;
}

#endif
