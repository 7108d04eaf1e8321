/* SPDX-License-Identifier: MIT */
/*
 * `iopath bench`: the I/O paths side by side. For each path, two one-shot
 * VMs on one switch, pktgen in one, sink (throughput) or reflect
 * (latency) in the other; RFC 2544 throughput by binary search per frame
 * size, latency at a fraction of it, exits and host CPU per packet, and
 * the machine's own baseline (two iopath-peer processes through the same
 * switch). Paths interleaved, everything repeated, medians reported.
 */
#ifndef IOPATH_CLI_BENCH_H
#define IOPATH_CLI_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/topo.h"

#define BENCH_SIZES_MAX		16
#define BENCH_REPEATS_MAX	20
#define BENCH_PATHS		3

struct bench_opts {
	bool paths[BENCH_PATHS];	/* asked for (then: and available) */
	unsigned int sizes[BENCH_SIZES_MAX], nsizes;
	double trial_s;			/* traffic seconds per trial */
	double loss_pct;		/* RFC 2544 loss threshold */
	unsigned int repeats;
	unsigned int steps;		/* search steps after the max */
	double lat_frac;		/* latency at this fraction of thr */
	bool quick, baseline;
	char out[256];			/* results folder */
	char bindir[256], image[256];
	const struct topo *topo;	/* host 0 of it runs the switch */
};

/* Latency percentiles in microseconds (round trip, pktgen -> reflect). */
struct bench_lat {
	bool have;
	double n, min, avg, p50, p90, p99, p999, max;
};

/* One boot of a VM pair. */
struct bench_trial {
	int path;			/* enum topo_nic_path, -1 = baseline */
	unsigned int size;
	uint64_t rate;			/* offered, 0 = full speed */
	bool ok;			/* both VMs ran and reported */
	char why[1024];			/* when !ok */
	uint64_t tx, rx;
	double loss_pct, tx_pps, rx_pps;
	/* exits during traffic (after NIC init) per packet, both VMs */
	double exits_user_pkt, exits_kvm_pkt;
	double exits_tx_pkt, exits_rx_pkt;	/* NIC data-path, by side */
	/* host CPU microseconds per packet */
	double cpu_gen_us, cpu_sink_us, cpu_switch_us;
	struct bench_lat lat;
};

/* The bench's switch, started once per run. */
struct bench_env {
	const struct bench_opts *o;
	char rundir[256];
	char sock[300], ctl[300], swname[48];
	pid_t sw_pid;
	unsigned int seq;		/* trial counter: unique port names */
};

/* bench_run.c */
int bench_env_start(struct bench_env *e, const struct bench_opts *o);
void bench_env_stop(struct bench_env *e);
/* One trial of @seconds at @rate (pps, 0 = max); latency: reflect mode. */
int bench_trial_run(struct bench_env *e, int path, unsigned int size,
		    uint64_t rate, double seconds, bool latency,
		    struct bench_trial *t);
/* Baseline: iopath-peer -> switch -> iopath-peer at full speed. */
int bench_baseline_run(struct bench_env *e, unsigned int size,
		       double seconds, struct bench_trial *t);

/* Result of one search (one path, one size, one repeat). */
struct bench_point {
	bool done;
	double thr_pps;			/* RFC 2544 throughput */
	struct bench_trial at_thr;	/* the trial that established it */
	struct bench_trial lat;		/* latency, at lat_frac * thr */
	unsigned int trials;
};

/* bench_search.c: the whole run; fills results, writes reports. */
int bench_main(const struct bench_opts *o);

/* Frame bits on the wire: RFC 2544 counts the frame with FCS plus
 * preamble and inter-frame gap (20 bytes) for line-rate figures; we report
 * bit/s of frames (with FCS) as pktgen does, L1 rate beside it. */
static inline double bench_bps(double pps, unsigned int size)
{
	return pps * size * 8.0;
}

/* Aggregates over repeats, per size and path (path index 3: baseline). */
struct bench_agg {
	bool have;
	unsigned int n;
	double thr_med, thr_min, thr_max;
	double lat_min, lat_p50, lat_p90, lat_p99, lat_p999, lat_max;
	bool lat_have;
	double exits_user_pkt, exits_kvm_pkt, exits_tx_pkt, exits_rx_pkt;
	double cpu_gen_us, cpu_sink_us, cpu_switch_us;
	double pct_of_base;
};

struct bench_results {
	const struct bench_opts *o;
	char started[32];
	double elapsed_s;
	struct bench_point
		pts[BENCH_REPEATS_MAX][BENCH_SIZES_MAX][BENCH_PATHS + 1];
	struct bench_agg agg[BENCH_SIZES_MAX][BENCH_PATHS + 1];
	char machine[160];
};

/* bench_report.c */
/* When a run started (local time, ISO 8601) and what it ran on. */
void bench_stamp(char *started, size_t slen, char *machine, size_t mlen);
/* Median of @n values (sorts @v); 0 when @n is 0. */
double bench_median(double *v, unsigned int n);
void bench_aggregate(struct bench_results *r);
void bench_report_table(const struct bench_results *r, FILE *f);
int bench_report_json(const struct bench_results *r, const char *path);
int bench_report_csv(const struct bench_results *r, const char *path);
/* bench_svg.c: grouped bars on a log axis, a group per frame size, a
 * bar per column; a median <= 0 draws no bar. */
#define SVG_BARS_MAX	(BENCH_PATHS + 1)
struct svg_bars {
	const char *title, *ylabel, *footer;	/* footer: SVG-escaped */
	bool linear;			/* y from 0, else logarithmic */
	const unsigned int *sizes;
	unsigned int nsizes;
	int ncols;
	const char *name[SVG_BARS_MAX], *color[SVG_BARS_MAX];
	double med[BENCH_SIZES_MAX][SVG_BARS_MAX];
	double min[BENCH_SIZES_MAX][SVG_BARS_MAX];
	double max[BENCH_SIZES_MAX][SVG_BARS_MAX];
};
int bench_svg_bars(const struct svg_bars *b, const char *path);
int bench_svg_throughput(const struct bench_results *r, const char *path);
int bench_svg_latency(const struct bench_results *r, const char *path);

#endif
