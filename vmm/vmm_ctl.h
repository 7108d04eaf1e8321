/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VMM_VMM_CTL_H
#define IOPATH_VMM_VMM_CTL_H

/*
 * The VM's control socket commands (JSON lines, core/ctl.h):
 *   {"cmd":"status"}  name, state (running/paused), vCPUs, memory, uptime
 *   {"cmd":"stats"}   exit counts by reason (vmm_exit_stats)
 *   {"cmd":"regs"}    each vCPU's registers (read through vcpu_state_save)
 *   {"cmd":"pause"} / {"cmd":"resume"}
 *   {"cmd":"quit"}    stop the VM; the VMM exits with status 0
 */

struct vmm;

/* Listen on @path. Returns 0 or -errno. */
int vmm_ctl_start(struct vmm *vmm, const char *path);

#endif
