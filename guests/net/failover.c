// SPDX-License-Identifier: MIT
/*
 * The failover netdev (failover.h): a VF and a pv NIC of the same MAC,
 * active-backup, the VF preferred while its link is up.
 *
 * Following the primary: its link is looked at on every burst and every
 * ready() of the wait loop, through link_cached (RAM). igbvf keeps that
 * view current from its watchdog, and a mailbox interrupt - the VMM's
 * unplug or the PF's message on the destination - runs the watchdog at
 * the next call into the driver; a wait that sleeps is woken by that
 * interrupt (the primary is armed too), so the switch happens without a
 * register read per packet and without waiting for a period.
 *
 * A primary whose MAC is no longer ours (a fresh VF the PF gave another
 * address) is not switched to: the peers know us by the standby's MAC.
 */
#include "net/failover.h"

#include <stdbool.h>
#include <stddef.h>

#include "net/proto.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/errno.h"
#include "rt/string.h"

struct failover {
	struct netdev nd;
	struct netdev *primary, *standby;
	struct netdev *active;
	bool rx_active_first;		/* the other filled the last burst */
	bool primary_up;		/* its link, as last followed */
	bool primary_mac_differs;
	/* reads of the primary's link (poll mode, or no link_cached) */
	uint64_t link_poll_tsc, link_next_tsc, link_reads;
	bool link_read;
	uint64_t switchovers;
	uint64_t to_primary, to_standby;
	uint64_t announces, announce_fails;
	uint64_t rx_inactive;		/* frames from the member TX left */
	uint64_t switch_tsc;		/* the last switch */
	/* The standby's frames taken while the primary's driver blocked
	 * (failover_busy): a FIFO the RX bursts empty first. */
	struct pkt *backlog[FAILOVER_BACKLOG];
	unsigned int bl_head, bl_n;
	bool draining;
	uint64_t backlogged, busy_calls;
};

static struct failover *failover_of(struct netdev *nd)
{
	return (struct failover *)nd;
}

void failover_rarp_put(uint8_t *f, const uint8_t mac[6])
{
	memset(f, 0, ETH_ZLEN);
	eth_put(f, eth_broadcast, mac, ETH_P_RARP);
	/* Ethernet/IPv4 addresses as in ARP; the target is ourselves and
	 * no IPv4 address is claimed (QEMU's announce-self sends the
	 * same). */
	arp_put(f, RARP_OP_REQUEST, mac, 0, mac, 0);
}

/* One frame on @m; false if no buffer or no room. */
static bool failover_send(struct netdev *m, struct pkt *p)
{
	if (m->ops->tx_burst(m, &p, 1) == 1)
		return true;
	pkt_free(p);
	return false;
}

static void failover_announce(struct failover *f, struct netdev *m)
{
	static const uint8_t zero[ETH_ALEN];
	struct pkt *p = pkt_alloc();

	if (p) {
		failover_rarp_put(p->data, f->nd.mac);
		p->len = ETH_ZLEN;
	}
	if (p && failover_send(m, p))
		f->announces++;
	else
		f->announce_fails++;
	if (!f->nd.ipv4)
		return;
	/* Gratuitous ARP (RFC 5227's announcement): a request for our own
	 * address, which hosts caching it also refresh. */
	p = pkt_alloc();
	if (p) {
		memset(p->data, 0, ETH_ZLEN);
		eth_put(p->data, eth_broadcast, f->nd.mac, ETH_P_ARP);
		arp_put(p->data, ARP_OP_REQUEST, f->nd.mac, f->nd.ipv4, zero,
			f->nd.ipv4);
		p->len = ETH_ZLEN;
	}
	if (p && failover_send(m, p))
		f->announces++;
	else
		f->announce_fails++;
}

/*
 * The primary's link: its driver's cached view, which in irq and adaptive
 * modes its mailbox interrupt keeps current. In poll mode nothing
 * interrupts and igbvf's watchdog runs every 2 s, so the link is also
 * read every FAILOVER_LINK_POLL_MS (one exit each): a read saying down
 * counts at once; up needs the cached view too, i.e. the driver's reset
 * of a fresh VF done.
 */
static bool failover_primary_link(struct failover *f)
{
	struct netdev *p = f->primary;
	bool cached = !p->ops->link_cached || p->ops->link_cached(p);
	uint64_t now;

	if (p->ops->link_cached && p->mode != NETDEV_MODE_POLL)
		return cached;
	now = clock_tsc();
	if (now >= f->link_next_tsc) {
		f->link_next_tsc = now + f->link_poll_tsc;
		f->link_read = netdev_link(p);
		f->link_reads++;
	}
	return f->link_read && cached;
}

/* The member TX should go to now: the primary while it is up with our
 * MAC, else the standby. */
