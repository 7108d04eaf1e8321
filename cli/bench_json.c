// SPDX-License-Identifier: MIT
/*
 * Bench results as files: results.json (options, the price of an exit,
 * the summary per path and size, every search with every trial, so
 * nothing has to be re-run to be re-read), results.csv (the summary, one
 * row per size and path) and trials.csv (every trial, one row each).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/bench.h"

static const char *const kind_names[] = {
	[BENCH_SEARCH] = "search", [BENCH_LATENCY] = "latency",
	[BENCH_REF] = "ref_rate", [BENCH_LOW] = "low_rate",
	[BENCH_BASE] = "baseline",
};

static const char *const thread_names[BT_N] = {
	[BT_GEN_VMM] = "sender_vmm", [BT_GEN_VCPU] = "sender_vcpu",
	[BT_SINK_VMM] = "receiver_vmm", [BT_SINK_VCPU] = "receiver_vcpu",
	[BT_SW] = "switch", [BT_SW_FWD] = "switch_fwd",
};

/* @v, or null when there is no figure. */
static json_t *real_or_null(bool have, double v)
{
	return have ? json_real(v) : json_null();
}

static json_t *lat_json(const struct bench_lat *l)
{
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:o}", "n", l->n,
			 "min", l->min, "avg", l->avg, "p50", l->p50,
			 "p90", l->p90, "p99", l->p99, "max", l->max,
			 "p99.9", real_or_null(l->p999 >= 0, l->p999));
}

/* Scheduler time per thread over the window, and per packet. */
static json_t *sched_json(const struct bench_trial *t)
{
	json_t *th = json_object(), *cpu = json_object();

	for (int k = 0; k < BT_N; k++) {
		json_object_set_new(th, thread_names[k], !t->have[k] ?
			json_null() : json_pack("{s:f,s:f}", "run_s",
			t->run_s[k], "wait_s", t->wait_s[k]));
		json_object_set_new(cpu, thread_names[k],
			real_or_null(t->have[k],
				     bench_trial_us(t, (enum bench_thread)k,
						    false)));
	}
	return json_pack("{s:f,s:o,s:o}", "window_s", t->window_s,
			 "threads", th, "cpu_us_per_pkt", cpu);
}

static json_t *trial_json(const struct bench_trial *t)
{
	json_t *j = json_pack("{s:s,s:s,s:i,s:I,s:i,s:b,s:I,s:I,s:f,s:f,"
			      "s:f}",
		"kind", kind_names[t->kind],
		"path", bench_col_name(t->path < 0 ? BENCH_PATHS : t->path),
		"size", (int)t->size, "rate_offered", (json_int_t)t->rate,
		"ring", (int)t->ring, "ok", t->ok, "tx", (json_int_t)t->tx,
		"rx", (json_int_t)t->rx, "loss_pct", t->loss_pct,
		"tx_pps", t->tx_pps, "rx_pps", t->rx_pps);

	if (t->kind == BENCH_BASE)
		return j;
	if (t->kind != BENCH_LATENCY)
		json_object_set_new(j, "sink", json_pack("{s:f,s:b,s:f}",
			"pps", t->sink_pps, "fin", t->fin,
			"oneway_max_us", t->oneway_max_us));
	json_object_set_new(j, "exits_per_pkt", json_pack(
		"{s:f,s:f,s:f,s:f,s:f,s:f}", "userspace", t->exits_user_pkt,
		"kvm", t->exits_kvm_pkt, "sender_userspace",
		t->exits_user_gen, "receiver_userspace", t->exits_user_sink,
		"nic_tx_data", t->exits_tx_pkt, "nic_rx_data",
		t->exits_rx_pkt));
	json_object_set_new(j, "sched", sched_json(t));
	if (t->lat.have)
		json_object_set_new(j, "rtt_us", lat_json(&t->lat));
	if (t->why[0])
		json_object_set_new(j, "error", json_string(t->why));
	return j;
}

static json_t *stat_json(const struct bench_stat *st)
{
	return json_pack("{s:f,s:f}", "min", st->min, "max", st->max);
}

