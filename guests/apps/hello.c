// SPDX-License-Identifier: MIT
/*
 * hello: what the guest sees. One boot record, one record per PCI
 * function on bus 0, a done record; exit 0.
 *
 * {"event":"boot","app":"hello","loader":"multiboot","cpu":0,"apic_id":0,
 *  "ncpus":1,"tsc_khz":2445000,"lapic_khz":1000000,"free_start":"0x...",
 *  "mem":[{"base":"0x0","size":"0x9fc00"},...],"cmdline":"app=hello"}
 * {"event":"pci","bdf":"00:03.0","vendor":"0x8086","device":"0x100e",
 *  "class":"0x020000","irq_pin":1,"msi":false,"msix":false,
 *  "bars":[{"bar":0,"type":"mem32","addr":"0xfeb80000","size":"0x20000"}]}
 * {"event":"done","app":"hello","ok":true,"pci_functions":6}
 *
 * With wait_ms=N it then sleeps N ms (halted, woken by the LAPIC timer)
 * before exiting: a VM that stays up for control-socket tests and demos.
 */
#include "apps/report.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/irq.h"
#include "rt/json.h"
#include "rt/pci.h"
#include "rt/rt.h"

int app_main(void)
{
	static struct pci_dev devs[PCI_MAX_DEVS];
	struct json j;
	uint64_t wait_ms;
	int n, i;

	report_boot("hello");
	n = pci_scan(devs, PCI_MAX_DEVS);
	for (i = 0; i < n; i++)
		report_pci(&devs[i]);

	json_begin(&j, "done");
	json_kv_str(&j, "app", "hello");
	json_kv_bool(&j, "ok", true);
	json_kv_u64(&j, "pci_functions", (uint64_t)n);
	json_end(&j);

	wait_ms = cmdline_get_u64("wait_ms", 0);
	if (wait_ms) {
		uint64_t deadline = clock_tsc() + clock_ns_to_tsc(wait_ms *
								   1000000);

		while (clock_tsc() < deadline)
			irq_wait_until(deadline);
	}
	return RT_EXIT_OK;
}