static struct netdev *failover_pick(struct failover *f)
{
	f->primary_up = failover_primary_link(f);
	f->primary_mac_differs = memcmp(f->primary->mac, f->nd.mac, 6) != 0;
	return f->primary_up && !f->primary_mac_differs ? f->primary
							: f->standby;
}

/* Picks the member TX goes to; announces on it after a switch. */
static struct netdev *failover_follow(struct failover *f)
{
	struct netdev *want = failover_pick(f);

	if (want == f->active)
		return want;
	f->active = want;
	f->switchovers++;
	if (want == f->primary)
		f->to_primary++;
	else
		f->to_standby++;
	f->switch_tsc = clock_tsc();
	failover_announce(f, want);
	return want;
}

/*
 * The primary's driver blocks (netdev.busy_hook): take what the standby
 * received so its ring gets its buffers back. Bounded by the backlog and
 * by the pool, of which TX and the app keep a burst's worth.
 */
static void failover_busy(void *arg)
{
	struct failover *f = arg;
	struct netdev *s = f->standby;
	struct pkt *tmp[NETDEV_BURST_MAX];
	uint16_t got, i;

	if (f->draining)
		return;
	f->draining = true;
	f->busy_calls++;
	for (;;) {
		unsigned int room = FAILOVER_BACKLOG - f->bl_n;
		unsigned int avail = pkt_pool_avail();

		if (room > NETDEV_BURST_MAX)
			room = NETDEV_BURST_MAX;
		if (avail <= NETDEV_BURST_MAX)
			break;
		if (room > avail - NETDEV_BURST_MAX)
			room = avail - NETDEV_BURST_MAX;
		if (!room)
			break;
		got = s->ops->rx_burst(s, tmp, (uint16_t)room);
		for (i = 0; i < got; i++)
			f->backlog[(f->bl_head + f->bl_n + i) %
				   FAILOVER_BACKLOG] = tmp[i];
		f->bl_n += got;
		f->backlogged += got;
		if (got < room)
			break;
	}
	f->draining = false;
}

/* Up to @n of the backlog, oldest first. */
static uint16_t failover_backlog_take(struct failover *f, struct pkt **pkts,
				      uint16_t n)
{
	uint16_t got = 0;

	while (got < n && f->bl_n) {
		pkts[got++] = f->backlog[f->bl_head];
		f->bl_head = (f->bl_head + 1) % FAILOVER_BACKLOG;
		f->bl_n--;
	}
	return got;
}

/*
 * The member TX does not go to first: after a switch it holds the older
 * frames (the VF's ring as the VF leaves, the pv ring as traffic moves
 * back to a fresh VF), so draining it first keeps the order a peer sent
 * in; in between it is idle and costs one look at a ring in RAM. If it
 * filled the whole burst, the active member goes first next time, so
 * neither ring starves. The backlog goes before both: it holds the
 * standby's oldest frames; when a member's call fills it (the primary's
 * driver reset meanwhile), the standby is not read after it in that
 * burst, as what it would give is newer.
 */
static uint16_t failover_rx_burst(struct netdev *nd, struct pkt **pkts,
				  uint16_t n)
{
	struct failover *f = failover_of(nd);
	struct netdev *old = f->active == f->primary ? f->standby : f->primary;
	struct netdev *a = old, *b = f->active;
	uint16_t got, first;

	if (f->bl_n) {
		got = failover_backlog_take(f, pkts, n);
		if (f->standby == old)
			f->rx_inactive += got;
		nd->st.rx_packets += got;
		failover_follow(f);
		return got;
	}
	if (f->rx_active_first) {
		a = f->active;
		b = old;
	}
	got = a->ops->rx_burst(a, pkts, n);
	f->rx_active_first = a == old && got == n;
	if (a == old)
		f->rx_inactive += got;
	if (f->bl_n) {
		first = got;
		got += failover_backlog_take(f, pkts + got, n - got);
		if (f->standby == old)
			f->rx_inactive += got - first;
	} else if (got < n) {
		uint16_t more = b->ops->rx_burst(b, pkts + got, n - got);

		if (b == old)
			f->rx_inactive += more;
		got += more;
	}
	nd->st.rx_packets += got;
	/* After the members' calls: igbvf's runs its watchdog there. */
	failover_follow(f);
	return got;
}

static uint16_t failover_tx_burst(struct netdev *nd, struct pkt **pkts,
				  uint16_t n)
{
	struct failover *f = failover_of(nd);
	struct netdev *m = failover_follow(f);
	uint16_t sent = m->ops->tx_burst(m, pkts, n);

	nd->st.tx_packets += sent;
	if (sent < n)
		nd->st.tx_full++;
	return sent;
}

