// SPDX-License-Identifier: MIT
/*
 * The VM's life: build (KVM, RAM, buses, PCI, loop), boot (image, entry
 * state, vCPUs), run (vCPU threads plus the event loop on the main thread),
 * stop, tear down. Exits reach the buses from here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_SUBSYS "vmm"
#include "base/clock.h"
#include "base/log.h"
#include "core/boot_setup.h"
#include "core/ctl.h"
#include "core/dirty_log.h"
#include "core/elf_load.h"
#include "core/evloop.h"
#include "core/iobus.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/kvm.h"
#include "cpu/kvm_stats.h"
#include "cpu/vcpu.h"
#include "guests/include/boot_info.h"

#define VMM_RAM_SLOT_BASE 0	/* KVM slots 0..1: RAM regions */

static void vmm_exit_pio(void *opaque, uint16_t port, void *data,
			 unsigned size, bool is_write)
{
	struct vmm *vmm = opaque;

	/* Guests probe ports nobody decodes; that is not an error. */
	if (iobus_access(vmm->pio, port, data, size, is_write) < 0)
		log_debug("unclaimed port %s %#x size %u",
			  is_write ? "write" : "read", port, size);
}

static void vmm_exit_mmio(void *opaque, uint64_t gpa, void *data,
			  unsigned size, bool is_write)
{
	struct vmm *vmm = opaque;

	if (iobus_access(vmm->mmio, gpa, data, size, is_write) < 0)
		log_guest_warn("unclaimed MMIO %s %#lx size %u",
			       is_write ? "write" : "read", gpa, size);
}

static void vmm_vcpu_stopped(void *opaque, struct kvm_vcpu *vcpu,
			     enum vcpu_stop why, const char *detail)
{
	struct vmm *vmm = opaque;

	vmm_request_exit(vmm, VMM_EXIT_GUEST_CRASH, "vCPU %u: %s",
			 kvm_vcpu_index(vcpu), detail);
}

int vmm_init(struct vmm *vmm, const struct vmm_config *cfg)
{
	unsigned r;
	int ret;

	memset(vmm, 0, sizeof(*vmm));
	vmm->mem.fd = -1;
	snprintf(vmm->name, sizeof(vmm->name), "%s", cfg->name);
	if (cfg->ncpus == 0 || cfg->ncpus > VMM_MAX_VCPUS) {
		log_err("--cpus must be 1..%d", VMM_MAX_VCPUS);
		return -EINVAL;
	}
	vmm->ncpus = cfg->ncpus;
	for (r = 0; r < VMM_MAX_VCPUS; r++)
		vmm->vcpu_cpu[r] = cfg->nvcpu_pin ?
				   cfg->vcpu_pin[r % cfg->nvcpu_pin] : -1;

	vmm->kvm = kvm_vm_create(cfg->kvm_dev);
	if (!vmm->kvm)
		return -errno;
	ret = guest_mem_create(&vmm->mem, cfg->mem_bytes, cfg->no_huge);
	if (ret < 0)
		return ret;
	for (r = 0; r < vmm->mem.nregions; r++) {
		const struct guest_mem_region *reg = &vmm->mem.regions[r];

		ret = kvm_vm_set_memory(vmm->kvm, VMM_RAM_SLOT_BASE + r,
					reg->gpa, reg->size, reg->hva, 0);
		if (ret < 0) {
			log_err("cannot map guest RAM into KVM: %s",
				strerror(-ret));
			return ret;
		}
	}
	vmm->dirty = dirty_log_create(&vmm->mem, vmm->kvm, VMM_RAM_SLOT_BASE);
	if (!vmm->dirty)
		log_warn("no dirty log (%s): this VM cannot migrate",
			 strerror(errno));
	vmm->pio = iobus_create("pio");
	vmm->mmio = iobus_create("mmio");
	vmm->loop = evloop_create();
	if (!vmm->pio || !vmm->mmio || !vmm->loop)
		return -ENOMEM;
	vmm->pci = pci_host_create(vmm);
	if (!vmm->pci)
		return -errno;
	return 0;
}

int vmm_vcpus_create(struct vmm *vmm)
{
	struct vcpu_exit_handlers h = {
		.opaque = vmm,
		.pio = vmm_exit_pio,
		.mmio = vmm_exit_mmio,
	};
	unsigned i;

	for (i = 0; i < vmm->ncpus; i++) {
		vmm->vcpus[i] = kvm_vcpu_create(vmm->kvm, i, &h);
		if (!vmm->vcpus[i])
			return -errno;
		kvm_vcpu_on_stop(vmm->vcpus[i], vmm_vcpu_stopped, vmm);
		vmm->vcpu_stats[i] = kvm_stats_open(kvm_vcpu_fd(vmm->vcpus[i]));
		if (!vmm->vcpu_stats[i])
			log_info("vCPU %u: KVM binary stats unavailable (%s)",
				 i, strerror(errno));
	}
	return 0;
}

