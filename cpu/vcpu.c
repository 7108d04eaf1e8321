// SPDX-License-Identifier: MIT
/*
 * The vCPU run loop: one thread per vCPU around KVM_RUN, port and MMIO
 * exits dispatched to the VMM's handlers, coalesced writes replayed before
 * any exit is handled (so their order against the exit is kept), and stop
 * and pause by immediate_exit plus a signal.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOG_SUBSYS "vcpu"
#include "base/log.h"
#include "cpu/kvm.h"
#include "cpu/kvm_priv.h"
#include "cpu/vcpu.h"

/* The signal that kicks a vCPU thread out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

const char *const vcpu_exit_kind_names[VCPU_EXIT_KINDS] = {
	[VCPU_EXIT_IO] = "io",
	[VCPU_EXIT_MMIO] = "mmio",
	[VCPU_EXIT_HLT] = "hlt",
	[VCPU_EXIT_INTR] = "intr",
	[VCPU_EXIT_SHUTDOWN] = "shutdown",
	[VCPU_EXIT_OTHER] = "other",
	[VCPU_EXIT_COALESCED] = "coalesced",
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct kvm_coalesced_mmio_ring *ring;
	unsigned ring_max;
	struct vcpu_exit_handlers h;

	pthread_t thread;
	bool started;
	atomic_bool stop_req;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool pause_req;
	bool parked;
	bool exited;		/* the thread has left the run loop */
	/* The last KVM_RUN ended in an I/O or MMIO exit that KVM completes
	 * only at the next KVM_RUN. vCPU thread only. */
	bool exit_pending;

	vcpu_stop_fn on_stop;
	void *on_stop_opaque;
	enum vcpu_stop why;

	_Atomic uint64_t exits[VCPU_EXIT_KINDS];
};

static void vcpu_kick_handler(int sig)
{
	(void)sig;	/* only here to interrupt KVM_RUN */
}

static void vcpu_kick_handler_install_once(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	/* No SA_RESTART: KVM_RUN must return EINTR. */
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

static void vcpu_install_kick_handler(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, vcpu_kick_handler_install_once);
}

/* Give each vCPU KVM's CPUID with its own APIC ID. */
static int vcpu_set_cpuid(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid;
	unsigned n = 128, i;
	int ret = 0;

	cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = n;
	if (ioctl(kvm_sys_fd(vcpu->vm), KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (vcpu->index << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = vcpu->index;
	}
	if (ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid) < 0)
		ret = -errno;
out:
	free(cpuid);
	return ret;
}

struct kvm_vcpu *kvm_vcpu_create(struct kvm_vm *vm, unsigned index,
				 const struct vcpu_exit_handlers *h)
{
	struct kvm_vcpu *vcpu;
	long page = sysconf(_SC_PAGESIZE);
	int off, ret, err;

	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return NULL;
	vcpu->vm = vm;
	vcpu->index = index;
	vcpu->h = *h;
	vcpu->run = MAP_FAILED;
	pthread_mutex_init(&vcpu->lock, NULL);
	pthread_cond_init(&vcpu->cond, NULL);

	vcpu->fd = ioctl(kvm_vm_fd(vm), KVM_CREATE_VCPU, index);
	if (vcpu->fd < 0) {
		log_err("KVM_CREATE_VCPU %u: %s", index, strerror(errno));
		goto fail;
	}
	vcpu->run_size = kvm_vm_run_size(vm);
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		log_err("mmap kvm_run: %s", strerror(errno));
		goto fail;
	}
	off = ioctl(kvm_sys_fd(vm), KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (off > 0 && (size_t)off * page < vcpu->run_size) {
		vcpu->ring = (void *)((uint8_t *)vcpu->run + off * page);
		vcpu->ring_max = (page - sizeof(*vcpu->ring)) /
				 sizeof(struct kvm_coalesced_mmio);
	}
	ret = vcpu_set_cpuid(vcpu);
	if (ret < 0) {
		log_err("KVM_SET_CPUID2: %s", strerror(-ret));
		errno = -ret;
		goto fail;
	}
	vcpu_install_kick_handler();
	return vcpu;

fail:
	err = errno;
	kvm_vcpu_destroy(vcpu);
	errno = err;
	return NULL;
}

void kvm_vcpu_destroy(struct kvm_vcpu *vcpu)
{
	if (!vcpu)
		return;
	if (vcpu->run != MAP_FAILED)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	pthread_mutex_destroy(&vcpu->lock);
	pthread_cond_destroy(&vcpu->cond);
	free(vcpu);
}

int kvm_vcpu_fd(const struct kvm_vcpu *vcpu)
{
	return vcpu->fd;
}

unsigned kvm_vcpu_index(const struct kvm_vcpu *vcpu)
{
	return vcpu->index;
}

static void vcpu_seg(struct kvm_segment *s, uint16_t sel, uint8_t type,
		     bool code64)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code64 ? 0 : 1,
		.s = 1,
		.l = code64 ? 1 : 0,
		.g = 1,
	};
}

