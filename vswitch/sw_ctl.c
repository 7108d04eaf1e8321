// SPDX-License-Identifier: MIT
/*
 * The switch's control commands (JSON lines, core/ctl.h). Handlers run on
 * the control thread; whatever reads or changes forwarding state goes
 * through sw_fwd_exec(). Requests are untrusted: sw_req.c checks each one
 * whole (members, types, ranges, names, vdevs) and the handlers check it
 * against the switch (ports that exist, names and interfaces in use)
 * before they change anything; a bad one gets {"ok":false,"error":"..."}
 * and changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eth_bond.h>
#include <rte_mempool.h>

#define LOG_SUBSYS "ctl"
#include "base/clock.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "base/mac.h"
#include "core/ctl.h"
#include "core/evloop.h"
#include "vswitch/sw.h"
#include "vswitch/sw_req.h"

/* ---- requests ---- */

/* The port a request names; an error answer if there is none. */
static struct sw_port *sw_ctl_port(struct sw *sw, const struct sw_req_port *rp,
				   json_t *resp)
{
	struct sw_port *p;
	const char *team;

	if (rp->by_id) {
		p = sw->ports[rp->id];
		if (!p)
			ctl_error(resp, "no port %u", rp->id);
		return p;
	}
	p = sw_port_find(sw, rp->name);
	team = p ? NULL : sw_team_of_member(sw, rp->name);
	if (team)
		ctl_error(resp, "%s is a member of team %s, not a port",
			  rp->name, team);
	else if (!p)
		ctl_error(resp, "no port \"%s\"", rp->name);
	return p;
}

/* ---- show-ports ---- */

struct sw_show_req {
	json_t *resp;
	struct sw_port *only;
	const char *team;
	int vlan;
};

static int sw_show_ports_fn(struct sw *sw, void *arg)
{
	struct sw_show_req *r = arg;
	json_t *arr = json_array();

	for (unsigned i = 0; i < SW_MAX_PORTS; i++)
		if (sw->ports[i] && (!r->only || r->only == sw->ports[i]))
			json_array_append_new(arr,
					      sw_port_json(sw, sw->ports[i]));
	json_object_set_new(r->resp, "ports", arr);
	return 0;
}

static int sw_ctl_show_ports(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_show_req r = { .resp = resp };

	if (q->port.given) {
		r.only = sw_ctl_port(sw, &q->port, resp);
		if (!r.only)
			return -ENOENT;
	}
	return sw_fwd_exec(sw, sw_show_ports_fn, &r);
}

/* ---- show-fdb ---- */

struct sw_fdb_walk {
	struct sw *sw;
	json_t *arr;
	uint64_t now;
	int vlan;
	int port;
};

static int sw_fdb_entry_json(void *opaque, const struct fdb_entry *e)
{
	struct sw_fdb_walk *w = opaque;
	struct sw_port *p = e->port < SW_MAX_PORTS ? w->sw->ports[e->port] :
						     NULL;
	json_t *o;
	char mac[MAC_STR_LEN];

	if ((w->vlan >= 0 && e->vlan != w->vlan) ||
	    (w->port >= 0 && e->port != w->port))
		return 0;
	o = json_object();
	mac_format(e->mac, mac);
	json_object_set_new(o, "mac", json_string(mac));
	json_object_set_new(o, "vlan", json_integer(e->vlan));
	json_object_set_new(o, "port", p ? json_string(p->name) : json_null());
	json_object_set_new(o, "port_id", json_integer(e->port));
	json_object_set_new(o, "static", json_boolean(e->is_static));
	json_object_set_new(o, "age_ms", json_integer((json_int_t)(
		e->is_static || w->now < e->last_seen_ns ? 0 :
		(w->now - e->last_seen_ns) / 1000000)));
	json_array_append_new(w->arr, o);
	return 0;
}

