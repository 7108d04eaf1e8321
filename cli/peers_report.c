// SPDX-License-Identifier: MIT
/*
 * Results of `iopath bench --switch-peers`: medians over repeats with the
 * spread beside them, each switch also as a percentage of iopath-switch;
 * a terminal table, JSON (every trial too), CSV and an SVG chart.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/bench_peers.h"

static const char *const peer_color[PEER_KINDS] = {
	"#1f77b4", "#ff7f0e", "#7f7f7f",
};

void peers_aggregate(struct peers_results *r)
{
	const struct bench_opts *o = r->o;

	for (unsigned int s = 0; s < o->nsizes; s++) {
		for (int k = 0; k < PEER_KINDS; k++) {
			struct peers_agg *a = &r->agg[s][k];
			double v[BENCH_REPEATS_MAX], w[BENCH_REPEATS_MAX];

			memset(a, 0, sizeof(*a));
			for (unsigned int rep = 0; rep < o->repeats; rep++) {
				const struct peers_trial *t = &r->t[rep][s][k];

				if (!t->ok)
					continue;
				v[a->n] = t->pps;
				w[a->n++] = t->tx_pps;
			}
			if (!a->n)
				continue;
			a->med = bench_median(v, a->n);	/* sorts v */
			a->min = v[0];
			a->max = v[a->n - 1];
			a->tx_med = bench_median(w, a->n);
		}
		for (int k = 0; k < PEER_KINDS; k++) {
			struct peers_agg *a = &r->agg[s][k];
			double iop = r->agg[s][PEER_IOPATH].med;
			double ceil = r->agg[s][PEER_DPDK_IO].med;

			if (!a->n)
				continue;
			if (iop > 0)
				a->pct_of_iopath = 100.0 * (a->med / iop);
			if (ceil > 0)
				a->pct_of_dpdk_io = 100.0 * (a->med / ceil);
		}
	}
}

/* One row of the table: switch @k at frame size @s. */
static void peers_table_row(const struct peers_results *r, unsigned int s,
			    int k, FILE *f)
{
	const struct bench_opts *o = r->o;
	const struct peers_agg *a = &r->agg[s][k];
	char spread[48], pct[16], pct2[16];

	if (!r->avail[k]) {
		fprintf(f, "%-14s %6u   skipped: %s\n", peer_name(k),
			o->sizes[s], r->skip[k]);
		return;
	}
	if (!a->n) {
		fprintf(f, "%-14s %6u   failed: %s\n", peer_name(k),
			o->sizes[s], r->t[0][s][k].why);
		return;
	}
	snprintf(spread, sizeof(spread), "%.1f..%.1f", a->min / 1e3,
		 a->max / 1e3);
	snprintf(pct, sizeof(pct), a->pct_of_iopath > 0 ? "%.1f" : "-",
		 a->pct_of_iopath);
	snprintf(pct2, sizeof(pct2), a->pct_of_dpdk_io > 0 ? "%.1f" : "-",
		 a->pct_of_dpdk_io);
	fprintf(f, "%-14s %6u %10.1f %9.1f %21s %9s %9s\n", peer_name(k),
		o->sizes[s], a->med / 1e3,
		bench_bps(a->med, o->sizes[s]) / 1e6, spread, pct, pct2);
}

void peers_report_table(const struct peers_results *r, FILE *f)
{
	const struct bench_opts *o = r->o;

	fprintf(f, "iopath bench --switch-peers (%s; %u repeat(s), %.1f s "
		"trials, medians; spread = min..max)\n",
		r->machine, o->repeats, o->trial_s);
	fprintf(f, "%-14s %6s %10s %9s %21s %9s %9s\n", "switch", "frame",
		"kpps", "Mbit/s", "spread kpps", "%iopath", "%dpdk-io");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int k = 0; k < PEER_KINDS; k++)
			peers_table_row(r, s, k, f);
}

static json_t *trial_json(const struct peers_trial *t)
{
	json_t *j = json_pack("{s:b,s:f,s:f,s:I,s:f,s:i}", "ok", t->ok,
			      "pps", t->pps, "tx_pps", t->tx_pps,
			      "rx_missed", (json_int_t)t->rx_missed,
			      "seconds", t->seconds, "injections",
			      (int)t->injections);

	if (j && !t->ok)
		json_object_set_new(j, "error", json_string(t->why));
	return j;
}

