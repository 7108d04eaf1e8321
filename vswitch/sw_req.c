// SPDX-License-Identifier: MIT
/*
 * Control requests, parsed and checked (sw_req.h). A request is a JSON
 * object from whoever can reach the control socket: each command lists
 * the members it takes, and anything else — an unknown or misspelt
 * member, a number where a string belongs, a value out of range — is an
 * error that names it, never a default silently used instead.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vswitch/sw_req.h"

/* ---- names ---- */

/* Each command and the members it takes ("cmd" aside). */
static const struct {
	const char *name;
	const char *keys;	/* space-separated */
} sw_cmds[SW_CMD_COUNT] = {
	[SW_CMD_SHOW_PORTS] = { "show-ports", "port" },
	[SW_CMD_SHOW_FDB] = { "show-fdb", "port vlan" },
	[SW_CMD_SHOW_VLANS] = { "show-vlans", "" },
	[SW_CMD_SHOW_TEAM] = { "show-team", "team" },
	[SW_CMD_ADD_UPLINK] = { "add-uplink", "name vdev vlan" },
	[SW_CMD_DEL_UPLINK] = { "del-uplink", "name" },
	[SW_CMD_ADD_TEAM] = { "add-team", "name members mode hash vlan" },
	[SW_CMD_DEL_TEAM] = { "del-team", "name" },
	[SW_CMD_SET_LINK] = { "set-link", "port admin" },
	[SW_CMD_CAPTURE_START] = { "capture-start",
				   "port file dir filter max_bytes" },
	[SW_CMD_CAPTURE_STOP] = { "capture-stop", "port" },
	[SW_CMD_STATS] = { "stats", "" },
	[SW_CMD_QUIT] = { "quit", "" },
	[SW_CMD_SHOW_SRIOV] = { "show-sriov", "sriov" },
	[SW_CMD_SET_VF] = { "set-vf",
			    "sriov vf mac vlan qos spoofchk trust state" },
};

const char *sw_cmd_name(enum sw_cmd cmd)
{
	return (unsigned)cmd < SW_CMD_COUNT ? sw_cmds[cmd].name : NULL;
}

/* Team modes and hashes; "lacp" is another name for 802.3ad. */
static const struct {
	const char *name;
	int value;
} sw_team_modes[] = {
	{ "active-backup", SW_TEAM_ACTIVE_BACKUP },
	{ "balance-xor", SW_TEAM_BALANCE_XOR },
	{ "802.3ad", SW_TEAM_LACP },
	{ "lacp", SW_TEAM_LACP },
}, sw_team_hashes[] = {
	{ "l2", SW_TEAM_HASH_L2 },
	{ "l23", SW_TEAM_HASH_L23 },
	{ "l34", SW_TEAM_HASH_L34 },
};

#define SW_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int sw_team_mode_parse(const char *s, int *mode)
{
	for (size_t i = 0; i < SW_NELEM(sw_team_modes); i++)
		if (strcmp(s, sw_team_modes[i].name) == 0) {
			*mode = sw_team_modes[i].value;
			return 0;
		}
	return -EINVAL;
}

int sw_team_hash_parse(const char *s, int *hash)
{
	for (size_t i = 0; i < SW_NELEM(sw_team_hashes); i++)
		if (strcmp(s, sw_team_hashes[i].name) == 0) {
			*hash = sw_team_hashes[i].value;
			return 0;
		}
	return -EINVAL;
}

const char *sw_team_mode_name(int mode)
{
	for (size_t i = 0; i < SW_NELEM(sw_team_modes); i++)
		if (sw_team_modes[i].value == mode)
			return sw_team_modes[i].name;
	return "?";
}

const char *sw_team_hash_name(int hash)
{
	for (size_t i = 0; i < SW_NELEM(sw_team_hashes); i++)
		if (sw_team_hashes[i].value == hash)
			return sw_team_hashes[i].name;
	return "?";
}

int sw_name_check(const char *what, const char *name, char *err,
		  size_t errlen)
{
	size_t n = strlen(name), digits = 0;

	if (n == 0 || n >= SW_NAME_MAX) {
		snprintf(err, errlen, "%s must have 1 to %d characters", what,
			 SW_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) &&
		    (i == 0 || (c != '.' && c != '_' && c != '-')))
			break;
		digits += isdigit(c) != 0;
		if (i + 1 == n && digits < n)
			return 0;
	}
	snprintf(err, errlen, "bad %s \"%.*s\": letters, digits, '.', '_' "
		 "and '-', starting with a letter or digit, not only digits",
		 what, SW_NAME_MAX, name);
	return -EINVAL;
}

