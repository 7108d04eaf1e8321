// SPDX-License-Identifier: MIT
#include "rt/rt.h"

#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/console.h"
#include "rt/cpu.h"
#include "rt/io.h"
#include "rt/lapic.h"
#include "rt/smp.h"

static const struct iopath_boot_info *rt_bi;

void rt_main(const struct iopath_boot_info *bi, uint64_t cpu)
	__attribute__((noreturn));

const struct iopath_boot_info *rt_boot_info(void)
{
	return rt_bi;
}

const char *rt_loader_name(void)
{
	switch (rt_bi->loader) {
	case BOOT_LOADER_IOPATH:
		return "iopath";
	case BOOT_LOADER_MULTIBOOT:
		return "multiboot";
	default:
		return "unknown";
	}
}

void rt_exit(int code)
{
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	lapic_timer_stop();
	for (;;)
		cpu_sleep();
}

void rt_main(const struct iopath_boot_info *bi, uint64_t cpu)
{
	if (cpu != 0)
		smp_ap_main((unsigned int)cpu);

	con_init(bi->loader);
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION) {
		con_puts("{\"event\":\"error\",\"msg\":\"bad boot info\"}\n");
		rt_exit(RT_EXIT_USAGE);
	}
	rt_bi = bi;
	cmdline_init(bi->cmdline);
	clock_init(bi->tsc_khz);
	alloc_init(bi);
	lapic_timer_calibrate();
	rt_exit(app_main());
}
