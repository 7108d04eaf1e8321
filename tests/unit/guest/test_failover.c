// SPDX-License-Identifier: MIT
/*
 * The failover netdev (guests/net/failover.c) on the host, over two fake
 * member netdevs whose link, rings and interrupts the test sets: TX goes
 * to the primary while its link is up and to the standby while not, RX
 * comes from both, every switch of the active member sends the RARP (and
 * with an address the gratuitous ARP) on the newly active member, the
 * wait loop's ready/arm/disarm reach both, and the report names the
 * active member and carries both members' own objects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_rt.h"
#include "net/failover.h"
#include "net/proto.h"
#include "rt/clock.h"
#include "rt/json.h"

#define POOL		192	/* the backlog keeps a burst's worth */
#define FAKE_Q		16

static _Alignas(4096) uint8_t arena[1 << 20];

/* ---- fakes of the guest runtime and of netdev.c ---- */

uint64_t clock_tsc_to_ns(uint64_t tsc)
{
	return tsc;
}

void netdev_mode_set(struct netdev *nd, const struct netdev_conf *c,
		     bool irq)
{
	nd->mode = irq ? c->mode : NETDEV_MODE_POLL;
	nd->poll_tsc = 0;
}

const char *netdev_mode_name(enum netdev_mode m)
{
	return m == NETDEV_MODE_POLL ? "poll" : "other";
}

/* The report as a flat list of keys, objects as "{key" and "}". */
static char report[4096];

static void report_add(const char *s)
{
	strncat(report, s, sizeof(report) - strlen(report) - 2);
	strncat(report, " ", sizeof(report) - strlen(report) - 1);
}

void json_kv_str(struct json *j, const char *key, const char *val)
{
	(void)j;
	report_add(key);
	report_add(val);
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	(void)j;
	(void)v;
	report_add(key);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	(void)j;
	report_add(key);
	report_add(v ? "true" : "false");
}

void json_obj_begin(struct json *j, const char *key)
{
	(void)j;
	report_add("{");
	report_add(key);
}

void json_obj_end(struct json *j)
{
	(void)j;
	report_add("}");
}

/* As net/netdev.c's, cut to a key and the driver's counters. */
void netdev_report_fields(struct netdev *nd, struct json *j)
{
	json_kv_str(j, "driver", nd->driver);
	json_obj_begin(j, "drv");
	if (nd->ops->stats)
		nd->ops->stats(nd, j);
	json_obj_end(j);
}

/* ---- two fake members ---- */

struct fake {
	struct netdev nd;
	bool link;			/* what link_cached and link say */
	bool stale;			/* link_cached says @cached instead */
	bool cached;
	unsigned int link_reads;	/* link() calls: register reads */
	struct pkt *rxq[FAKE_Q];	/* frames waiting to be received */
	unsigned int rx_n;
	struct pkt *txq[FAKE_Q];	/* frames sent, in order */
	unsigned int tx_n;
	unsigned int tx_room;
	int ready_ev;
	unsigned int ready_calls, arms, disarms;
	int arm_events;
	/* rx_burst blocks as igbvf's reset does: @reset_steps times the
	 * peer gets @reset_frames more frames (dropped past FAKE_Q, as a pv
	 * port with no buffer posted drops), then busy_hook is called. */
	unsigned int reset_steps, reset_frames;
	struct fake *reset_peer;
	unsigned int peer_drops;
	uint8_t peer_seq;
};

static struct fake fp, fs;

static struct fake *fake_of(struct netdev *nd)
{
	return (struct fake *)nd;
}

static void fake_reset(struct fake *f)
{
	struct fake *peer = f->reset_peer;
	unsigned int i, k;

	for (k = 0; k < f->reset_steps; k++) {
		for (i = 0; i < f->reset_frames; i++) {
			struct pkt *p;

			if (peer->rx_n == FAKE_Q) {
				f->peer_drops++;
				f->peer_seq++;
				continue;
			}
			p = pkt_alloc();
			assert_non_null(p);
			p->len = 60;
			p->data[0] = 0x02;
			p->data[1] = f->peer_seq++;
			peer->rxq[peer->rx_n++] = p;
		}
		if (f->nd.busy_hook)
			f->nd.busy_hook(f->nd.busy_arg);
	}
	f->reset_steps = 0;
}

