// SPDX-License-Identifier: MIT
/*
 * 21140A control and status registers CSR0..CSR15 (manual 3.2.2), the
 * interrupt output, and the two timers the chip has: the CSR11
 * general-purpose timer and CSR0 TAP transmit automatic polling.
 *
 * Interrupts (3.2.2.6, 3.2.2.8): CSR5 bits 0..14 are set by events and
 * cleared by writing ones; NIS and AIS summarise the enabled members
 * (CSR5_NIS_BITS / CSR5_AIS_BITS under CSR7) and are sticky until written
 * with one themselves. INTA# is asserted while (NIS and CSR7 NIE) or (AIS
 * and CSR7 AIE): a level, and the PCI layer drives the pin from it. With
 * MSI (an iopath extension, see tulip.c) there is no level, so a message
 * is sent whenever an enabled cause appears that was not already pending
 * (or the output rises): a driver that acknowledges what it read gets a
 * new message for anything that happens afterwards, and nothing is lost
 * or sent twice for one cause.
 *
 * Reserved bits read 0 except CSR0's (the manual's reset value FE000000h).
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#define LOG_SUBSYS "tulip"
#include "base/clock.h"
#include "base/log.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "emu-devices/tulip_priv.h"

#define CSR0_RESERVED_ONES	0xfe000000u
#define CSR0_WRITABLE		0x01fffffeu
/* Reset value 32000040h: MBO, and promiscuous until a driver decides. */
#define CSR6_RESET		0x32000040u
/* Port and PHY-interface selection survive a software reset. */
#define CSR6_KEEP_ON_SWR	(CSR6_PS | CSR6_TTM | CSR6_PCS | CSR6_SCR)
#define CSR7_WRITABLE		(CSR5_NIS_BITS | CSR5_AIS_BITS | CSR5_AIS | \
				 CSR5_NIS)
#define CSR9_WRITABLE		(CSR9_SR_CS | CSR9_SR_SK | CSR9_SR_DI | \
				 CSR9_REG | CSR9_SR | CSR9_BR | CSR9_WR | \
				 CSR9_RD | CSR9_MDC | CSR9_MDO | CSR9_MII)
#define CSR15_WRITABLE		(CSR15_JBD | CSR15_HUJ | CSR15_JCK | \
				 CSR15_RWD | CSR15_RWR)
/* CSR11 counts in 81.92 us cycles at 100 Mb/s (PS), 204.8 us at 10. */
#define GPT_CYCLE_NS_100	81920ull
#define GPT_CYCLE_NS_10		204800ull
/* The board's GP pin 7, as an input, senses link (like the DE500's). */
#define GP_PIN_LINK		0x80u

/* ---- interrupts ---- */

static bool irq_output(const struct tulip *t)
{
	return ((t->status & CSR5_NIS) && (t->csr7 & CSR5_NIS)) ||
	       ((t->status & CSR5_AIS) && (t->csr7 & CSR5_AIS));
}

/* NIS/AIS: set while any enabled member is set; cleared only by writes. */
static void status_summarise(struct tulip *t)
{
	if (t->status & t->csr7 & CSR5_NIS_BITS)
		t->status |= CSR5_NIS;
	if (t->status & t->csr7 & CSR5_AIS_BITS)
		t->status |= CSR5_AIS;
}

void tulip_irq_update(struct tulip *t)
{
	bool level = irq_output(t);
	uint32_t active = level ? t->status & t->csr7 &
					  (CSR5_NIS_BITS | CSR5_AIS_BITS)
				: 0;
	bool edge = (active & ~t->irq_active) || (level && !t->irq_level);
	struct pci_dev *pd = t->vd ? t->vd->pci : NULL;

	/*
	 * The level first: with INTx the pin is then already high and the
	 * raise below adds nothing; with MSI the level is ignored by the
	 * PCI layer and the raise sends the message.
	 */
	if (level != t->irq_level && pd)
		pci_intx_set(pd, level);
	t->irq_level = level;
	t->irq_active = active;
	if (edge) {
		t->cnt.irqs++;
		if (pd)
			pci_irq_raise(pd, 0);
	}
}

void tulip_status_set(struct tulip *t, uint32_t bits)
{
	t->status |= bits & CSR5_W1C_ALL;
	status_summarise(t);
	tulip_irq_update(t);
}

