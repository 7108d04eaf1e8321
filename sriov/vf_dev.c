// SPDX-License-Identifier: MIT
/*
 * igbvf: the PCI function of an SR-IOV VF in the VMM (vf_dev.h). The NIC
 * itself (queues, DMA, mailbox, interrupts, embedded switch) is modelled
 * in iopath-switch; this is the part a hypervisor's PCI passthrough would
 * be: config space, the BAR mappings, and the interrupt and doorbell
 * plumbing, all set up once so that the data path never comes here.
 *
 * What costs an exit, and what does not:
 *
 *  - BAR0 0x2000-0x3FFF (ring bases, lengths, heads, tails, IGBVF_POLL)
 *    is guest memory: a KVM slot over the shared memfd, moved with the
 *    BAR. No exit. Should KVM refuse the slot those pages trap instead,
 *    and are served here from the same memory: slower, still correct.
 *  - EICS <- 0 is the doorbell (sriov/README.md, "Waking an idle VF"):
 *    a KVM ioeventfd on that one value, an in-kernel exit and an eventfd
 *    signal, no exit to userspace. A doorbell that does reach us (the
 *    ioeventfd missing) goes to the model as the register write it is.
 *  - EIMS <- 1 << n, the driver re-enabling one vector when it goes to
 *    sleep, is an ioeventfd per vector too once the switch has taken
 *    them (VF_UNMASK): the receiver's per-wake-up exit is gone. Writes
 *    that disable vectors or reset the VF then wait for the switch, so
 *    such an unmask cannot overtake them (wire/PROTOCOL.md, 11.5).
 *  - Every other access to BAR0 below 0x2000 is a userspace exit and a
 *    request to the switch, answered by the model. Counted per kind, so
 *    the exits per packet can be worked out: at load they are none.
 *
 * Migration (the standby design, sriov/README.md): a VF's state is the
 * NIC's and does not move. Before pre-copy the port is unplugged (its
 * switch unbinds the VF, STATUS.LU reads 0) and the mailbox vector fires;
 * the guest's next STATUS read is its acknowledgement (vf_dev_unplug_wait)
 * that it has seen the VF go and moved to its standby pv NIC. What moves
 * is the PCI function (vdev_state_save's, generic), the MAC and the
 * shared pages, so the destination's switch binds a fresh VF to them as
 * after a switch restart: the PF's control message and the mailbox
 * interrupt reach the guest's driver, which resets the VF and the team
 * moves back to it.
 *
 * Threads: BAR accesses come from vCPU threads, BAR moves from a vCPU's
 * config write, the link and the unplug from the event loop, the wait for
 * the guest's acknowledgement from the migration thread. One mutex covers
 * the state; wire calls are made with it held (bounded by the wire).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LOG_SUBSYS "igbvf"
#include "base/clock.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "core/nic_mac.h"
#include "core/pci.h"
#include "core/pci_window.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "cpu/kvm.h"
#include "sriov/igbvf_regs.h"
#include "sriov/vf_irq.h"
#include "sriov/vf_dev.h"
#include "wire/attach_proto.h"

#define VF_BAR_REGS		0
#define VF_BAR_MSIX		3
#define VF_BAR_MSIX_SIZE	0x4000
#define VF_MSIX_PBA_OFF		0x2000
#define VF_REVISION		0x01
#define VF_STATE_VERSION	1

_Static_assert(ATTACH_VF_TRAP_SIZE == IGBVF_SHARED_OFF &&
	       ATTACH_VF_SHARED_SIZE == IGBVF_SHARED_SIZE,
	       "BAR0's trapped and shared pages");

/* KVM ioeventfds on BAR0: the doorbell, then EIMS <- 1 << n per vector. */
#define VF_BELLS	(1 + IGBVF_MSIX_VECTORS)

struct vf_bell {
	int fd;
	uint32_t off, match;	/* BAR0 offset, the value written */
	bool want;		/* should be registered when BAR0 decodes */
	uint64_t at;		/* registered at this GPA, 0: not */
};

