// SPDX-License-Identifier: MIT
/*
 * Interrupt subtests: the LAPIC timer, sleeping in the kernel until a
 * deadline, and MSI/MSI-X from iopath's testdev (emu-devices/testdev_regs.h).
 *
 * {"event":"test","name":"timer","period_us":1000,"elapsed_us":50003,
 *  "ticks":50,"expect":50,"stray":0,"ok":true}
 * {"event":"test","name":"sleep","rounds":5,"sleep_us":2000,
 *  "late_us_min":12,"late_us_max":80,"irq_wakeups":5,"ok":true}
 * {"event":"test","name":"msi","vector":64,"rounds":10,"delivered":10,
 *  "raised":10,"sleep":{"n":10,"avg_us":80,"min_us":60,"max_us":300},
 *  "poll":{...},"ok":true}
 * {"event":"test","name":"msix","vectors":4,"delivered":4,"raised":4,...}
 */
#include "apps/selftest.h"
#include "emu-devices/testdev_regs.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/io.h"
#include "rt/irq.h"
#include "rt/lapic.h"
#include "rt/msi.h"
#include "rt/pci.h"
#include "rt/timer.h"

#define ST_TIMER_WINDOW_MS	50
#define ST_SLEEP_ROUNDS		5
#define ST_SLEEP_US		2000
#define ST_MSI_TIMEOUT_US	100000
#define ST_MSI_ROUNDS		10

static void st_count_irq(void *arg, unsigned int vector)
{
	(void)vector;
	(*(volatile uint64_t *)arg)++;
}

/* One window of the periodic timer: 1 if its tick count is plausible, 0
 * if not, -1 if the timer is taken.
 * Generous: when the host deschedules the vCPU (a loaded CI machine,
 * TCG), a periodic timer's missed ticks are merged, not caught up, so the
 * count only falls; what this catches is a dead timer or a divider off by
 * a power of two or more. */
static int st_timer_window(uint64_t period_us, uint64_t *ticks_out,
			    uint64_t *elapsed_out, uint64_t *expect_out)
{
	static volatile uint64_t ticks;
	uint64_t t0, end, elapsed_us, expect;

	ticks = 0;
	if (timer_periodic_start(period_us, st_count_irq, (void *)&ticks))
		return -1;
	t0 = clock_tsc();
	end = t0 + clock_ns_to_tsc(ST_TIMER_WINDOW_MS * 1000000ull);
	while (clock_tsc() < end)
		irq_wait_until(end);
	timer_periodic_stop();
	elapsed_us = clock_tsc_to_ns(clock_tsc() - t0) / 1000;
	expect = elapsed_us / period_us;
	*ticks_out = ticks;
	*elapsed_out = elapsed_us;
	*expect_out = expect;
	return expect > 0 && ticks * 4 >= expect && ticks <= expect * 3 / 2 + 1;
}

enum st_outcome st_timer(void)
{
	uint64_t period_us = cmdline_get_u64("timer_us", 1000);
	uint64_t ticks = 0, elapsed_us = 0, expect = 0, stray0 = irq_stray_count();
	unsigned int attempts = 0;
	struct json j;
	bool ok = false;

	if (period_us == 0)
		period_us = 1000;
	/* A second window when the first was starved: a stall is rarely
	 * twice in a row, a broken timer always is. */
	while (!ok && attempts < 2) {
		int r = st_timer_window(period_us, &ticks, &elapsed_us, &expect);

		attempts++;
		if (r < 0) {
			st_begin(&j, "timer");
			json_kv_str(&j, "error", "timer busy");
			return st_end(&j, false);
		}
		ok = r > 0;
	}
	st_begin(&j, "timer");
	json_kv_u64(&j, "period_us", period_us);
	json_kv_u64(&j, "elapsed_us", elapsed_us);
	json_kv_u64(&j, "ticks", ticks);
	json_kv_u64(&j, "expect", expect);
	json_kv_u64(&j, "attempts", attempts);
	json_kv_u64(&j, "lapic_khz", lapic_timer_khz());
	json_kv_u64(&j, "stray", irq_stray_count() - stray0);
	return st_end(&j, ok);
}

