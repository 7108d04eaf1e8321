// SPDX-License-Identifier: MIT
/*
 * The lab state file (RUNDIR/state.json): who the supervisor is, every
 * process with its pid and sockets, the namespace and links. `lab status`
 * and `lab down` read it; `lab down` also uses it to clean up after a
 * supervisor that was itself killed. Written to a temporary file and
 * renamed, so a reader never sees half of it.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab.h"
#include "core/ctl.h"

static json_t *proc_json(const struct lab_proc *p)
{
	return json_pack("{s:s,s:s,s:i,s:b,s:i,s:s,s:s,s:s}",
			 "kind", p->kind == LAB_PROC_SWITCH ? "switch" : "vm",
			 "name", p->name, "pid", (int)p->pid,
			 "exited", p->exited, "status", p->status,
			 "ctl", p->ctl, "sock", p->sock, "log", p->log);
}

int lab_state_write(const struct lab *l, pid_t supervisor, const char *state)
{
	json_t *root, *procs = json_array(), *links = json_array();
	char path[LAB_PATH_MAX + 32], tmp[LAB_PATH_MAX + 32];
	int rc;

	for (unsigned int i = 0; i < l->nprocs; i++)
		json_array_append_new(procs, proc_json(&l->procs[i]));
	for (unsigned int i = 0; i < l->nlinks; i++)
		json_array_append_new(links, json_string(l->links[i]));
	root = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:o,s:o}", "lab", l->t.name,
			 "state", state, "supervisor", (int)supervisor,
			 "rundir", l->rundir, "bindir", l->bindir,
			 "netns", l->netns, "processes", procs, "links", links);
	if (!root)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/state.json", l->rundir);
	snprintf(tmp, sizeof(tmp), "%s/.state.json.tmp", l->rundir);
	rc = json_dump_file(root, tmp, JSON_INDENT(1)) ? -EIO : 0;
	json_decref(root);
	if (!rc && rename(tmp, path))
		rc = -errno;
	return rc;
}

static void copy_str(json_t *o, const char *key, char *dst, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "");
}

static json_int_t jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Lab @name's state file, or the only lab's when @name is NULL. */
static int lab_state_path(const char *name, char *path, size_t len,
			  char *err, size_t errlen)
{
	glob_t g;

	if (name) {
		for (const char *c = name; *c; c++)
			if (*c == '/' || *c == '.') {
				snprintf(err, errlen, "bad lab name '%s'",
					 name);
				return -EINVAL;
			}
		snprintf(path, len, LAB_RUNDIR_FMT "/state.json", name);
		return 0;
	}
	if (glob("/tmp/iopath-lab-*/state.json", 0, NULL, &g) ||
	    g.gl_pathc == 0) {
		snprintf(err, errlen, "no lab is up");
		return -ENOENT;
	}
	if (g.gl_pathc > 1) {
		snprintf(err, errlen,
			 "%zu labs are up: say which with --lab NAME",
			 g.gl_pathc);
		globfree(&g);
		return -EINVAL;
	}
	snprintf(path, len, "%s", g.gl_pathv[0]);
	globfree(&g);
	return 0;
}

static void proc_from_json(json_t *o, struct lab_proc *p)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));

	p->kind = kind && !strcmp(kind, "switch") ? LAB_PROC_SWITCH :
						    LAB_PROC_VM;
	copy_str(o, "name", p->name, sizeof(p->name));
	copy_str(o, "ctl", p->ctl, sizeof(p->ctl));
	copy_str(o, "sock", p->sock, sizeof(p->sock));
	copy_str(o, "log", p->log, sizeof(p->log));
	p->pid = (pid_t)jint(o, "pid");
	p->exited = json_is_true(json_object_get(o, "exited"));
	p->status = (int)jint(o, "status");
}

