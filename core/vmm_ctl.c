// SPDX-License-Identifier: MIT
/* The VM's control socket commands. */
#include <errno.h>
#include <string.h>
#include <time.h>

#define LOG_SUBSYS "ctl"
#include "core/ctl.h"
#include "core/log.h"
#include "core/vmm.h"
#include "core/vmm_ctl.h"

static int vmm_ctl_status(void *opaque, json_t *req, json_t *resp)
{
	struct vmm *vmm = opaque;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
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
