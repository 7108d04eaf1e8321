// SPDX-License-Identifier: MIT
/*
 * What a packet costs and where the time goes.
 *
 * CPU time comes from the scheduler's own accounting,
 * /proc/PID/task/TID/schedstat: nanoseconds on a CPU and nanoseconds
 * runnable but waiting for one. Run time is what a thread cost; wait
 * time is contention (on two cores, three busy threads wait a third of
 * the time). A vCPU thread's run time holds the guest, KVM and the
 * VMM's handling of every userspace exit, all on that thread.
 *
 * The price of one userspace exit is measured once per run, not taken
 * from a table: the hostile guest's "storm" step writes the 21140's
 * transmit poll demand (CSR1) in a loop with nothing to send, so each
 * write is one exit and almost nothing else. Two runs of different
 * lengths; the CPU difference over the exit difference is the price,
 * boot and bring-up cancelling out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/bench.h"
#include "cli/lab.h"
#include "cli/paths.h"

/* Poll demands per calibration run: short and long. */
#define CAL_STORM_SHORT	2000
#define CAL_STORM_LONG	20000

/* A small /proc file into @buf; its length or -errno. */
static ssize_t proc_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* Run and wait seconds of thread @tid of @pid; -errno once it is gone. */
static int sched_read(pid_t pid, pid_t tid, double *run, double *wait)
{
	char path[80], buf[128];
	unsigned long long r, w;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid,
		 (int)tid);
	if (proc_read(path, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%llu %llu", &r, &w) != 2)
		return -ENOENT;
	*run = (double)r / 1e9;
	*wait = (double)w / 1e9;
	return 0;
}

/* The same, summed over every thread of @pid. */
static int sched_read_all(pid_t pid, double *run, double *wait)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	*run = *wait = 0;
	while ((d = readdir(dir))) {
		double r, w;

		if (d->d_name[0] == '.' ||
		    sched_read(pid, (pid_t)atoi(d->d_name), &r, &w))
			continue;
		*run += r;
		*wait += w;
		n++;
	}
	closedir(dir);
	return n ? 0 : -ENOENT;
}

pid_t bench_thread_find(pid_t pid, const char *const *names)
{
	char path[320], comm[64];
	struct dirent *d;
	pid_t found = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!found && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm",
			 (int)pid, d->d_name);
		if (proc_read(path, comm, sizeof(comm)) <= 0)
			continue;
		for (const char *const *n = names; *n; n++)
			if (!strncmp(comm, *n, strlen(*n)))
				found = (pid_t)atoi(d->d_name);
	}
	closedir(dir);
	return found;
}

/*
 * As OVS-DPDK gives its PMD threads cores of their own and libvirt pins
 * vCPUs: on two cores, left to the scheduler, a woken vCPU often lands
 * on the switch's core and waits out the switch's poll before it runs:
 * a lone frame's round trip took up to 430 us instead of 180, and pv's
 * NDR fell by a quarter (README, "Pinning").
 */
