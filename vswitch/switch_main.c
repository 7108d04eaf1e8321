// SPDX-License-Identifier: MIT
/*
 * iopath-switch: command line, DPDK set-up, start-up order and clean
 * shutdown. See sw.h for the threads and sw_fwd.c for the data path.
 *
 * Start-up order matters to callers: the control socket is created last,
 * so once it accepts connections every command-line port exists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_bond.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#define LOG_SUBSYS "switch"
#include "base/clock.h"
#include "base/cpu_list.h"
#include "base/log.h"
#include "core/ctl.h"
#include "core/evloop.h"
#include "sriov/sriov_nic.h"
#include "vswitch/sw.h"

#define SW_MBUFS	16383	/* 2^n - 1 is what rte_mempool likes */
#define SW_MBUF_CACHE	256
#define SW_MAX_UPLINKS	32
#define SW_MAX_TEAMS	16
#define SW_EAL_ARGS_MAX	64

static struct evloop *sw_signal_loop;

static void sw_on_signal(int sig)
{
	(void)sig;
	if (sw_signal_loop)
		evloop_stop(sw_signal_loop);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iopath-switch --name NAME --sock ATTACH_SOCKET --ctl CTL_SOCKET\n"
"         [--uplink NAME=VDEV_ARGS]... e.g. up0=net_af_packet0,iface=veth0\n"
"         [--team NAME:mode=active-backup|balance-xor|802.3ad"
"[,hash=l2|l23|l34],members=UP0+UP1[+...]]...\n"
"         [--uplink-vlan NAME=access:VID|trunk[:native=VID]"
"[:allowed=LIST]]...\n"
"         [--sriov NAME:vfs=N]... an SR-IOV NIC with N (1..%d) VFs\n"
"         [--mtu 1500] [--fdb-max N] [--fdb-aging SECONDS] [--poll]\n"
"         [--pmd-cpu CPU] the forwarding thread on that CPU alone\n"
"         [--log FILE] [--hugepages] [--debug] [-- extra EAL args]\n",
		SRIOV_MAX_VFS);
}

static struct sw_uplink_spec *sw_spec_uplink(struct sw_opts *o,
					     const char *name)
{
	for (unsigned i = 0; i < o->nuplinks; i++)
		if (strcmp(o->uplinks[i].name, name) == 0)
			return &o->uplinks[i];
	return NULL;
}

static void sw_parse_uplink(struct sw_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct sw_uplink_spec *u;
	size_t n;

	if (!eq || eq == arg || !eq[1])
		die("--uplink %s: want NAME=VDEV_ARGS", arg);
	n = (size_t)(eq - arg);
	if (n >= SW_NAME_MAX || strlen(eq + 1) >= SW_VDEV_MAX)
		die("--uplink %s: name or vdev too long", arg);
	if (o->nuplinks == SW_MAX_UPLINKS)
		die("too many --uplink (max %d)", SW_MAX_UPLINKS);
	u = &o->uplinks[o->nuplinks++];
	memcpy(u->name, arg, n);
	u->name[n] = '\0';
	snprintf(u->vdev, sizeof(u->vdev), "%s", eq + 1);
	for (unsigned i = 0; i + 1 < o->nuplinks; i++)
		if (strcmp(o->uplinks[i].name, u->name) == 0)
			die("--uplink %s given twice", u->name);
}

