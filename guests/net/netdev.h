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
 *   netdev_wait(nd, deadline_tsc);             sleep or spin until something
 *
 * Burst calls return the count handled (DPDK's rte_eth_rx/tx_burst
 * contract): tx_burst takes the first n buffers it returns and leaves the
 * rest with the caller. Drivers must keep register accesses (VM exits, tens
 * of microseconds each here) out of the per-packet path: one doorbell per
 * burst at most, completions read from descriptors in RAM.
 *
 * Modes: NETDEV_MODE_POLL never enables device interrupts and wait() spins
 * on the rings in RAM; NETDEV_MODE_IRQ enables RX and TX-completion
 * interrupts (MSI, or what the driver can do) and wait() sleeps in
 * irq_wait_until() when the rings are idle.
 */
#include <stdbool.h>
#include <stdint.h>

#include "net/pkt.h"
#include "rt/json.h"
#include "rt/pci.h"

#define NETDEV_BURST_MAX	64

enum netdev_mode {
	NETDEV_MODE_POLL,
	NETDEV_MODE_IRQ,
};

/* What wait() saw (bits), 0 at the deadline. */
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
};

struct netdev;

struct netdev_ops {
	uint16_t (*rx_burst)(struct netdev *nd, struct pkt **pkts, uint16_t n);
	uint16_t (*tx_burst)(struct netdev *nd, struct pkt **pkts, uint16_t n);
	/* true if the link is up; may cost register accesses: not per packet */
	bool (*link)(struct netdev *nd);
	/* NETDEV_EV_* seen, or 0 at deadline_tsc. Reclaims TX completions. */
	int (*wait)(struct netdev *nd, uint64_t deadline_tsc);
	/* Driver counters into an open JSON object (register accesses,
	 * interrupts, errors). */
	/* The driver's own counters; the generic ones (st) are added by
	 * netdev_report_drv(). */
	void (*stats)(struct netdev *nd, struct json *j);
};

struct netdev_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_nobuf;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_full;
	uint64_t irqs, wakeups;
};

struct netdev {
	const struct netdev_ops *ops;
	const char *driver;		/* "tulip" */
	const char *model;		/* "21140A", "21143" */
	uint8_t mac[6];			/* the address in use */
	enum netdev_mode mode;
	const char *irq_kind;		/* "msi", "intx", "none" */
	struct pci_dev pci;
	struct netdev_stats st;
	void *priv;
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
 * Reads the common parameters: mode=poll|irq, mac=02:..., bar=io|mmio,
 * desc=ring|chain, rx_ring=, tx_ring=, phy=, intx=0|1, rx_zc=0|1. -EINVAL on a
 * malformed value.
 */
int netdev_conf_from_cmdline(struct netdev_conf *c);
/* The first PCI function some driver in the probe table takes; NULL and
 * *err (-ENODEV when nothing matched). */
struct netdev *netdev_probe(const struct netdev_conf *c, int *err);
/* {"event":"netdev","driver":...,"mac":...,"link":...,...} */
void netdev_report(struct netdev *nd, const char *event);
/* The "drv" object: the driver's counters, then the generic ones. */
void netdev_report_drv(struct netdev *nd, struct json *j);
/* "02:00:00:00:00:01" into mac; -EINVAL if malformed. */
int netdev_mac_parse(const char *s, uint8_t mac[6]);
void netdev_mac_format(const uint8_t mac[6], char out[18]);

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

static inline int netdev_wait(struct netdev *nd, uint64_t deadline_tsc)
{
	return nd->ops->wait(nd, deadline_tsc);
}

#endif
