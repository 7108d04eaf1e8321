// SPDX-License-Identifier: MIT
/*
 * Uplinks: any DPDK ethdev created from a vdev string with rte_vdev_init()
 * ("net_af_packet0,iface=veth0", "net_tap0,iface=tap0", "net_pcap0,..."),
 * so a real NIC's PMD would be driven the same way. One rx and one tx
 * queue, promiscuous (a switch port receives every frame).
 *
 * The kernel interface behind the PMD, when the vdev names one with
 * iface=, is what the link watcher follows (the PMD's own link status is
 * not trustworthy for af_packet in 22.11). net_vhost also takes iface=,
 * but as a vhost-user socket path: a value with a '/' (never valid in a
 * kernel interface name) is not a kernel interface, and such an uplink's
 * link is the PMD's, polled (sw_linkwatch.c): a vhost port is down until
 * its virtio peer connects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define LOG_SUBSYS "uplink"
#include "base/log.h"
#include "vswitch/sw.h"

#define SW_RX_DESC	1024
#define SW_TX_DESC	1024

/* ---- the uplink port kind ---- */

static unsigned sw_uplink_rx(struct sw_port *p, struct rte_mbuf **pkts,
			     unsigned n)
{
	const struct sw_uplink *u = p->priv;

	return rte_eth_rx_burst(u->eth_port, 0, pkts, (uint16_t)n);
}

static unsigned sw_uplink_tx(struct sw_port *p, struct rte_mbuf **pkts,
			     unsigned n)
{
	const struct sw_uplink *u = p->priv;

	return rte_eth_tx_burst(u->eth_port, 0, pkts, (uint16_t)n);
}

static void sw_uplink_json(struct sw_port *p, json_t *o)
{
	const struct sw_uplink *u = p->priv;

	json_object_set_new(o, "vdev", json_string(u->vdev));
	json_object_set_new(o, "ifname", json_string(u->ifname));
	json_object_set_new(o, "eth_port", json_integer(u->eth_port));
}

static void sw_uplink_destroy(struct sw_port *p)
{
	struct sw_uplink *u = p->priv;

	if (u) {
		sw_uplink_release(u);
		free(u);
	}
	free(p);
}

/* Its link: sw_linkwatch.c follows the kernel interface or the PMD. */
static const struct sw_port_ops sw_uplink_ops = {
	.kind = "uplink",
	.rx_burst = sw_uplink_rx,
	.tx_burst = sw_uplink_tx,
	.json = sw_uplink_json,
	.kernel_link = sw_linkwatch_uplink_kernel,
	.poll_link = sw_linkwatch_uplink_poll,
	.destroy = sw_uplink_destroy,
};

struct sw_uplink *sw_uplink_of(struct sw_port *p)
{
	return p->ops == &sw_uplink_ops ? p->priv : NULL;
}

/* ---- the ethdev underneath (also a team's members) ---- */

/* The value of "iface=" in a vdev argument list, if any. */
static void sw_vdev_ifname(const char *args, char *ifname, size_t len)
{
	const char *p = args;

	ifname[0] = '\0';
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 6 && strncmp(p, "iface=", 6) == 0 && n - 6 < len &&
		    !memchr(p + 6, '/', n - 6)) {
			memcpy(ifname, p + 6, n - 6);
			ifname[n - 6] = '\0';
			return;
		}
		p = end ? end + 1 : NULL;
	}
}

int sw_uplink_probe(struct sw_uplink *u, const char *vdev)
{
	const char *comma;
	size_t n;
	int ret;

	memset(u, 0, sizeof(*u));
	if (strlen(vdev) >= sizeof(u->vdev))
		return -ENAMETOOLONG;
	snprintf(u->vdev, sizeof(u->vdev), "%s", vdev);
	comma = strchr(vdev, ',');
	n = comma ? (size_t)(comma - vdev) : strlen(vdev);
	if (n == 0 || n >= sizeof(u->devname))
		return -EINVAL;
	memcpy(u->devname, vdev, n);
	u->devname[n] = '\0';
	sw_vdev_ifname(comma ? comma + 1 : "", u->ifname, sizeof(u->ifname));

	ret = rte_vdev_init(u->devname, comma ? comma + 1 : "");
	if (ret < 0 || rte_eth_dev_get_port_by_name(u->devname,
						    &u->eth_port) != 0) {
		if (ret >= 0)
			rte_vdev_uninit(u->devname);
		u->devname[0] = '\0';
		return ret < 0 ? ret : -ENODEV;
	}
	if (u->ifname[0])
		u->kernel_up = sw_linkwatch_query(u->ifname) == 1;
	return 0;
}

