/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_NET_FAILOVER_H
#define IOPATH_GUEST_NET_FAILOVER_H

/*
 * The standby design of the vf path's migration (Linux net_failover,
 * virtio-net's STANDBY): one netdev, driver "failover", over two members
 * with the same MAC, active-backup. The primary (the VF) carries the
 * traffic while its link is up, the standby (a pv NIC offering
 * PV_F_STANDBY) while it is not: the VMM takes the VF's link down before
 * a migration and a fresh VF's link comes up on the destination.
 *
 *   struct netdev *nd = failover_create(vf, pv, &conf, &err);
 *
 * TX goes to the active member, RX is taken from both (the inactive one
 * first: after a switch it holds the older frames) so frames still sent
 * to the old member are not lost nor reordered, and the wait loop
 * sleeps on both members' interrupts. The primary's link is followed from
 * what its driver last saw (netdev_ops.link_cached: RAM only, kept
 * current by the driver's watchdog, which its mailbox interrupt runs),
 * so no register is read per burst; a driver without it, or one in poll
 * mode (no interrupt to refresh it), has its link read every
 * FAILOVER_LINK_POLL_MS as well. Each switch of the active member sends,
 * on the newly active member, one RARP frame (as QEMU's announce-self)
 * and a gratuitous ARP when the stack has given the netdev an IPv4
 * address (nd->ipv4), so switches and bridges relearn where the MAC
 * lives. While the primary's driver blocks (resetting a fresh VF takes
 * milliseconds of trapped accesses and mailbox waits) it calls the
 * failover's busy_hook, which moves the standby's received frames to a
 * bounded backlog (reposting its buffers) that the next RX bursts return
 * first: the traffic still on the standby is not dropped for want of a
 * posted buffer.
 */
#include "net/netdev.h"

/* How often a primary without link_cached, or in poll mode, has its link
 * read (one exit each: 0.4% of a vCPU at 80 us). */
#define FAILOVER_LINK_POLL_MS	20

/* Frames the failover takes off the standby's ring while the primary's
 * driver blocks (netdev.busy_hook: igbvf's reset of a fresh VF), handed
 * out first by the next RX bursts: 10 ms of 100 kpps. The packet pool
 * has room for them (netdev_pool_want). */
#define FAILOVER_BACKLOG	1024

#define ETH_P_RARP		0x8035
#define RARP_OP_REQUEST		3	/* RFC 903 "request reverse" */

/*
 * A failover netdev over @primary and @standby (both probed, same MAC:
 * the caller checks). Its MAC, PCI identity and interrupt kind are the
 * standby's; its mode is @c's if both members can interrupt, else poll.
 * NULL and *err = -ENOMEM if out of memory.
 */
struct netdev *failover_create(struct netdev *primary, struct netdev *standby,
			       const struct netdev_conf *c, int *err);

/* The member TX goes to now (for tests and reports). */
struct netdev *failover_active(struct netdev *nd);
/* Switches of the active member since creation. */
uint64_t failover_switchovers(struct netdev *nd);

/* Builds the RARP announcement of @mac into @f (ETH_ZLEN bytes). */
void failover_rarp_put(uint8_t *f, const uint8_t mac[6]);

#endif
