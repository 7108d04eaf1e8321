// SPDX-License-Identifier: MIT
/* The sink's per-flow sequence accounting: apps/sink_seq.h. */
#include "apps/sink_seq.h"

#if __STDC_HOSTED__
#include <string.h>	/* host unit tests */
#else
#include "rt/string.h"
#endif

static bool sink_bit(struct sink_flow *f, uint32_t seq, bool set)
{
	uint64_t *w = &f->win[(seq % SINK_WIN) / 64], b = 1ull << (seq % 64);
	bool was = *w & b;

	if (set)
		*w |= b;
	return was;
}

/* A frame older than the next expected: it fills a gap. */
static void sink_seq_late(struct sink_flow *f, uint32_t seq)
{
	f->reordered++;
	f->received++;
	if (f->max_gap && seq - f->gap_lo < f->max_gap)
		f->gap_filled++;
}

void sink_seq_add(struct sink_flow *f, uint32_t seq, uint64_t ts)
{
	uint32_t s;

	f->seen = true;
	if (seq >= f->next) {
		/* forget the window slots we jump over */
		if (seq - f->next >= SINK_WIN)
			memset(f->win, 0, sizeof(f->win));
		else
			for (s = f->next; s != seq; s++)
				f->win[(s % SINK_WIN) / 64] &=
					~(1ull << (s % 64));
		if (seq != f->next)
			f->gaps++;
		if (seq - f->next > f->max_gap) {
			f->max_gap = seq - f->next;
			f->gap_lo = f->next;
			f->gap_filled = 0;
			/* the sender's time from the frame before the gap
			 * to the one after; unknown for a lost head */
			f->max_gap_ts = f->next && ts > f->last_ts ?
					ts - f->last_ts : 0;
		}
		sink_bit(f, seq, true);
		f->next = seq + 1;
		f->last_ts = ts;
		f->received++;
	} else if (f->next - seq > SINK_WIN) {
		sink_seq_late(f, seq);	/* too old to tell; call it late */
	} else if (sink_bit(f, seq, true)) {
		f->dups++;
	} else {
		sink_seq_late(f, seq);
	}
}

void sink_seq_fin(struct sink_flow *f, uint32_t count)
{
	f->seen = true;
	if (!f->fin) {
		f->fin = true;
		f->fin_count = count;
	}
}

uint64_t sink_seq_expected(const struct sink_flow *f)
{
	return f->fin ? f->fin_count : f->next;
}

uint64_t sink_seq_lost(const struct sink_flow *f)
{
	uint64_t e = sink_seq_expected(f);

	return e > f->received ? e - f->received : 0;
}

uint64_t sink_seq_gaps(const struct sink_flow *f)
{
	return f->gaps + (f->fin && f->fin_count > f->next);
}

uint64_t sink_seq_max_gap(const struct sink_flow *f)
{
	uint64_t tail = f->fin && f->fin_count > f->next ?
			f->fin_count - f->next : 0;

	return tail > f->max_gap ? tail : f->max_gap;
}

uint64_t sink_seq_lost_in_gap(const struct sink_flow *f)
{
	uint64_t gap = sink_seq_max_gap(f);

	/* the tail's (the longest when it passes max_gap) has no late */
	if (gap != f->max_gap)
		return gap;
	return gap > f->gap_filled ? gap - f->gap_filled : 0;
}

uint64_t sink_seq_lost_outside(const struct sink_flow *f)
{
	uint64_t lost = sink_seq_lost(f), in = sink_seq_lost_in_gap(f);

	return lost > in ? lost - in : 0;
}
