// SPDX-License-Identifier: MIT
/*
 * The switch's control commands (JSON lines, core/ctl.h). Handlers run on
 * the control thread; whatever reads or changes forwarding state goes
 * through sw_fwd_exec(). Requests are untrusted: every member is checked
 * for type and range and a bad one gets {"ok":false,"error":"..."}.
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

/* ---- request helpers ---- */

/* A string member, or NULL (absent or not a string). */
static const char *sw_req_str(json_t *req, const char *key)
{
	json_t *v = json_object_get(req, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "port": a name or a numeric id. */
static struct sw_port *sw_req_port(struct sw *sw, json_t *req,
				   const char *key, json_t *resp)
{
	json_t *v = json_object_get(req, key);
	struct sw_port *p = NULL;

	if (json_is_string(v))
		p = sw_port_find(sw, json_string_value(v));
	else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		 json_integer_value(v) < SW_MAX_PORTS)
		p = sw->ports[json_integer_value(v)];
	else {
		ctl_error(resp, "\"%s\" must name a port", key);
		return NULL;
	}
	if (!p)
		ctl_error(resp, "no such port");
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

static int sw_ctl_show_ports(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_show_req r = { .resp = resp };

	if (json_object_get(req, "port")) {
		r.only = sw_req_port(sw, req, "port", resp);
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

static int sw_ctl_show_fdb(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_show_req r = { .resp = resp, .vlan = -1 };
	json_t *v = json_object_get(req, "vlan");

	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > VLAN_VID_MAX)
			return ctl_error(resp, "\"vlan\" must be 0..%d",
					 VLAN_VID_MAX);
		r.vlan = (int)json_integer_value(v);
	}
	if (json_object_get(req, "port")) {
		r.only = sw_req_port(sw, req, "port", resp);
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

static int sw_ctl_show_vlans(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
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

static int sw_ctl_show_team(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_show_req r = { .resp = resp };

	if (json_object_get(req, "team")) {
		r.team = sw_req_str(req, "team");
		if (!r.team)
			return ctl_error(resp, "\"team\" must be a string");
		if (!sw_team_find(sw, r.team))
			return ctl_error(resp, "no team \"%s\"", r.team);
	}
	return sw_fwd_exec(sw, sw_show_team_fn, &r);
}

/* ---- uplinks and teams ---- */

/* Optional "vlan": "access:VID" | "trunk[:native=V][:allowed=L]". */
static int sw_req_vlan(json_t *req, struct vlan_port_cfg *c, json_t *resp)
{
	const char *s;

	sw_vlan_parse("trunk:native=1", c);
	if (!json_object_get(req, "vlan"))
		return 0;
	s = sw_req_str(req, "vlan");
	if (!s || sw_vlan_parse(s, c) < 0)
		return ctl_error(resp, "bad \"vlan\": want access:VID or "
			"trunk[:native=VID][:allowed=LIST]");
	return 0;
}

static int sw_ctl_add_uplink(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	const char *name = sw_req_str(req, "name");
	const char *vdev = sw_req_str(req, "vdev");
	struct vlan_port_cfg vlan;
	char err[256];
	int ret;

	if (!name || !vdev)
		return ctl_error(resp,
				 "add-uplink needs \"name\" and \"vdev\"");
	if (sw_req_vlan(req, &vlan, resp) < 0)
		return -EINVAL;
	ret = sw_uplink_add(sw, name, vdev, &vlan, err, sizeof(err));
	if (ret < 0)
		return ctl_error(resp, "%s", err);
	json_object_set_new(resp, "port",
			    json_integer(sw_port_find(sw, name)->id));
	return 0;
}

static int sw_ctl_del_uplink(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_port *p = sw_req_port(sw, req, "name", resp);

	if (!p)
		return -ENOENT;
	if (!sw_uplink_of(p))
		return ctl_error(resp, "%s is a %s port, not an uplink",
				 p->name, p->ops->kind);
	sw_port_remove(sw, p, "del-uplink");
	return 0;
}

/*
 * Members are "name=vdev" strings, {"name","vdev"} objects, or names of
 * existing stand-alone uplinks, which then stop being ports and become
 * members (their vdev is re-created inside the team).
 */
static int sw_ctl_add_team(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	const char *name = sw_req_str(req, "name");
	const char *mode = sw_req_str(req, "mode");
	const char *hash = sw_req_str(req, "hash");
	json_t *members = json_object_get(req, "members"), *mv;
	struct sw_port *convert[SW_TEAM_MAX_MEMBERS] = { 0 };
	struct vlan_port_cfg vlan;
	struct sw_team_spec spec;
	char err[256];
	size_t i;
	int ret;

	memset(&spec, 0, sizeof(spec));
	if (!name || strlen(name) >= SW_NAME_MAX)
		return ctl_error(resp, "add-team needs a \"name\"");
	snprintf(spec.name, sizeof(spec.name), "%s", name);
	if (sw_team_mode_parse(mode ? mode : "active-backup", &spec.mode) < 0)
		return ctl_error(resp, "bad \"mode\": active-backup, "
				 "balance-xor or 802.3ad");
	if (sw_team_hash_parse(hash ? hash : "l2", &spec.hash) < 0)
		return ctl_error(resp, "bad \"hash\": l2, l23 or l34");
	if (!json_is_array(members) || json_array_size(members) < 1 ||
	    json_array_size(members) > SW_TEAM_MAX_MEMBERS)
		return ctl_error(resp, "\"members\" must be an array of 1..%d",
				 SW_TEAM_MAX_MEMBERS);
	if (sw_req_vlan(req, &vlan, resp) < 0)
		return -EINVAL;
	json_array_foreach(members, i, mv) {
		const char *mname = NULL, *vdev = NULL;
		char buf[SW_NAME_MAX + SW_VDEV_MAX];

		if (json_is_object(mv)) {
			mname = sw_req_str(mv, "name");
			vdev = sw_req_str(mv, "vdev");
		} else if (json_is_string(mv)) {
			const char *s = json_string_value(mv), *eq;

			if (strlen(s) >= sizeof(buf))
				return ctl_error(resp, "member too long");
			strcpy(buf, s);
			eq = strchr(buf, '=');
			mname = buf;
			if (eq) {
				buf[eq - buf] = '\0';
				vdev = eq + 1;
			} else {
				struct sw_port *up = sw_port_find(sw, s);
				struct sw_uplink *u = up ? sw_uplink_of(up) :
							   NULL;

				if (!u)
					return ctl_error(resp, "member \"%s\" "
						"is not an uplink (give "
						"name=vdev)", s);
				convert[i] = up;
				vdev = u->vdev;
			}
		}
		if (!mname || !vdev || !mname[0] ||
		    strlen(mname) >= SW_NAME_MAX || strlen(vdev) >= SW_VDEV_MAX)
			return ctl_error(resp, "bad member %zu", i);
		snprintf(spec.members[i], SW_NAME_MAX, "%s", mname);
		snprintf(spec.vdevs[i], SW_VDEV_MAX, "%s", vdev);
		spec.nmembers++;
	}
	/* Converted uplinks give up their vdev so the team can take it. */
	for (i = 0; i < spec.nmembers; i++)
		if (convert[i])
			sw_port_remove(sw, convert[i], "becomes a team member");
	ret = sw_team_add(sw, &spec, &vlan, err, sizeof(err));
	if (ret < 0)
		return ctl_error(resp, "%s%s", err, convert[0] ?
				 " (the member uplinks were removed)" : "");
	json_object_set_new(resp, "port",
			    json_integer(sw_port_find(sw, name)->id));
	return 0;
}

static int sw_ctl_del_team(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_port *p = sw_req_port(sw, req, "name", resp);

	if (!p)
		return -ENOENT;
	if (!sw_team_of(p))
		return ctl_error(resp, "%s is not a team", p->name);
	sw_port_remove(sw, p, "del-team");
	return 0;
}

/* ---- set-link, captures ---- */

static int sw_ctl_set_link(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_port *p = sw_req_port(sw, req, "port", resp);
	const char *admin = sw_req_str(req, "admin");

	if (!p)
		return -ENOENT;
	if (!admin || (strcmp(admin, "up") && strcmp(admin, "down")))
		return ctl_error(resp, "\"admin\" must be \"up\" or \"down\"");
	return sw_port_set_admin(sw, p, strcmp(admin, "up") == 0);
}

static int sw_ctl_capture_start(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_port *p = sw_req_port(sw, req, "port", resp);
	const char *file = sw_req_str(req, "file");
	const char *dir = sw_req_str(req, "dir");
	const char *filter = sw_req_str(req, "filter");
	json_t *mb = json_object_get(req, "max_bytes");
	enum sw_cap_dir d = SW_CAP_BOTH;
	struct sw_capture *c;
	uint64_t max_bytes = 0;
	char err[256];
	int ret;

	if (!p)
		return -ENOENT;
	if (!file || !file[0])
		return ctl_error(resp, "capture-start needs a \"file\"");
	if (dir) {
		if (strcmp(dir, "rx") == 0)
			d = SW_CAP_RX;
		else if (strcmp(dir, "tx") == 0)
			d = SW_CAP_TX;
		else if (strcmp(dir, "both") != 0)
			return ctl_error(resp, "\"dir\": rx, tx or both");
	}
	if (json_object_get(req, "filter") && !filter)
		return ctl_error(resp, "\"filter\" must be a string");
	if (mb) {
		if (!json_is_integer(mb) || json_integer_value(mb) < 0)
			return ctl_error(resp, "\"max_bytes\" must be >= 0");
		max_bytes = (uint64_t)json_integer_value(mb);
	}
	c = sw_capture_open(file, d, filter, max_bytes, err, sizeof(err));
	if (!c)
		return ctl_error(resp, "%s", err);
	ret = sw_capture_start(sw, p, c);
	if (ret == -EBUSY)
		return ctl_error(resp, "%s is already being captured", p->name);
	return ret;
}

static int sw_ctl_capture_stop(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
	struct sw_port *p = sw_req_port(sw, req, "port", resp);
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

static int sw_ctl_stats(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;
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

static int sw_ctl_quit(void *opaque, json_t *req, json_t *resp)
{
	struct sw *sw = opaque;

	log_info("quit requested on the control socket");
	sw->quitting = true;
	evloop_stop(sw->loop);
	return 0;
}

int sw_ctl_register(struct sw *sw)
{
	static const struct {
		const char *name;
		ctl_cmd_fn fn;
	} cmds[] = {
		{ "show-ports", sw_ctl_show_ports },
		{ "show-fdb", sw_ctl_show_fdb },
		{ "show-vlans", sw_ctl_show_vlans },
		{ "show-team", sw_ctl_show_team },
		{ "add-uplink", sw_ctl_add_uplink },
		{ "del-uplink", sw_ctl_del_uplink },
		{ "add-team", sw_ctl_add_team },
		{ "del-team", sw_ctl_del_team },
		{ "set-link", sw_ctl_set_link },
		{ "capture-start", sw_ctl_capture_start },
		{ "capture-stop", sw_ctl_capture_stop },
		{ "stats", sw_ctl_stats },
		{ "quit", sw_ctl_quit },
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int ret = ctl_register(sw->ctl, cmds[i].name, cmds[i].fn, sw);

		if (ret < 0)
			return ret;
	}
	return 0;
}
