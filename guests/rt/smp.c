// SPDX-License-Identifier: MIT
#include "rt/smp.h"

#include "kernel/kcpu.h"
#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/irq.h"
#include "rt/lapic.h"

/* One cache line per CPU: the boot CPU writes fn/arg/seq, the AP
 * apic_id/online/result/done. */
struct smp_mbox {
	uint32_t online;
	uint32_t apic_id;
	uint64_t seq;
	uint64_t done;
	smp_fn fn;
	void *arg;
	uint64_t result;
} __attribute__((aligned(64)));

static struct smp_mbox smp_mbox[KCPU_MAX];

void smp_ap_main(unsigned int cpu)
{
	struct smp_mbox *m = &smp_mbox[cpu];

	m->apic_id = lapic_id();
	__atomic_store_n(&m->online, 1, __ATOMIC_RELEASE);
	for (;;) {
		uint64_t seq = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE);

		if (seq != m->done) {
			m->result = m->fn(m->arg);
			__atomic_store_n(&m->done, seq, __ATOMIC_RELEASE);
			continue;
		}
		/* The IPI may land before this sleeps: the pending bit then
		 * makes the sleep return at once. */
		irq_wait_until(IRQ_WAIT_FOREVER);
	}
}

unsigned int smp_wait_online(unsigned int ncpus, uint64_t timeout_us)
{
	uint64_t end = clock_tsc() + clock_ns_to_tsc(timeout_us * 1000);
	unsigned int up, i;

	if (ncpus > KCPU_MAX)
		ncpus = KCPU_MAX;
	for (;;) {
		up = 0;
		for (i = 1; i < ncpus; i++)
			up += __atomic_load_n(&smp_mbox[i].online,
					      __ATOMIC_ACQUIRE);
		if (up == ncpus - 1 || clock_tsc() >= end)
			return up;
		cpu_relax();
	}
}

int64_t smp_apic_id(unsigned int cpu)
{
	if (cpu >= KCPU_MAX ||
	    !__atomic_load_n(&smp_mbox[cpu].online, __ATOMIC_ACQUIRE))
		return -1;
	return smp_mbox[cpu].apic_id;
}

int smp_call(unsigned int cpu, smp_fn fn, void *arg, uint64_t timeout_us,
	     uint64_t *result)
{
	struct smp_mbox *m;
	uint64_t seq, end;

	if (cpu == 0 || smp_apic_id(cpu) < 0)
		return -ENODEV;
	m = &smp_mbox[cpu];
	if (__atomic_load_n(&m->done, __ATOMIC_ACQUIRE) != m->seq)
		return -ETIMEDOUT;	/* an earlier call still runs */
	m->fn = fn;
	m->arg = arg;
	seq = m->seq + 1;
	__atomic_store_n(&m->seq, seq, __ATOMIC_RELEASE);
	lapic_ipi(m->apic_id, IRQ_VEC_WAKE);
	end = clock_tsc() + clock_ns_to_tsc(timeout_us * 1000);
	while (__atomic_load_n(&m->done, __ATOMIC_ACQUIRE) != seq) {
		if (clock_tsc() >= end)
			return -ETIMEDOUT;
		cpu_relax();
	}
	*result = m->result;
	return 0;
}
