/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_APPS_SINK_SEQ_H
#define IOPATH_GUEST_APPS_SINK_SEQ_H

/*
 * The sink's per-flow sequence accounting (apps/net_sink.c), apart from
 * the app so the host's unit tests run it (tests/unit/guest).
 *
 * A frame at or past the next expected number advances it (a jump is a
 * gap); an older number seen within the last SINK_WIN is a duplicate,
 * otherwise a late (reordered) arrival that fills a gap.
 *
 * The longest gap: the most numbers skipped by one jump (counting from
 * 0, so a stream whose head was lost starts with a gap), or the tail a
 * FIN says never came. At a known rate it is the time the flow was
 * dark: a migration's downtime as the guest's peers see it. Late frames
 * that fall in the longest gap do not shrink it (it was dark while the
 * rest flowed) but are not lost either: the frames lost in it are the
 * gap less those, and the frames lost outside it everything else lost.
 */
#include <stdbool.h>
#include <stdint.h>

#define SINK_WIN	1024	/* duplicate-detection window */

struct sink_flow {
	bool seen, fin;
	uint32_t next;			/* highest seq + 1 */
	uint32_t fin_count;
	uint64_t received, reordered, dups;
	uint32_t max_gap;		/* frames in the longest gap */
	uint32_t gap_lo;		/* its first number */
	uint32_t gap_filled;		/* late frames that fell in it */
	uint32_t gaps;			/* jumps: separate runs lost */
	uint64_t last_ts;		/* sender's TSC of seq next - 1 */
	uint64_t max_gap_ts;		/* its sender TSC span, 0: unknown */
	uint64_t win[SINK_WIN / 64];	/* bit seq % SINK_WIN: seen */
};

/* Account a data frame @seq the sender stamped with TSC @ts. */
void sink_seq_add(struct sink_flow *f, uint32_t seq, uint64_t ts);

/* A FIN: the flow sent @count data frames. Only the first counts. */
void sink_seq_fin(struct sink_flow *f, uint32_t count);

/* FIN's count if a FIN came, else highest seq + 1. */
uint64_t sink_seq_expected(const struct sink_flow *f);

/* Unique frames that never came. */
uint64_t sink_seq_lost(const struct sink_flow *f);

/* Separate runs of numbers skipped (a lost tail is one), late frames
 * that fill them aside. */
uint64_t sink_seq_gaps(const struct sink_flow *f);

/* The longest gap, the tail a FIN reveals included. */
uint64_t sink_seq_max_gap(const struct sink_flow *f);

/* Frames lost in the longest gap: the gap less the late frames in it. */
uint64_t sink_seq_lost_in_gap(const struct sink_flow *f);

/* Frames lost outside the longest gap. */
uint64_t sink_seq_lost_outside(const struct sink_flow *f);

#endif
