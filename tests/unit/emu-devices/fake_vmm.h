/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TEST_FAKE_VMM_H
#define IOPATH_TEST_FAKE_VMM_H

/*
 * Fakes for what platform devices call in the VMM (vmm_irq_line,
 * vmm_request_exit, vdev_map_pio, vmm_dirty_mark), recording each call so a
 * test can check it. Not thread-safe: tests call devices from one thread.
 */

#include <stdbool.h>
#include <stdint.h>

#define FAKE_IRQ_LOG	64

struct fake_vmm {
	/* vmm_irq_line */
	unsigned irq_calls;
	unsigned irq_gsi;
	bool irq_level;
	bool irq_log[FAKE_IRQ_LOG];	/* levels in call order */
	/* vmm_request_exit */
	unsigned exit_calls;
	int exit_code;
	char exit_reason[128];
	/* vdev_map_pio */
	unsigned map_calls;
	unsigned map_region;
	uint16_t map_base, map_len;
	int map_ret;			/* what the next map returns */
	/* vmm_dirty_mark: the last range a device wrote */
	unsigned dirty_calls;
	uint64_t dirty_gpa, dirty_len;
};

extern struct fake_vmm fake_vmm;

/* Forget every recorded call. */
void fake_vmm_reset(void);

#endif
