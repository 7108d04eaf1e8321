// SPDX-License-Identifier: MIT
/*
 * Bench results for the terminal: medians over repeats with the spread
 * (min..max) beside them, in two tables: the rates (NDR, PDR,
 * saturation, share of the baseline) and the costs (exits per packet at
 * NDR and at the low rate, latency, CPU per packet at the reference
 * rate). bench_json.c writes the same and every trial to files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench.h"
#include "cli/paths.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_stamp(char *started, size_t slen, char *machine, size_t mlen)
{
	time_t now = time(NULL);
	struct utsname u;

	strftime(started, slen, "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	uname(&u);
	snprintf(machine, mlen, "%ld cores, %s %s",
		 sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release);
}

double bench_median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const char *bench_col_name(int p)
{
	return p == BENCH_PATHS ? "baseline" :
		path_info((enum topo_nic_path)p)->name;
}

const struct bench_trial *bench_point_ndr(const struct bench_point *pt)
{
	int i = pt->srch.ndr.lo_trial;

	return pt->done && i >= 0 ? &pt->trials[i] : NULL;
}

/* The figures a trial gives the aggregate, by index. */
enum trial_val {
	V_RATE, V_USER, V_KVM, V_TX, V_RX, V_USER_GEN, V_USER_SINK,
	V_CPU_GEN, V_CPU_SINK, V_CPU_SW, V_VCPU_GEN, V_VCPU_SINK, V_SW_FWD,
	V_WAIT,
	V_N,
};

static void trial_vals(const struct bench_trial *t, double v[V_N])
{
	v[V_RATE] = (double)t->rate;
	v[V_USER] = t->exits_user_pkt;
	v[V_KVM] = t->exits_kvm_pkt;
	v[V_TX] = t->exits_tx_pkt;
	v[V_RX] = t->exits_rx_pkt;
	v[V_USER_GEN] = t->exits_user_gen;
	v[V_USER_SINK] = t->exits_user_sink;
	v[V_CPU_GEN] = bench_trial_us(t, BT_GEN_VMM, false);
	v[V_CPU_SINK] = bench_trial_us(t, BT_SINK_VMM, false);
	v[V_CPU_SW] = bench_trial_us(t, BT_SW, false);
	v[V_VCPU_GEN] = bench_trial_us(t, BT_GEN_VCPU, false);
	v[V_VCPU_SINK] = bench_trial_us(t, BT_SINK_VCPU, false);
	v[V_SW_FWD] = bench_trial_us(t, BT_SW_FWD, false);
	v[V_WAIT] = bench_trial_us(t, BT_GEN_VMM, true) +
		    bench_trial_us(t, BT_SINK_VMM, true) +
		    bench_trial_us(t, BT_SW, true);
}

/* A trial's figures over the repeats, by index. */
struct trial_set {
	double v[V_N][BENCH_REPEATS_MAX];
	unsigned int n;
};

static void set_add(struct trial_set *ts, const struct bench_trial *t)
{
	double v[V_N];

	if (!t || !t->ok)
		return;
	trial_vals(t, v);
	for (int k = 0; k < V_N; k++)
		ts->v[k][ts->n] = v[k];
	ts->n++;
}

/* The medians of a set (sorts it). */
static void set_costs(struct trial_set *ts, struct bench_costs *c)
{
	double m[V_N];

	memset(c, 0, sizeof(*c));
	if (!ts->n)
		return;
	for (int k = 0; k < V_N; k++)
		m[k] = bench_median(ts->v[k], ts->n);
	*c = (struct bench_costs){
		.have = true, .pps = m[V_RATE], .user = m[V_USER],
		.kvm = m[V_KVM], .tx = m[V_TX], .rx = m[V_RX],
		.user_gen = m[V_USER_GEN], .user_sink = m[V_USER_SINK],
		.cpu_gen = m[V_CPU_GEN], .cpu_sink = m[V_CPU_SINK],
		.cpu_sw = m[V_CPU_SW], .vcpu_gen = m[V_VCPU_GEN],
		.vcpu_sink = m[V_VCPU_SINK], .sw_fwd = m[V_SW_FWD],
		.wait = m[V_WAIT],
	};
}

/* Median and spread of @n values (sorts @v). */
static struct bench_stat stat_of(double *v, unsigned int n)
{
	struct bench_stat st = { 0 };

	if (!n)
		return st;
	st.med = bench_median(v, n);
	st.min = v[0];
	st.max = v[n - 1];
	return st;
}

