/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_IGBVF_PRIV_H
#define IOPATH_GUEST_DRIVERS_IGBVF_PRIV_H

/*
 * State shared by the igbvf*.c files (the 82576 VF driver); not for other
 * callers. igbvf.c: PCI, MSI-X, the netdev ops. igbvf_reset.c: reset,
 * MAC and frame size through the mailbox, interrupt registers, the
 * watchdog. igbvf_ring.c: the rings and the data path. igbvf_mbx.c and
 * igbvf_bar.c: trapped registers and the mailbox.
 */
#include <stdbool.h>
#include <stdint.h>

#include "drivers/igbvf_mbx.h"
#include "net/netdev.h"
#include "rt/clock.h"
#include "rt/irq.h"
#include "rt/msi.h"
#include "sriov/igbvf_regs.h"

/* Descriptors per ring: powers of two from 8 (RDLEN/TDLEN come in 128
 * bytes) to NETDEV_RING_MAX; igbvf's own limit is 4096 too. */
#define IGBVF_RING_DEF		256
#define IGBVF_RING_MIN		8
#define IGBVF_RING_MAX		NETDEV_RING_MAX
_Static_assert(IGBVF_RING_MAX * IGBVF_DESC_SIZE <= IGBVF_RING_LEN_MAX,
	       "RDLEN/TDLEN hold the largest ring");

/*
 * Receive buffers: SRRCTL.BSIZEPKT 2 KiB, one buffer per descriptor, a
 * packet buffer's data area posted as is. That area is PKT_DATA_MAX
 * bytes, less than 2 KiB: the NIC writes at most the largest frame we
 * told the PF (SET_LPE, its RLPML) and drops longer ones, which fits.
 * Linux igbvf does the same (a 1522-byte skb behind BSIZEPKT 2 KiB). So
 * that the 2 KiB the NIC is told about never reach our own rings (the
 * model refuses a buffer over them), each ring has a guard in front.
 */
#define IGBVF_RX_BUF_KIB	2
#define IGBVF_RX_BUF_LEN	(IGBVF_RX_BUF_KIB * 1024u)
#define IGBVF_RING_GUARD	128u
_Static_assert(IGBVF_FRAME_DEFAULT_MAX <= PKT_DATA_MAX,
	       "the largest frame fits a packet buffer");
_Static_assert(IGBVF_RX_BUF_LEN - PKT_DATA_MAX <= IGBVF_RING_GUARD,
	       "the guard covers what the 2 KiB buffer claims past ours");

/* RS on the last descriptor of each burst and at least every this many
 * (DPDK's tx_rs_thresh): one DD write-back per group, and the reclaim
 * reads one descriptor per group. */
#define IGBVF_TX_RS_EVERY	32
#define ETH_HLEN		14
#define ETH_ZLEN		60	/* shortest frame without FCS */

/* MSI-X entries, in igbvf's order (igbvf_configure_msix). */
#define IGBVF_VEC_TX		0
#define IGBVF_VEC_RX		1
#define IGBVF_VEC_MBX		2
#define IGBVF_EIM_TX		(1u << IGBVF_VEC_TX)
#define IGBVF_EIM_RX		(1u << IGBVF_VEC_RX)
#define IGBVF_EIM_MBX		(1u << IGBVF_VEC_MBX)
#define IGBVF_EIM_ALL		(IGBVF_EIM_TX | IGBVF_EIM_RX | \
				 IGBVF_EIM_MBX)

/* itr_us=: EITR interval in microseconds (bits 14:2, so up to 8191). 0:
 * every cause interrupts at once; the auto-mask already limits a vector
 * to one interrupt per sleep. */
#define IGBVF_ITR_US_DEF	0
#define IGBVF_ITR_US_MAX	(IGBVF_EITR_INTERVAL_MASK >> \
				 IGBVF_EITR_INTERVAL_SHIFT)

/* igbvf's watchdog period; resets (other than the first) at most this
 * often, so a PF that keeps refusing us does not make a reset storm. */
#define IGBVF_WATCHDOG_MS	2000
/* The period while the VF is up with its link down (its switch away, the
 * VF unplugged, the administrator's link state): the PF's message that
 * ends it may come as an interrupt we could not act on (the registers
 * still answered "no switch" when it came), so look again soon. Two
 * trapped reads a period, only while down. A TX hang is still judged
 * over IGBVF_WATCHDOG_MS. */
#define IGBVF_LINK_DOWN_WD_MS	100
#define IGBVF_RESET_MIN_MS	1000
/* e1000_reset_hw_vf waits 200 x 5 us for RSTI/RSTD to settle; a poll
 * here is a trapped read of tens of microseconds. */
#define IGBVF_RST_TIMEOUT_US	50000

/* The RX descriptor as posted and as written back. */
union igbvf_rx_desc {
	struct igbvf_rx_desc_read read;
	struct igbvf_rx_desc_wb wb;
};

