// SPDX-License-Identifier: MIT
/*
 * Topology files: YAML (libyaml's document API, which keeps each node's
 * line) into struct topo, checked key by key. The file is untrusted
 * input: unknown keys, wrong types, bad names and dangling references
 * are refused with "file:line: what", the line being the offending
 * node's, so a typo is found without guessing.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/mac.h"
#include "cli/topo.h"
#include "wire/attach_proto.h"	/* ATTACH_VF_MAX */

struct tp {
	yaml_document_t doc;
	const char *fname;
	char *err;
	size_t errlen;
	struct topo *t;
};

static const char *const path_names[] = {
	[TOPO_PATH_EMU] = "emu", [TOPO_PATH_PV] = "pv", [TOPO_PATH_VF] = "vf",
};

const char *topo_path_name(enum topo_nic_path p)
{
	return (unsigned int)p < 3 ? path_names[p] : "?";
}

int topo_path_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(name, path_names[i]))
			return i;
	return -EINVAL;
}

int topo_size_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10, end++;
	else if (*end == 'M' || *end == 'm')
		mul = 1ull << 20, end++;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30, end++;
	if (*end == 'i' && mul > 1)
		end++;
	if (*end == 'B' && mul > 1)
		end++;
	if (*end || v > (1ull << 40) / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

/* Node line, 1-based; no node at all (an empty file) is line 1. */
static int tp_line(yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 1;
}

static int tp_err(struct tp *p, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int tp_verr(struct tp *p, int line, const char *fmt, va_list ap)
{
	int k = snprintf(p->err, p->errlen, "%s:%d: ", p->fname, line);

	if (k >= 0 && (size_t)k < p->errlen)
		vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
	return -EINVAL;
}

static int tp_err(struct tp *p, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tp_verr(p, tp_line(n), fmt, ap);
	va_end(ap);
	return rc;
}

/* The same for a line kept from the parse (the checks after it). */
static int tp_err_line(struct tp *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int tp_err_line(struct tp *p, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = tp_verr(p, line, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *tp_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
		(const char *)n->data.scalar.value : NULL;
}

/* Scalar value or an error naming @what. */
static int tp_str(struct tp *p, yaml_node_t *n, const char *what,
		  char *dst, size_t dstlen)
{
	const char *s = tp_scalar(n);

	if (!s)
		return tp_err(p, n, "%s: expected a plain value", what);
	if (strlen(s) >= dstlen)
		return tp_err(p, n, "%s: longer than %zu characters", what,
			      dstlen - 1);
	for (const char *c = s; *c; c++)
		if (!isprint((unsigned char)*c))
			return tp_err(p, n, "%s: control character", what);
	strcpy(dst, s);
	return 0;
}

/* Names become interface names, socket paths and DPDK prefixes. */
static int tp_name(struct tp *p, yaml_node_t *n, const char *what,
		   char *dst)
{
	int rc = tp_str(p, n, what, dst, TOPO_NAME_MAX);

	if (rc)
		return rc;
	if (!dst[0] || !isalnum((unsigned char)dst[0]))
		return tp_err(p, n,
			      "%s '%s': must start with a letter or digit",
			      what, dst);
	for (const char *c = dst; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return tp_err(p, n, "%s '%s': only letters, digits, "
				      "'-' and '_'", what, dst);
	return 0;
}

static int tp_bool(struct tp *p, yaml_node_t *n, const char *what, bool *v)
{
	const char *s = tp_scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
		*v = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no") ||
		       !strcmp(s, "off")))
		*v = false;
	else
		return tp_err(p, n, "%s: expected true or false", what);
	return 0;
}

static int tp_uint(struct tp *p, yaml_node_t *n, const char *what,
		   long lo, long hi, long *v)
{
	const char *s = tp_scalar(n);
	char *end;
	long x;

	if (!s || !isdigit((unsigned char)s[0]))
		return tp_err(p, n, "%s: expected a number", what);
	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || *end || x < lo || x > hi)
		return tp_err(p, n, "%s: '%s' is not a number in %ld..%ld",
			      what, s, lo, hi);
	*v = x;
	return 0;
}

/* A NIC's own address: base/mac.h's unicast rule, with a message that
 * says which part of it the file broke. */
static int tp_mac(struct tp *p, yaml_node_t *n, const char *what,
		  uint8_t mac[6])
{
	const char *s = tp_scalar(n);
	uint8_t m[6];

	if (!s || mac_parse(s, m))
		return tp_err(p, n, "%s: expected a MAC like 02:00:00:00:00:01",
			      what);
	if (!mac_is_unicast(m))
		return m[0] & 1 ?
		       tp_err(p, n, "%s: %s is a multicast address", what, s) :
		       tp_err(p, n, "%s: the zero MAC", what);
	memcpy(mac, m, sizeof(m));
	return 0;
}

static int tp_cidr(struct tp *p, yaml_node_t *n, const char *what,
		   char *dst, size_t len)
{
	unsigned int a, b, c, d, m;
	char tail;
	int rc = tp_str(p, n, what, dst, len);

	if (rc)
		return rc;
	if (sscanf(dst, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &m, &tail) != 5 ||
	    a > 255 || b > 255 || c > 255 || d > 255 || m < 1 || m > 32)
		return tp_err(p, n,
			      "%s: expected an address like 10.0.0.254/24",
			      what);
	return 0;
}

/*
 * Iterate a mapping, refusing keys not in @keys (NULL-terminated). Calls
 * @fn for each pair. Mappings must be mappings: a list where a mapping
 * belongs is the most common slip.
 */
typedef int (*tp_pair_fn)(struct tp *p, const char *key, yaml_node_t *val,
			  void *ctx);

static int tp_map(struct tp *p, yaml_node_t *n, const char *what,
		  const char *const *keys, tp_pair_fn fn, void *ctx)
{
	yaml_node_pair_t *pr;

	if (!n || n->type != YAML_MAPPING_NODE)
		return tp_err(p, n, "%s: expected a mapping (key: value)",
			      what);
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(&p->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&p->doc, pr->value);
		const char *ks = tp_scalar(k);
		const char *const *kk;
		int rc;

		if (!ks)
			return tp_err(p, k, "%s: keys must be plain words",
				      what);
		for (kk = keys; *kk; kk++)
			if (!strcmp(*kk, ks))
				break;
		if (!*kk)
			return tp_err(p, k, "%s: unknown key '%s'", what, ks);
		/* Duplicate keys: YAML forbids them, libyaml does not check. */
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start;
		     q < pr; q++)
			if (!strcmp(tp_scalar(yaml_document_get_node(&p->doc,
					q->key)) ?: "", ks))
				return tp_err(p, k, "%s: key '%s' given twice",
					      what, ks);
		rc = fn(p, ks, v, ctx);
		if (rc)
			return rc;
	}
	return 0;
}

