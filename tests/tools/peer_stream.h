/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_TOOLS_PEER_STREAM_H
#define IOPATH_TESTS_TOOLS_PEER_STREAM_H

/*
 * The test stream of iopath-peer: UDP datagrams whose payload starts with
 * a per-flow 64-bit sequence number, the sender's CLOCK_MONOTONIC stamp
 * and the flow number, and the sink's accounting of them: received, lost
 * (gaps), reordered (a gap filled late), duplicated, and the longest
 * silence between two arrivals (the outage a failover causes).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Payload layout, little-endian, unaligned. */
#define STREAM_PAYLOAD_LEN	18
#define STREAM_MAX_FLOWS	64
/* Sequence numbers remembered behind the newest, to tell late from dup. */
#define STREAM_WINDOW		4096

struct stream_payload {
	uint64_t seq;
	uint64_t tx_ns;
	uint16_t flow;
};

void stream_payload_put(uint8_t *buf, const struct stream_payload *p);
/* False if @len is too short for a payload or the flow is out of range. */
bool stream_payload_get(const uint8_t *buf, size_t len,
			struct stream_payload *p);

struct stream_flow {
	uint64_t next;		/* highest seq seen + 1 */
	uint64_t received, lost, reordered, dup;
	bool started;
	uint64_t seen[STREAM_WINDOW / 64];	/* bit per seq mod window */
};

struct stream_sink {
	struct stream_flow flows[STREAM_MAX_FLOWS];
	uint64_t received, lost, reordered, dup;	/* all flows */
	uint64_t first_ns, last_ns;	/* arrival times */
	uint64_t max_gap_ns;		/* longest silence between arrivals */
	uint64_t lat_sum_ns, lat_max_ns;
	uint64_t lat_count;
};

/* Account one arrival at @now_ns (same clock as tx_ns). */
void stream_sink_rx(struct stream_sink *s, const struct stream_payload *p,
		    uint64_t now_ns);

#endif
