// SPDX-License-Identifier: MIT
/*
 * 21140A registers: PCI identity, reset values, CSR5 write-one-to-clear
 * and summaries, CSR7 masks driving INTA# and MSI, CSR8, CSR11, CSR12,
 * both BARs, software reset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/unit/emu-devices/tulip_test_env.h"

static unsigned find_cap(struct pci_dev *pd, unsigned id)
{
	unsigned cap = pci_cfg_read(pd, PCI_CAPABILITY_LIST, 1);

	for (int n = 0; cap && n < 48; n++) {
		if (pci_cfg_read(pd, cap, 1) == id)
			return cap;
		cap = pci_cfg_read(pd, cap + PCI_CAP_LIST_NEXT, 1);
	}
	return 0;
}

static void test_pci_identity(void **state)
{
	struct tenv *te = *state;

	assert_int_equal(pci_cfg_read(te->pd, PCI_VENDOR_ID, 2), 0x1011);
	assert_int_equal(pci_cfg_read(te->pd, PCI_DEVICE_ID, 2), 0x0009);
	assert_int_equal(pci_cfg_read(te->pd, PCI_REVISION_ID, 1), 0x22);
	assert_int_equal(pci_cfg_read(te->pd, PCI_CLASS_REVISION, 4) >> 8,
			 0x020000);
	assert_int_equal(pci_cfg_read(te->pd, PCI_SUBSYSTEM_VENDOR_ID, 2),
			 0x6970);
	assert_int_equal(pci_cfg_read(te->pd, PCI_INTERRUPT_PIN, 1), 1);
	assert_int_equal(pci_cfg_read(te->pd, PCI_MIN_GNT, 1), 0x14);
	assert_int_equal(pci_cfg_read(te->pd, PCI_MAX_LAT, 1), 0x28);
	/* BAR0 I/O, BAR1 memory. */
	assert_int_equal(pci_cfg_read(te->pd, PCI_BASE_ADDRESS_0, 4) & 1, 1);
	assert_int_equal(pci_cfg_read(te->pd, PCI_BASE_ADDRESS_1, 4) & 1, 0);
	assert_true(te->io != 0 && te->mmio != 0);
	/* The iopath extension: an MSI capability. */
	assert_int_not_equal(find_cap(te->pd, PCI_CAP_ID_MSI), 0);
	/* CFDD at 40h: sleep/snooze bits read back. */
	pci_cfg_write(te->pd, TULIP_CFDD, 4, TULIP_CFDD_SNOOZE | 0x1234);
	assert_int_equal(pci_cfg_read(te->pd, TULIP_CFDD, 4),
			 TULIP_CFDD_SNOOZE | 0x1200);
}

static void test_reset_values(void **state)
{
	struct tenv *te = *state;
	uint32_t csr5 = csr_r(te, 5);

	assert_int_equal(csr_r(te, 0), 0xfe000000u);
	assert_int_equal(csr5 & CSR5_W1C_ALL, 0);
	assert_int_equal(csr5_ts(csr5), TS_STOPPED);
	assert_int_equal(csr5_rs(csr5), RS_STOPPED);
	assert_int_equal(csr_r(te, 6), 0x32000040u);
	assert_int_equal(csr_r(te, 7), 0);
	assert_int_equal(csr_r(te, 8), 0);
	assert_int_equal(csr_r(te, 11), 0);
	assert_false(te_intx(te));
}

static void test_both_bars(void **state)
{
	struct tenv *te = *state;

	csr_w(te, 3, 0x1000);
	assert_int_equal(te_in(te, 3), 0x1000);
	te_out(te, 4, 0x2003);	/* low two bits are not address bits */
	assert_int_equal(csr_r(te, 4), 0x2000);
	/* Narrow reads give the bytes asked for; narrow writes do nothing. */
	assert_int_equal(env_in(te->e, (uint16_t)(te->io + TULIP_CSR(0) + 3),
				1), 0xfe);
	env_out(te->e, (uint16_t)(te->io + TULIP_CSR(3)), 2, 0xffff);
	assert_int_equal(csr_r(te, 3), 0x1000);
	/* Past the CSRs in the memory BAR: all ones. */
	assert_int_equal((uint32_t)env_mmio_read(te->e, te->mmio + 0x100, 4,
						 NULL), 0xffffffffu);
}

