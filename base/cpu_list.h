/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_CPU_LIST_H
#define IOPATH_BASE_CPU_LIST_H

/*
 * CPUs to pin a thread to, as text: "N" or "N,M,...", decimal, each one
 * this process may run on (its affinity at parse time: a container or a
 * taskset may have taken some away). iopath-vmm --vcpu-pin and
 * iopath-switch --pmd-cpu take them, as libvirt's vcpupin and OVS-DPDK's
 * pmd-cpu-mask do.
 */

#include <stddef.h>

#define CPU_LIST_MAX	8	/* one per vCPU at most (VMM_MAX_VCPUS) */

/*
 * @s into @cpus (at most @max, at most CPU_LIST_MAX); *@n gets the
 * count. 0, or -EINVAL with the reason in @err: not a list of numbers,
 * too many, or a CPU this process may not use.
 */
int cpu_list_parse(const char *s, int *cpus, unsigned max, unsigned *n,
		   char *err, size_t errlen);

/* "0-1,3": the CPUs this process may use, for error messages. */
void cpu_list_allowed(char *buf, size_t len);

#endif
