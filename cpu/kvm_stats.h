/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CPU_KVM_STATS_H
#define IOPATH_CPU_KVM_STATS_H

/*
 * KVM's binary statistics (KVM_GET_STATS_FD) of a VM or a vCPU: every
 * exit KVM counts, including those it handles in the kernel (ioeventfd,
 * LAPIC, emulated instructions) that the userspace run loop never sees.
 * The descriptors are read once at open; kvm_stats_read() is one pread.
 */

#include <stdint.h>

struct kvm_stats;

/* @fd: a VM or vCPU fd. NULL with errno set (ENOTSUP: no binary stats). */
struct kvm_stats *kvm_stats_open(int fd);
void kvm_stats_close(struct kvm_stats *s);

unsigned kvm_stats_count(const struct kvm_stats *s);
const char *kvm_stats_name(const struct kvm_stats *s, unsigned i);
/* Index of stat @name, or -ENOENT. */
int kvm_stats_find(const struct kvm_stats *s, const char *name);

/* The first value of every stat into @out (kvm_stats_count entries). */
int kvm_stats_read(struct kvm_stats *s, uint64_t *out);

#endif
