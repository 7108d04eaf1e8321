// SPDX-License-Identifier: MIT
#include "net/netdev.h"

#include <stddef.h>

#include "drivers/igbvf.h"
#include "drivers/pvnet.h"
#include "drivers/tulip.h"
#include "net/failover.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/errno.h"
#include "rt/fmt.h"
#include "rt/string.h"

/* Probe order: the first driver to match a function on bus 0 wins. The
 * pv and vf drivers add their entries here. */
static const struct netdev_driver *const netdev_drivers[] = {
	&tulip_driver,
	&pvnet_driver,
	&igbvf_driver,
};

int netdev_conf_from_cmdline(struct netdev_conf *c)
{
	const char *v;

	memset(c, 0, sizeof(*c));
	c->phy = -1;
	c->intx = true;
	v = cmdline_get("mode");
	if (!v || !strcmp(v, "adaptive"))
		c->mode = NETDEV_MODE_ADAPTIVE;
	else if (!strcmp(v, "poll"))
		c->mode = NETDEV_MODE_POLL;
	else if (!strcmp(v, "irq"))
		c->mode = NETDEV_MODE_IRQ;
	else
		return -EINVAL;
	/* A spin longer than a second is a typo, not a tuning. */
	if (cmdline_get_u64("poll_us", NETDEV_POLL_US_DEF) > 1000000)
		return -EINVAL;
	c->poll_us = (unsigned int)cmdline_get_u64("poll_us",
						   NETDEV_POLL_US_DEF);
	v = cmdline_get("mac");
	if (v) {
		if (mac_parse_unicast(v, c->mac))
			return -EINVAL;
		c->mac_set = true;
	}
	v = cmdline_get("bar");
	if (v && !strcmp(v, "io"))
		c->use_pio = true;
	else if (v && strcmp(v, "mmio"))
		return -EINVAL;
	v = cmdline_get("desc");
	if (v && !strcmp(v, "chain"))
		c->chain = true;
	else if (v && strcmp(v, "ring"))
		return -EINVAL;
	c->rx_ring = (unsigned int)cmdline_get_u64("rx_ring", 0);
	c->tx_ring = (unsigned int)cmdline_get_u64("tx_ring", 0);
	if (cmdline_get("phy"))
		c->phy = (int)cmdline_get_u64("phy", 1) & 31;
	c->intx = cmdline_get_u64("intx", 1) != 0;
	c->rx_zero_copy = cmdline_get_u64("rx_zc", 0) != 0;
	return 0;
}

/* Bus 0's functions, scanned once: by the pool's sizing and the probe. */
static struct pci_dev netdev_devs[PCI_MAX_DEVS];
static int netdev_ndevs = -1;

static int netdev_scan(void)
{
	if (netdev_ndevs < 0)
		netdev_ndevs = pci_scan(netdev_devs, PCI_MAX_DEVS);
	return netdev_ndevs;
}

/* The pv NIC offering PV_F_STANDBY the probe teams with a VF, or NULL. */
static const struct pci_dev *netdev_standby_dev(void)
{
	int n = netdev_scan(), i;

	for (i = 0; i < n; i++)
		if (pvnet_standby_offered(&netdev_devs[i]))
			return &netdev_devs[i];
	return NULL;
}

unsigned int netdev_pool_want(const struct netdev_conf *c)
{
	/* The drivers' default rings are at most 256; the pv device has one
	 * size for both rings, the larger of the two. */
	unsigned int rx = c->rx_ring ? c->rx_ring : 256;
	unsigned int tx = c->tx_ring ? c->tx_ring : 256;
	unsigned int ring = rx > tx ? rx : tx, want;

	if (ring > NETDEV_RING_MAX)
		ring = NETDEV_RING_MAX;
	/* Every RX slot holds a buffer, a full TX ring as many, and the app
	 * holds a few bursts (reflect, the stack's queues) on top; a failover
	 * netdev has two NICs' rings and a backlog (failover.h). */
	want = 2 * ring + 16 * NETDEV_BURST_MAX;
	if (netdev_standby_dev())
		want += 2 * ring + FAILOVER_BACKLOG;
	return want > 4096 ? want : 4096;
}

const char *netdev_mode_name(enum netdev_mode m)
{
	switch (m) {
	case NETDEV_MODE_IRQ:
		return "irq";
	case NETDEV_MODE_ADAPTIVE:
		return "adaptive";
	default:
		return "poll";
	}
}

void netdev_mode_set(struct netdev *nd, const struct netdev_conf *c,
		     bool irq)
{
	nd->mode = irq ? c->mode : NETDEV_MODE_POLL;
	nd->poll_tsc = nd->mode == NETDEV_MODE_ADAPTIVE ?
		       clock_ns_to_tsc((uint64_t)c->poll_us * 1000) : 0;
}

/*
 * A pv NIC offering PV_F_STANDBY is the standby of a VF with its MAC
 * (net/failover.h): probe it, then the VFs until one has that MAC once
 * its reset is done (the PF gives it its address), and team the two. With
 * no such VF the pv NIC runs alone, and its report says why.
 */
