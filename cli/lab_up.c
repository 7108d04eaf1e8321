// SPDX-License-Identifier: MIT
/*
 * `iopath lab up`: bring a topology up and supervise it. Order matters:
 * networking, then switches (their sockets must exist before any VM
 * attaches), then VMs; teardown runs the other way round. Signals are
 * blocked and taken synchronously (sigtimedwait), so SIGCHLD, Ctrl-C and
 * `lab down`'s SIGTERM are all handled in one place, between steps.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab.h"
#include "cli/paths.h"

static void lab_say(const struct lab *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void lab_say(const struct lab *l, const char *fmt, ...)
{
	va_list ap;
	time_t now = time(NULL);
	char ts[16];

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	printf("%s lab %s: ", ts, l->t.name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * A switch that died is started again when its host asks for it (switch:
 * restart: true), unless it keeps dying: after LAB_RESTART_TRIES deaths in
 * a row each within LAB_RESTART_QUICK_S of its start it stays dead and
 * the on_exit policy decides.
 */
#define LAB_RESTART_QUICK_S	10
#define LAB_RESTART_TRIES	3

static struct {
	time_t started;
	unsigned int quick;	/* deaths in a row soon after a start */
	bool due;		/* dead, to be started again */
	bool given_up;
} lab_switch_life[TOPO_HOSTS_MAX];

/* The host whose switch @p is, or -1. */
static int lab_switch_host(const struct lab *l, const struct lab_proc *p)
{
	char nm[sizeof(p->name)];

	if (p->kind != LAB_PROC_SWITCH)
		return -1;
	for (unsigned int h = 0; h < l->t.nhosts; h++) {
		snprintf(nm, sizeof(nm), "%s-%s", l->t.name,
			 l->t.hosts[h].name);
		if (!strcmp(nm, p->name))
			return (int)h;
	}
	return -1;
}

/* Will switch @p, which just exited, be started again? */
static bool lab_switch_restarts(const struct lab *l, const struct lab_proc *p)
{
	int h = lab_switch_host(l, p);

	if (h < 0 || !l->t.hosts[h].restart || lab_switch_life[h].given_up)
		return false;
	if (time(NULL) - lab_switch_life[h].started < LAB_RESTART_QUICK_S)
		lab_switch_life[h].quick++;
	else
		lab_switch_life[h].quick = 0;
	if (lab_switch_life[h].quick >= LAB_RESTART_TRIES) {
		lab_switch_life[h].given_up = true;
		return false;
	}
	lab_switch_life[h].due = true;
	return true;
}

/* Reap what exited; 1 if one that the policy says ends the lab did. */
static int lab_reap(struct lab *l)
{
	int st, down = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (unsigned int i = 0; i < l->nprocs; i++) {
			struct lab_proc *p = &l->procs[i];
			char what[48];
			bool failed, restart;

			if (p->pid != pid || p->exited)
				continue;
			/* `iopath migrate` moved it: its record goes on */
			if (p->kind == LAB_PROC_VM && lab_migrate_adopt(l, p))
				continue;
			p->exited = true;
			p->status = st;
			lab_proc_status_str(st, what, sizeof(what));
			failed = !WIFEXITED(st) || WEXITSTATUS(st) != 0;
			restart = lab_switch_restarts(l, p);
			lab_say(l, "%s %s (pid %d) %s; log %s%s",
				p->kind == LAB_PROC_VM ? "vm" : "switch",
				p->name, (int)pid, what, p->log,
				restart ? "; starting it again (restart: true)"
					: "");
			if (restart)
				continue;
			/* A switch gone takes every port with it. */
			if (l->t.on_exit == TOPO_EXIT_DOWN_ON_ANY ||
			    (l->t.on_exit == TOPO_EXIT_DOWN_ON_FAILURE &&
			     (failed || p->kind == LAB_PROC_SWITCH)))
				down = 1;
		}
	if (lab_migrate_poll(l) && l->t.on_exit != TOPO_EXIT_KEEP)
		down = 1;
	return down;
}