struct vf_counters {
	uint64_t reg_reads, reg_writes;	/* trapped: userspace exits */
	uint64_t doorbell_exits;	/* EICS <- 0 KVM did not catch */
	uint64_t shared_exits;		/* shared pages, window not mapped */
	uint64_t wire_errors;		/* the switch did not answer */
	uint64_t flrs;
	uint64_t unplugs;		/* for a migration */
	uint64_t unplug_acks;		/* the guest read STATUS after one */
};

struct vf_dev {
	pthread_mutex_t lock;
	uint8_t mac[6];
	struct vf_dev_attach at;

	int shared_fd;
	struct igbvf_shared *sh;	/* the memfd, mapped here too */
	struct pci_window *win;
	struct vf_bell bells[VF_BELLS];
	uint64_t bar0;			/* decoded at, 0: not */

	struct vf_wire wire;
	bool has_wire;
	bool link;

	/* Unplugged for a migration (vf_dev_unplug_notify) until replugged;
	 * the guest's first STATUS read since (acked, ack_cond), when. */
	bool unplugged, acked;
	uint64_t unplug_ns, ack_ns;
	pthread_cond_t ack_cond;	/* CLOCK_MONOTONIC */

	struct vf_counters c;
};

static struct vf_dev *vf_of(struct vdev *vd)
{
	return vd->priv;
}

/* ---- the ioeventfds and the window follow BAR0 ---- */

/* Each bell registered where BAR0 is, if wanted; else not. */
static void vf_bells_sync(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);

	for (unsigned i = 0; i < VF_BELLS; i++) {
		struct vf_bell *b = &v->bells[i];
		uint64_t match = b->match, want;
		int ret;

		want = b->want && v->bar0 ? v->bar0 + b->off : 0;
		if (want == b->at)
			continue;
		if (b->at)
			kvm_ioeventfd(vd->vmm->kvm, b->fd, b->at, 4, false,
				      &match, false);
		b->at = 0;
		if (!want)
			continue;
		ret = kvm_ioeventfd(vd->vmm->kvm, b->fd, want, 4, false,
				    &match, true);
		/* Without it the write still works, through an exit. */
		if (ret < 0)
			log_warn("%s: ioeventfd at BAR0 %#x: %s", vd->id,
				 b->off, strerror(-ret));
		else
			b->at = want;
	}
}

static void vf_bar_moved(struct vdev *vd, unsigned idx, uint64_t old_addr,
			 uint64_t new_addr)
{
	struct vf_dev *v = vf_of(vd);

	(void)old_addr;
	if (idx != VF_BAR_REGS)
		return;
	pthread_mutex_lock(&v->lock);
	v->bar0 = new_addr;
	vf_bells_sync(vd);
	pci_window_follow(v->win, new_addr);
	pthread_mutex_unlock(&v->lock);
}

/* ---- trapped accesses ---- */

/*
 * What a trapped read gives without a switch (none given, or gone): a
 * VF with no link and an empty mailbox, as a VF whose PF is down reads.
 */
static uint32_t vf_reg_offline(uint32_t off)
{
	(void)off;
	return 0;
}

static uint32_t vf_reg_read(struct vdev *vd, uint32_t off, unsigned size)
{
	struct vf_dev *v = vf_of(vd);
	uint32_t val = 0;
	int ret;

	v->c.reg_reads++;
	/* The guest looked at the link after the unplug: it knows. */
	if (off == IGBVF_STATUS && v->unplugged && !v->acked) {
		v->acked = true;
		v->ack_ns = clock_mono_ns();
		v->c.unplug_acks++;
		pthread_cond_broadcast(&v->ack_cond);
	}
	ret = v->has_wire ? v->wire.reg(v->wire.opaque, off, size, false,
					&val)
			  : -ENOTCONN;
	if (ret == 0)
		return val;
	if (ret != -ENOTCONN)
		v->c.wire_errors++;
	return vf_reg_offline(off);
}