/* The node of a required key, or NULL after reporting it missing. */
static yaml_node_t *tp_get(struct tp *p, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pr;

	for (pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		const char *ks = tp_scalar(yaml_document_get_node(&p->doc,
								  pr->key));
		if (ks && !strcmp(ks, key))
			return yaml_document_get_node(&p->doc, pr->value);
	}
	return NULL;
}

static int tp_seq(struct tp *p, yaml_node_t *n, const char *what,
		  unsigned int max, yaml_node_item_t **start,
		  unsigned int *count)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return tp_err(p, n, "%s: expected a list", what);
	*start = n->data.sequence.items.start;
	*count = (unsigned int)(n->data.sequence.items.top -
				n->data.sequence.items.start);
	if (*count > max)
		return tp_err(p, n, "%s: at most %u entries", what, max);
	return 0;
}

/* ---- uplinks and teams ---- */

struct host_ctx {
	struct topo_host *h;
	struct topo_uplink *u;
	struct topo_team *tm;
	yaml_node_t *node;
	bool uplinks_done;
	char what[64];
};

static int tp_uplink_pair(struct tp *p, const char *key, yaml_node_t *v,
			  void *ctx)
{
	struct host_ctx *c = ctx;

	if (!strcmp(key, "name"))
		return tp_name(p, v, c->what, c->u->name);
	if (!strcmp(key, "fabric"))
		return tp_bool(p, v, c->what, &c->u->fabric);
	/* "vdev": handed to DPDK as is; DPDK itself refuses bad ones. */
	return tp_str(p, v, c->what, c->u->vdev, sizeof(c->u->vdev));
}

/* members: names of this host's uplinks, all read by now. */
static int tp_team_members(struct tp *p, struct host_ctx *c, yaml_node_t *v)
{
	struct topo_team *tm = c->tm;
	yaml_node_item_t *it;
	unsigned int n;
	int rc;

	rc = tp_seq(p, v, c->what, TOPO_UPLINKS_MAX, &it, &n);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < n; i++) {
		yaml_node_t *mn = yaml_document_get_node(&p->doc, it[i]);
		char nm[TOPO_NAME_MAX];
		unsigned int u;

		rc = tp_name(p, mn, c->what, nm);
		if (rc)
			return rc;
		for (u = 0; u < c->h->nuplinks; u++)
			if (!strcmp(c->h->uplinks[u].name, nm))
				break;
		if (u == c->h->nuplinks)
			return tp_err(p, mn, "%s: no uplink '%s' on host '%s'",
				      c->what, nm, c->h->name);
		for (unsigned int j = 0; j < tm->nmembers; j++)
			if (tm->members[j] == u)
				return tp_err(p, mn,
					      "%s: member '%s' listed twice",
					      c->what, nm);
		tm->members[tm->nmembers++] = u;
	}
	return 0;
}

