/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_IGBVF_REGS_H
#define IOPATH_SRIOV_IGBVF_REGS_H

/*
 * The guest-visible ABI of the modelled SR-IOV NIC's virtual function:
 * the Intel 82576 VF as its datasheet (the "Virtualization" chapter and
 * the "Virtual Function Device Registers" table) and the Linux igbvf
 * driver (drivers/net/ethernet/intel/igbvf) know it. Shared by the NIC model
 * (sriov/), the VMM's VF function and the freestanding guest driver, so
 * only <stdint.h>. Every value here was checked against igbvf's regs.h,
 * defines.h, mbx.h and vf.h and igb's e1000_mbx.h.
 *
 * BAR0 is 16 KiB of 32-bit registers. How the model serves it:
 *
 *   0x0000-0x0FFF  trapped: CTRL, STATUS, mailbox (VMBMEM, VFMAILBOX),
 *                  statistics. Side effects on read or write.
 *   0x1000-0x1FFF  trapped: FRTIMER, EICS/EIMS/EIMC/EIAC/EIAM, EICR,
 *                  EITR, IVAR. EICS is also the doorbell (below).
 *   0x2000-0x2FFF  shared memory, no exit: RX queue registers at 0x2800
 *                  and the model's polling flag at IGBVF_POLL.
 *   0x3000-0x3FFF  shared memory, no exit: TX queue registers at 0x3800.
 *
 * The shared pages (struct igbvf_shared) are plain memory that the guest
 * and the model both map: the guest writes ring base, length, tail and
 * control there and the model writes the heads, so posting descriptors
 * costs no VM exit. The model reads a queue's base, length and head
 * once, when it sees the queue's ENABLE bit go from 0 to 1; later writes
 * to them are ignored until the queue is disabled (the datasheet's
 * receive and transmit initialization sequences also set them before
 * ENABLE, and igbvf_configure_rx/tx do).
 *
 * Waking an idle VF: the model polls a VF's tails only while it is busy
 * and keeps IGBVF_POLL odd meanwhile; each time it stops it makes the
 * value a new even number (a count of its sleeps and wake-ups). A driver
 * that moves a tail must then read IGBVF_POLL (after a full barrier) and,
 * if it is even and not the value it last rang for, write 0 to EICS and
 * remember that value. One doorbell per sleep is enough: it wakes the
 * model, which reads the tail after it wakes, so later posts before it
 * is polling again are seen too; a post after it went back to sleep
 * finds a new even value and rings. Until a driver has rung, the value
 * to compare with must be odd (never a sleep's). On the 82576 EICS <- 0
 * sets no cause bit, a no-op, and IGBVF_POLL is reserved and reads 0, so
 * the same driver rings once and stays correct on real silicon, where
 * the tail write itself reaches the NIC; here the write wakes the model
 * (and a VMM can catch exactly that write with a data-matched ioeventfd,
 * so the doorbell needs no userspace exit). See sriov/README.md for the
 * costs.
 *
 * Re-enabling a vector before a sleep (EIMS <- 1 << n, after the
 * auto-mask took it) goes the same way round: the driver ORs the EIMS
 * value into IGBVF_UNMASK, issues a full barrier and reads IGBVF_POLL;
 * odd, and the model, which takes IGBVF_UNMASK (as the EIMS write it
 * stands for) each time it polls the VF and after its barrier when it
 * stops, has it. Even: the model stopped, and IGBVF_HELD (written before
 * IGBVF_POLL went even) holds the vectors whose causes then waited on
 * a disabled vector, with IGBVF_HELD_VALID. Valid and none of the
 * driver's among them: nothing can interrupt before the model polls
 * again, which takes the word first, so the post stands. Else the
 * driver takes its bits back and writes EIMS, which wakes the model. On
 * the 82576 the words are reserved (writes ignored, reads 0):
 * IGBVF_HELD is never valid there, so the driver writes EIMS every time.
 *
 * A receiver's RX cause is nearly always held: frames kept coming while
 * it was busy with its vector masked, and enabling the vector would send
 * at once a message that wakes it to a ring it has already emptied (a
 * halt, a wake-up and a re-arm, ~80 us here, once per sleep). So with an
 * EIMS that enables the RX vector, posted or written, the driver first
 * writes IGBVF_RX_SEEN: the index of the next descriptor it will look at,
 * with IGBVF_RX_SEEN_VALID. The model takes the word (leaving 0) when it
 * applies that EIMS, and if the index is where it writes back next,
 * every frame the cause stood for has been seen: it clears the cause
 * instead of sending it (counted as stale_rx), unless the vector also
 * carries TX or the mailbox. A frame written back after the driver's
 * last look moves the model's index, and the message goes as before. The
 * driver may likewise let a post stand while IGBVF_HELD names its RX
 * vector, if RDH equals that index: nothing written back is unseen, and
 * a frame written later is followed by a poll that takes the word and
 * sends. Wrong values harm only the VF that wrote them.
 *
 * One queue pair (queue 0) is modelled, as igbvf uses; the registers of
 * queue 1 exist in the shared pages and are ignored.
 */

