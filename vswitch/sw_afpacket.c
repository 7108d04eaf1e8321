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
 */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
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

/* The counting socket: filter first, then bind, so nothing slips in. */
static int afp_count_open(int ifindex)
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
	ret = afp_attach(fd, afp_count_prog,
			 sizeof(afp_count_prog) / sizeof(afp_count_prog[0]));
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
