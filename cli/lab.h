/* SPDX-License-Identifier: MIT */
/*
 * Labs: a topology brought to life. `iopath lab up` is the supervisor: it
 * makes the fabric namespace and veths, starts one iopath-switch per host
 * and one iopath-vmm per VM, writes a state file, and stays in the
 * foreground until Ctrl-C, `iopath lab down` (SIGTERM to it) or a child's
 * death (per the topology's on_exit); then it tears everything down.
 * The state file lets `lab status`/`lab down` find it, and lets `lab down`
 * clean up alone if the supervisor itself was killed. Run directories are
 * private to their user (lab_rundir.c); a state file that is not ours, or
 * that names anything but our lab's files, namespace and links, is
 * refused, and a pid is signalled only if it still runs our program.
 */
#ifndef IOPATH_CLI_LAB_H
#define IOPATH_CLI_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cli/topo.h"

#define LAB_PROCS_MAX	(TOPO_HOSTS_MAX + TOPO_VMS_MAX)
#define LAB_LINKS_MAX	(TOPO_HOSTS_MAX * TOPO_UPLINKS_MAX)
#define LAB_PATH_MAX	256

enum lab_proc_kind { LAB_PROC_SWITCH, LAB_PROC_VM };

struct lab_proc {
	enum lab_proc_kind kind;
	char name[TOPO_NAME_MAX * 2];
	pid_t pid;
	bool exited;
	int status;			/* wait status once exited */
	char ctl[LAB_PATH_MAX];		/* control socket */
	char sock[LAB_PATH_MAX];	/* switch: attach socket */
	char log[LAB_PATH_MAX];
	char host[TOPO_NAME_MAX];	/* VM: where it runs ("" if unknown) */
	bool adopted;		/* VM moved here by `iopath migrate`: not a
				 * child of the supervisor (lab_migrate.c) */
};

struct lab {
	struct topo t;
	/* BASE/lab-NAME (lab_rundir.c): at most 79 bytes, so that its
	 * sockets' paths fit in a sockaddr_un (108) */
	char rundir[80];
	char bindir[LAB_PATH_MAX];
	char netns[64];		/* fabric namespace, "" if none */
	unsigned int nprocs, nlinks;
	struct lab_proc procs[LAB_PROCS_MAX];
	char links[LAB_LINKS_MAX][16];	/* root-side veth ends */
	char ifaces[TOPO_HOSTS_MAX][TOPO_UPLINKS_MAX][16];
};

struct lab_up_opts {
	bool detach;		/* supervise in the background */
	bool quiet;
};

/* Fill @l's names (run dir, namespace, interfaces) from its topology.
 * 0, or -errno with @err saying why (no usable run directory). */
int lab_init(struct lab *l, const struct topo *t, const char *bindir,
	     char *err, size_t errlen);
/* Is @ifname one of the root-side veth names lab @name makes? */
bool lab_net_link_ours(const char *name, const char *ifname);

/* lab_net.c: run `ip ARGS...` (no shell); 0 or -EIO. */
int lab_net_ip(bool quiet, const char *const *args);
/* Namespace, bridge, veths. On failure undoes what it made. */
int lab_net_up(struct lab *l, char *err, size_t errlen);
/* Delete what lab_net_up made (also half-made). */
void lab_net_down(struct lab *l);

/* lab_proc.c: start @argv with stdout to @out and stderr to @log. */
pid_t lab_proc_spawn(char *const argv[], const char *out, const char *log);
/* The same for a child that must not outlive us (a bench's switches,
 * VMs and generators: nothing else would stop them): it gets SIGTERM
 * when we die, even by SIGKILL. Lab processes are not tied: a detached
 * lab's state file lets `lab down` find them. */
pid_t lab_proc_spawn_tied(char *const argv[], const char *out,
			  const char *log);
/* SIGTERM, then SIGKILL after @grace_ms; reaps our own children. */
void lab_proc_stop(pid_t pid, int grace_ms, bool child);
/* May we signal @pid as one of our lab's processes? It runs as our uid,
 * its argv[0] ends in @prog, and (if @opt) the argument after @opt is
 * @val: a reused pid, or a pid a state file names, fails this. */
