// SPDX-License-Identifier: MIT
/*
 * The lab state file (RUNDIR/state.json): who the supervisor is, every
 * process with its pid and sockets, the namespace and links. `lab status`
 * and `lab down` read it; `lab down` also uses it to clean up after a
 * supervisor that was itself killed. Written to a temporary file and
 * renamed, so a reader never sees half of it.
 *
 * What `lab down` does with it is what root can do: so it is read only
 * from a run directory of ours (lab_rundir.c), only if it is ours (a
 * regular file of our uid that nobody else may write), and only if it
 * names nothing but this lab's things: files directly in its run
 * directory, its own namespace and veth names, switch names of the lab.
 * Anything else refuses the whole file. Pids are checked when acted on
 * (lab_proc_ours): a stale lab's pids may have been reused since.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab.h"
#include "core/ctl.h"

static json_t *proc_json(const struct lab_proc *p)
{
	return json_pack("{s:s,s:s,s:i,s:b,s:i,s:s,s:s,s:s,s:s}",
			 "kind", p->kind == LAB_PROC_SWITCH ? "switch" : "vm",
			 "name", p->name, "pid", (int)p->pid,
			 "exited", p->exited, "status", p->status,
			 "ctl", p->ctl, "sock", p->sock, "log", p->log,
			 "host", p->host);
}

int lab_state_write(const struct lab *l, pid_t supervisor, const char *state)
{
	json_t *root, *procs = json_array(), *links = json_array();
	char path[LAB_PATH_MAX + 32], tmp[LAB_PATH_MAX + 32];
	int fd, rc;

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
	/* a fresh file of ours, whatever a crash left at that name */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		json_decref(root);
		return -errno;
	}
	rc = json_dumpfd(root, fd, JSON_INDENT(1)) ? -EIO : 0;
	if (close(fd) && !rc)
		rc = -errno;
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

/* Lab @name's state file, or the only lab's when @name is NULL; the
 * lab's name goes to @lab. */
static int lab_state_path(const char *name, char *path, size_t len,
			  char *lab, size_t lablen, char *err, size_t errlen)
{
	char base[LAB_PATH_MAX], pat[LAB_PATH_MAX + 32];
	size_t blen;
	glob_t g;
	int rc;

	if (name) {
		rc = lab_rundir_of(name, path, len, err, errlen);
		if (rc)
			return rc;
		if (lab != name)	/* the only-lab case below passes it */
			snprintf(lab, lablen, "%s", name);
		if (strlen(path) + sizeof("/state.json") > len)
			return -ENAMETOOLONG;
		strcat(path, "/state.json");
		return 0;
	}
	rc = lab_rundir_base(base, sizeof(base), false, err, errlen);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "no lab is up");
		return rc;
	}
	if (rc)
		return rc;
	snprintf(pat, sizeof(pat), "%s/lab-*/state.json", base);
	if (glob(pat, 0, NULL, &g) || g.gl_pathc == 0) {
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
	/* BASE/lab-NAME/state.json */
	blen = strlen(base) + strlen("/lab-");
	snprintf(lab, lablen, "%.*s", (int)(strlen(g.gl_pathv[0]) - blen -
		 strlen("/state.json")), g.gl_pathv[0] + blen);
	globfree(&g);
	if (!lab_name_ok(lab)) {
		snprintf(err, errlen, "%s/lab-%s: not a lab name", base, lab);
		return -EINVAL;
	}
	return lab_state_path(lab, path, len, lab, lablen, err, errlen);
}

static int proc_from_json(json_t *o, struct lab_proc *p)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));

	if (!kind || (strcmp(kind, "switch") && strcmp(kind, "vm")))
		return -EINVAL;
	p->kind = !strcmp(kind, "switch") ? LAB_PROC_SWITCH : LAB_PROC_VM;
	copy_str(o, "name", p->name, sizeof(p->name));
	copy_str(o, "ctl", p->ctl, sizeof(p->ctl));
	copy_str(o, "sock", p->sock, sizeof(p->sock));
	copy_str(o, "log", p->log, sizeof(p->log));
	copy_str(o, "host", p->host, sizeof(p->host));
	p->pid = (pid_t)jint(o, "pid");
	p->exited = json_is_true(json_object_get(o, "exited"));
	p->status = (int)jint(o, "status");
	return 0;
}

