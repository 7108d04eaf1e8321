/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VMM_VMM_NIC_H
#define IOPATH_VMM_VMM_NIC_H

/*
 * iopath-vmm's --nic PATH[,OPTS]: every path the VMM knows, by name, each
 * a struct nic_port_ops (core/nic_port.h). This file is the only place
 * that lists them.
 */

#include <jansson.h>
#include <stdio.h>

struct vmm;

/* The --nic lines of --help, one option and one description per path. */
void vmm_nic_usage(FILE *f);

/*
 * NIC number @index from @spec ("emu,mac=..", "pv"). 0 or -errno, the
 * reason logged; an unknown path is -EPROTONOSUPPORT, with the known
 * ones listed.
 */
int vmm_nic_add(struct vmm *vmm, const char *spec, unsigned index);

/*
 * Every NIC of @vmm, path by path in the table's order, with its
 * counters and switch port: a JSON array, new reference. Also logs a
 * line per NIC.
 */
json_t *vmm_nic_stats(struct vmm *vmm);

#endif
