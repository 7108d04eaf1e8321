// SPDX-License-Identifier: MIT
/* The per-frame forwarding decision and the port table behind it. */
#include <errno.h>
#include <string.h>

#include "vswitch/forward.h"
#include "vswitch/frame_check.h"

const char *const fwd_drop_names[FWD_DROP_REASONS] = {
	[FWD_DROP_NONE] = "none",
	[FWD_DROP_RUNT] = "runt",
	[FWD_DROP_OVERSIZED] = "oversized",
	[FWD_DROP_BAD_SRC] = "bad_src",
	[FWD_DROP_VLAN_TAGGED_ON_ACCESS] = "vlan_tagged_on_access",
	[FWD_DROP_VLAN_NOT_ALLOWED] = "vlan_not_allowed",
	[FWD_DROP_VLAN_UNTAGGED] = "vlan_untagged",
	[FWD_DROP_VLAN_BAD_TAG] = "vlan_bad_tag",
	[FWD_DROP_PORT_DOWN] = "port_down",
	[FWD_DROP_SAME_PORT] = "same_port",
	[FWD_DROP_NO_DEST] = "no_dest",
	[FWD_DROP_LINK_LOCAL] = "link_local",
	[FWD_DROP_VLAN_QINQ] = "vlan_qinq",
};

static const enum fwd_drop fwd_frame_drop[] = {
	[FRAME_OK] = FWD_DROP_NONE,
	[FRAME_RUNT] = FWD_DROP_RUNT,
	[FRAME_OVERSIZED] = FWD_DROP_OVERSIZED,
	[FRAME_BAD_SRC] = FWD_DROP_BAD_SRC,
};

static const enum fwd_drop fwd_vlan_drop[] = {
	[VLAN_OK] = FWD_DROP_NONE,
	[VLAN_DROP_TAGGED_ON_ACCESS] = FWD_DROP_VLAN_TAGGED_ON_ACCESS,
	[VLAN_DROP_NOT_ALLOWED] = FWD_DROP_VLAN_NOT_ALLOWED,
	[VLAN_DROP_UNTAGGED] = FWD_DROP_VLAN_UNTAGGED,
	[VLAN_DROP_BAD_TAG] = FWD_DROP_VLAN_BAD_TAG,
	[VLAN_DROP_STACKED] = FWD_DROP_VLAN_QINQ,
};

_Static_assert(sizeof(fwd_frame_drop) / sizeof(fwd_frame_drop[0]) ==
	       FRAME_BAD_SRC + 1, "every frame verdict maps to a drop");
_Static_assert(sizeof(fwd_vlan_drop) / sizeof(fwd_vlan_drop[0]) ==
	       VLAN_DROP_STACKED + 1, "every VLAN verdict maps to a drop");

static uint64_t fwd_bit(unsigned port)
{
	return 1ull << port;
}

/*
 * 802.1Q Table 8-1: a C-VLAN component filters the whole reserved block
 * 01-80-C2-00-00-00..0F (STP, pause, LACP, 802.1X, LLDP ...). Relaying
 * a VM's pause frame or LACPDU to every port would be worse than useless.
 */
static bool fwd_link_local(const uint8_t *dst)
{
	static const uint8_t block[5] = { 0x01, 0x80, 0xc2, 0x00, 0x00 };

	return memcmp(dst, block, sizeof(block)) == 0 && dst[5] <= 0x0f;
}

/* Recompute port @port's bit in every VLAN's member mask. */
static void fwd_members_update(struct fwd_table *t, unsigned port)
{
	const struct fwd_port *p = &t->ports[port];
	bool active = p->present && p->up;

	for (unsigned vid = 0; vid <= VLAN_VID_MAX; vid++) {
		if (active && vlan_cfg_carries(&p->vlan, (uint16_t)vid))
			t->vlan_members[vid] |= fwd_bit(port);
		else
			t->vlan_members[vid] &= ~fwd_bit(port);
	}
}

int fwd_init(struct fwd_table *t, struct fdb *fdb, unsigned mtu)
{
	if (!fdb)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->fdb = fdb;
	t->mtu = mtu;
	return 0;
}

static bool fwd_vlan_cfg_ok(const struct vlan_port_cfg *c)
{
	if (c->mode == VLAN_MODE_ACCESS)
		return c->vid >= 1 && c->vid <= VLAN_VID_MAX;
	return c->mode == VLAN_MODE_TRUNK && c->vid <= VLAN_VID_MAX;
}

