// SPDX-License-Identifier: MIT
/*
 * `iopath migrate [--lab NAME] VM --to HOST`: live-migrate a lab's VM to
 * another host of the lab (vmm/vmm_migrate.h does the moving).
 *
 * The destination is the source's own command line (/proc/PID/cmdline:
 * exactly what the lab started, whatever the topology said) with HOST's
 * switch socket on every NIC, its own control socket, console and stats,
 * and --incoming tcp:127.0.0.1:PORT: a TCP stream, so two machines would
 * work the same way. Then the source is told to migrate and followed
 * through its migrate-status until it has gone (it exits once the
 * destination runs) or failed (it runs on; the destination is stopped).
 *
 * The lab's record of the VM becomes the destination's through the
 * supervisor (lab_migrate_handoff.c); with no supervisor left, this
 * command writes the state itself. --measure: lab_migrate_measure.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/lab_migrate.h"
#include "cli/paths.h"
#include "core/ctl.h"

#define MIG_ARGS_MAX	64
#define MIG_ARG_LEN	(LAB_PATH_MAX + 128)

struct mig_opts {
	const char *lab, *vm, *to, *via;
	unsigned int downtime_ms, max_s, port;
	bool measure, json;
};

/* The source VMM's command line, and the destination's made from it. */
struct mig_argv {
	unsigned int n;
	char a[MIG_ARGS_MAX][MIG_ARG_LEN];
	char *v[MIG_ARGS_MAX + 3];
};

static int mig_argv_read(pid_t pid, struct mig_argv *m)
{
	char path[64], buf[MIG_ARGS_MAX * 128];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0 || (size_t)len >= sizeof(buf) - 1)
		return -E2BIG;
	buf[len] = '\0';
	m->n = 0;
	for (const char *s = buf; s < buf + len; s += strlen(s) + 1) {
		if (m->n == MIG_ARGS_MAX || strlen(s) >= MIG_ARG_LEN)
			return -E2BIG;
		snprintf(m->a[m->n++], MIG_ARG_LEN, "%s", s);
	}
	return 0;
}

/* The value of @key= in a --nic argument ("pv,mac=..,switch=S,..."). */
static bool nic_value(const char *nic, const char *key, char *out,
		      size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = nic; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t vl = strcspn(p + kl + 1, ",");

			snprintf(out, len, "%.*s", (int)vl, p + kl + 1);
			return vl < len;
		}
	}
	return false;
}

/* @nic with switch=@sock instead of whatever it had. */
static int nic_reswitch(char *nic, size_t len, const char *sock)
{
	char out[MIG_ARG_LEN];
	size_t k = 0;
	const char *p = nic;

	out[0] = '\0';
	while (*p) {
		size_t fl = strcspn(p, ",");
		int w = !strncmp(p, "switch=", 7)
			? snprintf(out + k, sizeof(out) - k, "%sswitch=%s",
				   k ? "," : "", sock)
			: snprintf(out + k, sizeof(out) - k, "%s%.*s",
				   k ? "," : "", (int)fl, p);

		if (w < 0 || (size_t)w >= sizeof(out) - k)
			return -ENAMETOOLONG;
		k += (size_t)w;
		p += fl;
		if (*p == ',')
			p++;
	}
	if (k >= len)
		return -ENAMETOOLONG;
	memcpy(nic, out, k + 1);
	return 0;
}

static struct lab_proc *lab_find(struct lab *l, enum lab_proc_kind kind,
				 const char *name)
{
	for (unsigned int i = 0; i < l->nprocs; i++)
		if (l->procs[i].kind == kind && !l->procs[i].exited &&
		    !strcmp(l->procs[i].name, name))
			return &l->procs[i];
	return NULL;
}

