/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_NET_NETDEV_H
#define IOPATH_GUEST_NET_NETDEV_H

/*
 * One network device interface for every guest NIC driver (emu 21140,
 * pv rings, SR-IOV VF): apps and the IPv4 stack call these and never know
 * which path they run on.
 *
 *   struct netdev_conf c;
 *   netdev_conf_from_cmdline(&c);
 *   struct netdev *nd = netdev_probe(&c);      first supported NIC on PCI
 *   n = netdev_rx_burst(nd, pkts, 32);         0..32 frames, now the caller's
 *   n = netdev_tx_burst(nd, pkts, k);          0..k frames taken by the driver
 *   netdev_wait(nd, deadline_tsc, NETDEV_EV_RX);  until a frame or the time
 *
 * Burst calls return the count handled (DPDK's rte_eth_rx/tx_burst
 * contract): tx_burst takes the first n buffers it returns and leaves the
 * rest with the caller. Drivers must keep register accesses (VM exits, tens
 * of microseconds each here) out of the per-packet path: one doorbell per
 * burst at most, completions read from descriptors in RAM.
 *
 * Modes (netdev_wait.c runs the one wait loop for every driver):
 *   NETDEV_MODE_POLL      never enables device interrupts; wait() spins on
 *                         the rings in RAM until the deadline.
 *   NETDEV_MODE_IRQ       wait() lets the device interrupt (MSI, or what
 *                         the driver can do) and sleeps in irq_wait_until()
 *                         as soon as the rings are idle.
 *   NETDEV_MODE_ADAPTIVE  (default) as Linux NAPI: the app polls the rings
 *                         while frames keep coming (bursts return frames,
 *                         no wait, no interrupt); once they run dry wait()
 *                         spins for poll_us more, then arms the interrupt
 *                         and sleeps as in irq mode. A deadline too near
 *                         for the timer (NETDEV_SLEEP_MIN_US) is spun to,
 *                         not slept to.
 * A driver with no interrupt to offer runs in poll mode whatever was asked;
 * nd->mode says which mode it really runs in.
 */
#include <stdbool.h>
#include <stdint.h>

#include "base/mac.h"	/* one MAC syntax for host and guest */
#include "net/pkt.h"
#include "rt/clock.h"
#include "rt/json.h"
#include "rt/pci.h"

#define NETDEV_BURST_MAX	64
#define NETDEV_RING_MAX		4096	/* rx_ring=, tx_ring= */

enum netdev_mode {
	NETDEV_MODE_POLL,
	NETDEV_MODE_IRQ,
	NETDEV_MODE_ADAPTIVE,
};

/*
 * Adaptive mode's spin on dry rings before sleeping, unless poll_us= says
 * otherwise. 0, as NAPI re-enables interrupts as soon as a poll comes back
 * short: on this 2-core host a 5-20 us spin never raised what a sink
 * received and lowered it at saturation, since the CPU it holds is the one
 * the switch or the sender needs (guests/README.md, "Adaptive mode"). A
 * host with idle cores may want some.
 */
#define NETDEV_POLL_US_DEF	0
/*
 * The shortest sleep worth taking: LAPIC timer periods under 200 us are
 * clamped to 200 us and a wake-up costs tens of microseconds
 * (MACHINE-NOTES.md), so a nearer deadline is spun to.
 */
#define NETDEV_SLEEP_MIN_US	250

/* What wait() waits for and saw (bits); 0 at the deadline. */
#define NETDEV_EV_RX		0x1	/* a received frame is ready */
#define NETDEV_EV_TX		0x2	/* TX descriptors were completed */

struct netdev_conf {
	enum netdev_mode mode;
	bool mac_set;		/* mac= overrides the NIC's own address */
	uint8_t mac[6];
	bool use_pio;		/* bar=io: CSRs through the I/O BAR */
	bool chain;		/* desc=chain: chained descriptors (21140) */
	unsigned int rx_ring;	/* descriptors; 0: the driver's default */
	unsigned int tx_ring;
	int phy;		/* MII PHY address, -1: scan */
	bool intx;		/* irq mode without MSI: allowed to use INTx */
	bool rx_zero_copy;	/* rx_zc=1: swap buffers instead of copying */
	unsigned int poll_us;	/* adaptive: spin this long before sleeping */
};

struct netdev;

struct netdev_ops {
	uint16_t (*rx_burst)(struct netdev *nd, struct pkt **pkts, uint16_t n);
	uint16_t (*tx_burst)(struct netdev *nd, struct pkt **pkts, uint16_t n);
	/* true if the link is up; may cost register accesses: not per packet */
	bool (*link)(struct netdev *nd);
	/* The link as the driver last saw it, from RAM, cheap enough per
	 * burst (the failover netdev follows its primary by it); NULL: the
	 * driver keeps no such view. */
	bool (*link_cached)(struct netdev *nd);
	/*
	 * The wait loop's three callbacks (netdev_wait.c). ready: the
	 * NETDEV_EV_* ready now, reclaiming TX completions; RAM only, no
	 * register access. arm: about to sleep for @events - let the device
	 * interrupt when one happens (the loop calls ready() once more
	 * after it, so an event that raced the arming is not slept
	 * through). disarm (may be NULL): awake and busy again, interrupts
	 * unwanted.
	 */
	int (*ready)(struct netdev *nd);
	void (*arm)(struct netdev *nd, int events);
	void (*disarm)(struct netdev *nd);
	/* Driver counters into an open JSON object (register accesses,
	 * interrupts, errors). */
	/* The driver's own counters; the generic ones (st) are added by
	 * netdev_report_drv(). */
	void (*stats)(struct netdev *nd, struct json *j);
};