/* ---- timers ---- */

static struct timespec ns_to_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull),
				  .tv_nsec = (long)(ns % 1000000000ull) };
}

static void timer_arm(int fd, uint64_t first_ns, uint64_t period_ns)
{
	struct itimerspec its = {
		.it_value = ns_to_ts(first_ns),
		.it_interval = ns_to_ts(period_ns),
	};

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL) < 0)
		log_guest_warn("timerfd_settime: %s", strerror(errno));
}

static uint64_t gpt_cycle_ns(const struct tulip *t)
{
	return (t->csr6 & CSR6_PS) ? GPT_CYCLE_NS_100 : GPT_CYCLE_NS_10;
}

static void gpt_write(struct tulip *t, uint32_t val)
{
	uint64_t cycles = val & CSR11_VALUE_MASK;
	uint64_t period = cycles * gpt_cycle_ns(t);

	t->gpt_value = val & (CSR11_VALUE_MASK | CSR11_CON);
	t->gpt_start_ns = clock_mono_ns();
	timer_arm(t->gpt_fd, period, (val & CSR11_CON) ? period : 0);
}

/* The counter as it reads: cycles left in the current period. */
static uint32_t gpt_read(const struct tulip *t)
{
	uint64_t cycles = t->gpt_value & CSR11_VALUE_MASK, cyc, period, gone;
	uint32_t left;

	if (!cycles)
		return t->gpt_value;
	cyc = gpt_cycle_ns(t);
	period = cycles * cyc;
	gone = clock_mono_ns() - t->gpt_start_ns;
	if (gone >= period && !(t->gpt_value & CSR11_CON))
		left = 0;
	else
		left = (uint32_t)((period - gone % period + cyc - 1) / cyc);
	return left | (t->gpt_value & CSR11_CON);
}

uint64_t tulip_gpt_left_ns(const struct tulip *t)
{
	uint64_t period = (t->gpt_value & CSR11_VALUE_MASK) * gpt_cycle_ns(t);
	uint64_t gone = clock_mono_ns() - t->gpt_start_ns;

	if (!period)
		return 0;
	if (gone >= period && !(t->gpt_value & CSR11_CON))
		return 0;
	return period - gone % period;
}

void tulip_gpt_restore(struct tulip *t, uint32_t value, uint64_t left_ns)
{
	uint64_t period;

	t->gpt_value = value & (CSR11_VALUE_MASK | CSR11_CON);
	period = (t->gpt_value & CSR11_VALUE_MASK) * gpt_cycle_ns(t);
	if (left_ns > period)
		left_ns = period;
	/* As if written period - left ago: reads count on from there. */
	t->gpt_start_ns = clock_mono_ns() - (period - left_ns);
	if (!period || (!left_ns && !(t->gpt_value & CSR11_CON))) {
		timer_arm(t->gpt_fd, 0, 0);
		return;
	}
	timer_arm(t->gpt_fd, left_ns ? left_ns : period,
		  (t->gpt_value & CSR11_CON) ? period : 0);
}

void tulip_gpt_expired(struct tulip *t)
{
	t->cnt.gpt_expired++;
	tulip_status_set(t, CSR5_GTE);
}

static uint64_t tap_period_ns(uint32_t csr0)
{
	switch ((csr0 >> CSR0_TAP_SHIFT) & CSR0_TAP_MASK) {
	case CSR0_TAP_200US:
		return 200000;
	case CSR0_TAP_800US:
		return 800000;
	case CSR0_TAP_1600US:
		return 1600000;
	default:
		return 0;	/* off; 4..7 are 21041-only values */
	}
}

/*
 * TAP (3.2.2.1): while the transmit process is suspended the chip looks
 * at its list every 200 us, 800 us or 1.6 ms. Here each look is a wake-up
 * of the VMM's event loop, ~25 us of CPU on this host: 5,000 a second
 * cost an idle VM an eighth of a CPU (measured), for nothing. So the
 * model polls at the datasheet's period while the guest transmits, and
 * once nothing was taken for TULIP_TAP_BUSY_NS it doubles the period at
 * each empty look, up to TULIP_TAP_SLOW_NS; a poll demand or a
 * descriptor taken brings the datasheet's period back. The one
 * difference a guest can see: a frame queued after a quiet spell with no
 * poll demand waits up to the slow period instead of the datasheet's. A
 * driver that writes CSR1 when its last one is older than the busy
 * window (the guest's tulip_ring.c) never waits for it; one that always
 * writes CSR1 (Linux's) never relies on TAP at all.
 */