static int tp_team_pair(struct tp *p, const char *key, yaml_node_t *v,
			void *ctx)
{
	static const char *const modes[] = { "active-backup", "balance-xor",
					     "802.3ad", NULL };
	static const char *const hashes[] = { "l2", "l23", "l34", NULL };
	struct host_ctx *c = ctx;
	struct topo_team *tm = c->tm;
	const char *const *m;
	int rc;

	if (!strcmp(key, "name"))
		return tp_name(p, v, c->what, tm->name);
	if (!strcmp(key, "mode") || !strcmp(key, "hash")) {
		bool mode = key[0] == 'm';
		char *dst = mode ? tm->mode : tm->hash;

		rc = tp_str(p, v, c->what, dst, mode ? sizeof(tm->mode) :
			    sizeof(tm->hash));
		if (rc)
			return rc;
		for (m = mode ? modes : hashes; *m; m++)
			if (!strcmp(*m, dst))
				return 0;
		return tp_err(p, v, "%s: unknown %s '%s' (%s)", c->what, key,
			      dst, mode ? "active-backup, balance-xor, 802.3ad"
					: "l2, l23, l34");
	}
	return tp_team_members(p, c, v);
}

static int tp_uplinks(struct tp *p, struct host_ctx *c, yaml_node_t *v)
{
	static const char *const ukeys[] = { "name", "fabric", "vdev", NULL };
	struct topo_host *h = c->h;
	yaml_node_item_t *it;
	unsigned int n;
	int rc;

	rc = tp_seq(p, v, "uplinks", TOPO_UPLINKS_MAX, &it, &n);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < n; i++) {
		yaml_node_t *un = yaml_document_get_node(&p->doc, it[i]);
		struct topo_uplink *u = &h->uplinks[i];

		u->line = tp_line(un);
		snprintf(c->what, sizeof(c->what), "host '%s': uplink %u",
			 h->name, i + 1);
		c->u = u;
		rc = tp_map(p, un, c->what, ukeys, tp_uplink_pair, c);
		if (rc)
			return rc;
		if (!u->name[0])
			return tp_err(p, un, "%s: no name", c->what);
		if (u->fabric == !!u->vdev[0])
			return tp_err(p, un, "host '%s': uplink '%s': give "
				      "either 'fabric: true' or a 'vdev'",
				      h->name, u->name);
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(h->uplinks[j].name, u->name))
				return tp_err(p, un, "host '%s': uplink '%s' "
					      "defined twice", h->name,
					      u->name);
		h->nuplinks = i + 1;
	}
	return 0;
}

/* Team @i of @h against the teams before it and the uplinks' names. */
static int tp_team_check(struct tp *p, const struct topo_host *h,
			 unsigned int i, yaml_node_t *tn)
{
	const struct topo_team *tm = &h->teams[i];

	if (tm->hash[0] && strcmp(tm->mode, "balance-xor") &&
	    strcmp(tm->mode, "802.3ad"))
		return tp_err(p, tn, "team '%s': hash applies to balance-xor "
			      "and 802.3ad only", tm->name);
	for (unsigned int j = 0; j < i; j++) {
		const struct topo_team *o = &h->teams[j];

		if (!strcmp(o->name, tm->name))
			return tp_err(p, tn, "team '%s' defined twice",
				      tm->name);
		for (unsigned int a = 0; a < tm->nmembers; a++)
			for (unsigned int b = 0; b < o->nmembers; b++)
				if (tm->members[a] == o->members[b])
					return tp_err(p, tn, "team '%s': "
						"uplink '%s' is already in "
						"team '%s'", tm->name,
						h->uplinks[tm->members[a]].name,
						o->name);
	}
	for (unsigned int u = 0; u < h->nuplinks; u++)
		if (!strcmp(h->uplinks[u].name, tm->name))
			return tp_err(p, tn, "team '%s': an uplink has that "
				      "name", tm->name);
	return 0;
}

