// SPDX-License-Identifier: MIT
#include "apps/net_app.h"

#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/irq.h"

void lat_init(struct lat_samples *l, uint32_t cap)
{
	l->ns = alloc_aligned((uint64_t)cap * sizeof(uint32_t), 64);
	l->cap = l->ns ? cap : 0;
	l->n = 0;
	l->count = l->sum = 0;
	l->min = UINT32_MAX;
	l->max = 0;
}

void lat_add(struct lat_samples *l, uint64_t ns)
{
	uint32_t v = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;

	if (l->n < l->cap)
		l->ns[l->n++] = v;
	l->count++;
	l->sum += v;
	if (v < l->min)
		l->min = v;
	if (v > l->max)
		l->max = v;
}

static void lat_sift(uint32_t *a, uint32_t root, uint32_t n)
{
	for (;;) {
		uint32_t c = 2 * root + 1, t;

		if (c >= n)
			return;
		if (c + 1 < n && a[c + 1] > a[c])
			c++;
		if (a[root] >= a[c])
			return;
		t = a[root];
		a[root] = a[c];
		a[c] = t;
		root = c;
	}
}

/* Heapsort: no recursion, no extra memory, n log n. */
static void lat_sort(uint32_t *a, uint32_t n)
{
	uint32_t i, t;

	for (i = n / 2; i > 0; i--)
		lat_sift(a, i - 1, n);
	for (i = n; i > 1; i--) {
		t = a[0];
		a[0] = a[i - 1];
		a[i - 1] = t;
		lat_sift(a, 0, i - 1);
	}
}

/* Nearest-rank percentile of the sorted samples, in per mille (999: p99.9). */
static uint32_t lat_pct(const struct lat_samples *l, unsigned int permille)
{
	uint64_t rank = ((uint64_t)permille * l->n + 999) / 1000;

	if (rank == 0)
		rank = 1;
	return l->ns[rank - 1];
}

void lat_report(struct json *j, const char *key, struct lat_samples *l)
{
	json_obj_begin(j, key);
	json_kv_u64(j, "n", l->count);
	if (l->count) {
		json_kv_fixed(j, "min", l->min, 3);
		json_kv_fixed(j, "avg", (int64_t)(l->sum / l->count), 3);
		json_kv_fixed(j, "max", l->max, 3);
	}
	if (l->n) {
		lat_sort(l->ns, l->n);
		json_kv_fixed(j, "p50", lat_pct(l, 500), 3);
		json_kv_fixed(j, "p90", lat_pct(l, 900), 3);
		json_kv_fixed(j, "p99", lat_pct(l, 990), 3);
		json_kv_fixed(j, "p99.9", lat_pct(l, 999), 3);
	}
	json_obj_end(j);
}

void net_app_report_counters(struct json *j, struct net_stack *s)
{
	netdev_report_drv(s->dev, j);
	json_obj_begin(j, "stack");
	net_stack_report(s, j);
	json_obj_end(j);
}

void net_app_report_rate(struct json *j, uint64_t packets, uint64_t bytes,
			 uint64_t duration_ns)
{
	json_kv_u64(j, "duration_us", duration_ns / 1000);
	if (!duration_ns) {
		json_kv_u64(j, "pps", 0);
		json_kv_u64(j, "bps", 0);
		return;
	}
	/* 128-bit-free: packets * 1e9 overflows only past 1.8e10 packets */
	json_kv_u64(j, "pps", packets * 1000000000ull / duration_ns);
	json_kv_u64(j, "bps", bytes * 8 * 1000000ull / (duration_ns / 1000 ?
							 duration_ns / 1000 :
							 1));
}

uint64_t net_app_deadline_ms(uint64_t ms)
{
	if (!ms)
		return IRQ_WAIT_FOREVER;
	return clock_tsc() + clock_ns_to_tsc(ms * 1000000ull);
}
