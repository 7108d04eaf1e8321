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
 *
 * Two ethdevs on one device or one kernel interface are refused
 * (sw_vdev_free), and the packet sockets of af_packet vdevs are guarded
 * so that no frame reaches the switch with a TPID the PMD rewrote
 * (sw_afpacket.c).
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
#include "vswitch/sw_req.h"

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

/* S-tagged frames the kernel dropped for us: received, and dropped. */
static void sw_uplink_sync_stats(struct sw_port *p)
{
	uint64_t n = sw_afpacket_count(p->priv);

	p->st.rx_packets += n;
	p->st.drops[FWD_DROP_VLAN_QINQ] += n;
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
	.sync_stats = sw_uplink_sync_stats,
	.kernel_link = sw_linkwatch_uplink_kernel,
	.poll_link = sw_linkwatch_uplink_poll,
	.destroy = sw_uplink_destroy,
};

struct sw_uplink *sw_uplink_of(struct sw_port *p)
{
	return p->ops == &sw_uplink_ops ? p->priv : NULL;
}

/* ---- the ethdev underneath (also a team's members) ---- */

bool sw_uplink_overlaps(const struct sw_uplink *u, const char *devname,
			const char *ifname)
{
	return (u->devname[0] && strcmp(u->devname, devname) == 0) ||
	       (u->ifname[0] && ifname[0] && strcmp(u->ifname, ifname) == 0);
}

int sw_vdev_free(struct sw *sw, const char *vdev, char *err, size_t errlen)
{
	char devname[SW_VDEV_MAX], ifname[SW_IFNAME_MAX];
	const char *user = NULL;

	if (sw_vdev_split(vdev, devname, sizeof(devname), ifname,
			  sizeof(ifname)) < 0) {
		snprintf(err, errlen, "bad vdev \"%s\"", vdev);
		return -EINVAL;
	}
	/*
	 * Two ethdevs on one interface would each send what the other
	 * receives (packet sockets see the other's transmissions): a loop.
	 */
	for (unsigned i = 0; i < SW_MAX_PORTS && !user; i++) {
		struct sw_port *p = sw->ports[i];
		struct sw_uplink *u = p ? sw_uplink_of(p) : NULL;

		if (u && sw_uplink_overlaps(u, devname, ifname))
			user = p->name;
	}
	if (!user)
		user = sw_team_vdev_user(sw, devname, ifname);
	if (user) {
		snprintf(err, errlen, "%s%s%s is already used by %s", devname,
			 ifname[0] ? " or interface " : "", ifname, user);
		return -EBUSY;
	}
	return 0;
}

int sw_uplink_probe(struct sw_uplink *u, const char *vdev)
{
	const char *comma;
	int ret;

	memset(u, 0, sizeof(*u));
	u->afp_count_fd = -1;
	if (strlen(vdev) >= sizeof(u->vdev))
		return -ENAMETOOLONG;
	snprintf(u->vdev, sizeof(u->vdev), "%s", vdev);
	if (sw_vdev_split(vdev, u->devname, sizeof(u->devname), u->ifname,
			  sizeof(u->ifname)) < 0) {
		u->devname[0] = '\0';
		return -EINVAL;
	}
	comma = strchr(vdev, ',');

	/* The af_packet PMD's fanout group must be free (sw_afpacket.c). */
	ret = sw_afpacket_hold(vdev);
	if (ret == 0) {
		ret = rte_vdev_init(u->devname, comma ? comma + 1 : "");
		sw_afpacket_unhold(vdev);
		if (ret < 0)
			ret = sw_afpacket_why(vdev, ret);
	}
	if (ret < 0 || rte_eth_dev_get_port_by_name(u->devname,
						    &u->eth_port) != 0) {
		if (ret >= 0)
			rte_vdev_uninit(u->devname);
		u->devname[0] = '\0';
		return ret < 0 ? ret : -ENODEV;
	}
	ret = sw_afpacket_guard(u);
	if (ret < 0) {
		sw_uplink_release(u);
		return ret;
	}
	if (u->ifname[0])
		u->kernel_up = sw_linkwatch_query(u->ifname) == 1;
	return 0;
}

void sw_uplink_release(struct sw_uplink *u)
{
	int ret;

	sw_afpacket_release(u);
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

void sw_ethdev_drain(uint16_t eth_port)
{
	struct rte_mbuf *pkts[SW_BURST];

	/* Bounded: a queue that keeps filling is not ours to empty. */
	for (unsigned i = 0; i < 2 * SW_RX_DESC / SW_BURST; i++) {
		uint16_t n = rte_eth_rx_burst(eth_port, 0, pkts, SW_BURST);

		if (!n)
			break;
		rte_pktmbuf_free_bulk(pkts, n);
	}
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

	ret = sw_name_check("port name", name, err, errlen);
	if (ret == 0)
		ret = sw_name_free(sw, name, err, errlen);
	if (ret == 0)
		ret = sw_vdev_free(sw, vdev, err, errlen);
	if (ret < 0)
		return ret;
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
		char why[256];

		snprintf(err, errlen, "cannot create vdev \"%s\": %s", vdev,
			 sw_afpacket_strerror(vdev, ret, why, sizeof(why)));
		goto fail;
	}
	ret = sw_ethdev_start(sw, u->eth_port);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start %s: %s", u->devname,
			 strerror(-ret));
		goto fail;
	}
	/* What the PMD took in before its sockets were guarded. */
	sw_ethdev_drain(u->eth_port);
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
