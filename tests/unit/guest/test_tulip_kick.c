// SPDX-License-Identifier: MIT
/*
 * The guest 21140 driver's transmit kicks (guests/drivers/tulip_ring.c):
 * when it writes CSR1 (a transmit poll demand, one VM exit) and when it
 * leaves the frames to the chip's own transmit automatic polling (CSR0
 * TAP). The chip here is a fake behind the driver's register accessors
 * (tests/unit/guest/fake_io/rt/io.h): a CSR1 write, or the test calling
 * chip_poll() as TAP would, takes every descriptor the driver handed
 * over. Time is the test's: it sets the driver's kick gap to 0 (a kick is
 * always due) or to "never".
 *
 * What it shows: without TAP every burst kicks, as before; with TAP a
 * burst kicks when a kick is due or when it is a single frame, and
 * otherwise not; a chip not yet seen polling gets a kick before the
 * driver sleeps, so frames are never stranded on one that ignores TAP
 * (QEMU's); once the chip was seen taking frames nobody kicked,
 * sleeping costs no kick; and a spinning driver kicks frames the chip
 * left alone for a gap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fake_rt.h"

#include "drivers/tulip_priv.h"
#include "rt/alloc.h"

#define ARENA_SIZE	(16u << 20)
#define POOL		1024	/* each test's RX ring takes 64 */
#define NEVER		(1ull << 62)

/* ---- the guest runtime, faked ---- */

/* Allocator and clock: fake_rt.c. */
static uint8_t *arena;

/* ---- the chip ---- */

static struct tulip drv;
static uint8_t bar[128];
static unsigned csr1_writes, csr5_writes, other_writes;
static uint32_t chip_tx;	/* next descriptor the chip looks at */

/* Take every descriptor the driver owns to us, in order. */
static void chip_poll(void)
{
	for (;;) {
		struct tulip_desc *d = &drv.tx_ring[chip_tx &
						    (drv.tx_size - 1)];

		if (!(d->des0 & TULIP_DES0_OWN))
			return;
		d->des0 = 0;
		chip_tx++;
	}
}

void fake_mmio_write32(volatile void *addr, uint32_t v)
{
	unsigned off = (unsigned)((volatile uint8_t *)addr - bar);

	(void)v;
	if (off == TULIP_CSR(1)) {
		csr1_writes++;
		chip_poll();
	} else if (off == TULIP_CSR(5)) {
		csr5_writes++;
	} else {
		other_writes++;
	}
}

uint32_t fake_mmio_read32(const volatile void *addr)
{
	(void)addr;
	return 0;
}

void fake_outl(uint16_t port, uint32_t v)
{
	(void)port;
	(void)v;
	fail_msg("the driver under test uses the memory BAR");
}

uint32_t fake_inl(uint16_t port)
{
	(void)port;
	fail_msg("the driver under test uses the memory BAR");
	return 0;
}

/* ---- set-up ---- */

static int group_setup(void **state)
{
	(void)state;
	/* Below 4 GiB: the driver hands the chip 32-bit addresses. */
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (arena == MAP_FAILED)
		return -1;
	fake_rt_arena(arena, ARENA_SIZE);
	return pkt_pool_init(POOL);
}

static int group_teardown(void **state)
{
	(void)state;
	munmap(arena, ARENA_SIZE);
	return 0;
}

/* A driver as tulip_probe leaves it, TAP set or not, nothing sent. */
static void drv_up(bool tap, uint64_t gap)
{
	memset(&drv, 0, sizeof(drv));
	drv.mmio = bar;
	drv.nd.mode = NETDEV_MODE_ADAPTIVE;
	drv.tap = tap;
	assert_int_equal(tulip_rings_alloc(&drv, 64, 64), 0);
	chip_tx = 0;
	/* As in tulip_probe: the setup frame goes when transmission
	 * starts, no kick involved. */
	tulip_setup_frame_queue(&drv);
	chip_poll();
	assert_true(tulip_tx_drain(&drv, 1000));
	tulip_tx_kick_init(&drv);
	assert_false(drv.tap_seen);
	drv.kick_gap_tsc = gap;
	csr1_writes = csr5_writes = other_writes = 0;
}