/* The host (switch) whose attach socket is @sock: its name, or NULL. */
static const char *lab_host_of_sock(struct lab *l, const char *sock)
{
	size_t pre = strlen(l->t.name) + 1;

	for (unsigned int i = 0; i < l->nprocs; i++)
		if (l->procs[i].kind == LAB_PROC_SWITCH &&
		    !strcmp(l->procs[i].sock, sock) &&
		    strlen(l->procs[i].name) > pre)
			return l->procs[i].name + pre;
	return NULL;
}

/* The guest's address (ip=A.B.C.D in its --append), or NULL. */
static const char *mig_argv_ip(const struct mig_argv *m, char *ip,
			       size_t len)
{
	for (unsigned int i = 0; i + 1 < m->n; i++)
		if (!strcmp(m->a[i], "--append")) {
			const char *p = strstr(m->a[i + 1], "ip=");

			if (p && (p == m->a[i + 1] || p[-1] == ' ')) {
				snprintf(ip, len, "%.*s",
					 (int)strcspn(p + 3, "/ "), p + 3);
				return ip;
			}
		}
	return NULL;
}

/* A TCP port nobody listens on now (the destination binds it next). */
static int mig_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	if (fd < 0)
		return -errno;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al))
		port = -errno;
	else
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/*
 * The destination's command line: the source's, with HOST's switch on
 * every NIC and its own files. Also returns the source's stats path and
 * switch socket (to find its host).
 */
static int mig_argv_dest(struct mig_argv *m, const struct lab *l,
			 const char *vm, const char *host, const char *sock,
			 const char *addr, struct lab_proc *rec, char *stats,
			 char *src_stats, char *src_sock)
{
	bool ctl = false;
	unsigned int k = 0;

	src_stats[0] = src_sock[0] = '\0';
	for (unsigned int i = 0; i + 1 < m->n; i++) {
		char *o = m->a[i], *v = m->a[i + 1];

		if (!strcmp(o, "--ctl")) {
			snprintf(v, MIG_ARG_LEN, "%s", rec->ctl);
			ctl = true;
		} else if (!strcmp(o, "--stats")) {
			snprintf(src_stats, LAB_PATH_MAX, "%s", v);
			snprintf(v, MIG_ARG_LEN, "%s", stats);
		} else if (!strcmp(o, "--console")) {
			snprintf(v, MIG_ARG_LEN, "%s/vm-%s@%s.console",
				 l->rundir, vm, host);
		} else if (!strcmp(o, "--nic")) {
			if (!src_sock[0] &&
			    !nic_value(v, "switch", src_sock, LAB_PATH_MAX))
				return -EINVAL;
			if (nic_reswitch(v, MIG_ARG_LEN, sock))
				return -ENAMETOOLONG;
		} else if (!strcmp(o, "--incoming")) {
			/* it came here by migrating: it leaves the same way */
			o[0] = v[0] = '\0';
		} else {
			continue;
		}
		i++;
	}
	if (!ctl || !src_sock[0] || m->n + 2 > MIG_ARGS_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < m->n; i++)
		if (m->a[i][0])
			m->v[k++] = m->a[i];
	m->v[k++] = "--incoming";
	m->v[k++] = (char *)addr;
	m->v[k] = NULL;
	return 0;
}

/* Wait for @text in file @path while child @pid runs: 0, -ECHILD, or
 * -ETIMEDOUT. */
static int mig_wait_log(pid_t pid, const char *path, const char *text,
			int timeout_ms)
{
	char buf[8192];

	for (int t = 0; t < timeout_ms; t += 20) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			close(fd);
			buf[n > 0 ? n : 0] = '\0';
			if (strstr(buf, text))
				return 0;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -ECHILD;
		mig_sleep_ms(20);
	}
	return -ETIMEDOUT;
}

/* The last line of @path containing @text, into @out ("" if none). */
static void mig_log_line(const char *path, const char *text, char *out,
			 size_t len)
{
	FILE *f = fopen(path, "re");
	char line[1024];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, text)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", strstr(line, text));
		}
	fclose(f);
}

/* ---- the vf path: the standby design ---- */

