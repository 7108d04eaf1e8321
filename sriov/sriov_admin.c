// SPDX-License-Identifier: MIT
/*
 * The administrator's per-VF settings, as Linux's `ip link set PF vf N
 * mac M vlan V qos Q spoofchk on|off trust on|off state
 * auto|enable|disable` reaches igb's ndo_set_vf_* handlers. They take
 * effect at once in the embedded switch; the VF learns a new MAC at its
 * next reset (igb asks the administrator to reload the VF's driver).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errmsg.h"
#include "base/mac.h"
#include "sriov/sriov_priv.h"

int sriov_vf_set_mac(struct sriov_nic *nic, unsigned vf,
		     const uint8_t mac[6], uint64_t now_ns)
{
	static const uint8_t zero[6];
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return -EINVAL;
	nic->now_ns = now_ns;
	if (!memcmp(mac, zero, 6)) {
		/* igb: a zero MAC hands the address back to the VF. */
		v->cfg.mac_admin = false;
		memset(v->cfg.mac, 0, 6);
		return 0;
	}
	if (!mac_is_unicast(mac))
		return -EINVAL;
	memcpy(v->cfg.mac, mac, 6);
	v->cfg.mac_admin = true;
	return 0;
}

int sriov_vf_set_vlan(struct sriov_nic *nic, unsigned vf, uint16_t vid,
		      uint8_t qos, uint64_t now_ns)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v || vid >= 4095 || qos > 7 || (!vid && qos))
		return -EINVAL;
	nic->now_ns = now_ns;
	if (vid != v->cfg.port_vlan) {
		/* igb_enable_port_vlan: the VF's own VLANs are revoked. */
		memset(v->cfg.vlans, 0, sizeof(v->cfg.vlans));
	}
	v->cfg.port_vlan = vid;
	v->cfg.port_qos = qos;
	return 0;
}

int sriov_vf_set_spoofchk(struct sriov_nic *nic, unsigned vf, bool on)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return -EINVAL;
	v->cfg.spoofchk = on;
	return 0;
}

int sriov_vf_set_trust(struct sriov_nic *nic, unsigned vf, bool on)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return -EINVAL;
	v->cfg.trust = on;
	if (!on)
		v->cfg.uc_promisc = false;	/* what trust allowed goes */
	return 0;
}

int sriov_vf_set_link_state(struct sriov_nic *nic, unsigned vf,
			    enum vf_link_state st, uint64_t now_ns)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v || st > VF_LINK_DISABLE)
		return -EINVAL;
	nic->now_ns = now_ns;
	v->cfg.link_state = st;
	sriov_vf_update_link(v);
	return 0;
}

/* ---- words ---- */

struct sriov_admin_req {
	bool has_mac, has_vlan, has_qos, has_spoof, has_trust, has_state;
	uint8_t mac[6];
	unsigned long vlan, qos;
	bool spoof, trust;
	enum vf_link_state state;
};

static int sriov_admin_onoff(const char *s, bool *out)
{
	if (!strcmp(s, "on"))
		*out = true;
	else if (!strcmp(s, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

static int sriov_admin_num(const char *s, unsigned long max,
			   unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* One "keyword value" pair into @r. */
static int sriov_admin_word(struct sriov_admin_req *r, const char *k,
			    const char *val, char *err, size_t errlen)
{
	if (!strcmp(k, "mac")) {
		uint8_t m[6];
		static const uint8_t zero[6];

		if (mac_parse(val, m) || (memcmp(m, zero, 6) &&
					  !mac_is_unicast(m)))
			return errmsg_invalid(err, errlen, "mac: '%s' is not "
					       "a station address", val);
		memcpy(r->mac, m, 6);
		r->has_mac = true;
	} else if (!strcmp(k, "vlan")) {
		if (sriov_admin_num(val, 4094, &r->vlan))
			return errmsg_invalid(err, errlen, "vlan: '%s' is not "
					       "0..4094", val);
		r->has_vlan = true;
	} else if (!strcmp(k, "qos")) {
		if (sriov_admin_num(val, 7, &r->qos))
			return errmsg_invalid(err, errlen, "qos: '%s' is not "
					       "0..7", val);
		r->has_qos = true;
	} else if (!strcmp(k, "spoofchk")) {
		if (sriov_admin_onoff(val, &r->spoof))
			return errmsg_invalid(err, errlen, "spoofchk: on or "
					       "off, not '%s'", val);
		r->has_spoof = true;
	} else if (!strcmp(k, "trust")) {
		if (sriov_admin_onoff(val, &r->trust))
			return errmsg_invalid(err, errlen, "trust: on or off, "
					       "not '%s'", val);
		r->has_trust = true;
	} else if (!strcmp(k, "state")) {
		if (!strcmp(val, "auto"))
			r->state = VF_LINK_AUTO;
		else if (!strcmp(val, "enable"))
			r->state = VF_LINK_ENABLE;
		else if (!strcmp(val, "disable"))
			r->state = VF_LINK_DISABLE;
		else
			return errmsg_invalid(err, errlen, "state: auto, "
					       "enable or disable, not '%s'",
					       val);
		r->has_state = true;
	} else {
		return errmsg_invalid(err, errlen, "unknown setting '%s' "
				       "(mac, vlan, qos, spoofchk, trust, "
				       "state)", k);
	}
	return 0;
}

int sriov_vf_admin(struct sriov_nic *nic, unsigned vf, int argc,
		   const char *const *argv, uint64_t now_ns, char *err,
		   size_t errlen)
{
	struct sriov_admin_req r = { 0 };
	int i;

	if (!sriov_vf_get(nic, vf))
		return errmsg_invalid(err, errlen, "no VF %u", vf);
	if (argc <= 0 || argc % 2)
		return errmsg_invalid(err, errlen, "settings come as "
				       "keyword and value pairs");
	for (i = 0; i < argc; i += 2)
		if (sriov_admin_word(&r, argv[i], argv[i + 1], err, errlen))
			return -EINVAL;
	if (r.has_qos && !r.has_vlan)
		return errmsg_invalid(err, errlen, "qos needs vlan");
	if (r.has_vlan && !r.vlan && r.has_qos && r.qos)
		return errmsg_invalid(err, errlen, "qos needs a VLAN "
				       "other than 0");

	if (r.has_mac)
		sriov_vf_set_mac(nic, vf, r.mac, now_ns);
	if (r.has_vlan)
		sriov_vf_set_vlan(nic, vf, (uint16_t)r.vlan,
				  (uint8_t)(r.has_qos ? r.qos : 0), now_ns);
	if (r.has_spoof)
		sriov_vf_set_spoofchk(nic, vf, r.spoof);
	if (r.has_trust)
		sriov_vf_set_trust(nic, vf, r.trust);
	if (r.has_state)
		sriov_vf_set_link_state(nic, vf, r.state, now_ns);
	return 0;
}
