// SPDX-License-Identifier: MIT
/*
 * One bench trial: boot the receiver VM, wait for its NIC, boot the
 * sender VM, let pktgen run, collect both VMs' JSON records and exit
 * counters. VMs are one-shot (the guest app ends, the VMM exits), so a
 * trial is a pair of processes and everything is read after they end:
 * the console records, the --stats file, wait4()'s rusage.
 *
 * Costs are counted for the traffic phase only: exit counters and CPU
 * time are sampled when each VM prints "init" (NIC up, bring-up exits
 * done) and subtracted from the totals at exit. Bring-up on the emu path
 * costs ~5,000 exits of SROM/MII bit-banging that are not per packet.
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

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* CPU seconds (user + system) of @pid so far, from /proc. */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
			 "%llu %llu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
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
		{
			/* Peek without reaping: the caller wants the rusage. */
			siginfo_t si = { 0 };

			if (!waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG |
				    WNOWAIT) && si.si_pid == pid)
				return -ECHILD;
		}
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
	char exe[300], out[300], log[300];
	char *argv[12];
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
	pid_t pid;
	char name[32], ctl[300], con[300], stats[300], log[300], out[300];
	double user0, kvm0, cpu0;	/* at "init" */
	struct rusage ru;
	int status;
	bool reaped;
};

