// SPDX-License-Identifier: MIT
/*
 * One bench trial: boot the receiver VM, wait for its NIC, boot the
 * sender VM, let pktgen run, collect both VMs' JSON records and exit
 * counters. VMs are one-shot (the guest app ends, the VMM exits), so a
 * trial is a pair of processes and everything is read after they end:
 * the console records and the --stats file.
 *
 * Costs are counted over the traffic window only: it opens when the
 * sender prints "init" (both NICs up, bring-up exits done: on the emu
 * path ~5,000 exits of SROM/MII bit-banging that are not per packet) and
 * closes as each process ends. Exit counters are read over the VMs'
 * control sockets at the start and from their --stats files at the end;
 * scheduler time is sampled every BENCH_SAMPLE_MS (bench_cost.c), the
 * last sample before a process ends closing its window.
 *
 * Counting: pktgen stops sending, waits fin_gap_ms (100 ms) for the
 * receiver to drain, then sends FIN frames; the sink stops at the FIN
 * (or after a second of silence if every FIN was lost). Rings and the
 * switch's queues are FIFO, so no data frame arrives after the FIN: what
 * the sink has counted then is all that arrived. The sink's slowest
 * one-way time is kept per trial to show how long the tail took.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/bench.h"
#include "cli/lab.h"
#include "cli/paths.h"
#include "core/ctl.h"

/* The bench's own subnet, VM ports only. */
#define BENCH_NET	"10.77.0"
/* How often a trial samples the scheduler's counters. */
#define BENCH_SAMPLE_MS	20

/* DPDK 22.11 names its lcore threads rte-worker-N (older: lcore-). */
static const char *const sw_fwd_names[] = {
	"rte-worker", "lcore-worker", NULL
};
static const char *const vcpu_names[] = { "vcpu", NULL };

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The last JSON line of @file whose "event" is @event, or NULL. */
static json_t *record_find(const char *file, const char *event)
{
	char line[16384], pat[64];
	json_t *last = NULL;
	FILE *f = fopen(file, "r");

	if (!f)
		return NULL;
	snprintf(pat, sizeof(pat), "\"event\":\"%s\"", event);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, pat))
			continue;
		json_decref(last);
		last = json_loads(line, 0, NULL);
	}
	fclose(f);
	return last;
}

/* Has our child @pid ended? Peeks without reaping it. */
static bool pid_ended(pid_t pid)
{
	siginfo_t si = { 0 };

	return !waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
	       si.si_pid == pid;
}

/* Wait until @file has @event, while @pid lives. 0, -ECHILD, -ETIMEDOUT. */
static int record_wait(const char *file, const char *event, pid_t pid,
		       double timeout_s)
{
	char pat[64], line[16384];
	double end = clock_mono_s() + timeout_s;

	snprintf(pat, sizeof(pat), "\"event\":\"%s\"", event);
	while (clock_mono_s() < end) {
		FILE *f = fopen(file, "r");

		if (f) {
			while (fgets(line, sizeof(line), f))
				if (strstr(line, pat)) {
					fclose(f);
					return 0;
				}
			fclose(f);
		}
		if (pid_ended(pid))
			return -ECHILD;
		sleep_ms(10);
	}
	return -ETIMEDOUT;
}

/* Sum of userspace exits (not "coalesced": those are replayed writes,
 * not exits) and KVM's in-kernel exit count, from a stats object. */
static void exits_sum(json_t *st, double *user, double *kvm)
{
	json_t *u = json_object_get(st, "userspace");
	const char *k;
	json_t *v;

	*user = 0;
	json_object_foreach(u, k, v)
		if (strcmp(k, "coalesced"))
			*user += (double)json_integer_value(v);
	*kvm = (double)json_integer_value(json_object_get(
			json_object_get(st, "kvm"), "exits"));
}

int bench_stats_exits(const char *file, double *user, double *kvm)
{
	json_t *st = json_load_file(file, 0, NULL);

	*user = *kvm = 0;
	if (!st)
		return -ENOENT;
	exits_sum(st, user, kvm);
	json_decref(st);
	return 0;
}