static uint16_t fake_rx(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct fake *f = fake_of(nd);
	uint16_t got = 0;

	fake_reset(f);

	while (got < n && got < f->rx_n) {
		pkts[got] = f->rxq[got];
		got++;
	}
	memmove(f->rxq, f->rxq + got, (f->rx_n - got) * sizeof(f->rxq[0]));
	f->rx_n -= got;
	return got;
}

static uint16_t fake_tx(struct netdev *nd, struct pkt **pkts, uint16_t n)
{
	struct fake *f = fake_of(nd);
	uint16_t i;

	for (i = 0; i < n && f->tx_room && f->tx_n < FAKE_Q; i++) {
		f->txq[f->tx_n++] = pkts[i];
		f->tx_room--;
	}
	return i;
}

static bool fake_link(struct netdev *nd)
{
	fake_of(nd)->link_reads++;
	return fake_of(nd)->link;
}

static bool fake_link_cached(struct netdev *nd)
{
	struct fake *f = fake_of(nd);

	return f->stale ? f->cached : f->link;
}

static int fake_ready(struct netdev *nd)
{
	fake_of(nd)->ready_calls++;
	return fake_of(nd)->ready_ev;
}

static void fake_arm(struct netdev *nd, int events)
{
	fake_of(nd)->arms++;
	fake_of(nd)->arm_events = events;
}

static void fake_disarm(struct netdev *nd)
{
	fake_of(nd)->disarms++;
}

static void fake_stats(struct netdev *nd, struct json *j)
{
	json_kv_str(j, "fake", nd->driver);
}

static const struct netdev_ops fake_ops = {
	.rx_burst = fake_rx,
	.tx_burst = fake_tx,
	.link = fake_link,
	.link_cached = fake_link_cached,
	.ready = fake_ready,
	.arm = fake_arm,
	.disarm = fake_disarm,
	.stats = fake_stats,
};

/* The VF of old drivers: no cached link, no disarm. */
static const struct netdev_ops fake_ops_plain = {
	.rx_burst = fake_rx,
	.tx_burst = fake_tx,
	.link = fake_link,
	.ready = fake_ready,
	.arm = fake_arm,
	.stats = fake_stats,
};

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 };

static void fake_init(struct fake *f, const char *drv, bool link)
{
	struct pkt **q = f->txq;
	unsigned int i;

	for (i = 0; i < f->tx_n; i++)
		pkt_free(q[i]);
	for (i = 0; i < f->rx_n; i++)
		pkt_free(f->rxq[i]);
	memset(f, 0, sizeof(*f));
	f->nd.ops = &fake_ops;
	f->nd.driver = drv;
	f->nd.model = drv;
	f->nd.irq_kind = "msix";
	f->nd.mode = NETDEV_MODE_ADAPTIVE;
	memcpy(f->nd.mac, our_mac, 6);
	f->link = link;
	f->tx_room = FAKE_Q;
}

static void members(bool primary_up)
{
	fake_init(&fp, "igbvf", primary_up);
	fake_init(&fs, "pvnet", true);
}

/* The failover netdev over the members as they are now. */
static struct netdev *create(enum netdev_mode mode)
{
	struct netdev_conf c = { .mode = mode };
	struct netdev *nd;
	int err = 0;

	nd = failover_create(&fp.nd, &fs.nd, &c, &err);
	assert_non_null(nd);
	assert_int_equal(err, 0);
	return nd;
}

static struct netdev *make(bool primary_up)
{
	members(primary_up);
	return create(NETDEV_MODE_ADAPTIVE);
}

