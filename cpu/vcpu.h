/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CPU_VCPU_H
#define IOPATH_CPU_VCPU_H

/*
 * vCPUs: one thread each, running KVM_RUN and handing port and MMIO exits
 * to the VMM's buses. Stopping is immediate_exit plus a signal, so a vCPU
 * blocked in the guest (hlt) leaves KVM_RUN at once.
 */

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

struct kvm_vm;
struct kvm_vcpu;

/* Where exits go. Called on the vCPU's thread. */
struct vcpu_exit_handlers {
	void *opaque;
	void (*pio)(void *opaque, uint16_t port, void *data, unsigned size,
		    bool is_write);
	void (*mmio)(void *opaque, uint64_t gpa, void *data, unsigned size,
		     bool is_write);
};

/* 64-bit entry state of the guest's CPL0 kernel (guests/include/boot_info.h). */
struct vcpu_entry {
	uint64_t rip;
	uint64_t rsp;
	uint64_t rdi;
	uint64_t rsi;
	uint64_t cr3;
	uint64_t gdt_base;
	uint16_t gdt_limit;
};

/* Why a vCPU's run loop returned. */
enum vcpu_stop {
	VCPU_STOP_REQUESTED,	/* kvm_vcpu_stop(): the VMM is exiting */
	VCPU_STOP_SHUTDOWN,	/* triple fault */
	VCPU_STOP_INTERNAL,	/* KVM could not emulate or deliver */
	VCPU_STOP_FAIL_ENTRY,	/* invalid guest state */
	VCPU_STOP_UNHANDLED,	/* an exit reason iopath does not handle */
	VCPU_STOP_ERROR,	/* KVM_RUN failed */
};

/* Userspace exits, counted by the run loop (KVM's own counts: kvm_stats.h). */
enum vcpu_exit_kind {
	VCPU_EXIT_IO,
	VCPU_EXIT_MMIO,
	VCPU_EXIT_HLT,
	VCPU_EXIT_INTR,		/* signal or immediate_exit */
	VCPU_EXIT_SHUTDOWN,
	VCPU_EXIT_OTHER,
	VCPU_EXIT_COALESCED,	/* writes replayed from the coalesced ring */
	VCPU_EXIT_KINDS,
};
extern const char *const vcpu_exit_kind_names[VCPU_EXIT_KINDS];

/*
 * Create vCPU @index. The first vCPU maps the coalesced-I/O ring for the
 * whole VM. Returns NULL with errno set.
 */
struct kvm_vcpu *kvm_vcpu_create(struct kvm_vm *vm, unsigned index,
				 const struct vcpu_exit_handlers *h);
void kvm_vcpu_destroy(struct kvm_vcpu *vcpu);
int kvm_vcpu_fd(const struct kvm_vcpu *vcpu);
unsigned kvm_vcpu_index(const struct kvm_vcpu *vcpu);

/*
 * Set the long-mode entry state and mark the vCPU runnable (secondary
 * vCPUs start UNINITIALIZED with the in-kernel irqchip). Only before the
 * vCPU first runs: this KVM triple-faults if CPL changes after that.
 */
int kvm_vcpu_set_entry(struct kvm_vcpu *vcpu, const struct vcpu_entry *e);

/* Start the vCPU's thread. Returns 0 or -errno. */
int kvm_vcpu_start(struct kvm_vcpu *vcpu);
/* Keep a started vCPU's thread on host CPU @cpu. 0 or -errno. */
int kvm_vcpu_pin(struct kvm_vcpu *vcpu, int cpu);
/* Ask it to leave the run loop (any thread). */
void kvm_vcpu_stop(struct kvm_vcpu *vcpu);
/* Wait for the thread; returns why it stopped. */
enum vcpu_stop kvm_vcpu_join(struct kvm_vcpu *vcpu);

/*
 * Pause: returns once the vCPU is outside KVM_RUN and parked, so its state
 * can be read. Resume lets it go on. Any thread but the vCPU's own.
 */
int kvm_vcpu_pause(struct kvm_vcpu *vcpu);
void kvm_vcpu_resume(struct kvm_vcpu *vcpu);

/* Called by the run loop when it stops for a reason other than a request. */
typedef void (*vcpu_stop_fn)(void *opaque, struct kvm_vcpu *vcpu,
			     enum vcpu_stop why, const char *detail);
void kvm_vcpu_on_stop(struct kvm_vcpu *vcpu, vcpu_stop_fn fn, void *opaque);

/*
 * Replay the VM's coalesced writes now (any thread; the handlers must be
 * thread-safe). The run loop does this before every exit; a guest halted
 * after writing makes no exit, so the VMM also calls it on a timer.
 */
void kvm_vcpu_drain_coalesced(struct kvm_vcpu *vcpu);

/* Userspace exit counts so far (VCPU_EXIT_KINDS entries). */
void kvm_vcpu_exit_counts(const struct kvm_vcpu *vcpu, uint64_t *out);

/* Registers at the last stop, for error reports (RIP of a triple fault). */
int kvm_vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs,
		      struct kvm_sregs *sregs);

#endif