/* Exit counters of a running VM over its control socket. */
static int exits_snapshot(const char *ctl, double *user, double *kvm)
{
	json_t *req = json_pack("{s:s}", "cmd", "stats");
	json_t *ans = ctl_call(ctl, req, 2000);

	json_decref(req);
	*user = *kvm = 0;
	if (!ans)
		return -errno;
	exits_sum(json_object_get(ans, "exits"), user, kvm);
	json_decref(ans);
	return 0;
}

int bench_env_start(struct bench_env *e, const struct bench_opts *o)
{
	char exe[300], out[300], log[300], pmd[16];
	char *argv[14];
	unsigned int n = 0;
	const struct topo_host *h = &o->topo->hosts[0];
	int rc;

	memset(e, 0, sizeof(*e));
	e->o = o;
	snprintf(e->rundir, sizeof(e->rundir), "/tmp/iopath-bench-%d",
		 (int)getpid());
	if (mkdir(e->rundir, 0700))
		return -errno;
	snprintf(e->swname, sizeof(e->swname), "bench%d", (int)getpid());
	snprintf(e->sock, sizeof(e->sock), "%s/sw.sock", e->rundir);
	snprintf(e->ctl, sizeof(e->ctl), "%s/sw.ctl", e->rundir);
	snprintf(exe, sizeof(exe), "%s/iopath-switch", o->bindir);
	snprintf(out, sizeof(out), "%s/switch.out", e->rundir);
	snprintf(log, sizeof(log), "%s/switch.log", e->rundir);
	argv[n++] = exe;
	argv[n++] = "--name";
	argv[n++] = e->swname;
	argv[n++] = "--sock";
	argv[n++] = e->sock;
	argv[n++] = "--ctl";
	argv[n++] = e->ctl;
	if (h->poll)
		argv[n++] = "--poll";
	/* The switch pins its forwarding thread itself (OVS-DPDK's
	 * pmd-cpu-mask); the bench finds it for its scheduler time. */
	if (o->pin_switch >= 0) {
		snprintf(pmd, sizeof(pmd), "%d", o->pin_switch);
		argv[n++] = "--pmd-cpu";
		argv[n++] = pmd;
	}
	/* The vf path's two VMs take VFs of the bench switch's NIC. */
	if (o->paths[TOPO_PATH_VF]) {
		argv[n++] = "--sriov";
		argv[n++] = PATH_SRIOV_NIC ":vfs=2";
	}
	argv[n] = NULL;
	e->sw_pid = lab_proc_spawn_tied(argv, out, log);
	if (e->sw_pid < 0)
		return (int)e->sw_pid;
	/* the switch makes its attach socket before its control socket */
	rc = lab_proc_wait_path(e->sw_pid, e->ctl, 30000);
	if (!rc)
		rc = lab_proc_wait_path(e->sw_pid, e->sock, 30000);
	if (rc == -ECHILD) {
		e->sw_pid = 0;
		fprintf(stderr, "iopath: the bench switch exited; see %s\n",
			log);
	}
	if (!rc)
		e->sw_fwd = bench_thread_find(e->sw_pid, sw_fwd_names);
	return rc;
}

void bench_env_stop(struct bench_env *e)
{
	char prefix[80];

	if (e->sw_pid > 0)
		lab_proc_stop(e->sw_pid, 5000, true);
	e->sw_pid = 0;
	/* Only our own scratch directory and DPDK's for our switch. */
	if (e->rundir[0])
		lab_tree_remove(e->rundir);
	snprintf(prefix, sizeof(prefix), "iopath-sw-%s", e->swname);
	lab_dpdk_prefix_remove(prefix);
}

struct vm_run {
	pid_t pid, vcpu;
	char name[32], ctl[300], con[300], stats[300], log[300], out[300];
	double user0, kvm0;		/* exits when the window opened */
	struct bench_proc sched;	/* scheduler time over the window */
	int status;
	bool reaped;
};

