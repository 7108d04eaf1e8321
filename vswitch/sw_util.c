// SPDX-License-Identifier: MIT
/*
 * Parsing and formatting VLAN port specifications and VID lists (the
 * command line's --uplink-vlan, the control socket's "vlan", show-vlans).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vswitch/sw.h"

static int sw_vid_parse(const char *s, const char **end, uint16_t *vid)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (e == s || errno || v < 1 || v > VLAN_VID_MAX)
		return -EINVAL;
	*vid = (uint16_t)v;
	*end = e;
	return 0;
}

/* "1-10,20,30-31" or "all" into the trunk's allowed set. */
static int sw_vlan_allow_list(struct vlan_port_cfg *c, const char *s)
{
	const char *p = s;

	if (strcmp(s, "all") == 0) {
		for (unsigned v = 1; v <= VLAN_VID_MAX; v++)
			vlan_cfg_allow(c, (uint16_t)v, true);
		return 0;
	}
	while (*p) {
		uint16_t lo, hi;

		if (sw_vid_parse(p, &p, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (*p == '-' && sw_vid_parse(p + 1, &p, &hi) < 0)
			return -EINVAL;
		if (hi < lo)
			return -EINVAL;
		for (unsigned v = lo; v <= hi; v++)
			vlan_cfg_allow(c, (uint16_t)v, true);
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return 0;
}

int sw_vlan_parse(const char *s, struct vlan_port_cfg *c)
{
	char buf[256], *save = NULL, *tok;
	uint16_t native = 0;
	const char *allowed = "all";
	const char *end;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	tok = strtok_r(buf, ":", &save);
	if (!tok)
		return -EINVAL;
	if (strcmp(tok, "access") == 0) {
		uint16_t vid;

		tok = strtok_r(NULL, ":", &save);
		if (!tok || sw_vid_parse(tok, &end, &vid) < 0 || *end ||
		    strtok_r(NULL, ":", &save))
			return -EINVAL;
		return vlan_cfg_access(c, vid);
	}
	if (strcmp(tok, "trunk") != 0)
		return -EINVAL;
	while ((tok = strtok_r(NULL, ":", &save))) {
		if (strncmp(tok, "native=", 7) == 0) {
			if (strcmp(tok + 7, "none") == 0 ||
			    strcmp(tok + 7, "0") == 0)
				native = 0;
			else if (sw_vid_parse(tok + 7, &end, &native) < 0 ||
				 *end)
				return -EINVAL;
		} else if (strncmp(tok, "allowed=", 8) == 0) {
			allowed = tok + 8;
		} else {
			return -EINVAL;
		}
	}
	if (vlan_cfg_trunk(c, native) < 0)
		return -EINVAL;
	if (sw_vlan_allow_list(c, allowed) < 0)
		return -EINVAL;
	/* The native VLAN is carried even if the list forgot it. */
	if (native)
		vlan_cfg_allow(c, native, true);
	return 0;
}

int sw_vlan_list_str(const struct vlan_port_cfg *c, char *out, size_t len)
{
	size_t used = 0;
	unsigned v = 1;
	int n;

	out[0] = '\0';
	while (v <= VLAN_VID_MAX) {
		unsigned lo;

		if (!vlan_cfg_carries(c, (uint16_t)v)) {
			v++;
			continue;
		}
		lo = v;
		while (v + 1 <= VLAN_VID_MAX &&
		       vlan_cfg_carries(c, (uint16_t)(v + 1)))
			v++;
		if (lo == 1 && v == VLAN_VID_MAX)
			n = snprintf(out + used, len - used, "%sall",
				     used ? "," : "");
		else if (lo == v)
			n = snprintf(out + used, len - used, "%s%u",
				     used ? "," : "", lo);
		else
			n = snprintf(out + used, len - used, "%s%u-%u",
				     used ? "," : "", lo, v);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += (size_t)n;
		v++;
	}
	return 0;
}
