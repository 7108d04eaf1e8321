// SPDX-License-Identifier: MIT
/* MACs and switch-port options shared by every virtual NIC path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "nic"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "core/vnic.h"

int vnic_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (unsigned i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	/* A station address must be unicast and not all zeros. */
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] |
			      mac[5]))
		return -EINVAL;
	return 0;
}

void vnic_mac_default(const struct vdev *vd, uint8_t tag, uint8_t mac[6])
{
	char name[80];
	uint32_t h = 2166136261u;

	snprintf(name, sizeof(name), "%s/%s", vd->vmm->name, vd->id);
	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02;		/* locally administered, unicast */
	mac[1] = tag;
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static bool vnic_key_in(const char *s, size_t k, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (k == strlen(*keys) && !strncmp(s, *keys, k))
			return true;
	return false;
}

int vnic_port_opts(const struct vmm *vmm, const char *opts, unsigned index,
		   uint16_t kind, const char *const *extra_keys,
		   char path[VNIC_PATH_MAX], char port[ATTACH_NAME_MAX],
		   struct attach_req *req)
{
	static const char *const common[] = { "mac", "switch", "vlan",
					      "trunk", "port", NULL };
	char buf[128];
	long vlan = 0;

	memset(req, 0, sizeof(*req));
	for (const char *s = opts; s && *s;) {
		const char *end = strchr(s, ',');
		size_t k = strcspn(s, "=,");

		if (!vnic_key_in(s, k, common) &&
		    !vnic_key_in(s, k, extra_keys)) {
			log_err("--nic: unknown option '%.*s'",
				(int)(end ? end - s : (long)strlen(s)), s);
			return -EINVAL;
		}
		s = end ? end + 1 : NULL;
	}
	if (vdev_opt_get(opts, "switch", path, VNIC_PATH_MAX) < 0 ||
	    !strcmp(path, "none"))
		path[0] = '\0';
	if (vdev_opt_get(opts, "vlan", buf, sizeof(buf)) >= 0) {
		char *end;

		vlan = strtol(buf, &end, 10);
		if (*end || vlan < 1 || vlan > 4094) {
			log_err("--nic: vlan must be 1..4094");
			return -EINVAL;
		}
	}
	if (vdev_opt_get(opts, "port", port, ATTACH_NAME_MAX) < 0)
		snprintf(port, ATTACH_NAME_MAX, "%.24s.%u", vmm->name, index);
	snprintf(req->port, sizeof(req->port), "%s", port);
	snprintf(req->vm, sizeof(req->vm), "%s", vmm->name);
	req->kind = kind;
	req->vlan_mode = vdev_opt_get(opts, "trunk", buf, sizeof(buf)) >= 0
				 ? ATTACH_VLAN_TRUNK
				 : ATTACH_VLAN_ACCESS;
	/* Access ports default to VLAN 1; a trunk without vlan= has no
	 * native VLAN. */
	req->vlan = (uint16_t)(vlan ? vlan : 1);
	if (req->vlan_mode == ATTACH_VLAN_TRUNK && !vlan)
		req->vlan = 0;
	return 0;
}