static int sw_show_fdb_fn(struct sw *sw, void *arg)
{
	struct sw_show_req *r = arg;
	struct sw_fdb_walk w = {
		.sw = sw,
		.arr = json_array(),
		.now = clock_mono_ns(),
		.vlan = r->vlan,
		.port = r->only ? (int)r->only->id : -1,
	};
	struct fdb_stats st;
	json_t *so = json_object();

	fdb_age(sw->table.fdb, w.now);
	fdb_foreach(sw->table.fdb, sw_fdb_entry_json, &w);
	json_object_set_new(r->resp, "entries", w.arr);
	json_object_set_new(r->resp, "count",
			    json_integer(fdb_count(sw->table.fdb)));
	json_object_set_new(r->resp, "max", json_integer(sw->opts.fdb_max));
	json_object_set_new(r->resp, "aging_s", json_integer(
		(json_int_t)(sw->opts.fdb_aging_ns / 1000000000ull)));
	fdb_stats_get(sw->table.fdb, &st);
	JSON_COUNTER(so, st, learned);
	JSON_COUNTER(so, st, moved);
	JSON_COUNTER(so, st, aged);
	JSON_COUNTER(so, st, refused_full);
	JSON_COUNTER(so, st, refused_static);
	json_object_set_new(r->resp, "stats", so);
	return 0;
}

static int sw_ctl_show_fdb(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_show_req r = { .resp = resp, .vlan = q->vid };

	if (q->port.given) {
		r.only = sw_ctl_port(sw, &q->port, resp);
		if (!r.only)
			return -ENOENT;
	}
	return sw_fwd_exec(sw, sw_show_fdb_fn, &r);
}

/* ---- show-vlans ---- */

/*
 * A VLAN is listed when some port names it: an access port's VID, a
 * trunk's native VID, or a trunk's explicit allowed list (a trunk that
 * allows everything would otherwise list all 4094).
 */
static bool sw_vlan_named(struct sw *sw, uint16_t vid)
{
	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		struct sw_port *p = sw->ports[i];
		char list[8];

		if (!p)
			continue;
		if (p->vlan.vid == vid)
			return true;
		if (p->vlan.mode == VLAN_MODE_TRUNK &&
		    vlan_cfg_carries(&p->vlan, vid) &&
		    (sw_vlan_list_str(&p->vlan, list, sizeof(list)) < 0 ||
		     strcmp(list, "all") != 0))
			return true;
	}
	return false;
}

static int sw_ctl_show_vlans(struct sw *sw, struct sw_req *q, json_t *resp)
{
	json_t *vlans = json_array(), *ports = json_object();

	for (unsigned vid = 1; vid <= VLAN_VID_MAX; vid++) {
		json_t *o, *members;

		if (!sw_vlan_named(sw, (uint16_t)vid))
			continue;
		o = json_object();
		members = json_array();
		for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
			struct sw_port *p = sw->ports[i];
			json_t *m;
			int tag;

			if (!p)
				continue;
			tag = vlan_egress_tagged(&p->vlan, (uint16_t)vid);
			if (tag < 0)
				continue;
			m = json_object();
			json_object_set_new(m, "port", json_string(p->name));
			json_object_set_new(m, "tagged", json_boolean(tag));
			json_array_append_new(members, m);
		}
		json_object_set_new(o, "vid", json_integer(vid));
		json_object_set_new(o, "ports", members);
		json_array_append_new(vlans, o);
	}
	for (unsigned i = 0; i < SW_MAX_PORTS; i++)
		if (sw->ports[i])
			json_object_set_new(ports, sw->ports[i]->name,
					    sw_vlan_json(&sw->ports[i]->vlan));
	json_object_set_new(resp, "vlans", vlans);
	json_object_set_new(resp, "port_config", ports);
	return 0;
}

/* ---- show-team ---- */

static int sw_show_team_fn(struct sw *sw, void *arg)
{
	struct sw_show_req *r = arg;

	if (r->team)
		json_object_set_new(r->resp, "team", sw_team_json(sw,
					sw_team_find(sw, r->team)));
	else
		json_object_set_new(r->resp, "teams", sw_team_list_json(sw));
	return 0;
}

