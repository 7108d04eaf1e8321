// SPDX-License-Identifier: MIT
/* pktgen's pacing arithmetic: apps/pktgen_pace.h. */
#include "apps/pktgen_pace.h"

#if __STDC_HOSTED__
#include <errno.h>	/* host unit tests */
#else
#include "rt/errno.h"
#endif

int pktgen_pace_init(struct pktgen_pace *p, uint64_t rate, uint64_t hz,
		     uint64_t t0, uint64_t pace_us, uint64_t catchup_us,
		     uint64_t chunk_max)
{
	uint64_t chunk, cap;

	if (!rate || rate > PACE_RATE_MAX || !hz || !chunk_max ||
	    pace_us > 1000000 || catchup_us > 1000000)
		return -EINVAL;
	chunk = (rate * pace_us + 999999) / 1000000;
	chunk = chunk < 1 ? 1 : chunk > chunk_max ? chunk_max : chunk;
	cap = catchup_us ? (rate * catchup_us + 999999) / 1000000
			 : 2 * chunk;
	*p = (struct pktgen_pace){
		.rate = rate, .hz = hz, .t0 = t0, .chunk = chunk,
		/* less than a group and no group could ever go whole */
		.cap = cap < chunk ? chunk : cap,
	};
	return 0;
}

/* Split so that no product overflows (rate <= 1e8, hz < 1.8e11). */
uint64_t pktgen_pace_at(const struct pktgen_pace *p, uint64_t k)
{
	return p->t0 + k / p->rate * p->hz + k % p->rate * p->hz / p->rate;
}

/* Slots due by @now: those at or before it. */
static uint64_t pace_due(const struct pktgen_pace *p, uint64_t now)
{
	uint64_t d;

	if (now < p->t0)
		return 0;
	d = now - p->t0;
	return d / p->hz * p->rate + d % p->hz * p->rate / p->hz + 1;
}

uint64_t pktgen_pace_next(struct pktgen_pace *p, uint64_t now,
			  uint64_t sent, uint64_t want, uint64_t *at)
{
	/* slots used so far, sent or skipped: the next one is `slot` */
	uint64_t slot = sent + p->skipped, due = pace_due(p, now), late;
	uint64_t n;

	if (!want)
		want = 1;
	if (due < slot + want) {
		*at = pktgen_pace_at(p, slot + want - 1);
		return 0;
	}
	/* a stall: how long after this group was due to go it went */
	late = now - pktgen_pace_at(p, slot + want - 1);
	if (late > p->max_late)
		p->max_late = late;
	n = due - slot;
	if (n > p->cap) {
		p->skipped += n - p->cap;
		p->skips++;
		n = p->cap;
	}
	return n;
}