/* NAME:mode=M[,hash=H],members=A+B */
static void sw_parse_team(struct sw_opts *o, const char *arg)
{
	char buf[512], *save = NULL, *tok, *colon;
	struct sw_team_spec *t;
	bool have_members = false;

	if (strlen(arg) >= sizeof(buf))
		die("--team: too long");
	if (o->nteams == SW_MAX_TEAMS)
		die("too many --team (max %d)", SW_MAX_TEAMS);
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (!colon || colon == buf || colon - buf >= SW_NAME_MAX)
		die("--team %s: want NAME:mode=...,members=A+B", arg);
	*colon = '\0';
	t = &o->teams[o->nteams++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", buf);
	t->mode = BONDING_MODE_ACTIVE_BACKUP;
	t->hash = BALANCE_XMIT_POLICY_LAYER2;
	for (tok = strtok_r(colon + 1, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "mode=", 5) == 0) {
			if (sw_team_mode_parse(tok + 5, &t->mode) < 0)
				die("--team %s: bad mode %s", t->name, tok + 5);
		} else if (strncmp(tok, "hash=", 5) == 0) {
			if (sw_team_hash_parse(tok + 5, &t->hash) < 0)
				die("--team %s: bad hash %s", t->name, tok + 5);
		} else if (strncmp(tok, "members=", 8) == 0) {
			char *msave = NULL, *m;

			have_members = true;
			for (m = strtok_r(tok + 8, "+", &msave); m;
			     m = strtok_r(NULL, "+", &msave)) {
				if (t->nmembers == SW_TEAM_MAX_MEMBERS)
					die("--team %s: too many members",
					    t->name);
				if (strlen(m) >= SW_NAME_MAX)
					die("--team %s: bad member", t->name);
				strcpy(t->members[t->nmembers++], m);
			}
		} else {
			die("--team %s: unknown setting %s", t->name, tok);
		}
	}
	if (!have_members || t->nmembers == 0)
		die("--team %s: no members", t->name);
}

/* NAME:vfs=N, an SR-IOV NIC the switch hosts (sw_sriov.c). */
static void sw_parse_sriov(struct sw_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct sw_sriov_spec *sp;
	char *end;
	unsigned long n;

	if (!colon || colon == arg || strncmp(colon + 1, "vfs=", 4))
		die("--sriov %s: want NAME:vfs=N", arg);
	if (colon - arg >= SW_NAME_MAX)
		die("--sriov %s: name too long", arg);
	if (o->nsriovs == SW_SRIOV_MAX)
		die("too many --sriov (max %d)", SW_SRIOV_MAX);
	n = strtoul(colon + 5, &end, 10);
	if (*end || n < 1 || n > SRIOV_MAX_VFS)
		die("--sriov %s: vfs=1..%d", arg, SRIOV_MAX_VFS);
	sp = &o->sriovs[o->nsriovs++];
	memcpy(sp->name, arg, (size_t)(colon - arg));
	sp->name[colon - arg] = '\0';
	sp->nvfs = (unsigned)n;
}

/* --uplink-vlan values, applied once every uplink and team is known. */
struct sw_vlan_args {
	char *arg[SW_MAX_UPLINKS + SW_MAX_TEAMS];
	unsigned n;
};

static void sw_opts_defaults(struct sw_opts *o)
{
	o->mtu = 1500;
	o->fdb_max = FDB_DEFAULT_MAX;
	o->fdb_aging_ns = FDB_DEFAULT_AGING_NS;
	o->pmd_cpu = -1;
	o->uplinks = calloc(SW_MAX_UPLINKS, sizeof(*o->uplinks));
	o->teams = calloc(SW_MAX_TEAMS, sizeof(*o->teams));
	if (!o->uplinks || !o->teams)
		die("out of memory");
}

/* One option (getopt's @c) of the switch itself. */
static void sw_parse_option(struct sw_opts *o, struct sw_vlan_args *va,
			    int c, char *arg)
{
	char *end;

	switch (c) {
	case 'n':
		o->name = arg;
		break;
	case 's':
		o->attach_path = arg;
		break;
	case 'c':
		o->ctl_path = arg;
		break;
	case 'u':
		sw_parse_uplink(o, arg);
		break;
	case 't':
		sw_parse_team(o, arg);
		break;
	case 'S':
		sw_parse_sriov(o, arg);
		break;
	case 'v':
		if (va->n == sizeof(va->arg) / sizeof(*va->arg))
			die("too many --uplink-vlan");
		va->arg[va->n++] = arg;
		break;
	case 'M':
		o->mtu = (unsigned)strtoul(arg, &end, 10);
		if (*end || o->mtu < 68 || o->mtu > 9000)
			die("--mtu %s: want 68..9000", arg);
		break;
	case 'F':
		o->fdb_max = (unsigned)strtoul(arg, &end, 10);
		if (*end || o->fdb_max < 1 || o->fdb_max > FDB_MAX_LIMIT)
			die("--fdb-max %s: want 1..%u", arg, FDB_MAX_LIMIT);
		break;
	case 'A':
		o->fdb_aging_ns = strtoull(arg, &end, 10) * 1000000000ull;
		if (*end)
			die("--fdb-aging %s: seconds", arg);
		break;
	case 'p':
		o->poll = true;
		break;
	case 'P': {
		char err[160];
		unsigned n;

		if (cpu_list_parse(arg, &o->pmd_cpu, 1, &n, err, sizeof(err)))
			die("--pmd-cpu: %s", err);
		break;
	}
	case 'l':
		o->log_path = arg;
		break;
	case 'H':
		o->hugepages = true;
		break;
	case 'd':
		log_set_level(LOG_LEVEL_DEBUG);
		break;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		exit(2);
	}
}