/* teams: uplinks were read before (tp_host_pair) */
static int tp_teams(struct tp *p, struct host_ctx *c, yaml_node_t *v)
{
	static const char *const tkeys[] = { "name", "mode", "hash",
					     "members", NULL };
	struct topo_host *h = c->h;
	yaml_node_item_t *it;
	unsigned int n;
	int rc;

	rc = tp_seq(p, v, "teams", TOPO_TEAMS_MAX, &it, &n);
	if (rc)
		return rc;
	for (unsigned int i = 0; i < n; i++) {
		yaml_node_t *tn = yaml_document_get_node(&p->doc, it[i]);
		struct topo_team *tm = &h->teams[i];

		memset(tm, 0, sizeof(*tm));
		tm->line = tp_line(tn);
		snprintf(c->what, sizeof(c->what), "host '%s': team %u",
			 h->name, i + 1);
		c->tm = tm;
		rc = tp_map(p, tn, c->what, tkeys, tp_team_pair, c);
		if (rc)
			return rc;
		if (!tm->name[0] || !tm->mode[0] || tm->nmembers < 1)
			return tp_err(p, tn, "%s: needs name, mode and members",
				      c->what);
		rc = tp_team_check(p, h, i, tn);
		if (rc)
			return rc;
		h->nteams = i + 1;
	}
	return 0;
}

static int tp_switch_pair(struct tp *p, const char *key, yaml_node_t *v,
			  void *ctx)
{
	struct host_ctx *c = ctx;

	if (!strcmp(key, "poll"))
		return tp_bool(p, v, "switch: poll", &c->h->poll);
	if (!strcmp(key, "restart"))
		return tp_bool(p, v, "switch: restart", &c->h->restart);
	if (!strcmp(key, "pmd_cpu")) {
		long x;
		int rc = tp_uint(p, v, "switch: pmd_cpu", 0, TOPO_CPU_MAX, &x);

		if (!rc) {
			c->h->pmd_cpu = (unsigned int)x;
			c->h->has_pmd_cpu = true;
		}
		return rc;
	}
	if (!strcmp(key, "uplinks")) {
		if (c->uplinks_done)
			return 0;
		c->uplinks_done = true;
		return tp_uplinks(p, c, v);
	}
	return tp_teams(p, c, v);
}

static int tp_host_pair(struct tp *p, const char *key, yaml_node_t *v,
			void *ctx)
{
	static const char *const skeys[] = { "uplinks", "teams", "poll",
					     "restart", "pmd_cpu", NULL };
	struct host_ctx *c = ctx;
	struct host_ctx sc = *c;

	if (!strcmp(key, "name"))
		return 0;	/* read first, by tp_hosts */
	sc.node = v;
	if (!v || v->type != YAML_MAPPING_NODE)
		return tp_err(p, v, "host '%s': switch: expected a mapping",
			      c->h->name);
	/* Teams name uplinks: read the uplinks first, wherever they stand. */
	if (tp_get(p, v, "uplinks")) {
		int rc = tp_switch_pair(p, "uplinks", tp_get(p, v, "uplinks"),
					&sc);
		if (rc)
			return rc;
	}
	return tp_map(p, v, "switch", skeys, tp_switch_pair, &sc);
}

static int tp_hosts(struct tp *p, yaml_node_t *v)
{
	static const char *const hkeys[] = { "name", "switch", NULL };
	yaml_node_item_t *it;
	unsigned int n;
	int rc = tp_seq(p, v, "hosts", TOPO_HOSTS_MAX, &it, &n);

	if (rc)
		return rc;
	if (n == 0)
		return tp_err(p, v, "hosts: at least one host");
	for (unsigned int i = 0; i < n; i++) {
		yaml_node_t *hn = yaml_document_get_node(&p->doc, it[i]);
		struct topo_host *h = &p->t->hosts[i];
		struct host_ctx c = { .h = h, .node = hn };
		yaml_node_t *nm;

		h->line = tp_line(hn);
		if (!hn || hn->type != YAML_MAPPING_NODE)
			return tp_err(p, hn, "host %u: expected a mapping",
				      i + 1);
		nm = tp_get(p, hn, "name");
		if (!nm)
			return tp_err(p, hn, "host %u: no name", i + 1);
		rc = tp_name(p, nm, "host name", h->name);
		if (rc)
			return rc;
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(p->t->hosts[j].name, h->name))
				return tp_err(p, nm, "host '%s' defined twice",
					      h->name);
		snprintf(c.what, sizeof(c.what), "host '%s'", h->name);
		rc = tp_map(p, hn, c.what, hkeys, tp_host_pair, &c);
		if (rc)
			return rc;
		p->t->nhosts = i + 1;
	}
	return 0;
}

/* ---- VMs ---- */

struct vm_ctx {
	struct topo_vm *vm;
	struct topo_nic *nic;
	char what[64];
};

