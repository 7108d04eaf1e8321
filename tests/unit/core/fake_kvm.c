// SPDX-License-Identifier: MIT
/* Fake KVM for unit tests: records calls, owns no kernel objects. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/core/fake_kvm.h"

struct fake_kvm fake_kvm;
static char fake_vm_token;

void fake_kvm_reset(void)
{
	memset(&fake_kvm, 0, sizeof(fake_kvm));
	for (unsigned i = 0; i < KVM_MAX_GSI; i++)
		fake_kvm.routes[i].irqfd = -1;
}

unsigned fake_kvm_route_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < KVM_MAX_GSI; i++)
		n += fake_kvm.routes[i].used;
	return n;
}

uint64_t fake_kvm_irqfd_take(unsigned gsi)
{
	uint64_t cnt = 0;
	int fd;

	if (gsi >= KVM_MAX_GSI)
		return 0;
	fd = fake_kvm.routes[gsi].irqfd;
	if (fd < 0 || read(fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return 0;
	return cnt;
}

struct kvm_vm *fake_kvm_vm(void)
{
	return (struct kvm_vm *)&fake_vm_token;
}

struct kvm_vm *kvm_vm_create(const char *dev_path)
{
	(void)dev_path;
	return fake_kvm_vm();
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	(void)vm;
}

int kvm_vm_fd(const struct kvm_vm *vm)
{
	(void)vm;
	return -1;
}

int kvm_sys_fd(const struct kvm_vm *vm)
{
	(void)vm;
	return -1;
}

int kvm_vm_run_size(const struct kvm_vm *vm)
{
	(void)vm;
	return 4096;
}

uint32_t kvm_vm_tsc_khz(const struct kvm_vm *vm)
{
	(void)vm;
	return 2445000;
}

int kvm_vm_set_memory(struct kvm_vm *vm, unsigned slot, uint64_t gpa,
		      uint64_t size, void *hva, unsigned flags)
{
	struct fake_kvm_slot *s;

	(void)vm;
	(void)flags;
	fake_kvm.set_memory_calls++;
	if (slot >= FAKE_KVM_MAX_SLOTS)
		return -EINVAL;
	s = &fake_kvm.slots[slot];
	if (size == 0) {
		if (!s->used)
			return -EINVAL;
		s->used = false;
		return 0;
	}
	if (fake_kvm.fail_set_memory)
		return fake_kvm.fail_set_memory;
	/* Stricter than KVM: a slot must be deleted before it is reused. */
	if (s->used)
		return -EEXIST;
	*s = (struct fake_kvm_slot){ true, gpa, size, hva };
	return 0;
}

int kvm_irq_line(struct kvm_vm *vm, unsigned gsi, bool level)
{
	(void)vm;
	fake_kvm.line_calls++;
	if (gsi >= KVM_IOAPIC_PINS)
		return -EINVAL;
	fake_kvm.line[gsi] = level;
	return 0;
}

int kvm_msi_send(struct kvm_vm *vm, uint64_t addr, uint32_t data)
{
	(void)vm;
	fake_kvm.msi_sends++;
	fake_kvm.last_msi_addr = addr;
	fake_kvm.last_msi_data = data;
	return 0;
}

int kvm_msi_route_add(struct kvm_vm *vm, uint64_t addr, uint32_t data)
{
	(void)vm;
	if (fake_kvm.fail_route_add)
		return fake_kvm.fail_route_add;
	for (unsigned g = FAKE_KVM_FIRST_MSI_GSI; g < KVM_MAX_GSI; g++) {
		struct fake_kvm_route *r = &fake_kvm.routes[g];

		if (!r->used) {
			*r = (struct fake_kvm_route){ true, addr, data, -1 };
			fake_kvm.route_adds++;
			return (int)g;
		}
	}
	return -ENOSPC;
}

int kvm_msi_route_update(struct kvm_vm *vm, unsigned gsi, uint64_t addr,
			 uint32_t data)
{
	(void)vm;
	if (gsi >= KVM_MAX_GSI || !fake_kvm.routes[gsi].used)
		return -ENOENT;
	fake_kvm.routes[gsi].addr = addr;
	fake_kvm.routes[gsi].data = data;
	fake_kvm.route_updates++;
	return 0;
}

