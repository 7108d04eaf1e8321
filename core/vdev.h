/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_VDEV_H
#define IOPATH_CORE_VDEV_H

/*
 * The device-model interface, one for every model (after bhyve's
 * pci_devemu). A model fills a struct vdev_ops and is listed in the
 * registry (vmm/vdev_registry.c). The bus never hands it an absolute
 * address: BAR (or, for platform devices, region) index and offset only.
 *
 * PCI devices create their config space with core/pci.h in init(); the PCI
 * layer handles the standard header, BARs and MSI/MSI-X itself and calls
 * cfg_read/cfg_write only for the rest. Platform devices (UART, debug
 * exit) claim fixed port or MMIO ranges with vdev_map_pio/vdev_map_mmio and
 * are called through bar_read/bar_write with the region index.
 */

#include <stdbool.h>
#include <stdint.h>

struct vmm;
struct vdev;
struct pci_dev;
struct vdev_state_writer;
struct vdev_state_reader;
struct vdev_region;

struct vdev_ops {
	const char *name;
	/* Build the device from its option string ("mac=..,switch=.."). */
	int (*init)(struct vdev *vd, const char *opts);
	void (*fini)(struct vdev *vd);
	/* Back to power-on state (also called on a guest bus-mode reset). */
	void (*reset)(struct vdev *vd);
	/* Device-specific config space (offsets the PCI layer does not own). */
	uint32_t (*cfg_read)(struct vdev *vd, unsigned off, unsigned size);
	void (*cfg_write)(struct vdev *vd, unsigned off, unsigned size,
			  uint32_t val);
	uint64_t (*bar_read)(struct vdev *vd, unsigned bar, uint64_t off,
			     unsigned size);
	void (*bar_write)(struct vdev *vd, unsigned bar, uint64_t off,
			  unsigned size, uint64_t val);
	/* Migration: device state out and back in (optional until then). */
	int (*save)(struct vdev *vd, struct vdev_state_writer *w);
	int (*load)(struct vdev *vd, struct vdev_state_reader *r);
};

struct vdev {
	const struct vdev_ops *ops;
	struct vmm *vmm;
	char id[32];		/* instance name: "uart0", "nic0" */
	struct pci_dev *pci;	/* NULL for platform devices */
	void *priv;		/* the model's own state */
	struct vdev *next;	/* the VM's device list */
	struct vdev_region *regions;	/* platform ranges, for teardown */
};

/* The registry: every model iopath-vmm knows, NULL-terminated. */
extern const struct vdev_ops *const vdev_registry[];

/* The model called @name, or NULL. */
const struct vdev_ops *vdev_find(const char *name);
/* Every registered model, NULL-terminated (for --help). */
const struct vdev_ops *const *vdev_list(void);

/*
 * Create device @model with @opts on @vmm and call its init. Returns the
 * device or NULL with errno set (the reason is logged).
 */
struct vdev *vdev_create(struct vmm *vmm, const char *model, const char *id,
			 const char *opts);
void vdev_destroy(struct vdev *vd);

/*
 * Claim a fixed port (or MMIO) range for a platform device; accesses go to
 * ops->bar_read/bar_write with @region as the index. Returns 0 or -errno.
 */
int vdev_map_pio(struct vdev *vd, unsigned region, uint16_t base,
		 uint16_t len);
int vdev_map_mmio(struct vdev *vd, unsigned region, uint64_t base,
		  uint64_t len);

/*
 * Look up "key=value" in a comma-separated option string. Copies the value
 * into @buf; returns its length, or -ENOENT if absent, -ENAMETOOLONG if
 * it does not fit.
 */
int vdev_opt_get(const char *opts, const char *key, char *buf, unsigned len);
/*
 * A numeric option (decimal, 0x hex or 0 octal) within [@min, @max] into
 * *@out. Returns 0 (also when absent: *@out untouched) or -EINVAL.
 */
int vdev_opt_num(const char *opts, const char *key, unsigned long min,
		 unsigned long max, unsigned long *out);

#endif