/* Nothing else interrupts: each wait sleeps in the kernel (int3, hlt)
 * until the one-shot deadline timer wakes it. */
enum st_outcome st_sleep(void)
{
	uint64_t late_min = UINT64_MAX, late_max = 0, late_us, now, deadline;
	int wakeups = 0, i;
	struct json j;

	for (i = 0; i < ST_SLEEP_ROUNDS; i++) {
		deadline = clock_tsc() + clock_ns_to_tsc(ST_SLEEP_US * 1000ull);
		while ((now = clock_tsc()) < deadline)
			if (irq_wait_until(deadline))
				wakeups++;
		late_us = clock_tsc_to_ns(now - deadline) / 1000;
		late_min = late_us < late_min ? late_us : late_min;
		late_max = late_us > late_max ? late_us : late_max;
	}
	st_begin(&j, "sleep");
	json_kv_u64(&j, "rounds", ST_SLEEP_ROUNDS);
	json_kv_u64(&j, "sleep_us", ST_SLEEP_US);
	json_kv_u64(&j, "late_us_min", late_min);
	json_kv_u64(&j, "late_us_max", late_max);
	json_kv_u64(&j, "irq_wakeups", (uint64_t)wakeups);
	return st_end(&j, late_max < 50000);
}

struct st_lat {
	uint64_t n, sum, min, max;
};

static void st_lat_add(struct st_lat *l, uint64_t us)
{
	if (l->n == 0 || us < l->min)
		l->min = us;
	if (us > l->max)
		l->max = us;
	l->sum += us;
	l->n++;
}

static void st_lat_json(struct json *j, const char *key,
			const struct st_lat *l)
{
	json_obj_begin(j, key);
	json_kv_u64(j, "n", l->n);
	json_kv_u64(j, "avg_us", l->n ? l->sum / l->n : 0);
	json_kv_u64(j, "min_us", l->min);
	json_kv_u64(j, "max_us", l->max);
	json_obj_end(j);
}

/*
 * Raises testdev interrupt entry and waits until *count moves, sleeping in
 * the kernel or spinning on irq_poll. Returns the latency in us, or -1.
 * The RAISE write is a synchronous exit, so under iopath-vmm the MSI is
 * usually pending before the wait starts and the sleep returns at once;
 * the "sleep" subtest is the one that really halts.
 */
static int64_t st_raise_wait(volatile uint8_t *regs, unsigned int entry,
			     volatile uint64_t *count, bool sleep)
{
	uint64_t c0 = *count, t0 = clock_tsc();
	uint64_t end = t0 + clock_ns_to_tsc(ST_MSI_TIMEOUT_US * 1000ull);

	mmio_write32(regs + TESTDEV_REG_RAISE, entry);
	while (*count == c0 && clock_tsc() < end) {
		if (sleep)
			irq_wait_until(end);
		else
			irq_poll();
	}
	if (*count == c0)
		return -1;
	return (int64_t)(clock_tsc_to_ns(clock_tsc() - t0) / 1000);
}

static int st_testdev_open(struct pci_dev *d, volatile uint8_t **regs)
{
	if (pci_find(TESTDEV_VENDOR_ID, TESTDEV_DEVICE_ID, d))
		return -1;
	pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER);
	*regs = pci_bar_map(d, 0);
	return *regs ? 0 : -1;
}

enum st_outcome st_msi(void)
{
	static struct pci_dev d;
	static volatile uint64_t count;
	volatile uint8_t *regs;
	struct st_lat sleep_lat = { 0 }, poll_lat = { 0 };
	uint64_t rounds = cmdline_get_u64("msi_rounds", ST_MSI_ROUNDS), i;
	uint32_t raised0, magic;
	int64_t us;
	int vec;
	struct json j;
	bool ok;