static int sw_ctl_show_team(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_show_req r = { .resp = resp };

	if (q->team[0]) {
		if (!sw_team_find(sw, q->team))
			return ctl_error(resp, "no team \"%s\"", q->team);
		r.team = q->team;
	}
	return sw_fwd_exec(sw, sw_show_team_fn, &r);
}

/* ---- uplinks and teams ---- */

static int sw_ctl_add_uplink(struct sw *sw, struct sw_req *q, json_t *resp)
{
	char err[256];

	if (sw_uplink_add(sw, q->name, q->vdev, &q->vlan, err,
			  sizeof(err)) < 0)
		return ctl_error(resp, "%s", err);
	json_object_set_new(resp, "port",
			    json_integer(sw_port_find(sw, q->name)->id));
	return 0;
}

static int sw_ctl_del_uplink(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_port *p = sw_ctl_port(sw, &q->port, resp);

	if (!p)
		return -ENOENT;
	if (!sw_uplink_of(p))
		return ctl_error(resp, "%s is a %s port, not an uplink",
				 p->name, p->ops->kind);
	sw_port_remove(sw, p, "del-uplink");
	return 0;
}

/* A stand-alone uplink that add-team turns into a member. */
struct sw_convert {
	struct sw_port *port;
	char name[SW_NAME_MAX];
	char vdev[SW_VDEV_MAX];
	struct vlan_port_cfg vlan;
	bool admin_up;
};

/*
 * Members given by name are existing stand-alone uplinks: take their
 * vdevs into @spec and remember them in @cv. Their number, or an error.
 */
static int sw_team_resolve(struct sw *sw, struct sw_team_spec *spec,
			   struct sw_convert *cv, json_t *resp)
{
	unsigned n = 0;

	for (unsigned i = 0; i < spec->nmembers; i++) {
		const char *m = spec->members[i], *team;
		struct sw_port *p;
		struct sw_uplink *u;

		if (spec->vdevs[i][0])
			continue;
		p = sw_port_find(sw, m);
		u = p ? sw_uplink_of(p) : NULL;
		team = p ? NULL : sw_team_of_member(sw, m);
		if (team)
			return ctl_error(resp, "member %s is already in team "
					 "%s", m, team);
		if (!p)
			return ctl_error(resp, "member %s: no such uplink "
					 "(or give name=vdev)", m);
		if (!u)
			return ctl_error(resp, "member %s is a %s port, not an "
					 "uplink", m, p->ops->kind);
		snprintf(spec->vdevs[i], SW_VDEV_MAX, "%s", u->vdev);
		cv[n].port = p;
		snprintf(cv[n].name, sizeof(cv[n].name), "%s", p->name);
		snprintf(cv[n].vdev, sizeof(cv[n].vdev), "%s", u->vdev);
		cv[n].vlan = p->vlan;
		cv[n].admin_up = p->admin_up;
		n++;
	}
	return (int)n;
}

static bool sw_team_converts(const struct sw_convert *cv, unsigned n,
			     const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(cv[i].name, name) == 0)
			return true;
	return false;
}

/*
 * Everything sw_team_add will check, as the switch will be once the
 * converted uplinks are gone: nothing may change before this passes.
 */
static int sw_team_precheck(struct sw *sw, const struct sw_team_spec *spec,
			    const struct sw_convert *cv, unsigned ncv,
			    json_t *resp)
{
	char err[256];

	if (sw_team_spec_check(spec, err, sizeof(err)) < 0 ||
	    sw_name_free(sw, spec->name, err, sizeof(err)) < 0)
		return ctl_error(resp, "%s", err);
	for (unsigned i = 0; i < spec->nmembers; i++) {
		if (sw_team_converts(cv, ncv, spec->members[i]))
			continue;	/* its name and vdev are its own */
		if (sw_name_free(sw, spec->members[i], err, sizeof(err)) < 0 ||
		    sw_vdev_free(sw, spec->vdevs[i], err, sizeof(err)) < 0)
			return ctl_error(resp, "member %s: %s",
					 spec->members[i], err);
	}
	if (!ncv && sw_port_alloc_id(sw) < 0)
		return ctl_error(resp, "no free port (max %d)", SW_MAX_PORTS);
	return 0;
}