/* The results entry of switch @k at frame size @s, its trials in it. */
static json_t *peers_row_json(const struct peers_results *r, unsigned int s,
			      int k)
{
	const struct bench_opts *o = r->o;
	const struct peers_agg *a = &r->agg[s][k];
	json_t *trials = json_array(), *row;

	for (unsigned int rep = 0; rep < o->repeats; rep++)
		json_array_append_new(trials, trial_json(&r->t[rep][s][k]));
	row = json_pack("{s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:o}",
			"switch", peer_name(k),
			"frame_bytes", (int)o->sizes[s],
			"repeats_ok", (int)a->n,
			"pps_median", a->med,
			"pps_min", a->min, "pps_max", a->max,
			"mbit_s", bench_bps(a->med, o->sizes[s]) / 1e6,
			"tx_pps_median", a->tx_med,
			"trials", trials);
	if (row && a->pct_of_iopath > 0)
		json_object_set_new(row, "pct_of_iopath",
				    json_real(a->pct_of_iopath));
	if (row && a->pct_of_dpdk_io > 0)
		json_object_set_new(row, "pct_of_dpdk_io",
				    json_real(a->pct_of_dpdk_io));
	return row;
}

int peers_report_json(const struct peers_results *r, const char *path)
{
	static const char generator[] = "dpdk-testpmd, mac forwarding, "
		"loop topology, two virtio_user ports over vhost-user";
	static const char metric[] = "frames/s received by testpmd "
		"(both directions) over the trial, median over repeats";
	const struct bench_opts *o = r->o;
	json_t *root, *rows = json_array(), *skipped = json_object();
	int rc;

	for (int k = 0; k < PEER_KINDS; k++)
		if (!r->avail[k])
			json_object_set_new(skipped, peer_name(k),
					    json_string(r->skip[k]));
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int k = 0; k < PEER_KINDS; k++)
			if (r->avail[k])
				json_array_append_new(rows,
						      peers_row_json(r, s, k));
	root = json_pack("{s:s,s:s,s:f,s:{s:s,s:s,s:i,s:f,s:i},s:o,s:o}",
			 "started", r->started, "machine", r->machine,
			 "elapsed_s", r->elapsed_s,
			 "method",
			 "generator", generator, "metric", metric,
			 "frames_in_flight", 2 * PEERS_BURSTS * 32,
			 "trial_seconds", o->trial_s,
			 "repeats", (int)o->repeats,
			 "skipped", skipped, "results", rows);
	if (!root)
		return -ENOMEM;
	rc = json_dump_file(root, path, JSON_INDENT(2)) ? -EIO : 0;
	json_decref(root);
	return rc;
}

int peers_report_csv(const struct peers_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "switch,frame_bytes,pps_median,pps_min,pps_max,mbit_s,"
		"tx_pps_median,pct_of_iopath,pct_of_dpdk_io,repeats_ok\n");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int k = 0; k < PEER_KINDS; k++) {
			const struct peers_agg *a = &r->agg[s][k];

			if (!r->avail[k])
				continue;
			fprintf(f,
				"%s,%u,%.0f,%.0f,%.0f,%.1f,%.0f,%.1f,%.1f,%u\n",
				peer_name(k), o->sizes[s], a->med, a->min,
				a->max, bench_bps(a->med, o->sizes[s]) / 1e6,
				a->tx_med, a->pct_of_iopath, a->pct_of_dpdk_io,
				a->n);
		}
	return fclose(f) ? -errno : 0;
}

int peers_report_svg(const struct peers_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	static struct svg_bars b;
	char footer[256];

	memset(&b, 0, sizeof(b));
	snprintf(footer, sizeof(footer),
		 "%s; testpmd loop, %d frames in flight, %u repeat(s)",
		 r->machine, 2 * PEERS_BURSTS * 32, o->repeats);
	b.title = "Forwarding rate per frame size, testpmd over vhost-user "
		  "(median; whiskers: min..max)";
	/* the switches are within a factor of two: a linear axis shows it */
	b.linear = true;
	b.ylabel = "frames/s";
	b.footer = footer;
	b.sizes = o->sizes;
	b.nsizes = o->nsizes;
	for (int k = 0; k < PEER_KINDS; k++) {
		if (!r->avail[k])
			continue;
		for (unsigned int s = 0; s < o->nsizes; s++) {
			b.med[s][b.ncols] = r->agg[s][k].med;
			b.min[s][b.ncols] = r->agg[s][k].min;
			b.max[s][b.ncols] = r->agg[s][k].max;
		}
		b.name[b.ncols] = peer_name(k);
		b.color[b.ncols++] = peer_color[k];
	}
	return bench_svg_bars(&b, path);
}