int lab_state_read(const char *name, struct lab *l, pid_t *supervisor,
		   char *state, size_t statelen, char *err, size_t errlen)
{
	char path[LAB_PATH_MAX + 32];
	json_error_t je;
	json_t *root, *a;
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	rc = lab_state_path(name, path, sizeof(path), err, errlen);
	if (rc)
		return rc;
	root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s: %s", path, access(path, F_OK) ?
			 "no such lab is up" : je.text);
		return -ENOENT;
	}
	copy_str(root, "lab", l->t.name, sizeof(l->t.name));
	copy_str(root, "rundir", l->rundir, sizeof(l->rundir));
	copy_str(root, "bindir", l->bindir, sizeof(l->bindir));
	copy_str(root, "netns", l->netns, sizeof(l->netns));
	copy_str(root, "state", state, statelen);
	*supervisor = (pid_t)jint(root, "supervisor");
	a = json_object_get(root, "processes");
	for (i = 0; i < json_array_size(a) && i < LAB_PROCS_MAX; i++)
		proc_from_json(json_array_get(a, i), &l->procs[i]);
	l->nprocs = (unsigned int)i;
	a = json_object_get(root, "links");
	for (i = 0; i < json_array_size(a) && i < LAB_LINKS_MAX; i++)
		snprintf(l->links[i], sizeof(l->links[i]), "%s",
			 json_string_value(json_array_get(a, i)) ?: "");
	l->nlinks = (unsigned int)i;
	json_decref(root);
	/* The rundir must be ours: the state file is not trusted to point
	 * `lab down` at arbitrary paths. */
	{
		char want[LAB_PATH_MAX];

		snprintf(want, sizeof(want), LAB_RUNDIR_FMT, l->t.name);
		if (strcmp(want, l->rundir) || strchr(l->t.name, '/')) {
			snprintf(err, errlen, "%s: inconsistent state file",
				 path);
			return -EINVAL;
		}
	}
	return 0;
}

