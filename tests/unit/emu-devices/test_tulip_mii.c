// SPDX-License-Identifier: MIT
/*
 * The MII PHY through CSR9, bit-banged as Linux's tulip driver does it
 * (media.c tulip_mdio_read / tulip_mdio_write for the 21140, rebuilt
 * here) and as a driver without delay reads would: BMSR link and
 * autonegotiation, PHY identity, absent addresses, writes, BMCR reset,
 * the latched-low link bit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/unit/emu-devices/tulip_test_env.h"

/* Linux media.c */
#define MDIO_SHIFT_CLK		0x10000
#define MDIO_DATA_WRITE1	0x20000
#define MDIO_ENB		0x00000
#define MDIO_ENB_IN		0x40000
#define MDIO_DATA_READ		0x80000

static int linux_mdio_read(struct tenv *te, int phy_id, int location)
{
	int read_cmd = (0xf6 << 10) | ((phy_id & 0x1f) << 5) | location;
	int retval = 0;

	for (int i = 32; i >= 0; i--) {
		csr_w(te, 9, MDIO_ENB | MDIO_DATA_WRITE1);
		csr_r(te, 9);
		csr_w(te, 9, MDIO_ENB | MDIO_DATA_WRITE1 | MDIO_SHIFT_CLK);
		csr_r(te, 9);
	}
	for (int i = 15; i >= 0; i--) {
		int dataval = (read_cmd & (1 << i)) ? MDIO_DATA_WRITE1 : 0;

		csr_w(te, 9, MDIO_ENB | dataval);
		csr_r(te, 9);
		csr_w(te, 9, MDIO_ENB | dataval | MDIO_SHIFT_CLK);
		csr_r(te, 9);
	}
	for (int i = 19; i > 0; i--) {
		csr_w(te, 9, MDIO_ENB_IN);
		csr_r(te, 9);
		retval = (retval << 1) |
			 ((csr_r(te, 9) & MDIO_DATA_READ) ? 1 : 0);
		csr_w(te, 9, MDIO_ENB_IN | MDIO_SHIFT_CLK);
		csr_r(te, 9);
	}
	return (retval >> 1) & 0xffff;
}

static void linux_mdio_write(struct tenv *te, int phy_id, int location,
			     int val)
{
	uint32_t cmd = (0x5002u << 16) | ((uint32_t)(phy_id & 0x1f) << 23) |
		       ((uint32_t)location << 18) | (val & 0xffff);

	for (int i = 32; i >= 0; i--) {
		csr_w(te, 9, MDIO_ENB | MDIO_DATA_WRITE1);
		csr_w(te, 9, MDIO_ENB | MDIO_DATA_WRITE1 | MDIO_SHIFT_CLK);
	}
	for (int i = 31; i >= 0; i--) {
		uint32_t dataval = (cmd & (1u << i)) ? MDIO_DATA_WRITE1 : 0;

		csr_w(te, 9, MDIO_ENB | dataval);
		csr_w(te, 9, MDIO_ENB | dataval | MDIO_SHIFT_CLK);
	}
	for (int i = 2; i > 0; i--) {
		csr_w(te, 9, MDIO_ENB_IN);
		csr_w(te, 9, MDIO_ENB_IN | MDIO_SHIFT_CLK);
	}
}

static void test_linux_reads_bmsr_and_id(void **state)
{
	struct tenv *te = *state;
	int bmsr = linux_mdio_read(te, 1, MII_BMSR);

	assert_true(bmsr & MII_BMSR_LSTATUS);
	assert_true(bmsr & MII_BMSR_ANEGCOMPLETE);
	assert_true(bmsr & MII_BMSR_100FULL);
	assert_int_equal(linux_mdio_read(te, 1, MII_PHYSID1), 0x2000);
	assert_int_equal(linux_mdio_read(te, 1, MII_PHYSID2), 0x5c01);
	assert_int_equal(linux_mdio_read(te, 1, MII_BMCR),
			 MII_BMCR_SPEED100 | MII_BMCR_ANENABLE |
				 MII_BMCR_FULLDPLX);
	assert_int_equal(linux_mdio_read(te, 1, MII_ANLPAR) & 0x01e0, 0x01e0);
	/* Nobody at address 5: MDIO floats high. */
	assert_int_equal(linux_mdio_read(te, 5, MII_BMSR), 0xffff);
}