#include <stdint.h>

/* PCI identity (igbvf's vf.h, igb's e1000_hw.h). */
#define IGBVF_VENDOR_ID		0x8086
#define IGBVF_DEVICE_ID		0x10CA	/* 82576 virtual function */
#define IGB_PF_DEVICE_ID	0x10C9	/* 82576 physical function */

#define IGBVF_BAR0_SIZE		0x4000
#define IGBVF_MSIX_VECTORS	3	/* TX, RX, mailbox (igbvf asks 3) */

/* BAR0 pages and which of them are shared. */
#define IGBVF_SHARED_OFF	0x2000
#define IGBVF_SHARED_SIZE	0x2000

/* ---- trapped registers, page 0 ---- */
#define IGBVF_CTRL		0x0000	/* RW; RST resets the VF */
#define IGBVF_STATUS		0x0008	/* RO */
#define IGBVF_VMBMEM(i)		(0x0800 + 4 * (i))	/* mailbox, 16 dw */
#define IGBVF_VFMAILBOX		0x0C40	/* V2PMAILBOX(0) */
#define IGBVF_VFGPRC		0x0F10	/* good packets received */
#define IGBVF_VFGPTC		0x0F14	/* good packets transmitted */
#define IGBVF_VFGORC		0x0F18	/* good octets received */
#define IGBVF_VFGOTC		0x0F34	/* good octets transmitted */
#define IGBVF_VFMPRC		0x0F3C	/* multicast packets received */
#define IGBVF_VFGPRLBC		0x0F40	/* packets received VF-to-VF */
#define IGBVF_VFGPTLBC		0x0F44	/* packets sent VF-to-VF */
#define IGBVF_VFGORLBC		0x0F48	/* octets received VF-to-VF */
#define IGBVF_VFGOTLBC		0x0F50	/* octets sent VF-to-VF */

/* ---- trapped registers, page 1 ---- */
#define IGBVF_FRTIMER		0x1048	/* RO free-running microseconds */
#define IGBVF_EICS		0x1520	/* WO set cause; 0: the doorbell */
#define IGBVF_EIMS		0x1524	/* RW mask set / read */
#define IGBVF_EIMC		0x1528	/* WO mask clear */
#define IGBVF_EIAC		0x152C	/* RW auto-clear on MSI-X send */
#define IGBVF_EIAM		0x1530	/* RW auto-mask on MSI-X send */
#define IGBVF_EICR		0x1580	/* RC/W1C cause */
#define IGBVF_EITR(n)		(0x1680 + 4 * (n))	/* per vector */
#define IGBVF_IVAR0		0x1700	/* queue causes to vectors */
#define IGBVF_IVAR_MISC		0x1740	/* mailbox cause to a vector */

/* ---- shared registers (pages 2 and 3) ---- */
#define IGBVF_RDBAL(n)		(0x2800 + 0x100 * (n))
#define IGBVF_RDBAH(n)		(0x2804 + 0x100 * (n))
#define IGBVF_RDLEN(n)		(0x2808 + 0x100 * (n))
#define IGBVF_SRRCTL(n)		(0x280C + 0x100 * (n))
#define IGBVF_RDH(n)		(0x2810 + 0x100 * (n))	/* model writes */
#define IGBVF_RDT(n)		(0x2818 + 0x100 * (n))
#define IGBVF_RXDCTL(n)		(0x2828 + 0x100 * (n))
#define IGBVF_POLL		0x2F00	/* iopath: odd = model polling */
#define IGBVF_HELD		0x2F04	/* iopath: causes masked at sleep */
#define IGBVF_HELD_VALID	0x80000000u
#define IGBVF_UNMASK		0x2F40	/* iopath: EIMS posted in memory */
#define IGBVF_RX_SEEN		0x2F44	/* iopath: driver's RX position */
#define IGBVF_RX_SEEN_VALID	0x80000000u
#define IGBVF_TDBAL(n)		(0x3800 + 0x100 * (n))
#define IGBVF_TDBAH(n)		(0x3804 + 0x100 * (n))
#define IGBVF_TDLEN(n)		(0x3808 + 0x100 * (n))
#define IGBVF_TDH(n)		(0x3810 + 0x100 * (n))	/* model writes */
#define IGBVF_TDT(n)		(0x3818 + 0x100 * (n))
#define IGBVF_TXDCTL(n)		(0x3828 + 0x100 * (n))
#define IGBVF_TDWBAL(n)		(0x3838 + 0x100 * (n))	/* head write-back */
#define IGBVF_TDWBAH(n)		(0x383C + 0x100 * (n))

