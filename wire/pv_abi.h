/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_WIRE_PV_ABI_H
#define IOPATH_WIRE_PV_ABI_H

/*
 * The pv NIC's guest ABI (wire/PV-RINGS.md), shared by the guest
 * driver, the VMM's PCI device and the switch's backend. Freestanding:
 * only <stdint.h>. Modelled on Xen's netif: one TX and one RX ring per
 * queue in guest memory, free-running 32-bit indices, slots that hold a
 * request and are then overwritten by its response, and req_event /
 * rsp_event notification suppression; event channels are numbered ports
 * with pending and mask bits in a shared event page.
 *
 * The device: PCI 6970:0001 (iopath's lab vendor), class 0x020000.
 *   BAR0  4 KiB MMIO setup registers (trapped; used at set-up only)
 *   BAR2  4 KiB MMIO notify page: a 32-bit write of a port number to
 *         PV_NOTIFY_OFF is caught by KVM (ioeventfd), no userspace exit
 *   BAR4  4 KiB MMIO MSI-X table (0) and PBA (2048); vector v raises
 *         the interrupt bound to event-channel port v (PV_REG_EVT_BIND)
 *
 * Memory ordering (x86 is TSO, so these are compiler barriers there, but
 * the protocol states them for any reader):
 *   producer: write the slot(s); release barrier; write *_prod; full
 *             barrier; read *_event to decide whether to notify.
 *   consumer: read *_prod; acquire barrier; read slots; ...; write
 *             *_event = cons + 1; full barrier; re-read *_prod (the
 *             final check) before sleeping.
 *   events:   sender sets pending (atomic OR), full barrier, reads mask,
 *             signals unless masked. Receiver clears pending with an
 *             atomic exchange before handling the port.
 */

#include <stdint.h>

#define PV_VENDOR_ID		0x6970
#define PV_DEVICE_ID		0x0001
#define PV_MAGIC		0x544e5650u	/* "PVNT" */
#define PV_VERSION		1

/* BAR0 registers (32-bit unless marked 64; 64-bit ones as lo/hi dwords). */
#define PV_REG_MAGIC		0x00	/* RO PV_MAGIC */
#define PV_REG_VERSION		0x04	/* RO PV_VERSION */
#define PV_REG_DEV_FEATURES	0x08	/* RO PV_F_* the device offers */
#define PV_REG_DRV_FEATURES	0x0c	/* RW PV_F_* the driver accepts */
#define PV_REG_MAC_LO		0x10	/* RO bytes 0..3 */
#define PV_REG_MAC_HI		0x14	/* RO bytes 4..5 */
#define PV_REG_MTU		0x18	/* RO, L3 MTU (1500) */
#define PV_REG_MAX_QUEUES	0x1c	/* RO queue pairs the device has */
#define PV_REG_NUM_QUEUES	0x20	/* RW queue pairs in use (1..max) */
#define PV_REG_QUEUE_SEL	0x24	/* RW: which pair the next five set */
#define PV_REG_RING_SIZE	0x28	/* RW slots per ring, power of two */
#define PV_REG_TX_RING		0x30	/* RW 64: GPA of the TX ring page */
#define PV_REG_RX_RING		0x38	/* RW 64: GPA of the RX ring page */
#define PV_REG_TX_PORT		0x40	/* RW event port for TX (both ways) */
#define PV_REG_RX_PORT		0x44	/* RW event port for RX (both ways) */
#define PV_REG_EVT_PAGE		0x48	/* RW 64: GPA of the event page */
#define PV_REG_EVT_BIND		0x50	/* WO: port << 16 | vector; bind */
#define PV_REG_EVT_UNBIND	0x54	/* WO: port; unbind */
#define PV_REG_STATUS		0x58	/* RW PV_S_* */
#define PV_REG_ERROR		0x5c	/* RO PV_E_* why DEVICE_ERROR */

#define PV_NOTIFY_OFF		0x00	/* BAR2: write a port number here */
#define PV_MSIX_TABLE_OFF	0
#define PV_MSIX_PBA_OFF		2048
#define PV_MSIX_VECTORS		8

/* Features */
#define PV_F_MAC		(1u << 0)	/* MAC in MAC_LO/HI */
#define PV_F_MQ			(1u << 1)	/* more than one queue pair */
#define PV_F_EVENT_IDX		(1u << 2)	/* req/rsp_event honoured */
/*
 * This NIC is the standby of a passed-through VF with the same MAC
 * (virtio's VIRTIO_NET_F_STANDBY, Linux net_failover): the driver teams
 * the two, active-backup, the VF preferred while its link is up, so the
 * VF can leave for a migration and a fresh one join on the destination.
 */