	if (st_testdev_open(&d, &regs))
		return st_skip("msi", "no testdev");
	magic = mmio_read32(regs + TESTDEV_REG_MAGIC);
	vec = irq_vector_alloc();
	if (vec < 0 || !d.msi_cap) {
		st_begin(&j, "msi");
		json_kv_str(&j, "error", vec < 0 ? "no vector" : "no MSI cap");
		return st_end(&j, false);
	}
	irq_register((unsigned int)vec, st_count_irq, (void *)&count);
	msi_enable(&d, (unsigned int)vec, lapic_id());
	raised0 = mmio_read32(regs + TESTDEV_REG_RAISED);
	for (i = 0; i < rounds; i++) {
		us = st_raise_wait(regs, 0, &count, true);
		if (us >= 0)
			st_lat_add(&sleep_lat, (uint64_t)us);
		us = st_raise_wait(regs, 0, &count, false);
		if (us >= 0)
			st_lat_add(&poll_lat, (uint64_t)us);
	}
	msi_disable(&d);

	st_begin(&j, "msi");
	json_kv_hex(&j, "magic", magic);
	json_kv_u64(&j, "vector", (uint64_t)vec);
	json_kv_u64(&j, "rounds", rounds * 2);
	json_kv_u64(&j, "delivered", count);
	json_kv_u64(&j, "raised",
		    mmio_read32(regs + TESTDEV_REG_RAISED) - raised0);
	st_lat_json(&j, "sleep", &sleep_lat);
	st_lat_json(&j, "poll", &poll_lat);
	ok = magic == TESTDEV_MAGIC && count == rounds * 2 &&
	     mmio_read32(regs + TESTDEV_REG_RAISED) - raised0 == rounds * 2;
	return st_end(&j, ok);
}

enum st_outcome st_msix(void)
{
	static struct pci_dev d;
	static volatile uint64_t counts[TESTDEV_MSIX_VECTORS];
	static struct msix m;
	volatile uint8_t *regs;
	struct st_lat lat = { 0 };
	unsigned int e, delivered = 0, nvec;
	uint32_t raised0;
	int64_t us;
	struct json j;
	int vec, err;

	if (st_testdev_open(&d, &regs))
		return st_skip("msix", "no testdev");
	err = msix_enable(&m, &d);
	if (err) {
		st_begin(&j, "msix");
		json_kv_i64(&j, "error", err);
		return st_end(&j, false);
	}
	nvec = m.nvec < TESTDEV_MSIX_VECTORS ? m.nvec : TESTDEV_MSIX_VECTORS;
	raised0 = mmio_read32(regs + TESTDEV_REG_RAISED);
	for (e = 0; e < nvec; e++) {
		vec = irq_vector_alloc();
		if (vec < 0)
			break;
		irq_register((unsigned int)vec, st_count_irq,
			     (void *)&counts[e]);
		msix_vector_set(&m, e, (unsigned int)vec, lapic_id());
		/* Even entries sleep in the kernel, odd ones spin. */
		us = st_raise_wait(regs, e, &counts[e], (e & 1) == 0);
		if (us >= 0) {
			st_lat_add(&lat, (uint64_t)us);
			delivered++;
		}
		msix_vector_mask(&m, e);
	}
	msix_disable(&m);

	st_begin(&j, "msix");
	json_kv_u64(&j, "vectors", nvec);
	json_kv_u64(&j, "table_size", m.nvec);
	json_kv_u64(&j, "delivered", delivered);
	json_kv_u64(&j, "raised",
		    mmio_read32(regs + TESTDEV_REG_RAISED) - raised0);
	st_lat_json(&j, "lat", &lat);
	return st_end(&j, nvec == TESTDEV_MSIX_VECTORS && delivered == nvec &&
			      mmio_read32(regs + TESTDEV_REG_RAISED) -
			      raised0 == nvec);
}
