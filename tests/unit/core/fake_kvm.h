/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_FAKE_KVM_H
#define IOPATH_TESTS_FAKE_KVM_H

/*
 * A fake cpu/kvm.h for unit tests: every call is recorded so tests can
 * assert on what the code under test asked KVM to do. No /dev/kvm.
 * MSI routes get GSIs from FAKE_KVM_FIRST_MSI_GSI up; irqfds are real
 * eventfds, so a test can see a delivery by reading the bound fd.
 */

#include <stdbool.h>
#include <stdint.h>

#include "cpu/kvm.h"
#include "cpu/kvm_dirty.h"

#define FAKE_KVM_FIRST_MSI_GSI	24
#define FAKE_KVM_MAX_SLOTS	64
/* Dirty bitmaps of slots 0 and 1 (RAM), up to 256 MiB each. */
#define FAKE_KVM_DIRTY_SLOTS	2
#define FAKE_KVM_DIRTY_WORDS	1024

struct fake_kvm_route {
	bool used;
	uint64_t addr;
	uint32_t data;
	int irqfd;		/* bound eventfd, -1 when none */
};

/* An ioeventfd KVM holds (kvm_ioeventfd with assign). */
struct fake_kvm_ioevent {
	bool used;
	int fd;
	uint64_t addr;
	unsigned len;
	bool has_match;
	uint64_t match;
};

#define FAKE_KVM_MAX_IOEVENTS	64

struct fake_kvm_slot {
	bool used;
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

struct fake_kvm {
	struct fake_kvm_route routes[KVM_MAX_GSI];
	struct fake_kvm_slot slots[FAKE_KVM_MAX_SLOTS];
	bool line[KVM_IOAPIC_PINS];
	unsigned route_adds, route_updates, route_dels;
	unsigned irqfd_binds, irqfd_unbinds;
	unsigned line_calls;
	unsigned set_memory_calls;
	unsigned msi_sends;
	uint64_t last_msi_addr;
	uint32_t last_msi_data;
	int fail_route_add;	/* return this (negative) from route_add */
	int fail_set_memory;	/* likewise for set_memory with size != 0 */
	struct fake_kvm_ioevent ioevents[FAKE_KVM_MAX_IOEVENTS];
	int fail_ioeventfd;	/* return this from an assign */
	/* kvm_dirty_*: pages "the guest wrote", handed out by fetch */
	uint64_t dirty[FAKE_KVM_DIRTY_SLOTS][FAKE_KVM_DIRTY_WORDS];
	unsigned dirty_starts, dirty_fetches, dirty_stops;
	int fail_dirty;		/* return this from kvm_dirty_start */
};

/* The recorded state; zeroed (and routes' irqfds set to -1) by reset. */
extern struct fake_kvm fake_kvm;
void fake_kvm_reset(void);

/* Routes currently allocated. */
unsigned fake_kvm_route_count(void);
/* Interrupts delivered through the irqfd bound to @gsi since last asked. */
uint64_t fake_kvm_irqfd_take(unsigned gsi);
/* A pointer usable as struct kvm_vm * (the fake ignores it). */
struct kvm_vm *fake_kvm_vm(void);

#endif