static json_t *breakdown_json(const struct bench_breakdown *b)
{
	if (!b->have)
		return json_null();
	return json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}",
		"pps", b->pps, "sender_guest_us", b->gen_guest,
		"sender_exits_us", b->gen_exits,
		"receiver_guest_us", b->sink_guest,
		"receiver_exits_us", b->sink_exits, "switch_us", b->sw,
		"total_us", b->total, "budget_us", b->budget,
		"idle_us", b->idle, "wait_us", b->wait);
}

/* Costs per packet at one rate: exits, CPU of processes and threads. */
static json_t *costs_json(const struct bench_costs *c)
{
	if (!c->have)
		return json_null();
	return json_pack("{s:f,s:{s:f,s:f,s:f,s:f,s:f,s:f},"
			 "s:{s:f,s:f,s:f,s:f,s:f,s:f,s:f}}",
		"pps", c->pps,
		"exits_per_pkt", "userspace", c->user, "kvm", c->kvm,
		"sender_userspace", c->user_gen,
		"receiver_userspace", c->user_sink, "nic_tx_data", c->tx,
		"nic_rx_data", c->rx,
		"cpu_us_per_pkt", "sender_vmm", c->cpu_gen,
		"receiver_vmm", c->cpu_sink, "switch", c->cpu_sw,
		"sender_vcpu", c->vcpu_gen, "receiver_vcpu", c->vcpu_sink,
		"switch_fwd", c->sw_fwd, "wait_all", c->wait);
}

/* A path's medians at one size: costs, latency, breakdown. */
static void agg_json_path(json_t *j, const struct bench_agg *a)
{
	json_object_set_new(j, "pct_of_baseline",
			    real_or_null(a->pct_of_base > 0, a->pct_of_base));
	json_object_set_new(j, "at_ndr", costs_json(&a->at[AT_NDR]));
	json_object_set_new(j, "at_ref_rate", costs_json(&a->at[AT_REF]));
	json_object_set_new(j, "at_low_rate", costs_json(&a->at[AT_LOW]));
	json_object_set_new(j, "latency_us", !a->lat_have ? json_null() :
		json_pack("{s:f,s:f,s:f,s:f,s:f,s:o,s:f}",
			  "at_pps", a->lat_pps, "min", a->lat_min,
			  "p50", a->lat_p50, "p90", a->lat_p90,
			  "p99", a->lat_p99, "p99.9",
			  real_or_null(a->lat_p999 >= 0, a->lat_p999),
			  "max", a->lat_max));
	json_object_set_new(j, "breakdown", json_pack("{s:o,s:o}",
		"at_ndr", breakdown_json(&a->bd[0]),
		"at_ref_rate", breakdown_json(&a->bd[1])));
}

/* The summary entry of path @p (or the baseline) at size index @s. */
static json_t *agg_json(const struct bench_results *r, unsigned int s, int p)
{
	const struct bench_agg *a = &r->agg[s][p];
	unsigned int size = r->o->sizes[s];
	json_t *j;

	j = json_pack("{s:s,s:i,s:i,s:f,s:f,s:o}", "path", bench_col_name(p),
		      "size", (int)size, "repeats", (int)a->n,
		      "saturation_pps", a->sat.med,
		      "saturation_bps", bench_bps(a->sat.med, size),
		      "spread", json_pack("{s:o}", "saturation",
					  stat_json(&a->sat)));
	if (p == BENCH_PATHS) {
		json_object_set_new(j, "what", json_string("iopath-peer -> "
			"iopath-switch -> iopath-peer, packet channels, "
			"full speed"));
		return j;
	}
	json_object_set_new(j, "ndr_pps", json_real(a->ndr.med));
	json_object_set_new(j, "ndr_bps",
			    json_real(bench_bps(a->ndr.med, size)));
	json_object_set_new(j, "ndr_l1_bps",
			    json_real(a->ndr.med * (size + 20) * 8.0));
	json_object_set_new(j, "pdr_pps", json_real(a->pdr.med));
	json_object_set_new(j, "full_speed_rx_pps", json_real(a->full.med));
	json_object_set_new(j, "pdr_bps",
			    json_real(bench_bps(a->pdr.med, size)));
	json_object_set_new(json_object_get(j, "spread"), "ndr",
			    stat_json(&a->ndr));
	json_object_set_new(json_object_get(j, "spread"), "pdr",
			    stat_json(&a->pdr));
	agg_json_path(j, a);
	return j;
}

