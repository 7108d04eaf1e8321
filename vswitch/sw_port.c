// SPDX-License-Identifier: MIT
/*
 * The port table on the control thread: ids, names, and the life cycle of
 * a port — created by its kind's code (which sets its ops and state),
 * published to the forwarding thread (sw_port_add), retired from it and
 * destroyed (sw_port_remove). Retiring happens on the forwarding thread
 * through sw_fwd_exec(), so once sw_port_remove() has passed that point no
 * packet can touch the port and its memory, fds and ethdev can go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_SUBSYS "port"
#include "base/clock.h"
#include "base/log.h"
#include "vswitch/sw.h"

int sw_port_alloc_id(struct sw *sw)
{
	for (unsigned i = 0; i < SW_MAX_PORTS; i++)
		if (!sw->ports[i])
			return (int)i;
	return -ENOSPC;
}

struct sw_port *sw_port_find(struct sw *sw, const char *name)
{
	for (unsigned i = 0; i < SW_MAX_PORTS; i++)
		if (sw->ports[i] && strcmp(sw->ports[i]->name, name) == 0)
			return sw->ports[i];
	return NULL;
}

int sw_name_free(struct sw *sw, const char *name, char *err, size_t errlen)
{
	const char *team = sw_team_of_member(sw, name);

	if (sw_port_find(sw, name) || sw_team_find(sw, name)) {
		snprintf(err, errlen, "port \"%s\" exists", name);
		return -EEXIST;
	}
	if (team) {
		snprintf(err, errlen, "\"%s\" is a member of team %s", name,
			 team);
		return -EEXIST;
	}
	return 0;
}

static int sw_port_attach_fn(struct sw *sw, void *arg)
{
	return sw_fwd_port_attach(sw, arg);
}

int sw_port_add(struct sw *sw, struct sw_port *p)
{
	int ret;

	if (p->id >= SW_MAX_PORTS || sw->ports[p->id])
		return -EBUSY;
	if (sw_port_find(sw, p->name))
		return -EEXIST;
	p->created_ns = clock_mono_ns();
	/* Claim the slot first so the name and id stay unique. */
	sw->ports[p->id] = p;
	ret = sw_fwd_exec(sw, sw_port_attach_fn, p);
	if (ret < 0) {
		sw->ports[p->id] = NULL;
		return ret;
	}
	log_info("port %u %s (%s%s%s) added", p->id, p->name,
		 p->ops->kind, p->vm[0] ? ", vm " : "", p->vm);
	return 0;
}

static int sw_port_detach_fn(struct sw *sw, void *arg)
{
	sw_fwd_port_detach(sw, arg);
	return 0;
}

void sw_port_remove(struct sw *sw, struct sw_port *p, const char *why)
{
	sw_fwd_exec(sw, sw_port_detach_fn, p);
	sw->ports[p->id] = NULL;
	/* Its last counters: after the detach no one else writes them. */
	log_info("port %u %s removed: %s; rx %llu, tx %llu, tx drops %llu, "
		 "rx no mbuf %llu", p->id, p->name, why,
		 (unsigned long long)p->st.rx_packets,
		 (unsigned long long)p->st.tx_packets,
		 (unsigned long long)p->st.tx_drops,
		 (unsigned long long)p->st.rx_nombuf);
	p->ops->destroy(p);
}

void sw_port_reap(struct sw *sw)
{
	uint64_t v;

	if (read(sw->reap_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("reap fd: %s", strerror(errno));
	for (unsigned i = 0; i < SW_MAX_PORTS; i++) {
		struct sw_port *p = sw->ports[i];

		if (!p || !atomic_load(&p->dead))
			continue;
		if (p->ops->disconnect)
			p->ops->disconnect(p);
		else
			sw_port_remove(sw, p, "port broken");
	}
}

struct sw_port_up_req {
	struct sw_port *port;
	bool up;
};

static int sw_port_up_fn(struct sw *sw, void *arg)
{
	struct sw_port_up_req *r = arg;

	return fwd_port_set_up(&sw->table, r->port->id, r->up);
}

/* Tell the forwarding table what admin and link together say. */
static int sw_port_sync_up(struct sw *sw, struct sw_port *p)
{
	struct sw_port_up_req r = {
		.port = p,
		.up = p->admin_up && atomic_load(&p->link_up),
	};

	return sw_fwd_exec(sw, sw_port_up_fn, &r);
}

int sw_port_set_admin(struct sw *sw, struct sw_port *p, bool up)
{
	p->admin_up = up;
	log_info("port %s admin %s", p->name, up ? "up" : "down");
	return sw_port_sync_up(sw, p);
}

void sw_port_set_link(struct sw *sw, struct sw_port *p, bool up)
{
	atomic_store(&p->link_up, up);
	sw_port_sync_up(sw, p);
}