/* The switch's options; what follows them ("--" ...) goes to the EAL. */
static void sw_parse_options(struct sw_opts *o, struct sw_vlan_args *va,
			     int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "sock", required_argument, NULL, 's' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "uplink", required_argument, NULL, 'u' },
		{ "team", required_argument, NULL, 't' },
		{ "uplink-vlan", required_argument, NULL, 'v' },
		{ "sriov", required_argument, NULL, 'S' },
		{ "mtu", required_argument, NULL, 'M' },
		{ "fdb-max", required_argument, NULL, 'F' },
		{ "fdb-aging", required_argument, NULL, 'A' },
		{ "poll", no_argument, NULL, 'p' },
		{ "pmd-cpu", required_argument, NULL, 'P' },
		{ "log", required_argument, NULL, 'l' },
		{ "hugepages", no_argument, NULL, 'H' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", lopts, NULL)) != -1)
		sw_parse_option(o, va, c, optarg);
	o->eal_argc = argc - optind;
	o->eal_argv = argv + optind;
}

static void sw_check_required(const struct sw_opts *o)
{
	if (!o->name || !o->attach_path || !o->ctl_path) {
		usage(stderr);
		exit(2);
	}
	if (strlen(o->name) >= 64 || strchr(o->name, '/'))
		die("--name %s: too long or has a '/'", o->name);
}

/* Team members come from --uplink and are not ports themselves. */
static void sw_resolve_team_members(struct sw_opts *o)
{
	for (unsigned t = 0; t < o->nteams; t++) {
		struct sw_team_spec *ts = &o->teams[t];

		for (unsigned m = 0; m < ts->nmembers; m++) {
			struct sw_uplink_spec *u =
				sw_spec_uplink(o, ts->members[m]);

			if (!u)
				die("--team %s: member %s has no --uplink",
				    ts->name, ts->members[m]);
			if (u->used)
				die("uplink %s is in two teams", u->name);
			u->used = true;
			snprintf(ts->vdevs[m], SW_VDEV_MAX, "%s", u->vdev);
		}
	}
}

/* --uplink-vlan NAME=SPEC: NAME is a stand-alone uplink or a team. */
static void sw_apply_vlan(struct sw_opts *o, char *arg)
{
	char *eq = strchr(arg, '=');
	struct vlan_port_cfg cfg;
	struct sw_uplink_spec *u;
	bool found = false;

	if (!eq)
		die("--uplink-vlan %s: want NAME=SPEC", arg);
	*eq = '\0';
	if (sw_vlan_parse(eq + 1, &cfg) < 0)
		die("--uplink-vlan %s: bad VLAN spec %s", arg, eq + 1);
	u = sw_spec_uplink(o, arg);
	if (u && u->used)
		die("--uplink-vlan %s: a team member; set the team's", arg);
	if (u) {
		u->has_vlan = true;
		u->vlan = cfg;
		found = true;
	}
	for (unsigned t = 0; t < o->nteams; t++)
		if (strcmp(o->teams[t].name, arg) == 0) {
			o->teams[t].has_vlan = true;
			o->teams[t].vlan = cfg;
			found = true;
		}
	if (!found)
		die("--uplink-vlan %s: no such uplink or team", arg);
}

static void sw_parse_args(struct sw_opts *o, int argc, char **argv)
{
	struct sw_vlan_args va = { .n = 0 };

	sw_opts_defaults(o);
	sw_parse_options(o, &va, argc, argv);
	sw_check_required(o);
	sw_resolve_team_members(o);
	for (unsigned i = 0; i < va.n; i++)
		sw_apply_vlan(o, va.arg[i]);
}

