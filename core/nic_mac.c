// SPDX-License-Identifier: MIT
/* A virtual NIC's MAC (nic_mac.h). */
#include <errno.h>
#include <stdio.h>

#define LOG_SUBSYS "nic"
#include "base/log.h"
#include "base/mac.h"
#include "core/nic_mac.h"
#include "core/vdev.h"
#include "core/vmm.h"

int nic_mac_opt(const struct vdev *vd, const char *opts, uint8_t tag,
		uint8_t mac[6])
{
	char buf[64];
	int ret;

	ret = vdev_opt_get(opts, "mac", buf, sizeof(buf));
	if (ret == -ENOENT) {
		nic_mac_default(vd, tag, mac);
		return 0;
	}
	if (ret < 0) {
		log_err("%s: mac= is too long for an address", vd->id);
		return -EINVAL;
	}
	ret = mac_parse_unicast(buf, mac);
	if (ret == -EDOM)
		log_err("%s: bad mac '%s': a group or all-zero address cannot "
			"be a NIC's", vd->id, buf);
	else if (ret < 0)
		log_err("%s: bad mac '%s' (want a unicast xx:xx:xx:xx:xx:xx)",
			vd->id, buf);
	return ret < 0 ? -EINVAL : 0;
}

void nic_mac_default(const struct vdev *vd, uint8_t tag, uint8_t mac[6])
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
