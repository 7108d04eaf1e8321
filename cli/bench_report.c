// SPDX-License-Identifier: MIT
/*
 * Bench results: medians over repeats with the spread (min..max) beside
 * them, as a terminal table, JSON (every trial's figures too, so nothing
 * has to be re-run to be re-read) and CSV (one row per size and path).
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
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

static const char *col_name(int p)
{
	return p == BENCH_PATHS ? "baseline" :
		path_info((enum topo_nic_path)p)->name;
}

/* Medians over the repeats of one path (or the baseline) at one size. */
static void bench_agg_one(struct bench_results *r, unsigned int s, int p)
{
	const struct bench_opts *o = r->o;
	struct bench_agg *a = &r->agg[s][p];
	double thr[BENCH_REPEATS_MAX], v[13][BENCH_REPEATS_MAX];
	unsigned int n = 0, nl = 0, n999 = 0;

	memset(a, 0, sizeof(*a));
	a->lat_p999 = -1;
	for (unsigned int k = 0; k < o->repeats; k++) {
		const struct bench_point *pt = &r->pts[k][s][p];
		const struct bench_trial *t = &pt->at_thr;
		const struct bench_lat *l = &pt->lat.lat;

		if (!pt->done)
			continue;
		thr[n] = pt->thr_pps;
		v[0][n] = t->exits_user_pkt;
		v[1][n] = t->exits_kvm_pkt;
		v[2][n] = t->exits_tx_pkt;
		v[3][n] = t->exits_rx_pkt;
		v[4][n] = t->cpu_gen_us;
		v[5][n] = t->cpu_sink_us;
		v[6][n] = t->cpu_switch_us;
		n++;
		if (l->have) {
			v[7][nl] = l->min;
			v[8][nl] = l->p50;
			v[9][nl] = l->p90;
			v[10][nl] = l->p99;
			v[11][nl] = l->max;
			/* Guests before p99.9 existed say -1. */
			if (l->p999 >= 0)
				v[12][n999++] = l->p999;
			nl++;
		}
	}
	if (!n)
		return;
	a->have = true;
	a->n = n;
	/* bench_median sorts @thr: min and max are at its ends */
	a->thr_med = bench_median(thr, n);
	a->thr_min = thr[0];
	a->thr_max = thr[n - 1];
	a->exits_user_pkt = bench_median(v[0], n);
	a->exits_kvm_pkt = bench_median(v[1], n);
	a->exits_tx_pkt = bench_median(v[2], n);
	a->exits_rx_pkt = bench_median(v[3], n);
	a->cpu_gen_us = bench_median(v[4], n);
	a->cpu_sink_us = bench_median(v[5], n);
	a->cpu_switch_us = bench_median(v[6], n);
	if (nl) {
		a->lat_have = true;
		a->lat_min = bench_median(v[7], nl);
		a->lat_p50 = bench_median(v[8], nl);
		a->lat_p90 = bench_median(v[9], nl);
		a->lat_p99 = bench_median(v[10], nl);
		a->lat_max = bench_median(v[11], nl);
		a->lat_p999 = n999 ? bench_median(v[12], n999) : -1;
	}
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
			if (base->have && base->thr_med > 0)
				r->agg[s][p].pct_of_base =
					100 * r->agg[s][p].thr_med /
					base->thr_med;
	}
}

/* One row of the table; the baseline has no VM figures. */
static void table_row(const struct bench_results *r, unsigned int s, int p,
		      FILE *f)
{
	const struct bench_opts *o = r->o;
	const struct bench_agg *a = &r->agg[s][p];
	double mbit = bench_bps(a->thr_med, o->sizes[s]) / 1e6;
	char spread[40], pct[16], p50[16], p99[16];

	snprintf(spread, sizeof(spread), "%.1f..%.1f", a->thr_min / 1e3,
		 a->thr_max / 1e3);
	snprintf(pct, sizeof(pct), p == BENCH_PATHS ? "100" :
		 a->pct_of_base > 0 ? "%.2f" : "-", a->pct_of_base);
	snprintf(p50, sizeof(p50), a->lat_have ? "%.1f" : "-", a->lat_p50);
	snprintf(p99, sizeof(p99), a->lat_have ? "%.1f" : "-", a->lat_p99);
	if (p == BENCH_PATHS)
		fprintf(f, "%-8s %6u %10.1f %9.1f %19s %7s "
			"%9s %9s %9s %9s %8s %8.3f\n",
			col_name(p), o->sizes[s], a->thr_med / 1e3, mbit,
			spread, pct, "-", "-", "-", "-", "-",
			a->cpu_switch_us);
	else
		fprintf(f, "%-8s %6u %10.1f %9.1f %19s %7s "
			"%9.3f %9.3f %9s %9s %8.2f %8.2f\n",
			col_name(p), o->sizes[s], a->thr_med / 1e3, mbit,
			spread, pct, a->exits_user_pkt, a->exits_kvm_pkt,
			p50, p99, a->cpu_gen_us + a->cpu_sink_us,
			a->cpu_switch_us);
}

