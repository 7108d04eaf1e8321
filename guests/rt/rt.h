/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_RT_H
#define IOPATH_GUEST_RT_RT_H

/*
 * The runtime's entry and exit. The boot CPU initialises the runtime
 * (console, command line, TSC clock, allocator, LAPIC timer) and calls the
 * program's app_main(); its return value is the exit code. The other CPUs
 * run smp_ap_main() and take work from the boot CPU (rt/smp.h).
 */
#include <stdint.h>

#include "include/boot_info.h"

/* Exit codes shared by the programs. */
#define RT_EXIT_OK		0
#define RT_EXIT_FAIL		1	/* a test failed */
#define RT_EXIT_USAGE		2	/* bad command line or boot info */
/* 3: KERNEL_EXIT_FAULT, an unhandled CPU exception (kernel/kcpu.h) */

/* Each program defines this. */
int app_main(void);

const struct iopath_boot_info *rt_boot_info(void);
/* "iopath", "multiboot" or "unknown" */
const char *rt_loader_name(void);
/*
 * Writes code to the debug-exit port: iopath-vmm exits with code, QEMU's
 * isa-debug-exit with (code << 1) | 1. Without such a device the CPU
 * sleeps forever.
 */
void rt_exit(int code) __attribute__((noreturn));

#endif
