// SPDX-License-Identifier: MIT
/*
 * The hand-off between `iopath migrate` and the lab's supervisor. The
 * supervisor owns the state file and rewrites it on every child's exit,
 * so the command does not write it under it: before a migration starts
 * it leaves RUNDIR/migrating-VM.json naming the source's pid and the
 * destination's record. When the supervisor sees that source end and
 * its stats say "migrated to", it takes the destination's record in
 * place of the source's and removes the file (lab_migrate_adopt). The
 * destination is not the supervisor's child: lab_migrate_poll notices
 * its end, and teardown stops it by pid. The file is ours, in our run
 * directory, and names only files there: checked as the state file is.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab_migrate.h"

void mig_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Like the supervisor's messages (lab_up.c), from its side of a move. */
static void mig_say(const struct lab *l, const char *what, const char *name,
		    pid_t pid, const char *more)
{
	time_t now = time(NULL);
	char ts[16];

	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
	printf("%s lab %s: vm %s (pid %d) %s%s\n", ts, l->t.name, name,
	       (int)pid, what, more);
	fflush(stdout);
}

/* Does the stats file @path say its VMM exited "migrated to ..."? */
bool mig_stats_migrated(const char *path)
{
	json_t *st = json_load_file(path, 0, NULL);
	const char *r = json_string_value(json_object_get(st, "reason"));
	bool yes = r && !strncmp(r, "migrated to ", 12);

	json_decref(st);
	return yes;
}

void mig_handoff_path(const struct lab *l, const char *vm, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/migrating-%s.json", l->rundir, vm);
}

int mig_handoff_write(const struct lab *l, const struct lab_proc *src,
		      const struct lab_proc *dst, const char *host,
		      const char *src_stats)
{
	char path[LAB_PATH_MAX + 64], tmp[LAB_PATH_MAX + 72];
	json_t *o = json_pack("{s:s,s:i,s:s,s:i,s:s,s:s,s:s}", "vm", src->name,
			      "from_pid", (int)src->pid, "from_stats",
			      src_stats, "pid", (int)dst->pid, "ctl", dst->ctl,
			      "log", dst->log, "host", host);
	int rc;

	if (!o)
		return -ENOMEM;
	mig_handoff_path(l, src->name, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rc = json_dump_file(o, tmp, 0) ? -EIO : 0;
	json_decref(o);
	if (!rc && (chmod(tmp, 0600) || rename(tmp, path)))
		rc = -errno;
	return rc;
}

/*
 * Supervisor side: @p (a VM) has ended. If it ended by migrating (a
 * hand-off of ours names it, its stats say so, the destination runs
 * with the control socket named), @p becomes the destination's record.
 */
bool lab_migrate_adopt(struct lab *l, struct lab_proc *p)
{
	char path[LAB_PATH_MAX + 64];
	const char *ctl, *log, *host, *stats;
	struct stat st;
	json_t *o = NULL;
	bool ok = false;
	pid_t pid;
	int fd;

	mig_handoff_path(l, p->name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && !(st.st_mode & 022))
		o = json_loadfd(fd, 0, NULL);
	close(fd);
	ctl = json_string_value(json_object_get(o, "ctl"));
	log = json_string_value(json_object_get(o, "log"));
	host = json_string_value(json_object_get(o, "host"));
	stats = json_string_value(json_object_get(o, "from_stats"));
	pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	if (!ctl || !log || !host || !stats ||
	    json_integer_value(json_object_get(o, "from_pid")) != p->pid ||
	    !lab_path_in(l->rundir, ctl) || !lab_path_in(l->rundir, log) ||
	    !lab_path_in(l->rundir, stats) || !lab_name_ok(host) ||
	    strlen(host) >= sizeof(p->host) || !mig_stats_migrated(stats) ||
	    !lab_proc_ours(pid, "iopath-vmm", "--ctl", ctl))
		goto out;
	mig_say(l, "migrated to host ", p->name, p->pid, host);
	p->pid = pid;
	p->exited = false;
	p->status = 0;
	p->adopted = true;
	snprintf(p->ctl, sizeof(p->ctl), "%s", ctl);
	snprintf(p->log, sizeof(p->log), "%s", log);
	snprintf(p->host, sizeof(p->host), "%s", host);
	unlink(path);
	ok = true;
out:
	json_decref(o);
	return ok;
}

int lab_migrate_poll(struct lab *l)
{
	int gone = 0;

	for (unsigned int i = 0; i < l->nprocs; i++) {
		struct lab_proc *p = &l->procs[i];

		if (!p->adopted || p->exited ||
		    lab_proc_ours(p->pid, "iopath-vmm", "--ctl", p->ctl) ||
		    lab_migrate_adopt(l, p))
			continue;
		/* not our child: its exit status is its parent's */
		mig_say(l, "is gone (not a child of ours: no exit status)",
			p->name, p->pid, "");
		p->exited = true;
		p->status = 0;
		gone++;
	}
	return gone;
}