int vmm_boot(struct vmm *vmm, const struct vmm_config *cfg)
{
	struct boot_params bp = {
		.ncpus = vmm->ncpus,
		.tsc_khz = kvm_vm_tsc_khz(vmm->kvm),
		.cmdline = cfg->cmdline,
	};
	struct elf_image img;
	struct vcpu_entry entry;
	unsigned i;
	int ret;

	ret = elf_load_file(&vmm->mem, cfg->image, BOOT_IMAGE_MIN_GPA, &img);
	if (ret < 0)
		return ret;
	ret = boot_setup(&vmm->mem, &img, &bp, &entry);
	if (ret < 0)
		return ret;
	ret = vmm_vcpus_create(vmm);
	if (ret < 0)
		return ret;
	for (i = 0; i < vmm->ncpus; i++) {
		entry.rsi = i;
		ret = kvm_vcpu_set_entry(vmm->vcpus[i], &entry);
		if (ret < 0) {
			log_err("vCPU %u entry state: %s", i, strerror(-ret));
			return ret;
		}
	}
	log_info("booting %s: %llu MiB, %u vCPU(s), entry %#lx", cfg->image,
		 (unsigned long long)(vmm->mem.size >> 20), vmm->ncpus,
		 img.entry);
	return 0;
}

/* Console output a halted guest left in the coalesced ring. */
static void vmm_drain_timer(void *opaque)
{
	struct vmm *vmm = opaque;

	kvm_vcpu_drain_coalesced(vmm->vcpus[0]);
}

int vmm_run(struct vmm *vmm)
{
	unsigned i;
	int ret;

	vmm->start_ns = clock_mono_ns();
	/* 20 ms: a log line is late by at most that, at ~50 wakeups/s. */
	if (evloop_add_timer(vmm->loop, 20000000ull, true, vmm_drain_timer,
			     vmm) < 0)
		log_warn("no console drain timer: a halted guest's output "
			 "waits for its next exit");
	for (i = 0; i < vmm->ncpus; i++) {
		ret = kvm_vcpu_start(vmm->vcpus[i]);
		if (ret < 0) {
			vmm_request_exit(vmm, 1, "cannot start vCPU %u: %s", i,
					 strerror(-ret));
			break;
		}
		/* --vcpu-pin checked the CPU against our affinity already;
		 * a failure here is the host's (a cpuset changed meanwhile). */
		if (vmm->vcpu_cpu[i] >= 0) {
			ret = kvm_vcpu_pin(vmm->vcpus[i], vmm->vcpu_cpu[i]);
			if (ret < 0)
				log_warn("vCPU %u not pinned to CPU %d: %s", i,
					 vmm->vcpu_cpu[i], strerror(-ret));
		}
	}
	ret = evloop_run(vmm->loop);
	if (ret < 0)
		vmm_request_exit(vmm, 1, "event loop failed: %s",
				 strerror(-ret));
	/* The loop also stops on a signal; make sure the vCPUs follow. */
	for (i = 0; i < vmm->ncpus; i++)
		if (vmm->vcpus[i])
			kvm_vcpu_stop(vmm->vcpus[i]);
	for (i = 0; i < vmm->ncpus; i++)
		if (vmm->vcpus[i])
			kvm_vcpu_join(vmm->vcpus[i]);
	return vmm->exit_code;
}

void vmm_fini(struct vmm *vmm)
{
	struct vdev *vd, *next;
	unsigned i;

	if (vmm->ctl)
		ctl_destroy(vmm->ctl);
	for (vd = vmm->devices; vd; vd = next) {
		next = vd->next;
		vdev_destroy(vd);
	}
	vmm->devices = NULL;
	if (vmm->pci)
		pci_host_destroy(vmm->pci);
	for (i = 0; i < vmm->ncpus; i++) {
		kvm_stats_close(vmm->vcpu_stats[i]);
		if (vmm->vcpus[i])
			kvm_vcpu_destroy(vmm->vcpus[i]);
	}
	if (vmm->loop)
		evloop_destroy(vmm->loop);
	iobus_destroy(vmm->pio);
	iobus_destroy(vmm->mmio);
	dirty_log_destroy(vmm->dirty);
	guest_mem_destroy(&vmm->mem);
	kvm_vm_destroy(vmm->kvm);
	memset(vmm, 0, sizeof(*vmm));
}