/* The --nic arguments of @m of kind @kind ("vf", "pv"), in order. */
static unsigned int mig_nics(const struct mig_argv *m, const char *kind,
			     const char **out, unsigned int max)
{
	size_t kl = strlen(kind);
	unsigned int n = 0;

	for (unsigned int i = 0; i + 1 < m->n && n < max; i++)
		if (!strcmp(m->a[i], "--nic") &&
		    !strncmp(m->a[i + 1], kind, kl) &&
		    (m->a[i + 1][kl] == ',' || !m->a[i + 1][kl]))
			out[n++] = m->a[++i];
	return n;
}

/* VFs of host @to's SR-IOV NIC no VM holds; -ENODEV if it has none. */
static int mig_free_vfs(const struct lab_proc *sw)
{
	json_t *req = json_pack("{s:s,s:s}", "cmd", "show-sriov", "sriov",
				PATH_SRIOV_NIC);
	json_t *ans = ctl_call(sw->ctl, req, 3000), *nic, *vf;
	int n = -ENODEV;
	size_t i;

	json_decref(req);
	nic = json_array_get(json_object_get(ans, "sriov"), 0);
	if (json_is_true(json_object_get(ans, "ok")) && nic) {
		n = 0;
		json_array_foreach(json_object_get(nic, "vf"), i, vf)
			n += json_is_null(json_object_get(vf, "vm"));
	}
	json_decref(ans);
	return n;
}

/*
 * A VM with VFs migrates by the standby design (vmm/vmm_migrate_vf.c):
 * each VF needs a standby pv NIC of its MAC, and host @to a free VF for
 * each on its SR-IOV NIC. The source VMM checks the first too; saying
 * it here, in the topology's words, spares starting a destination.
 */
static int mig_vf_check(const struct mig_argv *m, const char *vm,
			const char *to, const struct lab_proc *sw)
{
	const char *vf[TOPO_NICS_MAX * 2], *pv[TOPO_NICS_MAX * 2];
	unsigned int nvf = mig_nics(m, "vf", vf, TOPO_NICS_MAX * 2);
	unsigned int npv = mig_nics(m, "pv", pv, TOPO_NICS_MAX * 2);
	char mac[32], pmac[32], sb[8];
	int free_vfs;

	if (!nvf)
		return 0;
	for (unsigned int i = 0; i < nvf; i++) {
		bool found = false;

		if (!nic_value(vf[i], "mac", mac, sizeof(mac)))
			snprintf(mac, sizeof(mac), "(none)");
		for (unsigned int j = 0; j < npv && !found; j++)
			found = nic_value(pv[j], "mac", pmac, sizeof(pmac)) &&
				!strcasecmp(pmac, mac) &&
				nic_value(pv[j], "standby", sb, sizeof(sb)) &&
				!strcmp(sb, "1");
		if (!found) {
			fprintf(stderr, "iopath: vm %s has a VF (mac %s) with "
				"no standby: a VF VM migrates only with a pv "
				"NIC of the VF's MAC that the guest teams "
				"with it (in the topology: a NIC {path: pv, "
				"standby: true} beside the vf NIC)\n", vm,
				mac);
			return -ENOTSUP;
		}
	}
	free_vfs = mig_free_vfs(sw);
	if (free_vfs < 0) {
		fprintf(stderr, "iopath: vm %s has %u VF(s), but host %s has "
			"no SR-IOV NIC to give it one (the lab gives a host "
			"one when a VM of the lab has a vf NIC with a "
			"standby)\n", vm, nvf, to);
		return -ENODEV;
	}
	if ((unsigned int)free_vfs < nvf) {
		fprintf(stderr, "iopath: vm %s has %u VF(s), but host %s's "
			"SR-IOV NIC has %d free\n", vm, nvf, to, free_vfs);
		return -EBUSY;
	}
	return 0;
}

/* ---- the command ---- */