/* Wait for @path to appear while @p lives; 0, or -ECHILD / -ETIMEDOUT. */
static int lab_wait_path(struct lab *l, struct lab_proc *p, const char *path,
			 int seconds)
{
	struct timespec ts = { 0, 20 * 1000000 };

	for (int i = 0; i < seconds * 50; i++) {
		if (access(path, F_OK) == 0)
			return 0;
		lab_reap(l);
		if (p->exited)
			return -ECHILD;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

/* --team NAME:mode=M[,hash=H],members=A+B... */
static void team_arg(const struct topo_host *host,
		     const struct topo_team *tm, char *buf, size_t len)
{
	int k = snprintf(buf, len, "%s:mode=%s", tm->name, tm->mode);

	if (tm->hash[0])
		k += snprintf(buf + k, len - (size_t)k, ",hash=%s", tm->hash);
	k += snprintf(buf + k, len - (size_t)k, ",members=");
	for (unsigned int m = 0; m < tm->nmembers; m++)
		k += snprintf(buf + k, len - (size_t)k, "%s%s", m ? "+" : "",
			      host->uplinks[tm->members[m]].name);
}

/* Start the switch of host @h into @p (a new slot, or its old one). */
static int lab_switch_spawn(struct lab *l, unsigned int h, struct lab_proc *p)
{
	const struct topo_host *host = &l->t.hosts[h];
	char exe[LAB_PATH_MAX + 16], out[LAB_PATH_MAX + 32];
	char up[TOPO_UPLINKS_MAX][TOPO_TEXT_MAX + 64];
	char team[TOPO_TEAMS_MAX][256], sriov[32], pmd[16];
	char *argv[18 + 2 * (TOPO_UPLINKS_MAX + TOPO_TEAMS_MAX)];
	char dir[sizeof(l->rundir)], hn[TOPO_NAME_MAX];
	unsigned int n = 0, afp = 0;

	p->kind = LAB_PROC_SWITCH;
	p->exited = false;
	p->status = 0;
	{
		char nm[sizeof(p->name)];

		snprintf(nm, sizeof(nm), "%s-%s", l->t.name, host->name);
		memcpy(p->name, nm, sizeof(nm));
	}
	/* Copies first: p, l->rundir and the names all live in *l, and
	 * snprintf from one part of it into another trips -Wrestrict. */
	memcpy(dir, l->rundir, sizeof(dir));
	snprintf(hn, sizeof(hn), "%s", host->name);
	snprintf(p->sock, sizeof(p->sock), "%s/%s.sock", dir, hn);
	snprintf(p->ctl, sizeof(p->ctl), "%s/%s.ctl", dir, hn);
	snprintf(p->log, sizeof(p->log), "%s/switch-%s.log", dir, hn);
	snprintf(out, sizeof(out), "%s/switch-%s.out", l->rundir, host->name);
	snprintf(exe, sizeof(exe), "%s/iopath-switch", l->bindir);
	argv[n++] = exe;
	argv[n++] = "--name";
	argv[n++] = p->name;
	argv[n++] = "--sock";
	argv[n++] = p->sock;
	argv[n++] = "--ctl";
	argv[n++] = p->ctl;
	for (unsigned int u = 0; u < host->nuplinks; u++) {
		const struct topo_uplink *ul = &host->uplinks[u];

		/*
		 * 4096 frames per packet ring, not DPDK's 512 (5 ms at 100
		 * kpps): on two cores the switch's thread can be off its CPU
		 * longer while a migration runs (a lab lost 646 frames in
		 * the kernel's ring once).
		 */
		if (ul->fabric)
			snprintf(up[u], sizeof(up[u]),
				 "%s=net_af_packet%u,iface=%s,framecnt=4096",
				 ul->name, afp++, l->ifaces[h][u]);
		else
			snprintf(up[u], sizeof(up[u]), "%s=%s", ul->name,
				 ul->vdev);
		argv[n++] = "--uplink";
		argv[n++] = up[u];
	}
	for (unsigned int t = 0; t < host->nteams; t++) {
		team_arg(host, &host->teams[t], team[t], sizeof(team[t]));
		argv[n++] = "--team";
		argv[n++] = team[t];
	}
	if (host->poll)
		argv[n++] = "--poll";
	if (host->has_pmd_cpu) {
		snprintf(pmd, sizeof(pmd), "%u", host->pmd_cpu);
		argv[n++] = "--pmd-cpu";
		argv[n++] = pmd;
	}
	/* VMs with vf NICs take VFs of the host's SR-IOV NIC, and so do
	 * those that migrate here (a VF with a standby). */
	if (topo_host_sriov_vfs(&l->t, h)) {
		snprintf(sriov, sizeof(sriov), PATH_SRIOV_NIC ":vfs=%u",
			 topo_host_sriov_vfs(&l->t, h));
		argv[n++] = "--sriov";
		argv[n++] = sriov;
	}
	argv[n] = NULL;
	p->pid = lab_proc_spawn(argv, out, p->log);
	if (p->pid < 0)
		return (int)p->pid;
	lab_switch_life[h].started = time(NULL);
	return 0;
}

/* Its control and attach sockets are there: 0, -ECHILD, -ETIMEDOUT. */
static int lab_switch_wait(struct lab *l, struct lab_proc *p)
{
	int rc = lab_wait_path(l, p, p->ctl, 30);

	if (!rc)
		rc = lab_wait_path(l, p, p->sock, 10);
	if (rc)
		lab_say(l, "switch %s did not start (%s); log %s", p->name,
			rc == -ECHILD ? "it exited" : "timeout", p->log);
	return rc;
}

static int lab_start_switch(struct lab *l, unsigned int h)
{
	struct lab_proc *p = &l->procs[l->nprocs];
	int rc = lab_switch_spawn(l, h, p);

	if (rc)
		return rc;
	l->nprocs++;
	rc = lab_switch_wait(l, p);
	if (!rc)
		lab_say(l, "switch %s up (pid %d), control %s", p->name,
			(int)p->pid, p->ctl);
	return rc;
}

/*
 * The switches due for a restart, with the arguments they had (uplinks,
 * teams, SR-IOV NIC). The dead one's sockets go first: the waits below
 * look for the new ones, and they are in our run directory.
 */
static void lab_restart_due(struct lab *l)
{
	for (unsigned int i = 0; i < l->nprocs; i++) {
		struct lab_proc *p = &l->procs[i];
		int h = lab_switch_host(l, p);
		int rc;

		if (h < 0 || !lab_switch_life[h].due || !p->exited)
			continue;
		lab_switch_life[h].due = false;
		lab_socket_remove(p->ctl);
		lab_socket_remove(p->sock);
		rc = lab_switch_spawn(l, (unsigned int)h, p);
		if (rc) {
			p->exited = true;
			lab_say(l, "switch %s not restarted: %s", p->name,
				strerror(-rc));
			continue;
		}
		if (lab_switch_wait(l, p) == 0)
			lab_say(l, "switch %s restarted (pid %d); its VMs "
				"reattach by themselves", p->name,
				(int)p->pid);
	}
}

static int lab_start_vm(struct lab *l, unsigned int v)
{
	const struct topo_vm *vm = &l->t.vms[v];
	struct lab_proc *sw = &l->procs[vm->host]; /* switches come first */
	struct lab_proc *p = &l->procs[l->nprocs];
	char exe[LAB_PATH_MAX + 16], out[LAB_PATH_MAX + 32];
	char con[LAB_PATH_MAX + 32], stats[LAB_PATH_MAX + 32], mem[32], cpus[8];
	char pin[TOPO_PIN_MAX * 6];
	char nic[TOPO_NICS_MAX][LAB_PATH_MAX + 96], port[TOPO_NICS_MAX][40];
	char *argv[32 + 2 * TOPO_NICS_MAX];
	char dir[sizeof(l->rundir)], vn[TOPO_NAME_MAX];
	unsigned int n = 0;
	int rc;

	p->kind = LAB_PROC_VM;
	/* Copies first, as for switches (-Wrestrict). */
	memcpy(dir, l->rundir, sizeof(dir));
	snprintf(vn, sizeof(vn), "%s", vm->name);
	snprintf(p->name, sizeof(p->name), "%s", vn);
	memcpy(p->host, l->t.hosts[vm->host].name, sizeof(p->host));
	snprintf(p->ctl, sizeof(p->ctl), "%s/%s.ctl", dir, vn);
	snprintf(p->log, sizeof(p->log), "%s/vm-%s.log", dir, vn);
	snprintf(out, sizeof(out), "%s/vm-%s.out", l->rundir, vm->name);
	snprintf(con, sizeof(con), "%s/vm-%s.console", l->rundir, vm->name);
	snprintf(stats, sizeof(stats), "%s/vm-%s.stats.json", l->rundir,
		 vm->name);
	snprintf(exe, sizeof(exe), "%s/iopath-vmm", l->bindir);
	snprintf(mem, sizeof(mem), "%lluM",
		 (unsigned long long)(vm->memory >> 20));
	snprintf(cpus, sizeof(cpus), "%u", vm->cpus);
	argv[n++] = exe;
	argv[n++] = "--name";
	argv[n++] = p->name;
	argv[n++] = "--mem";
	argv[n++] = mem;
	argv[n++] = "--cpus";
	argv[n++] = cpus;
	if (vm->nvcpu_pin) {
		size_t off = 0;

		for (unsigned int i = 0; i < vm->nvcpu_pin; i++)
			off += (size_t)snprintf(pin + off, sizeof(pin) - off,
						"%s%u", i ? "," : "",
						vm->vcpu_pin[i]);
		argv[n++] = "--vcpu-pin";
		argv[n++] = pin;
	}
	argv[n++] = "--quiet";
	argv[n++] = "--console";
	argv[n++] = con;
	argv[n++] = "--ctl";
	argv[n++] = p->ctl;
	argv[n++] = "--stats";
	argv[n++] = stats;
	for (unsigned int i = 0; i < vm->nnics; i++) {
		snprintf(port[i], sizeof(port[i]), "%s.%u", vm->name, i);
		rc = path_nic_arg(vm->nics[i].path, vm->nics[i].mac,
				  vm->nics[i].vlan, sw->sock, port[i], nic[i],
				  sizeof(nic[i]));
		/* the standby of the VF with its MAC (PV_F_STANDBY) */
		if (!rc && vm->nics[i].standby &&
		    strlen(nic[i]) + 11 > sizeof(nic[i]))
			rc = -ENAMETOOLONG;
		else if (!rc && vm->nics[i].standby)
			strcat(nic[i], ",standby=1");
		if (rc)
			return rc;
		argv[n++] = "--nic";
		argv[n++] = nic[i];
	}
	if (vm->cmdline[0]) {
		argv[n++] = "--append";
		argv[n++] = (char *)vm->cmdline;
	}
	argv[n++] = (char *)vm->image;
	argv[n] = NULL;
	p->pid = lab_proc_spawn(argv, out, p->log);
	if (p->pid < 0)
		return (int)p->pid;
	l->nprocs++;
	rc = lab_wait_path(l, p, p->ctl, 20);
	if (rc) {
		lab_say(l, "vm %s did not start (%s); log %s", p->name,
			rc == -ECHILD ? "it exited" : "timeout", p->log);
		return rc;
	}
	lab_say(l, "vm %s up (pid %d) on %s, console %s", p->name, (int)p->pid,
		l->t.hosts[vm->host].name, con);
	return 0;
}

/* Everything that can be checked before anything is started. */
static int lab_precheck(const struct lab *l)
{
	char exe[LAB_PATH_MAX + 16], why[128];

	for (unsigned int v = 0; v < l->t.nvms; v++) {
		const struct topo_vm *vm = &l->t.vms[v];

		if (access(vm->image, R_OK)) {
			fprintf(stderr, "iopath: vm '%s': image %s: %s\n",
				vm->name, vm->image, strerror(errno));
			return -ENOENT;
		}
		for (unsigned int i = 0; i < vm->nnics; i++)
			if (!path_available(l->bindir, vm->nics[i].path, why,
					    sizeof(why))) {
				fprintf(stderr, "iopath: vm '%s': path %s is "
					"not available: %s\n", vm->name,
					topo_path_name(vm->nics[i].path), why);
				return -ENOTSUP;
			}
	}
	for (int k = 0; k < 2; k++) {
		snprintf(exe, sizeof(exe), "%s/%s", l->bindir,
			 k ? "iopath-vmm" : "iopath-switch");
		if (access(exe, X_OK)) {
			fprintf(stderr, "iopath: %s: %s (build first)\n", exe,
				strerror(errno));
			return -ENOENT;
		}
	}
	if (l->netns[0] && geteuid() != 0) {
		fprintf(stderr, "iopath: the fabric needs a network "
			"namespace: run as root\n");
		return -EPERM;
	}
	if (l->t.nvms && access("/dev/kvm", R_OK | W_OK)) {
		fprintf(stderr, "iopath: /dev/kvm: %s\n", strerror(errno));
		return -ENODEV;
	}
	return 0;
}

/* A lab of this name already up? Clean up a dead one's leftovers. A
 * state file that is not ours stops us: nothing of it is acted on. */
static int lab_check_previous(const char *name)
{
	struct lab old;
	pid_t sup;
	char state[32], err[256];
	int rc = lab_state_read(name, &old, &sup, state, sizeof(state), err,
				sizeof(err));

	if (rc == -ENOENT)
		return 0;
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	if (lab_supervisor_alive(sup)) {
		fprintf(stderr, "iopath: lab %s is already up (supervisor "
			"pid %d): `iopath lab down --lab %s` first\n",
			name, (int)sup, name);
		return -EEXIST;
	}
	fprintf(stderr, "iopath: cleaning up what a dead lab %s left behind\n",
		name);
	lab_teardown(&old, false);
	return 0;
}

/* --detach: the parent returns once the child says "running". */
static int lab_detach(struct lab *l)
{
	char path[LAB_PATH_MAX + 32];
	int fds[2], rc = 0;
	pid_t pid;
	char c;

	if (pipe(fds))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1 || c != 'u')
			rc = -EIO;
		close(fds[0]);
		printf("lab %s %s; supervisor pid %d, log %s/supervisor.log\n",
		       l->t.name, rc ? "failed to come up" : "is up", (int)pid,
		       l->rundir);
		return rc ? rc : 1;
	}
	close(fds[0]);
	setsid();
	snprintf(path, sizeof(path), "%s/supervisor.log", l->rundir);
	{
		/* the run directory is new: so is this file */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
			      0644);
		int nul = open("/dev/null", O_RDONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (nul >= 0) {
			dup2(nul, 0);
			close(nul);
		}
	}
	return fds[1];	/* the child tells the parent through this */
}

