// SPDX-License-Identifier: MIT
/*
 * The KVM VM: device open, capability checks, in-kernel irqchip, memory
 * slots, GSI routing, irqfd and ioeventfd.
 *
 * GSI routing: the table KVM holds is replaced whole on every change
 * (KVM_SET_GSI_ROUTING), so we keep our own copy. GSIs 0..23 are IOAPIC
 * pins and nothing else: a route to the PIC makes this machine's KVM
 * deliver IRQ n as vector n through LINT0 (MACHINE-NOTES.md). MSI routes
 * take GSIs from KVM_IOAPIC_PINS up.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define LOG_SUBSYS "kvm"
#include "base/log.h"
#include "cpu/kvm.h"
#include "cpu/kvm_priv.h"

struct kvm_vm {
	int sys_fd;
	int vm_fd;
	int run_size;
	uint32_t tsc_khz;

	pthread_mutex_t route_lock;
	pthread_mutex_t coalesced_lock;
	/* Our copy of the routing table; entries with gsi == 0 and
	 * type == 0 past the pins are free. */
	struct kvm_irq_routing_entry routes[KVM_MAX_GSI];
	bool gsi_used[KVM_MAX_GSI];
};

/* Capabilities without which iopath cannot run a guest. */
static const struct {
	int cap;
	const char *what;
} kvm_required_caps[] = {
	{ KVM_CAP_IRQCHIP, "in-kernel irqchip" },
	{ KVM_CAP_IRQ_ROUTING, "GSI routing" },
	{ KVM_CAP_IRQFD, "irqfd" },
	{ KVM_CAP_IOEVENTFD, "ioeventfd" },
	{ KVM_CAP_SIGNAL_MSI, "MSI injection" },
	{ KVM_CAP_USER_MEMORY, "user memory slots" },
	{ KVM_CAP_IMMEDIATE_EXIT, "immediate_exit" },
};

static int kvm_open_dev(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		log_err("%s does not exist: KVM is not available on this host "
			"(no kvm module, or not exposed to this container)",
			path);
		break;
	case EACCES:
	case EPERM:
		log_err("no permission to open %s: run as root or join the "
			"kvm group", path);
		break;
	default:
		log_err("cannot open %s: %s", path, strerror(errno));
	}
	return -1;
}

/* Push our copy of the routing table to KVM. Caller holds route_lock. */
static int kvm_routes_commit(struct kvm_vm *vm)
{
	struct kvm_irq_routing *tbl;
	unsigned n = 0, gsi;
	int ret = 0;

	tbl = calloc(1, sizeof(*tbl) +
			KVM_MAX_GSI * sizeof(struct kvm_irq_routing_entry));
	if (!tbl)
		return -ENOMEM;
	for (gsi = 0; gsi < KVM_MAX_GSI; gsi++)
		if (vm->gsi_used[gsi])
			tbl->entries[n++] = vm->routes[gsi];
	tbl->nr = n;
	if (ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, tbl) < 0) {
		ret = -errno;
		log_err("KVM_SET_GSI_ROUTING: %s", strerror(errno));
	}
	free(tbl);
	return ret;
}

struct kvm_vm *kvm_vm_create(const char *dev_path)
{
	struct kvm_vm *vm;
	unsigned i;
	int ret, err;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->vm_fd = -1;
	pthread_mutex_init(&vm->route_lock, NULL);
	pthread_mutex_init(&vm->coalesced_lock, NULL);

	vm->sys_fd = kvm_open_dev(dev_path);
	if (vm->sys_fd < 0)
		goto fail;
	ret = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (ret < 0) {
		log_err("%s is not a KVM device (%s)", dev_path,
			strerror(errno));
		errno = ENODEV;
		goto fail;
	}
	if (ret != KVM_API_VERSION) {
		log_err("%s speaks KVM API %d, iopath needs %d", dev_path, ret,
			KVM_API_VERSION);
		errno = ENOTSUP;
		goto fail;
	}
	for (i = 0; i < sizeof(kvm_required_caps) / sizeof(kvm_required_caps[0]);
	     i++) {
		if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION,
			  kvm_required_caps[i].cap) <= 0) {
			log_err("this KVM lacks %s (capability %d)",
				kvm_required_caps[i].what,
				kvm_required_caps[i].cap);
			errno = ENOTSUP;
			goto fail;
		}
	}
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0) {
		log_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		goto fail;
	}
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		log_err("KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	/* Intel needs a TSS region below 4 GiB; keep it out of the PCI hole. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0)
		log_debug("KVM_SET_TSS_ADDR: %s (ignored)", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		log_err("KVM_CREATE_IRQCHIP: %s", strerror(errno));
		goto fail;
	}
	ret = ioctl(vm->vm_fd, KVM_GET_TSC_KHZ, 0);
	vm->tsc_khz = ret > 0 ? (uint32_t)ret : 0;

	/* Replace KVM's default table (which routes 0..15 to the PIC too). */
	for (i = 0; i < KVM_IOAPIC_PINS; i++) {
		vm->routes[i] = (struct kvm_irq_routing_entry){
			.gsi = i,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = i },
		};
		vm->gsi_used[i] = true;
	}
	ret = kvm_routes_commit(vm);
	if (ret < 0) {
		errno = -ret;
		goto fail;
	}
	return vm;