static void mig_usage(FILE *f)
{
	fprintf(f, "usage: iopath migrate [--lab NAME] VM --to HOST "
		"[--downtime-ms N] [--max-s S]\n"
		"                      [--measure] [--json] [--port P] "
		"[--via tcp:ADDR:PORT]\n");
}

static int mig_opts_parse(int argc, char **argv, struct mig_opts *o)
{
	static const struct option lo[] = {
		{ "lab", required_argument, NULL, 'l' },
		{ "to", required_argument, NULL, 't' },
		{ "downtime-ms", required_argument, NULL, 'd' },
		{ "max-s", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "via", required_argument, NULL, 'v' },
		{ "measure", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->downtime_ms = 30;
	o->max_s = 60;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': o->lab = optarg; continue;
		case 't': o->to = optarg; continue;
		case 'v': o->via = optarg; continue;
		case 'm': o->measure = true; continue;
		case 'j': o->json = true; continue;
		case 'h': mig_usage(stdout); return 1;
		case 'd': case 's': case 'p':
			break;
		default: mig_usage(stderr); return -EINVAL;
		}
		errno = 0;
		v = strtol(optarg, &end, 10);
		if (errno || *end || end == optarg || v < 1 ||
		    v > (c == 'd' ? 60000 : c == 's' ? 86400 : 65535)) {
			fprintf(stderr, "iopath: migrate: bad --%s '%s'\n",
				c == 'd' ? "downtime-ms" : c == 's' ? "max-s"
								    : "port",
				optarg);
			return -EINVAL;
		}
		if (c == 'd')
			o->downtime_ms = (unsigned int)v;
		else if (c == 's')
			o->max_s = (unsigned int)v;
		else
			o->port = (unsigned int)v;
	}
	if (optind != argc - 1 || !o->to) {
		mig_usage(stderr);
		return -EINVAL;
	}
	o->vm = argv[optind];
	if (o->via && strncmp(o->via, "tcp:", 4)) {
		fprintf(stderr, "iopath: migrate: --via tcp:ADDR:PORT\n");
		return -EINVAL;
	}
	return 0;
}

/* Follow the source until it completed (1), failed (0, @why says), with
 * its last status in *@last. */
static int mig_follow(const struct lab_proc *src, pid_t dst,
		      const struct mig_opts *o, const char *src_stats,
		      json_t **last, char *why, size_t len)
{
	uint64_t t0 = clock_mono_ms();
	bool dst_gone = false;
	int st;

	for (;;) {
		json_t *req = json_pack("{s:s}", "cmd", "migrate-status");
		json_t *ans = ctl_call(src->ctl, req, 2000);
		json_t *m = json_object_get(ans, "migration");
		const char *s = json_string_value(json_object_get(m, "state"));

		json_decref(req);
		if (s) {
			json_decref(*last);
			*last = json_incref(m);
		}
		if (s && !strcmp(s, "completed")) {
			json_decref(ans);
			return 1;
		}
		if (s && (!strcmp(s, "failed") || !strcmp(s, "cancelled"))) {
			snprintf(why, len, "%s", json_string_value(
				 json_object_get(m, "error")) ?: s);
			json_decref(ans);
			return 0;
		}
		json_decref(ans);
		if (!s && !lab_proc_ours(src->pid, "iopath-vmm", "--ctl",
					 src->ctl))
			break;	/* the source has gone: migrated? */
		if (!dst_gone && waitpid(dst, &st, WNOHANG) == dst) {
			char what[48];

			lab_proc_status_str(st, what, sizeof(what));
			fprintf(stderr, "iopath: the destination VMM %s\n",
				what);
			dst_gone = true;
		}
		if (clock_mono_ms() - t0 > (o->max_s + 15) * 1000ULL) {
			req = json_pack("{s:s}", "cmd", "migrate-cancel");
			json_decref(ctl_call(src->ctl, req, 2000));
			json_decref(req);
			snprintf(why, len, "no end after %u s: cancelled",
				 o->max_s + 15);
			return 0;
		}
		mig_sleep_ms(50);
	}
	if (mig_stats_migrated(src_stats))
		return 1;
	snprintf(why, len, "the source VMM exited (see its log)");
	return 0;
}