struct netdev_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_nobuf;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_full;
	uint64_t irqs;			/* device interrupts taken */
	uint64_t wakeups;		/* sleeps in wait() ("sleeps") */
	uint64_t spin_hits;		/* waits ended by an event while
					 * spinning, in irq or adaptive mode */
	uint64_t arms;			/* times wait() armed the device */
	uint64_t sleep_tsc;		/* time asleep in wait() */
	uint64_t spin_tsc;		/* time spun in wait() */
};

struct netdev {
	const struct netdev_ops *ops;
	const char *driver;		/* "tulip" */
	const char *model;		/* "21140A", "21143" */
	uint8_t mac[6];			/* the address in use */
	enum netdev_mode mode;		/* what it runs in (see above) */
	const char *irq_kind;		/* "msi", "intx", "none" */
	uint64_t poll_tsc;		/* adaptive: spin budget in wait() */
	struct pci_dev pci;
	struct netdev_stats st;
	void *priv;
	/* The stack's IPv4 address (host order; 0: none), for a driver that
	 * announces the host itself (failover.h: gratuitous ARP). */
	uint32_t ipv4;
	/* netdev_link_watch(): period (0: not read yet, ~0: off), next
	 * look, the link last seen and how often it changed. */
	uint64_t link_period_tsc, link_next_tsc;
	bool link_last;
	uint32_t link_changes;
	/* Set by a failover netdev on its members: a driver that blocks
	 * for long without taking frames (igbvf's reset: mailbox waits,
	 * trapped accesses) calls it between its steps, so the other
	 * member's RX ring is still drained. NULL: nobody asked. */
	void (*busy_hook)(void *arg);
	void *busy_arg;
};

/* A driver: PCI IDs it takes and a constructor (NULL + errno-style code
 * in *err). */
struct netdev_driver {
	const char *name;
	bool (*match)(const struct pci_dev *d);
	struct netdev *(*probe)(const struct pci_dev *d,
				const struct netdev_conf *c, int *err);
};

/*
 * Reads the common parameters: mode=adaptive|poll|irq, poll_us=, mac=02:...,
 * bar=io|mmio, desc=ring|chain, rx_ring=, tx_ring= (up to NETDEV_RING_MAX),
 * phy=, intx=0|1, rx_zc=0|1. -EINVAL on a malformed value.
 */
int netdev_conf_from_cmdline(struct netdev_conf *c);
/* Packet buffers the rings of @c need, with room for the app's bursts:
 * what pool= defaults to. */
unsigned int netdev_pool_want(const struct netdev_conf *c);
/* The first PCI function some driver in the probe table takes; NULL and
 * *err (-ENODEV when nothing matched). A pv NIC offering PV_F_STANDBY
 * goes first: the failover netdev over it and the VF with its MAC
 * (net/failover.h), or that pv NIC alone when there is no such VF. */
struct netdev *netdev_probe(const struct netdev_conf *c, int *err);
/* {"event":"netdev","driver":...,"mac":...,"link":...,...} */
void netdev_report(struct netdev *nd, const char *event);
/* Its fields, into an object the caller opened (a failover's members). */
void netdev_report_fields(struct netdev *nd, struct json *j);
/* The "drv" object: the driver's counters, then the generic ones. */
void netdev_report_drv(struct netdev *nd, struct json *j);
/*
 * link_ms=N (0, the default: off): an app's loop calls this; every N ms
 * it reads the link (register accesses: exits, so not per packet) and
 * prints {"event":"link","up":false,"changes":1,"t_ms":..} when the link
 * changed since the last look. Returns the TSC of the next look, for the
 * loop's sleep deadline (~0 when off).
 */
uint64_t netdev_link_watch(struct netdev *nd);
/* Mode for the JSON records: "poll", "irq", "adaptive". */
const char *netdev_mode_name(enum netdev_mode m);
/* Mode from an interrupt set-up: what was asked if the device can
 * interrupt (@irq), else poll. Also sets the spin budget. */
void netdev_mode_set(struct netdev *nd, const struct netdev_conf *c,
		     bool irq);
/*
 * Until one of @events (NETDEV_EV_*) is ready or the TSC reaches
 * deadline_tsc: spins, sleeps or both as nd->mode says. Returns the
 * NETDEV_EV_* ready (possibly more than asked), 0 at the deadline. Reclaims
 * TX completions on the way. TX waits for completions, i.e. room in a full
 * TX ring.
 */
int netdev_wait(struct netdev *nd, uint64_t deadline_tsc, int events);

/*
 * For a driver's rx_burst: @p of @len bytes is the caller's now. Stamps
 * it with the burst's receive time (*@now, read once per burst on the
 * first frame) and counts its bytes. Returns @p.
 */
static inline struct pkt *netdev_rx_take(struct netdev *nd, struct pkt *p,
					 uint16_t len, uint64_t *now)
{
	if (!*now)
		*now = clock_tsc();
	p->len = len;
	p->rx_tsc = *now;
	nd->st.rx_bytes += len;
	return p;
}

static inline uint16_t netdev_rx_burst(struct netdev *nd, struct pkt **p,
				       uint16_t n)
{
	return nd->ops->rx_burst(nd, p, n);
}

static inline uint16_t netdev_tx_burst(struct netdev *nd, struct pkt **p,
				       uint16_t n)
{
	return nd->ops->tx_burst(nd, p, n);
}

static inline bool netdev_link(struct netdev *nd)
{
	return nd->ops->link(nd);
}

#endif
