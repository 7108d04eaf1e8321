/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CPU_KVM_H
#define IOPATH_CPU_KVM_H

/*
 * The KVM accelerator: one VM with an in-kernel irqchip (LAPIC + IOAPIC,
 * GSIs routed to IOAPIC pins and MSIs only, never to the PIC: see
 * MACHINE-NOTES.md), memory slots, interrupt injection (irq lines, MSIs,
 * irqfd) and ioeventfd doorbells. vCPUs are in cpu/vcpu.h.
 */

#include <stdbool.h>
#include <stdint.h>

#define KVM_IOAPIC_PINS		24
#define KVM_MAX_GSI		1024

struct kvm_vm;

/*
 * Open @dev_path (normally "/dev/kvm"), check the API version and the
 * capabilities iopath needs, create a VM with an in-kernel irqchip and a
 * routing table of IOAPIC pins. Returns NULL with errno set; the reason is
 * logged in words a user understands (missing device, no permission, ...).
 */
struct kvm_vm *kvm_vm_create(const char *dev_path);
void kvm_vm_destroy(struct kvm_vm *vm);

int kvm_vm_fd(const struct kvm_vm *vm);
int kvm_sys_fd(const struct kvm_vm *vm);
/* Size of the kvm_run area to mmap for each vCPU. */
int kvm_vm_run_size(const struct kvm_vm *vm);
/* The host TSC frequency as KVM reports it, in kHz (0 if unknown). */
uint32_t kvm_vm_tsc_khz(const struct kvm_vm *vm);

/*
 * Map host memory at @hva into guest-physical [gpa, gpa+size) as slot
 * @slot. Size 0 removes the slot. Returns 0 or -errno.
 */
#define KVM_MEM_FLAG_READONLY	(1u << 0)
#define KVM_MEM_FLAG_DIRTY_LOG	(1u << 1)
int kvm_vm_set_memory(struct kvm_vm *vm, unsigned slot, uint64_t gpa,
		      uint64_t size, void *hva, unsigned flags);

/* Set an IOAPIC input (GSI 0..23) to @level. Returns 0 or -errno. */
int kvm_irq_line(struct kvm_vm *vm, unsigned gsi, bool level);

/* Deliver one MSI now (KVM_SIGNAL_MSI). Returns 0 or -errno. */
int kvm_msi_send(struct kvm_vm *vm, uint64_t addr, uint32_t data);

/*
 * MSI routes: a GSI above the IOAPIC pins whose delivery is an MSI message.
 * Used with irqfds so any thread or process holding the eventfd can raise
 * the interrupt without entering the VMM. add returns the GSI or -errno;
 * update changes the message of a route; del frees it.
 */
int kvm_msi_route_add(struct kvm_vm *vm, uint64_t addr, uint32_t data);
int kvm_msi_route_update(struct kvm_vm *vm, unsigned gsi, uint64_t addr,
			 uint32_t data);
int kvm_msi_route_del(struct kvm_vm *vm, unsigned gsi);

/* Bind (or unbind) eventfd @fd to @gsi: a write to the fd raises it. */
int kvm_irqfd(struct kvm_vm *vm, int fd, unsigned gsi, bool assign);

/*
 * Make a guest write of @len bytes at @addr (a port if @pio, else an MMIO
 * GPA) signal eventfd @fd inside KVM, with no exit to userspace. With
 * @match non-NULL only writes of that value count.
 */
int kvm_ioeventfd(struct kvm_vm *vm, int fd, uint64_t addr, unsigned len,
		  bool pio, const uint64_t *match, bool assign);

/*
 * Buffer guest writes to [addr, addr+len) (ports if @pio) in KVM's
 * coalesced ring instead of exiting; they are replayed, in order, before
 * the next exit is handled. Only for registers whose writes have no effect
 * the guest can observe until it next reads something (a UART's THR).
 */
int kvm_coalesced_pio(struct kvm_vm *vm, uint64_t addr, unsigned len,
		      bool pio);

#endif