static json_t *bound_json(const struct bench_bound *b)
{
	return json_pack("{s:f,s:f}", "lo", b->lo, "hi", b->hi);
}

/* One search (repeat @k, size index @s, path @p) and its trials. */
static json_t *point_json(const struct bench_results *r, unsigned int k,
			  unsigned int s, int p)
{
	const struct bench_point *pt = bench_pt(r, k, s, p);
	json_t *trials = json_array(), *j;

	j = json_pack("{s:i,s:s,s:i,s:f,s:f,s:f,s:i}", "repeat", (int)k + 1,
		      "path", bench_col_name(p), "size", (int)r->o->sizes[s],
		      "ndr_pps", pt->ndr_pps, "pdr_pps", pt->pdr_pps,
		      "saturation_pps", pt->sat_pps,
		      "trials_run", (int)pt->ntrials);
	if (p < BENCH_PATHS) {
		json_object_set_new(j, "sender_max_pps",
				    json_real(pt->srch.max_pps));
		json_object_set_new(j, "full_speed_rx_pps",
				    json_real(pt->full_pps));
		json_object_set_new(j, "precise",
				    json_boolean(pt->srch.precise));
		json_object_set_new(j, "bounds", json_pack("{s:o,s:o}",
			"ndr", bound_json(&pt->srch.ndr),
			"pdr", bound_json(&pt->srch.pdr)));
	}
	for (unsigned int i = 0; i < pt->ntrials && i < BENCH_TRIALS_MAX &&
	     (p == BENCH_PATHS || i < pt->srch.n); i++)
		json_array_append_new(trials, trial_json(&pt->trials[i]));
	json_object_set_new(j, "trials", trials);
	if (pt->lat.tx)
		json_object_set_new(j, "latency", trial_json(&pt->lat));
	if (pt->ref.tx)
		json_object_set_new(j, "ref_rate", trial_json(&pt->ref));
	if (pt->low.tx)
		json_object_set_new(j, "low_rate", trial_json(&pt->low));
	return j;
}

static json_t *options_json(const struct bench_opts *o)
{
	json_t *sizes = json_array(), *paths = json_array();

	for (unsigned int s = 0; s < o->nsizes; s++)
		json_array_append_new(sizes, json_integer(o->sizes[s]));
	for (int p = 0; p < BENCH_PATHS; p++)
		if (o->paths[p])
			json_array_append_new(paths,
					      json_string(bench_col_name(p)));
	return json_pack("{s:o,s:o,s:f,s:f,s:f,s:i,s:i,s:f,s:s,s:i,s:f,s:f,"
			 "s:o,s:o,s:b,s:b,s:s}",
		"paths", paths, "sizes", sizes, "trial_seconds", o->trial_s,
		"pdr_loss_pct", o->pdr_loss_pct,
		"precision_pct", o->precision_pct,
		"repeats", (int)o->repeats,
		"max_search_trials", (int)o->steps,
		"latency_fraction", o->lat_frac, "guest_mode", o->guest_mode,
		"ring", (int)o->ring, "ref_rate_pps", o->ref_rate,
		"low_rate_pps", o->low_rate,
		"pin_switch", o->pin_switch < 0 ? json_null() :
			      json_integer(o->pin_switch),
		"pin_vcpus", o->pin_vcpu[0] < 0 ? json_null() :
			     json_pack("[i,i]", o->pin_vcpu[0],
				       o->pin_vcpu[1]),
		"pin_auto", o->pin_auto,
		"quick", o->quick, "image", o->image);
}

static json_t *exit_cost_json(const struct bench_exit_cost *c)
{
	return json_pack("{s:o,s:s,s:[{s:f,s:f},{s:f,s:f}]}",
		"us_per_exit", real_or_null(c->have, c->us), "how", c->how,
		"runs", "exits", c->exits[0], "cpu_s", c->cpu_s[0],
		"exits", c->exits[1], "cpu_s", c->cpu_s[1]);
}

