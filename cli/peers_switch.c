// SPDX-License-Identifier: MIT
/*
 * Start and stop the switches under test of `iopath bench --switch-peers`
 * (peers_switch.h). Every process is our child, started without a shell
 * and stopped by pid; OVS runs undetached so that it is.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/lab.h"
#include "cli/peers_switch.h"
#include "cli/peers_testpmd.h"

#define OVSDB_SERVER	"/usr/sbin/ovsdb-server"
#define OVSDB_TOOL	"/usr/bin/ovsdb-tool"
#define OVS_VSCTL	"/usr/bin/ovs-vsctl"
#define OVS_APPCTL	"/usr/bin/ovs-appctl"
#define OVS_SCHEMA	"/usr/share/openvswitch/vswitch.ovsschema"

static const char *const names[PEER_KINDS] = {
	"iopath-switch", "ovs-dpdk", "dpdk-io",
};

const char *peer_name(enum peer_kind k)
{
	return k < PEER_KINDS ? names[k] : "?";
}

/* The pid in @name after @prefix, if that is all there is; else 0. */
static pid_t name_pid(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(name, prefix, n) || name[n] < '1' || name[n] > '9')
		return 0;
	v = strtol(name + n, &end, 10);
	return *end || v <= 0 || v > 0x7fffffff ? 0 : (pid_t)v;
}

static bool pid_gone(pid_t pid)
{
	return pid > 0 && kill(pid, 0) && errno == ESRCH;
}

/* Is @path a file of our uid (not followed if a symlink)? */
static bool path_ours(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && st.st_uid == geteuid();
}

void peers_sweep_stale(void)
{
	static const char *const dpdk_prefixes[] = {
		"iopath-ovs-", "iopath-testpmd-", "iopath-dpdkio-",
		"iopath-sw-peers",
	};
	const size_t nprefixes = sizeof(dpdk_prefixes) / sizeof(*dpdk_prefixes);
	struct dirent *e;
	char path[300];
	DIR *d;

	d = opendir("/tmp");
	while (d && (e = readdir(d))) {
		pid_t pid = name_pid(e->d_name, "iopath-peers-");
		char err[400];

		if (!pid_gone(pid))
			continue;
		snprintf(path, sizeof(path), "/tmp/%s", e->d_name);
		/* Only a tree of ours that nobody else can write into: in
		 * another user's, we would remove whatever they swapped
		 * in while we walk it, as root. */
		if (lab_dir_check(path, err, sizeof(err)))
			fprintf(stderr, "iopath: leaving %s alone: %s\n", path,
				err);
		else
			lab_tree_remove(path);
	}
	if (d)
		closedir(d);
	d = opendir("/run/netns");
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		if (pid_gone(name_pid(e->d_name, "iopath-ovs-")) &&
		    path_ours(path)) {
			const char *args[] = { "netns", "del", e->d_name,
					       NULL };

			(void)lab_net_ip(true, args);
		}
	}
	if (d)
		closedir(d);
	d = opendir("/var/run/dpdk");
	while (d && (e = readdir(d)))
		for (size_t i = 0; i < nprefixes; i++)
			if (pid_gone(name_pid(e->d_name, dpdk_prefixes[i])))
				lab_dpdk_prefix_remove(e->d_name);
	if (d)
		closedir(d);
}

/* Port @i's vhost-user socket, in the peer's folder. */
static void peer_sock_name(struct peer_switch *p, int i)
{
	snprintf(p->sock[i], sizeof(p->sock[i]), "%s/vh%d.sock", p->dir, i);
}

static bool two_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

bool peer_available(enum peer_kind k, const char *bindir, char *why,
		    size_t whylen)
{
	static const char *const ovs_files[] = {
		OVS_VSWITCHD_DPDK, OVSDB_SERVER, OVSDB_TOOL, OVS_VSCTL,
		OVS_APPCTL,
	};
	char sw[300];

	if (access(TESTPMD_PATH, X_OK)) {
		snprintf(why, whylen, "%s is missing (apt-get install dpdk)",
			 TESTPMD_PATH);
		return false;
	}
	if (k == PEER_DPDK_IO)
		return true;
	if (k == PEER_IOPATH) {
		snprintf(sw, sizeof(sw), "%s/iopath-switch", bindir);
		if (access(sw, X_OK)) {
			snprintf(why, whylen, "%s is missing (build first)",
				 sw);
			return false;
		}
		return true;
	}
	for (size_t i = 0; i < sizeof(ovs_files) / sizeof(ovs_files[0]); i++)
		if (access(ovs_files[i], X_OK)) {
			snprintf(why, whylen, "Open vSwitch with DPDK is not "
				 "installed (no %s; "
				 "apt-get install openvswitch-switch-dpdk)",
				 ovs_files[i]);
			return false;
		}
	if (access(OVS_SCHEMA, R_OK)) {
		snprintf(why, whylen, "%s is missing", OVS_SCHEMA);
		return false;
	}
	return true;
}