/* ---- register bits ---- */
#define IGBVF_CTRL_RST		0x04000000u	/* VF reset (igbvf reset_hw) */

#define IGBVF_STATUS_FD		0x00000001u
#define IGBVF_STATUS_LU		0x00000002u	/* link up */
#define IGBVF_STATUS_TXOFF	0x00000010u
#define IGBVF_STATUS_SPEED_100	0x00000040u
#define IGBVF_STATUS_SPEED_1000	0x00000080u

/* Interrupts: in MSI-X mode EICR/EIMS/... bit n is vector n. */
#define IGBVF_EICR_MASK		0x7u
#define IGBVF_IVAR_VALID	0x80u	/* in each byte of IVAR0/IVAR_MISC */
/* IVAR0 bytes: 0 RX queue 0, 1 TX queue 0, 2 RX queue 1, 3 TX queue 1. */
#define IGBVF_IVAR_RX0_SHIFT	0
#define IGBVF_IVAR_TX0_SHIFT	8
/* EITR interval, bits 14:2, in microseconds (igbvf: 980 ~ 4000/s). */
#define IGBVF_EITR_INTERVAL_MASK	0x7FFCu
#define IGBVF_EITR_INTERVAL_SHIFT	2
#define IGBVF_EITR_CNT_IGNR	0x80000000u

/* SRRCTL (one buffer per descriptor is what the model does). */
#define IGBVF_SRRCTL_BSIZEPKT_MASK	0x0000007Fu	/* 1 KiB units */
#define IGBVF_SRRCTL_BSIZEPKT_SHIFT	10
#define IGBVF_SRRCTL_BSIZEHDR_MASK	0x00000F00u
#define IGBVF_SRRCTL_DESCTYPE_MASK	0x0E000000u
#define IGBVF_SRRCTL_DESCTYPE_ADV_ONEBUF	0x02000000u
#define IGBVF_SRRCTL_DESCTYPE_HDR_SPLIT_ALWAYS	0x0A000000u
#define IGBVF_SRRCTL_DROP_EN		0x80000000u

#define IGBVF_RXDCTL_ENABLE	0x02000000u
#define IGBVF_TXDCTL_ENABLE	0x02000000u
#define IGBVF_TDWBAL_ENABLE	0x00000001u	/* head write-back on */

/* Ring geometry: lengths in bytes, multiples of 128 (8 descriptors). */
#define IGBVF_RING_ALIGN	128u
#define IGBVF_RING_LEN_MAX	0x000FFF80u	/* RDLEN/TDLEN bits 19:7 */
#define IGBVF_DESC_SIZE		16u

/* ---- mailbox (igbvf mbx.h, igb e1000_mbx.h) ---- */
#define IGBVF_MBX_WORDS		16

/* VFMAILBOX bits as the VF sees them. */
#define IGBVF_MBX_REQ		0x00000001u	/* W: message for the PF */
#define IGBVF_MBX_ACK		0x00000002u	/* W: PF message received */
#define IGBVF_MBX_VFU		0x00000004u	/* RW: VF owns the buffer */
#define IGBVF_MBX_PFU		0x00000008u	/* RO: PF owns the buffer */
#define IGBVF_MBX_PFSTS		0x00000010u	/* RC: PF wrote a message */
#define IGBVF_MBX_PFACK		0x00000020u	/* RC: PF acked ours */
#define IGBVF_MBX_RSTI		0x00000040u	/* RO: PF reset in progress */
#define IGBVF_MBX_RSTD		0x00000080u	/* RC: PF reset done */
#define IGBVF_MBX_R2C_BITS	0x000000B0u

