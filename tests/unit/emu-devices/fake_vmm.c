// SPDX-License-Identifier: MIT
/* Recording fakes of the VMM calls platform devices make. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/vdev.h"
#include "core/vmm.h"
#include "tests/unit/emu-devices/fake_vmm.h"

struct fake_vmm fake_vmm;

void fake_vmm_reset(void)
{
	memset(&fake_vmm, 0, sizeof(fake_vmm));
}

int vmm_irq_line(struct vmm *vmm, unsigned gsi, bool level)
{
	if (fake_vmm.irq_calls < FAKE_IRQ_LOG)
		fake_vmm.irq_log[fake_vmm.irq_calls] = level;
	fake_vmm.irq_calls++;
	fake_vmm.irq_gsi = gsi;
	fake_vmm.irq_level = level;
	return 0;
}

void vmm_request_exit(struct vmm *vmm, int code, const char *fmt, ...)
{
	va_list ap;

	fake_vmm.exit_calls++;
	fake_vmm.exit_code = code;
	va_start(ap, fmt);
	vsnprintf(fake_vmm.exit_reason, sizeof(fake_vmm.exit_reason), fmt, ap);
	va_end(ap);
}

void vmm_dirty_mark(struct vmm *vmm, uint64_t gpa, uint64_t len)
{
	fake_vmm.dirty_calls++;
	fake_vmm.dirty_gpa = gpa;
	fake_vmm.dirty_len = len;
}

int vdev_map_pio(struct vdev *vd, unsigned region, uint16_t base,
		 uint16_t len)
{
	fake_vmm.map_calls++;
	fake_vmm.map_region = region;
	fake_vmm.map_base = base;
	fake_vmm.map_len = len;
	return fake_vmm.map_ret;
}

