// SPDX-License-Identifier: MIT
/*
 * Kernel link watching over rtnetlink (RTMGRP_LINK).
 *
 * DPDK 22.11's af_packet PMD always reports link up and tap raises no link
 * event (MACHINE-NOTES.md), so the bonding PMD would keep sending into a
 * dead member. The switch watches the kernel interfaces behind its uplinks
 * instead: every RTM_NEWLINK/RTM_DELLINK names an interface and its flags,
 * and a link counts as up when it is administratively up (IFF_UP) and has
 * carrier (IFF_LOWER_UP) — a veth whose peer goes down loses carrier.
 * Events are handled on the control thread's evloop as they arrive and
 * handed to every port's kernel_link op: a port kind says itself which
 * interfaces it follows (the uplink kind's ops are here, a team's members
 * are in sw_team.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* <linux/if.h> has it but clashes with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

#define LOG_SUBSYS "linkwatch"
#include "base/clock.h"
#include "base/log.h"
#include "core/evloop.h"
#include "vswitch/sw.h"

struct sw_linkwatch {
	int fd;
	uint64_t events;
	int64_t poll_timer;	/* PMD link of uplinks without kernel if */
};

#define SW_PMD_LINK_POLL_NS	(100ull * 1000 * 1000)

/* ---- the uplink kind's link (its kernel_link and poll_link ops) ---- */

/* Uplinks with no kernel interface behind them (net_vhost, net_ring,
 * net_null, ...) have only the PMD's word on their link: poll it. A vhost
 * port comes up when its virtio peer connects, goes down when it leaves. */
void sw_linkwatch_uplink_poll(struct sw_port *p)
{
	struct sw_uplink *u = p->priv;
	bool up;

	if (u->ifname[0])
		return;
	up = sw_ethdev_link(u->eth_port);
	if (up != atomic_load(&p->link_up)) {
		log_info("uplink %s (%s) link %s", p->name, u->devname,
			 up ? "up" : "down");
		sw_port_set_link(p->sw, p, up);
	}
}

/* A stand-alone uplink follows its kernel interface, if it has one. */
void sw_linkwatch_uplink_kernel(struct sw_port *p, const char *ifname,
				bool up, uint64_t event_ns)
{
	struct sw_uplink *u = p->priv;
	int now_up;

	(void)event_ns;
	if (!u->ifname[0])
		return;
	if (!ifname) {			/* resync: ask the kernel */
		now_up = sw_linkwatch_query(u->ifname);
		if (now_up >= 0 && (bool)now_up != u->kernel_up) {
			u->kernel_up = now_up;
			sw_port_set_link(p->sw, p, now_up);
		}
		return;
	}
	if (strcmp(u->ifname, ifname) != 0 || u->kernel_up == up)
		return;
	u->kernel_up = up;
	log_info("uplink %s (%s) link %s", p->name, ifname,
		 up ? "up" : "down");
	sw_port_set_link(p->sw, p, up);
}

/* ---- the watcher ---- */

/* Every port whose link only its driver knows. */
static void sw_linkwatch_poll(void *opaque)
{
	struct sw *sw = opaque;

	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		struct sw_port *p = sw->ports[i];

		if (p && p->ops->poll_link)
			p->ops->poll_link(p);
	}
}

/* Tell every port that follows kernel interfaces (NULL: re-read them). */
static void sw_linkwatch_tell(struct sw *sw, const char *ifname, bool up,
			      uint64_t now)
{
	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		struct sw_port *p = sw->ports[i];

		if (p && p->ops->kernel_link)
			p->ops->kernel_link(p, ifname, up, now);
	}
}

int sw_linkwatch_query(const char *ifname)
{
	struct ifreq ifr;
	int fd, ret;

	if (!ifname[0] || strlen(ifname) >= sizeof(ifr.ifr_name))
		return -EINVAL;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	close(fd);
	if (ret < 0)
		return -errno;
	/* SIOCGIFFLAGS reports carrier as IFF_RUNNING. */
	return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

/* Name of the interface in one link message, or NULL. */
static const char *sw_linkwatch_ifname(struct nlmsghdr *nh)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	struct rtattr *rta;

	if (len < 0)
		return NULL;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_IFNAME) {
			char *name = RTA_DATA(rta);
			size_t n = RTA_PAYLOAD(rta);

			/* The kernel NUL-terminates; do not rely on it. */
			if (n == 0 || n > IFNAMSIZ || name[n - 1] != '\0')
				return NULL;
			return name;
		}
	}
	return NULL;
}

static void sw_linkwatch_msg(struct sw *sw, struct nlmsghdr *nh,
			     uint64_t now)
{
	struct ifinfomsg *ifi;
	const char *name;
	bool up;

	if (nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK)
		return;
	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	ifi = NLMSG_DATA(nh);
	name = sw_linkwatch_ifname(nh);
	if (!name)
		return;
	up = nh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
	     (ifi->ifi_flags & IFF_LOWER_UP);
	sw_linkwatch_tell(sw, name, up, now);
}

static void sw_linkwatch_event(void *opaque, int fd, uint32_t revents)
{
	struct sw *sw = opaque;
	char buf[16384] __attribute__((aligned(4)));

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		uint64_t now = clock_mono_ns();
		struct nlmsghdr *nh;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* We missed events: resynchronise by asking. */
				log_warn("netlink overrun; re-reading links");
				sw_linkwatch_tell(sw, NULL, false, now);
				continue;
			}
			return;		/* EAGAIN */
		}
		if (n == 0)
			return;
		sw->linkwatch->events++;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n))
			sw_linkwatch_msg(sw, nh, now);
	}
}

int sw_linkwatch_start(struct sw *sw)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK,
	};
	struct sw_linkwatch *lw = calloc(1, sizeof(*lw));
	int rcvbuf = 1 << 20, ret;

	if (!lw)
		return -ENOMEM;
	lw->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_ROUTE);
	if (lw->fd < 0) {
		ret = -errno;
		free(lw);
		return ret;
	}
	setsockopt(lw->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(lw->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(lw->fd);
		free(lw);
		return ret;
	}
	ret = evloop_add_fd(sw->loop, lw->fd, POLLIN, sw_linkwatch_event, sw);
	if (ret < 0) {
		close(lw->fd);
		free(lw);
		return ret;
	}
	lw->poll_timer = evloop_add_timer(sw->loop, SW_PMD_LINK_POLL_NS, true,
					  sw_linkwatch_poll, sw);
	if (lw->poll_timer < 0)
		log_warn("PMD link poll timer: %s",
			 strerror((int)-lw->poll_timer));
	sw->linkwatch = lw;
	return 0;
}

void sw_linkwatch_stop(struct sw *sw)
{
	struct sw_linkwatch *lw = sw->linkwatch;

	if (!lw)
		return;
	if (lw->poll_timer > 0)
		evloop_del_timer(sw->loop, lw->poll_timer);
	evloop_del_fd(sw->loop, lw->fd);
	close(lw->fd);
	free(lw);
	sw->linkwatch = NULL;
}