static int vm_spawn(struct bench_env *e, struct vm_run *v, const char *role,
		    int path, const char *cmdline)
{
	static const unsigned char mac_gen[6] = { 2, 0, 0, 0x77, 0, 1 };
	static const unsigned char mac_sink[6] = { 2, 0, 0, 0x77, 0, 2 };
	char exe[300], nic[400];
	char *argv[24];
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

/* Wait for "init", then sample its counters. */
static int vm_ready(struct vm_run *v, double timeout_s)
{
	int rc = record_wait(v->con, "init", v->pid, timeout_s);

	if (rc)
		return rc;
	v->cpu0 = proc_cpu_s(v->pid);
	exits_snapshot(v->ctl, &v->user0, &v->kvm0);
	return 0;
}

/* Reap within @timeout_s, else kill; rusage kept. */
static int vm_reap(struct vm_run *v, double timeout_s)
{
	double end = clock_mono_s() + timeout_s;
	pid_t r;

	if (v->pid <= 0 || v->reaped)
		return 0;
	while ((r = wait4(v->pid, &v->status, WNOHANG, &v->ru)) == 0) {
		if (clock_mono_s() > end) {
			kill(v->pid, SIGKILL);
			wait4(v->pid, &v->status, 0, &v->ru);
			v->reaped = true;
			return -ETIMEDOUT;
		}
		sleep_ms(10);
	}
	v->reaped = true;
	return r < 0 ? -errno : 0;
}

static double ru_cpu_s(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
	       (double)ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* A guest's counter from its JSON record. */
static uint64_t rec_u64(json_t *rec, const char *key)
{
	return (uint64_t)json_integer_value(json_object_get(rec, key));
}

/* Traffic-phase exits of a finished VM: --stats totals minus init. */
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
 * The receiver's command line. sink counts and ends on pktgen's FIN (or
 * silence); reflect answers until silence. Both poll: the fastest they
 * go.
 */
static void trial_rx_cmd(char *cmd, size_t len, double seconds,
			 bool latency)
{
	if (latency)
		snprintf(cmd, len, "app=reflect ip=" BENCH_NET ".2/24 "
			 "mode=poll seconds=%u idle_ms=1500",
			 (unsigned int)seconds + 30);
	else
		snprintf(cmd, len, "app=sink ip=" BENCH_NET ".2/24 "
			 "mode=poll idle_ms=1000 wait_ms=20000 rx_ring=512");
}

/* The sender's: pktgen runs whole seconds=; a shorter trial at a set
 * rate is a frame count instead. */
static void trial_gen_cmd(char *cmd, size_t len, unsigned int size,
			  uint64_t rate, double seconds, bool latency)
{
	int n = snprintf(cmd, len, "app=pktgen dst=" BENCH_NET ".2 "
			 "ip=" BENCH_NET ".1/24 mode=poll size=%u rate=%llu",
			 size, (unsigned long long)rate);

	if (n < 0 || (size_t)n >= len)
		return;
	if (seconds < 1 && rate)
		snprintf(cmd + n, len - (size_t)n, " count=%llu%s",
			 (unsigned long long)((double)rate * seconds) + 1,
			 latency ? " latency=1" : "");
	else
		snprintf(cmd + n, len - (size_t)n, " seconds=%.0f%s",
			 seconds < 1 ? 1 : seconds,
			 latency ? " latency=1" : "");
}

/* Frames out and back (or in) from the two guests' records. */
static void trial_count(struct bench_trial *t, json_t *gen, json_t *sink,
			bool latency)
{
	uint64_t lost;

	t->tx = rec_u64(gen, "tx_packets");
	t->tx_pps = json_number_value(json_object_get(gen, "pps"));
	if (latency) {
		t->rx = rec_u64(gen, "rx_packets");
		lat_read(json_object_get(gen, "rtt_us"), &t->lat);
	} else {
		t->rx = rec_u64(sink, "received");
		t->rx_pps = json_number_value(json_object_get(sink, "pps"));
	}
	lost = t->tx > t->rx ? t->tx - t->rx : 0;
	t->loss_pct = t->tx ? 100.0 * (double)lost / (double)t->tx : 100.0;
	if (latency)
		t->rx_pps = t->tx_pps * (1 - t->loss_pct / 100);
}

/* Exits and host CPU per received packet, both VMs and the switch. */
static void trial_costs(struct bench_trial *t, const struct vm_run *gx,
			const struct vm_run *rx, double sw_cpu_s)
{
	double user, kvm, ndata, guser, gkvm, gdata;
	double pkts = t->rx ? (double)t->rx : 1;

	vm_exits(gx, &guser, &gkvm, &gdata);
	vm_exits(rx, &user, &kvm, &ndata);
	t->exits_user_pkt = (guser + user) / pkts;
	t->exits_kvm_pkt = (gkvm + kvm) / pkts;
	t->exits_tx_pkt = t->tx ? gdata / (double)t->tx : 0;
	t->exits_rx_pkt = ndata / pkts;
	t->cpu_gen_us = (ru_cpu_s(&gx->ru) - gx->cpu0) * 1e6 / pkts;
	t->cpu_sink_us = (ru_cpu_s(&rx->ru) - rx->cpu0) * 1e6 / pkts;
	t->cpu_switch_us = sw_cpu_s * 1e6 / pkts;
}

int bench_trial_run(struct bench_env *e, int path, unsigned int size,
		    uint64_t rate, double seconds, bool latency,
		    struct bench_trial *t)
{
	struct vm_run rx, gx;
	char cmd[512];
	double sw0, sw1;
	json_t *gen = NULL, *sink = NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->size = size;
	t->rate = rate;
	e->seq++;
	trial_rx_cmd(cmd, sizeof(cmd), seconds, latency);
	rc = vm_spawn(e, &rx, "sink", path, cmd);
	if (rc)
		return rc;
	rc = vm_ready(&rx, 20);
	if (rc) {
		snprintf(t->why, sizeof(t->why),
			 "receiver VM did not come up (%s); log %s",
			 rc == -ECHILD ? "exited" : "timeout", rx.log);
		goto out_rx;
	}
	trial_gen_cmd(cmd, sizeof(cmd), size, rate, seconds, latency);
	rc = vm_spawn(e, &gx, "gen", path, cmd);
	if (rc)
		goto out_rx;
	rc = vm_ready(&gx, 20);
	sw0 = proc_cpu_s(e->sw_pid);
	if (rc) {
		snprintf(t->why, sizeof(t->why),
			 "sender VM did not come up; log %s", gx.log);
		goto out_gx;
	}
	vm_reap(&gx, seconds + 30);
	sw1 = proc_cpu_s(e->sw_pid);
	vm_reap(&rx, 30);
	gen = record_find(gx.con, "pktgen");
	sink = record_find(rx.con, latency ? "reflect" : "sink");
	if (!gen || !sink) {
		snprintf(t->why, sizeof(t->why), "no %s record (logs %s, %s)",
			 !gen ? "pktgen" : latency ? "reflect" : "sink", gx.log,
			 rx.log);
		rc = -EIO;
		goto out_gx;
	}
	trial_count(t, gen, sink, latency);
	trial_costs(t, &gx, &rx, sw1 - sw0);
	t->ok = t->tx > 0;
	if (!t->ok)
		snprintf(t->why, sizeof(t->why), "pktgen sent nothing");
	rc = 0;
out_gx:
	if (!gx.reaped)
		vm_reap(&gx, 0.1);
out_rx:
	if (!rx.reaped)
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
	t->tx_pps = t->rx_pps;
	t->ok = t->rx_pps > 0;
	json_decref(rec);
	return t->ok ? 0 : -EIO;
}