/* Let the chip finish and the driver reclaim (and free) every frame. */
static void drv_down(void)
{
	chip_poll();
	tulip_ready(&drv.nd);
	assert_int_equal(drv.tx_clean, drv.tx_prod);
}

/* Send @n frames in one burst; all must be taken by the driver. */
static void send(unsigned n)
{
	struct pkt *p[32];

	for (unsigned i = 0; i < n; i++) {
		p[i] = pkt_alloc();
		assert_non_null(p[i]);
		p[i]->len = 64;
	}
	assert_int_equal(tulip_tx_burst(&drv.nd, p, (uint16_t)n), n);
}

static unsigned chip_has(void)
{
	return drv.tx_prod - chip_tx;
}

/* ---- tests ---- */

static void test_no_tap_kicks_every_burst(void **state)
{
	(void)state;
	drv_up(false, NEVER);
	for (unsigned i = 0; i < 5; i++)
		send(4);
	assert_int_equal(csr1_writes, 5);
	assert_int_equal(chip_has(), 0);
	drv_down();
}

static void test_tap_kicks_when_due(void **state)
{
	(void)state;
	drv_up(true, 0);
	send(4);
	send(4);
	assert_int_equal(csr1_writes, 2);
	assert_int_equal(chip_has(), 0);
	drv_down();
}

static void test_tap_leaves_frames_to_the_chip(void **state)
{
	(void)state;
	drv_up(true, NEVER);
	send(8);
	send(8);
	assert_int_equal(csr1_writes, 0);
	assert_int_equal(chip_has(), 16);
	/* Spinning costs nothing while no gap has passed. */
	assert_int_equal(tulip_ready(&drv.nd) & NETDEV_EV_TX, 0);
	assert_int_equal(csr1_writes, 0);
	/* The chip's own poll takes them; the driver sees it did. */
	chip_poll();
	assert_true(tulip_ready(&drv.nd) & NETDEV_EV_TX);
	assert_true(drv.tap_seen);
	/* From now on a sleep with frames outstanding needs no kick. */
	send(8);
	tulip_arm(&drv.nd, NETDEV_EV_RX);
	assert_int_equal(csr1_writes, 0);
	assert_int_equal(chip_has(), 8);
	/* A lone frame (a reply, a FIN) goes at once, with the rest. */
	send(1);
	assert_int_equal(csr1_writes, 1);
	assert_int_equal(chip_has(), 0);
	drv_down();
}

static void test_kick_before_sleep_until_chip_polls(void **state)
{
	(void)state;
	drv_up(true, NEVER);
	send(8);
	assert_int_equal(csr1_writes, 0);
	/* A chip that ignores TAP (QEMU's) would keep these forever. */
	tulip_arm(&drv.nd, NETDEV_EV_RX);
	assert_int_equal(csr1_writes, 1);
	assert_int_equal(chip_has(), 0);
	assert_false(drv.tap_seen);
	/* Nothing outstanding: no kick. */
	tulip_ready(&drv.nd);
	tulip_arm(&drv.nd, NETDEV_EV_RX);
	assert_int_equal(csr1_writes, 1);
	/* Frames the kick covered are no evidence that the chip polls. */
	assert_false(drv.tap_seen);
	drv_down();
}

static void test_spinning_driver_kicks_after_a_gap(void **state)
{
	(void)state;
	drv_up(true, NEVER);
	send(8);
	assert_int_equal(csr1_writes, 0);
	/* A gap passes with the frames still the chip's. */
	drv.kick_gap_tsc = 0;
	tulip_ready(&drv.nd);
	assert_int_equal(csr1_writes, 1);
	assert_int_equal(chip_has(), 0);
	/* And nothing is kicked when nothing is outstanding. */
	tulip_ready(&drv.nd);
	assert_int_equal(csr1_writes, 1);
	assert_int_equal(csr5_writes + other_writes, 0);
	drv_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_tap_kicks_every_burst),
		cmocka_unit_test(test_tap_kicks_when_due),
		cmocka_unit_test(test_tap_leaves_frames_to_the_chip),
		cmocka_unit_test(test_kick_before_sleep_until_chip_polls),
		cmocka_unit_test(test_spinning_driver_kicks_after_a_gap),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
