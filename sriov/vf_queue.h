/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VF_QUEUE_H
#define IOPATH_SRIOV_VF_QUEUE_H

/*
 * One VF queue pair's descriptor engine: the 82576's DMA, reading and
 * writing advanced descriptors and buffers in the VF's guest memory
 * (the IOMMU's job is done here by core/guest_mem.h's checked GPA
 * translation). Ring registers come from the shared BAR0 pages
 * (struct igbvf_shared); heads go back there.
 *
 * Everything the guest wrote is hostile. A queue's base, length and
 * head are read once when its ENABLE bit is seen to rise; each
 * descriptor is copied out of the ring once and the copy is checked and
 * used; frame data is copied out before anyone looks at it. A ring
 * outside RAM, a tail beyond the ring, or a descriptor that is not
 * well formed (legacy or unknown type, length 0 or past the frame
 * limit, a buffer outside RAM or over the VF's own rings, an insane
 * context, more than VF_TX_DESC_PER_FRAME descriptors without EOP)
 * puts the queue pair into its error state: it stops touching guest
 * memory until vf_queue_reset(), records why, and calls failed().
 *
 * TX: data descriptors (DTYP 3) ending in EOP make a frame, gathered
 * into one buffer; context descriptors (DTYP 2) fill the two context
 * slots that data descriptors select with IDX for IPv4 and TCP/UDP
 * checksum insertion (POPTS IXSM/TXSM) and VLAN insertion (DCMD.VLE).
 * Segmentation (TSE) is not modelled. DD is written back into each
 * descriptor with RS, TDH (and the head write-back dword, TDWBAL bit 0)
 * once per burst.
 *
 * RX: one buffer per descriptor (SRRCTL DESCTYPE 1), the buffer size
 * from SRRCTL.BSIZEPKT; a frame larger than a buffer spans several
 * descriptors, EOP on the last. The write-back carries the length, DD,
 * EOP and, when the frame had a VLAN tag the NIC stripped, VP and the
 * tag. A frame with too few posted buffers is dropped and counted.
 *
 * One thread drives a queue (the switch's forwarding thread).
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/guest_mem.h"
#include "sriov/igbvf_regs.h"

#define VF_TX_HEADROOM		8	/* room to insert two VLAN tags */
#define VF_TX_DESC_PER_FRAME	32	/* igbvf uses at most 19 */
#define VF_RX_DESC_PER_FRAME	16	/* 9728 bytes in 1 KiB buffers: 10 */
#define VF_TX_WB_BATCH		64
#define VF_QUEUE_WHY_MAX	96

enum vf_queue_err {
	VFQ_E_NONE,
	VFQ_E_TX_RING,		/* TX ring base/length bad or outside RAM */
	VFQ_E_RX_RING,
	VFQ_E_TX_TAIL,		/* tail or head beyond the ring */
	VFQ_E_RX_TAIL,
	VFQ_E_TX_DESC,		/* a bad TX descriptor */
	VFQ_E_RX_DESC,		/* a bad RX descriptor */
	VFQ_E_TX_CHAIN,		/* too many descriptors without EOP */
	VFQ_E_RX_CONFIG,	/* SRRCTL asks for what is not modelled */
};

struct vf_queue_stats {
	uint64_t tx_frames, tx_bytes;	/* handed to tx_frame() */
	uint64_t tx_descs;		/* data descriptors consumed */
	uint64_t tx_ctx;		/* context descriptors consumed */
	uint64_t tx_csum;		/* checksums inserted */
	uint64_t tx_vlan;		/* VLAN tags inserted (VLE) */
	uint64_t tx_dd;			/* DD write-backs */
	uint64_t rx_frames, rx_bytes;	/* written into guest buffers */
	uint64_t rx_descs;
	uint64_t rx_no_buffer;		/* dropped: too few buffers posted */
	uint64_t rx_too_big;		/* dropped: over the VF's max frame */
	uint64_t rx_off;		/* dropped: RX queue not enabled */
	uint64_t errors;		/* times the error state was entered */
};

