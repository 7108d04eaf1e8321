// SPDX-License-Identifier: MIT
/*
 * CPU subtests: exceptions caught through the fault fixup, and work run on
 * every secondary CPU.
 *
 * {"event":"test","name":"exceptions","de":0,"pf":14,"pf_err":"0x4",
 *  "pf_cr2":"0x8000000000","gp":13,"ud":6,"ok":true}
 * {"event":"test","name":"smp","ncpus":2,"online":1,"responded":1,
 *  "cpus":[{"cpu":1,"apic_id":1,"us":120}],"ok":true}
 */
#include "apps/selftest.h"
#include "rt/cmdline.h"
#include "rt/errno.h"
#include "rt/fault.h"
#include "rt/lapic.h"
#include "rt/rt.h"
#include "rt/smp.h"
#include "rt/clock.h"
#include "rt/string.h"

/* Beyond every mapping the loaders build (PML4 entry 1): not present. */
#define ST_UNMAPPED_ADDR	0x8000000000ull
#define ST_NONCANONICAL_ADDR	0x8000000000000000ull

enum st_exc {
	ST_EXC_DE,
	ST_EXC_PF,
	ST_EXC_GP,
	ST_EXC_UD,
};

static __attribute__((noinline)) void st_exc_trigger(enum st_exc kind)
{
	switch (kind) {
	case ST_EXC_DE:
		__asm__ volatile("divl %%ecx"
				 : : "a"(1), "d"(0), "c"(0) : "memory");
		break;
	case ST_EXC_PF:
		(void)*(volatile uint64_t *)ST_UNMAPPED_ADDR;
		break;
	case ST_EXC_GP:
		(void)*(volatile uint64_t *)ST_NONCANONICAL_ADDR;
		break;
	case ST_EXC_UD:
		__asm__ volatile("ud2" ::: "memory");
		break;
	}
}

/* Vector caught, or -1 when nothing faulted. */
static __attribute__((noinline)) int st_exc_catch(enum st_exc kind)
{
	int r = fault_try();

	if (r)
		return r - 1;
	st_exc_trigger(kind);
	fault_disarm();
	return -1;
}

enum st_outcome st_exceptions(void)
{
	struct fault_info pf;
	struct json j;
	int de, pfv, gp, ud = -1;
	bool test_ud = cmdline_get_u64("ud", 1) != 0;
	bool ok;

	de = st_exc_catch(ST_EXC_DE);
	pfv = st_exc_catch(ST_EXC_PF);
	pf = fault_last();
	gp = st_exc_catch(ST_EXC_GP);
	/* Last, and optional (ud=0): some hypervisors give ud2 a meaning of
	 * their own. PVM passes a CPL3 #UD to the guest like any fault. */
	if (test_ud)
		ud = st_exc_catch(ST_EXC_UD);

	ok = de == 0 && pfv == 14 && gp == 13 && (!test_ud || ud == 6) &&
	     pf.cr2 == ST_UNMAPPED_ADDR && (pf.err & 0x5) == 0x4;
	st_begin(&j, "exceptions");
	json_kv_i64(&j, "de", de);
	json_kv_i64(&j, "pf", pfv);
	json_kv_hex(&j, "pf_err", pf.err);
	json_kv_hex(&j, "pf_cr2", pf.cr2);
	json_kv_i64(&j, "gp", gp);
	if (test_ud)
		json_kv_i64(&j, "ud", ud);
	return st_end(&j, ok);
}

void st_fault_unarmed(const char *kind)
{
	if (!strcmp(kind, "de"))
		st_exc_trigger(ST_EXC_DE);
	else if (!strcmp(kind, "pf"))
		st_exc_trigger(ST_EXC_PF);
	else if (!strcmp(kind, "gp"))
		st_exc_trigger(ST_EXC_GP);
	else if (!strcmp(kind, "ud"))
		st_exc_trigger(ST_EXC_UD);
}

/* On the AP: its APIC ID and a checksum the boot CPU can verify. */
static uint64_t st_smp_work(void *arg)
{
	uint64_t cpu = (uint64_t)(uintptr_t)arg, sum = 0, i;

	for (i = 1; i <= 1000; i++)
		sum += i;
	return (uint64_t)lapic_id() << 32 | (sum + cpu);
}

enum st_outcome st_smp(void)
{
	unsigned int ncpus = rt_boot_info()->ncpus, up, cpu, responded = 0;
	struct json j;

	if (ncpus < 2)
		return st_skip("smp", "single cpu");
	if (ncpus > KCPU_MAX)
		ncpus = KCPU_MAX;
	up = smp_wait_online(ncpus, 1000000);

	st_begin(&j, "smp");
	json_kv_u64(&j, "ncpus", rt_boot_info()->ncpus);
	json_kv_u64(&j, "online", up);
	json_arr_begin(&j, "cpus");
	for (cpu = 1; cpu < ncpus; cpu++) {
		uint64_t res = 0, t0 = clock_tsc();
		int err = smp_call(cpu, st_smp_work, (void *)(uintptr_t)cpu,
				   1000000, &res);
		bool good = err == 0 && (uint32_t)res == 500500 + cpu &&
			    (int64_t)(res >> 32) == smp_apic_id(cpu);

		responded += good;
		json_obj_begin(&j, NULL);
		json_kv_u64(&j, "cpu", cpu);
		json_kv_i64(&j, "apic_id", smp_apic_id(cpu));
		json_kv_i64(&j, "err", err);
		json_kv_u64(&j, "us", clock_tsc_to_ns(clock_tsc() - t0) / 1000);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kv_u64(&j, "responded", responded);
	return st_end(&j, responded == ncpus - 1);
}
