/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CPU_VCPU_STATE_H
#define IOPATH_CPU_VCPU_STATE_H

/*
 * Everything needed to move a vCPU (and the VM's irqchip and clock) to a
 * fresh VM in another process: what migration sends. Read from a paused
 * vCPU; written to a vCPU that has not run yet (MACHINE-NOTES.md: CPL can
 * only be set before the first KVM_RUN).
 */

#include <linux/kvm.h>
#include <stdint.h>

struct kvm_vm;
struct kvm_vcpu;

/* The MSRs carried over (besides EFER and APIC base, which are in sregs). */
#define VCPU_STATE_MAX_MSRS 16

struct vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xsave xsave;
	struct kvm_xcrs xcrs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	struct kvm_debugregs debugregs;
	uint32_t nmsrs;
	uint32_t msr_index[VCPU_STATE_MAX_MSRS];
	uint64_t msr_value[VCPU_STATE_MAX_MSRS];
};

struct kvm_vm_state {
	struct kvm_irqchip ioapic;
	struct kvm_clock_data clock;
};

/* 0 or -errno; logs which piece failed. */
int vcpu_state_save(struct kvm_vcpu *vcpu, struct vcpu_state *st);
/* Restores SREGS first, then MSRs, then the rest (the order that works). */
int vcpu_state_load(struct kvm_vcpu *vcpu, const struct vcpu_state *st);

int kvm_vm_state_save(struct kvm_vm *vm, struct kvm_vm_state *st);
int kvm_vm_state_load(struct kvm_vm *vm, const struct kvm_vm_state *st);

#endif