static void test_csr5_w1c_and_summaries(void **state)
{
	struct tenv *te = *state;
	struct tulip *t = te->t;

	/* Disabled causes set their bits but no summary. */
	pthread_mutex_lock(&t->lock);
	tulip_status_set(t, CSR5_RI | CSR5_GTE);
	pthread_mutex_unlock(&t->lock);
	assert_int_equal(csr_r(te, 5) & CSR5_W1C_ALL, CSR5_RI | CSR5_GTE);
	/* Enabling RI (not NIE yet) sets NIS: it sums enabled members. */
	csr_w(te, 7, CSR5_RI);
	assert_true(csr_r(te, 5) & CSR5_NIS);
	assert_false(csr_r(te, 5) & CSR5_AIS);
	assert_false(te_intx(te));
	/* NIE: now INTA# is asserted. */
	csr_w(te, 7, CSR5_RI | CSR5_NIS);
	assert_true(te_intx(te));
	/* Clearing RI alone: NIS is sticky, the line stays up. */
	csr_w(te, 5, CSR5_RI);
	assert_int_equal(csr_r(te, 5) & CSR5_W1C_ALL, CSR5_GTE | CSR5_NIS);
	assert_true(te_intx(te));
	csr_w(te, 5, CSR5_NIS);
	assert_false(te_intx(te));
	/* Abnormal side: GTE with AIE. */
	csr_w(te, 7, CSR5_GTE | CSR5_AIS);
	assert_true(csr_r(te, 5) & CSR5_AIS);
	assert_true(te_intx(te));
	/* Writing zeros clears nothing; the whole word clears all. */
	csr_w(te, 5, 0);
	assert_true(te_intx(te));
	csr_w(te, 5, CSR5_W1C_ALL);
	assert_int_equal(csr_r(te, 5) & CSR5_W1C_ALL, 0);
	assert_false(te_intx(te));
}

static void test_msi(void **state)
{
	struct tenv *te = *state;
	unsigned msi = find_cap(te->pd, PCI_CAP_ID_MSI);
	int route = -1;

	pci_cfg_write(te->pd, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	pci_cfg_write(te->pd, msi + PCI_MSI_DATA_64, 2, 0x41);
	pci_cfg_write(te->pd, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		if (fake_kvm.routes[g].used && fake_kvm.routes[g].data == 0x41)
			route = (int)g;
	assert_true(route >= 0);
	csr_w(te, 7, CSR5_RI | CSR5_TI | CSR5_NIS);
	pthread_mutex_lock(&te->t->lock);
	tulip_status_set(te->t, CSR5_RI);
	/* RI again before the ack: already pending, no second message. */
	tulip_status_set(te->t, CSR5_RI);
	pthread_mutex_unlock(&te->t->lock);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)route), 1);
	assert_false(te_intx(te));	/* MSI on: the pin stays quiet */
	/* A different cause while RI is pending: a new message. */
	pthread_mutex_lock(&te->t->lock);
	tulip_status_set(te->t, CSR5_TI);
	pthread_mutex_unlock(&te->t->lock);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)route), 1);
	/* Ack everything; the next RI is new again. */
	csr_w(te, 5, csr_r(te, 5) & CSR5_W1C_ALL);
	pthread_mutex_lock(&te->t->lock);
	tulip_status_set(te->t, CSR5_RI);
	pthread_mutex_unlock(&te->t->lock);
	assert_int_equal(fake_kvm_irqfd_take((unsigned)route), 1);
}

static void test_csr8_read_clears(void **state)
{
	struct tenv *te = *state;

	te->t->missed = 5;
	assert_int_equal(csr_r(te, 8), 5);
	assert_int_equal(csr_r(te, 8), 0);
	te->t->missed = CSR8_MFC_MASK;
	te->t->missed_ovf = true;
	assert_int_equal(csr_r(te, 8), CSR8_MFC_MASK | CSR8_MFO);
	assert_int_equal(csr_r(te, 8), 0);
}