/* The EAL's arguments: ours, then the user's after "--". */
static int sw_eal_init(struct sw_opts *o, const char *argv0)
{
	static char prefix[96], lcores[64];
	char *args[SW_EAL_ARGS_MAX];
	bool user_lcores = false;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int n = 0, ret;

	args[n++] = (char *)argv0;
	if (o->hugepages) {
		args[n++] = "--in-memory";
	} else {
		/* --in-memory needs hugepages on 22.11 (MACHINE-NOTES.md). */
		args[n++] = "--no-huge";
		args[n++] = "-m";
		args[n++] = "512";
	}
	args[n++] = "--no-pci";
	args[n++] = "--no-telemetry";
	snprintf(prefix, sizeof(prefix), "iopath-sw-%s", o->name);
	args[n++] = "--file-prefix";
	args[n++] = prefix;
	for (int i = 0; i < o->eal_argc; i++)
		if (!strcmp(o->eal_argv[i], "-l") ||
		    !strcmp(o->eal_argv[i], "-c") ||
		    !strncmp(o->eal_argv[i], "--lcores", 8))
			user_lcores = true;
	if (user_lcores && o->pmd_cpu >= 0)
		die("--pmd-cpu and EAL lcore options (-l, -c, --lcores) both "
		    "place the forwarding thread: give one");
	if (!user_lcores && o->pmd_cpu >= 0 && ncpu >= 2) {
		/* OVS-DPDK's pmd-cpu-mask: forwarding pinned, control free */
		snprintf(lcores, sizeof(lcores), "0@(0-%ld),1@%d", ncpu - 1,
			 o->pmd_cpu);
		args[n++] = "--lcores";
		args[n++] = lcores;
	} else if (!user_lcores) {
		/*
		 * Two lcores (control, forwarding) that float over every CPU:
		 * pinning the forwarding thread would fight the vCPUs of a
		 * 2-core machine for one core while the other idles, unless
		 * the vCPUs are pinned elsewhere (--pmd-cpu).
		 */
		if (ncpu >= 2)
			snprintf(lcores, sizeof(lcores), "(0-1)@(0-%ld)",
				 ncpu - 1);
		else
			snprintf(lcores, sizeof(lcores), "0@(0)");
		args[n++] = "--lcores";
		args[n++] = lcores;
	}
	if (n + o->eal_argc >= SW_EAL_ARGS_MAX)
		die("too many EAL arguments");
	for (int i = 0; i < o->eal_argc; i++)
		args[n++] = o->eal_argv[i];
	args[n] = NULL;
	ret = rte_eal_init(n, args);
	return ret < 0 ? -rte_errno : 0;
}

static void sw_on_reap(void *opaque, int fd, uint32_t revents)
{
	sw_port_reap(opaque);
}

static void sw_create_ports(struct sw *sw)
{
	struct sw_opts *o = &sw->opts;
	struct vlan_port_cfg def;
	char err[256];

	/* Uplinks default to a trunk of every VLAN, native VLAN 1. */
	if (sw_vlan_parse("trunk:native=1", &def) < 0)
		die("default VLAN spec");
	for (unsigned i = 0; i < o->nuplinks; i++) {
		struct sw_uplink_spec *u = &o->uplinks[i];

		if (u->used)
			continue;
		if (sw_uplink_add(sw, u->name, u->vdev,
				  u->has_vlan ? &u->vlan : &def, err,
				  sizeof(err)) < 0)
			die("uplink %s: %s", u->name, err);
	}
	for (unsigned i = 0; i < o->nteams; i++) {
		struct sw_team_spec *t = &o->teams[i];

		if (sw_team_add(sw, t, t->has_vlan ? &t->vlan : &def, err,
				sizeof(err)) < 0)
			die("team %s: %s", t->name, err);
	}
	for (unsigned i = 0; i < o->nsriovs; i++)
		if (sw_sriov_add(sw, &o->sriovs[i], err, sizeof(err)) < 0)
			die("--sriov %s: %s", o->sriovs[i].name, err);
}

/*
 * Without --in-memory the EAL leaves its runtime directory (config,
 * mp_socket) behind; remove it so runs do not pile up in /var/run/dpdk.
 */
static void sw_remove_runtime_dir(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	rmdir(dir);
}