static void vf_reg_write(struct vdev *vd, uint32_t off, unsigned size,
			 uint32_t val)
{
	struct vf_dev *v = vf_of(vd);
	int ret;

	if (off == IGBVF_EICS && size == 4 && val == 0)
		v->c.doorbell_exits++;
	else
		v->c.reg_writes++;
	ret = v->has_wire ? v->wire.reg(v->wire.opaque, off, size, true,
					&val)
			  : -ENOTCONN;
	if (ret < 0 && ret != -ENOTCONN)
		v->c.wire_errors++;
}

/* The shared pages, trapped because the window is not mapped. */
static uint64_t vf_shared_access(struct vf_dev *v, uint64_t off,
				 unsigned size, bool write, uint64_t val)
{
	uint8_t *p = (uint8_t *)v->sh + (off - IGBVF_SHARED_OFF);

	v->c.shared_exits++;
	if (size != 4 || (off & 3))
		return write ? 0 : UINT64_MAX;
	if (write) {
		__atomic_store_n((uint32_t *)p, (uint32_t)val,
				 __ATOMIC_SEQ_CST);
		return 0;
	}
	return __atomic_load_n((uint32_t *)p, __ATOMIC_SEQ_CST);
}

static uint64_t vf_bar_read(struct vdev *vd, unsigned bar, uint64_t off,
			    unsigned size)
{
	struct vf_dev *v = vf_of(vd);
	uint64_t val;

	if (bar != VF_BAR_REGS || off >= IGBVF_BAR0_SIZE)
		return UINT64_MAX;
	pthread_mutex_lock(&v->lock);
	if (off >= IGBVF_SHARED_OFF)
		val = vf_shared_access(v, off, size, false, 0);
	else if (size == 8 && !(off & 7))
		val = vf_reg_read(vd, (uint32_t)off, 4) |
		      (uint64_t)vf_reg_read(vd, (uint32_t)off + 4, 4) << 32;
	else
		val = vf_reg_read(vd, (uint32_t)off, size);
	pthread_mutex_unlock(&v->lock);
	return val;
}

static void vf_bar_write(struct vdev *vd, unsigned bar, uint64_t off,
			 unsigned size, uint64_t val)
{
	struct vf_dev *v = vf_of(vd);

	if (bar != VF_BAR_REGS || off >= IGBVF_BAR0_SIZE)
		return;
	pthread_mutex_lock(&v->lock);
	if (off >= IGBVF_SHARED_OFF) {
		vf_shared_access(v, off, size, true, val);
	} else if (size == 8 && !(off & 7)) {
		/* low dword first, as two 32-bit writes would */
		vf_reg_write(vd, (uint32_t)off, 4, (uint32_t)val);
		vf_reg_write(vd, (uint32_t)off + 4, 4, (uint32_t)(val >> 32));
	} else {
		vf_reg_write(vd, (uint32_t)off, size, (uint32_t)val);
	}
	pthread_mutex_unlock(&v->lock);
}

/* ---- life cycle ---- */