static int vm_spawn(struct bench_env *e, struct vm_run *v, const char *role,
		    int path, const char *cmdline)
{
	static const unsigned char mac_gen[6] = { 2, 0, 0, 0x77, 0, 1 };
	static const unsigned char mac_sink[6] = { 2, 0, 0, 0x77, 0, 2 };
	char exe[300], nic[400], pin[16];
	int cpu = e->o->pin_vcpu[role[0] == 'g' ? 0 : 1];
	char *argv[26];
	unsigned int n = 0;
	int rc;

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s%u", role, e->seq);
	snprintf(v->ctl, sizeof(v->ctl), "%s/%s.ctl", e->rundir, role);
	snprintf(v->con, sizeof(v->con), "%s/%s.console", e->rundir, role);
	snprintf(v->stats, sizeof(v->stats), "%s/%s.stats", e->rundir, role);
	snprintf(v->log, sizeof(v->log), "%s/%s.log", e->rundir, role);
	snprintf(v->out, sizeof(v->out), "%s/%s.out", e->rundir, role);
	unlink(v->con);
	unlink(v->stats);
	unlink(v->ctl);
	rc = path_nic_arg((enum topo_nic_path)path,
			  role[0] == 'g' ? mac_gen : mac_sink, 0, e->sock, NULL,
			  nic, sizeof(nic));
	if (rc)
		return rc;
	snprintf(exe, sizeof(exe), "%s/iopath-vmm", e->o->bindir);
	argv[n++] = exe;
	argv[n++] = "--name";
	argv[n++] = v->name;
	argv[n++] = "--mem";
	argv[n++] = "64M";
	if (cpu >= 0) {
		snprintf(pin, sizeof(pin), "%d", cpu);
		argv[n++] = "--vcpu-pin";
		argv[n++] = pin;
	}
	argv[n++] = "--quiet";
	argv[n++] = "--console";
	argv[n++] = v->con;
	argv[n++] = "--ctl";
	argv[n++] = v->ctl;
	argv[n++] = "--stats";
	argv[n++] = v->stats;
	argv[n++] = "--nic";
	argv[n++] = nic;
	argv[n++] = "--append";
	argv[n++] = (char *)cmdline;
	argv[n++] = (char *)e->o->image;
	argv[n] = NULL;
	v->pid = lab_proc_spawn_tied(argv, v->out, v->log);
	return v->pid < 0 ? (int)v->pid : 0;
}

/* Wait for "init"; find the vCPU thread (the VMM pinned it, if asked). */
static int vm_ready(struct vm_run *v, double timeout_s)
{
	int rc = record_wait(v->con, "init", v->pid, timeout_s);

	if (rc)
		return rc;
	v->vcpu = bench_thread_find(v->pid, vcpu_names);
	return 0;
}

/* The window opens: exit counters and scheduler time now. */
static void vm_window_start(struct vm_run *v)
{
	exits_snapshot(v->ctl, &v->user0, &v->kvm0);
	bench_proc_start(&v->sched, v->pid, v->vcpu);
}

/* Has @v ended (without reaping it)? */
static bool vm_ended(const struct vm_run *v)
{
	return v->reaped || pid_ended(v->pid);
}

/* Reap within @timeout_s, else kill. */
static int vm_reap(struct vm_run *v, double timeout_s)
{
	double end = clock_mono_s() + timeout_s;
	pid_t r;

	if (v->pid <= 0 || v->reaped)
		return 0;
	while ((r = waitpid(v->pid, &v->status, WNOHANG)) == 0) {
		if (clock_mono_s() > end) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, &v->status, 0);
			v->reaped = true;
			return -ETIMEDOUT;
		}
		sleep_ms(10);
	}
	v->reaped = true;
	return r < 0 ? -errno : 0;
}

/* A guest's counter from its JSON record. */
static uint64_t rec_u64(json_t *rec, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(rec, key));
}

/* Exits of a finished VM over the window: --stats totals minus the
 * counts when it opened. */
static void vm_exits(const struct vm_run *v, double *user, double *kvm,
		     double *nic_data)
{
	json_t *st = json_load_file(v->stats, 0, NULL);
	json_t *nic;

	*user = *kvm = *nic_data = 0;
	if (!st)
		return;
	exits_sum(st, user, kvm);
	*user -= v->user0;
	*kvm -= v->kvm0;
	nic = json_array_get(json_object_get(st, "nics"), 0);
	*nic_data = (double)rec_u64(nic, "data_exits");
	json_decref(st);
}

