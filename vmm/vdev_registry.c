// SPDX-License-Identifier: MIT
/* Every device model iopath-vmm can create, by name (--device NAME,...). */
#include <stddef.h>

#include "core/vdev.h"
#include "emu-devices/debug_exit.h"
#include "emu-devices/testdev.h"
#include "emu-devices/tulip.h"
#include "emu-devices/uart16550.h"
#include "pv-rings/pv_dev.h"
#include "sriov/vf_dev.h"

const struct vdev_ops *const vdev_registry[] = {
	&uart16550_ops,
	&debug_exit_ops,
	&testdev_ops,
	&tulip_ops,
	&pvnet_ops,
	&igbvf_ops,
	NULL,
};