/* The shared pages: a sealed memfd, mapped here and in the switch. */
static int vf_shared_create(struct vf_dev *v)
{
	void *p;

	v->shared_fd = memfd_create("iopath-vf-regs",
				    MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (v->shared_fd < 0)
		return -errno;
	if (ftruncate(v->shared_fd, IGBVF_SHARED_SIZE) < 0 ||
	    fcntl(v->shared_fd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -errno;
	p = mmap(NULL, IGBVF_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 v->shared_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	v->sh = p;
	return 0;
}

static int vf_pci_setup(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);
	struct pci_dev *pd = pci_dev_create(vd->vmm->pci, vd, -1);
	int ret;

	if (!pd)
		return -errno;
	vd->pci = pd;
	pci_dev_set_ids(pd, IGBVF_VENDOR_ID, IGBVF_DEVICE_ID, 0x020000,
			VF_REVISION);
	pci_dev_set_subsys(pd, IGBVF_VENDOR_ID, IGBVF_DEVICE_ID);
	ret = pci_bar_add(pd, VF_BAR_REGS, PCI_BAR_MEM64, IGBVF_BAR0_SIZE);
	if (!ret)
		ret = pci_bar_add(pd, VF_BAR_MSIX, PCI_BAR_MEM64,
				  VF_BAR_MSIX_SIZE);
	if (!ret)
		ret = pci_msix_add(pd, IGBVF_MSIX_VECTORS, VF_BAR_MSIX, 0,
				   VF_BAR_MSIX, VF_MSIX_PBA_OFF);
	if (ret)
		return ret;
	v->win = pci_window_create(pd, VF_BAR_REGS, IGBVF_SHARED_OFF,
				   IGBVF_SHARED_SIZE, v->sh);
	if (!v->win)
		return -errno;
	pci_dev_on_bar_moved(pd, vf_bar_moved);
	v->bar0 = pci_bar_addr(pd, VF_BAR_REGS);
	vf_bells_sync(vd);
	return 0;
}

/* sriov=NAME, vf=N, mac=, vlan=: the administrator's, for the attach. */
static int vf_opts(struct vdev *vd, const char *opts)
{
	struct vf_dev *v = vf_of(vd);
	unsigned long n = ATTACH_VF_ANY, vlan = 0;
	char buf[64];

	if (nic_mac_opt(vd, opts, 0x76 /* "v" */, v->mac) < 0)
		return -EINVAL;
	v->at.mac_given = vdev_opt_get(opts, "mac", buf, sizeof(buf)) >= 0;
	if (vdev_opt_get(opts, "sriov", v->at.sriov,
			 sizeof(v->at.sriov)) == -ENAMETOOLONG) {
		log_err("%s: sriov= names a NIC of at most %zu characters",
			vd->id, sizeof(v->at.sriov) - 1);
		return -EINVAL;
	}
	if (vdev_opt_num(opts, "vf", 0, ATTACH_VF_MAX - 1, &n) < 0) {
		log_err("%s: vf must be 0..%d", vd->id, ATTACH_VF_MAX - 1);
		return -EINVAL;
	}
	if (vdev_opt_num(opts, "vlan", 1, 4094, &vlan) < 0) {
		log_err("%s: vlan must be 1..4094", vd->id);
		return -EINVAL;
	}
	v->at.vf = (uint16_t)n;
	v->at.vlan = (uint16_t)vlan;
	v->at.vlan_given = vlan != 0;
	return 0;
}

static void vf_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

static int vf_init(struct vdev *vd, const char *opts)
{
	struct vf_dev *v = calloc(1, sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	vd->priv = v;
	pthread_mutex_init(&v->lock, NULL);
	vf_cond_init(&v->ack_cond);
	v->shared_fd = -1;
	for (unsigned i = 0; i < VF_BELLS; i++)
		v->bells[i].fd = -1;
	ret = vf_opts(vd, opts);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < VF_BELLS; i++) {
		struct vf_bell *b = &v->bells[i];

		b->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (b->fd < 0)
			return -errno;
		/* The doorbell always; the unmasks once the switch has them. */
		b->off = i ? IGBVF_EIMS : IGBVF_EICS;
		b->match = i ? 1u << (i - 1) : 0;
		b->want = i == 0;
	}
	ret = vf_shared_create(v);
	if (ret == 0)
		ret = vf_pci_setup(vd);
	if (ret < 0) {
		log_err("%s: set-up: %s", vd->id, strerror(-ret));
		return ret;
	}
	log_info("%s: SR-IOV VF at slot %u, BAR0 %#llx (queue pages %s, "
		 "doorbell %s)", vd->id, pci_dev_slot(vd->pci),
		 (unsigned long long)v->bar0,
		 pci_window_gpa(v->win) ? "mapped" : "trapped",
		 v->bells[0].at ? "ioeventfd" : "trapped");
	return 0;
}

static void vf_fini(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);

	if (!v)
		return;
	for (unsigned i = 0; i < VF_BELLS; i++)
		v->bells[i].want = false;
	vf_bells_sync(vd);
	pci_window_destroy(v->win);
	if (v->has_wire)
		v->wire.close(v->wire.opaque);
	if (v->sh)
		munmap(v->sh, IGBVF_SHARED_SIZE);
	if (v->shared_fd >= 0)
		close(v->shared_fd);
	for (unsigned i = 0; i < VF_BELLS; i++)
		if (v->bells[i].fd >= 0)
			close(v->bells[i].fd);
	pthread_cond_destroy(&v->ack_cond);
	pthread_mutex_destroy(&v->lock);
	free(v);
	vd->priv = NULL;
}

/* The VM's reset: a function level reset of the VF. */
static void vf_reset(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);

	pthread_mutex_lock(&v->lock);
	v->c.flrs++;
	if (v->has_wire)
		v->wire.flr(v->wire.opaque);
	pthread_mutex_unlock(&v->lock);
}

/* ---- migration ---- */

/*
 * The VF's own state is the NIC's and does not move (the standby design):
 * the source unplugged the VF before pre-copy, so its switch wrote no
 * guest RAM during the rounds and needs no dirty log. What goes: the MAC
 * (the destination must be built with the same administrator's mac=),
 * that it was unplugged, and the shared pages as the guest and the model
 * left them: ring registers, IGBVF_POLL's count, and the model's copy of
 * the VF's interrupt routing (IGBVF_IRQ_KEEP), which the destination's
 * model takes over when it binds the VF, so its PF control message
 * reaches the guest's driver as its mailbox interrupt. The PCI function
 * (BARs, MSI-X) is vdev_state_save's.
 */
static int vf_save(struct vdev *vd, struct vdev_state_writer *w)
{
	struct vf_dev *v = vf_of(vd);

	pthread_mutex_lock(&v->lock);
	vdev_state_put_u32(w, "version", VF_STATE_VERSION);
	vdev_state_put(w, "mac", v->mac, 6);
	vdev_state_put_bool(w, "mac_given", v->at.mac_given);
	vdev_state_put_bool(w, "unplugged", v->unplugged);
	vdev_state_put(w, "shared", v->sh, IGBVF_SHARED_SIZE);
	pthread_mutex_unlock(&v->lock);
	return w->err;
}

static int vf_load(struct vdev *vd, struct vdev_state_reader *r)
{
	struct vf_dev *v = vf_of(vd);
	uint32_t version = 0;
	bool mac_given = false, unplugged = false;
	uint8_t mac[6];
	void *sh = malloc(IGBVF_SHARED_SIZE);

	if (!sh)
		return -ENOMEM;
	vdev_state_get_u32(r, "version", &version);
	if (!r->err && version != VF_STATE_VERSION) {
		free(sh);
		return vdev_state_fail(r, "vf state version %u", version);
	}
	vdev_state_get(r, "mac", mac, 6);
	vdev_state_get_bool(r, "mac_given", &mac_given);
	vdev_state_get_bool(r, "unplugged", &unplugged);
	vdev_state_get(r, "shared", sh, IGBVF_SHARED_SIZE);
	if (!r->err && (memcmp(mac, v->mac, 6) ||
			mac_given != v->at.mac_given))
		vdev_state_fail(r, "VF built differently (mac= differs)");
	/* Bound, its DMA could have run while RAM was copied, unlogged. */
	if (!r->err && !unplugged)
		vdev_state_fail(r, "the VF was not unplugged on the source");
	if (r->err) {
		free(sh);
		return r->err;
	}
	/* Plain memory to the guest and the model, which check what they
	 * read there (the guest could have written anything). */
	pthread_mutex_lock(&v->lock);
	memcpy(v->sh, sh, IGBVF_SHARED_SIZE);
	/* Until its port attaches at resume (vf_dev_replugged). */
	v->unplugged = true;
	v->acked = true;
	pthread_mutex_unlock(&v->lock);
	free(sh);
	return 0;
}

const struct vdev_ops igbvf_ops = {
	.name = "igbvf",
	.init = vf_init,
	.fini = vf_fini,
	.reset = vf_reset,
	.bar_read = vf_bar_read,
	.bar_write = vf_bar_write,
	.save = vf_save,
	.load = vf_load,
};

/* ---- unplug and replug (vf_port.c, the migration) ---- */

/* The vector the guest routed the mailbox to (IVAR_MISC), else igbvf's. */
static unsigned vf_mbx_vector(const struct vf_dev *v)
{
	const struct igbvf_irq_keep *k = &v->sh->irq_keep;
	int vec;

	if (__atomic_load_n(&k->magic, __ATOMIC_ACQUIRE) !=
	    IGBVF_IRQ_KEEP_MAGIC)
		return IGBVF_MSIX_VECTORS - 1;
	vec = vf_irq_ivar_vector(__atomic_load_n(&k->ivar_misc,
						 __ATOMIC_RELAXED));
	return vec < 0 ? IGBVF_MSIX_VECTORS - 1 : (unsigned)vec;
}

void vf_dev_unplug_notify(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);
	unsigned vec;
	int ret;

	pthread_mutex_lock(&v->lock);
	v->unplugged = true;
	v->acked = false;
	v->unplug_ns = clock_mono_ns();
	v->c.unplugs++;
	vec = vf_mbx_vector(v);
	pthread_mutex_unlock(&v->lock);
	/*
	 * What a PF's control message on link loss does: the mailbox
	 * interrupt, so the driver's watchdog runs now, not at its next
	 * period. Raised at the MSI-X level (pending while masked there):
	 * no model is left to hold the cause for the VF's own EIMS.
	 */
	ret = pci_irq_raise(vd->pci, vec);
	if (ret < 0)
		log_info("%s: mailbox vector %u not raised (%s): the guest "
			 "learns at its next watchdog", vd->id, vec,
			 strerror(-ret));
}