/* @n frames tagged with @tag in their first payload byte. */
static void send(struct netdev *nd, unsigned int n, uint8_t tag)
{
	struct pkt *p[8];
	unsigned int i;

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		p[i] = pkt_alloc();
		assert_non_null(p[i]);
		p[i]->len = 60;
		p[i]->data[ETH_HLEN] = tag;
	}
	assert_int_equal(netdev_tx_burst(nd, p, (uint16_t)n), n);
}

static void queue_rx(struct fake *f, unsigned int n, uint8_t tag)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct pkt *p = pkt_alloc();

		assert_non_null(p);
		p->len = 60;
		p->data[0] = tag;
		f->rxq[f->rx_n++] = p;
	}
}

static uint16_t be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* The RARP announcement of our_mac (QEMU's announce-self frame). */
static void assert_rarp(const struct pkt *p)
{
	const uint8_t *f = p->data;

	assert_int_equal(p->len, ETH_ZLEN);
	assert_memory_equal(f, eth_broadcast, 6);
	assert_memory_equal(f + 6, our_mac, 6);
	assert_int_equal(be16(f + 12), 0x8035);
	assert_int_equal(be16(f + 14), 1);		/* Ethernet */
	assert_int_equal(be16(f + 16), ETH_P_IPV4);
	assert_int_equal(f[18], 6);
	assert_int_equal(f[19], 4);
	assert_int_equal(be16(f + 20), 3);		/* request reverse */
	assert_memory_equal(f + 22, our_mac, 6);	/* sender */
	assert_memory_equal(f + 32, our_mac, 6);	/* target */
}

static void assert_garp(const struct pkt *p, uint32_t ip)
{
	const uint8_t *f = p->data;

	assert_memory_equal(f, eth_broadcast, 6);
	assert_memory_equal(f + 6, our_mac, 6);
	assert_int_equal(be16(f + 12), ETH_P_ARP);
	assert_int_equal(be16(f + 20), ARP_OP_REQUEST);
	assert_memory_equal(f + 22, our_mac, 6);
	assert_int_equal(be32(f + 28), ip);		/* sender IP */
	assert_int_equal(be32(f + 38), ip);		/* target IP */
}

/* ---- tests ---- */

static void test_tx_primary_while_up(void **state)
{
	struct netdev *nd = make(true);

	(void)state;
	assert_string_equal(nd->driver, "failover");
	assert_memory_equal(nd->mac, our_mac, 6);
	assert_ptr_equal(failover_active(nd), &fp.nd);
	send(nd, 3, 0xa1);
	assert_int_equal(fp.tx_n, 3);
	assert_int_equal(fs.tx_n, 0);
	assert_int_equal(fp.txq[2]->data[ETH_HLEN], 0xa1);
	/* Starting on the primary is no switch: nothing announced. */
	assert_int_equal(failover_switchovers(nd), 0);
	assert_int_equal(nd->st.tx_packets, 3);
}

static void test_tx_standby_when_down(void **state)
{
	struct netdev *nd = make(true);

	(void)state;
	fp.link = false;
	send(nd, 2, 0xb2);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	assert_int_equal(failover_switchovers(nd), 1);
	assert_int_equal(fp.tx_n, 0);
	/* The announcement first, then the app's frames. */
	assert_int_equal(fs.tx_n, 3);
	assert_rarp(fs.txq[0]);
	assert_int_equal(fs.txq[1]->data[ETH_HLEN], 0xb2);
	assert_int_equal(fs.txq[2]->data[ETH_HLEN], 0xb2);
	/* Still down: no second announcement. */
	send(nd, 1, 0xb3);
	assert_int_equal(fs.tx_n, 4);
	assert_int_equal(failover_switchovers(nd), 1);
	/* The cached view was followed: no register read per burst. */
	assert_int_equal(fp.link_reads, 0);
}

static void test_switch_back_announces(void **state)
{
	struct netdev *nd = make(false);

	(void)state;
	nd->ipv4 = 0x0a000002;		/* 10.0.0.2, as net_stack_init sets */
	assert_ptr_equal(failover_active(nd), &fs.nd);
	send(nd, 1, 0xc1);
	assert_int_equal(fs.tx_n, 1);
	fp.link = true;			/* a fresh VF on the destination */
	send(nd, 1, 0xc2);
	assert_ptr_equal(failover_active(nd), &fp.nd);
	assert_int_equal(failover_switchovers(nd), 1);
	assert_int_equal(fp.tx_n, 3);
	assert_rarp(fp.txq[0]);
	assert_garp(fp.txq[1], 0x0a000002);
	assert_int_equal(fp.txq[2]->data[ETH_HLEN], 0xc2);
	/* And away again, and back: each switch announces once more. */
	fp.link = false;
	send(nd, 1, 0xc3);
	fp.link = true;
	send(nd, 1, 0xc4);
	assert_int_equal(failover_switchovers(nd), 3);
	assert_int_equal(fs.tx_n, 1 + 2 + 1);
	assert_rarp(fs.txq[1]);
	assert_garp(fs.txq[2], 0x0a000002);
	assert_int_equal(fp.tx_n, 3 + 2 + 1);
}

static void test_no_switch_to_other_mac(void **state)
{
	struct netdev *nd = make(false);

	(void)state;
	fp.nd.mac[5] = 0x99;		/* the PF gave the VF another address */
	fp.link = true;
	send(nd, 1, 0xd1);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	assert_int_equal(failover_switchovers(nd), 0);
	assert_int_equal(fp.tx_n, 0);
	assert_int_equal(fs.tx_n, 1);
}

static void test_rx_from_both(void **state)
{
	struct netdev *nd = make(true);
	struct pkt *p[8];
	uint16_t n, i;

	(void)state;
	queue_rx(&fp, 2, 0x01);
	queue_rx(&fs, 3, 0x02);
	n = netdev_rx_burst(nd, p, 8);
	assert_int_equal(n, 5);
	/* The member TX does not go to first. */
	for (i = 0; i < 3; i++)
		assert_int_equal(p[i]->data[0], 0x02);
	assert_int_equal(p[3]->data[0], 0x01);
	assert_int_equal(p[4]->data[0], 0x01);
	assert_int_equal(nd->st.rx_packets, 5);
	pkt_free_bulk(p, n);

	/* One that fills the burst has the active member go first next. */
	queue_rx(&fs, 8, 0x02);
	queue_rx(&fp, 2, 0x01);
	n = netdev_rx_burst(nd, p, 4);
	assert_int_equal(n, 4);
	assert_int_equal(p[3]->data[0], 0x02);
	pkt_free_bulk(p, n);
	n = netdev_rx_burst(nd, p, 4);
	assert_int_equal(n, 4);
	assert_int_equal(p[0]->data[0], 0x01);
	assert_int_equal(p[1]->data[0], 0x01);
	assert_int_equal(p[2]->data[0], 0x02);
	pkt_free_bulk(p, n);
	n = netdev_rx_burst(nd, p, 8);
	assert_int_equal(n, 2);
	pkt_free_bulk(p, n);
	assert_int_equal(fp.rx_n + fs.rx_n, 0);
}

/*
 * After a switch the old member holds the older frames, the new one gets
 * the newer: the old one's come first, both ways, nothing is lost.
 */
static void test_rx_old_member_first(void **state)
{
	struct netdev *nd = make(true);
	struct pkt *p[8];
	uint16_t n;

	(void)state;
	fp.link = false;		/* the VF leaves */
	assert_int_equal(nd->ops->ready(nd), 0);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	assert_int_equal(fs.tx_n, 1);
	assert_rarp(fs.txq[0]);
	queue_rx(&fp, 2, 0x01);		/* left in the VF's ring */
	queue_rx(&fs, 2, 0x02);		/* already sent to pv */
	n = netdev_rx_burst(nd, p, 8);
	assert_int_equal(n, 4);
	assert_int_equal(p[0]->data[0], 0x01);
	assert_int_equal(p[1]->data[0], 0x01);
	assert_int_equal(p[2]->data[0], 0x02);
	pkt_free_bulk(p, n);

	fp.link = true;			/* a fresh VF */
	assert_int_equal(nd->ops->ready(nd), 0);
	assert_ptr_equal(failover_active(nd), &fp.nd);
	queue_rx(&fs, 2, 0x02);		/* still sent to pv */
	queue_rx(&fp, 2, 0x01);		/* after the network relearnt */
	n = netdev_rx_burst(nd, p, 8);
	assert_int_equal(n, 4);
	assert_int_equal(p[0]->data[0], 0x02);
	assert_int_equal(p[1]->data[0], 0x02);
	assert_int_equal(p[2]->data[0], 0x01);
	pkt_free_bulk(p, n);
	memset(report, 0, sizeof(report));
	nd->ops->stats(nd, NULL);
	assert_non_null(strstr(report, "rx_inactive "));
}

/*
 * A fresh VF's reset blocks its driver for milliseconds (trapped
 * accesses, mailbox waits) while the traffic still arrives on the
 * standby: the driver's busy_hook lets the failover take the standby's
 * frames meanwhile (its ring would overflow), and the next bursts hand
 * them out first, in order, before anything newer.
 */
static void test_rx_drained_while_primary_blocks(void **state)
{
	struct netdev *nd = make(false);
	struct pkt *p[8];
	unsigned int total = 0;
	uint16_t n, i;

	(void)state;
	assert_ptr_equal(failover_active(nd), &fs.nd);
	fp.reset_peer = &fs;
	fp.reset_steps = 4;
	fp.reset_frames = 12;		/* 48 frames, 3 rings' worth */
	n = netdev_rx_burst(nd, p, 8);
	for (;;) {
		for (i = 0; i < n; i++) {
			assert_int_equal(p[i]->data[0], 0x02);
			assert_int_equal(p[i]->data[1], total + i);
		}
		total += n;
		pkt_free_bulk(p, n);
		if (!n)
			break;
		n = netdev_rx_burst(nd, p, 8);
	}
	assert_int_equal(fp.peer_drops, 0);
	assert_int_equal(total, 48);
	assert_int_equal(fs.rx_n, 0);
}

/* The backlog is bounded by the pool: what the pool cannot spare stays
 * in the standby's ring. */
static void test_rx_backlog_spares_pool(void **state)
{
	struct netdev *nd = make(false);
	struct pkt *hold[POOL];
	struct pkt *p[8];
	unsigned int held = 0, total = 0;
	uint16_t n;

	(void)state;
	fp.reset_peer = &fs;
	fp.reset_steps = 1;
	fp.reset_frames = 8;
	/* leave the pool nothing beyond a burst's reserve */
	while (pkt_pool_avail() > NETDEV_BURST_MAX + 8)
		hold[held++] = pkt_alloc();
	fake_reset(&fp);
	assert_int_equal(fs.rx_n, 8);	/* not taken: the pool is short */
	pkt_free_bulk(hold, held);
	while ((n = netdev_rx_burst(nd, p, 8)) != 0) {
		total += n;
		pkt_free_bulk(p, n);
	}
	assert_int_equal(total, 8);
}

static void test_ready_arm_both(void **state)
{
	struct netdev *nd = make(true);
	int ev;

	(void)state;
	assert_int_equal(nd->mode, NETDEV_MODE_ADAPTIVE);
	assert_string_equal(nd->irq_kind, "msix");
	/* RX on either member wakes the loop. */
	fs.ready_ev = NETDEV_EV_RX;
	assert_int_equal(nd->ops->ready(nd), NETDEV_EV_RX);
	fs.ready_ev = 0;
	fp.ready_ev = NETDEV_EV_RX;
	assert_int_equal(nd->ops->ready(nd), NETDEV_EV_RX);
	assert_int_equal(fp.ready_calls, 2);
	assert_int_equal(fs.ready_calls, 2);
	/* TX room counts only where TX goes (the primary here). */
	fp.ready_ev = 0;
	fs.ready_ev = NETDEV_EV_TX;
	assert_int_equal(nd->ops->ready(nd), 0);
	fp.ready_ev = NETDEV_EV_TX;
	assert_int_equal(nd->ops->ready(nd), NETDEV_EV_TX);

	nd->ops->arm(nd, NETDEV_EV_RX | NETDEV_EV_TX);
	assert_int_equal(fp.arms, 1);
	assert_int_equal(fs.arms, 1);
	assert_int_equal(fp.arm_events, NETDEV_EV_RX | NETDEV_EV_TX);
	assert_int_equal(fs.arm_events, NETDEV_EV_RX);
	nd->ops->disarm(nd);
	assert_int_equal(fp.disarms, 1);
	assert_int_equal(fs.disarms, 1);

	/* A wake-up by the primary's mailbox interrupt: its link went down,
	 * ready() switches and announces, nothing sent by the app yet. */
	fp.ready_ev = 0;
	fs.ready_ev = NETDEV_EV_TX;
	fp.link = false;
	ev = nd->ops->ready(nd);
	assert_int_equal(ev, NETDEV_EV_TX);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	assert_int_equal(fs.tx_n, 1);
	assert_rarp(fs.txq[0]);
	nd->ops->arm(nd, NETDEV_EV_TX);
	assert_int_equal(fp.arm_events, 0);
	assert_int_equal(fs.arm_events, NETDEV_EV_TX);
}

static void test_poll_member_means_poll(void **state)
{
	struct netdev *nd;

	(void)state;
	members(true);
	fs.nd.mode = NETDEV_MODE_POLL;
	nd = create(NETDEV_MODE_IRQ);
	assert_int_equal(nd->mode, NETDEV_MODE_POLL);
	assert_string_equal(nd->irq_kind, "none");
}

#define LINK_POLL_TSC	(FAILOVER_LINK_POLL_MS * 1000000ull)	/* 1 ns */

/* Past the next link read's time. */
static void wait_link_poll(void)
{
	uint64_t end = clock_tsc() + 2 * LINK_POLL_TSC;

	while (clock_tsc() < end)
		;
}

/* A primary without link_cached is read, but not on every burst. */
static void test_link_read_without_cache(void **state)
{
	struct netdev *nd;
	uint64_t t0 = clock_tsc(), periods;
	int i;

	(void)state;
	members(true);
	fp.nd.ops = &fake_ops_plain;
	nd = create(NETDEV_MODE_ADAPTIVE);
	assert_ptr_equal(failover_active(nd), &fp.nd);
	assert_int_equal(fp.link_reads, 1);
	for (i = 0; i < 8; i++)
		send(nd, 1, (uint8_t)i);
	/* At most one read a period, however many bursts. */
	periods = (clock_tsc() - t0) / LINK_POLL_TSC;
	assert_true(fp.link_reads <= 1 + periods + 1);
	fp.link = false;
	wait_link_poll();
	send(nd, 1, 9);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	assert_rarp(fs.txq[0]);
	/* disarm is optional. */
	nd->ops->disarm(nd);
	assert_int_equal(fs.disarms, 1);
}

/*
 * Poll mode: no interrupt refreshes the cached view, so the link is read
 * as well; down counts at once, up only once the cached view agrees (the
 * driver has reset the fresh VF).
 */
static void test_poll_mode_reads_link(void **state)
{
	struct netdev *nd;

	(void)state;
	members(true);
	fp.nd.mode = NETDEV_MODE_POLL;
	fs.nd.mode = NETDEV_MODE_POLL;
	nd = create(NETDEV_MODE_POLL);
	assert_ptr_equal(failover_active(nd), &fp.nd);
	assert_int_equal(fp.link_reads, 1);
	/* The VF went away; its driver has not noticed yet. */
	fp.link = false;
	fp.stale = true;
	fp.cached = true;
	wait_link_poll();
	send(nd, 1, 2);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	assert_int_equal(fp.link_reads, 2);
	assert_int_equal(fs.tx_n, 2);	/* RARP, frame 2 */
	/* A fresh VF's link reads up before its driver has reset it: wait
	 * for the driver. */
	fp.link = true;
	fp.cached = false;
	wait_link_poll();
	send(nd, 1, 3);
	assert_ptr_equal(failover_active(nd), &fs.nd);
	fp.stale = false;
	send(nd, 1, 4);
	assert_ptr_equal(failover_active(nd), &fp.nd);
}

static void test_full_tx(void **state)
{
	struct netdev *nd = make(true);
	struct pkt *p[3];
	unsigned int i;

	(void)state;
	fp.tx_room = 1;
	for (i = 0; i < 3; i++) {
		p[i] = pkt_alloc();
		p[i]->len = 60;
	}
	assert_int_equal(netdev_tx_burst(nd, p, 3), 1);
	assert_int_equal(nd->st.tx_full, 1);
	pkt_free(p[1]);
	pkt_free(p[2]);
	/* No room for the announcement: counted, buffer not lost. */
	fs.tx_room = 0;
	fp.link = false;
	i = pkt_pool_avail();
	assert_int_equal(netdev_tx_burst(nd, p, 0), 0);
	assert_int_equal(pkt_pool_avail(), i);
	memset(report, 0, sizeof(report));
	nd->ops->stats(nd, NULL);
	assert_non_null(strstr(report, "announce_fails "));
}

static void test_report(void **state)
{
	struct netdev *nd = make(true);

	(void)state;
	fp.link = false;
	send(nd, 1, 1);
	memset(report, 0, sizeof(report));
	nd->ops->stats(nd, NULL);
	assert_non_null(strstr(report, "active standby "));
	assert_non_null(strstr(report, "active_driver pvnet "));
	assert_non_null(strstr(report, "switchovers "));
	assert_non_null(strstr(report,
		"{ primary driver igbvf "));
	assert_non_null(strstr(report, "{ drv fake igbvf } }"));
	assert_non_null(strstr(report,
		"{ standby driver pvnet "));
	assert_non_null(strstr(report, "{ drv fake pvnet } }"));
}

static void test_rarp_frame(void **state)
{
	struct pkt *p = pkt_alloc();

	(void)state;
	memset(p->data, 0xee, 64);
	failover_rarp_put(p->data, our_mac);
	p->len = ETH_ZLEN;
	assert_rarp(p);
	/* No IPv4 addresses claimed, padding zeroed. */
	assert_int_equal(be32(p->data + 28), 0);
	assert_int_equal(be32(p->data + 38), 0);
	assert_int_equal(p->data[ETH_ZLEN - 1], 0);
	pkt_free(p);
}

static int group_setup(void **state)
{
	(void)state;
	fake_rt_arena(arena, sizeof(arena));
	return pkt_pool_init(POOL);
}

/* Every test gives its buffers back: the pool is whole between tests. */
static int check_pool(void **state)
{
	(void)state;
	fake_init(&fp, "", false);
	fake_init(&fs, "", false);
	return pkt_pool_avail() == POOL ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tx_primary_while_up,
					  check_pool),
		cmocka_unit_test_teardown(test_tx_standby_when_down,
					  check_pool),
		cmocka_unit_test_teardown(test_switch_back_announces,
					  check_pool),
		cmocka_unit_test_teardown(test_no_switch_to_other_mac,
					  check_pool),
		cmocka_unit_test_teardown(test_rx_from_both, check_pool),
		cmocka_unit_test_teardown(test_rx_old_member_first,
					  check_pool),
		cmocka_unit_test_teardown(test_rx_drained_while_primary_blocks,
					  check_pool),
		cmocka_unit_test_teardown(test_rx_backlog_spares_pool,
					  check_pool),
		cmocka_unit_test_teardown(test_ready_arm_both, check_pool),
		cmocka_unit_test_teardown(test_poll_member_means_poll,
					  check_pool),
		cmocka_unit_test_teardown(test_link_read_without_cache,
					  check_pool),
		cmocka_unit_test_teardown(test_poll_mode_reads_link,
					  check_pool),
		cmocka_unit_test_teardown(test_full_tx, check_pool),
		cmocka_unit_test_teardown(test_report, check_pool),
		cmocka_unit_test_teardown(test_rarp_frame, check_pool),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
