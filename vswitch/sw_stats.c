// SPDX-License-Identifier: MIT
/*
 * JSON views of ports, VLANs and counters for the control socket. These
 * read forwarding-thread state, so they are called through sw_fwd_exec()
 * (sw_ctl.c does that) and see a consistent snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json_counters.h"
#include "base/mac.h"
#include "vswitch/sw.h"

json_t *sw_vlan_json(const struct vlan_port_cfg *c)
{
	json_t *o = json_object();
	char list[1024];

	if (c->mode == VLAN_MODE_ACCESS) {
		json_object_set_new(o, "mode", json_string("access"));
		json_object_set_new(o, "vid", json_integer(c->vid));
		return o;
	}
	json_object_set_new(o, "mode", json_string("trunk"));
	json_object_set_new(o, "native", c->vid ? json_integer(c->vid) :
						  json_null());
	if (sw_vlan_list_str(c, list, sizeof(list)) < 0)
		snprintf(list, sizeof(list), "(too long)");
	json_object_set_new(o, "allowed", json_string(list));
	return o;
}

static json_t *sw_port_stats_json(const struct sw_port *p)
{
	const struct sw_port_stats *st = &p->st;
	json_t *o = json_object(), *drops = json_object();
	uint64_t total = 0;

	JSON_COUNTER(o, *st, rx_packets);
	JSON_COUNTER(o, *st, rx_bytes);
	JSON_COUNTER(o, *st, tx_packets);
	JSON_COUNTER(o, *st, tx_bytes);
	JSON_COUNTER(o, *st, tx_drops);
	JSON_COUNTER(o, *st, rx_nombuf);
	JSON_COUNTER(o, *st, rx_padded);
	for (unsigned r = 1; r < FWD_DROP_REASONS; r++) {
		json_counter_set(drops, fwd_drop_names[r], st->drops[r]);
		total += st->drops[r];
	}
	json_counter_set(o, "rx_drops", total);
	json_object_set_new(o, "drops", drops);
	return o;
}

json_t *sw_port_json(struct sw *sw, struct sw_port *p)
{
	json_t *o = json_object();
	char mac[MAC_STR_LEN];

	json_object_set_new(o, "id", json_integer(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "kind", json_string(p->ops->kind));
	json_object_set_new(o, "vm", p->vm[0] ? json_string(p->vm) :
						json_null());
	mac_format(p->mac, mac);
	json_object_set_new(o, "mac", json_string(mac));
	json_object_set_new(o, "vlan", sw_vlan_json(&p->vlan));
	json_object_set_new(o, "link", json_string(
		atomic_load(&p->link_up) ? "up" : "down"));
	json_object_set_new(o, "admin", json_string(p->admin_up ? "up" :
								  "down"));
	if (atomic_load(&p->dead))
		json_object_set_new(o, "broken", json_true());
	/* What only the kind knows: its device, channel or backend. */
	if (p->ops->json)
		p->ops->json(p, o);
	if (p->ops->sync_stats)
		p->ops->sync_stats(p);
	json_object_set_new(o, "stats", sw_port_stats_json(p));
	json_object_set_new(o, "capture", p->cap ? sw_capture_json(p->cap) :
						   json_null());
	return o;
}