int vf_dev_unplug_wait(struct vdev *vd, unsigned timeout_ms,
		       uint64_t *waited_us)
{
	struct vf_dev *v = vf_of(vd);
	struct timespec ts;
	uint64_t end_ns;
	int ret = 0;

	pthread_mutex_lock(&v->lock);
	end_ns = v->unplug_ns + (uint64_t)timeout_ms * 1000000ull;
	ts.tv_sec = (time_t)(end_ns / 1000000000ull);
	ts.tv_nsec = (long)(end_ns % 1000000000ull);
	while (v->unplugged && !v->acked && ret == 0)
		ret = pthread_cond_timedwait(&v->ack_cond, &v->lock, &ts);
	if (v->acked) {
		*waited_us = (v->ack_ns - v->unplug_ns) / 1000;
		ret = 0;
	} else {
		*waited_us = (clock_mono_ns() - v->unplug_ns) / 1000;
		ret = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&v->lock);
	return ret;
}

void vf_dev_replugged(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);
	unsigned vec;

	pthread_mutex_lock(&v->lock);
	v->unplugged = false;
	pthread_cond_broadcast(&v->ack_cond);
	vec = vf_mbx_vector(v);
	pthread_mutex_unlock(&v->lock);
	/*
	 * The new model's PF message and interrupt came while it bound the
	 * VF, during the attach: a guest quick to its watchdog then read
	 * this device's "no switch" registers (the port had no socket yet)
	 * and, asleep, would hear nothing more. Once more, now that the
	 * registers answer. A guest that already reset finds its mailbox
	 * empty: two reads.
	 */
	(void)pci_irq_raise(vd->pci, vec);
}

