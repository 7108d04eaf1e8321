// SPDX-License-Identifier: MIT
/* vCPU, irqchip and clock state out of KVM and back in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define LOG_SUBSYS "vcpu-state"
#include "base/log.h"
#include "cpu/kvm.h"
#include "cpu/vcpu.h"
#include "cpu/vcpu_state.h"

/* MSRs a 64-bit guest kernel depends on that sregs does not carry. */
static const uint32_t vcpu_state_msrs[] = {
	0x00000174, /* SYSENTER_CS */
	0x00000175, /* SYSENTER_ESP */
	0x00000176, /* SYSENTER_EIP */
	0x00000277, /* PAT */
	0xc0000081, /* STAR */
	0xc0000082, /* LSTAR */
	0xc0000083, /* CSTAR */
	0xc0000084, /* SFMASK */
	0xc0000102, /* KERNEL_GS_BASE */
	0xc0000103, /* TSC_AUX */
	0x00000010, /* TSC */
	0x000006e0, /* TSC_DEADLINE */
	0x000001a0, /* MISC_ENABLE */
};
#define NMSRS (sizeof(vcpu_state_msrs) / sizeof(vcpu_state_msrs[0]))
_Static_assert(NMSRS <= VCPU_STATE_MAX_MSRS, "too many MSRs");

struct vcpu_msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[VCPU_STATE_MAX_MSRS];
};

#define VCPU_IOCTL(fd, req, arg, what)					\
	do {								\
		if (ioctl((fd), (req), (arg)) < 0) {			\
			int err_ = errno;				\
			log_err("%s: %s", (what), strerror(err_));	\
			return -err_;					\
		}							\
	} while (0)

int vcpu_state_save(struct kvm_vcpu *vcpu, struct vcpu_state *st)
{
	int fd = kvm_vcpu_fd(vcpu);
	struct vcpu_msrs m;
	unsigned i;
	int n;

	memset(st, 0, sizeof(*st));
	VCPU_IOCTL(fd, KVM_GET_REGS, &st->regs, "KVM_GET_REGS");
	VCPU_IOCTL(fd, KVM_GET_SREGS, &st->sregs, "KVM_GET_SREGS");
	VCPU_IOCTL(fd, KVM_GET_XSAVE, &st->xsave, "KVM_GET_XSAVE");
	VCPU_IOCTL(fd, KVM_GET_XCRS, &st->xcrs, "KVM_GET_XCRS");
	VCPU_IOCTL(fd, KVM_GET_LAPIC, &st->lapic, "KVM_GET_LAPIC");
	VCPU_IOCTL(fd, KVM_GET_VCPU_EVENTS, &st->events, "KVM_GET_VCPU_EVENTS");
	VCPU_IOCTL(fd, KVM_GET_MP_STATE, &st->mp, "KVM_GET_MP_STATE");
	VCPU_IOCTL(fd, KVM_GET_DEBUGREGS, &st->debugregs, "KVM_GET_DEBUGREGS");

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = NMSRS;
	for (i = 0; i < NMSRS; i++)
		m.e[i].index = vcpu_state_msrs[i];
	/* KVM_GET_MSRS returns how many it read, stopping at the first
	 * it does not know: keep those. */
	n = ioctl(fd, KVM_GET_MSRS, &m);
	if (n < 0) {
		log_err("KVM_GET_MSRS: %s", strerror(errno));
		return -errno;
	}
	st->nmsrs = n;
	for (i = 0; i < (unsigned)n; i++) {
		st->msr_index[i] = m.e[i].index;
		st->msr_value[i] = m.e[i].data;
	}
	return 0;
}

int vcpu_state_load(struct kvm_vcpu *vcpu, const struct vcpu_state *st)
{
	int fd = kvm_vcpu_fd(vcpu);
	struct vcpu_msrs m;
	unsigned i;
	int n;

	if (st->nmsrs > VCPU_STATE_MAX_MSRS)
		return -EINVAL;
	VCPU_IOCTL(fd, KVM_SET_SREGS, &st->sregs, "KVM_SET_SREGS");

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = st->nmsrs;
	for (i = 0; i < st->nmsrs; i++) {
		m.e[i].index = st->msr_index[i];
		m.e[i].data = st->msr_value[i];
	}
	n = ioctl(fd, KVM_SET_MSRS, &m);
	if (n < 0 || (unsigned)n != st->nmsrs) {
		log_err("KVM_SET_MSRS: set %d of %u", n, st->nmsrs);
		return n < 0 ? -errno : -EINVAL;
	}
	VCPU_IOCTL(fd, KVM_SET_REGS, &st->regs, "KVM_SET_REGS");
	VCPU_IOCTL(fd, KVM_SET_XCRS, &st->xcrs, "KVM_SET_XCRS");
	VCPU_IOCTL(fd, KVM_SET_XSAVE, &st->xsave, "KVM_SET_XSAVE");
	VCPU_IOCTL(fd, KVM_SET_LAPIC, &st->lapic, "KVM_SET_LAPIC");
	VCPU_IOCTL(fd, KVM_SET_VCPU_EVENTS, &st->events, "KVM_SET_VCPU_EVENTS");
	VCPU_IOCTL(fd, KVM_SET_MP_STATE, &st->mp, "KVM_SET_MP_STATE");
	VCPU_IOCTL(fd, KVM_SET_DEBUGREGS, &st->debugregs, "KVM_SET_DEBUGREGS");
	return 0;
}

int kvm_vm_state_save(struct kvm_vm *vm, struct kvm_vm_state *st)
{
	int fd = kvm_vm_fd(vm);

	memset(st, 0, sizeof(*st));
	st->ioapic.chip_id = KVM_IRQCHIP_IOAPIC;
	VCPU_IOCTL(fd, KVM_GET_IRQCHIP, &st->ioapic, "KVM_GET_IRQCHIP");
	VCPU_IOCTL(fd, KVM_GET_CLOCK, &st->clock, "KVM_GET_CLOCK");
	return 0;
}

int kvm_vm_state_load(struct kvm_vm *vm, const struct kvm_vm_state *st)
{
	struct kvm_clock_data clock = st->clock;
	int fd = kvm_vm_fd(vm);

	if (st->ioapic.chip_id != KVM_IRQCHIP_IOAPIC)
		return -EINVAL;
	VCPU_IOCTL(fd, KVM_SET_IRQCHIP, &st->ioapic, "KVM_SET_IRQCHIP");
	/* Only the clock value goes back; the flags describe the source. */
	clock.flags = 0;
	VCPU_IOCTL(fd, KVM_SET_CLOCK, &clock, "KVM_SET_CLOCK");
	return 0;
}
