/* SPDX-License-Identifier: MIT */
/*
 * `iopath bench`: the I/O paths side by side. For each path, two one-shot
 * VMs on one switch, pktgen in one, sink (throughput) or reflect
 * (latency) in the other. Per frame size, one search after FD.io CSIT's
 * MLRsearch finds NDR, PDR and the saturation rate (bench_search.h);
 * then latency at half the NDR, costs at fixed rates (CPU per packet at
 * a reference rate, exits per packet at a low rate), where the time
 * goes, and the machine's own baseline (two iopath-peer processes
 * through the same switch). Paths interleaved, everything repeated,
 * medians reported.
 */
#ifndef IOPATH_CLI_BENCH_H
#define IOPATH_CLI_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli/bench_search.h"
#include "cli/topo.h"

#define BENCH_SIZES_MAX		16
#define BENCH_REPEATS_MAX	20
#define BENCH_PATHS		3

struct bench_opts {
	bool paths[BENCH_PATHS];	/* asked for (then: and available) */
	unsigned int sizes[BENCH_SIZES_MAX], nsizes;
	double trial_s;			/* traffic seconds per trial */
	double pdr_loss_pct;		/* PDR's loss ceiling (NDR: none) */
	double precision_pct;		/* search until this narrow */
	unsigned int repeats;
	unsigned int steps;		/* search trials after the max, cap */
	double lat_frac;		/* latency at this fraction of NDR */
	char guest_mode[16];		/* mode= for both guests */
	unsigned int ring;		/* search's rings; 0: the default */
	double ref_rate;		/* pps for CPU per packet */
	double low_rate;		/* pps for exits per packet */
	int pin_switch;			/* CPU for the forwarding thread, -1 */
	int pin_vcpu[2];		/* sender's, receiver's vCPU, -1 */
	bool pin_auto;			/* the pins are bench_pin_auto's */
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

/* What a trial is for: its receiver, its rings, its rate. */
enum bench_kind {
	BENCH_SEARCH,		/* sink, big rings, rate from the search */
	BENCH_LATENCY,		/* reflect, default rings */
	BENCH_REF,		/* sink at the reference rate: CPU */
	BENCH_LOW,		/* sink at the low rate: exits */
	BENCH_BASE,		/* iopath-peer to iopath-peer */
};

/* The threads a trial's costs are read from (bench_cost.c). */
enum bench_thread {
	BT_GEN_VMM,		/* the sender's VMM, all its threads */
	BT_GEN_VCPU,		/* its vCPU thread: guest + KVM + exits */
	BT_SINK_VMM,
	BT_SINK_VCPU,
	BT_SW,			/* the switch, all its threads */
	BT_SW_FWD,		/* its forwarding thread */
	BT_N,
};

/* One boot of a VM pair (or one baseline run). */
struct bench_trial {
	int path;			/* enum topo_nic_path, -1 = baseline */
	enum bench_kind kind;
	unsigned int size, ring;
	uint64_t rate;			/* offered, 0 = full speed */
	bool ok;			/* both VMs ran and reported */
	char why[768];			/* when !ok */
	uint64_t tx, rx;
	double loss_pct, tx_pps;
	double rx_pps;			/* rx over the sender's time */
	double sink_pps;		/* as the sink timed it */
	bool fin;			/* the sink counted to pktgen's FIN */
	double oneway_max_us;		/* the sink's slowest frame */
	/* exits during traffic per received packet */
	double exits_user_pkt, exits_kvm_pkt;		/* both VMs */
	double exits_user_gen, exits_user_sink;		/* by side */
	double exits_tx_pkt, exits_rx_pkt;	/* NIC data-path, by side */
	/* scheduler time over the window (schedstat), seconds */
	double window_s;
	double run_s[BT_N], wait_s[BT_N];
	bool have[BT_N];		/* the thread was found */
	struct bench_lat lat;
};

/* Microseconds of thread @t's run (or wait) time per received packet. */
double bench_trial_us(const struct bench_trial *t, enum bench_thread th,
		      bool wait);

/* The bench's switch, started once per run. */
struct bench_env {
	const struct bench_opts *o;
	char rundir[256];
	char sock[300], ctl[300], swname[48];
	pid_t sw_pid, sw_fwd;		/* the switch, its forwarding thread */
	unsigned int seq;		/* trial counter: unique port names */
};

/* bench_run.c */
int bench_env_start(struct bench_env *e, const struct bench_opts *o);
void bench_env_stop(struct bench_env *e);
/* One trial of @kind at @rate (pps, 0 = max) for o->trial_s. */
int bench_trial_run(struct bench_env *e, int path, unsigned int size,
		    enum bench_kind kind, uint64_t rate,
		    struct bench_trial *t);
/* Baseline: iopath-peer -> switch -> iopath-peer at full speed. */
int bench_baseline_run(struct bench_env *e, unsigned int size,
		       double seconds, struct bench_trial *t);
/* Userspace exits (all kinds but replayed "coalesced" writes) and KVM
 * exits in an iopath-vmm --stats file; -errno if unreadable. */
int bench_stats_exits(const char *file, double *user, double *kvm);

/* What one userspace exit costs here (bench_cost.c). */
struct bench_exit_cost {
	bool have;
	double us;			/* CPU microseconds per exit */
	double exits[2], cpu_s[2];	/* the two calibration runs */
	char how[160];			/* where the figure comes from */
};

/* bench_cost.c: threads and their scheduler time; the default pins. */
struct bench_proc {
	pid_t pid, hot;			/* hot: vCPU / forwarding thread */
	double run0, wait0, hrun0, hwait0;	/* at the window's start */
	double run, wait, hrun, hwait;		/* the last sample */
	bool sampled;
};
/* The thread of @pid whose name starts with one of @names (a
 * NULL-ended list), or 0. */
pid_t bench_thread_find(pid_t pid, const char *const *names);
/* The default placement: the switch's forwarding thread alone on the
 * first CPU this process may use, the vCPUs on the next ones; nothing
 * with fewer than two. */
void bench_pin_auto(struct bench_opts *o);
/* Track @pid and its thread @hot (0: none); starts the window. */
void bench_proc_start(struct bench_proc *p, pid_t pid, pid_t hot);
/* Take a sample; one that fails (the process ended) keeps the last. */
void bench_proc_sample(struct bench_proc *p);
/* Run and wait seconds since the start into @t's slots @all, @hot. */
void bench_proc_store(const struct bench_proc *p, struct bench_trial *t,
		      enum bench_thread all, enum bench_thread hot);
/* Once per run: the CPU one userspace exit costs, from two runs of the
 * hostile guest's poll-demand storm (every write an exit). */
int bench_exit_cost_measure(struct bench_env *e, struct bench_exit_cost *c);

/* Result of one search (one path, one size, one repeat). */
struct bench_point {
	bool done;
	struct bench_search srch;	/* rates and verdicts */
	struct bench_trial trials[BENCH_TRIALS_MAX];	/* the search's */
	double ndr_pps, pdr_pps, sat_pps;	/* delivered rates */
	double full_pps;		/* delivered at full speed */
	struct bench_trial lat;		/* latency, at lat_frac * NDR */
	struct bench_trial ref;		/* CPU at the reference rate */
	struct bench_trial low;		/* exits at the low rate */
	unsigned int ntrials;		/* all of the above */
};

/* The trial at NDR (NULL if none passed). */
const struct bench_trial *bench_point_ndr(const struct bench_point *pt);

/* Frame bits on the wire: RFC 2544 counts the frame with FCS plus
 * preamble and inter-frame gap (20 bytes) for line-rate figures; we report
 * bit/s of frames (with FCS) as pktgen does, L1 rate beside it. */
static inline double bench_bps(double pps, unsigned int size)
{
	return pps * size * 8.0;
}

/* A median over repeats with its spread. */
struct bench_stat {
	double med, min, max;
};

/* Costs per received packet in the trials at one rate (medians over
 * repeats): exits, and CPU microseconds of each process and thread. */
struct bench_costs {
	bool have;
	double pps;			/* the rate offered */
	double user, kvm, tx, rx;	/* exits: both VMs; NIC data path */
	double user_gen, user_sink;	/* userspace exits by side */
	double cpu_gen, cpu_sink, cpu_sw;	/* processes */
	double vcpu_gen, vcpu_sink, sw_fwd;	/* their busy threads */
	double wait;			/* the three processes' wait */
};

/* Which trial's costs: at NDR, at the reference rate, at the low rate. */
enum bench_at { AT_NDR, AT_REF, AT_LOW, AT_N };

/* Where the time goes per packet at one rate, CPU microseconds
 * (bench_cost.c). Exits are priced at the run's measured cost. */
struct bench_breakdown {
	bool have;
	double pps;
	double gen_guest, gen_exits;	/* sender VMM: the rest, its exits */
	double sink_guest, sink_exits;
	double sw;			/* the switch process */
	double total;
	double budget;			/* CPUs / rate: a packet's share */
	double idle;			/* budget - total: nobody's, others' */
	double wait;			/* runnable, no CPU: contention */
};

/* Aggregates over repeats, per size and path (path index 3: baseline). */
struct bench_agg {
	bool have;
	unsigned int n;
	struct bench_stat ndr, pdr, sat, full;
	double pct_of_base;		/* NDR / baseline */
	struct bench_costs at[AT_N];
	double lat_pps;
	double lat_min, lat_p50, lat_p90, lat_p99, lat_p999, lat_max;
	bool lat_have;
	struct bench_breakdown bd[2];	/* at NDR, at the reference rate */
};

struct bench_results {
	const struct bench_opts *o;
	char started[32];
	double elapsed_s;
	struct bench_point *pts;	/* [repeat][size][path + baseline] */
	struct bench_agg agg[BENCH_SIZES_MAX][BENCH_PATHS + 1];
	struct bench_exit_cost exit_cost;
	char machine[160];
	long ncpus;
};

static inline struct bench_point *bench_pt(const struct bench_results *r,
					   unsigned int rep, unsigned int s,
					   int p)
{
	return &r->pts[(rep * r->o->nsizes + s) * (BENCH_PATHS + 1) +
		       (unsigned int)p];
}

/* bench_plan.c: the whole run; fills results, writes reports. */
int bench_main(const struct bench_opts *o);

/* bench_report.c */
/* When a run started (local time, ISO 8601) and what it ran on. */
void bench_stamp(char *started, size_t slen, char *machine, size_t mlen);
/* Median of @n values (sorts @v); 0 when @n is 0. */
double bench_median(double *v, unsigned int n);
/* "emu", "pv", "vf" or "baseline" for column @p. */
const char *bench_col_name(int p);
void bench_aggregate(struct bench_results *r);
void bench_report_table(const struct bench_results *r, FILE *f);
/* bench_cost.c: the breakdowns of every aggregate, and their table. */
void bench_breakdown(struct bench_results *r);
void bench_report_breakdown(const struct bench_results *r, FILE *f);
/* bench_json.c */
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