#define PV_F_STANDBY		(1u << 3)

/* Status: the driver writes DRIVER_OK once rings and ports are set;
 * 0 resets the device (rings forgotten, ports unbound). */
#define PV_S_DRIVER_OK		(1u << 0)
#define PV_S_LINK_UP		(1u << 1)	/* RO */
#define PV_S_DEVICE_ERROR	(1u << 2)	/* RO: see PV_REG_ERROR */

#define PV_E_NONE		0
#define PV_E_BAD_CONFIG		1	/* ring size, GPA or port invalid */
#define PV_E_BAD_REQUEST	2	/* a request the backend refused */
#define PV_E_RING_OVERRUN	3	/* producer index jumped too far */
#define PV_E_BACKEND_GONE	4	/* the switch went away */

#define PV_RING_MIN		32
#define PV_RING_MAX		4096
#define PV_EVT_PORTS		64	/* ports 0..63 */
#define PV_BUF_MAX		2048	/* largest buffer a slot may name */
#define PV_FRAME_MAX		1518	/* without FCS, one VLAN tag */

/* The ring page header: indices on separate cache lines. */
struct pv_ring_hdr {
	uint32_t req_prod;	/* front end (guest) writes */
	uint32_t req_event;	/* back end writes: notify when req_prod passes */
	uint8_t pad0[56];
	uint32_t rsp_prod;	/* back end writes */
	uint32_t rsp_event;	/* front end writes: notify when rsp_prod passes */
	uint8_t pad1[56];
};

/* TX: the guest sends the frame in [gpa, gpa+len). */
struct pv_tx_req {
	uint64_t gpa;
	uint16_t len;		/* 14..PV_FRAME_MAX */
	uint16_t flags;		/* reserved, 0 */
	uint16_t id;		/* echoed in the response */
	uint16_t reserved;
};
struct pv_tx_rsp {
	uint16_t id;
	int16_t status;		/* PV_RSP_* */
	uint32_t reserved[3];
};

/* RX: the guest offers a buffer; the response says what landed in it. */
struct pv_rx_req {
	uint64_t gpa;
	uint16_t len;		/* buffer size, 64..PV_BUF_MAX */
	uint16_t flags;		/* reserved, 0 */
	uint16_t id;
	uint16_t reserved;
};
struct pv_rx_rsp {
	uint16_t id;
	int16_t status;		/* PV_RSP_* */
	uint16_t len;		/* frame bytes written */
	uint16_t flags;		/* reserved */
	uint32_t reserved[2];
};

#define PV_RSP_OKAY		0
#define PV_RSP_ERROR		-1	/* bad request (address, length) */
#define PV_RSP_DROPPED		-2	/* frame dropped (switch full) */

union pv_tx_slot {
	struct pv_tx_req req;
	struct pv_tx_rsp rsp;
};
union pv_rx_slot {
	struct pv_rx_req req;
	struct pv_rx_rsp rsp;
};

/*
 * A ring: one page-aligned region, the header then ring_size slots.
 * Total bytes: PV_RING_BYTES(size).
 */
#define PV_RING_BYTES(size)	(sizeof(struct pv_ring_hdr) + \
				 (uint64_t)(size) * 16)

/* The event page: one 4 KiB page in guest memory. */
struct pv_evt_page {
	uint64_t pending;	/* bit p: port p has an event */
	uint64_t mask;		/* bit p: do not interrupt for port p */
	uint8_t reserved[4096 - 16];
};

_Static_assert(sizeof(struct pv_ring_hdr) == 128, "pv ring header ABI");
_Static_assert(sizeof(union pv_tx_slot) == 16, "pv tx slot ABI");
_Static_assert(sizeof(union pv_rx_slot) == 16, "pv rx slot ABI");
_Static_assert(sizeof(struct pv_evt_page) == 4096, "pv event page ABI");

/*
 * Notify decision, shared by both sides: after moving a producer index
 * from @old to @new, notify iff the consumer's @event lies in (old, new].
 * Unsigned wrap-around arithmetic, as in Xen's RING_PUSH_*_AND_CHECK_NOTIFY.
 */
static inline int pv_need_notify(uint32_t event, uint32_t old, uint32_t new_)
{
	return (uint32_t)(new_ - event) < (uint32_t)(new_ - old);
}

#endif