/* Word 0 of a message: type in 15:0, info in 23:16, reply flags 31:29. */
#define IGBVF_MSG_ACK		0x80000000u
#define IGBVF_MSG_NACK		0x40000000u
#define IGBVF_MSG_CTS		0x20000000u	/* VF is clear to send */
#define IGBVF_MSGINFO_SHIFT	16
#define IGBVF_MSGINFO_MASK	(0xFFu << IGBVF_MSGINFO_SHIFT)
#define IGBVF_MSGTYPE_MASK	0x0000FFFFu

#define IGBVF_VF_RESET		0x01	/* reply: ACK + MAC in words 1-2 */
#define IGBVF_VF_SET_MAC_ADDR	0x02	/* MAC in words 1-2 */
#define IGBVF_VF_MAC_FILTER_CLR	(0x01u << IGBVF_MSGINFO_SHIFT)
#define IGBVF_VF_MAC_FILTER_ADD	(0x02u << IGBVF_MSGINFO_SHIFT)
#define IGBVF_VF_SET_MULTICAST	0x03	/* info: count; u16 hashes from w1 */
#define IGBVF_VF_SET_VLAN	0x04	/* info: 1 add, 0 remove; w1: vid */
#define IGBVF_VF_SET_LPE	0x05	/* w1: max frame size */
#define IGBVF_VF_SET_PROMISC	0x06
#define IGBVF_VF_SET_PROMISC_UNICAST	(0x01u << IGBVF_MSGINFO_SHIFT)
#define IGBVF_VF_SET_PROMISC_MULTICAST	(0x02u << IGBVF_MSGINFO_SHIFT)
#define IGBVF_PF_CONTROL_MSG	0x0100	/* PF to VF: "look at me" */

#define IGBVF_MC_HASHES_MAX	30	/* u16 hashes in one message */
/*
 * The multicast hash the VF sends (igbvf e1000_hash_mc_addr_vf with 128
 * MTA registers): 12 bits from address bytes 4 and 5.
 */
#define IGBVF_MC_HASH(a)	((((a)[4] >> 4) | ((uint16_t)(a)[5] << 4)) \
				 & 0xFFFu)

/* Frame sizes (bytes in descriptors, no FCS from the guest). */
#define IGBVF_FRAME_DEFAULT_MAX	1522	/* 1500 + 14 + 4 (VLAN) + 4 (FCS) */
#define IGBVF_FRAME_JUMBO_MAX	9728	/* 82576: 9.5 KiB jumbo frames */

/* ---- advanced descriptors (igbvf vf.h; datasheet "Advanced Receive
 * Descriptors" and "Advanced Transmit Descriptors") ---- */

/* RX, one-buffer "read" format: what the driver posts. */
struct igbvf_rx_desc_read {
	uint64_t pkt_addr;
	uint64_t hdr_addr;	/* unused with one buffer; bit 0 must be 0 */
};

/* RX write-back: what the model writes in its place. */
struct igbvf_rx_desc_wb {
	uint16_t pkt_info;	/* packet type; the model writes 0 */
	uint16_t hdr_info;
	uint32_t rss;
	uint32_t status_error;
	uint16_t length;	/* bytes in this descriptor's buffer */
	uint16_t vlan;		/* stripped tag when IGBVF_RXD_STAT_VP */
};

#define IGBVF_RXD_STAT_DD	0x01u
#define IGBVF_RXD_STAT_EOP	0x02u
#define IGBVF_RXD_STAT_VP	0x08u
#define IGBVF_RXDEXT_STATERR_RXE	0x80000000u

/* TX advanced data descriptor. */
struct igbvf_tx_desc {
	uint64_t buffer_addr;
	uint32_t cmd_type_len;
	uint32_t olinfo_status;	/* write-back: status, DD in bit 0 */
};

/* TX advanced context descriptor (same 16 bytes, DTYP 2). */
struct igbvf_tx_ctx_desc {
	uint32_t vlan_macip_lens;	/* VLAN 31:16, MACLEN 15:9, IPLEN 8:0 */
	uint32_t seqnum_seed;
	uint32_t type_tucmd_mlhl;	/* DEXT, DTYP, TUCMD */
	uint32_t mss_l4len_idx;		/* MSS 31:16, L4LEN 15:8, IDX 6:4 */
};