struct igbvf_rxq {
	volatile union igbvf_rx_desc *desc;
	struct pkt **pkt;		/* buffer behind each slot, or NULL */
	uint32_t size, mask;
	uint32_t next;			/* free-running: next to check */
	uint32_t tail;			/* free-running: past posted */
	bool discard;			/* inside a frame without EOP */
};

struct igbvf_txq {
	volatile struct igbvf_tx_desc *desc;
	struct pkt **pkt;
	uint32_t *rs_at;		/* at a group's first slot: its RS
					 * descriptor (free-running) */
	uint32_t size, mask;
	uint32_t prod, clean;		/* free-running */
	uint32_t wd_clean;		/* clean at the last TX check */
	uint64_t wd_tsc;		/* when: every IGBVF_WATCHDOG_MS */
	uint32_t rang_for;		/* IGBVF_POLL when we last rang */
};

/* rang_for before the first doorbell: odd, never a sleeping model's. */
#define IGBVF_RANG_NONE		1u

struct igbvf_stats {
	uint64_t doorbells;		/* EICS <- 0: the VF was idle */
	uint64_t doorbells_saved;	/* tails the polling model saw */
	uint64_t doorbells_pending;	/* asleep, but rung for already */
	uint64_t rearms;		/* EIMS before a sleep, either way */
	uint64_t unmasks_posted;	/* of those, in IGBVF_UNMASK */
	uint64_t irq_vec[IGBVF_MSIX_VECTORS];
	uint64_t resets, reset_fails;
	uint64_t watchdogs;
	uint64_t link_changes;
	uint64_t rx_bad_wb;		/* write-backs failing the checks */
	uint64_t rx_multi;		/* frames over several descriptors */
	uint64_t rx_vlan;		/* frames with a stripped tag (VP) */
	uint64_t rx_buf_unsafe;		/* buffers kept off the ring */
	uint64_t tx_bad_len;		/* refused: runts and giants */
	uint64_t lpe_nacks;
};

struct igbvf {
	struct netdev nd;
	struct igbvf_bar bar;
	volatile struct igbvf_shared *sh;	/* BAR0 + 0x2000: memory */
	struct igbvf_mbx mbx;

	/* what we were asked for */
	bool use_irq;			/* MSI-X routed: irq, adaptive */
	uint32_t itr_us;
	bool conf_mac_set;
	uint8_t conf_mac[6];
	uint16_t max_frame;		/* told to the PF with SET_LPE */

	/* addresses */
	bool perm_valid;		/* the PF's VF_RESET reply had one */
	uint8_t perm_mac[6];
	bool mac_refused;		/* SET_MAC_ADDR NACKed */
	const char *mac_source;		/* "pf", "cmdline", "random" */

	struct igbvf_rxq rx;
	struct igbvf_txq tx;

	/* interrupts */
	struct msix msix;
	unsigned int cpu_vec[IGBVF_MSIX_VECTORS];
	volatile uint32_t fired;	/* vectors taken, by the callback */
	uint32_t eims_on;		/* enabled, not auto-masked since; the
					 * mailbox's always, once up */

	/* state */
	bool up;			/* reset and configured */
	bool link_up;
	uint64_t wd_next_tsc, wd_period_tsc, wd_down_tsc;
	uint64_t last_reset_tsc, reset_min_tsc;
	const char *last_reset_why;
	struct igbvf_stats st;
};

static inline struct igbvf *igbvf_of(struct netdev *nd)
{
	return (struct igbvf *)nd;
}

/* ---- pure helpers (unit-tested on the host) ---- */

/* Ring size for a request (0: @def): a power of two in range. */
static inline uint32_t igbvf_ring_round(unsigned int want, unsigned int def)
{
	uint32_t n = IGBVF_RING_MIN;

	if (want == 0)
		want = def;
	while (n < want && n < IGBVF_RING_MAX)
		n <<= 1;
	return n;
}

/* Advanced TX data descriptor, one buffer holding the whole frame. */
static inline uint32_t igbvf_tx_cmd(uint16_t len)
{
	return IGBVF_TXD_DTYP_DATA | IGBVF_TXD_DCMD_DEXT |
	       IGBVF_TXD_DCMD_IFCS | IGBVF_TXD_DCMD_EOP | len;
}

/* PAYLEN: the frame's length in its first descriptor (datasheet,
 * advanced transmit data descriptor; igbvf_tx_queue_adv). */
static inline uint32_t igbvf_tx_olinfo(uint16_t len)
{
	return (uint32_t)len << IGBVF_TXD_PAYLEN_SHIFT;
}

/* SRRCTL: one buffer of IGBVF_RX_BUF_KIB per descriptor, drop when out
 * of buffers (igbvf_setup_srrctl for its 1522-byte buffers). */
static inline uint32_t igbvf_srrctl(void)
{
	return IGBVF_SRRCTL_DROP_EN | IGBVF_SRRCTL_DESCTYPE_ADV_ONEBUF |
	       IGBVF_RX_BUF_KIB;
}

