// SPDX-License-Identifier: MIT
/*
 * Teams: DPDK's bonding PMD over member uplinks, one switch port per team.
 *
 * The members are ethdevs created from vdev strings like any uplink, but
 * they are not switch ports; the bond is. DPDK 22.11 does not see af_packet
 * or tap members lose their link (MACHINE-NOTES.md), so the switch follows
 * their kernel interfaces (sw_linkwatch.c) and acts itself, at once, on the
 * forwarding thread (the bond's rx/tx run there, and the bonding API is not
 * safe against concurrent bursts):
 *
 *  - active-backup: the dead member stays in the bond; the primary moves to
 *    a live member (rte_eth_bond_primary_set). No failback when the old
 *    primary returns (as Linux active-backup without a primary setting):
 *    a flap costs one failover, not two. With no member up, the first to
 *    come back becomes primary;
 *  - balance-xor and 802.3ad: the dead member is removed from the bond
 *    (rte_eth_bond_slave_remove) so the hash no longer picks it, and added
 *    back when its link returns.
 *
 * After a failover the switch announces the MACs learned behind its other
 * ports out of the team (sw_announce.c), so the outside relearns them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eth_bond.h>
#include <rte_eth_bond_8023ad.h>
#include <rte_ethdev.h>

#define LOG_SUBSYS "team"
#include "base/clock.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "base/mac.h"
#include "vswitch/sw.h"
#include "vswitch/sw_req.h"

struct sw_member {
	char name[SW_NAME_MAX];
	struct sw_uplink up;
	bool in_bond;		/* currently a slave of the bond */
	uint64_t link_changes;
};

struct sw_team {
	struct sw_team *next;
	char name[SW_NAME_MAX];
	char bond_name[SW_NAME_MAX + 16];
	int mode, hash;
	uint16_t bond_port;
	bool bond_created;
	struct sw_port *port;
	unsigned nmembers;
	struct sw_member m[SW_TEAM_MAX_MEMBERS];
	int active;			/* active-backup: member index or -1 */

	/* Written on the forwarding thread, read by show. */
	uint64_t failovers;		/* traffic moved off a dead member */
	uint64_t recoveries;		/* a member came back */
	uint64_t last_failover_ns;	/* CLOCK_MONOTONIC, 0 = never */
	time_t last_failover_wall;
	char last_failover_what[96];
	uint64_t last_react_us;		/* netlink event -> bond updated */
	unsigned last_announced;	/* frames sent right after */
};

_Static_assert(SW_TEAM_ACTIVE_BACKUP == BONDING_MODE_ACTIVE_BACKUP &&
	       SW_TEAM_BALANCE_XOR == BONDING_MODE_BALANCE &&
	       SW_TEAM_LACP == BONDING_MODE_8023AD, "team modes are DPDK's");
_Static_assert(SW_TEAM_HASH_L2 == BALANCE_XMIT_POLICY_LAYER2 &&
	       SW_TEAM_HASH_L23 == BALANCE_XMIT_POLICY_LAYER23 &&
	       SW_TEAM_HASH_L34 == BALANCE_XMIT_POLICY_LAYER34,
	       "team hashes are DPDK's");

struct sw_team *sw_team_find(struct sw *sw, const char *name)
{
	struct sw_team *t;