#define IGBVF_TXD_DTALEN_MASK	0x0000FFFFu
#define IGBVF_TXD_DTYP_MASK	0x00F00000u
#define IGBVF_TXD_DTYP_CTXT	0x00200000u
#define IGBVF_TXD_DTYP_DATA	0x00300000u
#define IGBVF_TXD_DCMD_EOP	0x01000000u
#define IGBVF_TXD_DCMD_IFCS	0x02000000u
#define IGBVF_TXD_DCMD_RS	0x08000000u	/* write back DD */
#define IGBVF_TXD_DCMD_DEXT	0x20000000u	/* advanced format */
#define IGBVF_TXD_DCMD_VLE	0x40000000u	/* insert the context's VLAN */
#define IGBVF_TXD_DCMD_TSE	0x80000000u	/* segmentation */
#define IGBVF_TXD_STAT_DD	0x00000001u
#define IGBVF_TXD_IDX_SHIFT	4		/* olinfo and mss_l4len_idx */
#define IGBVF_TXD_IDX_MASK	0x00000070u
#define IGBVF_TXD_POPTS_IXSM	0x00000100u	/* insert IPv4 checksum */
#define IGBVF_TXD_POPTS_TXSM	0x00000200u	/* insert TCP/UDP checksum */
#define IGBVF_TXD_PAYLEN_SHIFT	14
#define IGBVF_TXCTX_MACLEN_SHIFT	9
#define IGBVF_TXCTX_MACLEN_MASK	0x0000FE00u
#define IGBVF_TXCTX_IPLEN_MASK	0x000001FFu
#define IGBVF_TXCTX_VLAN_SHIFT	16
#define IGBVF_TXCTX_TUCMD_IPV4	0x00000400u
#define IGBVF_TXCTX_TUCMD_L4T_MASK	0x00001800u
#define IGBVF_TXCTX_TUCMD_L4T_UDP	0x00000000u
#define IGBVF_TXCTX_TUCMD_L4T_TCP	0x00000800u
#define IGBVF_TXCTX_TUCMD_L4T_SCTP	0x00001000u
#define IGBVF_TX_CONTEXTS	2	/* context slots per queue: IDX 0, 1 */

_Static_assert(sizeof(struct igbvf_rx_desc_read) == IGBVF_DESC_SIZE,
	       "rx read descriptor is 16 bytes");
_Static_assert(sizeof(struct igbvf_rx_desc_wb) == IGBVF_DESC_SIZE,
	       "rx write-back descriptor is 16 bytes");
_Static_assert(sizeof(struct igbvf_tx_desc) == IGBVF_DESC_SIZE,
	       "tx data descriptor is 16 bytes");
_Static_assert(sizeof(struct igbvf_tx_ctx_desc) == IGBVF_DESC_SIZE,
	       "tx context descriptor is 16 bytes");

/* ---- the shared pages ---- */

/* One RX queue's registers, BAR0 0x2800 + 0x100 * n. */
struct igbvf_rxq_regs {
	uint32_t rdbal;		/* 0x00 guest: ring base, low */
	uint32_t rdbah;		/* 0x04 guest: ring base, high */
	uint32_t rdlen;		/* 0x08 guest: ring bytes */
	uint32_t srrctl;	/* 0x0C guest: buffer size, descriptor type */
	uint32_t rdh;		/* 0x10 model: next descriptor it fills */
	uint32_t dca_rxctrl;	/* 0x14 ignored */
	uint32_t rdt;		/* 0x18 guest: one past the last posted */
	uint32_t rsvd0[3];
	uint32_t rxdctl;	/* 0x28 guest: ENABLE */
	uint32_t rsvd1[53];
};

/* One TX queue's registers, BAR0 0x3800 + 0x100 * n. */
struct igbvf_txq_regs {
	uint32_t tdbal;		/* 0x00 guest */
	uint32_t tdbah;		/* 0x04 guest */
	uint32_t tdlen;		/* 0x08 guest */
	uint32_t rsvd0;
	uint32_t tdh;		/* 0x10 model: next descriptor it reads */
	uint32_t dca_txctrl;	/* 0x14 ignored */
	uint32_t tdt;		/* 0x18 guest: one past the last posted */
	uint32_t rsvd1[3];
	uint32_t txdctl;	/* 0x28 guest: ENABLE */
	uint32_t rsvd2[3];
	uint32_t tdwbal;	/* 0x38 guest: head write-back GPA | enable */
	uint32_t tdwbah;	/* 0x3C guest */
	uint32_t rsvd3[48];
};

