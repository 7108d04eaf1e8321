/* SPDX-License-Identifier: MIT */
/*
 * `iopath bench --switch-peers`: one DPDK generator (dpdk-testpmd over
 * two virtio_user ports, see peers_testpmd.h) through iopath-switch and
 * through Open vSwitch with DPDK, in the same run: per frame size, the
 * rate each switch forwards at, repeats interleaved (the switch order
 * alternates), medians and spread reported.
 */
#ifndef IOPATH_CLI_BENCH_PEERS_H
#define IOPATH_CLI_BENCH_PEERS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/bench.h"
#include "cli/peers_switch.h"

/* Frames each port injects with "start tx_first": PEERS_BURSTS bursts of
 * testpmd's default 32. Enough to keep both sides busy, well under the
 * 1024-entry virtqueues, so a switch that keeps up loses nothing. */
#define PEERS_BURSTS	8

struct peers_trial {
	bool ok;
	double pps;			/* frames/s forwarded, both ways */
	double tx_pps;			/* frames/s testpmd put in */
	uint64_t rx_missed;		/* testpmd's drops in the window */
	double seconds;			/* measured window */
	unsigned int injections;	/* tx_first rounds it took to start */
	char why[1024];
};

struct peers_agg {
	unsigned int n;			/* repeats that worked */
	double med, min, max, tx_med;
	double pct_of_iopath;		/* 0 when unknown */
	double pct_of_dpdk_io;		/* of the ceiling; 0 if unknown */
};

struct peers_results {
	const struct bench_opts *o;
	char started[32], machine[160];
	double elapsed_s;
	bool avail[PEER_KINDS];
	char skip[PEER_KINDS][300];	/* why a peer did not run */
	struct peers_trial t[BENCH_REPEATS_MAX][BENCH_SIZES_MAX][PEER_KINDS];
	struct peers_agg agg[BENCH_SIZES_MAX][PEER_KINDS];
};

/* bench_peers.c: the whole run; 0, or -errno if nothing was measured. */
int bench_peers_main(const struct bench_opts *o);

/* peers_report.c */
void peers_aggregate(struct peers_results *r);
void peers_report_table(const struct peers_results *r, FILE *f);
int peers_report_json(const struct peers_results *r, const char *path);
int peers_report_csv(const struct peers_results *r, const char *path);
int peers_report_svg(const struct peers_results *r, const char *path);

#endif