void tulip_tap_update(struct tulip *t)
{
	uint64_t period = tap_period_ns(t->csr0);
	bool want = period && !t->bus_dead && t->ts == TS_SUSPENDED;

	if (want == t->tap_armed)
		return;
	t->tap_armed = want;
	t->tap_cur_ns = period;
	t->tap_busy_ns = clock_mono_ns();
	timer_arm(t->tap_fd, want ? period : 0, want ? period : 0);
}

void tulip_tap_busy(struct tulip *t)
{
	uint64_t period = tap_period_ns(t->csr0);

	t->tap_busy_ns = clock_mono_ns();
	if (t->tap_armed && t->tap_cur_ns != period) {
		t->tap_cur_ns = period;
		timer_arm(t->tap_fd, period, period);
	}
}

void tulip_tap_expired(struct tulip *t)
{
	uint64_t taken = t->tx_taken;

	if (t->ts != TS_SUSPENDED || t->bus_dead)
		return;
	t->cnt.tap_polls++;
	tulip_tx_poll(t);
	if (t->tx_taken != taken) {
		tulip_tap_busy(t);
		return;
	}
	if (!t->tap_armed || t->tap_cur_ns >= TULIP_TAP_SLOW_NS ||
	    clock_mono_ns() - t->tap_busy_ns < TULIP_TAP_BUSY_NS)
		return;
	t->tap_cur_ns *= 2;
	if (t->tap_cur_ns > TULIP_TAP_SLOW_NS)
		t->tap_cur_ns = TULIP_TAP_SLOW_NS;
	timer_arm(t->tap_fd, t->tap_cur_ns, t->tap_cur_ns);
}

/* ---- reset ---- */

void tulip_chip_reset(struct tulip *t)
{
	uint32_t keep = t->csr6 & CSR6_KEEP_ON_SWR;

	t->csr0 = 0;
	t->csr3 = t->csr4 = 0;
	t->rx_cur = t->tx_cur = 0;
	t->csr6 = CSR6_RESET | keep;
	t->csr7 = 0;
	t->csr9 = 0;
	t->csr15 = 0;
	t->status = 0;
	t->eb = 0;
	t->rs = RS_STOPPED;
	t->ts = TS_STOPPED;
	t->bus_dead = false;
	t->missed = 0;
	t->missed_ovf = false;
	t->gp_dir = t->gp_out = 0;
	t->tx_in_frame = t->tx_ready = t->tx_blocked = false;
	t->tx_ndesc = t->tx_len = 0;
	gpt_write(t, 0);
	tulip_tap_update(t);
	tulip_filter_reset(&t->filter);
	tulip_irq_update(t);
}

/* ---- CSR6: start and stop ---- */

static void csr6_write(struct tulip *t, uint32_t val)
{
	uint32_t old = t->csr6;

	t->csr6 = val & ~CSR6_FILTER_RO;
	if ((val & CSR6_SR) && !(old & CSR6_SR) && !t->bus_dead) {
		/* Start: fetch the current descriptor (3.2.2.7 SR). */
		t->rs = RS_WAIT;
		tulip_rx_poll(t);
	} else if (!(val & CSR6_SR) && (old & CSR6_SR) &&
		   t->rs != RS_STOPPED) {
		t->rs = RS_STOPPED;
		tulip_status_set(t, CSR5_RPS);
	}
	if ((val & CSR6_ST) && !(old & CSR6_ST) && !t->bus_dead) {
		t->ts = TS_FETCH;
		tulip_tx_poll(t);
	} else if (!(val & CSR6_ST) && (old & CSR6_ST) &&
		   t->ts != TS_STOPPED) {
		/* Frames are sent whole here, so none is cut short. */
		t->ts = TS_STOPPED;
		t->tx_blocked = false;
		tulip_status_set(t, CSR5_TPS);
	}
	tulip_tap_update(t);
}