void vmm_pause(struct vmm *vmm)
{
	unsigned i;

	for (i = 0; i < vmm->ncpus; i++)
		kvm_vcpu_pause(vmm->vcpus[i]);
	atomic_store(&vmm->paused, true);
}

void vmm_resume(struct vmm *vmm)
{
	unsigned i;

	atomic_store(&vmm->paused, false);
	for (i = 0; i < vmm->ncpus; i++)
		kvm_vcpu_resume(vmm->vcpus[i]);
}

void vmm_hold(struct vmm *vmm)
{
	for (unsigned i = 0; i < vmm->ncpus; i++)
		kvm_vcpu_pause(vmm->vcpus[i]);
}

void vmm_release(struct vmm *vmm)
{
	if (atomic_load(&vmm->paused))
		return;
	for (unsigned i = 0; i < vmm->ncpus; i++)
		kvm_vcpu_resume(vmm->vcpus[i]);
}

void vmm_dirty_mark(struct vmm *vmm, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (vmm->dirty && len && dirty_log_gpa_off(&vmm->mem, gpa, &len, &off))
		dirty_log_view_mark(dirty_log_own_view(vmm->dirty), off, len);
}

void vmm_request_exit(struct vmm *vmm, int code, const char *fmt, ...)
{
	bool expected = false;
	va_list ap;
	unsigned i;

	if (!atomic_compare_exchange_strong(&vmm->exiting, &expected, true))
		return;
	vmm->exit_code = code;
	va_start(ap, fmt);
	vsnprintf(vmm->exit_reason, sizeof(vmm->exit_reason), fmt, ap);
	va_end(ap);
	if (code == VMM_EXIT_GUEST_CRASH)
		log_err("%s", vmm->exit_reason);
	else
		log_info("%s", vmm->exit_reason);
	for (i = 0; i < vmm->ncpus; i++)
		if (vmm->vcpus[i])
			kvm_vcpu_stop(vmm->vcpus[i]);
	if (vmm->loop)
		evloop_stop(vmm->loop);
}

int vmm_irq_line(struct vmm *vmm, unsigned gsi, bool level)
{
	return kvm_irq_line(vmm->kvm, gsi, level);
}

json_t *vmm_exit_stats(struct vmm *vmm)
{
	json_t *root = json_object(), *user = json_object();
	json_t *kvm = json_object(), *vcpus = json_array();
	uint64_t total[VCPU_EXIT_KINDS] = { 0 };
	unsigned i, k;

	for (i = 0; i < vmm->ncpus; i++) {
		uint64_t c[VCPU_EXIT_KINDS], vals[512];
		json_t *one = json_object(), *ou = json_object();
		struct kvm_stats *s = vmm->vcpu_stats[i];

		if (!vmm->vcpus[i])
			continue;
		kvm_vcpu_exit_counts(vmm->vcpus[i], c);
		for (k = 0; k < VCPU_EXIT_KINDS; k++) {
			total[k] += c[k];
			json_object_set_new(ou, vcpu_exit_kind_names[k],
					    json_integer(c[k]));
		}
		json_object_set_new(one, "userspace", ou);
		if (s && kvm_stats_count(s) <= 512 && kvm_stats_read(s, vals) == 0) {
			json_t *ok = json_object();

			for (k = 0; k < kvm_stats_count(s); k++) {
				const char *name = kvm_stats_name(s, k);
				json_t *sum = json_object_get(kvm, name);
				uint64_t prev = sum ? json_integer_value(sum) : 0;

				/* Only the exit counters: the rest are
				 * gauges and histograms. */
				if (!strstr(name, "exits") &&
				    strcmp(name, "insn_emulation") &&
				    strcmp(name, "irq_injections"))
					continue;
				json_object_set_new(ok, name,
						    json_integer(vals[k]));
				json_object_set_new(kvm, name,
						    json_integer(prev + vals[k]));
			}
			json_object_set_new(one, "kvm", ok);
		}
		json_array_append_new(vcpus, one);
	}
	for (k = 0; k < VCPU_EXIT_KINDS; k++)
		json_object_set_new(user, vcpu_exit_kind_names[k],
				    json_integer(total[k]));
	json_object_set_new(root, "userspace", user);
	json_object_set_new(root, "kvm", kvm);
	json_object_set_new(root, "vcpus", vcpus);
	return root;
}