/* The team could not be made: converted uplinks become uplinks again. */
static void sw_team_restore(struct sw *sw, const struct sw_convert *cv,
			    unsigned n, char *msg, size_t len)
{
	for (unsigned i = 0; i < n; i++) {
		char err[256];
		size_t used = strlen(msg);

		if (sw_uplink_add(sw, cv[i].name, cv[i].vdev, &cv[i].vlan, err,
				  sizeof(err)) < 0) {
			snprintf(msg + used, len - used, "; uplink %s lost: %s",
				 cv[i].name, err);
			continue;
		}
		if (!cv[i].admin_up)
			sw_port_set_admin(sw, sw_port_find(sw, cv[i].name),
					  false);
	}
}

/*
 * Members are "name=vdev" strings, {"name","vdev"} objects, or names of
 * existing stand-alone uplinks, which then stop being ports and become
 * members (their vdev is re-created inside the team). Checked whole
 * before any uplink is touched; if DPDK still refuses the team, the
 * uplinks come back.
 */
static int sw_ctl_add_team(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_team_spec *spec = &q->team_spec;
	struct sw_convert cv[SW_TEAM_MAX_MEMBERS];
	char err[512];
	int ncv;

	ncv = sw_team_resolve(sw, spec, cv, resp);
	if (ncv < 0 || sw_team_precheck(sw, spec, cv, (unsigned)ncv,
					resp) < 0)
		return -EINVAL;
	/* Converted uplinks give up their vdev so the team can take it. */
	for (int i = 0; i < ncv; i++)
		sw_port_remove(sw, cv[i].port, "becomes a team member");
	if (sw_team_add(sw, spec, &q->vlan, err, sizeof(err)) < 0) {
		sw_team_restore(sw, cv, (unsigned)ncv, err, sizeof(err));
		return ctl_error(resp, "%s", err);
	}
	json_object_set_new(resp, "port",
			    json_integer(sw_port_find(sw, spec->name)->id));
	return 0;
}

static int sw_ctl_del_team(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_port *p = sw_ctl_port(sw, &q->port, resp);

	if (!p)
		return -ENOENT;
	if (!sw_team_of(p))
		return ctl_error(resp, "%s is not a team", p->name);
	sw_port_remove(sw, p, "del-team");
	return 0;
}

/* ---- set-link, captures ---- */

static int sw_ctl_set_link(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_port *p = sw_ctl_port(sw, &q->port, resp);

	if (!p)
		return -ENOENT;
	/* A representor forwards nothing; the VF's link is the NIC's. */
	if (sw_port_is_vfrep(p))
		return ctl_error(resp, "%s is a VF representor: set the VF's "
				 "link with set-vf state=enable|disable|auto",
				 p->name);
	return sw_port_set_admin(sw, p, q->admin_up);
}

/* ---- SR-IOV NICs ---- */

struct sw_sriov_req {
	struct sw_sriov *only;
	struct sw_req *q;
	json_t *resp;
	char err[256];
};

static int sw_show_sriov_fn(struct sw *sw, void *arg)
{
	struct sw_sriov_req *r = arg;
	json_t *arr = json_array();

	for (unsigned i = 0; i < sw->nsriovs; i++)
		if (!r->only || r->only == sw->sriovs[i])
			json_array_append_new(arr,
					      sw_sriov_json(sw->sriovs[i]));
	json_object_set_new(r->resp, "sriov", arr);
	return 0;
}

/* The NIC a request names; an error answer if there is none. */
static struct sw_sriov *sw_ctl_sriov(struct sw *sw, const char *name,
				     json_t *resp)
{
	struct sw_sriov *s = sw_sriov_find(sw, name);

	if (!s)
		ctl_error(resp, "no SR-IOV NIC \"%s\"%s", name,
			  sw->nsriovs ? "" : " (this switch has none: "
			  "--sriov NAME:vfs=N)");
	return s;
}