/* IVAR0: TX queue 0 and RX queue 0 to their vectors (igbvf_assign_vector). */
static inline uint32_t igbvf_ivar0(void)
{
	return (IGBVF_VEC_RX | IGBVF_IVAR_VALID) << IGBVF_IVAR_RX0_SHIFT |
	       (IGBVF_VEC_TX | IGBVF_IVAR_VALID) << IGBVF_IVAR_TX0_SHIFT;
}

static inline uint32_t igbvf_eitr(uint32_t us)
{
	return (us << IGBVF_EITR_INTERVAL_SHIFT) & IGBVF_EITR_INTERVAL_MASK;
}

/* What an RX write-back says about the frame in its buffer. */
enum igbvf_rx_verdict {
	IGBVF_RX_OK,		/* a whole frame of @len bytes */
	IGBVF_RX_PART,		/* not the last buffer of its frame */
	IGBVF_RX_BAD,		/* error bit, or a length not allowed */
};

static inline enum igbvf_rx_verdict igbvf_rx_check(uint32_t staterr,
						   uint16_t len,
						   uint16_t max_frame)
{
	if (!(staterr & IGBVF_RXD_STAT_EOP))
		return IGBVF_RX_PART;
	if ((staterr & IGBVF_RXDEXT_STATERR_RXE) || len < ETH_HLEN ||
	    len > max_frame)
		return IGBVF_RX_BAD;
	return IGBVF_RX_OK;
}

/* TX descriptors in flight, and room for more (one slot stays empty:
 * head == tail means an empty ring to the NIC). */
static inline uint32_t igbvf_tx_inflight(const struct igbvf_txq *t)
{
	return t->prod - t->clean;
}

static inline uint32_t igbvf_tx_room(const struct igbvf_txq *t)
{
	return t->size - 1 - igbvf_tx_inflight(t);
}

/* ---- igbvf_ring.c ---- */

int igbvf_rings_alloc(struct igbvf *v, unsigned int rx, unsigned int tx);
/* After a reset: TX buffers freed, indices 0, queues programmed and
 * enabled in the datasheet's order, RX buffers posted. */
void igbvf_rings_start(struct igbvf *v);
/* Frees what the NIC has sent; returns how many. */
uint32_t igbvf_tx_reclaim(struct igbvf *v);
uint16_t igbvf_rx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n);
uint16_t igbvf_tx_burst(struct netdev *nd, struct pkt **pkts, uint16_t n);
int igbvf_ready(struct netdev *nd);

/* ---- igbvf_reset.c ---- */

/*
 * Everything after PCI (v->bar, v->sh and v->use_irq set): the settings
 * from @c, the rings, then the first reset. 0 or -errno.
 */
int igbvf_start(struct igbvf *v, const struct netdev_conf *c,
		uint32_t itr_us);

/*
 * CTRL.RST, the VF_RESET handshake, the MAC (the PF's, mac= or a random
 * one, with SET_MAC_ADDR), SET_LPE, the rings, the interrupt registers.
 * 0, or -ETIMEDOUT / -EIO (the VF stays down; the watchdog retries).
 */
int igbvf_reset(struct igbvf *v, const char *why);
/* Link, RSTI, PF messages; resets when the VF needs it. */
void igbvf_watchdog(struct igbvf *v);
/* An MSI-X entry's interrupt came (igbvf.c's callback). */
void igbvf_irq_note(struct igbvf *v, unsigned int entry);
/* When the watchdog runs next, from @now: sooner while the link is down. */
void igbvf_wd_schedule(struct igbvf *v, uint64_t now);
/* netdev_wait's arm: enable the vectors a sleep waits for. */
void igbvf_arm(struct netdev *nd, int events);
/* STATUS.LU (one trapped read), false while the VF is down. */
bool igbvf_link_read(struct igbvf *v);

/*
 * Everything off the per-packet path that the data path must not miss:
 * interrupts taken (RAM only) and, on a mailbox interrupt or every
 * IGBVF_WATCHDOG_MS, the watchdog (a few trapped accesses). A mailbox
 * interrupt is taken here too, not only when netdev_wait() polls before
 * a sleep: a driver kept busy by its app (or one that never sleeps)
 * hears the PF (a reset, its link, an unplug) at its next burst, not at
 * its next watchdog. irq_take reads one word of RAM when nothing came.
 */
void igbvf_irq_collect(struct igbvf *v);

/* Between the steps of a reset: the owner's busy_hook (netdev.h). */
static inline void igbvf_busy(struct igbvf *v)
{
	if (v->nd.busy_hook)
		v->nd.busy_hook(v->nd.busy_arg);
}

static inline void igbvf_service(struct igbvf *v)
{
	if (v->use_irq)
		irq_take(v->cpu_vec[IGBVF_VEC_MBX]);
	if (v->fired)
		igbvf_irq_collect(v);
	if (clock_tsc() >= v->wd_next_tsc)
		igbvf_watchdog(v);
}

#endif