/* The fabric, the switches, the VMs; the state file follows each. */
static int lab_start_all(struct lab *l)
{
	const struct topo *t = &l->t;
	char err[256];
	int rc;

	rc = lab_net_up(l, err, sizeof(err));
	if (rc)
		fprintf(stderr, "iopath: %s\n", err);
	if (!rc && l->netns[0])
		lab_say(l, "fabric namespace %s with bridge br0%s%s", l->netns,
			t->fabric.ip[0] ? " at " : "", t->fabric.ip);
	lab_state_write(l, getpid(), "starting");
	for (unsigned int h = 0; !rc && h < t->nhosts; h++) {
		rc = lab_start_switch(l, h);
		lab_state_write(l, getpid(), "starting");
	}
	for (unsigned int v = 0; !rc && v < t->nvms; v++) {
		rc = lab_start_vm(l, v);
		lab_state_write(l, getpid(), "starting");
	}
	if (!rc && lab_reap(l))
		rc = -ECHILD;
	return rc;
}

/*
 * Until a signal in @set, or an exit that the on_exit policy ends the lab
 * for, or the last process gone. The signals are blocked: they arrive
 * here, not in a handler.
 */
static void lab_supervise(struct lab *l, const sigset_t *set)
{
	bool ending = false;

	while (!ending) {
		struct timespec tmo = { 1, 0 };
		siginfo_t si;
		bool alive = false;
		int sig = sigtimedwait(set, &si, &tmo);

		if (sig == SIGCHLD || sig < 0) {
			if (lab_reap(l)) {
				lab_say(l, "a process ended: tearing down "
					"(on_exit policy)");
				ending = true;
			}
			if (!ending)
				lab_restart_due(l);
			lab_state_write(l, getpid(), "running");
		} else {
			lab_say(l, "%s: tearing down",
				sigabbrev_np(sig) ?: "signal");
			ending = true;
		}
		for (unsigned int i = 0; i < l->nprocs; i++)
			alive |= !l->procs[i].exited;
		if (!alive && !ending) {
			lab_say(l, "every process has ended: tearing down");
			ending = true;
		}
	}
}