/* ---- for the port (vf_port.c) ---- */

void vf_dev_set_wire(struct vdev *vd, const struct vf_wire *w)
{
	struct vf_dev *v = vf_of(vd);

	pthread_mutex_lock(&v->lock);
	v->wire = *w;
	v->has_wire = true;
	pthread_mutex_unlock(&v->lock);
}

void vf_dev_get_attach(struct vdev *vd, struct vf_dev_attach *a)
{
	*a = vf_of(vd)->at;
}

int vf_dev_attach_fds(struct vdev *vd, int *fds, unsigned *nfds,
		      unsigned max)
{
	struct vf_dev *v = vf_of(vd);

	if (*nfds + ATTACH_VF_FDS > max)
		return -E2BIG;
	fds[(*nfds)++] = v->shared_fd;
	fds[(*nfds)++] = v->bells[0].fd;
	for (unsigned i = 0; i < IGBVF_MSIX_VECTORS; i++) {
		int fd = pci_msix_eventfd(vd->pci, i);

		if (fd < 0)
			return fd;
		fds[(*nfds)++] = fd;
	}
	return 0;
}

void vf_dev_unmask_fds(struct vdev *vd, int fds[IGBVF_MSIX_VECTORS])
{
	struct vf_dev *v = vf_of(vd);

	for (unsigned i = 0; i < IGBVF_MSIX_VECTORS; i++)
		fds[i] = v->bells[1 + i].fd;
}

