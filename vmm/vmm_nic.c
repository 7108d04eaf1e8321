// SPDX-License-Identifier: MIT
/* The --nic paths iopath-vmm knows (vmm_nic.h). */
#include <errno.h>
#include <string.h>

#define LOG_SUBSYS "main"
#include "base/log.h"
#include "core/nic_port.h"
#include "emu-devices/tulip_port.h"
#include "pv-rings/pv_port.h"
#include "sriov/vf_port.h"
#include "vmm/vmm_nic.h"

static const struct nic_port_ops *const vmm_nic_paths[] = {
	&tulip_port_ops,
	&pv_port_ops,
	&vf_port_ops,
	NULL,
};

void vmm_nic_usage(FILE *f)
{
	for (const struct nic_port_ops *const *o = vmm_nic_paths; *o; o++)
		fprintf(f, "      --nic %s[,mac=MAC][,switch=SOCKET|none]"
			"[,vlan=N][,trunk][,port=NAME]%s\n"
			"                         add %s\n",
			(*o)->name, (*o)->usage_opts, (*o)->usage);
}

int vmm_nic_add(struct vmm *vmm, const char *spec, unsigned index)
{
	size_t n = strcspn(spec, ",");
	char known[64] = "";

	for (const struct nic_port_ops *const *o = vmm_nic_paths; *o; o++) {
		if (n == strlen((*o)->name) && !strncmp(spec, (*o)->name, n))
			return nic_port_add(vmm, *o,
					    spec[n] ? spec + n + 1 : "", index);
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", known[0] ? ", " : "", (*o)->name);
	}
	log_err("--nic %s: unknown path '%.*s' (known paths: %s)", spec,
		(int)n, spec, known);
	return -EPROTONOSUPPORT;
}

json_t *vmm_nic_stats(struct vmm *vmm)
{
	json_t *nics = json_array();

	for (const struct nic_port_ops *const *o = vmm_nic_paths; *o; o++) {
		json_t *st = nic_port_stats(vmm, *o);

		json_array_extend(nics, st);
		json_decref(st);
	}
	return nics;
}