/* ---- CSR9, CSR12 ---- */

static uint32_t csr9_read(const struct tulip *t)
{
	uint32_t v = t->csr9 & CSR9_WRITABLE;
	bool mdi;

	if ((t->csr9 & CSR9_SR) && tulip_srom_dout(&t->srom))
		v |= CSR9_SR_DO;
	/* MDI shows the MDIO pin: the PHY's in read mode, else our MDO. */
	mdi = (t->csr9 & CSR9_MII) ? tulip_mii_mdi(&t->mii)
				   : (t->csr9 & CSR9_MDO) != 0;
	if (mdi)
		v |= CSR9_MDI;
	return v;
}

static void csr9_write(struct tulip *t, uint32_t val)
{
	t->csr9 = val & CSR9_WRITABLE;
	tulip_srom_write(&t->srom, val & CSR9_SR, val);
	tulip_mii_write(&t->mii, val);
}

static uint32_t csr12_read(const struct tulip *t)
{
	uint8_t in = t->link_up ? GP_PIN_LINK : 0;

	return (uint8_t)((t->gp_out & t->gp_dir) | (in & ~t->gp_dir));
}

static void csr12_write(struct tulip *t, uint32_t val)
{
	/* 3.2.2.13: with GPC the write programs the pin directions. */
	if (val & CSR12_GPC)
		t->gp_dir = (uint8_t)val;
	else
		t->gp_out = (uint8_t)val;
}

/* ---- the registers ---- */

uint32_t tulip_csr_read(struct tulip *t, unsigned idx)
{
	uint32_t v;

	switch (idx) {
	case 0:
		return CSR0_RESERVED_ONES | t->csr0;
	case 1:
	case 2:
		return 0xffffffffu;	/* write-only poll demands */
	case 3:
		return t->csr3;
	case 4:
		return t->csr4;
	case 5:
		return t->status | t->rs << CSR5_RS_SHIFT |
		       t->ts << CSR5_TS_SHIFT | t->eb << CSR5_EB_SHIFT;
	case 6:
		return t->csr6 | tulip_filter_csr6_bits(&t->filter);
	case 7:
		return t->csr7;
	case 8:
		/* Missed frames: reading clears the counter (3.2.2.9). */
		v = t->missed | (t->missed_ovf ? CSR8_MFO : 0);
		t->missed = 0;
		t->missed_ovf = false;
		return v;
	case 9:
		return csr9_read(t);
	case 11:
		return gpt_read(t);
	case 12:
		return csr12_read(t);
	case 15:
		return t->csr15;
	default:
		return 0;	/* CSR10, CSR13, CSR14: reserved on 21140A */
	}
}

void tulip_csr_write(struct tulip *t, unsigned idx, uint32_t val)
{
	switch (idx) {
	case 0:
		if (val & CSR0_SWR) {
			tulip_chip_reset(t);
			break;
		}
		t->csr0 = val & CSR0_WRITABLE;
		tulip_tap_update(t);
		break;
	case 1:
		/* Transmit poll demand: any value (3.2.2.2). */
		if (t->ts != TS_STOPPED && !t->bus_dead) {
			tulip_tx_poll(t);
			tulip_tap_busy(t);
		}
		break;
	case 2:
		if (t->rs != RS_STOPPED && !t->bus_dead)
			tulip_rx_poll(t);
		break;
	case 3:
		/* Longword aligned: bits 1:0 are not address bits. */
		t->csr3 = t->rx_cur = val & ~3u;
		break;
	case 4:
		t->csr4 = t->tx_cur = val & ~3u;
		break;
	case 5:
		t->status &= ~(val & CSR5_W1C_ALL);
		tulip_irq_update(t);
		break;
	case 6:
		csr6_write(t, val);
		break;
	case 7:
		t->csr7 = val & CSR7_WRITABLE;
		status_summarise(t);
		tulip_irq_update(t);
		break;
	case 9:
		csr9_write(t, val);
		break;
	case 11:
		gpt_write(t, val);
		break;
	case 12:
		csr12_write(t, val);
		break;
	case 15:
		t->csr15 = val & CSR15_WRITABLE;
		break;
	default:
		break;		/* CSR8 is read-only; reserved ones ignore */
	}
}