static void lat_read(json_t *rtt, struct bench_lat *l)
{
	json_t *p999 = json_object_get(rtt, "p99.9");

	if (!json_is_object(rtt) ||
	    json_number_value(json_object_get(rtt, "n")) <= 0)
		return;
	l->have = true;
	l->n = json_number_value(json_object_get(rtt, "n"));
	l->min = json_number_value(json_object_get(rtt, "min"));
	l->avg = json_number_value(json_object_get(rtt, "avg"));
	l->p50 = json_number_value(json_object_get(rtt, "p50"));
	l->p90 = json_number_value(json_object_get(rtt, "p90"));
	l->p99 = json_number_value(json_object_get(rtt, "p99"));
	l->max = json_number_value(json_object_get(rtt, "max"));
	/* The guest reports p99.9 only if its lat_report does; else -1. */
	l->p999 = p999 ? json_number_value(p999) : -1;
}

/*
 * rx_ring= and tx_ring= for a trial: the same big rings for every kind.
 * The latency trial once kept the drivers' 256-slot defaults (a deep
 * queue is only more waiting), but at half of NDR a reflector with 256
 * slots lost 19% of the frames (README, "pv round trip"), and a round
 * trip measured with that loss is not the path's. With 4096 slots it
 * lost none, at a p50 of ~430 us against ~230.
 */
static void trial_rings(char *buf, size_t len, const struct bench_opts *o)
{
	if (!o->ring)
		buf[0] = '\0';
	else
		snprintf(buf, len, " rx_ring=%u tx_ring=%u", o->ring, o->ring);
}

/*
 * The receiver's command line. sink counts and ends on pktgen's FIN (or
 * silence); reflect answers until silence.
 */
static void trial_rx_cmd(char *cmd, size_t len, const struct bench_opts *o,
			 enum bench_kind kind)
{
	char rings[48];

	trial_rings(rings, sizeof(rings), o);
	if (kind == BENCH_LATENCY)
		snprintf(cmd, len, "app=reflect ip=" BENCH_NET ".2/24 "
			 "mode=%s seconds=%u idle_ms=1500%s", o->guest_mode,
			 (unsigned int)o->trial_s + 30, rings);
	else
		snprintf(cmd, len, "app=sink ip=" BENCH_NET ".2/24 "
			 "mode=%s idle_ms=1000 wait_ms=20000%s",
			 o->guest_mode, rings);
}

/* The sender's: pktgen runs whole seconds=; a shorter trial at a set
 * rate is a frame count instead. */
static void trial_gen_cmd(char *cmd, size_t len, const struct bench_opts *o,
			  unsigned int size, uint64_t rate,
			  enum bench_kind kind)
{
	double seconds = o->trial_s;
	const char *lat = kind == BENCH_LATENCY ? " latency=1" : "";
	char rings[48];
	int n;

	trial_rings(rings, sizeof(rings), o);
	n = snprintf(cmd, len, "app=pktgen dst=" BENCH_NET ".2 "
		     "ip=" BENCH_NET ".1/24 mode=%s size=%u rate=%llu%s",
		     o->guest_mode, size, (unsigned long long)rate, rings);
	if (n < 0 || (size_t)n >= len)
		return;
	if (seconds < 1 && rate)
		snprintf(cmd + n, len - (size_t)n, " count=%llu%s",
			 (unsigned long long)((double)rate * seconds) + 1,
			 lat);
	else
		snprintf(cmd + n, len - (size_t)n, " seconds=%.0f%s",
			 seconds < 1 ? 1 : seconds, lat);
}

/* Frames out and back (or in) from the two guests' records. The
 * delivered rate is frames received over the sender's time, so NDR,
 * PDR and saturation are measured alike. */
static void trial_count(struct bench_trial *t, json_t *gen, json_t *sink)
{
	uint64_t lost;

	t->tx = rec_u64(gen, "tx_packets");
	t->tx_pps = json_number_value(json_object_get(gen, "pps"));
	if (t->kind == BENCH_LATENCY) {
		t->rx = rec_u64(gen, "rx_packets");
		lat_read(json_object_get(gen, "rtt_us"), &t->lat);
	} else {
		t->rx = rec_u64(sink, "received");
		t->sink_pps = json_number_value(json_object_get(sink, "pps"));
		t->fin = json_is_true(json_object_get(sink, "fin"));
		t->oneway_max_us = json_number_value(json_object_get(
			json_object_get(sink, "latency_us"), "max"));
	}
	lost = t->tx > t->rx ? t->tx - t->rx : 0;
	t->loss_pct = t->tx ? 100.0 * (double)lost / (double)t->tx : 100.0;
	t->rx_pps = t->tx_pps * (1 - t->loss_pct / 100);
}