int lab_up(const struct topo *t, const char *bindir,
	   const struct lab_up_opts *o)
{
	static struct lab l;
	char err[LAB_PATH_MAX + 128];
	sigset_t set;
	int rc, notify = -1;

	rc = lab_init(&l, t, bindir, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	rc = lab_precheck(&l);
	if (!rc)
		rc = lab_check_previous(t->name);
	if (rc)
		return rc;
	/* private to us and new: nothing in it is someone else's */
	rc = lab_rundir_fresh(l.rundir, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	if (o->detach) {
		notify = lab_detach(&l);
		if (notify < 0 || notify == 1)
			return notify < 0 ? notify : 0;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* The state file exists from the start, so `lab down` can clean up
	 * even a lab whose start-up was interrupted. */
	lab_state_write(&l, getpid(), "starting");
	rc = lab_start_all(&l);
	if (rc) {
		lab_say(&l, "start-up failed: tearing down");
		lab_teardown(&l, true);
		if (notify >= 0 && write(notify, "f", 1) < 0)
			rc = -EIO;
		return rc ? rc : -EIO;
	}
	lab_state_write(&l, getpid(), "running");
	lab_say(&l, "up: %u switch(es), %u vm(s); `iopath lab status`, "
		"`iopath lab down`%s", t->nhosts, t->nvms,
		o->detach ? "" : " or Ctrl-C");
	if (notify >= 0) {
		if (write(notify, "u", 1) < 0) {
			/* the parent is gone; keep supervising anyway */
		}
		close(notify);
	}
	lab_supervise(&l, &set);
	lab_state_write(&l, getpid(), "stopping");
	lab_teardown(&l, true);
	lab_say(&l, "down (logs kept in %s)", l.rundir);
	return 0;
}
