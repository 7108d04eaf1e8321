// SPDX-License-Identifier: MIT
/*
 * The embedded default topology: what `iopath bench` (and `iopath lab up`
 * with no file) runs on. One host, one switch, no uplinks, so nothing
 * but the switch's own VM ports carries traffic; bench adds its VMs.
 */
#include <stdio.h>
#include <string.h>

#include "cli/topo.h"

const char topo_default_yaml[] =
	"# iopath embedded default topology (iopath lab up with no file)\n"
	"lab: default\n"
	"hosts:\n"
	"  - name: h0\n"
	"    switch:\n"
	"      uplinks: []\n"
	"vms: []\n";

int topo_load_default(struct topo *t, char *err, size_t errlen)
{
	return topo_parse_buf(topo_default_yaml, strlen(topo_default_yaml),
			      "<default>", t, err, errlen);
}