	for (t = sw->teams; t; t = t->next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

const char *sw_team_of_member(struct sw *sw, const char *member)
{
	for (struct sw_team *t = sw->teams; t; t = t->next)
		for (unsigned i = 0; i < t->nmembers; i++)
			if (strcmp(t->m[i].name, member) == 0)
				return t->name;
	return NULL;
}

const char *sw_team_vdev_user(struct sw *sw, const char *devname,
			      const char *ifname)
{
	for (struct sw_team *t = sw->teams; t; t = t->next)
		for (unsigned i = 0; i < t->nmembers; i++)
			if (sw_uplink_overlaps(&t->m[i].up, devname, ifname))
				return t->m[i].name;
	return NULL;
}

static bool sw_team_any_up(const struct sw_team *t)
{
	for (unsigned i = 0; i < t->nmembers; i++)
		if (t->m[i].up.kernel_up)
			return true;
	return false;
}

/* ---- reacting to member links (forwarding thread) ---- */

/*
 * Bring the bond in line with the members' links. True if it changed;
 * *@lost says traffic had to move off a dead member (a failover), as
 * opposed to a member coming back (a recovery).
 */
static bool sw_team_apply(struct sw_team *t, char *what, size_t wlen,
			  bool *lost)
{
	bool changed = false;
	int ret;

	what[0] = '\0';
	*lost = false;
	if (t->mode == BONDING_MODE_ACTIVE_BACKUP) {
		int cur = t->active, next = -1;

		if (cur >= 0 && t->m[cur].up.kernel_up)
			return false;		/* the active member is fine */
		for (unsigned i = 0; i < t->nmembers; i++)
			if (t->m[i].up.kernel_up) {
				next = (int)i;
				break;
			}
		if (next < 0) {
			if (cur >= 0)
				snprintf(what, wlen, "%s down, no member left",
					 t->m[cur].name);
			t->active = -1;
			*lost = cur >= 0;
			return cur >= 0;
		}
		ret = rte_eth_bond_primary_set(t->bond_port,
					       t->m[next].up.eth_port);
		if (ret < 0) {
			log_err("team %s: primary %s: %s", t->name,
				t->m[next].name, strerror(-ret));
			return false;
		}
		snprintf(what, wlen, "active %s -> %s",
			 cur >= 0 ? t->m[cur].name : "none", t->m[next].name);
		*lost = cur >= 0;
		t->active = next;
		return true;
	}

	for (unsigned i = 0; i < t->nmembers; i++) {
		struct sw_member *m = &t->m[i];
		size_t used = strlen(what);

		if (m->in_bond && !m->up.kernel_up) {
			ret = rte_eth_bond_slave_remove(t->bond_port,
							m->up.eth_port);
			if (ret < 0) {
				log_err("team %s: remove %s: %s", t->name,
					m->name, strerror(-ret));
				continue;
			}
			m->in_bond = false;
			changed = true;
			*lost = true;
			snprintf(what + used, wlen - used, "%s%s out",
				 used ? ", " : "", m->name);
		} else if (!m->in_bond && m->up.kernel_up) {
			ret = rte_eth_bond_slave_add(t->bond_port,
						     m->up.eth_port);
			if (ret < 0) {
				log_err("team %s: add %s: %s", t->name,
					m->name, strerror(-ret));
				continue;
			}
			m->in_bond = true;
			changed = true;
			snprintf(what + used, wlen - used, "%s%s in",
				 used ? ", " : "", m->name);
		}
	}
	return changed;
}

struct sw_team_react_req {
	struct sw_team *team;
	uint64_t event_ns;
};

static int sw_team_react_fn(struct sw *sw, void *arg)
{
	struct sw_team_react_req *r = arg;
	struct sw_team *t = r->team;
	struct sw_port *p = t->port;
	char what[96];
	bool up = sw_team_any_up(t), lost;

	if (!sw_team_apply(t, what, sizeof(what), &lost))
		return 0;
	if (lost)
		t->failovers++;
	else
		t->recoveries++;
	t->last_failover_ns = clock_mono_ns();
	t->last_failover_wall = time(NULL);
	t->last_react_us = (t->last_failover_ns - r->event_ns) / 1000;
	snprintf(t->last_failover_what, sizeof(t->last_failover_what), "%s",
		 what);
	if (p && atomic_load(&p->link_up) != up)
		sw_port_set_link(sw, p, up);	/* inline: fwd thread */
	/* Tell the outside where our stations are now. */
	t->last_announced = p && up ? sw_announce_port(sw, p) : 0;
	log_info("team %s: %s (%llu us after the link event), %u announced",
		 t->name, what, (unsigned long long)t->last_react_us,
		 t->last_announced);
	return 0;
}

/*
 * The team port's kernel_link op: a kernel interface changed state; acts
 * on any member it names. @ifname NULL: events were lost, re-read every
 * member's state.
 */
static void sw_team_kernel_link(struct sw_port *p, const char *ifname,
				bool up, uint64_t event_ns)
{
	struct sw_team *t = p->priv;
	bool hit = false;

	for (unsigned i = 0; i < t->nmembers; i++) {
		struct sw_member *m = &t->m[i];
		bool now_up = up;

		if (!m->up.ifname[0])
			continue;
		if (!ifname)	/* resync: ask the kernel */
			now_up = sw_linkwatch_query(m->up.ifname) == 1;
		else if (strcmp(m->up.ifname, ifname) != 0)
			continue;
		if (m->up.kernel_up == now_up)
			continue;
		m->up.kernel_up = now_up;
		m->link_changes++;
		hit = true;
		log_info("team %s: member %s (%s) link %s", t->name, m->name,
			 m->up.ifname, now_up ? "up" : "down");
	}
	if (hit) {
		struct sw_team_react_req r = {
			.team = t,
			.event_ns = event_ns,
		};

		sw_fwd_exec(p->sw, sw_team_react_fn, &r);
	}
}

/* ---- the team port kind ---- */

static void sw_team_destroy(struct sw *sw, struct sw_team *t)
{
	struct sw_team **pp;

	for (pp = &sw->teams; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	if (t->bond_created) {
		int ret;

		rte_eth_dev_stop(t->bond_port);
		/* 22.11 refuses to free a bond that still has slaves. */
		for (unsigned i = 0; i < t->nmembers; i++)
			if (t->m[i].in_bond &&
			    rte_eth_bond_slave_remove(t->bond_port,
						      t->m[i].up.eth_port) == 0)
				t->m[i].in_bond = false;
		ret = rte_eth_bond_free(t->bond_name);
		if (ret < 0)
			log_warn("team %s: cannot free bond: %s", t->name,
				 strerror(-ret));
	}
	for (unsigned i = 0; i < t->nmembers; i++)
		sw_uplink_release(&t->m[i].up);
	free(t);
}

static unsigned sw_team_rx(struct sw_port *p, struct rte_mbuf **pkts,
			   unsigned n)
{
	const struct sw_team *t = p->priv;

	return rte_eth_rx_burst(t->bond_port, 0, pkts, (uint16_t)n);
}

static unsigned sw_team_tx(struct sw_port *p, struct rte_mbuf **pkts,
			   unsigned n)
{
	const struct sw_team *t = p->priv;

	return rte_eth_tx_burst(t->bond_port, 0, pkts, (uint16_t)n);
}

/* show-ports; the members are in show-team. */
static void sw_team_port_json(struct sw_port *p, json_t *o)
{
	const struct sw_team *t = p->priv;

	json_object_set_new(o, "eth_port", json_integer(t->bond_port));
}

/* S-tagged frames the kernel dropped for the members (sw_afpacket.c). */
static void sw_team_sync_stats(struct sw_port *p)
{
	struct sw_team *t = p->priv;

	for (unsigned i = 0; i < t->nmembers; i++) {
		uint64_t n = sw_afpacket_count(&t->m[i].up);

		p->st.rx_packets += n;
		p->st.drops[FWD_DROP_VLAN_QINQ] += n;
	}
}

static void sw_team_port_destroy(struct sw_port *p)
{
	sw_team_destroy(p->sw, p->priv);
	free(p);
}

static const struct sw_port_ops sw_team_ops = {
	.kind = "team",
	.rx_burst = sw_team_rx,
	.tx_burst = sw_team_tx,
	.json = sw_team_port_json,
	.sync_stats = sw_team_sync_stats,
	.kernel_link = sw_team_kernel_link,
	.destroy = sw_team_port_destroy,
};

struct sw_team *sw_team_of(struct sw_port *p)
{
	return p->ops == &sw_team_ops ? p->priv : NULL;
}

static int sw_team_build(struct sw *sw, struct sw_team *t,
			 const struct sw_team_spec *spec, char *err,
			 size_t errlen)
{
	int ret;

	for (unsigned i = 0; i < spec->nmembers; i++) {
		struct sw_member *m = &t->m[i];

		snprintf(m->name, sizeof(m->name), "%s", spec->members[i]);
		ret = sw_uplink_probe(&m->up, spec->vdevs[i]);
		t->nmembers = i + 1;
		if (ret < 0) {
			char why[256];

			snprintf(err, errlen,
				 "member %s: cannot create \"%s\": %s",
				 m->name, spec->vdevs[i],
				 sw_afpacket_strerror(spec->vdevs[i], ret, why,
						      sizeof(why)));
			return ret;
		}
	}
	snprintf(t->bond_name, sizeof(t->bond_name), "net_bonding_%s", t->name);
	ret = rte_eth_bond_create(t->bond_name, (uint8_t)t->mode,
				  (uint8_t)rte_socket_id());
	if (ret < 0) {
		snprintf(err, errlen, "cannot create bond %s: %s",
			 t->bond_name, strerror(-ret));
		return ret;
	}
	t->bond_port = (uint16_t)ret;
	t->bond_created = true;
	if (t->mode == BONDING_MODE_BALANCE || t->mode == BONDING_MODE_8023AD) {
		ret = rte_eth_bond_xmit_policy_set(t->bond_port,
						   (uint8_t)t->hash);
		if (ret < 0) {
			snprintf(err, errlen, "xmit policy: %s",
				 strerror(-ret));
			return ret;
		}
	}
	for (unsigned i = 0; i < t->nmembers; i++) {
		ret = rte_eth_bond_slave_add(t->bond_port, t->m[i].up.eth_port);
		if (ret < 0) {
			snprintf(err, errlen, "cannot add %s to the bond: %s",
				 t->m[i].name, strerror(-ret));
			return ret;
		}
		t->m[i].in_bond = true;
	}
	if (t->mode == BONDING_MODE_ACTIVE_BACKUP) {
		rte_eth_bond_primary_set(t->bond_port, t->m[0].up.eth_port);
		t->active = 0;
	}
	ret = sw_ethdev_start(sw, t->bond_port);
	if (ret < 0) {
		snprintf(err, errlen, "cannot start bond: %s", strerror(-ret));
		return ret;
	}
	/* What the members took in before their sockets were guarded. */
	sw_ethdev_drain(t->bond_port);
	return 0;
}

int sw_team_add(struct sw *sw, const struct sw_team_spec *spec,
		const struct vlan_port_cfg *vlan, char *err, size_t errlen)
{
	struct rte_ether_addr mac;
	struct sw_team *t;
	struct sw_port *p;
	char what[96];
	bool lost, ab;
	int id, ret;

	/* Nothing shared with another team, uplink or port, nor twice. */
	ret = sw_team_spec_check(spec, err, errlen);
	if (ret < 0)
		return ret;
	ret = sw_name_free(sw, spec->name, err, errlen);
	for (unsigned i = 0; ret == 0 && i < spec->nmembers; i++) {
		ret = sw_name_free(sw, spec->members[i], err, errlen);
		if (ret == 0)
			ret = sw_vdev_free(sw, spec->vdevs[i], err, errlen);
	}
	if (ret < 0)
		return ret;
	id = sw_port_alloc_id(sw);
	if (id < 0) {
		snprintf(err, errlen, "no free port");
		return id;
	}
	t = calloc(1, sizeof(*t));
	p = calloc(1, sizeof(*p));
	if (!t || !p) {
		free(t);
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(t->name, sizeof(t->name), "%s", spec->name);
	t->mode = spec->mode;
	t->hash = spec->hash;
	t->active = -1;
	t->next = sw->teams;
	sw->teams = t;
	ret = sw_team_build(sw, t, spec, err, errlen);
	if (ret < 0)
		goto fail;
	/* Members that are down now: the same rule as a live event. */
	for (unsigned i = 0; i < t->nmembers; i++)
		if (!t->m[i].up.ifname[0])
			t->m[i].up.kernel_up = true;	/* no kernel side */
	sw_team_apply(t, what, sizeof(what), &lost);

	p->sw = sw;
	p->id = (unsigned)id;
	snprintf(p->name, sizeof(p->name), "%s", spec->name);
	p->ops = &sw_team_ops;
	p->priv = t;
	p->vlan = *vlan;
	p->admin_up = true;
	/* LACPDUs leave only inside tx bursts: burst every round. */
	p->tx_always = t->mode == BONDING_MODE_8023AD;
	atomic_store(&p->link_up, sw_team_any_up(t));
	if (rte_eth_macaddr_get(t->bond_port, &mac) == 0)
		memcpy(p->mac, mac.addr_bytes, 6);
	t->port = p;
	ret = sw_port_add(sw, p);
	if (ret < 0) {
		t->port = NULL;
		snprintf(err, errlen, "cannot add port: %s", strerror(-ret));
		goto fail;
	}
	ab = t->mode == BONDING_MODE_ACTIVE_BACKUP;
	log_info("team %s: %s%s%s over %u members, bond port %u", t->name,
		 sw_team_mode_name(t->mode), ab ? "" : " hash ",
		 ab ? "" : sw_team_hash_name(t->hash), t->nmembers,
		 t->bond_port);
	return 0;
fail:
	free(p);
	sw_team_destroy(sw, t);
	return ret;
}

/* ---- show ---- */

static json_t *sw_team_lacp_json(struct sw_team *t, struct sw_member *m)
{
	struct rte_eth_bond_8023ad_slave_info info;
	char mac[MAC_STR_LEN];
	json_t *o;

	if (!m->in_bond ||
	    rte_eth_bond_8023ad_slave_info(t->bond_port, m->up.eth_port,
					   &info) < 0)
		return json_null();
	o = json_object();
	json_object_set_new(o, "selected", json_string(
		info.selected == SELECTED ? "selected" :
		info.selected == STANDBY ? "standby" : "unselected"));
	json_object_set_new(o, "actor_state", json_integer(info.actor_state));
	json_object_set_new(o, "partner_state",
			    json_integer(info.partner_state));
	mac_format(info.partner.system.addr_bytes, mac);
	json_object_set_new(o, "partner_system", json_string(mac));
	json_object_set_new(o, "partner_key",
			    json_integer(rte_be_to_cpu_16(info.partner.key)));
	json_object_set_new(o, "partner_port", json_integer(
		rte_be_to_cpu_16(info.partner.port_number)));
	json_object_set_new(o, "aggregator", json_integer(info.agg_port_id));
	json_object_set_new(o, "distributing", json_boolean(
		info.actor_state & STATE_DISTRIBUTING));
	return o;
}

json_t *sw_team_json(struct sw *sw, struct sw_team *t)
{
	uint16_t act[RTE_MAX_ETHPORTS];
	int nact = rte_eth_bond_active_slaves_get(t->bond_port, act,
						  RTE_MAX_ETHPORTS);
	json_t *o = json_object(), *members = json_array();
	uint64_t now = clock_mono_ns();

	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "port", t->port ? json_integer(t->port->id) :
						 json_null());
	json_object_set_new(o, "mode", json_string(sw_team_mode_name(t->mode)));
	if (t->mode != BONDING_MODE_ACTIVE_BACKUP)
		json_object_set_new(o, "hash",
				    json_string(sw_team_hash_name(t->hash)));
	json_object_set_new(o, "bond", json_string(t->bond_name));
	json_object_set_new(o, "link",
			    json_string(sw_team_any_up(t) ? "up" : "down"));
	if (t->mode == BONDING_MODE_ACTIVE_BACKUP)
		json_object_set_new(o, "active", t->active >= 0 ?
				    json_string(t->m[t->active].name) :
				    json_null());
	JSON_COUNTER(o, *t, failovers);
	JSON_COUNTER(o, *t, recoveries);
	if (t->last_failover_ns) {
		json_t *lf = json_object();
		char when[32];
		struct tm tm;

		localtime_r(&t->last_failover_wall, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		json_object_set_new(lf, "time", json_string(when));
		/* The last change, failover or recovery. */
		json_object_set_new(lf, "ago_ms", json_integer(
			(json_int_t)((now - t->last_failover_ns) / 1000000)));
		json_object_set_new(lf, "what",
				    json_string(t->last_failover_what));
		json_object_set_new(lf, "react_us",
				    json_integer((json_int_t)t->last_react_us));
		json_object_set_new(lf, "announced",
				    json_integer(t->last_announced));
		json_object_set_new(o, "last_change", lf);
	} else {
		json_object_set_new(o, "last_change", json_null());
	}
	for (unsigned i = 0; i < t->nmembers; i++) {
		struct sw_member *m = &t->m[i];
		json_t *mo = json_object();
		struct rte_eth_stats es;
		bool bond_active = false;

		for (int k = 0; k < nact; k++)
			if (act[k] == m->up.eth_port)
				bond_active = true;
		json_object_set_new(mo, "name", json_string(m->name));
		json_object_set_new(mo, "vdev", json_string(m->up.vdev));
		json_object_set_new(mo, "ifname", json_string(m->up.ifname));
		json_object_set_new(mo, "eth_port",
				    json_integer(m->up.eth_port));
		json_object_set_new(mo, "link", json_string(m->up.kernel_up ?
							     "up" : "down"));
		json_object_set_new(mo, "in_bond", json_boolean(m->in_bond));
		/* Carrying traffic: the primary (active-backup) or an active
		 * slave still in the bond (balance, 802.3ad). */
		json_object_set_new(mo, "active", json_boolean(
			t->mode == BONDING_MODE_ACTIVE_BACKUP ?
				(int)i == t->active :
				m->in_bond && bond_active));
		JSON_COUNTER(mo, *m, link_changes);
		if (rte_eth_stats_get(m->up.eth_port, &es) == 0) {
			json_counter_set(mo, "rx_packets", es.ipackets);
			json_counter_set(mo, "tx_packets", es.opackets);
			json_counter_set(mo, "tx_errors", es.oerrors);
		}
		if (t->mode == BONDING_MODE_8023AD)
			json_object_set_new(mo, "lacp",
					    sw_team_lacp_json(t, m));
		json_array_append_new(members, mo);
	}
	json_object_set_new(o, "members", members);
	return o;
}

json_t *sw_team_list_json(struct sw *sw)
{
	json_t *arr = json_array();

	for (struct sw_team *t = sw->teams; t; t = t->next)
		json_array_append_new(arr, sw_team_json(sw, t));
	return arr;
}