/* Exits per received packet, both VMs, by side. */
static void trial_exits(struct bench_trial *t, const struct vm_run *gx,
			const struct vm_run *rx)
{
	double user, kvm, ndata, guser, gkvm, gdata;
	double pkts = t->rx ? (double)t->rx : 1;

	vm_exits(gx, &guser, &gkvm, &gdata);
	vm_exits(rx, &user, &kvm, &ndata);
	t->exits_user_pkt = (guser + user) / pkts;
	t->exits_kvm_pkt = (gkvm + kvm) / pkts;
	t->exits_user_gen = guser / pkts;
	t->exits_user_sink = user / pkts;
	t->exits_tx_pkt = t->tx ? gdata / (double)t->tx : 0;
	t->exits_rx_pkt = ndata / pkts;
}

/*
 * The traffic window: sample the scheduler's counters of the sender,
 * the receiver and the switch until the sender ends (the switch's work
 * is done then), then the receiver alone until it ends.
 */
static void trial_watch(struct bench_env *e, struct vm_run *gx,
			struct vm_run *rx, struct bench_trial *t)
{
	double end = clock_mono_s() + e->o->trial_s + 30, t0 = clock_mono_s();
	struct bench_proc sw;

	bench_proc_start(&sw, e->sw_pid, e->sw_fwd);
	while (!vm_ended(gx) && clock_mono_s() < end) {
		bench_proc_sample(&gx->sched);
		bench_proc_sample(&rx->sched);
		bench_proc_sample(&sw);
		sleep_ms(BENCH_SAMPLE_MS);
	}
	t->window_s = clock_mono_s() - t0;
	vm_reap(gx, 0.1);
	end = clock_mono_s() + 30;
	while (!vm_ended(rx) && clock_mono_s() < end) {
		bench_proc_sample(&rx->sched);
		sleep_ms(BENCH_SAMPLE_MS);
	}
	vm_reap(rx, 0.1);
	bench_proc_store(&gx->sched, t, BT_GEN_VMM, BT_GEN_VCPU);
	bench_proc_store(&rx->sched, t, BT_SINK_VMM, BT_SINK_VCPU);
	bench_proc_store(&sw, t, BT_SW, BT_SW_FWD);
}

/* Boot the receiver, then the sender; each up (and pinned) or @t->why. */
static int trial_boot(struct bench_env *e, int path, unsigned int size,
		      struct vm_run *rx, struct vm_run *gx,
		      struct bench_trial *t)
{
	const struct bench_opts *o = e->o;
	char cmd[512];
	int rc;

	trial_rx_cmd(cmd, sizeof(cmd), o, t->kind);
	rc = vm_spawn(e, rx, "sink", path, cmd);
	if (rc)
		return rc;
	rc = vm_ready(rx, 20);
	if (rc) {
		snprintf(t->why, sizeof(t->why),
			 "receiver VM did not come up (%s); log %s",
			 rc == -ECHILD ? "exited" : strerror(-rc), rx->log);
		return rc;
	}
	trial_gen_cmd(cmd, sizeof(cmd), o, size, t->rate, t->kind);
	rc = vm_spawn(e, gx, "gen", path, cmd);
	if (rc)
		return rc;
	rc = vm_ready(gx, 20);
	if (rc)
		snprintf(t->why, sizeof(t->why),
			 "sender VM did not come up (%s); log %s",
			 rc == -ECHILD ? "exited" : strerror(-rc), gx->log);
	return rc;
}