/* Latency percentiles' medians over the repeats that measured them. */
static void agg_latency(const struct bench_results *r, unsigned int s,
			int p, struct bench_agg *a)
{
	double v[7][BENCH_REPEATS_MAX];
	unsigned int nl = 0, n999 = 0;

	for (unsigned int k = 0; k < r->o->repeats; k++) {
		const struct bench_trial *t = &bench_pt(r, k, s, p)->lat;

		if (!t->lat.have)
			continue;
		v[0][nl] = t->lat.min;
		v[1][nl] = t->lat.p50;
		v[2][nl] = t->lat.p90;
		v[3][nl] = t->lat.p99;
		v[4][nl] = t->lat.max;
		v[5][nl] = (double)t->rate;
		/* Guests before p99.9 existed say -1. */
		if (t->lat.p999 >= 0)
			v[6][n999++] = t->lat.p999;
		nl++;
	}
	a->lat_p999 = n999 ? bench_median(v[6], n999) : -1;
	if (!nl)
		return;
	a->lat_have = true;
	a->lat_min = bench_median(v[0], nl);
	a->lat_p50 = bench_median(v[1], nl);
	a->lat_p90 = bench_median(v[2], nl);
	a->lat_p99 = bench_median(v[3], nl);
	a->lat_max = bench_median(v[4], nl);
	a->lat_pps = bench_median(v[5], nl);
}

/* The rates' medians and spreads; how many repeats searched. */
static unsigned int agg_rates(const struct bench_results *r, unsigned int s,
			      int p, struct bench_agg *a)
{
	double ndr[BENCH_REPEATS_MAX], pdr[BENCH_REPEATS_MAX];
	double sat[BENCH_REPEATS_MAX], full[BENCH_REPEATS_MAX];
	unsigned int n = 0;

	for (unsigned int k = 0; k < r->o->repeats; k++) {
		const struct bench_point *pt = bench_pt(r, k, s, p);

		if (!pt->done)
			continue;
		ndr[n] = pt->ndr_pps;
		pdr[n] = pt->pdr_pps;
		sat[n] = pt->sat_pps;
		full[n] = pt->full_pps;
		n++;
	}
	a->ndr = stat_of(ndr, n);
	a->pdr = stat_of(pdr, n);
	a->sat = stat_of(sat, n);
	a->full = stat_of(full, n);
	return n;
}

/* Medians over the repeats of one path (or the baseline) at one size. */
static void bench_agg_one(struct bench_results *r, unsigned int s, int p)
{
	struct bench_agg *a = &r->agg[s][p];
	struct trial_set set[AT_N];

	memset(a, 0, sizeof(*a));
	memset(set, 0, sizeof(set));
	a->lat_p999 = -1;
	a->n = agg_rates(r, s, p, a);
	if (!a->n)
		return;
	a->have = true;
	if (p == BENCH_PATHS)
		return;
	for (unsigned int k = 0; k < r->o->repeats; k++) {
		const struct bench_point *pt = bench_pt(r, k, s, p);

		set_add(&set[AT_NDR], bench_point_ndr(pt));
		set_add(&set[AT_REF], &pt->ref);
		set_add(&set[AT_LOW], &pt->low);
	}
	for (int k = 0; k < AT_N; k++)
		set_costs(&set[k], &a->at[k]);
	agg_latency(r, s, p, a);
}

void bench_aggregate(struct bench_results *r)
{
	const struct bench_opts *o = r->o;

	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			bench_agg_one(r, s, p);
	for (unsigned int s = 0; s < o->nsizes; s++) {
		const struct bench_agg *base = &r->agg[s][BENCH_PATHS];

		for (int p = 0; p < BENCH_PATHS; p++)
			if (base->have && base->sat.med > 0)
				r->agg[s][p].pct_of_base =
					100 * r->agg[s][p].ndr.med /
					base->sat.med;
	}
}

/* "kpps Mbit/s" of a rate, or dashes. */
static void rate_cell(char *buf, size_t len, double pps, unsigned int size)
{
	if (pps > 0)
		snprintf(buf, len, "%8.1f %8.1f", pps / 1e3,
			 bench_bps(pps, size) / 1e6);
	else
		snprintf(buf, len, "%8s %8s", "-", "-");
}

/* Did the path deliver less at full speed than at some paced rate
 * (beyond the precision)? Flooding costs it, or that trial was unlucky. */
static bool full_short(const struct bench_results *r,
		       const struct bench_agg *a)
{
	return a->full.med < a->sat.med * (1 - r->o->precision_pct / 100);
}

/* The rates table's row; the baseline has only its full-speed rate. */
static void rates_row(const struct bench_results *r, unsigned int s, int p,
		      FILE *f)
{
	const struct bench_agg *a = &r->agg[s][p];
	unsigned int size = r->o->sizes[s];
	char ndr[24], pdr[24], sat[24], pct[16], spread[40];
	const struct bench_stat *st;

	rate_cell(ndr, sizeof(ndr), p == BENCH_PATHS ? 0 : a->ndr.med, size);
	rate_cell(pdr, sizeof(pdr), p == BENCH_PATHS ? 0 : a->pdr.med, size);
	rate_cell(sat, sizeof(sat), a->sat.med, size);
	snprintf(pct, sizeof(pct), p == BENCH_PATHS ? "100" :
		 a->pct_of_base > 0 ? "%.2f" : "-", a->pct_of_base);
	st = p == BENCH_PATHS ? &a->sat : &a->ndr;
	if (st->max > 0)
		snprintf(spread, sizeof(spread), "%.1f..%.1f", st->min / 1e3,
			 st->max / 1e3);
	else
		snprintf(spread, sizeof(spread), "-");
	fprintf(f, "%-8s %5u | %s | %s | %s%c| %6s | %s\n",
		bench_col_name(p), size, ndr, pdr, sat,
		full_short(r, a) ? '*' : ' ', pct, spread);
}

