// SPDX-License-Identifier: MIT
/*
 * af_packet uplinks and VLAN tags.
 *
 * Linux takes the outer VLAN tag off every frame it receives
 * (skb_vlan_untag() in __netif_receive_skb_core(), for 0x8100 and 0x88a8
 * alike, whatever the interface's offloads: `ethtool -K IF rxvlan off`
 * changes nothing, measured on a veth) and gives packet sockets the TCI
 * and the TPID beside the frame. DPDK 22.11's af_packet PMD reads the TCI
 * but not tp_vlan_tpid and puts the tag back with TPID 0x8100: an 802.1ad
 * S-tag reaches the switch as an 802.1Q C-tag. An S-tag of VLAN 1 over a
 * C-tag of VLAN 200 thus looked like VLAN 1 carrying a frame tagged 200,
 * which an access port of VLAN 1 delivered with the inner tag exposed.
 *
 * The kernel still knows the real TPID when it runs a socket's filter, so
 * the switch guards the PMD's own sockets (those of this process bound
 * to the uplink's interface): a classic BPF filter drops every frame whose
 * stripped tag is not 0x8100 — the switch's policy for S-tags anyway
 * (vlan.h). Dropped there, the switch would never count them; a second
 * socket on the interface with the opposite filter does, through
 * PACKET_STATISTICS. It is never read: its queue fills its minimum
 * receive buffer and the kernel counts the rest as drops, which
 * PACKET_STATISTICS includes.
 *
 * Frames the PMD's ring took in before the filter was attached are
 * drained by the uplink's creator before the port carries traffic.
 *
 * The PMD also joins each of its sockets to the fanout group
 * (getpid() ^ ifindex) & 0xffff, type hash with the defrag and rollover
 * flags, and has no argument to choose another. Fanout group ids are per
 * network namespace, and the kernel refuses (EINVAL) to join a group that
 * exists on another device or with another type: two switches in one
 * namespace collide whenever pid ^ ifindex agree, which nearby pids and
 * ifindexes make frequent (1 start in 6 in test_team). The switch probes
 * the id with a socket of its own before the PMD makes its sockets, and
 * keeps that socket in the group until they have joined it: closed at
 * once, the group would vanish and another process could take the id in
 * between. The probe drops whatever the group hashes to it (a filter that
 * passes nothing); the uplink carries no traffic yet, and what its own
 * sockets take in meanwhile is drained as above. At start-up a taken id
 * makes the switch go on in a child process, whose pid gives other ids
 * (sw_respawn.c); at run time it is a clear error.
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define LOG_SUBSYS "uplink"
#include "base/log.h"
#include "vswitch/sw.h"
#include "vswitch/sw_req.h"

#define AFP_AD(x)	((uint32_t)(SKF_AD_OFF + (x)))

/* On the PMD's sockets: pass unless the kernel stripped a non-C tag. */
static const struct sock_filter afp_guard_prog[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AFP_AD(SKF_AD_VLAN_TAG_PRESENT)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),	/* no tag: pass */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AFP_AD(SKF_AD_VLAN_TPID)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021Q, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),		/* whole frame */
	BPF_STMT(BPF_RET | BPF_K, 0),			/* drop */
};

/* On the counting socket: keep (1 byte of) exactly what the guard drops. */
static const struct sock_filter afp_count_prog[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AFP_AD(SKF_AD_PKTTYPE)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 4, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AFP_AD(SKF_AD_VLAN_TAG_PRESENT)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, AFP_AD(SKF_AD_VLAN_TPID)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021Q, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 1),
};

static int afp_attach(int fd, const struct sock_filter *prog, size_t n)
{
	struct sock_fprog fp = {
		.len = (unsigned short)n,
		.filter = (struct sock_filter *)prog,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) < 0)
		return -errno;
	return 0;
}

/* Is @fd a packet socket bound to interface @ifindex? */
static bool afp_is_bound_to(int fd, int ifindex)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);
	int dom;
	socklen_t dlen = sizeof(dom);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &dlen) < 0 ||
	    dom != AF_PACKET)
		return false;
	memset(&sll, 0, sizeof(sll));
	if (getsockname(fd, (struct sockaddr *)&sll, &len) < 0)
		return false;
	return sll.sll_family == AF_PACKET && sll.sll_ifindex == ifindex;
}

