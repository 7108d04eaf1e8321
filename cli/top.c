// SPDX-License-Identifier: MIT
/*
 * `iopath top`: rates from counter deltas between two samples - per
 * switch port (packets in and out, drops) and per VM (exits per second,
 * userspace and in KVM). Counters come from the same control sockets
 * `iopath-ctl` talks to; nothing here changes state.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/lab.h"
#include "cli/monitor.h"
#include "core/ctl.h"

#define TOP_ROWS_MAX	256

struct top_row {
	char name[64];
	double v[4];
};

struct top_sample {
	double t;
	unsigned int n;
	struct top_row rows[TOP_ROWS_MAX];
};

static volatile sig_atomic_t top_stop;

static void top_on_signal(int sig)
{
	top_stop = 1;
}

static void top_add(struct top_sample *s, const char *name, double a,
		    double b, double c, double d)
{
	struct top_row *r;

	if (s->n >= TOP_ROWS_MAX)
		return;
	r = &s->rows[s->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->v[0] = a, r->v[1] = b, r->v[2] = c, r->v[3] = d;
}

static json_t *call(const char *ctl, const char *cmd)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd);
	json_t *ans = ctl_call(ctl, req, 1000);

	json_decref(req);
	return ans;
}

static double ji(json_t *o, const char *k)
{
	return (double)json_integer_value(json_object_get(o, k));
}

/* A switch's ports: packets in and out, drops, bytes. */
static void top_sample_switch(const struct lab_proc *p, struct top_sample *s)
{
	json_t *ans = call(p->ctl, "show-ports"), *o;
	char name[64];
	size_t k;

	json_array_foreach(json_object_get(ans, "ports"), k, o) {
		json_t *st = json_object_get(o, "stats");
		json_t *port = json_object_get(o, "name");

		snprintf(name, sizeof(name), "P%s/%s", p->name,
			 json_string_value(port) ?: "?");
		top_add(s, name, ji(st, "rx_packets"), ji(st, "tx_packets"),
			ji(st, "rx_drops") + ji(st, "tx_drops"),
			ji(st, "rx_bytes") + ji(st, "tx_bytes"));
	}
	json_decref(ans);
}

/*
 * A VM's exits: to userspace (not "coalesced": those are replayed
 * writes, not exits), of them I/O and MMIO, and all that KVM saw.
 */
static void top_sample_vm(const struct lab_proc *p, struct top_sample *s)
{
	json_t *ans = call(p->ctl, "stats"), *ex, *u, *v;
	const char *key;
	double user = 0;
	char name[64];

	ex = json_object_get(ans, "exits");
	u = json_object_get(ex, "userspace");
	json_object_foreach(u, key, v)
		if (strcmp(key, "coalesced"))
			user += (double)json_integer_value(v);
	snprintf(name, sizeof(name), "V%s", p->name);
	if (ans)
		top_add(s, name, user, ji(u, "io"), ji(u, "mmio"),
			ji(json_object_get(ex, "kvm"), "exits"));
	json_decref(ans);
}

static void top_sample_take(const struct lab *l, struct top_sample *s)
{
	s->n = 0;
	s->t = clock_mono_s();
	for (unsigned int i = 0; i < l->nprocs; i++) {
		const struct lab_proc *p = &l->procs[i];

		if (p->exited)
			continue;
		if (p->kind == LAB_PROC_SWITCH)
			top_sample_switch(p, s);
		else
			top_sample_vm(p, s);
	}
}

static const struct top_row *top_find(const struct top_sample *s,
				      const char *name)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].name, name))
			return &s->rows[i];
	return NULL;
}

static void top_print(const struct lab *l, const struct top_sample *a,
		      const struct top_sample *b, bool clear)
{
	double dt = b->t - a->t;

	if (clear)
		printf("\033[H\033[J");
	printf("iopath top - lab %s, %.1f s interval\n\n", l->t.name, dt);
	printf("%-32s %12s %12s %10s %12s\n", "switch/port", "rx pps", "tx pps",
	       "drops/s", "Mbit/s");
	for (unsigned int i = 0; i < b->n; i++) {
		const struct top_row *r = &b->rows[i];
		const struct top_row *o = top_find(a, r->name);

		if (r->name[0] != 'P')
			continue;
		printf("%-32s %12.0f %12.0f %10.0f %12.2f\n", r->name + 1,
		       o ? (r->v[0] - o->v[0]) / dt : 0,
		       o ? (r->v[1] - o->v[1]) / dt : 0,
		       o ? (r->v[2] - o->v[2]) / dt : 0,
		       o ? (r->v[3] - o->v[3]) * 8 / dt / 1e6 : 0);
	}
	printf("\n%-32s %12s %12s %10s %12s\n", "vm", "exits/s", "io/s",
	       "mmio/s", "kvm exits/s");
	for (unsigned int i = 0; i < b->n; i++) {
		const struct top_row *r = &b->rows[i];
		const struct top_row *o = top_find(a, r->name);

		if (r->name[0] != 'V')
			continue;
		printf("%-32s %12.0f %12.0f %10.0f %12.0f\n", r->name + 1,
		       o ? (r->v[0] - o->v[0]) / dt : 0,
		       o ? (r->v[1] - o->v[1]) / dt : 0,
		       o ? (r->v[2] - o->v[2]) / dt : 0,
		       o ? (r->v[3] - o->v[3]) / dt : 0);
	}
	fflush(stdout);
}

int top_run(const char *lab, double interval_s, bool once)
{
	static struct top_sample s[2];
	struct lab l;
	pid_t sup;
	char state[32], err[256];
	int rc, cur = 0;
	bool tty = isatty(1) && !once;

	rc = lab_state_read(lab, &l, &sup, state, sizeof(state), err,
			    sizeof(err));
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	signal(SIGINT, top_on_signal);
	top_sample_take(&l, &s[cur]);
	while (!top_stop) {
		struct timespec ts = { (time_t)interval_s,
			(long)((interval_s - (long)interval_s) * 1e9) };

		nanosleep(&ts, NULL);
		if (top_stop)
			break;
		/* Processes come and go: re-read the state each round. */
		lab_state_read(lab, &l, &sup, state, sizeof(state), err,
			       sizeof(err));
		top_sample_take(&l, &s[!cur]);
		top_print(&l, &s[cur], &s[!cur], tty);
		cur = !cur;
		if (once)
			break;
	}
	return 0;
}
