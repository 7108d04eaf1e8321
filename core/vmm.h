/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_VMM_H
#define IOPATH_CORE_VMM_H

/*
 * One virtual machine as the VMM process sees it: KVM, RAM, the two buses,
 * the PCI host bridge, devices and the event loop. Devices reach the rest
 * of the VM only through this.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/guest_mem.h"

struct kvm_vm;
struct kvm_vcpu;
struct iobus;
struct pci_host;
struct evloop;
struct vdev;

#define VMM_MAX_VCPUS 8

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
	struct kvm_vcpu *vcpus[VMM_MAX_VCPUS];

	/* Set once by vmm_request_exit(); read by every vCPU thread. */
	atomic_bool exiting;
	int exit_code;
	char exit_reason[128];
};

/*
 * Stop the VM: every vCPU leaves KVM_RUN and the VMM exits with @code.
 * The first request wins; callable from any thread.
 */
void vmm_request_exit(struct vmm *vmm, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Raise (or lower) IOAPIC input @gsi, for platform devices. */
int vmm_irq_line(struct vmm *vmm, unsigned gsi, bool level);

#endif