/* The lab's record of the VM, now the destination's. With a live
 * supervisor, it does that itself (lab_migrate_adopt): wait for it. */
static int mig_commit(struct lab *l, pid_t sup, const char *state,
		      struct lab_proc *src, const struct lab_proc *dst,
		      const char *host)
{
	char path[LAB_PATH_MAX + 64];

	mig_handoff_path(l, src->name, path, sizeof(path));
	for (int i = 0; i < 250 && lab_supervisor_alive(sup); i++) {
		if (access(path, F_OK))
			return 0;
		mig_sleep_ms(20);
	}
	if (lab_supervisor_alive(sup))
		fprintf(stderr, "iopath: the supervisor did not take the "
			"moved VM: writing the state myself\n");
	src->pid = dst->pid;
	src->adopted = true;
	snprintf(src->ctl, sizeof(src->ctl), "%s", dst->ctl);
	snprintf(src->log, sizeof(src->log), "%s", dst->log);
	snprintf(src->host, sizeof(src->host), "%s", host);
	unlink(path);
	return lab_state_write(l, sup, state);
}

/* The figures of the source's last log line (vmm_migrate_out.c), or
 * NULL if it says something else. */
static json_t *mig_summary_json(const char *summary)
{
	unsigned long long ms, pages, zero, bytes;
	unsigned int rounds, nvf;
	double down, unplug, ack;
	const char *in = strstr(summary, " in "), *vf;
	json_t *fig;

	if (!in || sscanf(in, " in %llu ms: %u rounds, %llu pages (%llu "
			  "zero), %llu bytes, downtime %lf ms", &ms, &rounds,
			  &pages, &zero, &bytes, &down) != 6)
		return NULL;
	fig = json_pack("{s:I,s:i,s:I,s:I,s:I,s:f}", "total_ms",
			(json_int_t)ms, "rounds", (int)rounds, "pages",
			(json_int_t)pages, "zero_pages", (json_int_t)zero,
			"bytes", (json_int_t)bytes, "downtime_ms", down);
	/* a VF VM's: "; N VF(s) unplugged in X ms, the guest acknowledged
	 * after Y ms" (the standby design's first step) */
	vf = strstr(in, "; ");
	if (fig && vf && sscanf(vf, "; %u VF(s) unplugged in %lf ms, the "
				"guest acknowledged after %lf ms", &nvf,
				&unplug, &ack) == 3) {
		json_object_set_new(fig, "vfs", json_integer(nvf));
		json_object_set_new(fig, "vf_unplug_ms", json_real(unplug));
		json_object_set_new(fig, "vf_ack_ms", json_real(ack));
	}
	return fig;
}

static void mig_report(const struct mig_opts *o, const char *from,
		       const struct lab_proc *dst, const char *summary,
		       json_t *measure)
{
	json_t *r = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s}", "vm", o->vm,
			      "from", from, "to", o->to, "pid", (int)dst->pid,
			      "ctl", dst->ctl, "summary", summary);
	json_t *fig = mig_summary_json(summary);

	if (fig)
		json_object_set_new(r, "migration", fig);
	if (measure)
		json_object_set(r, "measure", measure);
	if (o->json) {
		json_dumpf(r, stdout, JSON_INDENT(1));
		putchar('\n');
	} else {
		printf("vm %s migrated from %s to %s: %s\n", o->vm, from,
		       o->to, summary);
		printf("  now pid %d, control %s\n", (int)dst->pid, dst->ctl);
		if (measure)
			printf("  ping from the fabric every %d ms: longest "
			       "gap %.1f ms (%lld lost in it), %lld lost "
			       "outside it, %lld/%lld answered\n",
			       MIG_MEASURE_IV_MS, json_real_value(
			       json_object_get(measure, "gap_ms")),
			       json_integer_value(json_object_get(measure,
				"lost_in_gap")),
			       json_integer_value(json_object_get(measure,
				"lost_outside")),
			       json_integer_value(json_object_get(measure,
				"received")),
			       json_integer_value(json_object_get(measure,
				"sent")));
	}
	json_decref(r);
}