int kvm_vcpu_set_entry(struct kvm_vcpu *vcpu, const struct vcpu_entry *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	/* The values MACHINE-NOTES.md found to work on this KVM. */
	vcpu_seg(&sregs.cs, 0x08, 0xb, true);
	vcpu_seg(&sregs.ds, 0x10, 0x3, false);
	sregs.es = sregs.ss = sregs.fs = sregs.gs = sregs.ds;
	sregs.tr = (struct kvm_segment){
		.base = e->gdt_base + 0x100,	/* a zeroed TSS next to the GDT */
		.limit = 0x67,
		.selector = 0x40,
		.type = 0xb,			/* busy 64-bit TSS */
		.present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .selector = 0, .type = 2,
					  .unusable = 1 };
	sregs.gdt.base = e->gdt_base;
	sregs.gdt.limit = e->gdt_limit;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = 0x80050033;		/* PG AM WP NE ET MP PE */
	sregs.cr3 = e->cr3;
	sregs.cr4 = 0x620;		/* OSXMMEXCPT OSFXSR PAE */
	sregs.efer = 0x500;		/* LMA LME */
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rip = e->rip;
	regs.rsp = e->rsp;
	regs.rdi = e->rdi;
	regs.rsi = e->rsi;
	regs.rflags = 0x2;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	/* Secondary vCPUs start UNINITIALIZED with the in-kernel irqchip. */
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp) < 0)
		return -errno;
	return 0;
}

/* Replay writes KVM buffered in the coalesced ring, oldest first. */
void kvm_vcpu_drain_coalesced(struct kvm_vcpu *vcpu)
{
	struct kvm_coalesced_mmio_ring *ring = vcpu->ring;
	pthread_mutex_t *lock;

	if (!ring || ring->first == ring->last)
		return;
	lock = kvm_vm_coalesced_lock(vcpu->vm);
	pthread_mutex_lock(lock);
	while (ring->first != ring->last) {
		struct kvm_coalesced_mmio *m;
		uint32_t first = ring->first;

		/* KVM writes the entry before publishing last: acquire. */
		atomic_thread_fence(memory_order_acquire);
		if (first >= vcpu->ring_max)
			break;	/* corrupt ring; nothing sane to do */
		m = &ring->coalesced_mmio[first];
		if (m->len >= 1 && m->len <= 8) {
			if (m->pio)
				vcpu->h.pio(vcpu->h.opaque, (uint16_t)m->phys_addr,
					    m->data, m->len, true);
			else
				vcpu->h.mmio(vcpu->h.opaque, m->phys_addr,
					     m->data, m->len, true);
		}
		atomic_fetch_add_explicit(&vcpu->exits[VCPU_EXIT_COALESCED], 1,
					  memory_order_relaxed);
		/* Done with the entry before handing the slot back. */
		atomic_thread_fence(memory_order_release);
		ring->first = (first + 1) % vcpu->ring_max;
	}
	pthread_mutex_unlock(lock);
}

static void vcpu_count(struct kvm_vcpu *vcpu, enum vcpu_exit_kind k)
{
	atomic_fetch_add_explicit(&vcpu->exits[k], 1, memory_order_relaxed);
}