/* ---- vdevs ---- */

/* Drivers a control request may create (DPDK also knows them as eth_). */
static const char *const sw_vdev_drivers[] = {
	"af_packet", "tap", "pcap", "null", "ring", "vhost", "af_xdp",
	"virtio_user",
};

int sw_vdev_split(const char *vdev, char *devname, size_t dlen,
		  char *ifname, size_t ilen)
{
	const char *comma = strchr(vdev, ',');
	size_t n = comma ? (size_t)(comma - vdev) : strlen(vdev);
	const char *p = comma ? comma + 1 : NULL;

	ifname[0] = '\0';
	if (n == 0 || n >= dlen)
		return -EINVAL;
	memcpy(devname, vdev, n);
	devname[n] = '\0';
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t k = end ? (size_t)(end - p) : strlen(p);

		/* A '/' is never in a kernel interface name: a path. */
		if (k > 6 && strncmp(p, "iface=", 6) == 0 && k - 6 < ilen &&
		    !memchr(p + 6, '/', k - 6)) {
			memcpy(ifname, p + 6, k - 6);
			ifname[k - 6] = '\0';
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/*
 * "net_" or "eth_", a driver of the list, then a digit or '_' and more of
 * [A-Za-z0-9_] (DPDK picks the driver whose name starts the device's).
 */
static bool sw_vdev_driver_ok(const char *devname)
{
	const char *s = devname;

	if (strncmp(s, "net_", 4) != 0 && strncmp(s, "eth_", 4) != 0)
		return false;
	s += 4;
	for (size_t i = 0; i < SW_NELEM(sw_vdev_drivers); i++) {
		size_t n = strlen(sw_vdev_drivers[i]);
		const char *t = s + n;

		if (strncmp(s, sw_vdev_drivers[i], n) != 0 ||
		    (*t && !isdigit((unsigned char)*t) && *t != '_'))
			continue;
		while (isalnum((unsigned char)*t) || *t == '_')
			t++;
		return *t == '\0';
	}
	return false;
}

int sw_vdev_check(const char *vdev, char *err, size_t errlen)
{
	char devname[64], ifname[SW_IFNAME_MAX];

	if (strlen(vdev) >= SW_VDEV_MAX) {
		snprintf(err, errlen, "vdev longer than %d characters",
			 SW_VDEV_MAX - 1);
		return -EINVAL;
	}
	for (const char *c = vdev; *c; c++)
		if (*c <= ' ' || *c > '~') {
			snprintf(err, errlen, "vdev has a space or a control "
				 "character");
			return -EINVAL;
		}
	if (sw_vdev_split(vdev, devname, sizeof(devname), ifname,
			  sizeof(ifname)) < 0 || !sw_vdev_driver_ok(devname)) {
		snprintf(err, errlen, "vdev \"%.64s\": want net_DRIVERn[,args] "
			 "with DRIVER one of af_packet, tap, pcap, null, ring, "
			 "vhost, af_xdp, virtio_user (teams: add-team)", vdev);
		return -EINVAL;
	}
	return 0;
}

/* ---- teams ---- */

int sw_team_spec_check(const struct sw_team_spec *spec, char *err,
		       size_t errlen)
{
	char dev[SW_TEAM_MAX_MEMBERS][64];
	char ifn[SW_TEAM_MAX_MEMBERS][SW_IFNAME_MAX];

	if (sw_name_check("team name", spec->name, err, errlen) < 0)
		return -EINVAL;
	if (spec->nmembers < 1 || spec->nmembers > SW_TEAM_MAX_MEMBERS) {
		snprintf(err, errlen, "a team has 1 to %d members",
			 SW_TEAM_MAX_MEMBERS);
		return -EINVAL;
	}
	for (unsigned i = 0; i < spec->nmembers; i++) {
		const char *m = spec->members[i];

		if (sw_name_check("member name", m, err, errlen) < 0)
			return -EINVAL;
		if (strcmp(m, spec->name) == 0) {
			snprintf(err, errlen, "team %s cannot have a member "
				 "of its own name", spec->name);
			return -EINVAL;
		}
		if (sw_vdev_split(spec->vdevs[i], dev[i], sizeof(dev[i]),
				  ifn[i], sizeof(ifn[i])) < 0) {
			snprintf(err, errlen, "member %s: bad vdev", m);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++) {
			const char *o = spec->members[j];

			if (strcmp(m, o) == 0)
				snprintf(err, errlen, "member %s given twice",
					 m);
			else if (strcmp(dev[i], dev[j]) == 0)
				snprintf(err, errlen, "members %s and %s are "
					 "on the same vdev %s", o, m, dev[i]);
			else if (ifn[i][0] && strcmp(ifn[i], ifn[j]) == 0)
				snprintf(err, errlen, "members %s and %s are "
					 "on the same interface %s", o, m,
					 ifn[i]);
			else
				continue;
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- request members ---- */

struct sw_parse {
	json_t *req;
	char *err;
	size_t errlen;
};

static int sw_parse_fail(struct sw_parse *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sw_parse_fail(struct sw_parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Is @key one of the space-separated words of @keys? */
static bool sw_key_listed(const char *keys, const char *key)
{
	size_t n = strlen(key);

	for (const char *k = keys; *k; ) {
		size_t len = strcspn(k, " ");

		if (len == n && strncmp(k, key, n) == 0)
			return true;
		k += len;
		k += *k == ' ';
	}
	return false;
}

/* Every member of the request is "cmd" or one its command takes. */
static int sw_parse_keys(struct sw_parse *ps, enum sw_cmd cmd)
{
	const char *keys = sw_cmds[cmd].keys;
	const char *key;
	json_t *v;

	json_object_foreach(ps->req, key, v)
		if (strcmp(key, "cmd") != 0 && !sw_key_listed(keys, key))
			return sw_parse_fail(ps, "%s takes no \"%.32s\"%s%s%s",
					     sw_cmds[cmd].name, key,
					     keys[0] ? " (it takes: " : "",
					     keys, keys[0] ? ")" : "");
	return 0;
}

/*
 * String member @key into @out (capacity @len). Absent: 0 and @out
 * untouched, or an error if @required. Present: a non-empty string that
 * fits, or an error.
 */
static int sw_parse_str(struct sw_parse *ps, const char *key, bool required,
			char *out, size_t len)
{
	json_t *v = json_object_get(ps->req, key);
	const char *s;

	if (!v)
		return required ? sw_parse_fail(ps, "\"%s\" is missing", key) :
				  0;
	if (!json_is_string(v))
		return sw_parse_fail(ps, "\"%s\" must be a string", key);
	s = json_string_value(v);
	if (!s[0] || strlen(s) >= len ||
	    strlen(s) != json_string_length(v))
		return sw_parse_fail(ps, "\"%s\" must have 1 to %zu "
				     "characters", key, len - 1);
	memcpy(out, s, strlen(s) + 1);
	return 1;
}

/* A port: a name or an id. Names are looked up, not checked for syntax. */
static int sw_parse_port(struct sw_parse *ps, const char *key, bool required,
			 struct sw_req_port *p)
{
	json_t *v = json_object_get(ps->req, key);

	memset(p, 0, sizeof(*p));
	if (!v && !required)
		return 0;
	if (json_is_integer(v)) {
		json_int_t id = json_integer_value(v);

		if (id < 0 || id >= SW_MAX_PORTS)
			return sw_parse_fail(ps, "\"%s\": port ids are 0 to %d",
					     key, SW_MAX_PORTS - 1);
		p->given = p->by_id = true;
		p->id = (unsigned)id;
		return 0;
	}
	if (v && !json_is_string(v))
		return sw_parse_fail(ps, "\"%s\" must name a port (a name or "
				     "an id)", key);
	if (sw_parse_str(ps, key, required, p->name, sizeof(p->name)) < 0)
		return -EINVAL;
	p->given = true;
	return 0;
}

/* An integer member in [lo, hi]; absent: 0 and @out untouched. */
static int sw_parse_int(struct sw_parse *ps, const char *key, json_int_t lo,
			json_int_t hi, json_int_t *out)
{
	json_t *v = json_object_get(ps->req, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return sw_parse_fail(ps, "\"%s\" must be an integer from %lld "
				     "to %lld", key, (long long)lo,
				     (long long)hi);
	*out = json_integer_value(v);
	return 1;
}

/* One of @n words; absent: 0 and @out untouched. */
static int sw_parse_word(struct sw_parse *ps, const char *key,
			 const char *const *words, size_t n, size_t *out)
{
	char s[32];
	int ret = sw_parse_str(ps, key, false, s, sizeof(s));

	if (ret <= 0)
		return ret < 0 ? sw_parse_fail(ps, "bad \"%s\"", key) : 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0) {
			*out = i;
			return 1;
		}
	return sw_parse_fail(ps, "bad \"%s\" \"%s\"", key, s);
}

/* Optional "vlan": "access:VID" | "trunk[:native=V][:allowed=L]". */
static int sw_parse_vlan(struct sw_parse *ps, struct sw_req *r)
{
	char s[256];
	int ret = sw_parse_str(ps, "vlan", false, s, sizeof(s));

	sw_vlan_parse("trunk:native=1", &r->vlan);
	if (ret == 0)
		return 0;
	if (ret < 0 || sw_vlan_parse(s, &r->vlan) < 0)
		return sw_parse_fail(ps, "bad \"vlan\": want access:VID or "
				     "trunk[:native=VID][:allowed=LIST]");
	r->has_vlan = true;
	return 0;
}

/*
 * One team member: "name=vdev", {"name": .., "vdev": ..} or the name of
 * an existing uplink (vdev left "" for sw_ctl.c to resolve).
 */
static int sw_parse_member(struct sw_parse *ps, json_t *mv, size_t i,
			   char *name, char *vdev)
{
	bool has_vdev = true;
	char err[160];

	if (json_is_object(mv)) {
		struct sw_parse sub = { .req = mv, .err = ps->err,
					.errlen = ps->errlen };
		const char *key;
		json_t *v;

		json_object_foreach(mv, key, v)
			if (strcmp(key, "name") && strcmp(key, "vdev"))
				return sw_parse_fail(ps, "member %zu takes no "
						     "\"%.32s\"", i, key);
		if (sw_parse_str(&sub, "name", true, name, SW_NAME_MAX) < 0 ||
		    sw_parse_str(&sub, "vdev", true, vdev, SW_VDEV_MAX) < 0)
			return -EINVAL;
	} else if (json_is_string(mv) &&
		   strlen(json_string_value(mv)) == json_string_length(mv)) {
		const char *s = json_string_value(mv), *eq = strchr(s, '=');
		size_t n = eq ? (size_t)(eq - s) : strlen(s);

		if (n >= SW_NAME_MAX || (eq && strlen(eq + 1) >= SW_VDEV_MAX))
			return sw_parse_fail(ps, "member %zu is too long", i);
		memcpy(name, s, n);
		name[n] = '\0';
		snprintf(vdev, SW_VDEV_MAX, "%s", eq ? eq + 1 : "");
		has_vdev = eq != NULL;
	} else {
		return sw_parse_fail(ps, "member %zu must be \"name\", "
				     "\"name=vdev\" or {\"name\",\"vdev\"}",
				     i);
	}
	if (sw_name_check("member name", name, err, sizeof(err)) < 0)
		return sw_parse_fail(ps, "member %zu: %s", i, err);
	if (has_vdev && sw_vdev_check(vdev, err, sizeof(err)) < 0)
		return sw_parse_fail(ps, "member %s: %s", name, err);
	return 0;
}

static int sw_parse_team(struct sw_parse *ps, struct sw_req *r)
{
	static const char *const modes[] = {
		"active-backup", "balance-xor", "802.3ad", "lacp",
	};
	static const char *const hashes[] = { "l2", "l23", "l34" };
	struct sw_team_spec *t = &r->team_spec;
	json_t *members = json_object_get(ps->req, "members"), *mv;
	size_t i, w = 0;
	int ret;

	t->mode = SW_TEAM_ACTIVE_BACKUP;
	t->hash = SW_TEAM_HASH_L2;
	if (sw_parse_str(ps, "name", true, t->name, sizeof(t->name)) < 0)
		return -EINVAL;
	memcpy(r->name, t->name, sizeof(r->name));
	ret = sw_parse_word(ps, "mode", modes, SW_NELEM(modes), &w);
	if (ret < 0)
		return sw_parse_fail(ps, "bad \"mode\": active-backup, "
				     "balance-xor or 802.3ad");
	if (ret)
		sw_team_mode_parse(modes[w], &t->mode);
	ret = sw_parse_word(ps, "hash", hashes, SW_NELEM(hashes), &w);
	if (ret < 0)
		return sw_parse_fail(ps, "bad \"hash\": l2, l23 or l34");
	if (ret)
		sw_team_hash_parse(hashes[w], &t->hash);
	if (!json_is_array(members) || json_array_size(members) < 1 ||
	    json_array_size(members) > SW_TEAM_MAX_MEMBERS)
		return sw_parse_fail(ps, "\"members\" must be an array of 1 "
				     "to %d members", SW_TEAM_MAX_MEMBERS);
	json_array_foreach(members, i, mv) {
		if (sw_parse_member(ps, mv, i, t->members[i], t->vdevs[i]) < 0)
			return -EINVAL;
		t->nmembers++;
	}
	if (sw_parse_vlan(ps, r) < 0)
		return -EINVAL;
	t->has_vlan = r->has_vlan;
	t->vlan = r->vlan;
	/*
	 * Repeats among the names now; the vdevs of existing uplinks are
	 * only known to sw_ctl.c, which checks the whole team again.
	 */
	for (i = 0; i < t->nmembers; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(t->members[i], t->members[j]) == 0)
				return sw_parse_fail(ps, "member %s given "
						     "twice", t->members[i]);
	if (sw_name_check("team name", t->name, ps->err, ps->errlen) < 0)
		return -EINVAL;
	return 0;
}

static int sw_parse_capture(struct sw_parse *ps, struct sw_req *r)
{
	static const char *const dirs[] = { "rx", "tx", "both" };
	static const enum sw_cap_dir dirv[] = { SW_CAP_RX, SW_CAP_TX,
						SW_CAP_BOTH };
	json_int_t mb = 0;
	size_t w = 0;
	int ret;

	if (sw_parse_str(ps, "file", true, r->file, sizeof(r->file)) < 0)
		return -EINVAL;
	r->dir = SW_CAP_BOTH;
	ret = sw_parse_word(ps, "dir", dirs, SW_NELEM(dirs), &w);
	if (ret < 0)
		return sw_parse_fail(ps, "\"dir\": rx, tx or both");
	if (ret)
		r->dir = dirv[w];
	if (sw_parse_str(ps, "filter", false, r->filter,
			 sizeof(r->filter)) < 0)
		return -EINVAL;
	if (sw_parse_int(ps, "max_bytes", 0, INT64_MAX, &mb) < 0)
		return -EINVAL;
	if (mb > 0 && mb < SW_CAP_MIN_BYTES)
		return sw_parse_fail(ps, "\"max_bytes\" is 0 (no limit) or at "
				     "least %d", SW_CAP_MIN_BYTES);
	r->max_bytes = (uint64_t)mb;
	return 0;
}

/* One `ip link set PF vf N` setting as two words. */
static void sw_vf_words(struct sw_req *r, const char *key, const char *val)
{
	snprintf(r->words[r->nwords++], SW_VF_WORD_LEN, "%s", key);
	snprintf(r->words[r->nwords++], SW_VF_WORD_LEN, "%s", val);
}

/* "spoofchk"/"trust": true, false, "on" or "off". */
static int sw_parse_onoff(struct sw_parse *ps, struct sw_req *r,
			  const char *key)
{
	static const char *const words[] = { "off", "on" };
	json_t *v = json_object_get(ps->req, key);
	size_t w = 0;

	if (!v)
		return 0;
	if (json_is_boolean(v))
		w = json_is_true(v);
	else if (sw_parse_word(ps, key, words, 2, &w) != 1)
		return sw_parse_fail(ps, "\"%s\" is on or off", key);
	sw_vf_words(r, key, words[w]);
	return 0;
}

/*
 * set-vf: the NIC, the VF and at least one setting. Types and ranges
 * here; the NIC checks the whole again (sriov_vf_admin) before it
 * applies any.
 */
static int sw_parse_set_vf(struct sw_parse *ps, struct sw_req *r)
{
	static const char *const states[] = { "auto", "enable", "disable" };
	json_int_t vf = -1, vlan = -1, qos = -1;
	char mac[32], num[8];
	size_t w = 0;
	int ret;

	if (sw_parse_str(ps, "sriov", true, r->sriov, sizeof(r->sriov)) < 0)
		return -EINVAL;
	if (sw_parse_int(ps, "vf", 0, ATTACH_VF_MAX - 1, &vf) != 1)
		return sw_parse_fail(ps, "\"vf\" must be a VF number, 0 to "
				     "%d", ATTACH_VF_MAX - 1);
	r->vf = (unsigned)vf;
	ret = sw_parse_str(ps, "mac", false, mac, sizeof(mac));
	if (ret < 0)
		return -EINVAL;
	if (ret)
		sw_vf_words(r, "mac", mac);
	if (sw_parse_int(ps, "vlan", 0, VLAN_VID_MAX, &vlan) < 0 ||
	    sw_parse_int(ps, "qos", 0, 7, &qos) < 0)
		return -EINVAL;
	if (vlan >= 0) {
		snprintf(num, sizeof(num), "%d", (int)vlan);
		sw_vf_words(r, "vlan", num);
	}
	if (qos >= 0) {
		snprintf(num, sizeof(num), "%d", (int)qos);
		sw_vf_words(r, "qos", num);
	}
	if (sw_parse_onoff(ps, r, "spoofchk") < 0 ||
	    sw_parse_onoff(ps, r, "trust") < 0)
		return -EINVAL;
	ret = sw_parse_word(ps, "state", states, 3, &w);
	if (ret < 0)
		return sw_parse_fail(ps, "\"state\" is auto, enable or "
				     "disable");
	if (ret)
		sw_vf_words(r, "state", states[w]);
	if (!r->nwords)
		return sw_parse_fail(ps, "needs a setting: mac, vlan "
				     "[qos], spoofchk, trust or state");
	return 0;
}

int sw_req_parse(enum sw_cmd cmd, json_t *req, struct sw_req *r, char *err,
		 size_t errlen)
{
	struct sw_parse ps = { .req = req, .err = err, .errlen = errlen };
	json_int_t vid = -1;
	size_t w = 0;

	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->vid = -1;
	if ((unsigned)cmd >= SW_CMD_COUNT || !json_is_object(req))
		return sw_parse_fail(&ps, "not a request");
	if (sw_parse_keys(&ps, cmd) < 0)
		return -EINVAL;
	switch (cmd) {
	case SW_CMD_SHOW_PORTS:
	case SW_CMD_CAPTURE_STOP:
		return sw_parse_port(&ps, "port", cmd == SW_CMD_CAPTURE_STOP,
				     &r->port);
	case SW_CMD_SHOW_FDB:
		if (sw_parse_int(&ps, "vlan", 1, VLAN_VID_MAX, &vid) < 0)
			return -EINVAL;
		r->vid = (int)vid;
		return sw_parse_port(&ps, "port", false, &r->port);
	case SW_CMD_SHOW_TEAM:
		return sw_parse_str(&ps, "team", false, r->team,
				    sizeof(r->team)) < 0 ? -EINVAL : 0;
	case SW_CMD_ADD_UPLINK:
		if (sw_parse_str(&ps, "name", true, r->name,
				 sizeof(r->name)) < 0 ||
		    sw_name_check("port name", r->name, err, errlen) < 0 ||
		    sw_parse_str(&ps, "vdev", true, r->vdev,
				 sizeof(r->vdev)) < 0 ||
		    sw_vdev_check(r->vdev, err, errlen) < 0)
			return -EINVAL;
		return sw_parse_vlan(&ps, r);
	case SW_CMD_DEL_UPLINK:
	case SW_CMD_DEL_TEAM:
		return sw_parse_port(&ps, "name", true, &r->port);
	case SW_CMD_ADD_TEAM:
		return sw_parse_team(&ps, r);
	case SW_CMD_SET_LINK: {
		static const char *const admin[] = { "down", "up" };

		if (sw_parse_port(&ps, "port", true, &r->port) < 0)
			return -EINVAL;
		if (sw_parse_word(&ps, "admin", admin, 2, &w) != 1)
			return sw_parse_fail(&ps, "\"admin\" must be \"up\" "
					     "or \"down\"");
		r->admin_up = w == 1;
		return 0;
	}
	case SW_CMD_CAPTURE_START:
		if (sw_parse_port(&ps, "port", true, &r->port) < 0)
			return -EINVAL;
		return sw_parse_capture(&ps, r);
	case SW_CMD_SHOW_SRIOV:
		return sw_parse_str(&ps, "sriov", false, r->sriov,
				    sizeof(r->sriov)) < 0 ? -EINVAL : 0;
	case SW_CMD_SET_VF:
		return sw_parse_set_vf(&ps, r);
	default:
		return 0;	/* show-vlans, stats, quit: nothing to take */
	}
}