void lab_state_remove(const struct lab *l)
{
	char path[LAB_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/state.json", l->rundir);
	unlink(path);
}

/* Sockets go; logs, consoles and stats stay for the post-mortem. */
static void lab_remove_sockets(const struct lab *l)
{
	for (unsigned int i = 0; i < l->nprocs; i++) {
		if (l->procs[i].ctl[0])
			unlink(l->procs[i].ctl);
		if (l->procs[i].sock[0])
			unlink(l->procs[i].sock);
	}
}

void lab_dpdk_prefix_remove(const char *prefix)
{
	char dir[LAB_PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (strchr(prefix, '/') || !prefix[0] || !strcmp(prefix, "..") ||
	    !strcmp(prefix, "."))
		return;
	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' ||
		    (e->d_name[1] && strcmp(e->d_name, "..")))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

static int tree_remove_one(const char *path, const struct stat *sb, int flag,
			   struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void lab_tree_remove(const char *path)
{
	/* depth first, never following a symlink out of @path */
	nftw(path, tree_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void lab_teardown(struct lab *l, bool children)
{

	/* VMs first: they hold switch ports. Then the switches. */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < l->nprocs; i++) {
			struct lab_proc *p = &l->procs[i];

			if ((pass == 0) != (p->kind == LAB_PROC_VM) ||
			    p->exited)
				continue;
			if (children)
				lab_proc_stop(p->pid, 3000, true);
			else if (lab_proc_is(p->pid, p->kind == LAB_PROC_VM ?
					     "iopath-vmm" : "iopath-switch"))
				lab_proc_stop(p->pid, 3000, false);
			p->exited = true;
		}
	for (unsigned int i = 0; i < l->nprocs; i++) {
		char prefix[LAB_PATH_MAX];

		if (l->procs[i].kind != LAB_PROC_SWITCH)
			continue;
		snprintf(prefix, sizeof(prefix), "iopath-sw-%s",
			 l->procs[i].name);
		lab_dpdk_prefix_remove(prefix);
	}
	lab_remove_sockets(l);
	lab_net_down(l);
	lab_state_remove(l);
}

static void status_switch_ports(const struct lab_proc *p)
{
	json_t *req = json_pack("{s:s}", "cmd", "show-ports");
	json_t *ans = ctl_call(p->ctl, req, 2000);
	json_t *ports, *port;
	size_t i;

	json_decref(req);
	if (!ans) {
		printf("      (control socket: %s)\n", strerror(errno));
		return;
	}
	ports = json_object_get(ans, "ports");
	json_array_foreach(ports, i, port) {
		json_t *st = json_object_get(port, "stats");

		printf("      port %-14s %-8s %-5s rx %10lld  tx %10lld  "
		       "drops rx %lld tx %lld\n",
		       json_string_value(json_object_get(port, "name")) ?: "?",
		       json_string_value(json_object_get(port, "kind")) ?: "?",
		       json_string_value(json_object_get(port, "link")) ?: "?",
		       jint(st, "rx_packets"), jint(st, "tx_packets"),
		       jint(st, "rx_drops"), jint(st, "tx_drops"));
	}
	json_decref(ans);
}

int lab_status(const char *name, bool json)
{
	struct lab l;
	pid_t sup;
	char state[32], err[256];
	int rc = lab_state_read(name, &l, &sup, state, sizeof(state), err,
				sizeof(err));

	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	if (json) {
		char path[LAB_PATH_MAX + 32];
		FILE *f;
		int c;

		snprintf(path, sizeof(path), "%s/state.json", l.rundir);
		f = fopen(path, "r");
		if (!f)
			return -errno;
		while ((c = fgetc(f)) != EOF)
			putchar(c);
		fclose(f);
		return 0;
	}
	printf("lab %s: %s, supervisor pid %d%s, run dir %s\n", l.t.name, state,
	       (int)sup, lab_proc_is(sup, "iopath") ? "" :
	       " (GONE: run `iopath lab down`)", l.rundir);
	if (l.netns[0])
		printf("  fabric namespace %s\n", l.netns);
	for (unsigned int i = 0; i < l.nprocs; i++) {
		struct lab_proc *p = &l.procs[i];
		const char *prog = p->kind == LAB_PROC_VM ? "iopath-vmm" :
			"iopath-switch";
		char st[48];

		if (p->exited)
			lab_proc_status_str(p->status, st, sizeof(st));
		else
			snprintf(st, sizeof(st), "%s",
				 lab_proc_is(p->pid, prog) ? "running" :
							     "gone");
		printf("  %-6s %-20s pid %-7d %-16s log %s\n",
		       p->kind == LAB_PROC_VM ? "vm" : "switch", p->name,
		       (int)p->pid, st, p->log);
		if (p->kind == LAB_PROC_SWITCH && !strcmp(st, "running"))
			status_switch_ports(p);
	}
	return 0;
}

int lab_down(const char *name)
{
	struct timespec ts = { 0, 50 * 1000000 };
	struct lab l;
	pid_t sup;
	char state[32], err[256], path[LAB_PATH_MAX + 32];
	int rc = lab_state_read(name, &l, &sup, state, sizeof(state), err,
				sizeof(err));

	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/state.json", l.rundir);
	if (lab_proc_is(sup, "iopath")) {
		/* The supervisor tears down in order and removes the state
		 * file last; give it what the children's grace periods add
		 * up to. */
		kill(sup, SIGTERM);
		for (int i = 0; i < 600 && access(path, F_OK) == 0 &&
		     kill(sup, 0) == 0; i++)
			nanosleep(&ts, NULL);
		if (access(path, F_OK) != 0) {
			printf("lab %s is down\n", l.t.name);
			return 0;
		}
		fprintf(stderr, "iopath: the supervisor (pid %d) did not "
			"finish; cleaning up myself\n", (int)sup);
		kill(sup, SIGKILL);
	}
	lab_teardown(&l, false);
	printf("lab %s is down\n", l.t.name);
	return 0;
}