static int sw_ctl_show_sriov(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_sriov_req r = { .resp = resp };

	if (q->sriov[0] && !(r.only = sw_ctl_sriov(sw, q->sriov, resp)))
		return -ENOENT;
	return sw_fwd_exec(sw, sw_show_sriov_fn, &r);
}

static int sw_set_vf_fn(struct sw *sw, void *arg)
{
	struct sw_sriov_req *r = arg;
	const char *argv[SW_VF_WORDS_MAX];

	(void)sw;
	for (unsigned i = 0; i < r->q->nwords; i++)
		argv[i] = r->q->words[i];
	return sw_sriov_admin(r->only, r->q->vf, (int)r->q->nwords, argv,
			      r->err, sizeof(r->err));
}

/* `ip link set PF vf N mac M vlan V qos Q spoofchk on trust off ...` */
static int sw_ctl_set_vf(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_sriov_req r = { .q = q, .resp = resp };

	if (!(r.only = sw_ctl_sriov(sw, q->sriov, resp)))
		return -ENOENT;
	if (sw_fwd_exec(sw, sw_set_vf_fn, &r) < 0)
		return ctl_error(resp, "%s", r.err);
	log_info("%s: VF %u set by the administrator", q->sriov, q->vf);
	return 0;
}

static int sw_ctl_capture_start(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_port *p = sw_ctl_port(sw, &q->port, resp);
	struct sw_capture *c;
	char err[512];
	int ret;

	if (!p)
		return -ENOENT;
	/* Before the file is opened (and truncated): busy, or in use. */
	ret = sw_capture_check(sw, p, q->file, err, sizeof(err));
	if (ret < 0)
		return ctl_error(resp, "%s", err);
	c = sw_capture_open(q->file, q->dir, q->filter[0] ? q->filter : NULL,
			    q->max_bytes, err, sizeof(err));
	if (!c)
		return ctl_error(resp, "%s", err);
	ret = sw_capture_start(sw, p, c);
	if (ret == -EBUSY)
		return ctl_error(resp, "%s is already being captured", p->name);
	return ret;
}

static int sw_ctl_capture_stop(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_port *p = sw_ctl_port(sw, &q->port, resp);
	int ret;

	if (!p)
		return -ENOENT;
	ret = sw_capture_stop(sw, p, resp);
	if (ret == -ENOENT)
		return ctl_error(resp, "no capture on %s", p->name);
	return ret;
}

/* ---- stats, quit ---- */

static int sw_stats_fn(struct sw *sw, void *arg)
{
	json_t *resp = arg, *tot = json_object();
	uint64_t rx = 0, tx = 0, drops = 0, txd = 0;
	unsigned n = 0;

	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		struct sw_port *p = sw->ports[i];

		if (!p)
			continue;
		if (p->ops->sync_stats)
			p->ops->sync_stats(p);
		n++;
		rx += p->st.rx_packets;
		tx += p->st.tx_packets;
		txd += p->st.tx_drops;
		for (unsigned r = 1; r < FWD_DROP_REASONS; r++)
			drops += p->st.drops[r];
	}
	json_object_set_new(resp, "ports", json_integer(n));
	json_counter_set(tot, "rx_packets", rx);
	json_counter_set(tot, "tx_packets", tx);
	json_counter_set(tot, "rx_drops", drops);
	json_counter_set(tot, "tx_drops", txd);
	json_object_set_new(resp, "totals", tot);
	json_object_set_new(resp, "fdb_entries",
			    json_integer(fdb_count(sw->table.fdb)));
	return 0;
}