int bench_report_json(const struct bench_results *r, const char *path)
{
	const struct bench_opts *o = r->o;
	json_t *root, *sum = json_array(), *runs = json_array();
	int rc;

	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				json_array_append_new(sum, agg_json(r, s, p));
	for (unsigned int k = 0; k < o->repeats; k++)
		for (unsigned int s = 0; s < o->nsizes; s++)
			for (int p = 0; p <= BENCH_PATHS; p++)
				if (bench_pt(r, k, s, p)->done)
					json_array_append_new(runs,
						point_json(r, k, s, p));
	root = json_pack("{s:s,s:s,s:s,s:i,s:f,s:o,s:o,s:o,s:o}",
		"tool", "iopath bench", "started", r->started,
		"machine", r->machine, "cpus", (int)r->ncpus,
		"elapsed_s", r->elapsed_s, "options", options_json(o),
		"exit_cost", exit_cost_json(&r->exit_cost),
		"summary", sum, "runs", runs);
	if (!root)
		return -ENOMEM;
	rc = json_dump_file(root, path, JSON_INDENT(1)) ? -EIO : 0;
	json_decref(root);
	return rc;
}

/* A figure, or an empty CSV cell. */
static void csv_num(FILE *f, bool have, const char *fmt, double v)
{
	if (have)
		fprintf(f, fmt, v);
	fputc(',', f);
}

/* rate, exits (user, kvm), CPU (sender, receiver, switch) at one rate */
static void csv_costs(FILE *f, bool path, const struct bench_costs *c)
{
	bool have = path && c->have;

	csv_num(f, have, "%.0f", c->pps);
	csv_num(f, have, "%.4f", c->user);
	csv_num(f, have, "%.4f", c->kvm);
	csv_num(f, have, "%.3f", c->cpu_gen);
	csv_num(f, have, "%.3f", c->cpu_sink);
	csv_num(f, have, "%.3f", c->cpu_sw);
}

static void csv_row(const struct bench_results *r, unsigned int s, int p,
		    FILE *f)
{
	const struct bench_agg *a = &r->agg[s][p];
	const struct bench_breakdown *b = &a->bd[0];
	unsigned int size = r->o->sizes[s];
	bool path = p < BENCH_PATHS;

	fprintf(f, "%s,%u,%u,", bench_col_name(p), size, a->n);
	csv_num(f, path, "%.0f", a->ndr.med);
	csv_num(f, path, "%.0f", bench_bps(a->ndr.med, size));
	csv_num(f, path, "%.0f", a->pdr.med);
	csv_num(f, path, "%.0f", bench_bps(a->pdr.med, size));
	fprintf(f, "%.0f,%.0f,", a->sat.med, bench_bps(a->sat.med, size));
	csv_num(f, path, "%.0f", a->ndr.min);
	csv_num(f, path, "%.0f", a->ndr.max);
	fprintf(f, "%.3f,", path ? a->pct_of_base : 100.0);
	csv_costs(f, path, &a->at[AT_NDR]);
	csv_costs(f, path, &a->at[AT_LOW]);
	csv_costs(f, path, &a->at[AT_REF]);
	csv_num(f, path && b->have, "%.3f", b->gen_exits + b->sink_exits);
	csv_num(f, path && b->have, "%.3f", b->idle);
	csv_num(f, path && b->have, "%.3f", b->wait);
	csv_num(f, a->lat_have, "%.0f", a->lat_pps);
	csv_num(f, a->lat_have, "%.3f", a->lat_min);
	csv_num(f, a->lat_have, "%.3f", a->lat_p50);
	csv_num(f, a->lat_have, "%.3f", a->lat_p90);
	csv_num(f, a->lat_have, "%.3f", a->lat_p99);
	csv_num(f, a->lat_have && a->lat_p999 >= 0, "%.3f", a->lat_p999);
	if (a->lat_have)
		fprintf(f, "%.3f", a->lat_max);
	fputc('\n', f);
}