bool lab_proc_ours(pid_t pid, const char *prog, const char *opt,
		   const char *val);
/* Describe a wait status ("exited 0", "killed by SIGKILL"). */
void lab_proc_status_str(int status, char *buf, size_t len);
/* Directory of the running iopath binary (the other tools live there). */
int lab_bindir(char *buf, size_t len);

/* lab_proc.c: run @argv to completion, stdout and stderr appended to
 * @log (NULL: ours); its exit status, or -errno if it could not run. */
int lab_proc_run(char *const argv[], const char *log);
/* In a child between fork and exec: signals as a child of ours should
 * have them, its own process group, and with @tied SIGTERM when @parent
 * dies. */
void lab_proc_child_init(pid_t parent, bool tied);
/* Wait for @path to appear while our child @pid lives: 0, -ECHILD (it
 * exited; reaped) or -ETIMEDOUT. */
int lab_proc_wait_path(pid_t pid, const char *path, int timeout_ms);

/* lab_state.c: remove DPDK's runtime directory of --file-prefix @prefix
 * (a few flat files, left behind when a process is killed), if ours. */
void lab_dpdk_prefix_remove(const char *prefix);
/* Remove @path and everything under it (no symlinks followed). */
void lab_tree_remove(const char *path);

/* lab_rundir.c: run directories (where, and whether to trust them). */
/* A lab name as topology files allow it (no '/', no leading '.'). */
bool lab_name_ok(const char *name);
/* The base of our run directories into @buf; with @create, made (0700)
 * if absent. Checked as lab_dir_check does: 0, or -errno and @err. */
int lab_rundir_base(char *buf, size_t len, bool create, char *err,
		    size_t errlen);
/* Lab @name's run directory (BASE/lab-NAME) into @buf; not made. */
int lab_rundir_of(const char *name, char *buf, size_t len, char *err,
		  size_t errlen);
/* 0 if @dir is a directory (not a symlink) of our uid that group and
 * others cannot use; -ENOENT if absent; else -errno and @err says why. */
int lab_dir_check(const char *dir, char *err, size_t errlen);
/* Make run directory @dir anew, mode 0700 (an old one of ours and what
 * it holds is removed; one that is not ours is refused). */
int lab_rundir_fresh(const char *dir, char *err, size_t errlen);
/* Is @path a file directly in @dir (one component, not hidden)? */
bool lab_path_in(const char *dir, const char *path);

/* lab_up.c */
int lab_up(const struct topo *t, const char *bindir,
	   const struct lab_up_opts *o);

/* lab_state.c */
int lab_state_write(const struct lab *l, pid_t supervisor, const char *state);
/* Load the state of lab @name, or of the only lab when @name is NULL.
 * -ENOENT if there is none; any other error means a state file or run
 * directory that is not ours or not sane: refused, @err says why. */
int lab_state_read(const char *name, struct lab *l, pid_t *supervisor,
		   char *state, size_t statelen, char *err, size_t errlen);
void lab_state_remove(const struct lab *l);
/* Remove @path if it is a socket (a dead process's); "" is nothing. */
void lab_socket_remove(const char *path);
/* Is @pid a live lab supervisor (`iopath lab up`) of ours? */
bool lab_supervisor_alive(pid_t pid);
int lab_status(const char *name, bool json);
int lab_down(const char *name);
/* Tear down from the state alone (the supervisor is gone). */
void lab_teardown(struct lab *l, bool children);

/* lab_migrate.c: `iopath migrate [--lab NAME] VM --to HOST ...`. */
int lab_migrate_main(int argc, char **argv);
/* Supervisor: VM @p ended; if by migrating (a hand-off of `iopath
 * migrate` names it), @p becomes the destination's record: true. */
bool lab_migrate_adopt(struct lab *l, struct lab_proc *p);
/* Supervisor: VMs moved here (not its children) that have ended since
 * (each marked exited, or replaced if it moved on): how many ended. */
int lab_migrate_poll(struct lab *l);

#endif