/* Open @path only if it is a state file of ours: an fd, or -errno. */
static int lab_state_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		int rc = -errno;

		if (rc == -ENOENT)
			snprintf(err, errlen, "%s: no such lab is up", path);
		else
			snprintf(err, errlen, "%s: %s%s", path,
				 strerror(errno), rc == -ELOOP ?
				 " (a symlink: refusing it)" : "");
		return rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errlen, "%s is not a state file of ours (uid %u, "
			 "mode %04o): refusing to act on it", path,
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Does @l name only lab @name's own things? NULL, or what it names that
 * is not. */
static const char *lab_state_foreign(const struct lab *l, const char *name)
{
	char want[sizeof(l->netns)], pre[40];

	if (strcmp(l->t.name, name))
		return "another lab's name";
	snprintf(want, sizeof(want), "iopath-%s-fabric", name);
	if (l->netns[0] && strcmp(l->netns, want))
		return l->netns;
	for (unsigned int i = 0; i < l->nlinks; i++)
		if (!lab_net_link_ours(name, l->links[i]))
			return l->links[i];
	snprintf(pre, sizeof(pre), "%s-", name);
	for (unsigned int i = 0; i < l->nprocs; i++) {
		const struct lab_proc *p = &l->procs[i];
		const char *f[] = { p->ctl, p->sock, p->log };

		if (p->kind == LAB_PROC_SWITCH &&
		    (strncmp(p->name, pre, strlen(pre)) ||
		     !lab_name_ok(p->name + strlen(pre))))
			return p->name;
		if (p->kind == LAB_PROC_VM && !lab_name_ok(p->name))
			return p->name;
		if (p->host[0] && !lab_name_ok(p->host))
			return p->host;
		for (size_t k = 0; k < 3; k++)
			if (f[k][0] && !lab_path_in(l->rundir, f[k]))
				return f[k];
	}
	return NULL;
}

/* Fill @l from state @root; -EINVAL if its shape is wrong. */
static int lab_state_parse(json_t *root, struct lab *l, pid_t *supervisor,
			   char *state, size_t statelen)
{
	json_t *a;
	size_t i;

	copy_str(root, "lab", l->t.name, sizeof(l->t.name));
	copy_str(root, "rundir", l->rundir, sizeof(l->rundir));
	copy_str(root, "bindir", l->bindir, sizeof(l->bindir));
	copy_str(root, "netns", l->netns, sizeof(l->netns));
	copy_str(root, "state", state, statelen);
	*supervisor = (pid_t)jint(root, "supervisor");
	a = json_object_get(root, "processes");
	if (json_array_size(a) > LAB_PROCS_MAX)
		return -EINVAL;
	for (i = 0; i < json_array_size(a); i++)
		if (proc_from_json(json_array_get(a, i), &l->procs[i]))
			return -EINVAL;
	l->nprocs = (unsigned int)i;
	a = json_object_get(root, "links");
	if (json_array_size(a) > LAB_LINKS_MAX)
		return -EINVAL;
	for (i = 0; i < json_array_size(a); i++)
		snprintf(l->links[i], sizeof(l->links[i]), "%s",
			 json_string_value(json_array_get(a, i)) ?: "");
	l->nlinks = (unsigned int)i;
	return 0;
}

/* The state file of lab @name (NULL: the only one) as JSON, checked. */
static json_t *lab_state_load(const char *name, struct lab *l,
			      pid_t *supervisor, char *state, size_t statelen,
			      char *err, size_t errlen, int *rcp)
{
	char path[LAB_PATH_MAX + 32], lab[TOPO_NAME_MAX + 8];
	char dir[sizeof(l->rundir)];
	const char *bad;
	json_error_t je;
	json_t *root;
	int fd;

	memset(l, 0, sizeof(*l));
	*rcp = lab_state_path(name, path, sizeof(path), lab, sizeof(lab), err,
			      errlen);
	if (*rcp)
		return NULL;
	*rcp = lab_rundir_of(lab, dir, sizeof(dir), err, errlen);
	if (!*rcp)
		*rcp = lab_dir_check(dir, err, errlen);
	if (*rcp == -ENOENT)
		snprintf(err, errlen, "%s: no such lab is up", path);
	if (*rcp)
		return NULL;
	fd = lab_state_open(path, err, errlen);
	if (fd < 0) {
		*rcp = fd;
		return NULL;
	}
	root = json_loadfd(fd, 0, &je);
	close(fd);
	if (!root) {
		snprintf(err, errlen, "%s: %s", path, je.text);
		*rcp = -EINVAL;
		return NULL;
	}
	*rcp = -EPERM;
	bad = "a malformed list of processes or links";
	if (!json_is_object(root) ||
	    lab_state_parse(root, l, supervisor, state, statelen))
		goto refuse;
	bad = "another run directory";
	if (strcmp(l->rundir, dir))
		goto refuse;
	bad = lab_state_foreign(l, lab);
	if (!bad) {
		*rcp = 0;
		return root;
	}
refuse:
	snprintf(err, errlen, "%s names %s, not its own lab's: refusing to "
		 "act on it", path, bad);
	json_decref(root);
	return NULL;
}

