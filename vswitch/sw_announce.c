// SPDX-License-Identifier: MIT
/*
 * Announcements after a team fails over: every MAC the switch learned
 * behind its other ports is announced out of the team, so the switches
 * outside (and their FDBs) learn that those stations are now reached over
 * the new link. As Open vSwitch and QEMU's announce-self do: a gratuitous
 * ARP when the switch knows the station's IPv4 address (snooped from ARP
 * it forwarded, RFC 5227 section 3 form: a request with sender and target
 * IP both the station's), otherwise a RARP (ethertype 0x8035, opcode 3,
 * RFC 903) that only carries the MAC. Repeated SW_ANNOUNCE_ROUNDS times,
 * because the first copies can meet a link that is still settling.
 *
 * And on behalf of a VM that has just migrated here (ATTACH_F_ANNOUNCE):
 * its pv NIC's frames never pass through its VMM, so the switch sends
 * what QEMU's announce-self would, from the VM's port as if the VM had
 * sent it (learned there, flooded everywhere else): a RARP carrying the
 * MAC and, when the switch has seen the VM's IPv4 address in an ARP, a
 * gratuitous ARP. Five rounds: at once, then 50 ms later and 100 ms more
 * each round (QEMU's announce-initial 50, -step 100, -rounds 5; the VMM's
 * schedule for emu NICs, core/nic_announce.h).
 *
 * Forwarding thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#define LOG_SUBSYS "announce"
#include "base/clock.h"
#include "base/log.h"
#include "vswitch/frame_check.h"
#include "vswitch/sw.h"

#define SW_ANNOUNCE_MAX		4096	/* stations per announcement */
#define SW_ANNOUNCE_ROUNDS	3
#define SW_IPTAB_SIZE		4096	/* direct-mapped MAC/VLAN -> IPv4 */

/* Delay before each repeat, after the first burst (QEMU: 50 ms, +100). */
static const uint64_t sw_announce_gap_ns[SW_ANNOUNCE_ROUNDS] = {
	0, 50 * 1000000ull, 150 * 1000000ull,
};

/* A migrated VM's rounds: delay before each, in ms. */
#define SW_ANNOUNCE_VM_ROUNDS	5
static const uint64_t sw_announce_vm_gap_ms[SW_ANNOUNCE_VM_ROUNDS] = {
	0, 50, 150, 250, 350,
};

struct sw_ipent {
	uint8_t mac[6];
	uint16_t vid;		/* 0 = empty slot */
	uint8_t ip[4];
};

struct sw_announce_pending {
	struct sw_port *port;	/* NULL = nothing pending */
	unsigned round;		/* next round to send */
	uint64_t next_ns;
};

struct sw_announce {
	struct sw_ipent ip[SW_IPTAB_SIZE];
	struct sw_announce_pending pend[SW_MAX_PORTS];
	struct sw_announce_pending vm[SW_MAX_PORTS];	/* migrated VMs */
	struct fdb_entry ent[SW_ANNOUNCE_MAX];
	uint64_t sent_garp, sent_rarp;
};

int sw_announce_init(struct sw *sw)
{
	sw->announce = calloc(1, sizeof(*sw->announce));
	return sw->announce ? 0 : -ENOMEM;
}

void sw_announce_fini(struct sw *sw)
{
	free(sw->announce);
	sw->announce = NULL;
}

static unsigned sw_ip_slot(const uint8_t mac[6], uint16_t vid)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	h = (h ^ vid) * 16777619u;
	return h % SW_IPTAB_SIZE;
}

void sw_announce_snoop(struct sw *sw, const uint8_t *frame, unsigned len,
		       uint16_t vid)
{
	struct sw_ipent *e;
	unsigned off = 14;
	const uint8_t *a;

	if (len >= 18 && frame[12] == 0x81 && frame[13] == 0x00)
		off = 18;
	if (len < off + 28)
		return;
	a = frame + off;
	/* Ethernet/IPv4 ARP only: htype 1, ptype 0x0800, hlen 6, plen 4. */
	if (a[0] != 0 || a[1] != 1 || a[2] != 0x08 || a[3] != 0x00 ||
	    a[4] != 6 || a[5] != 4)
		return;
	/* The sender's MAC must be the frame's source: no proxy claims. */
	if (memcmp(a + 8, frame + 6, 6) != 0 || mac_is_multicast(a + 8))
		return;
	if (!(a[14] | a[15] | a[16] | a[17]))
		return;		/* ARP probe (sender IP 0.0.0.0) */
	e = &sw->announce->ip[sw_ip_slot(a + 8, vid)];
	memcpy(e->mac, a + 8, 6);
	e->vid = vid;
	memcpy(e->ip, a + 14, 4);
}

static const uint8_t *sw_ip_lookup(struct sw *sw, const uint8_t mac[6],
				   uint16_t vid)
{
	struct sw_ipent *e = &sw->announce->ip[sw_ip_slot(mac, vid)];

	if (e->vid == vid && memcmp(e->mac, mac, 6) == 0)
		return e->ip;
	return NULL;
}

/* Build the announcement for one station into @buf; its length. */
static unsigned sw_announce_build(uint8_t *buf, const uint8_t mac[6],
				  const uint8_t *ip)
{
	uint8_t *a = buf + 14;

	memset(buf, 0, ETH_ZLEN);
	memset(buf, 0xff, 6);
	memcpy(buf + 6, mac, 6);
	buf[12] = ip ? 0x08 : 0x80;
	buf[13] = ip ? 0x06 : 0x35;
	a[1] = 1;		/* htype Ethernet */
	a[2] = 0x08;		/* ptype IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = ip ? 1 : 3;	/* ARP request / RARP request reverse */
	memcpy(a + 8, mac, 6);
	if (ip) {
		memcpy(a + 14, ip, 4);
		memcpy(a + 24, ip, 4);	/* target IP = sender IP */
	} else {
		memcpy(a + 18, mac, 6);	/* RARP: target hw = own MAC */
	}
	return ETH_ZLEN;
}