/* vcpu_pin: a CPU, or a list of them (vCPU i on the i-th, round again). */
static int tp_vcpu_pin(struct tp *p, yaml_node_t *v, struct vm_ctx *c)
{
	struct topo_vm *vm = c->vm;
	yaml_node_item_t *it;
	unsigned int n;
	char what[80];
	long x;
	int rc;

	snprintf(what, sizeof(what), "%s: vcpu_pin", c->what);
	if (tp_scalar(v)) {
		rc = tp_uint(p, v, what, 0, TOPO_CPU_MAX, &x);
		if (!rc) {
			vm->vcpu_pin[0] = (unsigned int)x;
			vm->nvcpu_pin = 1;
		}
		return rc;
	}
	rc = tp_seq(p, v, what, TOPO_PIN_MAX, &it, &n);
	if (rc)
		return rc;
	if (!n)
		return tp_err(p, v, "%s: at least one CPU", what);
	for (unsigned int i = 0; i < n; i++) {
		rc = tp_uint(p, yaml_document_get_node(&p->doc, it[i]), what,
			     0, TOPO_CPU_MAX, &x);
		if (rc)
			return rc;
		vm->vcpu_pin[i] = (unsigned int)x;
	}
	vm->nvcpu_pin = n;
	return 0;
}

static int tp_nic_pair(struct tp *p, const char *key, yaml_node_t *v,
		       void *ctx)
{
	struct vm_ctx *c = ctx;
	struct topo_nic *nic = c->nic;
	long x;
	int rc;

	if (!strcmp(key, "path")) {
		const char *s = tp_scalar(v);
		int k = s ? topo_path_parse(s) : -EINVAL;

		if (k < 0)
			return tp_err(p, v,
				      "%s: unknown path '%s' (emu, pv, vf)",
				      c->what, s ? s : "");
		nic->path = (enum topo_nic_path)k;
		return 0;
	}
	if (!strcmp(key, "mac")) {
		nic->has_mac = true;
		return tp_mac(p, v, c->what, nic->mac);
	}
	if (!strcmp(key, "standby")) {
		char what[96];

		snprintf(what, sizeof(what), "%s: standby", c->what);
		return tp_bool(p, v, what, &nic->standby);
	}
	{
		char what[96];

		snprintf(what, sizeof(what), "%s: vlan", c->what);
		rc = tp_uint(p, v, what, 1, 4094, &x);
	}
	if (!rc)
		nic->vlan = (int)x;
	return rc;
}

static int tp_vm_pair(struct tp *p, const char *key, yaml_node_t *v,
		      void *ctx)
{
	static const char *const nkeys[] = { "path", "mac", "vlan", "standby",
					     NULL };
	struct vm_ctx *c = ctx;
	struct topo_vm *vm = c->vm;
	char buf[TOPO_TEXT_MAX];
	long x;
	int rc;

	if (!strcmp(key, "name"))
		return 0;	/* read first */
	if (!strcmp(key, "host")) {
		rc = tp_name(p, v, c->what, buf);
		if (rc)
			return rc;
		for (unsigned int h = 0; h < p->t->nhosts; h++)
			if (!strcmp(p->t->hosts[h].name, buf)) {
				vm->host = h;
				return 0;
			}
		return tp_err(p, v, "%s: no host '%s'", c->what, buf);
	}
	if (!strcmp(key, "image"))
		return tp_str(p, v, c->what, vm->image, sizeof(vm->image));
	if (!strcmp(key, "cmdline"))
		return tp_str(p, v, c->what, vm->cmdline, sizeof(vm->cmdline));
	if (!strcmp(key, "memory")) {
		const char *s = tp_scalar(v);

		if (!s || topo_size_parse(s, &vm->memory) ||
		    vm->memory < (16ull << 20) || vm->memory > (16ull << 30) ||
		    vm->memory % (2ull << 20))
			return tp_err(p, v, "%s: memory '%s': want a multiple "
				      "of 2M between 16M and 16G", c->what,
				      s ? s : "");
		return 0;
	}
	if (!strcmp(key, "vcpu_pin"))
		return tp_vcpu_pin(p, v, c);
	if (!strcmp(key, "cpus")) {
		snprintf(buf, sizeof(buf), "%s: cpus", c->what);
		rc = tp_uint(p, v, buf, 1, 8, &x);
		if (!rc)
			vm->cpus = (unsigned int)x;
		return rc;
	}
	/* nics */
	{
		yaml_node_item_t *it;
		unsigned int n;

		rc = tp_seq(p, v, c->what, TOPO_NICS_MAX, &it, &n);
		if (rc)
			return rc;
		for (unsigned int i = 0; i < n; i++) {
			yaml_node_t *nn = yaml_document_get_node(&p->doc,
								 it[i]);
			char what[64];

			c->nic = &vm->nics[i];
			c->nic->line = tp_line(nn);
			snprintf(what, sizeof(what), "vm '%s': nic %u",
				 vm->name, i + 1);
			memcpy(c->what, what, sizeof(what));
			rc = tp_map(p, nn, what, nkeys, tp_nic_pair, c);
			if (rc)
				return rc;
			vm->nnics = i + 1;
		}
		snprintf(c->what, sizeof(c->what), "vm '%s'", vm->name);
	}
	return 0;
}