void bench_pin_auto(struct bench_opts *o)
{
	cpu_set_t set;
	int cpu[3], n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (int c = 0; c < CPU_SETSIZE && n < 3; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	if (n < 2)
		return;
	o->pin_switch = cpu[0];
	o->pin_vcpu[0] = cpu[1];
	o->pin_vcpu[1] = cpu[n - 1];
	o->pin_auto = true;
}

void bench_proc_start(struct bench_proc *p, pid_t pid, pid_t hot)
{
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->hot = hot;
	if (pid <= 0 || sched_read_all(pid, &p->run0, &p->wait0))
		return;
	if (hot > 0 && sched_read(pid, hot, &p->hrun0, &p->hwait0))
		p->hot = 0;
	p->run = p->run0;
	p->wait = p->wait0;
	p->hrun = p->hrun0;
	p->hwait = p->hwait0;
	p->sampled = true;
}

void bench_proc_sample(struct bench_proc *p)
{
	double r, w, hr = 0, hw = 0;

	if (!p->sampled || sched_read_all(p->pid, &r, &w))
		return;
	/* both or neither: a thread gone between the reads is the end, and
	 * so is a sum that shrank (threads of an ending process leave) */
	if ((p->hot > 0 && sched_read(p->pid, p->hot, &hr, &hw)) ||
	    r < p->run)
		return;
	p->run = r;
	p->wait = w;
	p->hrun = hr;
	p->hwait = hw;
}

void bench_proc_store(const struct bench_proc *p, struct bench_trial *t,
		      enum bench_thread all, enum bench_thread hot)
{
	if (!p->sampled)
		return;
	t->have[all] = true;
	t->run_s[all] = p->run - p->run0;
	t->wait_s[all] = p->wait - p->wait0;
	if (p->hot <= 0)
		return;
	t->have[hot] = true;
	t->run_s[hot] = p->hrun - p->hrun0;
	t->wait_s[hot] = p->hwait - p->hwait0;
}

double bench_trial_us(const struct bench_trial *t, enum bench_thread th,
		      bool wait)
{
	double pkts = t->rx ? (double)t->rx : 1;

	return (wait ? t->wait_s[th] : t->run_s[th]) * 1e6 / pkts;
}

/* One calibration run: @storm poll demands; its exits and CPU seconds. */
static int cal_run(struct bench_env *e, unsigned int storm, double *exits,
		   double *cpu_s)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0x77, 0, 9 };
	char exe[300], image[300], nic[400], cmd[64], name[32];
	char con[300], stats[300], out[300], log[300];
	double kvm, end = clock_mono_s() + 60;
	struct rusage ru;
	int st, rc;
	pid_t pid;

	snprintf(exe, sizeof(exe), "%s/iopath-vmm", e->o->bindir);
	snprintf(image, sizeof(image), "%s/../guests/hostile.elf",
		 e->o->bindir);
	if (access(image, R_OK))
		return -ENOENT;
	rc = path_nic_arg(TOPO_PATH_EMU, mac, 0, e->sock, NULL, nic,
			  sizeof(nic));
	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "count=0 storm=%u", storm);
	snprintf(name, sizeof(name), "cal%u", ++e->seq);
	snprintf(con, sizeof(con), "%s/cal.console", e->rundir);
	snprintf(stats, sizeof(stats), "%s/cal.stats", e->rundir);
	snprintf(out, sizeof(out), "%s/cal.out", e->rundir);
	snprintf(log, sizeof(log), "%s/cal.log", e->rundir);
	unlink(stats);
	{
		char *argv[] = { exe, "--name", name, "--mem", "64M",
			"--quiet", "--console", con, "--stats", stats,
			"--nic", nic, "--append", cmd, image, NULL };

		pid = lab_proc_spawn_tied(argv, out, log);
	}
	if (pid < 0)
		return (int)pid;
	while ((rc = (int)wait4(pid, &st, WNOHANG, &ru)) == 0) {
		if (clock_mono_s() > end) {
			kill(pid, SIGKILL);
			wait4(pid, &st, 0, &ru);
			return -ETIMEDOUT;
		}
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
	if (rc < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return -EIO;
	*cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return bench_stats_exits(stats, exits, &kvm);
}

int bench_exit_cost_measure(struct bench_env *e, struct bench_exit_cost *c)
{
	static const unsigned int storm[2] = { CAL_STORM_SHORT,
					       CAL_STORM_LONG };
	int rc = 0;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 2 && !rc; i++)
		rc = cal_run(e, storm[i], &c->exits[i], &c->cpu_s[i]);
	if (rc || c->exits[1] <= c->exits[0] || c->cpu_s[1] <= c->cpu_s[0]) {
		snprintf(c->how, sizeof(c->how), "not measured (%s)",
			 rc ? strerror(-rc) : "no difference between runs");
		return rc ? rc : -EIO;
	}
	c->have = true;
	c->us = (c->cpu_s[1] - c->cpu_s[0]) * 1e6 /
		(c->exits[1] - c->exits[0]);
	snprintf(c->how, sizeof(c->how), "hostile.elf writing CSR1 %u and "
		 "%u times, CPU difference / exits difference", storm[0],
		 storm[1]);
	return 0;
}