static unsigned sw_announce_send(struct sw *sw, struct sw_port *p)
{
	struct sw_announce *an = sw->announce;
	unsigned n, sent = 0;

	fdb_age(sw->table.fdb, clock_mono_ns());
	n = fwd_learned_except(&sw->table, 1ull << p->id, an->ent,
			       SW_ANNOUNCE_MAX);
	for (unsigned i = 0; i < n; i++) {
		const struct fdb_entry *e = &an->ent[i];
		const uint8_t *ip = sw_ip_lookup(sw, e->mac, e->vlan);
		struct rte_mbuf *m;
		unsigned len;
		uint8_t *d;
		int tag;

		tag = vlan_egress_tagged(&sw->table.ports[p->id].vlan,
					 e->vlan);
		if (tag < 0)
			continue;	/* the team does not carry that VLAN */
		m = rte_pktmbuf_alloc(sw->pool);
		if (!m)
			break;
		d = rte_pktmbuf_mtod(m, uint8_t *);
		len = sw_announce_build(d, e->mac, ip);
		if (tag && vlan_retag(d, rte_pktmbuf_tailroom(m), &len, true,
				      e->vlan) < 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		sw_fwd_tx_one(sw, p, m);
		if (ip)
			an->sent_garp++;
		else
			an->sent_rarp++;
		sent++;
	}
	sw_fwd_flush(sw);
	return sent;
}

unsigned sw_announce_port(struct sw *sw, struct sw_port *p)
{
	struct sw_announce_pending *pd = &sw->announce->pend[p->id];
	unsigned sent = sw_announce_send(sw, p);

	pd->port = p;
	pd->round = 1;
	pd->next_ns = clock_mono_ns() + sw_announce_gap_ns[1];
	return sent;
}

void sw_announce_vm(struct sw *sw, struct sw_port *p)
{
	struct sw_announce_pending *pd = &sw->announce->vm[p->id];

	pd->port = p;
	pd->round = 0;
	pd->next_ns = clock_mono_ns();
	log_info("%s: announcing %02x:%02x:%02x:%02x:%02x:%02x for the VM "
		 "that migrated here (%u rounds)", p->name, p->mac[0],
		 p->mac[1], p->mac[2], p->mac[3], p->mac[4], p->mac[5],
		 SW_ANNOUNCE_VM_ROUNDS);
}

/* One announcement frame from @mac as a fresh mbuf, or NULL. */
static struct rte_mbuf *sw_announce_mbuf(struct sw *sw, const uint8_t *mac,
					 const uint8_t *ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sw->pool);
	unsigned len;

	if (!m)
		return NULL;
	len = sw_announce_build(rte_pktmbuf_mtod(m, uint8_t *), mac, ip);
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	return m;
}

unsigned sw_announce_vm_take(struct sw *sw, struct sw_port *p,
			     struct rte_mbuf **pkts, unsigned n)
{
	struct sw_announce *an = sw->announce;
	struct sw_announce_pending *pd = &an->vm[p->id];
	const uint8_t *ip;
	uint64_t now;
	unsigned k = 0;

	if (!pd->port || n < 2)
		return 0;
	now = clock_mono_ns();
	if (now < pd->next_ns)
		return 0;
	ip = sw_ip_lookup(sw, p->mac, p->vlan.vid);
	if ((pkts[k] = sw_announce_mbuf(sw, p->mac, NULL))) {
		k++;
		an->sent_rarp++;
	}
	if (ip && (pkts[k] = sw_announce_mbuf(sw, p->mac, ip))) {
		k++;
		an->sent_garp++;
	}
	if (++pd->round >= SW_ANNOUNCE_VM_ROUNDS)
		pd->port = NULL;
	else
		pd->next_ns = now +
			      sw_announce_vm_gap_ms[pd->round] * 1000000ull;
	return k;
}

void sw_announce_tick(struct sw *sw, uint64_t now_ns)
{
	struct sw_announce *an = sw->announce;

	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		struct sw_announce_pending *pd = &an->pend[i];

		if (!pd->port || now_ns < pd->next_ns)
			continue;
		sw_announce_send(sw, pd->port);
		if (++pd->round >= SW_ANNOUNCE_ROUNDS)
			pd->port = NULL;
		else
			pd->next_ns = now_ns + sw_announce_gap_ns[pd->round] -
				      sw_announce_gap_ns[pd->round - 1];
	}
}

uint64_t sw_announce_next_ns(struct sw *sw, uint64_t now_ns)
{
	uint64_t best = UINT64_MAX;

	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		for (unsigned k = 0; k < 2; k++) {
			const struct sw_announce_pending *pd =
				k ? &sw->announce->vm[i] :
				    &sw->announce->pend[i];

			if (pd->port)
				best = pd->next_ns <= now_ns ? 0 :
				       (pd->next_ns - now_ns < best ?
						pd->next_ns - now_ns : best);
		}
		if (best == 0)
			break;
	}
	return best;
}

void sw_announce_forget_port(struct sw *sw, unsigned port_id)
{
	if (port_id < SW_MAX_PORTS) {
		sw->announce->pend[port_id].port = NULL;
		sw->announce->vm[port_id].port = NULL;
	}
}

void sw_announce_stats(struct sw *sw, uint64_t *garp, uint64_t *rarp)
{
	*garp = sw->announce->sent_garp;
	*rarp = sw->announce->sent_rarp;
}
