// SPDX-License-Identifier: MIT
/* KVM dirty-page logging on RAM slots (kvm_dirty.h). */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#define LOG_SUBSYS "kvm"
#include "base/log.h"
#include "cpu/kvm.h"
#include "cpu/kvm_dirty.h"

/*
 * Manual protection is VM-wide and can be switched on at any time; every
 * slot started after it is on fetches with GET + CLEAR.
 */
static bool kvm_dirty_manual_enable(struct kvm_vm *vm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
		.args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
	};
	int have = ioctl(kvm_vm_fd(vm), KVM_CHECK_EXTENSION,
			 KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2);

	if (have <= 0 || !(have & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE))
		return false;
	if (ioctl(kvm_vm_fd(vm), KVM_ENABLE_CAP, &cap) < 0) {
		log_debug("KVM_ENABLE_CAP manual dirty protect: %s",
			  strerror(errno));
		return false;
	}
	return true;
}

static int kvm_dirty_flags(struct kvm_vm *vm, struct kvm_dirty_slot *s,
			   bool on)
{
	return kvm_vm_set_memory(vm, s->slot, s->gpa, s->size, s->hva,
				 on ? KVM_MEM_FLAG_DIRTY_LOG : 0);
}

int kvm_dirty_start(struct kvm_vm *vm, struct kvm_dirty_slot *s)
{
	int ret;

	if (!s->size || (s->size & ((1u << KVM_DIRTY_PAGE_SHIFT) - 1)))
		return -EINVAL;
	if (s->logging)
		return 0;
	s->manual = kvm_dirty_manual_enable(vm);
	ret = kvm_dirty_flags(vm, s, true);
	if (ret < 0) {
		log_err("slot %u: cannot turn on dirty logging: %s", s->slot,
			strerror(-ret));
		return ret;
	}
	s->logging = true;
	return 0;
}

int kvm_dirty_fetch(struct kvm_vm *vm, struct kvm_dirty_slot *s,
		    uint64_t *bitmap)
{
	struct kvm_dirty_log get = {
		.slot = s->slot,
		.dirty_bitmap = bitmap,
	};
	struct kvm_clear_dirty_log clear = {
		.slot = s->slot,
		.first_page = 0,
		.num_pages = (uint32_t)(s->size >> KVM_DIRTY_PAGE_SHIFT),
		.dirty_bitmap = bitmap,
	};

	if (!s->logging)
		return -EINVAL;
	if (ioctl(kvm_vm_fd(vm), KVM_GET_DIRTY_LOG, &get) < 0)
		return -errno;
	if (s->manual &&
	    ioctl(kvm_vm_fd(vm), KVM_CLEAR_DIRTY_LOG, &clear) < 0)
		return -errno;
	return 0;
}

int kvm_dirty_stop(struct kvm_vm *vm, struct kvm_dirty_slot *s)
{
	int ret;

	if (!s->logging)
		return 0;
	ret = kvm_dirty_flags(vm, s, false);
	if (ret < 0) {
		log_err("slot %u: cannot turn off dirty logging: %s", s->slot,
			strerror(-ret));
		return ret;
	}
	s->logging = false;
	return 0;
}
