/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CPU_KVM_PRIV_H
#define IOPATH_CPU_KVM_PRIV_H

/* Between kvm.c and vcpu.c only. */

#include <pthread.h>

struct kvm_vm;

/* Serialises draining of the coalesced ring, which all vCPUs share. */
pthread_mutex_t *kvm_vm_coalesced_lock(struct kvm_vm *vm);

#endif