static bool fwd_vlan_cfg_same(const struct vlan_port_cfg *a,
			      const struct vlan_port_cfg *b)
{
	return a->mode == b->mode && a->vid == b->vid &&
	       memcmp(a->allowed, b->allowed, sizeof(a->allowed)) == 0;
}

int fwd_port_set(struct fwd_table *t, unsigned port, const struct fwd_port *p)
{
	struct fwd_port *cur;

	if (port >= FWD_MAX_PORTS || !fwd_vlan_cfg_ok(&p->vlan))
		return -EINVAL;
	cur = &t->ports[port];
	if (cur->present &&
	    (!p->up || !fwd_vlan_cfg_same(&cur->vlan, &p->vlan)))
		fdb_flush_port(t->fdb, (uint16_t)port);
	*cur = *p;
	cur->present = true;
	fwd_members_update(t, port);
	return 0;
}

int fwd_port_set_up(struct fwd_table *t, unsigned port, bool up)
{
	struct fwd_port *p;

	if (port >= FWD_MAX_PORTS || !t->ports[port].present)
		return -ENOENT;
	p = &t->ports[port];
	if (p->up == up)
		return 0;
	p->up = up;
	if (!up)
		fdb_flush_port(t->fdb, (uint16_t)port);
	fwd_members_update(t, port);
	return 0;
}

void fwd_port_remove(struct fwd_table *t, unsigned port)
{
	if (port >= FWD_MAX_PORTS)
		return;
	fdb_flush_port_all(t->fdb, (uint16_t)port);
	memset(&t->ports[port], 0, sizeof(t->ports[port]));
	fwd_members_update(t, port);
}

void fwd_decide(struct fwd_table *t, unsigned in_port, const uint8_t *frame,
		unsigned len, uint64_t now_ns, struct fwd_result *r)
{
	const struct fwd_port *in;
	uint64_t members;
	int v, dst;

	*r = (struct fwd_result){ .drop = FWD_DROP_NONE };
	if (in_port >= FWD_MAX_PORTS || !t->ports[in_port].present ||
	    !t->ports[in_port].up) {
		r->drop = FWD_DROP_PORT_DOWN;
		return;
	}
	in = &t->ports[in_port];
	v = frame_check(frame, len, t->mtu);
	if (v != FRAME_OK) {
		r->drop = fwd_frame_drop[v];
		return;
	}
	v = vlan_ingress(&in->vlan, frame, len, &r->vid, &r->in_tagged);
	if (v != VLAN_OK) {
		r->drop = fwd_vlan_drop[v];
		return;
	}
	/*
	 * 802.1D learns from every frame accepted at ingress, whatever
	 * happens to it next. A full table or a static MAC seen elsewhere
	 * only means this source is not learned: the FDB counts those.
	 */
	if (in->learn)
		(void)fdb_learn(t->fdb, frame + 6, r->vid, (uint16_t)in_port,
				now_ns);
	if (fwd_link_local(frame)) {
		r->drop = FWD_DROP_LINK_LOCAL;
		return;
	}
	members = t->vlan_members[r->vid] & ~fwd_bit(in_port);
	if (!mac_is_multicast(frame)) {
		dst = fdb_lookup(t->fdb, frame, r->vid, now_ns);
		if (dst == (int)in_port) {
			/* Both ends behind the ingress port: 802.1D filters. */
			r->drop = FWD_DROP_SAME_PORT;
			return;
		}
		if (dst >= 0 && dst < FWD_MAX_PORTS &&
		    (members & fwd_bit((unsigned)dst))) {
			r->out_mask = fwd_bit((unsigned)dst);
			return;
		}
		/* Unknown, or its port cannot take it now: flood. */
	}
	if (!members) {
		r->drop = FWD_DROP_NO_DEST;
		return;
	}
	r->out_mask = members;
	r->flooded = true;
}

struct fwd_collect {
	uint64_t exclude;
	struct fdb_entry *out;
	unsigned max;
	unsigned n;
};

static int fwd_collect_one(void *opaque, const struct fdb_entry *e)
{
	struct fwd_collect *c = opaque;

	if (e->port < FWD_MAX_PORTS && (c->exclude & fwd_bit(e->port)))
		return 0;
	if (c->n == c->max)
		return 1;
	c->out[c->n++] = *e;
	return 0;
}

unsigned fwd_learned_except(struct fwd_table *t, uint64_t port_mask_to_exclude,
			    struct fdb_entry *out, unsigned max)
{
	struct fwd_collect c = {
		.exclude = port_mask_to_exclude, .out = out, .max = max,
	};

	if (max)
		fdb_foreach(t->fdb, fwd_collect_one, &c);
	return c.n;
}