static int mig_prepare(struct lab *l, const struct mig_opts *o,
		       struct lab_proc **srcp, struct mig_argv *m,
		       struct lab_proc *dst, char *from, char *addr,
		       char *src_stats)
{
	struct lab_proc *src = lab_find(l, LAB_PROC_VM, o->vm), *sw;
	char name[TOPO_NAME_MAX * 2], stats[LAB_PATH_MAX], sock[LAB_PATH_MAX];
	const char *h;
	int port, rc;

	if (!src || !lab_proc_ours(src->pid, "iopath-vmm", "--ctl",
				   src->ctl)) {
		fprintf(stderr, "iopath: lab %s has no running vm '%s'\n",
			l->t.name, o->vm);
		return -ENOENT;
	}
	snprintf(name, sizeof(name), "%s-%s", l->t.name, o->to);
	sw = lab_find(l, LAB_PROC_SWITCH, name);
	if (!lab_name_ok(o->to) || !sw) {
		fprintf(stderr, "iopath: lab %s has no running host '%s'\n",
			l->t.name, o->to);
		return -ENOENT;
	}
	port = o->port ? (int)o->port : mig_free_port();
	if (port < 0)
		return port;
	snprintf(addr, 64, "tcp:127.0.0.1:%d", port);
	memset(dst, 0, sizeof(*dst));
	dst->kind = LAB_PROC_VM;
	snprintf(dst->name, sizeof(dst->name), "%s", o->vm);
	snprintf(dst->ctl, sizeof(dst->ctl), "%s/%s@%s.ctl", l->rundir,
		 o->vm, o->to);
	snprintf(dst->log, sizeof(dst->log), "%s/vm-%s@%s.log", l->rundir,
		 o->vm, o->to);
	snprintf(stats, sizeof(stats), "%s/vm-%s@%s.stats.json", l->rundir,
		 o->vm, o->to);
	rc = mig_argv_read(src->pid, m);
	if (!rc)
		rc = mig_argv_dest(m, l, o->vm, o->to, sw->sock, addr, dst,
				   stats, src_stats, sock);
	if (rc) {
		fprintf(stderr, "iopath: vm %s: cannot make the destination's "
			"command line from the source's: %s\n", o->vm,
			strerror(-rc));
		return rc;
	}
	h = lab_host_of_sock(l, sock);
	if (!h || !lab_path_in(l->rundir, src_stats)) {
		fprintf(stderr, "iopath: vm %s: not on a switch of lab %s\n",
			o->vm, l->t.name);
		return -EINVAL;
	}
	if (!strcmp(h, o->to)) {
		fprintf(stderr, "iopath: vm %s is on host %s already\n",
			o->vm, o->to);
		return -EALREADY;
	}
	rc = mig_vf_check(m, o->vm, o->to, sw);
	if (rc)
		return rc;
	snprintf(from, TOPO_NAME_MAX, "%s", h);
	*srcp = src;
	return 0;
}

/* Start the destination; 0 once it waits for the stream. */
static int mig_dest_start(const struct lab *l, const struct mig_opts *o,
			  struct mig_argv *m, struct lab_proc *dst,
			  const char *addr)
{
	char out[LAB_PATH_MAX + 32];
	int rc;

	snprintf(out, sizeof(out), "%s/vm-%s@%s.out", l->rundir, o->vm,
		 o->to);
	/* An earlier stay there left these: its log says "waiting" too. */
	unlink(dst->ctl);
	unlink(dst->log);
	dst->pid = lab_proc_spawn(m->v, out, dst->log);
	if (dst->pid < 0)
		return (int)dst->pid;
	if (!o->json)
		printf("destination on %s: pid %d, %s, log %s\n", o->to,
		       (int)dst->pid, addr, dst->log);
	fflush(stdout);
	rc = mig_wait_log(dst->pid, dst->log, "waiting for a migration",
			  30000);
	if (rc)
		fprintf(stderr, "iopath: the destination VMM %s; log %s\n",
			rc == -ECHILD ? "exited" : "did not start listening",
			dst->log);
	return rc;
}