void vf_dev_unmask_enable(struct vdev *vd, bool on)
{
	struct vf_dev *v = vf_of(vd);

	pthread_mutex_lock(&v->lock);
	for (unsigned i = 1; i < VF_BELLS; i++)
		v->bells[i].want = on;
	vf_bells_sync(vd);
	pthread_mutex_unlock(&v->lock);
}

void vf_dev_set_link(struct vdev *vd, bool up)
{
	struct vf_dev *v = vf_of(vd);

	pthread_mutex_lock(&v->lock);
	v->link = up;
	pthread_mutex_unlock(&v->lock);
}

void vf_dev_get_mac(struct vdev *vd, uint8_t mac[6])
{
	memcpy(mac, vf_of(vd)->mac, 6);
}

bool vf_dev_mac_given(struct vdev *vd)
{
	/* Set at init, never changed: no lock. */
	return vf_of(vd)->at.mac_given;
}

json_t *vf_dev_stats(struct vdev *vd)
{
	struct vf_dev *v = vf_of(vd);
	json_t *o = json_object();
	struct vf_counters c;
	uint64_t win;
	bool link, bell, unmask, unplugged;

	pthread_mutex_lock(&v->lock);
	c = v->c;
	link = v->link;
	unplugged = v->unplugged;
	bell = v->bells[0].at;
	unmask = v->bells[1].at;
	win = pci_window_gpa(v->win);
	pthread_mutex_unlock(&v->lock);
	json_object_set_new(o, "id", json_string(vd->id));
	json_object_set_new(o, "model", json_string("igbvf"));
	json_object_set_new(o, "path", json_string("vf"));
	json_object_set_new(o, "link", json_boolean(link));
	json_object_set_new(o, "unplugged", json_boolean(unplugged));
	json_object_set_new(o, "queue_pages", json_string(win ? "mapped"
							      : "trapped"));
	json_object_set_new(o, "doorbell", json_string(bell ? "ioeventfd"
							    : "trapped"));
	json_object_set_new(o, "unmask", json_string(unmask ? "ioeventfd"
							    : "trapped"));
	JSON_COUNTER(o, c, reg_reads);
	JSON_COUNTER(o, c, reg_writes);
	JSON_COUNTER(o, c, doorbell_exits);
	JSON_COUNTER(o, c, shared_exits);
	/* Every userspace exit this device caused. */
	json_counter_set(o, "setup_exits", c.reg_reads + c.reg_writes +
			 c.doorbell_exits + c.shared_exits);
	JSON_COUNTER(o, c, wire_errors);
	JSON_COUNTER(o, c, flrs);
	JSON_COUNTER(o, c, unplugs);
	JSON_COUNTER(o, c, unplug_acks);
	return o;
}