/* "%9.3f" of @v, or a dash when @have is false. */
static const char *num(char *buf, size_t len, bool have, const char *fmt,
		       double v)
{
	if (have)
		snprintf(buf, len, fmt, v);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* The costs table's row (paths only). */
static void costs_row(const struct bench_results *r, unsigned int s, int p,
		      FILE *f)
{
	const struct bench_agg *a = &r->agg[s][p];
	const struct bench_costs *n = &a->at[AT_NDR], *l = &a->at[AT_LOW];
	const struct bench_costs *c = &a->at[AT_REF];
	char b[11][24];

	fprintf(f, "%-8s %5u | %7s %7s | %6s %7s %7s | %8s %8s %8s | "
		"%6s %7s %7s\n", bench_col_name(p), r->o->sizes[s],
		num(b[0], 24, n->have, "%.3f", n->user),
		num(b[1], 24, n->have, "%.3f", n->kvm),
		num(b[2], 24, l->have, "%.1f", l->pps / 1e3),
		num(b[3], 24, l->have, "%.3f", l->user),
		num(b[4], 24, l->have, "%.3f", l->kvm),
		num(b[5], 24, a->lat_have, "%.1f", a->lat_p50),
		num(b[6], 24, a->lat_have, "%.1f", a->lat_p99),
		num(b[7], 24, a->lat_have && a->lat_p999 >= 0, "%.1f",
		    a->lat_p999),
		num(b[8], 24, c->have, "%.1f", c->pps / 1e3),
		num(b[9], 24, c->have, "%.2f", c->cpu_gen + c->cpu_sink),
		num(b[10], 24, c->have, "%.2f", c->cpu_sw));
}

/* The options that shape the figures, for the table's head. */
static void table_head(const struct bench_results *r, FILE *f)
{
	const struct bench_opts *o = r->o;
	char pin[64] = "none", ring[16] = "default";

	if (o->pin_switch >= 0 || o->pin_vcpu[0] >= 0)
		snprintf(pin, sizeof(pin), "switch %d, vcpus %d,%d%s",
			 o->pin_switch, o->pin_vcpu[0], o->pin_vcpu[1],
			 o->pin_auto ? " (default)" : "");
	if (o->ring)
		snprintf(ring, sizeof(ring), "%u", o->ring);
	fprintf(f, "iopath bench (%s; %u repeat(s), %.1f s trials, medians, "
		"spread = min..max)\nNDR: no loss; PDR: loss <= %g%%; "
		"both within %g%%; saturation: received at full\nspeed. "
		"Guests mode=%s, rings %s, pinned: %s\n",
		r->machine, o->repeats, o->trial_s, o->pdr_loss_pct,
		o->precision_pct, o->guest_mode, ring, pin);
}

void bench_report_table(const struct bench_results *r, FILE *f)
{
	const struct bench_opts *o = r->o;
	char lat[32];

	table_head(r, f);
	fprintf(f, "%-8s %5s | %17s | %17s | %17s | %6s | %s\n", "path",
		"frame", "NDR", "PDR", "saturation", "%base", "NDR spread");
	fprintf(f, "%-8s %5s | %8s %8s | %8s %8s | %8s %8s | %6s | %s\n", "",
		"B", "kpps", "Mbit/s", "kpps", "Mbit/s", "kpps", "Mbit/s",
		"of NDR", "kpps");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				rates_row(r, s, p, f);
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p < BENCH_PATHS; p++)
			if (r->agg[s][p].have && full_short(r, &r->agg[s][p]))
				fprintf(f, "* %s %u B got %.1f kpps at full "
					"speed, less than paced\n",
					bench_col_name(p), o->sizes[s],
					r->agg[s][p].full.med / 1e3);

	snprintf(lat, sizeof(lat), "rtt us @NDR x %g", o->lat_frac);
	fprintf(f, "\n%-8s %5s | %15s | %22s | %26s | %s\n", "", "",
		"exits/pkt @NDR", "exits/pkt @low rate", lat,
		"cpu us/pkt @ref rate");
	fprintf(f, "%-8s %5s | %7s %7s | %6s %7s %7s | %8s %8s %8s | "
		"%6s %7s %7s\n", "path", "frame", "user", "kvm", "kpps",
		"user", "kvm", "p50", "p99", "p99.9", "kpps", "vms",
		"switch");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p < BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				costs_row(r, s, p, f);
}