/*
 * Guard every packet socket of this process bound to @ifindex (the PMD
 * keeps its fds to itself). Their number, or -errno.
 */
static int afp_guard_sockets(int ifindex)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, ret = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);

		if (*end || end == e->d_name || fd == dirfd(d) ||
		    !afp_is_bound_to((int)fd, ifindex))
			continue;
		ret = afp_attach((int)fd, afp_guard_prog,
				 sizeof(afp_guard_prog) /
				 sizeof(afp_guard_prog[0]));
		if (ret < 0)
			break;
		n++;
	}
	closedir(d);
	return ret < 0 ? ret : n;
}

/*
 * A packet socket on @ifindex for every protocol, with filter @prog
 * attached before it is bound so that nothing slips past it, and the
 * smallest receive buffer. The fd or -errno.
 */
static int afp_open_filtered(int ifindex, const struct sock_filter *prog,
			     size_t n)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int zero = 0, ret;
	/* Protocol 0: receives nothing until bound. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -errno;
	ret = afp_attach(fd, prog, n);
	if (ret == 0 &&
	    (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)) < 0 ||
	     bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0))
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* The counting socket. */
static int afp_count_open(int ifindex)
{
	return afp_open_filtered(ifindex, afp_count_prog,
				 sizeof(afp_count_prog) /
				 sizeof(afp_count_prog[0]));
}

static bool afp_is_af_packet(const char *devname)
{
	return strncmp(devname, "net_af_packet", 13) == 0 ||
	       strncmp(devname, "eth_af_packet", 13) == 0;
}

int sw_afpacket_guard(struct sw_uplink *u)
{
	int ifindex, n, fd;

	u->afp_count_fd = -1;
	if (!u->ifname[0])
		return afp_is_af_packet(u->devname) ? -EINVAL : 0;
	ifindex = (int)if_nametoindex(u->ifname);
	if (!ifindex)
		return afp_is_af_packet(u->devname) ? -errno : 0;
	n = afp_guard_sockets(ifindex);
	if (n < 0) {
		log_err("%s: cannot filter the packet sockets on %s: %s",
			u->devname, u->ifname, strerror(-n));
		return n;
	}
	if (n == 0) {
		/* tap, af_xdp: tags arrive inline with their real TPID. */
		if (!afp_is_af_packet(u->devname))
			return 0;
		log_err("%s: no packet socket on %s to guard", u->devname,
			u->ifname);
		return -ENOENT;
	}
	fd = afp_count_open(ifindex);
	if (fd < 0) {
		log_err("%s: counting socket on %s: %s", u->devname,
			u->ifname, strerror(-fd));
		return fd;
	}
	u->afp_count_fd = fd;
	log_info("%s: %d packet socket%s on %s drop S-tagged frames",
		 u->devname, n, n == 1 ? "" : "s", u->ifname);
	return 0;
}

uint64_t sw_afpacket_count(struct sw_uplink *u)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (u->afp_count_fd < 0)
		return 0;
	/* Reading resets the kernel's counters; tp_packets has the drops. */
	if (getsockopt(u->afp_count_fd, SOL_PACKET, PACKET_STATISTICS, &st,
		       &len) < 0)
		return 0;
	return st.tp_packets;
}

void sw_afpacket_release(struct sw_uplink *u)
{
	if (u->afp_count_fd >= 0)
		close(u->afp_count_fd);
	u->afp_count_fd = -1;
}

/* ---- the PMD's fanout group ---- */

/* The type DPDK 22.11's rte_eth_af_packet.c asks for. */
#define AFP_FANOUT_TYPE	(PACKET_FANOUT_HASH | \
			 PACKET_FANOUT_FLAG_DEFRAG | \
			 PACKET_FANOUT_FLAG_ROLLOVER)
#define AFP_HELD_MAX	64

/* Groups held until the PMD's sockets are in them; one thread uses this. */
static struct {
	char ifname[SW_IFNAME_MAX];
	int fd;
} afp_held[AFP_HELD_MAX];
static unsigned afp_nheld;

/* The probe passes nothing up: frames the group hashes to it are dropped. */
static const struct sock_filter afp_none_prog[] = {
	BPF_STMT(BPF_RET | BPF_K, 0),
};