static void test_find_mii_scan(void **state)
{
	struct tenv *te = *state;
	int found = -1;

	/* tulip_find_mii: 1..31 then 0; skip all-ones and all-zeros. */
	for (int phyn = 1; phyn <= 32 && found < 0; phyn++) {
		int s = linux_mdio_read(te, phyn & 0x1f, MII_BMSR);

		if (s != 0xffff && s != 0)
			found = phyn & 0x1f;
	}
	assert_int_equal(found, 1);
}

static void test_writes_and_reset(void **state)
{
	struct tenv *te = *state;

	linux_mdio_write(te, 1, MII_ANAR, 0x0181);
	assert_int_equal(linux_mdio_read(te, 1, MII_ANAR), 0x0181);
	/* To another address: ours is unchanged. */
	linux_mdio_write(te, 3, MII_ANAR, 0x0021);
	assert_int_equal(linux_mdio_read(te, 1, MII_ANAR), 0x0181);
	/* BMCR reset: registers back to defaults, the bit self-clears. */
	linux_mdio_write(te, 1, MII_BMCR, MII_BMCR_RESET);
	assert_int_equal(linux_mdio_read(te, 1, MII_BMCR) & MII_BMCR_RESET, 0);
	assert_int_equal(linux_mdio_read(te, 1, MII_ANAR), 0x01e1);
	/* Autonegotiation off: BMSR no longer says it completed. */
	linux_mdio_write(te, 1, MII_BMCR, MII_BMCR_SPEED100);
	assert_false(linux_mdio_read(te, 1, MII_BMSR) & MII_BMSR_ANEGCOMPLETE);
}

static void test_link_latched_low(void **state)
{
	struct tenv *te = *state;

	tulip_set_link(te->vd, false);
	tulip_set_link(te->vd, true);
	/* The drop is reported once, then the current state. */
	assert_false(linux_mdio_read(te, 1, MII_BMSR) & MII_BMSR_LSTATUS);
	assert_true(linux_mdio_read(te, 1, MII_BMSR) & MII_BMSR_LSTATUS);
	tulip_set_link(te->vd, false);
	assert_false(linux_mdio_read(te, 1, MII_BMSR) & MII_BMSR_LSTATUS);
	assert_false(linux_mdio_read(te, 1, MII_BMSR) & MII_BMSR_LSTATUS);
	assert_int_equal(linux_mdio_read(te, 1, MII_ANLPAR), 0);
}

/* Without the delay reads and with only a 16-bit command. */
static void test_fast_driver_read(void **state)
{
	struct tenv *te = *state;
	uint32_t cmd = 0xf6u << 10 | 1u << 5 | MII_PHYSID1, v = 0;

	for (int i = 15; i >= 0; i--) {
		uint32_t d = (cmd >> i) & 1 ? CSR9_MDO : 0;

		csr_w(te, 9, d);
		csr_w(te, 9, d | CSR9_MDC);
	}
	for (int i = 19; i > 0; i--) {
		csr_w(te, 9, CSR9_MII);
		v = v << 1 | !!(csr_r(te, 9) & CSR9_MDI);
		csr_w(te, 9, CSR9_MII | CSR9_MDC);
	}
	assert_int_equal((v >> 1) & 0xffff, 0x2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, te_setup, te_teardown)
		T(test_linux_reads_bmsr_and_id),
		T(test_find_mii_scan),
		T(test_writes_and_reset),
		T(test_link_latched_low),
		T(test_fast_driver_read),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