static int sw_ctl_stats(struct sw *sw, struct sw_req *q, json_t *resp)
{
	struct sw_fwd_stats fs;
	json_t *fo = json_object(), *mo = json_object();
	uint64_t garp, rarp;
	int ret;

	json_object_set_new(resp, "name", json_string(sw->opts.name));
	json_object_set_new(resp, "uptime_ms", json_integer(
		(json_int_t)((clock_mono_ns() - sw->start_ns) / 1000000)));
	ret = sw_fwd_exec(sw, sw_stats_fn, resp);
	if (ret < 0)
		return ret;
	sw_fwd_get_stats(sw, &fs);
	json_object_set_new(fo, "mode", json_string(fs.polling ? "poll" :
								 "adaptive"));
	JSON_COUNTER(fo, fs, loops);
	JSON_COUNTER(fo, fs, sleeps);
	JSON_COUNTER(fo, fs, wakeups_by_fd);
	JSON_COUNTER(fo, fs, execs);
	json_object_set_new(fo, "idle_ms",
			    json_integer((json_int_t)(fs.idle_ns / 1000000)));
	json_object_set_new(resp, "forwarding", fo);
	sw_announce_stats(sw, &garp, &rarp);
	json_counter_set(resp, "announced_garp", garp);
	json_counter_set(resp, "announced_rarp", rarp);
	json_object_set_new(mo, "size", json_integer(sw->pool->size));
	json_object_set_new(mo, "available",
			    json_integer(rte_mempool_avail_count(sw->pool)));
	json_object_set_new(resp, "mbufs", mo);
	json_object_set_new(resp, "attach", sw_vmlisten_json(sw));
	json_object_set_new(resp, "mtu", json_integer(sw->opts.mtu));
	return 0;
}

static int sw_ctl_quit(struct sw *sw, struct sw_req *q, json_t *resp)
{
	log_info("quit requested on the control socket");
	sw->quitting = true;
	evloop_stop(sw->loop);
	return 0;
}

typedef int (*sw_ctl_fn)(struct sw *sw, struct sw_req *q, json_t *resp);

static const sw_ctl_fn sw_ctl_fns[SW_CMD_COUNT] = {
	[SW_CMD_SHOW_PORTS] = sw_ctl_show_ports,
	[SW_CMD_SHOW_FDB] = sw_ctl_show_fdb,
	[SW_CMD_SHOW_VLANS] = sw_ctl_show_vlans,
	[SW_CMD_SHOW_TEAM] = sw_ctl_show_team,
	[SW_CMD_ADD_UPLINK] = sw_ctl_add_uplink,
	[SW_CMD_DEL_UPLINK] = sw_ctl_del_uplink,
	[SW_CMD_ADD_TEAM] = sw_ctl_add_team,
	[SW_CMD_DEL_TEAM] = sw_ctl_del_team,
	[SW_CMD_SET_LINK] = sw_ctl_set_link,
	[SW_CMD_CAPTURE_START] = sw_ctl_capture_start,
	[SW_CMD_CAPTURE_STOP] = sw_ctl_capture_stop,
	[SW_CMD_STATS] = sw_ctl_stats,
	[SW_CMD_QUIT] = sw_ctl_quit,
	[SW_CMD_SHOW_SRIOV] = sw_ctl_show_sriov,
	[SW_CMD_SET_VF] = sw_ctl_set_vf,
};

/* Every command: parse and check the whole request, then act. */
static int sw_ctl_dispatch(void *opaque, json_t *req, json_t *resp)
{
	const char *name = json_string_value(json_object_get(req, "cmd"));
	struct sw_req *q;
	enum sw_cmd cmd;
	char err[512];
	int ret;

	for (cmd = 0; cmd < SW_CMD_COUNT; cmd++)
		if (name && strcmp(name, sw_cmd_name(cmd)) == 0)
			break;
	if (cmd == SW_CMD_COUNT)
		return ctl_error(resp, "unknown command");
	/* Large (a team's vdevs, a VLAN bitmap): not on the stack. */
	q = malloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = sw_req_parse(cmd, req, q, err, sizeof(err));
	if (ret < 0)
		ret = ctl_error(resp, "%s: %s", name, err);
	else
		ret = sw_ctl_fns[cmd](opaque, q, resp);
	free(q);
	return ret;
}

int sw_ctl_register(struct sw *sw)
{
	for (enum sw_cmd c = 0; c < SW_CMD_COUNT; c++) {
		int ret = ctl_register(sw->ctl, sw_cmd_name(c),
				       sw_ctl_dispatch, sw);

		if (ret < 0)
			return ret;
	}
	return 0;
}