struct vf_queue_ring {
	bool enabled;
	uint64_t base;		/* GPA, as latched */
	uint32_t count;		/* descriptors */
	uint32_t head;		/* ours; published to RDH/TDH */
	uint8_t *desc;		/* host view of the ring */
};

/* Callbacks into the NIC. The frame buffer is reused after return. */
struct vf_queue_ops {
	/* A frame the VF sent: @data has VF_TX_HEADROOM bytes before it. */
	void (*tx_frame)(void *opaque, uint8_t *data, unsigned len);
	/* The queue pair entered its error state. */
	void (*failed)(void *opaque, int code, const char *why);
};

struct vf_queue {
	const struct guest_mem *gm;
	struct igbvf_shared *sh;
	struct vf_queue_ops ops;
	void *opaque;
	struct vf_queue_ring tx, rx;
	uint32_t rx_bufsize;
	uint32_t *tx_hwb;	/* head write-back dword, NULL: off */
	unsigned max_frame;	/* descriptor bytes per frame, either way */
	struct igbvf_tx_ctx_desc ctx[IGBVF_TX_CONTEXTS];
	uint32_t wb[VF_TX_WB_BATCH];	/* TX descriptors owed DD */
	unsigned nwb;
	unsigned rx_unpublished;	/* frames since RDH was written */
	int error;
	char why[VF_QUEUE_WHY_MAX];
	struct vf_queue_stats st;
	uint8_t txbuf[VF_TX_HEADROOM + IGBVF_FRAME_JUMBO_MAX];
};

/* A detached, disabled queue pair; max frame IGBVF_FRAME_DEFAULT_MAX. */
void vf_queue_init(struct vf_queue *q, const struct vf_queue_ops *ops,
		   void *opaque);

/*
 * Give the queue its VM: @gm (guest RAM) and @sh (the shared BAR0
 * pages); both must outlive the attachment. NULL, NULL detaches.
 */
void vf_queue_attach(struct vf_queue *q, const struct guest_mem *gm,
		     struct igbvf_shared *sh);

/*
 * Reset (CTRL.RST, FLR): rings disabled, contexts and error cleared, the
 * queue registers in the shared pages zeroed. Counters are kept.
 */
void vf_queue_reset(struct vf_queue *q);

/* Largest frame either way, from the VF's SET_LPE. */
void vf_queue_set_max_frame(struct vf_queue *q, unsigned max_frame);

/*
 * Transmit up to @budget frames the guest posted. Returns the frames
 * handed to tx_frame(). Sets *@dd when DD was written back (the TX
 * cause), may be NULL.
 */
unsigned vf_queue_tx_burst(struct vf_queue *q, unsigned budget, bool *dd);

/*
 * Receive one frame of @len bytes. With @strip, bytes 12..15 are its
 * 802.1Q tag, which the NIC strips (the guest gets @len - 4 bytes).
 * @tci: the tag to report in the write-back (VP), -1 none. Returns 0,
 * or -ENETDOWN (queue disabled or in error), -EMSGSIZE (over the max
 * frame), -ENOBUFS (too few buffers): dropped and counted; -EIO when
 * the guest's ring put the queue into its error state; -EINVAL for a
 * stripped frame shorter than 16 bytes.
 */
int vf_queue_rx(struct vf_queue *q, const uint8_t *data, unsigned len,
		bool strip, int tci);

/* Publish RDH for the frames received since the last call; their count. */
unsigned vf_queue_rx_flush(struct vf_queue *q);

/* TX descriptors posted and not yet consumed (the final check). */
bool vf_queue_tx_pending(struct vf_queue *q);

/* VFQ_E_* and why (VFQ_E_NONE while running). */
int vf_queue_error(const struct vf_queue *q, const char **why);
const char *vf_queue_err_name(int code);

#endif
