// SPDX-License-Identifier: MIT
/*
 * The NIC as JSON for show commands (`iopath-ctl ... show-sriov`): the
 * PF's counters and, per VF, the administrator's settings, what the VF
 * asked for, its state and its counters with drops by reason.
 */
#include "base/json_counters.h"
#include "base/mac.h"
#include "sriov/sriov_priv.h"

static const char *sriov_link_state_name(enum vf_link_state s)
{
	switch (s) {
	case VF_LINK_ENABLE:
		return "enable";
	case VF_LINK_DISABLE:
		return "disable";
	default:
		return "auto";
	}
}

static void sriov_show_counters(json_t *o, const struct sriov_vf *v)
{
	const struct sriov_vf_stats *s = &v->st;
	const struct vf_queue_stats *q = &v->q.st;
	const struct vf_mbx_stats *m = &v->mbx.st;
	json_t *d = json_object(), *mb = json_object(), *ir = json_object();
	unsigned i;

	JSON_COUNTER(o, *s, tx_packets);
	JSON_COUNTER(o, *s, tx_bytes);
	JSON_COUNTER(o, *s, tx_to_vf);
	JSON_COUNTER(o, *s, tx_to_pf);
	JSON_COUNTER(o, *s, rx_packets);
	JSON_COUNTER(o, *s, rx_bytes);
	JSON_COUNTER(o, *s, errors);
	JSON_COUNTER(o, *s, resets);
	JSON_COUNTER(o, *s, doorbells);
	JSON_COUNTER(o, *s, sleeps);
	JSON_COUNTER(o, *s, unmasks);
	JSON_COUNTER(o, *s, stale_rx);
	JSON_COUNTER(o, *s, bad_access);
	JSON_COUNTER(o, *s, irq_restores);
	JSON_COUNTER(o, *q, tx_descs);
	JSON_COUNTER(o, *q, tx_ctx);
	JSON_COUNTER(o, *q, tx_csum);
	JSON_COUNTER(o, *q, tx_vlan);
	JSON_COUNTER(o, *q, rx_descs);

	json_counter_set(d, "tx_spoof", s->tx_drop_spoof);
	json_counter_set(d, "tx_vlan", s->tx_drop_vlan);
	json_counter_set(d, "tx_link", s->tx_drop_link);
	json_counter_set(d, "tx_runt", s->tx_drop_runt);
	json_counter_set(d, "rx_no_buffer", s->rx_drop_no_buffer);
	json_counter_set(d, "rx_link", s->rx_drop_link);
	json_counter_set(d, "rx_too_big", s->rx_drop_too_big);
	json_counter_set(d, "rx_off", s->rx_drop_off);
	json_object_set_new(o, "drops", d);

	JSON_COUNTER(mb, *m, msgs);
	JSON_COUNTER(mb, *m, acks);
	JSON_COUNTER(mb, *m, nacks);
	JSON_COUNTER(mb, *m, resets);
	JSON_COUNTER(mb, *m, not_cts);
	JSON_COUNTER(mb, *m, denied);
	JSON_COUNTER(mb, *m, invalid);
	JSON_COUNTER(mb, *m, stale);
	JSON_COUNTER(mb, *m, pings);
	json_object_set_new(o, "mailbox", mb);

	for (i = 0; i < IGBVF_MSIX_VECTORS; i++) {
		char k[16];

		snprintf(k, sizeof(k), "vector%u", i);
		json_counter_set(ir, k, v->irq.st.sent[i]);
	}
	json_counter_set(ir, "moderated", v->irq.st.moderated);
	json_counter_set(ir, "unrouted", v->irq.st.unrouted);
	json_object_set_new(o, "irqs", ir);
}

static json_t *sriov_show_vf(const struct sriov_vf *v)
{
	const struct vf_cfg *c = &v->cfg;
	json_t *o = json_object();
	char mac[MAC_STR_LEN];
	const char *why;
	int err = vf_queue_error(&v->q, &why);

	mac_format(c->mac, mac);
	json_object_set_new(o, "vf", json_integer(v->idx));
	json_object_set_new(o, "attached", json_boolean(v->sh != NULL));
	json_object_set_new(o, "mac", json_string(mac));
	json_object_set_new(o, "mac_admin", json_boolean(c->mac_admin));
	json_object_set_new(o, "vlan", json_integer(c->port_vlan));
	json_object_set_new(o, "qos", json_integer(c->port_qos));
	json_object_set_new(o, "spoofchk", json_boolean(c->spoofchk));
	json_object_set_new(o, "trust", json_boolean(c->trust));
	json_object_set_new(o, "link_state",
			    json_string(sriov_link_state_name(c->link_state)));
	json_object_set_new(o, "link_up", json_boolean(c->link_up));
	json_object_set_new(o, "ready", json_boolean(c->cts));
	json_object_set_new(o, "max_frame",
			    json_integer(vf_cfg_max_frame(c)));
	json_object_set_new(o, "mc_hashes", json_integer(c->n_mc));
	json_object_set_new(o, "mc_promisc", json_boolean(c->mc_promisc));
	json_object_set_new(o, "uc_promisc", json_boolean(c->uc_promisc));
	json_object_set_new(o, "busy", json_boolean(v->busy));
	json_object_set_new(o, "error", json_string(vf_queue_err_name(err)));
	if (err)
		json_object_set_new(o, "error_why", json_string(why));
	sriov_show_counters(o, v);
	return o;
}

json_t *sriov_nic_show(const struct sriov_nic *nic)
{
	json_t *o = json_object(), *pf = json_object(), *vfs = json_array();
	unsigned i;

	json_object_set_new(o, "name", json_string(nic->name));
	json_object_set_new(o, "vfs", json_integer(nic->nvfs));
	json_object_set_new(o, "pf_link", json_boolean(nic->pf_link));
	JSON_COUNTER(pf, nic->pf, tx_frames);
	JSON_COUNTER(pf, nic->pf, tx_bytes);
	JSON_COUNTER(pf, nic->pf, rx_frames);
	JSON_COUNTER(pf, nic->pf, rx_bytes);
	JSON_COUNTER(pf, nic->pf, rx_drop_unknown);
	JSON_COUNTER(pf, nic->pf, rx_drop_runt);
	json_object_set_new(o, "pf", pf);
	for (i = 0; i < nic->nvfs; i++)
		json_array_append_new(vfs, sriov_show_vf(&nic->vf[i]));
	json_object_set_new(o, "vf", vfs);
	return o;
}