void bench_report_table(const struct bench_results *r, FILE *f)
{
	const struct bench_opts *o = r->o;

	fprintf(f, "iopath bench (%s; %u repeat(s), %.1f s trials, "
		"loss <= %g%%, medians; spread = min..max)\n",
		r->machine, o->repeats, o->trial_s, o->loss_pct);
	fprintf(f, "%-8s %6s %10s %9s %19s %7s %9s %9s %9s %9s %8s %8s %8s\n",
		"path", "frame", "kpps", "Mbit/s", "spread kpps", "%base",
		"exits/pk", "kvm/pk", "rtt p50", "rtt p99", "cpu vm", "cpu sw",
		"");
	fprintf(f, "%-8s %6s %10s %9s %19s %7s %9s %9s %9s %9s %8s %8s\n",
		"", "B", "", "", "", "", "(user)", "", "us", "us", "us/pkt",
		"us/pkt");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				table_row(r, s, p, f);
}

/* Exits per packet: all to userspace, in KVM, the NIC's data path. */
static json_t *exits_json(double user, double kvm, double tx, double rx)
{
	return json_pack("{s:f,s:f,s:f,s:f}", "userspace", user, "kvm", kvm,
			 "nic_tx_data", tx, "nic_rx_data", rx);
}

/* Host CPU microseconds per packet. */
static json_t *cpu_json(double gen, double sink, double sw)
{
	return json_pack("{s:f,s:f,s:f}", "sender_vmm", gen,
			 "receiver_vmm", sink, "switch", sw);
}

static json_t *trial_json(const struct bench_trial *t)
{
	json_t *j = json_pack("{s:s,s:i,s:I,s:b,s:I,s:I,s:f,s:f,s:f}",
		"path", t->path < 0 ? "baseline" : col_name(t->path),
		"size", (int)t->size, "rate_offered", (json_int_t)t->rate,
		"ok", t->ok, "tx", (json_int_t)t->tx, "rx", (json_int_t)t->rx,
		"loss_pct", t->loss_pct, "tx_pps", t->tx_pps,
		"rx_pps", t->rx_pps);

	json_object_set_new(j, "exits_per_pkt",
			    exits_json(t->exits_user_pkt, t->exits_kvm_pkt,
				       t->exits_tx_pkt, t->exits_rx_pkt));
	json_object_set_new(j, "cpu_us_per_pkt",
			    cpu_json(t->cpu_gen_us, t->cpu_sink_us,
				     t->cpu_switch_us));
	if (t->lat.have)
		json_object_set_new(j, "rtt_us",
			json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:o}",
				  "n", t->lat.n, "min", t->lat.min,
				  "avg", t->lat.avg, "p50", t->lat.p50,
				  "p90", t->lat.p90, "p99", t->lat.p99,
				  "max", t->lat.max, "p99.9",
				  t->lat.p999 >= 0 ? json_real(t->lat.p999) :
						     json_null()));
	if (t->why[0])
		json_object_set_new(j, "error", json_string(t->why));
	return j;
}

/* A path's medians at one size: what they cost per packet, and latency. */
static void agg_json_path(json_t *j, const struct bench_opts *o,
			  const struct bench_agg *a)
{
	json_object_set_new(j, "pct_of_baseline", a->pct_of_base > 0 ?
			    json_real(a->pct_of_base) : json_null());
	json_object_set_new(j, "exits_per_pkt",
			    exits_json(a->exits_user_pkt, a->exits_kvm_pkt,
				       a->exits_tx_pkt, a->exits_rx_pkt));
	json_object_set_new(j, "cpu_us_per_pkt",
			    cpu_json(a->cpu_gen_us, a->cpu_sink_us,
				     a->cpu_switch_us));
	json_object_set_new(j, "latency_us", !a->lat_have ? json_null() :
		json_pack("{s:f,s:f,s:f,s:f,s:f,s:o,s:f}",
			  "at_pps", a->thr_med * o->lat_frac,
			  "min", a->lat_min, "p50", a->lat_p50,
			  "p90", a->lat_p90, "p99", a->lat_p99,
			  "p99.9", a->lat_p999 >= 0 ?
			  json_real(a->lat_p999) : json_null(),
			  "max", a->lat_max));
}