int bench_trial_run(struct bench_env *e, int path, unsigned int size,
		    enum bench_kind kind, uint64_t rate,
		    struct bench_trial *t)
{
	struct vm_run rx = { 0 }, gx = { 0 };
	bool latency = kind == BENCH_LATENCY;
	json_t *gen = NULL, *sink = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->kind = kind;
	t->size = size;
	t->rate = rate;
	t->ring = e->o->ring;
	e->seq++;
	rc = trial_boot(e, path, size, &rx, &gx, t);
	if (rc)
		goto out;
	vm_window_start(&gx);
	vm_window_start(&rx);
	trial_watch(e, &gx, &rx, t);
	gen = record_find(gx.con, "pktgen");
	sink = record_find(rx.con, latency ? "reflect" : "sink");
	if (!gen || !sink) {
		snprintf(t->why, sizeof(t->why), "no %s record (logs %s, %s)",
			 !gen ? "pktgen" : latency ? "reflect" : "sink", gx.log,
			 rx.log);
		rc = -EIO;
		goto out;
	}
	trial_count(t, gen, sink);
	trial_exits(t, &gx, &rx);
	t->ok = t->tx > 0;
	if (!t->ok)
		snprintf(t->why, sizeof(t->why), "pktgen sent nothing");
out:
	if (gx.pid > 0 && !gx.reaped)
		vm_reap(&gx, 0.1);
	if (rx.pid > 0 && !rx.reaped)
		vm_reap(&rx, rc ? 0.1 : 30);
	json_decref(gen);
	json_decref(sink);
	if (rc && !t->why[0])
		snprintf(t->why, sizeof(t->why), "%s", strerror(-rc));
	return rc;
}

int bench_baseline_run(struct bench_env *e, unsigned int size,
		       double seconds, struct bench_trial *t)
{
	char exe[300], out_s[300], log_s[300], out_g[300], log_g[300];
	char secs_s[16], secs_g[16], sz[16], port_s[32], port_g[32];
	pid_t sink, gen;
	json_t *rec;
	int st;

	memset(t, 0, sizeof(*t));
	t->path = -1;
	t->kind = BENCH_BASE;
	t->size = size;
	e->seq++;
	snprintf(exe, sizeof(exe), "%s/iopath-peer", e->o->bindir);
	snprintf(out_s, sizeof(out_s), "%s/base-sink.out", e->rundir);
	snprintf(log_s, sizeof(log_s), "%s/base-sink.log", e->rundir);
	snprintf(out_g, sizeof(out_g), "%s/base-gen.out", e->rundir);
	snprintf(log_g, sizeof(log_g), "%s/base-gen.log", e->rundir);
	snprintf(secs_g, sizeof(secs_g), "%.0f", seconds < 1 ? 1 : seconds);
	snprintf(secs_s, sizeof(secs_s), "%.0f",
		 (seconds < 1 ? 1 : seconds) + 3);
	/* iopath-peer's --size is the frame without FCS */
	snprintf(sz, sizeof(sz), "%u", size - 4);
	snprintf(port_s, sizeof(port_s), "bs%u", e->seq);
	snprintf(port_g, sizeof(port_g), "bg%u", e->seq);
	{
		char *argv[] = { exe, "--sock", e->sock, "--port", port_s,
			"--mac", "02:00:00:77:01:02",
			"--ip", BENCH_NET ".12/24", "--mode", "sink",
			"--seconds", secs_s, "--slots", "4096", NULL };

		sink = lab_proc_spawn_tied(argv, out_s, log_s);
	}
	if (sink < 0 || record_wait(out_s, "ready", sink, 10)) {
		snprintf(t->why, sizeof(t->why),
			 "baseline sink did not attach; log %s", log_s);
		if (sink > 0)
			lab_proc_stop(sink, 1000, true);
		return -EIO;
	}
	{
		char *argv[] = { exe, "--sock", e->sock, "--port", port_g,
			"--mac", "02:00:00:77:01:01",
			"--ip", BENCH_NET ".11/24",
			"--mode", "send", "--dst-ip", BENCH_NET ".12",
			"--dst-mac", "02:00:00:77:01:02", "--rate", "0",
			"--size", sz, "--seconds", secs_g, "--slots", "4096",
			NULL };

		gen = lab_proc_spawn_tied(argv, out_g, log_g);
	}
	if (gen > 0)
		waitpid(gen, &st, 0);
	waitpid(sink, &st, 0);
	rec = record_find(out_s, "peer");
	if (!rec) {
		snprintf(t->why, sizeof(t->why), "no baseline record; log %s",
			 log_s);
		return -EIO;
	}
	t->rx = (uint64_t)json_integer_value(json_object_get(rec, "received"));
	t->rx_pps = json_number_value(json_object_get(rec, "rx_pps"));
	t->tx_pps = t->sink_pps = t->rx_pps;
	t->ok = t->rx_pps > 0;
	json_decref(rec);
	return t->ok ? 0 : -EIO;
}