/* Park here while a pause is requested. */
static void vcpu_maybe_park(struct kvm_vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->lock);
	/*
	 * KVM finishes an I/O or MMIO exit (a read's data into the register,
	 * RIP past the instruction) only inside the next KVM_RUN; state read
	 * before that is mid-instruction (KVM API, KVM_RUN). So a pause
	 * first lets KVM_RUN complete it with immediate_exit set, which runs
	 * no guest instruction, and parks when that returns.
	 */
	if (vcpu->pause_req && vcpu->exit_pending &&
	    !atomic_load(&vcpu->stop_req)) {
		vcpu->run->immediate_exit = 1;
		pthread_mutex_unlock(&vcpu->lock);
		return;
	}
	while (vcpu->pause_req && !atomic_load(&vcpu->stop_req)) {
		vcpu->parked = true;
		pthread_cond_broadcast(&vcpu->cond);
		pthread_cond_wait(&vcpu->cond, &vcpu->lock);
	}
	vcpu->parked = false;
	pthread_mutex_unlock(&vcpu->lock);
}

static enum vcpu_stop vcpu_fail(struct kvm_vcpu *vcpu, enum vcpu_stop why,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum vcpu_stop vcpu_fail(struct kvm_vcpu *vcpu, enum vcpu_stop why,
				const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (vcpu->on_stop)
		vcpu->on_stop(vcpu->on_stop_opaque, vcpu, why, detail);
	else
		log_err("vCPU %u: %s", vcpu->index, detail);
	return why;
}

static enum vcpu_stop vcpu_run_loop(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	for (;;) {
		if (atomic_load(&vcpu->stop_req))
			return VCPU_STOP_REQUESTED;
		vcpu_maybe_park(vcpu);
		if (atomic_load(&vcpu->stop_req))
			return VCPU_STOP_REQUESTED;

		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			int err = errno;

			kvm_vcpu_drain_coalesced(vcpu);
			if (err == EINTR || err == EAGAIN) {
				/* A kick: clear it, then re-check the flags.
				 * Any earlier exit is complete now. */
				run->immediate_exit = 0;
				vcpu->exit_pending = false;
				vcpu_count(vcpu, VCPU_EXIT_INTR);
				continue;
			}
			return vcpu_fail(vcpu, VCPU_STOP_ERROR, "KVM_RUN: %s",
					 strerror(err));
		}
		kvm_vcpu_drain_coalesced(vcpu);
		vcpu->exit_pending = run->exit_reason == KVM_EXIT_IO ||
				     run->exit_reason == KVM_EXIT_MMIO;

		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t *data = (uint8_t *)run + run->io.data_offset;
			uint32_t i;

			vcpu_count(vcpu, VCPU_EXIT_IO);
			/* The data area lies inside the kvm_run mapping. */
			if (run->io.data_offset +
			    (uint64_t)run->io.size * run->io.count >
			    vcpu->run_size)
				return vcpu_fail(vcpu, VCPU_STOP_ERROR,
						 "bad KVM_EXIT_IO layout");
			for (i = 0; i < run->io.count; i++)
				vcpu->h.pio(vcpu->h.opaque, run->io.port,
					    data + i * run->io.size,
					    run->io.size,
					    run->io.direction ==
						    KVM_EXIT_IO_OUT);
			break;
		}
		case KVM_EXIT_MMIO:
			vcpu_count(vcpu, VCPU_EXIT_MMIO);
			if (run->mmio.len > sizeof(run->mmio.data))
				return vcpu_fail(vcpu, VCPU_STOP_ERROR,
						 "bad KVM_EXIT_MMIO length %u",
						 run->mmio.len);
			vcpu->h.mmio(vcpu->h.opaque, run->mmio.phys_addr,
				     run->mmio.data, run->mmio.len,
				     run->mmio.is_write);
			break;
		case KVM_EXIT_HLT:
			vcpu_count(vcpu, VCPU_EXIT_HLT);
			break;
		case KVM_EXIT_INTR:
			vcpu_count(vcpu, VCPU_EXIT_INTR);
			break;
		case KVM_EXIT_SHUTDOWN:
			vcpu_count(vcpu, VCPU_EXIT_SHUTDOWN);
			memset(&regs, 0, sizeof(regs));
			memset(&sregs, 0, sizeof(sregs));
			kvm_vcpu_get_regs(vcpu, &regs, &sregs);
			return vcpu_fail(vcpu, VCPU_STOP_SHUTDOWN,
					 "guest triple fault (shutdown) at "
					 "RIP=%#llx RSP=%#llx CS=%#x CR2=%#llx",
					 regs.rip, regs.rsp, sregs.cs.selector,
					 sregs.cr2);
		case KVM_EXIT_INTERNAL_ERROR:
			vcpu_count(vcpu, VCPU_EXIT_OTHER);
			memset(&regs, 0, sizeof(regs));
			memset(&sregs, 0, sizeof(sregs));
			kvm_vcpu_get_regs(vcpu, &regs, &sregs);
			return vcpu_fail(vcpu, VCPU_STOP_INTERNAL,
					 "KVM internal error %u at RIP=%#llx "
					 "CS=%#x",
					 run->internal.suberror, regs.rip,
					 sregs.cs.selector);
		case KVM_EXIT_FAIL_ENTRY:
			vcpu_count(vcpu, VCPU_EXIT_OTHER);
			return vcpu_fail(vcpu, VCPU_STOP_FAIL_ENTRY,
					 "VM entry failed, reason %#llx",
					 (unsigned long long)run->fail_entry
						 .hardware_entry_failure_reason);
		case KVM_EXIT_SYSTEM_EVENT:
			vcpu_count(vcpu, VCPU_EXIT_OTHER);
			return vcpu_fail(vcpu, VCPU_STOP_SHUTDOWN,
					 "guest system event %u (reset or "
					 "shutdown)", run->system_event.type);
		default:
			vcpu_count(vcpu, VCPU_EXIT_OTHER);
			return vcpu_fail(vcpu, VCPU_STOP_UNHANDLED,
					 "unhandled exit reason %u",
					 run->exit_reason);
		}
	}
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	char name[16];
	sigset_t set;

	snprintf(name, sizeof(name), "vcpu%u", vcpu->index);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	vcpu->why = vcpu_run_loop(vcpu);

	pthread_mutex_lock(&vcpu->lock);
	vcpu->exited = true;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
	return NULL;
}