static void mig_dest_stop(const struct lab *l, const struct lab_proc *src,
			  const struct lab_proc *dst)
{
	char path[LAB_PATH_MAX + 64];

	mig_handoff_path(l, src->name, path, sizeof(path));
	unlink(path);
	lab_proc_stop(dst->pid, 3000, true);
	unlink(dst->ctl);
}

int lab_migrate_main(int argc, char **argv)
{
	static struct lab l;
	static struct mig_argv m;
	struct mig_measure ms = { 0 };
	struct mig_opts o;
	struct lab_proc *src, dst;
	char state[32], err[512], from[TOPO_NAME_MAX], addr[64];
	char src_stats[LAB_PATH_MAX], summary[512], ip[32];
	json_t *req, *ans, *last = NULL;
	pid_t sup;
	int rc = mig_opts_parse(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);	/* a VMM gone mid-call is an answer */
	rc = lab_state_read(o.lab, &l, &sup, state, sizeof(state), err,
			    sizeof(err));
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return 1;
	}
	if (mig_prepare(&l, &o, &src, &m, &dst, from, addr, src_stats))
		return 1;
	rc = mig_dest_start(&l, &o, &m, &dst, addr);
	if (!rc)
		rc = mig_handoff_write(&l, src, &dst, o.to, src_stats);
	if (!rc && o.measure)
		rc = mig_measure_start(&ms, &l, o.vm, mig_argv_ip(&m, ip, sizeof(ip)));
	if (rc) {
		mig_dest_stop(&l, src, &dst);
		return 1;
	}
	req = json_pack("{s:s,s:s,s:i,s:i}", "cmd", "migrate", "to",
			o.via ? o.via : addr, "downtime_ms", o.downtime_ms,
			"max_s", o.max_s);
	ans = ctl_call(src->ctl, req, 5000);
	json_decref(req);
	if (!ans || !json_is_true(json_object_get(ans, "ok"))) {
		snprintf(err, sizeof(err), "the source refused: %s", ans ?
			 json_string_value(json_object_get(ans, "error")) ?:
			 "?" : strerror(errno));
		rc = 0;
	} else {
		rc = mig_follow(src, dst.pid, &o, src_stats, &last, err,
				sizeof(err));
	}
	json_decref(ans);
	if (o.measure && ms.pid > 0)
		mig_measure_stop(&ms);
	if (rc != 1) {
		mig_dest_stop(&l, src, &dst);
		/* A refusal may not reach the source: it is still sending
		 * when the destination hangs up. The destination says why. */
		mig_log_line(dst.log, "incoming migration refused", summary,
			     sizeof(summary));
		if (summary[0])
			snprintf(err, sizeof(err), "the destination's %.400s",
				 summary);
		fprintf(stderr, "iopath: migration of %s to %s failed: %s; "
			"it runs on on %s (pid %d), the lab is unchanged; "
			"destination log %s\n", o.vm, o.to, err, from,
			(int)src->pid, dst.log);
		json_decref(last);
		json_decref(ms.res);
		return 1;
	}
	/* The source's own summary: the figures of the whole migration. */
	mig_log_line(src->log, "migrated to", summary, sizeof(summary));
	if (!summary[0])
		snprintf(summary, sizeof(summary), "done");
	rc = mig_commit(&l, sup, state, src, &dst, o.to);
	if (rc)
		fprintf(stderr, "iopath: the lab's state: %s\n",
			strerror(-rc));
	mig_report(&o, from, &dst, summary, ms.res);
	json_decref(last);
	json_decref(ms.res);
	return rc ? 1 : 0;
}