/*
 * 0x2000 (reserved on the 82576, reads 0 there; no driver touches it):
 * the model's copy of the VF's interrupt registers as the driver last
 * wrote them (EIMS without the auto-masking since), valid when magic is
 * IGBVF_IRQ_KEEP_MAGIC. The shared pages outlive the model that serves
 * them (a restarted switch binds the VF again with the same pages), and
 * a VF's own MSI-X routing is the VF's, not the PF's: the new model
 * takes it over, so the PF's control message after the rebind reaches
 * the driver as the mailbox interrupt it set up. Only a copy: the guest
 * can write it, and confuses only its own VF (the values are taken as
 * register writes, masked as such).
 */
#define IGBVF_IRQ_KEEP		0x2000
#define IGBVF_IRQ_KEEP_MAGIC	0x4B515249u	/* "IRQK" */

struct igbvf_irq_keep {
	uint32_t magic;
	uint32_t ivar0, ivar_misc, eiac, eiam, eims;
	uint32_t eitr[IGBVF_MSIX_VECTORS];
};

/* BAR0 0x2000-0x3FFF as one structure; offsets relative to 0x2000. */
struct igbvf_shared {
	struct igbvf_irq_keep irq_keep;		/* 0x2000 model */
	uint8_t rsvd0[0x800 - sizeof(struct igbvf_irq_keep)];
	struct igbvf_rxq_regs rxq[2];		/* 0x2800 */
	uint8_t rsvd1[0x500];
	uint32_t poll;				/* 0x2F00 IGBVF_POLL, model */
	uint32_t held;				/* 0x2F04 IGBVF_HELD, model */
	uint8_t rsvd2[0x38];
	uint32_t unmask;			/* 0x2F40 IGBVF_UNMASK, guest */
	uint32_t rx_seen;			/* 0x2F44 IGBVF_RX_SEEN, guest */
	uint8_t rsvd2b[0x8B8];
	struct igbvf_txq_regs txq[2];		/* 0x3800 */
	uint8_t rsvd3[0x600];
};

#define IGBVF_SHARED_AT(off)	((off) - IGBVF_SHARED_OFF)

_Static_assert(sizeof(struct igbvf_rxq_regs) == 0x100, "rx queue block");
_Static_assert(sizeof(struct igbvf_txq_regs) == 0x100, "tx queue block");
_Static_assert(sizeof(struct igbvf_shared) == IGBVF_SHARED_SIZE,
	       "shared area is BAR0 pages 2 and 3");
_Static_assert(__builtin_offsetof(struct igbvf_shared, rxq[0].rdt) ==
	       IGBVF_SHARED_AT(IGBVF_RDT(0)), "RDT");
_Static_assert(__builtin_offsetof(struct igbvf_shared, rxq[0].rxdctl) ==
	       IGBVF_SHARED_AT(IGBVF_RXDCTL(0)), "RXDCTL");
_Static_assert(__builtin_offsetof(struct igbvf_shared, irq_keep) ==
	       IGBVF_SHARED_AT(IGBVF_IRQ_KEEP), "IRQ_KEEP");
_Static_assert(__builtin_offsetof(struct igbvf_shared, poll) ==
	       IGBVF_SHARED_AT(IGBVF_POLL), "POLL");
_Static_assert(__builtin_offsetof(struct igbvf_shared, held) ==
	       IGBVF_SHARED_AT(IGBVF_HELD), "HELD");
_Static_assert(__builtin_offsetof(struct igbvf_shared, unmask) ==
	       IGBVF_SHARED_AT(IGBVF_UNMASK), "UNMASK");
_Static_assert(__builtin_offsetof(struct igbvf_shared, txq[0].tdt) ==
	       IGBVF_SHARED_AT(IGBVF_TDT(0)), "TDT");
_Static_assert(__builtin_offsetof(struct igbvf_shared, txq[0].tdwbah) ==
	       IGBVF_SHARED_AT(IGBVF_TDWBAH(0)), "TDWBAH");
_Static_assert(__builtin_offsetof(struct igbvf_shared, txq[1].tdbal) ==
	       IGBVF_SHARED_AT(IGBVF_TDBAL(1)), "TDBAL(1)");

#endif