int kvm_vcpu_start(struct kvm_vcpu *vcpu)
{
	int ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	if (ret)
		return -ret;
	vcpu->started = true;
	return 0;
}

int kvm_vcpu_pin(struct kvm_vcpu *vcpu, int cpu)
{
	cpu_set_t set;

	if (!vcpu->started || cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(vcpu->thread, sizeof(set), &set);
}

static void vcpu_kick(struct kvm_vcpu *vcpu)
{
	/* immediate_exit covers a kick that lands just before KVM_RUN. */
	vcpu->run->immediate_exit = 1;
	if (vcpu->started)
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void kvm_vcpu_stop(struct kvm_vcpu *vcpu)
{
	atomic_store(&vcpu->stop_req, true);
	pthread_mutex_lock(&vcpu->lock);
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
	vcpu_kick(vcpu);
}

enum vcpu_stop kvm_vcpu_join(struct kvm_vcpu *vcpu)
{
	if (!vcpu->started)
		return VCPU_STOP_REQUESTED;
	pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
	return vcpu->why;
}

int kvm_vcpu_pause(struct kvm_vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->lock);
	vcpu->pause_req = true;
	pthread_mutex_unlock(&vcpu->lock);
	vcpu_kick(vcpu);

	pthread_mutex_lock(&vcpu->lock);
	while (vcpu->started && !vcpu->parked && !vcpu->exited)
		pthread_cond_wait(&vcpu->cond, &vcpu->lock);
	pthread_mutex_unlock(&vcpu->lock);
	return 0;
}

void kvm_vcpu_resume(struct kvm_vcpu *vcpu)
{
	pthread_mutex_lock(&vcpu->lock);
	vcpu->pause_req = false;
	pthread_cond_broadcast(&vcpu->cond);
	pthread_mutex_unlock(&vcpu->lock);
}

void kvm_vcpu_on_stop(struct kvm_vcpu *vcpu, vcpu_stop_fn fn, void *opaque)
{
	vcpu->on_stop = fn;
	vcpu->on_stop_opaque = opaque;
}

void kvm_vcpu_exit_counts(const struct kvm_vcpu *vcpu, uint64_t *out)
{
	unsigned i;

	for (i = 0; i < VCPU_EXIT_KINDS; i++)
		out[i] = atomic_load_explicit(&vcpu->exits[i],
					      memory_order_relaxed);
}

int kvm_vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs,
		      struct kvm_sregs *sregs)
{
	if (regs && ioctl(vcpu->fd, KVM_GET_REGS, regs) < 0)
		return -errno;
	if (sregs && ioctl(vcpu->fd, KVM_GET_SREGS, sregs) < 0)
		return -errno;
	return 0;
}
