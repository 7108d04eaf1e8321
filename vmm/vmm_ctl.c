// SPDX-License-Identifier: MIT
/* The VM's control socket commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "ctl"
#include "base/clock.h"
#include "base/log.h"
#include "core/ctl.h"
#include "core/vmm.h"
#include "cpu/vcpu_state.h"
#include "vmm/vmm_ctl.h"

static int vmm_ctl_status(void *opaque, json_t *req, json_t *resp)
{
	struct vmm *vmm = opaque;
	uint64_t now = clock_mono_ns();

	json_object_set_new(resp, "name", json_string(vmm->name));
	json_object_set_new(resp, "state",
			    json_string(atomic_load(&vmm->paused) ? "paused"
								   : "running"));
	json_object_set_new(resp, "vcpus", json_integer(vmm->ncpus));
	json_object_set_new(resp, "memory_mib",
			    json_integer(vmm->mem.size >> 20));
	json_object_set_new(resp, "hugetlb", json_boolean(vmm->mem.hugetlb));
	json_object_set_new(resp, "uptime_ms",
			    json_integer((now - vmm->start_ns) / 1000000));
	return 0;
}

static int vmm_ctl_stats(void *opaque, json_t *req, json_t *resp)
{
	json_object_set_new(resp, "exits", vmm_exit_stats(opaque));
	return 0;
}

/*
 * Registers of every vCPU, read through the full state save migration
 * uses (so every piece of it is exercised). Pauses the VM for the read.
 */
static int vmm_ctl_regs(void *opaque, json_t *req, json_t *resp)
{
	struct vmm *vmm = opaque;
	bool was_paused = atomic_load(&vmm->paused);
	json_t *cpus = json_array();
	struct vcpu_state *st;
	unsigned i;
	int ret = 0;

	st = malloc(sizeof(*st));
	if (!st) {
		json_decref(cpus);
		return -ENOMEM;
	}
	if (!was_paused)
		vmm_pause(vmm);
	for (i = 0; i < vmm->ncpus && ret == 0; i++) {
		char hex[8][24];

		ret = vcpu_state_save(vmm->vcpus[i], st);
		if (ret < 0)
			break;
		snprintf(hex[0], 24, "%#llx", st->regs.rip);
		snprintf(hex[1], 24, "%#llx", st->regs.rsp);
		snprintf(hex[2], 24, "%#llx", st->regs.rflags);
		snprintf(hex[3], 24, "%#llx", st->sregs.cr0);
		snprintf(hex[4], 24, "%#llx", st->sregs.cr3);
		snprintf(hex[5], 24, "%#llx", st->sregs.cr4);
		snprintf(hex[6], 24, "%#llx", st->sregs.efer);
		snprintf(hex[7], 24, "%#x", st->sregs.cs.selector);
		json_array_append_new(cpus, json_pack(
			"{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:i}",
			"vcpu", i, "rip", hex[0], "rsp", hex[1],
			"rflags", hex[2], "cr0", hex[3], "cr3", hex[4],
			"cr4", hex[5], "efer", hex[6], "cs", hex[7],
			"cpl", st->sregs.cs.selector & 3,
			"mp_state", st->mp.mp_state, "msrs", st->nmsrs));
	}
	if (!was_paused)
		vmm_resume(vmm);
	free(st);
	if (ret < 0) {
		json_decref(cpus);
		return ctl_error(resp, "cannot read vCPU %u state: %s", i,
				 strerror(-ret));
	}
	json_object_set_new(resp, "vcpus", cpus);
	return 0;
}

static int vmm_ctl_pause(void *opaque, json_t *req, json_t *resp)
{
	vmm_pause(opaque);
	return 0;
}

static int vmm_ctl_resume(void *opaque, json_t *req, json_t *resp)
{
	vmm_resume(opaque);
	return 0;
}

static int vmm_ctl_quit(void *opaque, json_t *req, json_t *resp)
{
	struct vmm *vmm = opaque;

	/* A paused vCPU must wake to see the stop. */
	vmm_resume(vmm);
	vmm_request_exit(vmm, 0, "quit requested on the control socket");
	return 0;
}

int vmm_ctl_start(struct vmm *vmm, const char *path)
{
	static const struct {
		const char *name;
		ctl_cmd_fn fn;
	} cmds[] = {
		{ "status", vmm_ctl_status },
		{ "stats", vmm_ctl_stats },
		{ "regs", vmm_ctl_regs },
		{ "pause", vmm_ctl_pause },
		{ "resume", vmm_ctl_resume },
		{ "quit", vmm_ctl_quit },
	};
	unsigned i;
	int ret;

	vmm->ctl = ctl_create(vmm->loop, path);
	if (!vmm->ctl) {
		ret = -errno;
		log_err("control socket %s: %s", path, strerror(errno));
		return ret;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ret = ctl_register(vmm->ctl, cmds[i].name, cmds[i].fn, vmm);
		if (ret < 0)
			return ret;
	}
	return 0;
}