int kvm_msi_route_del(struct kvm_vm *vm, unsigned gsi)
{
	(void)vm;
	if (gsi >= KVM_MAX_GSI || !fake_kvm.routes[gsi].used)
		return -ENOENT;
	/* Stricter than KVM: catch freeing a route under a bound irqfd. */
	if (fake_kvm.routes[gsi].irqfd >= 0)
		return -EBUSY;
	fake_kvm.routes[gsi].used = false;
	fake_kvm.route_dels++;
	return 0;
}

int kvm_irqfd(struct kvm_vm *vm, int fd, unsigned gsi, bool assign)
{
	struct fake_kvm_route *r;

	(void)vm;
	if (gsi >= KVM_MAX_GSI || fd < 0)
		return -EINVAL;
	r = &fake_kvm.routes[gsi];
	if (assign) {
		if (!r->used || r->irqfd >= 0)
			return -EBUSY;
		r->irqfd = fd;
		fake_kvm.irqfd_binds++;
	} else {
		if (r->irqfd != fd)
			return -ENOENT;
		r->irqfd = -1;
		fake_kvm.irqfd_unbinds++;
	}
	return 0;
}

int kvm_ioeventfd(struct kvm_vm *vm, int fd, uint64_t addr, unsigned len,
		  bool pio, const uint64_t *match, bool assign)
{
	struct fake_kvm_ioevent *e, *free_e = NULL;

	(void)vm;
	(void)pio;
	/* As KVM: one registration per (fd, address, length, match). */
	for (unsigned i = 0; i < FAKE_KVM_MAX_IOEVENTS; i++) {
		e = &fake_kvm.ioevents[i];
		if (!e->used) {
			if (!free_e)
				free_e = e;
			continue;
		}
		if (e->fd != fd || e->addr != addr || e->len != len ||
		    e->has_match != (match != NULL) ||
		    (match && e->match != *match))
			continue;
		if (assign)
			return -EEXIST;
		e->used = false;
		return 0;
	}
	if (!assign)
		return -ENOENT;
	if (fake_kvm.fail_ioeventfd)
		return fake_kvm.fail_ioeventfd;
	if (!free_e)
		return -ENOSPC;
	*free_e = (struct fake_kvm_ioevent){ true, fd, addr, len,
					     match != NULL,
					     match ? *match : 0 };
	return 0;
}

int kvm_dirty_start(struct kvm_vm *vm, struct kvm_dirty_slot *s)
{
	(void)vm;
	if (fake_kvm.fail_dirty)
		return fake_kvm.fail_dirty;
	fake_kvm.dirty_starts++;
	s->logging = true;
	s->manual = true;
	return 0;
}

int kvm_dirty_fetch(struct kvm_vm *vm, struct kvm_dirty_slot *s,
		    uint64_t *bitmap)
{
	uint64_t n = kvm_dirty_words(s);

	(void)vm;
	if (!s->logging || s->slot >= FAKE_KVM_DIRTY_SLOTS ||
	    n > FAKE_KVM_DIRTY_WORDS)
		return -EINVAL;
	fake_kvm.dirty_fetches++;
	memcpy(bitmap, fake_kvm.dirty[s->slot], n * sizeof(uint64_t));
	memset(fake_kvm.dirty[s->slot], 0, n * sizeof(uint64_t));
	return 0;
}

int kvm_dirty_stop(struct kvm_vm *vm, struct kvm_dirty_slot *s)
{
	(void)vm;
	fake_kvm.dirty_stops++;
	s->logging = false;
	return 0;
}

struct kvm_vm_state {
	int unused;
};

int kvm_vm_state_save(struct kvm_vm *vm, struct kvm_vm_state **out)
{
	(void)vm;
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

int kvm_vm_state_load(struct kvm_vm *vm, const struct kvm_vm_state *st)
{
	(void)vm;
	(void)st;
	return 0;
}

void kvm_vm_state_free(struct kvm_vm_state *st)
{
	free(st);
}