static int iopath_start(struct peer_switch *p, const char *bindir, char *why,
			size_t whylen)
{
	char exe[300], out[300], attach[300], ctl[300], name[32];
	char up[2][320];
	char *argv[24];
	unsigned int n = 0;
	int r;

	snprintf(name, sizeof(name), "peers%d", (int)getpid());
	snprintf(p->prefix, sizeof(p->prefix), "iopath-sw-%s", name);
	snprintf(exe, sizeof(exe), "%s/iopath-switch", bindir);
	snprintf(out, sizeof(out), "%s/switch.out", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/switch.log", p->dir);
	snprintf(attach, sizeof(attach), "%s/attach.sock", p->dir);
	snprintf(ctl, sizeof(ctl), "%s/switch.ctl", p->dir);
	for (int i = 0; i < 2; i++) {
		peer_sock_name(p, i);
		/* the switch is the vhost-user server, testpmd dials in */
		snprintf(up[i], sizeof(up[i]),
			 "vh%d=net_vhost%d,iface=%s,client=0", i, i,
			 p->sock[i]);
	}
	p->testpmd_server = false;
	argv[n++] = exe;
	argv[n++] = "--name";
	argv[n++] = name;
	argv[n++] = "--sock";
	argv[n++] = attach;
	argv[n++] = "--ctl";
	argv[n++] = ctl;
	argv[n++] = "--poll";		/* as OVS's PMD thread does */
	argv[n++] = "--uplink";
	argv[n++] = up[0];
	argv[n++] = "--uplink";
	argv[n++] = up[1];
	if (two_cpus()) {
		argv[n++] = "--";
		argv[n++] = "--lcores";
		argv[n++] = "0@0,1@1"; /* forwarding: lcore 1 on CPU 1 */
	}
	argv[n] = NULL;
	p->pid = lab_proc_spawn_tied(argv, out, p->log);
	if (p->pid < 0) {
		r = (int)p->pid;
		p->pid = 0;
		snprintf(why, whylen, "cannot start %s: %s", exe, strerror(-r));
		return r;
	}
	r = lab_proc_wait_path(p->pid, ctl, 30000);
	for (int i = 0; !r && i < 2; i++)
		r = lab_proc_wait_path(p->pid, p->sock[i], 5000);
	if (r == -ECHILD)
		p->pid = 0;
	if (r)
		snprintf(why, whylen,
			 "iopath-switch did not come up (%s); see %s",
			 r == -ECHILD ? "it exited" : "timeout", p->log);
	return r;
}

/* testpmd as the "switch": io forwarding, port 0 <-> port 1. */
static int dpdk_io_start(struct peer_switch *p, char *why, size_t whylen)
{
	char out[300], vdev[2][340];
	char *argv[32];
	unsigned int n = 0;
	int r;

	snprintf(p->prefix, sizeof(p->prefix), "iopath-dpdkio-%d",
		 (int)getpid());
	snprintf(out, sizeof(out), "%s/testpmd-io.out", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/testpmd-io.log", p->dir);
	for (int i = 0; i < 2; i++) {
		peer_sock_name(p, i);
		snprintf(vdev[i], sizeof(vdev[i]),
			 "net_vhost%d,iface=%s,client=0", i, p->sock[i]);
	}
	p->testpmd_server = false;
	n += testpmd_eal_args(argv, p->prefix,
			      two_cpus() ? "0@0,1@1" : "0@0,1@0", vdev[0],
			      vdev[1]);
	argv[n++] = "--forward-mode=io";
	argv[n++] = "--port-topology=paired";
	/* Non-interactive: with a stats period it runs until signalled
	 * instead of waiting for Enter on stdin. */
	argv[n++] = "--stats-period=60";
	argv[n++] = "--total-num-mbufs=16384";
	argv[n] = NULL;
	p->pid = lab_proc_spawn_tied(argv, out, p->log);
	if (p->pid < 0) {
		r = (int)p->pid;
		p->pid = 0;
		snprintf(why, whylen, "cannot start %s: %s", TESTPMD_PATH,
			 strerror(-r));
		return r;
	}
	r = 0;
	for (int i = 0; !r && i < 2; i++)
		r = lab_proc_wait_path(p->pid, p->sock[i], 30000);
	if (r == -ECHILD)
		p->pid = 0;
	if (r)
		snprintf(why, whylen,
			 "testpmd (io) did not come up (%s); see %s",
			 r == -ECHILD ? "it exited" : "timeout", p->log);
	return r;
}

static int ovs_run(struct peer_switch *p, char *const argv[])
{
	char log[300];

	snprintf(log, sizeof(log), "%s/commands.log", p->dir);
	return lab_proc_run(argv, log);
}

static int ovs_start(struct peer_switch *p, char *why, size_t whylen)
{
	char db[300], dbsock[300], dbremote[320], dbarg[310], dbctl[320];
	char dblog[320], ctl[300], ctlarg[320], logarg[320], out[300];
	char extra[200], mask[40], vsp[2][300];
	int r;

	snprintf(p->netns, sizeof(p->netns), "iopath-ovs-%d", (int)getpid());
	snprintf(p->prefix, sizeof(p->prefix), "iopath-ovs-%d", (int)getpid());
	snprintf(db, sizeof(db), "%s/conf.db", p->dir);
	snprintf(dbsock, sizeof(dbsock), "%s/db.sock", p->dir);
	snprintf(dbremote, sizeof(dbremote), "--remote=punix:%s", dbsock);
	snprintf(dbarg, sizeof(dbarg), "unix:%s", dbsock);
	snprintf(dbctl, sizeof(dbctl), "--unixctl=%s/ovsdb-server.ctl",
		 p->dir);
	snprintf(dblog, sizeof(dblog), "--log-file=%s/ovsdb-server.log",
		 p->dir);
	snprintf(ctl, sizeof(ctl), "%s/ovs-vswitchd.ctl", p->dir);
	snprintf(ctlarg, sizeof(ctlarg), "--unixctl=%s", ctl);
	snprintf(p->log, sizeof(p->log), "%s/ovs-vswitchd.log", p->dir);
	snprintf(logarg, sizeof(logarg), "--log-file=%s", p->log);
	for (int i = 0; i < 2; i++) {
		peer_sock_name(p, i);
		snprintf(vsp[i], sizeof(vsp[i]), "options:vhost-server-path=%s",
			 p->sock[i]);
	}
	/* OVS's recommended vhost-user mode: the switch is the client. */
	p->testpmd_server = true;
	/* Its defaults want gigabytes of hugepages for a shared pool;
	 * per-port pools fit in 1 GiB of ordinary memory. */
	snprintf(extra, sizeof(extra),
		 "other_config:dpdk-extra=--no-huge -m 1024 --no-pci "
		 "--legacy-mem --file-prefix %s", p->prefix);
	snprintf(mask, sizeof(mask), "other_config:pmd-cpu-mask=%s",
		 two_cpus() ? "0x2" : "0x1");
	/* OVS finds its run and database directories from these. */
	setenv("OVS_RUNDIR", p->dir, 1);
	setenv("OVS_DBDIR", p->dir, 1);
	setenv("OVS_LOGDIR", p->dir, 1);

	{
		char *argv[] = { "ip", "netns", "add", p->netns, NULL };

		if (ovs_run(p, argv)) {
			p->netns[0] = '\0';
			snprintf(why, whylen,
				 "cannot create network namespace");
			return -EIO;
		}
	}
	{
		char *argv[] = { OVSDB_TOOL, "create", db, OVS_SCHEMA, NULL };

		if (ovs_run(p, argv))
			goto fail;
	}
	{
		char *argv[] = { OVSDB_SERVER, db, dbremote, dbctl, dblog,
				 NULL };

		snprintf(out, sizeof(out), "%s/ovsdb-server.out", p->dir);
		p->db_pid = lab_proc_spawn_tied(argv, out, out);
		if (p->db_pid < 0) {
			p->db_pid = 0;
			goto fail;
		}
		if (lab_proc_wait_path(p->db_pid, dbsock, 10000))
			goto fail;
	}
	{
		char dbopt[320];
		char *argv[] = { OVS_VSCTL, dbopt, "--no-wait", "init", "--",
			"set", "Open_vSwitch", ".",
			"other_config:dpdk-init=true",
			"other_config:per-port-memory=true", mask, extra,
			NULL };

		snprintf(dbopt, sizeof(dbopt), "--db=%s", dbarg);
		if (ovs_run(p, argv))
			goto fail;
	}
	{
		char *argv[] = { "ip", "netns", "exec", p->netns,
			OVS_VSWITCHD_DPDK, dbarg, ctlarg, logarg, NULL };
		char err[310];

		/* its own stdout and stderr: lab_proc_spawn truncates both */
		snprintf(out, sizeof(out), "%s/ovs-vswitchd.out", p->dir);
		snprintf(err, sizeof(err), "%s/ovs-vswitchd.err", p->dir);
		p->pid = lab_proc_spawn_tied(argv, out, err);
		if (p->pid < 0) {
			p->pid = 0;
			goto fail;
		}
		/* DPDK init without hugepages takes a few seconds here */
		if (lab_proc_wait_path(p->pid, ctl, 60000))
			goto fail;
	}
	{
		char dbopt[320];
		char *argv[] = { OVS_VSCTL, dbopt, "--timeout=60",
			"add-br", "br0", "--",
			"set", "bridge", "br0", "datapath_type=netdev", "--",
			"add-port", "br0", "vh0", "--",
			"set", "Interface", "vh0", "type=dpdkvhostuserclient",
			vsp[0], "--",
			"add-port", "br0", "vh1", "--",
			"set", "Interface", "vh1", "type=dpdkvhostuserclient",
			vsp[1], NULL };

		/* Without --no-wait this returns once ovs-vswitchd has
		 * applied it (or gives up after the timeout). */
		snprintf(dbopt, sizeof(dbopt), "--db=%s", dbarg);
		if (ovs_run(p, argv))
			goto fail;
	}
	return 0;
fail:
	r = -EIO;
	snprintf(why, whylen, "Open vSwitch with DPDK did not start; see %s "
		 "and %s/commands.log", p->log, p->dir);
	return r;
}

int peer_switch_start(struct peer_switch *p, enum peer_kind k,
		      const char *scratch, const char *bindir, char *why,
		      size_t whylen)
{
	int r;

	memset(p, 0, sizeof(*p));
	p->kind = k;
	snprintf(p->dir, sizeof(p->dir), "%s/%s", scratch, peer_name(k));
	if (mkdir(p->dir, 0700) && errno != EEXIST) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", p->dir, strerror(errno));
		return r;
	}
	/* testpmd's forwarding lcore on CPU 0, the switch's on CPU 1 */
	snprintf(p->lcores, sizeof(p->lcores), "%s",
		 two_cpus() ? "0@(0-1),1@0" : "0@0,1@0");
	if (k == PEER_IOPATH)
		r = iopath_start(p, bindir, why, whylen);
	else if (k == PEER_OVS)
		r = ovs_start(p, why, whylen);
	else
		r = dpdk_io_start(p, why, whylen);
	if (r) {
		/* keep the logs the message points at */
		pid_t pid = p->pid, db = p->db_pid;

		p->pid = p->db_pid = 0;
		lab_proc_stop(pid, 3000, true);
		lab_proc_stop(db, 3000, true);
		if (p->netns[0]) {
			char *argv[] = { "ip", "netns", "del", p->netns, NULL };

			(void)ovs_run(p, argv);
		}
		lab_dpdk_prefix_remove(p->prefix);
	}
	return r;
}

void peer_switch_stop(struct peer_switch *p, bool keep_logs)
{
	if (p->kind == PEER_OVS && p->pid > 0) {
		char ctl[320];
		char *argv[] = { OVS_APPCTL, "--timeout=10", "-t", ctl, "exit",
				 NULL };

		/* a clean exit lets DPDK close its vhost sockets */
		snprintf(ctl, sizeof(ctl), "%s/ovs-vswitchd.ctl", p->dir);
		(void)ovs_run(p, argv);
	}
	lab_proc_stop(p->pid, 5000, true);
	lab_proc_stop(p->db_pid, 3000, true);
	p->pid = p->db_pid = 0;
	if (p->netns[0]) {
		char *argv[] = { "ip", "netns", "del", p->netns, NULL };

		(void)ovs_run(p, argv);
		p->netns[0] = '\0';
	}
	if (p->prefix[0])
		lab_dpdk_prefix_remove(p->prefix);
	for (int i = 0; i < 2; i++)
		if (p->sock[i][0])
			unlink(p->sock[i]);
	if (p->dir[0] && !keep_logs)
		lab_tree_remove(p->dir);
}