unsigned sw_afpacket_fanout_id(int ifindex)
{
	return ((unsigned)getpid() ^ (unsigned)ifindex) & 0xffffu;
}

/*
 * A socket on @ifindex in fanout group @id with the PMD's type, or
 * -EADDRINUSE if the group exists on another device (or with another
 * type), or -errno.
 */
static int afp_fanout_join(int ifindex, unsigned id)
{
	uint32_t arg = id | (uint32_t)AFP_FANOUT_TYPE << 16;
	/* Bound to ETH_P_ALL as the PMD's are: the kernel compares that. */
	int fd = afp_open_filtered(ifindex, afp_none_prog,
				   sizeof(afp_none_prog) /
				   sizeof(afp_none_prog[0]));

	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0) {
		int ret = errno == EINVAL ? -EADDRINUSE : -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* The kernel interface of an af_packet @vdev into @ifname; else false. */
static bool afp_vdev_iface(const char *vdev, char *ifname)
{
	char devname[SW_VDEV_MAX];

	return sw_vdev_split(vdev, devname, sizeof(devname), ifname,
			     SW_IFNAME_MAX) == 0 &&
	       afp_is_af_packet(devname) && ifname[0];
}

static int afp_held_find(const char *ifname)
{
	for (unsigned i = 0; i < afp_nheld; i++)
		if (strcmp(afp_held[i].ifname, ifname) == 0)
			return (int)i;
	return -1;
}

int sw_afpacket_hold(const char *vdev)
{
	char ifname[SW_IFNAME_MAX];
	int ifindex, fd;

	if (!afp_vdev_iface(vdev, ifname) || afp_held_find(ifname) >= 0)
		return 0;
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return 0;	/* the PMD says so, in its words */
	fd = afp_fanout_join(ifindex, sw_afpacket_fanout_id(ifindex));
	if (fd == -EADDRINUSE)
		return fd;
	if (fd < 0) {
		/* Not ours to judge (no CAP_NET_RAW...): the PMD will tell. */
		log_debug("%s: cannot probe the fanout group: %s", ifname,
			  strerror(-fd));
		return 0;
	}
	if (afp_nheld == AFP_HELD_MAX) {
		close(fd);
		return 0;
	}
	snprintf(afp_held[afp_nheld].ifname, SW_IFNAME_MAX, "%s", ifname);
	afp_held[afp_nheld++].fd = fd;
	return 0;
}

void sw_afpacket_unhold(const char *vdev)
{
	char ifname[SW_IFNAME_MAX];
	int i;

	if (!afp_vdev_iface(vdev, ifname) || (i = afp_held_find(ifname)) < 0)
		return;
	close(afp_held[i].fd);
	afp_held[i] = afp_held[--afp_nheld];
}

void sw_afpacket_unhold_all(void)
{
	while (afp_nheld)
		close(afp_held[--afp_nheld].fd);
}

int sw_afpacket_why(const char *vdev, int err)
{
	char ifname[SW_IFNAME_MAX];
	int ifindex, fd;

	if (err == -EADDRINUSE || !afp_vdev_iface(vdev, ifname) ||
	    !(ifindex = (int)if_nametoindex(ifname)))
		return err;
	/* The PMD says -1 whatever happened; ask the kernel again. */
	fd = afp_fanout_join(ifindex, sw_afpacket_fanout_id(ifindex));
	if (fd == -EADDRINUSE)
		return fd;
	if (fd >= 0)
		close(fd);
	return err;
}

const char *sw_afpacket_strerror(const char *vdev, int err, char *buf,
				 size_t len)
{
	char ifname[SW_IFNAME_MAX];
	int ifindex;

	if (err != -EADDRINUSE || !afp_vdev_iface(vdev, ifname) ||
	    !(ifindex = (int)if_nametoindex(ifname)))
		return strerror(-err);
	snprintf(buf, len, "fanout group %u on %s is held by another process "
		 "in this network namespace: DPDK's af_packet PMD derives it "
		 "from pid XOR ifindex (%d ^ %d)",
		 sw_afpacket_fanout_id(ifindex), ifname, (int)getpid(),
		 ifindex);
	return buf;
}
