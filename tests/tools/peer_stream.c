// SPDX-License-Identifier: MIT
/* Stream payload encoding and the sink's loss/reorder/dup accounting. */
#include <string.h>

#include "tests/tools/peer_stream.h"

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void stream_payload_put(uint8_t *buf, const struct stream_payload *p)
{
	put_le(buf, p->seq, 8);
	put_le(buf + 8, p->tx_ns, 8);
	put_le(buf + 16, p->flow, 2);
}

bool stream_payload_get(const uint8_t *buf, size_t len,
			struct stream_payload *p)
{
	if (len < STREAM_PAYLOAD_LEN)
		return false;
	p->seq = get_le(buf, 8);
	p->tx_ns = get_le(buf + 8, 8);
	p->flow = (uint16_t)get_le(buf + 16, 2);
	return p->flow < STREAM_MAX_FLOWS;
}

static bool seen_test(const struct stream_flow *f, uint64_t seq)
{
	uint64_t b = seq % STREAM_WINDOW;

	return f->seen[b / 64] >> (b % 64) & 1;
}

static void seen_set(struct stream_flow *f, uint64_t seq, bool on)
{
	uint64_t b = seq % STREAM_WINDOW, bit = 1ull << (b % 64);

	if (on)
		f->seen[b / 64] |= bit;
	else
		f->seen[b / 64] &= ~bit;
}

/*
 * Per flow: a seq at or past next opens a gap of (seq - next) provisional
 * losses; a seq behind next either fills one of those (reordered, one
 * loss fewer) or was seen already (dup). Behind the window we can no
 * longer tell, and call it reordered only if losses remain to fill.
 */
static void flow_rx(struct stream_sink *s, struct stream_flow *f,
		    uint64_t seq)
{
	uint64_t q;

	if (!f->started) {
		/* Losses before the first arrival are not ours to know. */
		f->started = true;
		f->next = seq;
	}
	if (seq >= f->next) {
		uint64_t gap = seq - f->next;

		if (gap >= STREAM_WINDOW)
			memset(f->seen, 0, sizeof(f->seen));
		else
			for (q = f->next; q < seq; q++)
				seen_set(f, q, false);
		seen_set(f, seq, true);
		f->lost += gap;
		s->lost += gap;
		f->next = seq + 1;
		f->received++;
		s->received++;
		return;
	}
	if (f->next - seq <= STREAM_WINDOW && seen_test(f, seq)) {
		f->dup++;
		s->dup++;
		return;
	}
	if (f->next - seq <= STREAM_WINDOW)
		seen_set(f, seq, true);
	else if (f->lost == 0) {
		/* Too old to tell, and nothing is missing: a duplicate. */
		f->dup++;
		s->dup++;
		return;
	}
	f->reordered++;
	s->reordered++;
	if (f->lost) {
		f->lost--;
		s->lost--;
	}
	f->received++;
	s->received++;
}

void stream_sink_rx(struct stream_sink *s, const struct stream_payload *p,
		    uint64_t now_ns)
{
	if (s->received + s->dup == 0) {
		s->first_ns = now_ns;
	} else if (now_ns > s->last_ns && now_ns - s->last_ns > s->max_gap_ns) {
		s->max_gap_ns = now_ns - s->last_ns;
	}
	s->last_ns = now_ns;
	if (now_ns >= p->tx_ns && p->tx_ns) {
		uint64_t lat = now_ns - p->tx_ns;

		s->lat_sum_ns += lat;
		s->lat_count++;
		if (lat > s->lat_max_ns)
			s->lat_max_ns = lat;
	}
	flow_rx(s, &s->flows[p->flow], p->seq);
}