static struct netdev *netdev_probe_standby(struct pci_dev *devs, int n,
					   const struct pci_dev *pv,
					   const struct netdev_conf *c,
					   int *err)
{
	struct netdev *sb = pvnet_driver.probe(pv, c, err), *vf;
	const char *why = "no VF";
	int i, e;

	if (!sb)
		return NULL;
	if (!pvnet_standby(sb))
		return sb;
	for (i = 0; i < n; i++) {
		if (!igbvf_driver.match(&devs[i]))
			continue;
		e = 0;
		vf = igbvf_driver.probe(&devs[i], c, &e);
		if (!vf) {
			why = "VF probe failed";
			continue;
		}
		if (memcmp(vf->mac, sb->mac, 6)) {
			why = "no VF with this MAC";
			continue;
		}
		return failover_create(vf, sb, c, err);
	}
	pvnet_standby_alone(sb, why);
	return sb;
}

struct netdev *netdev_probe(const struct netdev_conf *c, int *err)
{
	const struct pci_dev *sb = netdev_standby_dev();
	int n = netdev_scan(), i;
	unsigned int k;

	if (sb)
		return netdev_probe_standby(netdev_devs, n, sb, c, err);
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(netdev_drivers) /
				sizeof(netdev_drivers[0]); k++)
			if (netdev_drivers[k]->match(&netdev_devs[i]))
				return netdev_drivers[k]->probe(
					&netdev_devs[i], c, err);
	*err = -ENODEV;
	return NULL;
}

uint64_t netdev_link_watch(struct netdev *nd)
{
	uint64_t now = clock_tsc();
	struct json j;
	bool up;

	if (!nd->link_period_tsc) {
		uint64_t ms = cmdline_get_u64("link_ms", 0);

		nd->link_period_tsc = ms ? clock_ns_to_tsc(ms * 1000000)
					 : ~0ull;
		nd->link_last = netdev_link(nd);
		nd->link_next_tsc = now;
	}
	if (nd->link_period_tsc == ~0ull)
		return ~0ull;
	if (now < nd->link_next_tsc)
		return nd->link_next_tsc;
	nd->link_next_tsc = now + nd->link_period_tsc;
	up = netdev_link(nd);
	if (up != nd->link_last) {
		nd->link_last = up;
		nd->link_changes++;
		json_begin(&j, "link");
		json_kv_bool(&j, "up", up);
		json_kv_u64(&j, "changes", nd->link_changes);
		json_kv_u64(&j, "t_ms", clock_tsc_to_ns(now) / 1000000);
		json_end(&j);
	}
	return nd->link_next_tsc;
}

void netdev_report(struct netdev *nd, const char *event)
{
	struct json j;

	json_begin(&j, event);
	netdev_report_fields(nd, &j);
	json_end(&j);
}

void netdev_report_fields(struct netdev *nd, struct json *j)
{
	char mac[18], bdf[12];

	json_kv_str(j, "driver", nd->driver);
	json_kv_str(j, "model", nd->model);
	fmt_snprintf(bdf, sizeof(bdf), "%02x:%02x.%x", nd->pci.bdf >> 8,
		     (nd->pci.bdf >> 3) & 0x1f, nd->pci.bdf & 7);
	json_kv_str(j, "bdf", bdf);
	mac_format(nd->mac, mac);
	json_kv_str(j, "mac", mac);
	json_kv_bool(j, "link", netdev_link(nd));
	json_kv_str(j, "mode", netdev_mode_name(nd->mode));
	if (nd->mode == NETDEV_MODE_ADAPTIVE)
		json_kv_u64(j, "poll_us", clock_tsc_to_ns(nd->poll_tsc) / 1000);
	json_kv_str(j, "irq", nd->irq_kind);
	netdev_report_drv(nd, j);
}

void netdev_report_drv(struct netdev *nd, struct json *j)
{
	json_obj_begin(j, "drv");
	if (nd->ops->stats)
		nd->ops->stats(nd, j);
	/* What every driver counts the same way. */
	json_kv_u64(j, "irqs", nd->st.irqs);
	json_kv_u64(j, "sleeps", nd->st.wakeups);
	json_kv_u64(j, "arms", nd->st.arms);
	json_kv_u64(j, "spin_hits", nd->st.spin_hits);
	json_kv_u64(j, "sleep_us", clock_tsc_to_ns(nd->st.sleep_tsc) / 1000);
	json_kv_u64(j, "spin_us", clock_tsc_to_ns(nd->st.spin_tsc) / 1000);
	json_kv_u64(j, "rx_packets", nd->st.rx_packets);
	json_kv_u64(j, "rx_errors", nd->st.rx_errors);
	json_kv_u64(j, "rx_nobuf", nd->st.rx_nobuf);
	json_kv_u64(j, "tx_packets", nd->st.tx_packets);
	json_kv_u64(j, "tx_errors", nd->st.tx_errors);
	json_kv_u64(j, "tx_full", nd->st.tx_full);
	json_obj_end(j);
}
