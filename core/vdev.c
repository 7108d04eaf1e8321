// SPDX-License-Identifier: MIT
/* Device instances: creation from the registry, platform port ranges. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "vdev"
#include "base/log.h"
#include "core/iobus.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vmm.h"

/* A platform range: the bus calls back with (device, region index). */
struct vdev_region {
	struct vdev *vd;
	unsigned index;
	bool pio;
	uint64_t base;
	struct vdev_region *next;
};

const struct vdev_ops *vdev_find(const char *name)
{
	unsigned i;

	for (i = 0; vdev_registry[i]; i++)
		if (!strcmp(vdev_registry[i]->name, name))
			return vdev_registry[i];
	return NULL;
}

const struct vdev_ops *const *vdev_list(void)
{
	return vdev_registry;
}

struct vdev *vdev_create(struct vmm *vmm, const char *model, const char *id,
			 const char *opts)
{
	const struct vdev_ops *ops = vdev_find(model);
	struct vdev *vd;
	int ret;

	if (!ops) {
		log_err("no device model called '%s'", model);
		errno = ENOENT;
		return NULL;
	}
	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return NULL;
	vd->ops = ops;
	vd->vmm = vmm;
	snprintf(vd->id, sizeof(vd->id), "%s", id);
	ret = ops->init(vd, opts ? opts : "");
	if (ret < 0) {
		log_err("device %s (%s): %s", id, model, strerror(-ret));
		vdev_destroy(vd);
		errno = -ret;
		return NULL;
	}
	vd->next = vmm->devices;
	vmm->devices = vd;
	return vd;
}

void vdev_destroy(struct vdev *vd)
{
	struct vdev_region *r, *next;

	if (!vd)
		return;
	for (r = vd->regions; r; r = next) {
		next = r->next;
		iobus_unregister(r->pio ? vd->vmm->pio : vd->vmm->mmio, r->base);
		free(r);
	}
	vd->regions = NULL;
	if (vd->ops->fini && vd->priv)
		vd->ops->fini(vd);
	if (vd->pci)
		pci_dev_destroy(vd->pci);
	free(vd);
}

static void vdev_region_access(void *opaque, uint64_t off, void *data,
			       unsigned size, bool is_write)
{
	struct vdev_region *r = opaque;
	const struct vdev_ops *ops = r->vd->ops;
	uint64_t val = 0;

	if (is_write) {
		memcpy(&val, data, size);
		if (ops->bar_write)
			ops->bar_write(r->vd, r->index, off, size, val);
	} else {
		val = ops->bar_read ? ops->bar_read(r->vd, r->index, off, size)
				    : ~0ull;
		memcpy(data, &val, size);
	}
}

static int vdev_map(struct vdev *vd, unsigned region, uint64_t base,
		    uint64_t len, bool pio)
{
	struct vdev_region *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	*r = (struct vdev_region){ vd, region, pio, base, vd->regions };
	ret = iobus_register(pio ? vd->vmm->pio : vd->vmm->mmio, base, len,
			     vdev_region_access, r);
	if (ret < 0) {
		log_err("%s: cannot claim %s %#lx+%#lx: %s", vd->id,
			pio ? "ports" : "MMIO", base, len, strerror(-ret));
		free(r);
		return ret;
	}
	vd->regions = r;
	return 0;
}

int vdev_map_pio(struct vdev *vd, unsigned region, uint16_t base,
		 uint16_t len)
{
	return vdev_map(vd, region, base, len, true);
}

int vdev_map_mmio(struct vdev *vd, unsigned region, uint64_t base,
		  uint64_t len)
{
	return vdev_map(vd, region, base, len, false);
}