static int tp_vms(struct tp *p, yaml_node_t *v)
{
	static const char *const vkeys[] = { "name", "host", "image", "memory",
					     "cpus", "vcpu_pin", "nics",
					     "cmdline", NULL };
	yaml_node_item_t *it;
	unsigned int n;
	int rc = tp_seq(p, v, "vms", TOPO_VMS_MAX, &it, &n);

	if (rc)
		return rc;
	for (unsigned int i = 0; i < n; i++) {
		yaml_node_t *vn = yaml_document_get_node(&p->doc, it[i]);
		struct topo_vm *vm = &p->t->vms[i];
		struct vm_ctx c = { .vm = vm };
		yaml_node_t *nm;

		vm->line = tp_line(vn);
		vm->cpus = 1;
		vm->memory = 64ull << 20;
		snprintf(vm->image, sizeof(vm->image), "%s",
			 TOPO_DEFAULT_IMAGE);
		if (!vn || vn->type != YAML_MAPPING_NODE)
			return tp_err(p, vn, "vm %u: expected a mapping",
				      i + 1);
		nm = tp_get(p, vn, "name");
		if (!nm)
			return tp_err(p, vn, "vm %u: no name", i + 1);
		rc = tp_name(p, nm, "vm name", vm->name);
		if (rc)
			return rc;
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(p->t->vms[j].name, vm->name))
				return tp_err(p, nm, "vm '%s' defined twice",
					      vm->name);
		if (!tp_get(p, vn, "host")) {
			if (p->t->nhosts != 1)
				return tp_err(p, vn, "vm '%s': which host?",
					      vm->name);
			vm->host = 0;
		}
		snprintf(c.what, sizeof(c.what), "vm '%s'", vm->name);
		rc = tp_map(p, vn, c.what, vkeys, tp_vm_pair, &c);
		if (rc)
			return rc;
		p->t->nvms = i + 1;
	}
	return 0;
}

/* ---- top level ---- */

static int tp_fabric_pair(struct tp *p, const char *key, yaml_node_t *v,
			  void *ctx)
{
	return tp_cidr(p, v, "fabric: ip", p->t->fabric.ip,
		       sizeof(p->t->fabric.ip));
}

static int tp_top_pair(struct tp *p, const char *key, yaml_node_t *v,
		       void *ctx)
{
	static const char *const fkeys[] = { "ip", NULL };

	if (!strcmp(key, "lab"))
		return tp_name(p, v, "lab", p->t->name);
	if (!strcmp(key, "on_exit")) {
		const char *s = tp_scalar(v);

		if (s && !strcmp(s, "down-on-failure"))
			p->t->on_exit = TOPO_EXIT_DOWN_ON_FAILURE;
		else if (s && !strcmp(s, "down-on-any"))
			p->t->on_exit = TOPO_EXIT_DOWN_ON_ANY;
		else if (s && !strcmp(s, "keep"))
			p->t->on_exit = TOPO_EXIT_KEEP;
		else
			return tp_err(p, v, "on_exit: want down-on-failure, "
				      "down-on-any or keep");
		return 0;
	}
	if (!strcmp(key, "fabric")) {
		p->t->fabric.present = true;
		p->t->fabric.line = tp_line(v);
		/* "fabric: {}" or "fabric:" (null) both mean a bare bridge */
		if (tp_scalar(v) && !*tp_scalar(v))
			return 0;
		return tp_map(p, v, "fabric", fkeys, tp_fabric_pair, NULL);
	}
	return 0;	/* hosts, vms: read in order by topo_parse_doc */
}

/* MACs nobody gave: 02:10:00:00:VM:NIC, locally administered. */
static void tp_default_macs(struct topo *t)
{
	for (unsigned int v = 0; v < t->nvms; v++)
		for (unsigned int n = 0; n < t->vms[v].nnics; n++) {
			struct topo_nic *nic = &t->vms[v].nics[n];

			if (nic->has_mac || nic->standby)
				continue;
			memcpy(nic->mac, (uint8_t[]){ 0x02, 0x10, 0, 0,
				(uint8_t)(v + 1), (uint8_t)n }, 6);
			nic->has_mac = true;
		}
}