static void sw_shutdown(struct sw *sw)
{
	char rundir[PATH_MAX];

	/* VM ports first (their clients see the hang-up), then the rest. */
	sw_vmlisten_stop(sw);
	if (sw->ctl)
		ctl_destroy(sw->ctl);
	sw_linkwatch_stop(sw);
	for (unsigned i = 0; i < SW_MAX_PORTS; i++)
		if (sw->ports[i])
			sw_port_remove(sw, sw->ports[i],
				       "switch shutting down");
	sw_fwd_stop(sw);
	sw_fwd_free(sw);
	sw_sriov_fini(sw);
	evloop_del_fd(sw->loop, sw->reap_fd);
	close(sw->reap_fd);
	sw_signal_loop = NULL;
	evloop_destroy(sw->loop);
	fdb_destroy(sw->table.fdb);
	sw_announce_fini(sw);
	rte_mempool_free(sw->pool);
	free(sw->opts.uplinks);
	free(sw->opts.teams);
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	sw_remove_runtime_dir(rundir);
}

int main(int argc, char **argv)
{
	static struct sw sw;
	char ident[96];
	struct fdb *fdb;
	int ret;

	signal(SIGPIPE, SIG_IGN);
	sw_parse_args(&sw.opts, argc, argv);
	snprintf(ident, sizeof(ident), "iopath-switch[%s]", sw.opts.name);
	log_set_ident(ident);
	if (sw.opts.log_path && (ret = log_open_file(sw.opts.log_path)) < 0)
		die("--log %s: %s", sw.opts.log_path, strerror(-ret));
	/*
	 * Before the EAL and anything else of ours: the af_packet PMD's
	 * fanout groups must be free for this pid, or another pid found
	 * (sw_respawn.c). The log is shared with a waiting parent.
	 */
	sw_respawn_check(&sw.opts);
	sw.start_ns = clock_mono_ns();

	ret = sw_eal_init(&sw.opts, argv[0]);
	if (ret < 0)
		die("DPDK EAL init failed: %s", strerror(-ret));
	/* The EAL may have changed it; SIGPIPE must stay ignored. */
	signal(SIGPIPE, SIG_IGN);

	sw.pool = rte_pktmbuf_pool_create("iopath_sw", SW_MBUFS,
					  SW_MBUF_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (!sw.pool)
		die("mbuf pool: %s", rte_strerror(rte_errno));
	fdb = fdb_create(sw.opts.fdb_max, sw.opts.fdb_aging_ns);
	if (!fdb)
		die("fdb: %s", strerror(errno));
	if (fwd_init(&sw.table, fdb, sw.opts.mtu) < 0)
		die("forwarding table init failed");
	if (sw_announce_init(&sw) < 0)
		die("out of memory");
	sw.loop = evloop_create();
	if (!sw.loop)
		die("event loop: %s", strerror(errno));
	sw.reap_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (sw.reap_fd < 0 ||
	    evloop_add_fd(sw.loop, sw.reap_fd, POLLIN, sw_on_reap, &sw) < 0)
		die("reap eventfd: %s", strerror(errno));
	ret = sw_fwd_start(&sw);
	if (ret < 0)
		die("forwarding thread: %s", strerror(-ret));

	/* Watch links before creating ports so no event falls in between. */
	ret = sw_linkwatch_start(&sw);
	if (ret < 0)
		die("netlink: %s", strerror(-ret));
	sw_create_ports(&sw);
	ret = sw_vmlisten_start(&sw, sw.opts.attach_path);
	if (ret < 0)
		die("attach socket %s: %s", sw.opts.attach_path,
		    strerror(-ret));
	sw.ctl = ctl_create(sw.loop, sw.opts.ctl_path);
	if (!sw.ctl)
		die("control socket %s: %s", sw.opts.ctl_path,
		    strerror(errno));
	if (sw_ctl_register(&sw) < 0)
		die("control commands");

	sw_signal_loop = sw.loop;
	signal(SIGINT, sw_on_signal);
	signal(SIGTERM, sw_on_signal);
	log_info("ready: attach %s, control %s, %s", sw.opts.attach_path,
		 sw.opts.ctl_path,
		 sw.opts.poll ? "busy-poll" : "adaptive poll");

	ret = evloop_run(sw.loop);
	if (ret < 0)
		log_err("event loop failed: %s", strerror(-ret));
	log_info("shutting down");
	sw_shutdown(&sw);
	log_info("bye");
	return ret < 0 ? 1 : 0;
}