void sw_uplink_release(struct sw_uplink *u)
{
	int ret;

	if (!u->devname[0])
		return;
	ret = rte_eth_dev_stop(u->eth_port);
	if (ret < 0 && ret != -ENODEV)
		log_warn("%s: stop: %s", u->devname, strerror(-ret));
	rte_eth_dev_close(u->eth_port);
	rte_vdev_uninit(u->devname);
	u->devname[0] = '\0';
}

int sw_ethdev_start(struct sw *sw, uint16_t eth_port)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nrx = SW_RX_DESC, ntx = SW_TX_DESC;
	int socket = rte_eth_dev_socket_id(eth_port);
	int ret;

	if (socket < 0)
		socket = 0;
	ret = rte_eth_dev_info_get(eth_port, &info);
	if (ret < 0)
		return ret;
	memset(&conf, 0, sizeof(conf));
	if (sw->opts.mtu != 1500 && sw->opts.mtu <= info.max_mtu)
		conf.rxmode.mtu = sw->opts.mtu;
	ret = rte_eth_dev_configure(eth_port, 1, 1, &conf);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(eth_port, &nrx, &ntx);
	if (ret < 0)
		return ret;
	ret = rte_eth_rx_queue_setup(eth_port, 0, nrx, (unsigned)socket, NULL,
				     sw->pool);
	if (ret < 0)
		return ret;
	ret = rte_eth_tx_queue_setup(eth_port, 0, ntx, (unsigned)socket, NULL);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_start(eth_port);
	if (ret < 0)
		return ret;
	ret = rte_eth_promiscuous_enable(eth_port);
	if (ret < 0 && ret != -ENOTSUP)
		log_warn("port %u: promiscuous: %s", eth_port, strerror(-ret));
	return 0;
}

/* Link of an ethdev without a kernel interface: ask the PMD. */
bool sw_ethdev_link(uint16_t eth_port)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(eth_port, &link) < 0)
		return true;
	return link.link_status == RTE_ETH_LINK_UP;
}

int sw_uplink_add(struct sw *sw, const char *name, const char *vdev,
		  const struct vlan_port_cfg *vlan, char *err, size_t errlen)
{
	struct rte_ether_addr mac;
	struct sw_uplink *u;
	struct sw_port *p;
	int id, ret;

	if (!name[0] || strlen(name) >= SW_NAME_MAX) {
		snprintf(err, errlen, "bad port name \"%s\"", name);
		return -EINVAL;
	}
	if (sw_port_find(sw, name) || sw_team_find(sw, name)) {
		snprintf(err, errlen, "port \"%s\" exists", name);
		return -EEXIST;
	}
	id = sw_port_alloc_id(sw);
	if (id < 0) {
		snprintf(err, errlen, "no free port (max %d)", SW_MAX_PORTS);
		return id;
	}
	p = calloc(1, sizeof(*p));
	u = calloc(1, sizeof(*u));
	if (!p || !u) {
		free(p);
		free(u);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = sw_uplink_probe(u, vdev);
	if (ret < 0) {
		snprintf(err, errlen, "cannot create vdev \"%s\": %s", vdev,
			 strerror(-ret));
		goto fail;
	}
	ret = sw_ethdev_start(sw, u->eth_port);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start %s: %s", u->devname,
			 strerror(-ret));
		goto fail;
	}
	p->sw = sw;
	p->id = (unsigned)id;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ops = &sw_uplink_ops;
	p->priv = u;
	p->vlan = *vlan;
	p->admin_up = true;
	atomic_store(&p->link_up, u->ifname[0] ? u->kernel_up :
						 sw_ethdev_link(u->eth_port));
	if (rte_eth_macaddr_get(u->eth_port, &mac) == 0)
		memcpy(p->mac, mac.addr_bytes, 6);
	ret = sw_port_add(sw, p);
	if (ret < 0) {
		snprintf(err, errlen, "cannot add port: %s", strerror(-ret));
		goto fail;
	}
	log_info("uplink %s: %s (port %u, kernel if %s, link %s)", name, vdev,
		 u->eth_port, u->ifname[0] ? u->ifname : "-",
		 atomic_load(&p->link_up) ? "up" : "down");
	return 0;
fail:
	sw_uplink_release(u);
	free(u);
	free(p);
	return ret;
}