static void test_gpt(void **state)
{
	struct tenv *te = *state;
	uint32_t v;

	csr_w(te, 11, CSR11_CON | 1000);
	v = csr_r(te, 11);
	assert_true(v & CSR11_CON);
	assert_true((v & CSR11_VALUE_MASK) > 0 &&
		    (v & CSR11_VALUE_MASK) <= 1000);
	/* The event loop calls this when the timerfd fires. */
	csr_w(te, 7, CSR5_GTE | CSR5_AIS);
	pthread_mutex_lock(&te->t->lock);
	tulip_gpt_expired(te->t);
	pthread_mutex_unlock(&te->t->lock);
	assert_true(csr_r(te, 5) & CSR5_GTE);
	assert_true(te_intx(te));
	csr_w(te, 11, 0);
	assert_int_equal(csr_r(te, 11), 0);
}

static void test_gpio(void **state)
{
	struct tenv *te = *state;

	/* Direction first (GPC), as Linux does with the SROM's value. */
	csr_w(te, 12, CSR12_GPC | 0x0f);
	csr_w(te, 12, 0x05);
	/* Outputs read back; input pin 7 senses link. */
	assert_int_equal(csr_r(te, 12), 0x85);
	tulip_set_link(te->vd, false);
	assert_int_equal(csr_r(te, 12), 0x05);
	/* Pin 7 as an output reads what was written. */
	csr_w(te, 12, CSR12_GPC | 0xff);
	csr_w(te, 12, 0x80);
	assert_int_equal(csr_r(te, 12), 0x80);
}

static void test_software_reset(void **state)
{
	struct tenv *te = *state;

	csr_w(te, 3, 0x4000);
	csr_w(te, 7, CSR5_GTE | CSR5_AIS);
	pthread_mutex_lock(&te->t->lock);
	tulip_status_set(te->t, CSR5_GTE);
	pthread_mutex_unlock(&te->t->lock);
	assert_true(te_intx(te));
	csr_w(te, 6, CSR6_MBO | CSR6_PS | CSR6_SR | CSR6_ST);
	csr_w(te, 0, CSR0_SWR);
	assert_int_equal(csr_r(te, 0), 0xfe000000u);	/* SWR self-clears */
	assert_int_equal(csr_r(te, 3), 0);
	assert_int_equal(csr_r(te, 5) & CSR5_W1C_ALL, 0);
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_STOPPED);
	assert_int_equal(csr_r(te, 6), 0x32000040u | CSR6_PS);
	assert_false(te_intx(te));
}

static void test_csr6_start_stop(void **state)
{
	struct tenv *te = *state;
	uint32_t csr5;

	csr_w(te, 3, 0x1000);
	csr_w(te, 4, 0x2000);	/* empty list: descriptors are host-owned */
	csr_w(te, 6, CSR6_MBO | CSR6_SR | CSR6_ST);
	csr5 = csr_r(te, 5);
	assert_int_equal(csr5_rs(csr5), RS_WAIT);
	assert_int_equal(csr5_ts(csr5), TS_SUSPENDED);
	assert_true(csr5 & CSR5_TU);
	csr_w(te, 6, CSR6_MBO);
	csr5 = csr_r(te, 5);
	assert_int_equal(csr5_rs(csr5), RS_STOPPED);
	assert_int_equal(csr5_ts(csr5), TS_STOPPED);
	assert_true(csr5 & CSR5_TPS);
	assert_true(csr5 & CSR5_RPS);
	/* HP/HO/IF are read-only: the setup frame sets them. */
	csr_w(te, 6, CSR6_MBO | CSR6_HP | CSR6_HO | CSR6_IF);
	assert_int_equal(csr_r(te, 6) & CSR6_FILTER_RO, 0);
}

static void test_stats(void **state)
{
	struct tenv *te = *state;
	json_t *st;

	csr_r(te, 5);
	csr_r(te, 5);
	csr_w(te, 1, 0);
	st = tulip_stats(te->vd);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(st, "csr_reads"), "csr5")), 2);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(st, "csr_writes"), "csr1")), 1);
	assert_int_equal(json_integer_value(json_object_get(st, "csr_exits")),
			 3);
	json_decref(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, te_setup, te_teardown)
		T(test_pci_identity),
		T(test_reset_values),
		T(test_both_bars),
		T(test_csr5_w1c_and_summaries),
		T(test_msi),
		T(test_csr8_read_clears),
		T(test_gpt),
		T(test_gpio),
		T(test_software_reset),
		T(test_csr6_start_stop),
		T(test_stats),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
