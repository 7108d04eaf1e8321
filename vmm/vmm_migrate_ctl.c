// SPDX-License-Identifier: MIT
/*
 * The control commands of a migration's source (vmm_migrate.h):
 *   {"cmd":"migrate","to":"tcp:HOST:PORT"[,"downtime_ms":30][,"max_s":60]}
 *   {"cmd":"migrate-status"}  {"migration":{"state":..., "rounds", "pages",
 *       "bytes", "dirty_pages", "bandwidth_mbps", "throttle_pct",
 *       "auto_converge", "total_ms", "downtime_ms", "error"}}
 *   {"cmd":"migrate-cancel"}  stop it; the VM runs on here
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/ctl.h"
#include "core/vmm.h"
#include "vmm/vmm_migrate.h"

/* A whole number in [lo, hi] from @key, or @def when absent. */
static int mig_ctl_uint(json_t *req, const char *key, unsigned def,
			unsigned lo, unsigned hi, unsigned *out)
{
	json_t *v = json_object_get(req, key);

	if (!v) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return -EINVAL;
	*out = (unsigned)json_integer_value(v);
	return 0;
}

static int mig_ctl_migrate(void *opaque, json_t *req, json_t *resp)
{
	struct vmm_migrate_params p;
	const char *to = json_string_value(json_object_get(req, "to"));
	char err[160];
	int ret;

	memset(&p, 0, sizeof(p));
	if (!to || strlen(to) >= sizeof(p.to))
		return ctl_error(resp,
				 "migrate needs \"to\":\"tcp:HOST:PORT\"");
	snprintf(p.to, sizeof(p.to), "%s", to);
	if (mig_ctl_uint(req, "downtime_ms", VMM_MIGRATE_DOWNTIME_MS, 1,
			 60000, &p.downtime_ms) < 0)
		return ctl_error(resp, "downtime_ms must be 1..60000");
	if (mig_ctl_uint(req, "max_s", VMM_MIGRATE_MAX_S, 1, 86400,
			 &p.max_s) < 0)
		return ctl_error(resp, "max_s must be 1..86400");
	ret = vmm_migrate_start(opaque, &p, err, sizeof(err));
	if (ret < 0)
		return ctl_error(resp, "cannot migrate: %s", err);
	json_object_set_new(resp, "migration", vmm_migrate_status(opaque));
	return 0;
}

static int mig_ctl_status(void *opaque, json_t *req, json_t *resp)
{
	json_object_set_new(resp, "migration", vmm_migrate_status(opaque));
	return 0;
}

static int mig_ctl_cancel(void *opaque, json_t *req, json_t *resp)
{
	if (vmm_migrate_cancel(opaque) < 0)
		return ctl_error(resp, "no migration is running");
	return 0;
}

int vmm_migrate_ctl_start(struct vmm *vmm)
{
	int ret;

	if (!vmm->ctl)
		return 0;
	ret = ctl_register(vmm->ctl, "migrate", mig_ctl_migrate, vmm);
	if (!ret)
		ret = ctl_register(vmm->ctl, "migrate-status", mig_ctl_status,
				   vmm);
	if (!ret)
		ret = ctl_register(vmm->ctl, "migrate-cancel", mig_ctl_cancel,
				   vmm);
	return ret;
}
