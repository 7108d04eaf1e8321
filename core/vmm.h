/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_VMM_H
#define IOPATH_CORE_VMM_H

/*
 * One virtual machine as the VMM process sees it: KVM, RAM, the two buses,
 * the PCI host bridge, devices and the event loop. Devices reach the rest
 * of the VM only through this.
 */

#include <stdatomic.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/guest_mem.h"

struct kvm_vm;
struct kvm_vcpu;
struct iobus;
struct pci_host;
struct evloop;
struct vdev;
struct kvm_stats;
struct ctl;
struct dirty_log;

#define VMM_MAX_VCPUS 8

/* Exit status when the guest crashed (triple fault, KVM internal error). */
#define VMM_EXIT_GUEST_CRASH 113

struct vmm_config {
	const char *name;
	const char *image;
	uint64_t mem_bytes;
	unsigned ncpus;
	const char *cmdline;
	const char *kvm_dev;	/* "/dev/kvm" */
	bool no_huge;
	/* --vcpu-pin: vCPU i on host CPU vcpu_pin[i % nvcpu_pin]; none if 0 */
	int vcpu_pin[VMM_MAX_VCPUS];
	unsigned nvcpu_pin;
};

struct vmm {
	char name[32];
	struct kvm_vm *kvm;
	struct guest_mem mem;
	struct iobus *pio;
	struct iobus *mmio;
	struct pci_host *pci;
	struct evloop *loop;
	struct vdev *devices;
	unsigned ncpus;
	int vcpu_cpu[VMM_MAX_VCPUS];	/* host CPU to keep it on, or -1 */
	struct kvm_vcpu *vcpus[VMM_MAX_VCPUS];
	struct kvm_stats *vcpu_stats[VMM_MAX_VCPUS];	/* NULL if absent */
	struct ctl *ctl;
	uint64_t start_ns;
	atomic_bool paused;	/* by the user (ctl pause) */
	/* Which pages changed, while a migration copies RAM; NULL if it
	 * could not be set up (the VM runs, but cannot migrate). */
	struct dirty_log *dirty;

	/* Set once by vmm_request_exit(); read by every vCPU thread. */
	atomic_bool exiting;
	int exit_code;
	char exit_reason[128];
};

/*
 * Build the VM: KVM, RAM, buses, PCI host bridge, event loop. Returns 0 or
 * -errno; the reason is logged.
 */
int vmm_init(struct vmm *vmm, const struct vmm_config *cfg);
/* Load the image, write boot state, create the vCPUs. 0 or -errno. */
int vmm_boot(struct vmm *vmm, const struct vmm_config *cfg);
/*
 * Only create the vCPUs (no image, no entry state): for a VM whose RAM
 * and vCPU state arrive from elsewhere (restore, migration).
 */
int vmm_vcpus_create(struct vmm *vmm);
/*
 * Start the vCPUs and run the event loop on this thread until the VM
 * exits. Returns the VMM's exit status.
 */
int vmm_run(struct vmm *vmm);
void vmm_fini(struct vmm *vmm);

/* Park every vCPU outside KVM_RUN / let them go on. */
void vmm_pause(struct vmm *vmm);
void vmm_resume(struct vmm *vmm);
/*
 * The same for the VMM's own reasons (migration's switch-over and
 * throttle), leaving the user's pause alone: release does not wake a VM
 * the user paused. Any thread but a vCPU's.
 */
void vmm_hold(struct vmm *vmm);
void vmm_release(struct vmm *vmm);

/*
 * This process wrote guest RAM [gpa, gpa + len) through its own mapping
 * (device DMA): KVM's dirty log cannot see that, so a migration in
 * progress must be told (core/dirty_log.h). Call after the write. Cheap
 * when no migration runs; any thread.
 */
void vmm_dirty_mark(struct vmm *vmm, uint64_t gpa, uint64_t len);

/*
 * Stop the VM: every vCPU leaves KVM_RUN and the VMM exits with @code.
 * The first request wins; callable from any thread.
 */
void vmm_request_exit(struct vmm *vmm, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Raise (or lower) IOAPIC input @gsi, for platform devices. */
int vmm_irq_line(struct vmm *vmm, unsigned gsi, bool level);

/*
 * Exit counts as JSON: {"userspace":{"io":n,...},"kvm":{"exits":n,...},
 * "vcpus":[{...},...]} with KVM's binary stats summed over vCPUs.
 */
json_t *vmm_exit_stats(struct vmm *vmm);

#endif
