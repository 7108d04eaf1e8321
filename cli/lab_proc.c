// SPDX-License-Identifier: MIT
/*
 * Processes of a lab: start with logs, stop politely then firmly, and
 * recognise our own after a restart (a pid in a state file may have been
 * reused by an unrelated process by then: never kill that one).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab.h"

void lab_proc_child_init(pid_t parent, bool tied)
{
	sigset_t all;

	/* The supervisor blocks signals to wait for them; children must get
	 * them normally. Own process group: a Ctrl-C on the terminal goes
	 * to the supervisor only, which stops children in order. */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	setpgid(0, 0);
	if (tied) {
		/* kept across exec; and if the parent is gone already, the
		 * signal will never come: go now */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(1);
	}
}

static pid_t proc_spawn(char *const argv[], const char *out, const char *log,
			bool tied)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* in a run directory of ours; never through a symlink */
		int wr = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			 O_NOFOLLOW;
		int fo = open(out, wr, 0644);
		int fl = open(log, wr, 0644);
		int fn = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fo < 0 || fl < 0 || fn < 0)
			_exit(126);
		dup2(fn, 0);
		dup2(fo, 1);
		dup2(fl, 2);
		lab_proc_child_init(parent, tied);
		execvp(argv[0], argv);
		fprintf(stderr, "iopath: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	return pid;
}

pid_t lab_proc_spawn(char *const argv[], const char *out, const char *log)
{
	return proc_spawn(argv, out, log, false);
}

pid_t lab_proc_spawn_tied(char *const argv[], const char *out, const char *log)
{
	return proc_spawn(argv, out, log, true);
}

int lab_proc_run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* a short command: it keeps our signal mask and terminal */
		if (log) {
			int fl = open(log, O_WRONLY | O_CREAT | O_APPEND |
				      O_CLOEXEC | O_NOFOLLOW, 0644);

			if (fl < 0)
				_exit(126);
			dup2(fl, 1);
			dup2(fl, 2);
		}
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(2, "iopath: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return -EINTR;
}

int lab_proc_wait_path(pid_t pid, const char *path, int timeout_ms)
{
	struct timespec ts = { 0, 20 * 1000000 };

	for (int waited = 0; waited < timeout_ms; waited += 20) {
		if (!access(path, F_OK))
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -ECHILD;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

static bool proc_alive(pid_t pid, bool child, int *status)
{
	if (child) {
		pid_t r = waitpid(pid, status, WNOHANG);

		return r == 0;
	}
	return kill(pid, 0) == 0;
}

void lab_proc_stop(pid_t pid, int grace_ms, bool child)
{
	struct timespec ts = { 0, 20 * 1000000 };
	int st;

	if (pid <= 0 || !proc_alive(pid, child, &st))
		return;
	kill(pid, SIGTERM);
	for (int waited = 0; waited < grace_ms; waited += 20) {
		if (!proc_alive(pid, child, &st))
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	if (child)
		waitpid(pid, &st, 0);
	else
		for (int i = 0; i < 100 && kill(pid, 0) == 0; i++)
			nanosleep(&ts, NULL);
}

/* @pid's command line (NUL-separated arguments) into @buf; its length,
 * or 0 if it cannot be read. */
static size_t proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (size_t)n;
}

static bool argv0_is(const char *argv0, const char *prog)
{
	size_t pl = strlen(prog), al = strlen(argv0);

	return al >= pl && !strcmp(argv0 + al - pl, prog);
}

bool lab_proc_ours(pid_t pid, const char *prog, const char *opt,
		   const char *val)
{
	char path[64], buf[4096];
	struct stat st;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (pid <= 0 || stat(path, &st) || st.st_uid != geteuid())
		return false;
	n = proc_cmdline(pid, buf, sizeof(buf));
	if (!n || !argv0_is(buf, prog))
		return false;
	if (!opt)
		return true;
	for (const char *a = buf; a < buf + n; a += strlen(a) + 1)
		if (!strcmp(a, opt) && a + strlen(a) + 1 < buf + n)
			return !strcmp(a + strlen(a) + 1, val);
	return false;
}

void lab_proc_status_str(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by SIG%s",
			 sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(buf, len, "status 0x%x", status);
}

int lab_bindir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	return 0;
}