static bool failover_link(struct netdev *nd)
{
	struct failover *f = failover_of(nd);

	return netdev_link(f->primary) || netdev_link(f->standby);
}

/* RX from either member; TX room only where TX goes. */
static int failover_ready(struct netdev *nd)
{
	struct failover *f = failover_of(nd);
	int p = f->primary->ops->ready(f->primary);
	int s = f->standby->ops->ready(f->standby);
	struct netdev *m = failover_follow(f);

	if (f->bl_n)
		s |= NETDEV_EV_RX;
	return ((p | s) & NETDEV_EV_RX) |
	       ((m == f->primary ? p : s) & NETDEV_EV_TX);
}

/* Both, so that either one's interrupt (the primary's mailbox above all)
 * ends the sleep. */
static void failover_arm(struct netdev *nd, int events)
{
	struct failover *f = failover_of(nd);
	int rx = events & NETDEV_EV_RX, tx = events & NETDEV_EV_TX;

	f->primary->ops->arm(f->primary,
			     rx | (f->active == f->primary ? tx : 0));
	f->standby->ops->arm(f->standby,
			     rx | (f->active == f->standby ? tx : 0));
}

static void failover_disarm(struct netdev *nd)
{
	struct failover *f = failover_of(nd);

	if (f->primary->ops->disarm)
		f->primary->ops->disarm(f->primary);
	if (f->standby->ops->disarm)
		f->standby->ops->disarm(f->standby);
}

static const char *failover_role(struct failover *f, struct netdev *m)
{
	return m == f->primary ? "primary" : "standby";
}

static void failover_member_report(struct netdev *m, const char *key,
				   struct json *j)
{
	json_obj_begin(j, key);
	netdev_report_fields(m, j);
	json_obj_end(j);
}

static void failover_stats(struct netdev *nd, struct json *j)
{
	struct failover *f = failover_of(nd);

	json_kv_str(j, "active", failover_role(f, f->active));
	json_kv_str(j, "active_driver", f->active->driver);
	json_kv_bool(j, "primary_link", f->primary_up);
	json_kv_bool(j, "primary_mac_differs", f->primary_mac_differs);
	json_kv_u64(j, "switchovers", f->switchovers);
	json_kv_u64(j, "to_primary", f->to_primary);
	json_kv_u64(j, "to_standby", f->to_standby);
	json_kv_u64(j, "announces", f->announces);
	json_kv_u64(j, "announce_fails", f->announce_fails);
	json_kv_u64(j, "link_reads", f->link_reads);
	json_kv_u64(j, "rx_inactive", f->rx_inactive);
	json_kv_u64(j, "busy_calls", f->busy_calls);
	json_kv_u64(j, "backlogged", f->backlogged);
	if (f->switchovers)
		json_kv_u64(j, "last_switch_ms",
			    clock_tsc_to_ns(f->switch_tsc) / 1000000);
	failover_member_report(f->primary, "primary", j);
	failover_member_report(f->standby, "standby", j);
	/* The interrupts are the members'; the generic line shows their
	 * sum (netdev_report_drv prints it after this). */
	nd->st.irqs = f->primary->st.irqs + f->standby->st.irqs;
}

static const struct netdev_ops failover_ops = {
	.rx_burst = failover_rx_burst,
	.tx_burst = failover_tx_burst,
	.link = failover_link,
	.ready = failover_ready,
	.arm = failover_arm,
	.disarm = failover_disarm,
	.stats = failover_stats,
};

struct netdev *failover_create(struct netdev *primary, struct netdev *standby,
			       const struct netdev_conf *c, int *err)
{
	struct failover *f = alloc_zeroed(sizeof(*f));
	bool irq;

	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->nd.ops = &failover_ops;
	f->nd.driver = "failover";
	f->nd.model = "active-backup";
	memcpy(f->nd.mac, standby->mac, 6);
	f->nd.pci = standby->pci;
	f->nd.priv = f;
	f->primary = primary;
	f->standby = standby;
	primary->busy_hook = failover_busy;
	primary->busy_arg = f;
	/* One wait loop sleeps for both: only if both can wake it. */
	irq = primary->mode != NETDEV_MODE_POLL &&
	      standby->mode != NETDEV_MODE_POLL;
	netdev_mode_set(&f->nd, c, irq);
	f->nd.irq_kind = irq ? standby->irq_kind : "none";
	f->link_poll_tsc = clock_ns_to_tsc(FAILOVER_LINK_POLL_MS * 1000000ull);
	/* The first pick is no switch-over: nothing to announce yet. */
	f->active = failover_pick(f);
	return &f->nd;
}

struct netdev *failover_active(struct netdev *nd)
{
	return failover_of(nd)->active;
}

uint64_t failover_switchovers(struct netdev *nd)
{
	return failover_of(nd)->switchovers;
}