int lab_state_read(const char *name, struct lab *l, pid_t *supervisor,
		   char *state, size_t statelen, char *err, size_t errlen)
{
	int rc;
	json_t *root = lab_state_load(name, l, supervisor, state, statelen,
				      err, errlen, &rc);

	json_decref(root);
	return rc;
}

void lab_state_remove(const struct lab *l)
{
	char path[LAB_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/state.json", l->rundir);
	unlink(path);
}

void lab_socket_remove(const char *path)
{
	struct stat st;

	if (path[0] && !lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
}

/* Sockets go; logs, consoles and stats stay for the post-mortem. */
static void lab_remove_sockets(const struct lab *l)
{
	for (unsigned int i = 0; i < l->nprocs; i++) {
		lab_socket_remove(l->procs[i].ctl);
		lab_socket_remove(l->procs[i].sock);
	}
}

void lab_dpdk_prefix_remove(const char *prefix)
{
	char dir[LAB_PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	if (strchr(prefix, '/') || !prefix[0] || !strcmp(prefix, "..") ||
	    !strcmp(prefix, "."))
		return;
	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	/* Another user's (DPDK makes it as its process's user) is not ours
	 * to empty; nor is whatever a symlink there points at. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || st.st_uid != geteuid() ||
	    !(d = fdopendir(fd))) {
		close(fd);
		return;
	}
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

/* The program a process of the lab runs. */
static const char *lab_proc_prog(const struct lab_proc *p)
{
	return p->kind == LAB_PROC_VM ? "iopath-vmm" : "iopath-switch";
}

bool lab_supervisor_alive(pid_t pid)
{
	return lab_proc_ours(pid, "iopath", "lab", "up");
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
			/* a VM `iopath migrate` moved is not our child */
			if (children && !p->adopted)
				lab_proc_stop(p->pid, 3000, true);
			else if (lab_proc_ours(p->pid, lab_proc_prog(p),
					       "--ctl", p->ctl))
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
	int rc;
	json_t *root = lab_state_load(name, &l, &sup, state, sizeof(state),
				      err, sizeof(err), &rc);

	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	if (json) {
		/* what was checked, not the file again */
		rc = json_dumpf(root, stdout, JSON_INDENT(1)) ? -EIO : 0;
		json_decref(root);
		return rc;
	}
	json_decref(root);
	printf("lab %s: %s, supervisor pid %d%s, run dir %s\n", l.t.name, state,
	       (int)sup, lab_supervisor_alive(sup) ? "" :
	       " (GONE: run `iopath lab down`)", l.rundir);
	if (l.netns[0])
		printf("  fabric namespace %s\n", l.netns);
	for (unsigned int i = 0; i < l.nprocs; i++) {
		struct lab_proc *p = &l.procs[i];
		char st[48];

		if (p->exited)
			lab_proc_status_str(p->status, st, sizeof(st));
		else
			snprintf(st, sizeof(st), "%s",
				 lab_proc_ours(p->pid, lab_proc_prog(p),
					       "--ctl", p->ctl) ? "running" :
								  "gone");
		printf("  %-6s %-20s pid %-7d %-16s %s%-8s log %s\n",
		       p->kind == LAB_PROC_VM ? "vm" : "switch", p->name,
		       (int)p->pid, st, p->host[0] ? "on " : "   ",
		       p->host, p->log);
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
	if (lab_supervisor_alive(sup)) {
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
		if (lab_supervisor_alive(sup))
			kill(sup, SIGKILL);
	}
	lab_teardown(&l, false);
	printf("lab %s is down\n", l.t.name);
	return 0;
}