/* An uplink to the fabric needs a fabric. */
static int tp_check_fabric(struct tp *p)
{
	const struct topo *t = p->t;

	for (unsigned int h = 0; h < t->nhosts; h++) {
		const struct topo_host *ho = &t->hosts[h];

		for (unsigned int u = 0; u < ho->nuplinks; u++) {
			const struct topo_uplink *ul = &ho->uplinks[u];

			if (!ul->fabric || t->fabric.present)
				continue;
			snprintf(p->err, p->errlen, "%s:%d: host '%s': "
				 "uplink '%s' goes to the fabric, but there "
				 "is no 'fabric:' section", p->fname, ul->line,
				 ho->name, ul->name);
			return -EINVAL;
		}
	}
	return 0;
}

/* Is NIC @i of VM @a the standby pair of NIC @j of the same VM? */
static bool tp_standby_pair(const struct topo *t, unsigned int a,
			    unsigned int i, unsigned int j)
{
	const struct topo_nic *x = &t->vms[a].nics[i], *y = &t->vms[a].nics[j];

	return (x->standby && y->path == TOPO_PATH_VF) ||
	       (y->standby && x->path == TOPO_PATH_VF);
}

/* The first VM with the MAC of VM @a's NIC @i on an earlier NIC, or -1. */
static int tp_mac_user(const struct topo *t, unsigned int a, unsigned int i)
{
	const uint8_t *mac = t->vms[a].nics[i].mac;

	for (unsigned int b = 0; b <= a; b++)
		for (unsigned int j = 0; j < t->vms[b].nnics; j++) {
			if (a == b && j >= i)
				break;
			if (a == b && tp_standby_pair(t, a, i, j))
				continue;
			if (!memcmp(mac, t->vms[b].nics[j].mac, 6))
				return (int)b;
		}
	return -1;
}

/* The vf NIC of @vm whose standby pv NIC @i is, or -1. */
static int tp_standby_of(const struct topo_vm *vm, unsigned int i)
{
	for (unsigned int j = 0; j < vm->nnics; j++)
		if (vm->nics[j].path == TOPO_PATH_VF &&
		    !memcmp(vm->nics[j].mac, vm->nics[i].mac, 6))
			return (int)j;
	return -1;
}

/*
 * A standby is a pv NIC of a VM that has a vf NIC with its MAC (the vf
 * NIC's, when the file gives it none); one per VF. Runs after the
 * default MACs, which a VF may have taken.
 */
static int tp_standby_check(struct tp *p)
{
	struct topo *t = p->t;

	for (unsigned int a = 0; a < t->nvms; a++) {
		struct topo_vm *vm = &t->vms[a];

		for (unsigned int i = 0; i < vm->nnics; i++) {
			struct topo_nic *nic = &vm->nics[i];
			unsigned int nvf = 0, vf = 0;

			if (!nic->standby)
				continue;
			if (nic->path != TOPO_PATH_PV)
				return tp_err_line(p, nic->line, "vm '%s': "
					"nic %u: only a pv NIC can be a "
					"standby (of the VM's vf NIC)",
					vm->name, i + 1);
			for (unsigned int j = 0; j < vm->nnics; j++)
				if (vm->nics[j].path == TOPO_PATH_VF) {
					nvf++;
					vf = j;
				}
			if (!nic->has_mac && nvf == 1) {
				memcpy(nic->mac, vm->nics[vf].mac, 6);
				nic->has_mac = true;
			} else if (!nic->has_mac) {
				return tp_err_line(p, nic->line, "vm '%s': "
					"nic %u: a standby without a mac needs "
					"exactly one vf NIC in its VM (it has "
					"%u)", vm->name, i + 1, nvf);
			}
			if (tp_standby_of(vm, i) < 0)
				return tp_err_line(p, nic->line, "vm '%s': "
					"nic %u: standby, but no vf NIC of "
					"this VM has its MAC", vm->name,
					i + 1);
			for (unsigned int j = 0; j < i; j++)
				if (vm->nics[j].standby &&
				    !memcmp(vm->nics[j].mac, nic->mac, 6))
					return tp_err_line(p, nic->line,
						"vm '%s': nic %u: that VF has "
						"a standby already (nic %u)",
						vm->name, i + 1, j + 1);
		}
	}
	return 0;
}

/* Two NICs with one MAC on one switch would fight over the FDB, but for
 * a VF and its standby: the guest uses one at a time. */
static int tp_check_macs(struct tp *p)
{
	const struct topo *t = p->t;

	for (unsigned int a = 0; a < t->nvms; a++)
		for (unsigned int i = 0; i < t->vms[a].nnics; i++) {
			int b = tp_mac_user(t, a, i);

			if (b < 0)
				continue;
			snprintf(p->err, p->errlen,
				 "%s:%d: vm '%s': MAC already used by vm '%s'",
				 p->fname, t->vms[a].nics[i].line,
				 t->vms[a].name, t->vms[b].name);
			return -EINVAL;
		}
	return 0;
}