fail:
	err = errno;
	kvm_vm_destroy(vm);
	errno = err;
	return NULL;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	if (!vm)
		return;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	pthread_mutex_destroy(&vm->route_lock);
	pthread_mutex_destroy(&vm->coalesced_lock);
	free(vm);
}

int kvm_vm_fd(const struct kvm_vm *vm)
{
	return vm->vm_fd;
}

int kvm_sys_fd(const struct kvm_vm *vm)
{
	return vm->sys_fd;
}

int kvm_vm_run_size(const struct kvm_vm *vm)
{
	return vm->run_size;
}

uint32_t kvm_vm_tsc_khz(const struct kvm_vm *vm)
{
	return vm->tsc_khz;
}

int kvm_vm_set_memory(struct kvm_vm *vm, unsigned slot, uint64_t gpa,
		      uint64_t size, void *hva, unsigned flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	if (flags & KVM_MEM_FLAG_READONLY)
		r.flags |= KVM_MEM_READONLY;
	if (flags & KVM_MEM_FLAG_DIRTY_LOG)
		r.flags |= KVM_MEM_LOG_DIRTY_PAGES;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	return 0;
}

int kvm_irq_line(struct kvm_vm *vm, unsigned gsi, bool level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	if (gsi >= KVM_IOAPIC_PINS)
		return -EINVAL;
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		return -errno;
	return 0;
}

int kvm_msi_send(struct kvm_vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_msi msi = {
		.address_lo = (uint32_t)addr,
		.address_hi = (uint32_t)(addr >> 32),
		.data = data,
	};

	/* 0: the guest has the message masked at the LAPIC; not an error. */
	if (ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi) < 0)
		return -errno;
	return 0;
}

static void kvm_msi_entry(struct kvm_irq_routing_entry *e, unsigned gsi,
			  uint64_t addr, uint32_t data)
{
	*e = (struct kvm_irq_routing_entry){
		.gsi = gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = {
			.address_lo = (uint32_t)addr,
			.address_hi = (uint32_t)(addr >> 32),
			.data = data,
		},
	};
}

int kvm_msi_route_add(struct kvm_vm *vm, uint64_t addr, uint32_t data)
{
	unsigned gsi;
	int ret = -ENOSPC;

	pthread_mutex_lock(&vm->route_lock);
	for (gsi = KVM_IOAPIC_PINS; gsi < KVM_MAX_GSI; gsi++) {
		if (vm->gsi_used[gsi])
			continue;
		kvm_msi_entry(&vm->routes[gsi], gsi, addr, data);
		vm->gsi_used[gsi] = true;
		ret = kvm_routes_commit(vm);
		if (ret < 0)
			vm->gsi_used[gsi] = false;
		else
			ret = gsi;
		break;
	}
	pthread_mutex_unlock(&vm->route_lock);
	return ret;
}

int kvm_msi_route_update(struct kvm_vm *vm, unsigned gsi, uint64_t addr,
			 uint32_t data)
{
	int ret;

	if (gsi < KVM_IOAPIC_PINS || gsi >= KVM_MAX_GSI)
		return -EINVAL;
	pthread_mutex_lock(&vm->route_lock);
	if (!vm->gsi_used[gsi]) {
		ret = -ENOENT;
	} else {
		kvm_msi_entry(&vm->routes[gsi], gsi, addr, data);
		ret = kvm_routes_commit(vm);
	}
	pthread_mutex_unlock(&vm->route_lock);
	return ret;
}

int kvm_msi_route_del(struct kvm_vm *vm, unsigned gsi)
{
	int ret;

	if (gsi < KVM_IOAPIC_PINS || gsi >= KVM_MAX_GSI)
		return -EINVAL;
	pthread_mutex_lock(&vm->route_lock);
	if (!vm->gsi_used[gsi]) {
		ret = -ENOENT;
	} else {
		vm->gsi_used[gsi] = false;
		ret = kvm_routes_commit(vm);
	}
	pthread_mutex_unlock(&vm->route_lock);
	return ret;
}

int kvm_irqfd(struct kvm_vm *vm, int fd, unsigned gsi, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	if (ioctl(vm->vm_fd, KVM_IRQFD, &irqfd) < 0)
		return -errno;
	return 0;
}

int kvm_ioeventfd(struct kvm_vm *vm, int fd, uint64_t addr, unsigned len,
		  bool pio, const uint64_t *match, bool assign)
{
	struct kvm_ioeventfd ioev = {
		.addr = addr,
		.len = len,
		.fd = fd,
	};

	if (pio)
		ioev.flags |= KVM_IOEVENTFD_FLAG_PIO;
	if (match) {
		ioev.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
		ioev.datamatch = *match;
	}
	if (!assign)
		ioev.flags |= KVM_IOEVENTFD_FLAG_DEASSIGN;
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioev) < 0)
		return -errno;
	return 0;
}

int kvm_coalesced_pio(struct kvm_vm *vm, uint64_t addr, unsigned len,
		      bool pio)
{
	struct kvm_coalesced_mmio_zone zone = {
		.addr = addr,
		.size = len,
		.pio = pio,
	};

	if (ioctl(vm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0)
		return -errno;
	return 0;
}

pthread_mutex_t *kvm_vm_coalesced_lock(struct kvm_vm *vm)
{
	return &vm->coalesced_lock;
}
