// SPDX-License-Identifier: MIT
/*
 * selftest: the platform under the drivers, checked from inside the guest.
 *
 * Command line:
 *   test=a,b,...   subtests to run (default: every one but pcifuzz):
 *                  timer sleep exceptions msi msix smp pcifuzz
 *   fault=pf|gp|de|ud   take that fault unarmed; the kernel prints
 *                  {"event":"fault",...} and exits 3 (for host tests)
 *
 * Records: boot, one "test" per subtest (apps/selftest.h), then
 *   {"event":"summary","app":"selftest","passed":4,"failed":0,"skipped":2}
 *   {"event":"done","app":"selftest","ok":true}
 * Exit: 0 iff no subtest failed, 1 otherwise, 2 for a bad command line.
 */
#include "apps/report.h"
#include "apps/selftest.h"
#include "rt/cmdline.h"
#include "rt/console.h"
#include "rt/rt.h"
#include "rt/string.h"

struct st_case {
	const char *name;
	enum st_outcome (*run)(void);
	bool by_default;
};

static const struct st_case st_cases[] = {
	{ "timer", st_timer, true },
	{ "sleep", st_sleep, true },
	{ "exceptions", st_exceptions, true },
	{ "msi", st_msi, true },
	{ "msix", st_msix, true },
	{ "smp", st_smp, true },
	{ "pcifuzz", st_pcifuzz, false },
};

void st_begin(struct json *j, const char *name)
{
	json_begin(j, "test");
	json_kv_str(j, "name", name);
}

enum st_outcome st_end(struct json *j, bool ok)
{
	json_kv_bool(j, "ok", ok);
	json_end(j);
	return ok ? ST_PASS : ST_FAIL;
}

enum st_outcome st_skip(const char *name, const char *reason)
{
	struct json j;

	st_begin(&j, name);
	json_kv_bool(&j, "ok", true);
	json_kv_bool(&j, "skipped", true);
	json_kv_str(&j, "reason", reason);
	json_end(&j);
	return ST_SKIP;
}

int app_main(void)
{
	const char *fault = cmdline_get("fault");
	const char *only = cmdline_get("test");
	unsigned int counts[3] = { 0, 0, 0 };
	struct json j;
	unsigned int i;

	report_boot("selftest");
	if (fault) {
		st_fault_unarmed(fault);
		con_printf("{\"event\":\"error\",\"msg\":\"unknown fault=%s\"}\n",
			   fault);
		return RT_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(st_cases) / sizeof(st_cases[0]); i++) {
		const struct st_case *c = &st_cases[i];

		if (only ? cmdline_list_has("test", c->name) : c->by_default)
			counts[c->run()]++;
	}

	json_begin(&j, "summary");
	json_kv_str(&j, "app", "selftest");
	json_kv_u64(&j, "passed", counts[ST_PASS]);
	json_kv_u64(&j, "failed", counts[ST_FAIL]);
	json_kv_u64(&j, "skipped", counts[ST_SKIP]);
	json_end(&j);
	json_begin(&j, "done");
	json_kv_str(&j, "app", "selftest");
	json_kv_bool(&j, "ok", counts[ST_FAIL] == 0);
	json_end(&j);
	return counts[ST_FAIL] ? RT_EXIT_FAIL : RT_EXIT_OK;
}