/* Where the time goes at one rate, from that rate's costs. */
static void breakdown_one(const struct bench_results *r,
			  const struct bench_costs *c,
			  struct bench_breakdown *b)
{
	double price = r->exit_cost.have ? r->exit_cost.us : 0;

	memset(b, 0, sizeof(*b));
	if (!c->have || c->pps <= 0)
		return;
	b->have = true;
	b->pps = c->pps;
	b->gen_exits = c->user_gen * price;
	b->sink_exits = c->user_sink * price;
	/* a price measured in another run can exceed a VM's whole time */
	b->gen_guest = c->cpu_gen > b->gen_exits ?
		       c->cpu_gen - b->gen_exits : 0;
	b->sink_guest = c->cpu_sink > b->sink_exits ?
			c->cpu_sink - b->sink_exits : 0;
	b->sw = c->cpu_sw;
	b->total = c->cpu_gen + c->cpu_sink + c->cpu_sw;
	b->budget = (double)r->ncpus * 1e6 / c->pps;
	b->idle = b->budget - b->total;
	b->wait = c->wait;
}

void bench_breakdown(struct bench_results *r)
{
	for (unsigned int s = 0; s < r->o->nsizes; s++)
		for (int p = 0; p < BENCH_PATHS; p++) {
			struct bench_agg *a = &r->agg[s][p];

			breakdown_one(r, &a->at[AT_NDR], &a->bd[0]);
			breakdown_one(r, &a->at[AT_REF], &a->bd[1]);
		}
}

/* What the columns mean, with the price of an exit and its source. */
static void breakdown_head(const struct bench_results *r, FILE *f)
{
	const struct bench_exit_cost *c = &r->exit_cost;

	fprintf(f, "\nwhere the time goes, CPU us per packet at NDR and at "
		"the reference rate:\n");
	if (c->have)
		fprintf(f, "one userspace exit costs %.1f us of CPU here "
			"(measured:\n%s);\n", c->us, c->how);
	else
		fprintf(f, "userspace exits are not priced (%s);\n", c->how);
	fprintf(f, "guest = a VMM's CPU less its exits (guest code, KVM, "
		"interrupts, wake-ups);\nbudget = %ld CPUs / rate; idle = "
		"budget - total (idle, or other programs);\nwait = the three "
		"processes' time runnable but without a CPU (contention)\n",
		r->ncpus);
	fprintf(f, "%-8s %5s %-4s %7s | %-15s | %-15s | %7s | %7s %7s "
		"%7s %7s\n", "path", "frame", "at", "kpps", "sender",
		"receiver", "switch", "total", "budget", "idle", "wait");
	fprintf(f, "%-8s %5s %-4s %7s | %7s %7s | %7s %7s |\n", "", "B", "",
		"", "guest", "exits", "guest", "exits");
}

void bench_report_breakdown(const struct bench_results *r, FILE *f)
{
	static const char *const at[2] = { "NDR", "ref" };
	const struct bench_opts *o = r->o;

	breakdown_head(r, f);
	for (unsigned int s = 0; s < o->nsizes; s++)
		for (int p = 0; p < BENCH_PATHS; p++)
			for (int k = 0; k < 2; k++) {
				const struct bench_breakdown *b =
					&r->agg[s][p].bd[k];

				if (!b->have)
					continue;
				fprintf(f, "%-8s %5u %-4s %7.1f | %7.2f %7.2f "
					"| %7.2f %7.2f | %7.2f | %7.2f %7.2f "
					"%7.2f %7.2f\n", bench_col_name(p),
					o->sizes[s], at[k], b->pps / 1e3,
					b->gen_guest, b->gen_exits,
					b->sink_guest, b->sink_exits, b->sw,
					b->total, b->budget, b->idle, b->wait);
			}
}
