// SPDX-License-Identifier: MIT
/*
 * The one wait loop of every guest NIC driver (netdev.h, "Modes"): what
 * Linux's NAPI does with a poll budget and a re-enabled interrupt, done
 * with three driver callbacks.
 *
 *   ready()   the events ready now, from the rings in RAM (free);
 *   arm()     let the device interrupt for the events we wait for: the
 *             21140 clears CSR5 (one exit, only after an interrupt), the
 *             pv NIC moves rsp_event and unmasks its ports (RAM only);
 *   disarm()  busy again: the pv NIC masks its ports (the 21140 needs
 *             nothing: while CSR5 holds a status bit no new interrupt
 *             comes for it).
 *
 * Why spin at all: a sleep costs the arm, a wake-up by MSI of ~80 us
 * median, and on a 2-core host the CPU it frees may go to someone else
 * for a whole time slice; a device that is busy refills the ring well
 * within that. Why sleep at all: three busy pollers (two vCPUs and the
 * switch's thread) on two cores move frames only while all three hold a
 * CPU (MACHINE-NOTES.md, "Two cores and busy pollers").
 *
 * The race every interrupt-driven driver has - an event between the last
 * look at the ring and the arming - is closed by looking again after
 * arm(): an event before that look is seen, one after it interrupts.
 * The sleep itself is race-free too (rt/irq.h: the kernel's halt stub
 * re-checks pending interrupts with interrupts off).
 */
#include "net/netdev.h"

#include <stdbool.h>

#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/irq.h"

static uint64_t netdev_sleep_min_tsc(void)
{
	static uint64_t min;

	if (!min)
		min = clock_ns_to_tsc(NETDEV_SLEEP_MIN_US * 1000ull);
	return min;
}

/* Spin, not sleep, at @now? */
static bool netdev_spin(const struct netdev *nd, uint64_t now,
			uint64_t spin_end, uint64_t deadline_tsc)
{
	if (nd->mode == NETDEV_MODE_POLL)
		return true;
	if (now < spin_end)
		return true;
	/* A deadline the timer cannot hit: it would fire 200 us or more
	 * from now, late (MACHINE-NOTES.md, LAPIC timer). */
	return nd->mode == NETDEV_MODE_ADAPTIVE &&
	       deadline_tsc - now < netdev_sleep_min_tsc();
}

int netdev_wait(struct netdev *nd, uint64_t deadline_tsc, int events)
{
	const struct netdev_ops *ops = nd->ops;
	uint64_t t0 = clock_tsc(), now, slept = 0;
	uint64_t spin_end = t0 + nd->poll_tsc;
	bool armed = false, set = false;
	int ev;

	for (;;) {
		ev = ops->ready(nd);
		if (ev & events)
			break;
		now = clock_tsc();
		if (now >= deadline_tsc) {
			ev = 0;
			break;
		}
		if (netdev_spin(nd, now, spin_end, deadline_tsc)) {
			cpu_relax();
			continue;
		}
		/* Armed since the last wake-up? Then sleep; else arm and
		 * look once more first. */
		if (!set) {
			/* Callbacks of interrupts taken while we were busy:
			 * the 21140 needs them to know CSR5 wants clearing. */
			irq_poll();
			ops->arm(nd, events);
			nd->st.arms++;
			armed = set = true;
			continue;
		}
		nd->st.wakeups++;
		irq_wait_until(deadline_tsc);
		set = false;
		slept += clock_tsc() - now;
	}
	if (armed && ops->disarm)
		ops->disarm(nd);
	else if (ev && nd->mode != NETDEV_MODE_POLL)
		nd->st.spin_hits++;
	nd->st.sleep_tsc += slept;
	nd->st.spin_tsc += clock_tsc() - t0 - slept;
	return ev;
}
