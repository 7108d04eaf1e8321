/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_APPS_NET_APP_H
#define IOPATH_GUEST_APPS_NET_APP_H

/*
 * What the traffic apps in net.elf share (apps/net_main.c dispatches on
 * app=): the entry points, latency samples with percentiles, and the
 * pktgen payload format that pktgen, sink and reflect agree on.
 */
#include <stdbool.h>
#include <stdint.h>

#include "net/stack.h"
#include "rt/json.h"

int net_app_ping(struct net_stack *s);
int net_app_echo(struct net_stack *s);
int net_app_pktgen(struct net_stack *s);
int net_app_sink(struct net_stack *s);
int net_app_reflect(struct net_stack *s);

/*
 * pktgen payload, first PG_HDR_LEN bytes of the UDP payload (a 64-byte
 * frame leaves 18):
 *   0  be16 magic PG_MAGIC
 *   2  u8   flow (0..PG_FLOWS_MAX-1; also sport = sport base + flow)
 *   3  u8   flags (PG_F_*)
 *   4  be32 seq, per flow, from 0
 *   8  le64 TSC when the sender built the frame
 * A PG_F_FIN frame carries in seq the number of data frames that flow
 * sent; pktgen sends a few at the end so a sink can count tail loss.
 */
#define PG_MAGIC		0x7067
#define PG_HDR_LEN		16
#define PG_F_FIN		0x01
#define PG_F_PROBE		0x02	/* latency=2: a timed frame */
#define PG_FLOWS_MAX		64
#define PG_PORT			9000
#define PG_SPORT		10000

/* RTT or latency samples in nanoseconds, percentiles at the end. */
struct lat_samples {
	uint32_t *ns;
	uint32_t n, cap;	/* stored; beyond cap only min/avg/max */
	uint64_t count, sum;
	uint32_t min, max;
};

void lat_init(struct lat_samples *l, uint32_t cap);
void lat_add(struct lat_samples *l, uint64_t ns);
/* "key":{"n":..,"min":..,"avg":..,"max":..,"p50":..,"p90":..,"p99":..}
 * in microseconds with 3 decimals; sorts the samples. */
void lat_report(struct json *j, const char *key, struct lat_samples *l);

/* "drv":{driver counters},"stack":{...} into a record. */
void net_app_report_counters(struct json *j, struct net_stack *s);
/* pps and bit/s from a count, bytes and a duration. */
void net_app_report_rate(struct json *j, uint64_t packets, uint64_t bytes,
			 uint64_t duration_ns);
/* TSC deadline seconds/ms from now; 0 arguments: never. */
uint64_t net_app_deadline_ms(uint64_t ms);

#endif
