// SPDX-License-Identifier: MIT
/*
 * Where labs keep their files, and why we may trust what is there.
 *
 * A lab's run directory holds its sockets, logs and the state file that
 * `lab down` acts on (it unlinks, deletes links and namespaces, signals
 * pids). A directory in /tmp can be made first by anyone, so run
 * directories live in a base directory private to their user:
 *
 *   root        /run/iopath
 *   any other   $XDG_RUNTIME_DIR/iopath, or /tmp/iopath-UID without one
 *
 * and a lab's is BASE/lab-NAME. Every one of them must be a real
 * directory (not a symlink), owned by us, with no access for group or
 * others; one that is not is refused with the reason, never used or
 * removed. A lab's directory is made fresh by `lab up` (an old one of
 * ours, logs of the last run, is removed first).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/lab.h"

bool lab_name_ok(const char *name)
{
	size_t n = strlen(name);

	/* topo_parse.c's rule for names */
	if (!n || n >= TOPO_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			return false;
	return true;
}

int lab_dir_check(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		int rc = -errno;

		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory (%s): refusing "
			 "to use it", dir, S_ISLNK(st.st_mode) ?
			 "a symlink" : "another kind of file");
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s belongs to uid %u, not to us (uid "
			 "%u): refusing to use it (someone made it first; "
			 "remove it if that is wrong)", dir,
			 (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s has mode %04o: others may change "
			 "what is in it, refusing to use it (chmod 700 it if "
			 "that is wrong)", dir, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* Make @dir (mode 0700) if absent, then check it. */
static int lab_dir_ensure(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		int rc = -errno;

		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	return lab_dir_check(dir, err, errlen);
}

int lab_rundir_base(char *buf, size_t len, bool create, char *err,
		    size_t errlen)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n, rc;

	if (geteuid() == 0) {
		n = snprintf(buf, len, "/run/iopath");
	} else if (xdg && xdg[0] == '/') {
		/* the session's own private directory: it must be that */
		rc = lab_dir_check(xdg, err, errlen);
		if (rc)
			return rc;
		n = snprintf(buf, len, "%s/iopath", xdg);
	} else {
		n = snprintf(buf, len, "/tmp/iopath-%u", (unsigned)geteuid());
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "run directory base too long "
			 "(XDG_RUNTIME_DIR=%s)", xdg ? xdg : "");
		return -ENAMETOOLONG;
	}
	return create ? lab_dir_ensure(buf, err, errlen) :
			lab_dir_check(buf, err, errlen);
}

int lab_rundir_of(const char *name, char *buf, size_t len, char *err,
		  size_t errlen)
{
	char base[LAB_PATH_MAX];
	int rc, n;

	if (!lab_name_ok(name)) {
		snprintf(err, errlen, "bad lab name '%s'", name);
		return -EINVAL;
	}
	rc = lab_rundir_base(base, sizeof(base), false, err, errlen);
	if (rc && rc != -ENOENT)
		return rc;
	n = snprintf(buf, len, "%s/lab-%s", base, name);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s/lab-%s: run directory path too long "
			 "for its sockets", base, name);
		return -ENAMETOOLONG;
	}
	return 0;
}

int lab_rundir_fresh(const char *dir, char *err, size_t errlen)
{
	char base[LAB_PATH_MAX];
	int rc = lab_rundir_base(base, sizeof(base), true, err, errlen);

	if (rc)
		return rc;
	rc = lab_dir_check(dir, err, errlen);
	if (rc == 0)
		lab_tree_remove(dir);	/* ours: the last run's logs */
	else if (rc != -ENOENT)
		return rc;
	if (mkdir(dir, 0700) < 0) {
		/* EEXIST: someone made it between our check and now */
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	return lab_dir_check(dir, err, errlen);
}

bool lab_path_in(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	/* DIR/NAME: one component, not hidden, not "." or ".." */
	return !strncmp(path, dir, n) && path[n] == '/' &&
	       path[n + 1] && path[n + 1] != '.' && !strchr(path + n + 1, '/');
}