unsigned int topo_host_vfs(const struct topo *t, unsigned int h)
{
	unsigned int n = 0;

	for (unsigned int v = 0; v < t->nvms; v++)
		for (unsigned int i = 0; i < t->vms[v].nnics; i++)
			n += t->vms[v].host == h &&
			     t->vms[v].nics[i].path == TOPO_PATH_VF;
	return n;
}

unsigned int topo_host_sriov_vfs(const struct topo *t, unsigned int h)
{
	unsigned int n = topo_host_vfs(t, h);

	for (unsigned int v = 0; v < t->nvms; v++)
		for (unsigned int i = 0; i < t->vms[v].nnics; i++)
			n += t->vms[v].host != h && t->vms[v].nics[i].standby;
	return n < ATTACH_VF_MAX ? n : ATTACH_VF_MAX;
}

/* A host's vf NICs are VFs of its switch's one SR-IOV NIC. */
static int tp_check_vfs(struct tp *p)
{
	const struct topo *t = p->t;

	for (unsigned int h = 0; h < t->nhosts; h++) {
		unsigned int n = topo_host_vfs(t, h);

		if (n <= ATTACH_VF_MAX)
			continue;
		snprintf(p->err, p->errlen, "%s:%d: host '%s': %u NICs of "
			 "path vf, but its SR-IOV NIC has %d VFs", p->fname,
			 t->hosts[h].line, t->hosts[h].name, n,
			 ATTACH_VF_MAX);
		return -EINVAL;
	}
	return 0;
}

static int tp_check(struct tp *p)
{
	return tp_check_fabric(p) ?: tp_standby_check(p) ?: tp_check_macs(p) ?:
	       tp_check_vfs(p);
}

static int topo_parse_doc(struct tp *p)
{
	static const char *const keys[] = { "lab", "on_exit", "hosts", "vms",
					     "fabric", NULL };
	yaml_node_t *root = yaml_document_get_root_node(&p->doc);
	yaml_node_t *n;
	int rc;

	if (!root)
		return tp_err(p, NULL, "empty topology");
	rc = tp_map(p, root, "topology", keys, tp_top_pair, NULL);
	if (rc)
		return rc;
	n = tp_get(p, root, "hosts");
	if (!n)
		return tp_err(p, root, "topology: no 'hosts' section");
	rc = tp_hosts(p, n);
	if (rc)
		return rc;
	n = tp_get(p, root, "vms");
	if (n) {
		rc = tp_vms(p, n);
		if (rc)
			return rc;
	}
	tp_default_macs(p->t);
	return tp_check(p);
}

int topo_parse_buf(const char *buf, size_t len, const char *fname,
		   struct topo *t, char *err, size_t errlen)
{
	yaml_parser_t parser;
	struct tp p = { .fname = fname, .err = err, .errlen = errlen, .t = t };
	const char *base;
	int rc;

	memset(t, 0, sizeof(*t));
	err[0] = '\0';
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &p.doc)) {
		snprintf(err, errlen, "%s:%zu: %s%s%s", fname,
			 (parser.problem_mark.line ? parser.problem_mark.line :
			  parser.context_mark.line) + 1,
			 parser.problem ? parser.problem : "YAML syntax error",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	rc = topo_parse_doc(&p);
	yaml_document_delete(&p.doc);
	yaml_parser_delete(&parser);
	if (!rc && !t->name[0]) {
		/* No "lab:" key: the file's base name without extension. */
		base = strrchr(fname, '/') ? strrchr(fname, '/') + 1 : fname;
		snprintf(t->name, sizeof(t->name), "%.*s",
			 (int)strcspn(base, "."), base);
		for (char *c = t->name; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-')
				*c = '-';
		if (!t->name[0])
			strcpy(t->name, "lab");
	}
	return rc;
}

int topo_parse_file(const char *path, struct topo *t, char *err,
		    size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	/* Topologies are small; a huge file is a mistake, not a lab. */
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || len > (1 << 20) ||
	    fseek(f, 0, SEEK_SET)) {
		fclose(f);
		snprintf(err, errlen, "%s: not a regular file of at most 1 MiB",
			 path);
		return -EINVAL;
	}
	buf = malloc((size_t)len + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		snprintf(err, errlen, "%s: read error", path);
		return -EIO;
	}
	fclose(f);
	rc = topo_parse_buf(buf, (size_t)len, path, t, err, errlen);
	free(buf);
	return rc;
}