/* The summary, one row per size and path. */
static void csv_summary(const struct bench_results *r, FILE *f)
{
	static const char *const at[3] = { "ndr", "low", "ref" };
	const struct bench_opts *o = r->o;

	fprintf(f, "path,frame_bytes,repeats,ndr_pps,ndr_bps,pdr_pps,pdr_bps,"
		"saturation_pps,saturation_bps,ndr_min_pps,ndr_max_pps,"
		"pct_of_baseline");
	for (int k = 0; k < 3; k++)
		fprintf(f, ",%s_pps,%s_exits_user_per_pkt,"
			"%s_exits_kvm_per_pkt,%s_cpu_sender_us_per_pkt,"
			"%s_cpu_receiver_us_per_pkt,%s_cpu_switch_us_per_pkt",
			at[k], at[k], at[k], at[k], at[k], at[k]);
	fprintf(f, ",ndr_exits_us_per_pkt,ndr_idle_us_per_pkt,"
		"ndr_wait_us_per_pkt,latency_pps,"
		"rtt_min_us,rtt_p50_us,rtt_p90_us,rtt_p99_us,rtt_p999_us,"
		"rtt_max_us\n");
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p <= BENCH_PATHS; p++)
			if (r->agg[s][p].have)
				csv_row(r, s, p, f);
}

static void csv_trial(FILE *f, unsigned int rep, const struct bench_trial *t)
{
	fprintf(f, "%u,%s,%s,%u,%llu,%u,%d,%llu,%llu,%.4f,%.0f,%.0f,%.4f,"
		"%.4f,%.4f,", rep + 1,
		bench_col_name(t->path < 0 ? BENCH_PATHS : t->path),
		kind_names[t->kind], t->size, (unsigned long long)t->rate,
		t->ring, t->ok, (unsigned long long)t->tx,
		(unsigned long long)t->rx, t->loss_pct, t->tx_pps, t->rx_pps,
		t->exits_user_pkt, t->exits_kvm_pkt, t->window_s);
	for (int k = 0; k < BT_N; k++) {
		csv_num(f, t->have[k], "%.6f", t->run_s[k]);
		csv_num(f, t->have[k], "%.6f", t->wait_s[k]);
	}
	csv_num(f, t->lat.have, "%.3f", t->lat.p50);
	if (t->lat.have)
		fprintf(f, "%.3f", t->lat.p99);
	fputc('\n', f);
}

/* Every trial, in the order run within each search. */
static void csv_trials(const struct bench_results *r, FILE *f)
{
	const struct bench_opts *o = r->o;

	fprintf(f, "repeat,path,kind,frame_bytes,rate_offered,ring,ok,tx,rx,"
		"loss_pct,tx_pps,rx_pps,exits_user_per_pkt,"
		"exits_kvm_per_pkt,window_s");
	for (int k = 0; k < BT_N; k++)
		fprintf(f, ",%s_run_s,%s_wait_s", thread_names[k],
			thread_names[k]);
	fprintf(f, ",rtt_p50_us,rtt_p99_us\n");
	for (unsigned int k = 0; k < o->repeats; k++)
		for (unsigned int s = 0; s < o->nsizes; s++)
			for (int p = 0; p <= BENCH_PATHS; p++) {
				const struct bench_point *pt =
					bench_pt(r, k, s, p);
				unsigned int n = p == BENCH_PATHS ?
						 pt->ntrials : pt->srch.n;

				for (unsigned int i = 0; pt->done && i < n;
				     i++)
					csv_trial(f, k, &pt->trials[i]);
				if (pt->lat.tx)
					csv_trial(f, k, &pt->lat);
				if (pt->ref.tx)
					csv_trial(f, k, &pt->ref);
				if (pt->low.tx)
					csv_trial(f, k, &pt->low);
			}
}

/* @path written by @body. */
static int csv_file(const struct bench_results *r, const char *path,
		    void (*body)(const struct bench_results *r, FILE *f))
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	body(r, f);
	return fclose(f) ? -errno : 0;
}

int bench_report_csv(const struct bench_results *r, const char *path)
{
	char trials[512];
	const char *slash = strrchr(path, '/');
	int rc = csv_file(r, path, csv_summary);

	/* trials.csv beside results.csv */
	snprintf(trials, sizeof(trials), "%.*strials.csv",
		 slash ? (int)(slash - path + 1) : 0, path);
	return rc ?: csv_file(r, trials, csv_trials);
}