/* The summary entry of path @p (or the baseline) at size index @s. */
static json_t *agg_json(const struct bench_results *r, unsigned int s, int p)
{
	const struct bench_opts *o = r->o;
	const struct bench_agg *a = &r->agg[s][p];
	unsigned int size = o->sizes[s];
	json_t *j;

	j = json_pack("{s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:f}",
		      "path", col_name(p), "size", (int)size,
		      "repeats", (int)a->n, "throughput_pps", a->thr_med,
		      "throughput_bps", bench_bps(a->thr_med, size),
		      "throughput_l1_bps", a->thr_med * (size + 20) * 8.0,
		      "spread_min_pps", a->thr_min,
		      "spread_max_pps", a->thr_max);
	if (p < BENCH_PATHS) {
		agg_json_path(j, o, a);
		return j;
	}
	json_object_set_new(j, "cpu_us_per_pkt",
			    json_pack("{s:f}", "switch", a->cpu_switch_us));
	json_object_set_new(j, "what", json_string("iopath-peer -> "
		"iopath-switch -> iopath-peer, packet channels, full speed"));
	return j;
}

/* One search (repeat @k, size index @s, path @p) and its trials. */
static json_t *point_json(const struct bench_results *r, unsigned int k,
			  unsigned int s, int p)
{
	const struct bench_point *pt = &r->pts[k][s][p];
	json_t *j;

	j = json_pack("{s:i,s:s,s:i,s:f,s:i,s:o}", "repeat", (int)k + 1,
		      "path", col_name(p), "size", (int)r->o->sizes[s],
		      "throughput_pps", pt->thr_pps,
		      "trials", (int)pt->trials,
		      "at_throughput", trial_json(&pt->at_thr));
	if (pt->lat.tx)
		json_object_set_new(j, "latency", trial_json(&pt->lat));
	return j;
}

int bench_report_json(const struct bench_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	json_t *root, *sum = json_array(), *trials = json_array();
	json_t *sizes = json_array(), *paths = json_array();
	int rc;

	for (unsigned int s = 0; s < o->nsizes; s++)
		json_array_append_new(sizes, json_integer(o->sizes[s]));
	for (int p = 0; p < BENCH_PATHS; p++)
		if (o->paths[p])
			json_array_append_new(paths, json_string(col_name(p)));
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				json_array_append_new(sum, agg_json(r, s, p));
	for (unsigned int k = 0; k < o->repeats; k++)
		for (unsigned int s = 0; s < o->nsizes; s++)
			for (int p = 0; p <= BENCH_PATHS; p++)
				if (r->pts[k][s][p].done)
					json_array_append_new(trials,
						point_json(r, k, s, p));
	root = json_pack("{s:s,s:s,s:s,s:f,"
			 "s:{s:o,s:o,s:f,s:f,s:i,s:i,s:f,s:b,s:s},s:o,s:o}",
		"tool", "iopath bench", "started", r->started,
		"machine", r->machine, "elapsed_s", r->elapsed_s,
		"options", "paths", paths, "sizes", sizes,
		"trial_seconds", o->trial_s, "loss_pct", o->loss_pct,
		"repeats", (int)o->repeats, "search_steps", (int)o->steps,
		"latency_fraction", o->lat_frac, "quick", o->quick,
		"image", o->image, "summary", sum, "runs", trials);
	if (!root)
		return -ENOMEM;
	rc = json_dump_file(root, path, JSON_INDENT(1)) ? -EIO : 0;
	json_decref(root);
	return rc;
}

static void csv_row(const struct bench_results *r, unsigned int s, int p,
		    FILE *f)
{
	const struct bench_opts *o = r->o;
	const struct bench_agg *a = &r->agg[s][p];

	fprintf(f, "%s,%u,%u,%.0f,%.0f,%.0f,%.0f,%.3f,"
		"%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f,",
		col_name(p), o->sizes[s], a->n, a->thr_med,
		bench_bps(a->thr_med, o->sizes[s]), a->thr_min, a->thr_max,
		p == BENCH_PATHS ? 100.0 : a->pct_of_base,
		a->exits_user_pkt, a->exits_kvm_pkt, a->exits_tx_pkt,
		a->exits_rx_pkt, a->cpu_gen_us, a->cpu_sink_us,
		a->cpu_switch_us);
	if (a->lat_have) {
		fprintf(f, "%.3f,%.3f,%.3f,%.3f,", a->lat_min, a->lat_p50,
			a->lat_p90, a->lat_p99);
		if (a->lat_p999 >= 0)
			fprintf(f, "%.3f", a->lat_p999);
		fprintf(f, ",%.3f\n", a->lat_max);
	} else {
		fprintf(f, ",,,,,\n");
	}
}

int bench_report_csv(const struct bench_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "path,frame_bytes,repeats,throughput_pps,throughput_bps,"
		"spread_min_pps,spread_max_pps,pct_of_baseline,"
		"exits_user_per_pkt,exits_kvm_per_pkt,"
		"nic_tx_exits_per_pkt,nic_rx_exits_per_pkt,"
		"cpu_sender_us_per_pkt,cpu_receiver_us_per_pkt,"
		"cpu_switch_us_per_pkt,rtt_min_us,rtt_p50_us,rtt_p90_us,"
		"rtt_p99_us,rtt_p999_us,rtt_max_us\n");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				csv_row(r, s, p, f);
	return fclose(f) ? -errno : 0;
}
