/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_PCI_TEST_ENV_H
#define IOPATH_TESTS_PCI_TEST_ENV_H

/*
 * A VM as far as PCI sees it, for unit tests: real PIO and MMIO buses, a
 * real host bridge, the fake KVM, and a test device model that records the
 * BAR and config accesses it gets. Include after cmocka.h.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "core/iobus.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "tests/unit/core/fake_kvm.h"

struct rec_access {
	int calls;
	unsigned bar;
	uint64_t off;
	unsigned size;
	uint64_t val;
	int cfg_reads, cfg_writes;
	unsigned cfg_off, cfg_size;
	uint32_t cfg_val;
};

struct moved_note {
	int calls;
	unsigned idx;
	uint64_t old_addr, new_addr;
};

#define ENV_MAX_DEVS 4

struct pci_env {
	struct vmm vmm;
	struct vdev vd[ENV_MAX_DEVS];
	struct rec_access rec[ENV_MAX_DEVS];
	struct moved_note moved[ENV_MAX_DEVS];
};

static inline struct rec_access *env_rec(struct vdev *vd)
{
	return vd->priv;
}

static inline uint64_t rec_bar_read(struct vdev *vd, unsigned bar,
				    uint64_t off, unsigned size)
{
	struct rec_access *r = env_rec(vd);

	r->calls++;
	r->bar = bar;
	r->off = off;
	r->size = size;
	return 0x5a5a0000u | (uint32_t)off;
}

static inline void rec_bar_write(struct vdev *vd, unsigned bar,
				 uint64_t off, unsigned size, uint64_t val)
{
	struct rec_access *r = env_rec(vd);

	r->calls++;
	r->bar = bar;
	r->off = off;
	r->size = size;
	r->val = val;
}

static inline uint32_t rec_cfg_read(struct vdev *vd, unsigned off,
				    unsigned size)
{
	struct rec_access *r = env_rec(vd);

	r->cfg_reads++;
	r->cfg_off = off;
	r->cfg_size = size;
	return 0xabcd0000u | off;
}

static inline void rec_cfg_write(struct vdev *vd, unsigned off,
				 unsigned size, uint32_t val)
{
	struct rec_access *r = env_rec(vd);

	r->cfg_writes++;
	r->cfg_off = off;
	r->cfg_size = size;
	r->cfg_val = val;
}

static const struct vdev_ops rec_ops __attribute__((unused)) = {
	.name = "rec",
	.cfg_read = rec_cfg_read,
	.cfg_write = rec_cfg_write,
	.bar_read = rec_bar_read,
	.bar_write = rec_bar_write,
};

/* The moved-callback gets only the vdev: find its note by index. */
static struct pci_env *env_current;

static inline void env_bar_moved(struct vdev *vd, unsigned idx,
				 uint64_t old_addr, uint64_t new_addr)
{
	struct moved_note *m = &env_current->moved[vd - env_current->vd];

	m->calls++;
	m->idx = idx;
	m->old_addr = old_addr;
	m->new_addr = new_addr;
}

static inline int env_setup(void **state)
{
	struct pci_env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	log_set_level(LOG_LEVEL_ERR);
	fake_kvm_reset();
	snprintf(e->vmm.name, sizeof(e->vmm.name), "test");
	e->vmm.pio = iobus_create("pio");
	e->vmm.mmio = iobus_create("mmio");
	e->vmm.kvm = fake_kvm_vm();
	e->vmm.pci = pci_host_create(&e->vmm);
	if (!e->vmm.pio || !e->vmm.mmio || !e->vmm.pci)
		return -1;
	for (unsigned i = 0; i < ENV_MAX_DEVS; i++) {
		e->vd[i].ops = &rec_ops;
		e->vd[i].vmm = &e->vmm;
		e->vd[i].priv = &e->rec[i];
		snprintf(e->vd[i].id, sizeof(e->vd[i].id), "rec%u", i);
	}
	env_current = e;
	*state = e;
	return 0;
}

static inline int env_teardown(void **state)
{
	struct pci_env *e = *state;

	pci_host_destroy(e->vmm.pci);
	iobus_destroy(e->vmm.pio);
	iobus_destroy(e->vmm.mmio);
	free(e);
	env_current = NULL;
	return 0;
}

/* A function for test device @i, with on-bar-moved notes. */
static inline struct pci_dev *env_dev(struct pci_env *e, unsigned i)
{
	struct pci_dev *pd = pci_dev_create(e->vmm.pci, &e->vd[i], -1);

	if (pd) {
		pci_dev_set_ids(pd, 0x6970, 0x1000 + (uint16_t)i, 0xff0000, 1);
		pci_dev_on_bar_moved(pd, env_bar_moved);
	}
	return pd;
}

/* Port and MMIO accesses as a vCPU makes them. */
static inline uint32_t env_in(struct pci_env *e, uint16_t port, unsigned size)
{
	uint32_t v = 0;

	iobus_access(e->vmm.pio, port, &v, size, false);
	return v;
}

static inline void env_out(struct pci_env *e, uint16_t port, unsigned size,
			   uint32_t v)
{
	iobus_access(e->vmm.pio, port, &v, size, true);
}

static inline uint64_t env_mmio_read(struct pci_env *e, uint64_t addr,
				     unsigned size, int *ret)
{
	uint64_t v = 0;
	int r = iobus_access(e->vmm.mmio, addr, &v, size, false);

	if (ret)
		*ret = r;
	return v;
}

static inline int env_mmio_write(struct pci_env *e, uint64_t addr,
				 unsigned size, uint64_t v)
{
	return iobus_access(e->vmm.mmio, addr, &v, size, true);
}

/* Config mechanism #1. */
static inline uint32_t env_cfg_addr(unsigned slot, unsigned reg)
{
	return 0x80000000u | slot << 11 | (reg & 0xfc);
}

static inline uint32_t env_cfg_read(struct pci_env *e, unsigned slot,
				    unsigned reg, unsigned size)
{
	env_out(e, 0xcf8, 4, env_cfg_addr(slot, reg));
	return env_in(e, (uint16_t)(0xcfc + (reg & 3)), size);
}

static inline void env_cfg_write(struct pci_env *e, unsigned slot,
				 unsigned reg, unsigned size, uint32_t v)
{
	env_out(e, 0xcf8, 4, env_cfg_addr(slot, reg));
	env_out(e, (uint16_t)(0xcfc + (reg & 3)), size, v);
}

#endif
