/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_TESTDEV_H
#define IOPATH_EMU_TESTDEV_H

/* The "testdev" model (registers in emu-devices/testdev_regs.h). */

#include "core/vdev.h"

extern const struct vdev_ops testdev_ops;

#endif
