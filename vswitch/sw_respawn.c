// SPDX-License-Identifier: MIT
/*
 * Start-up: a pid whose af_packet fanout groups are free.
 *
 * DPDK's af_packet PMD names its fanout group after the pid (pid ^
 * ifindex, sw_afpacket.c), so when another process in this network
 * namespace holds the id on another device, only another pid helps. The
 * switch checks before it makes anything of its own (EAL, sockets,
 * threads): on a collision it forks and the child carries on as the
 * switch, while the first process stays as a thin waiter, so that a
 * script or supervisor holding the first pid still can signal it, wait
 * for it and read its exit status:
 *
 *  - the waiter forwards SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and
 *    SIGUSR2 to the child, and exits with the child's status (dying of
 *    the child's signal again, without a core of its own);
 *  - the child dies with the waiter (PR_SET_PDEATHSIG), and checks that
 *    the waiter is still its parent, in case it died before that was set.
 *
 * The child probes its own ids; taken again, it exits with
 * SW_RESPAWN_TAKEN before doing anything and the waiter forks another,
 * a few times at most. A pipe tells the waiter which case it is: the
 * child writes one byte once its groups are held, and so is the switch.
 *
 * Other ways to change the id were weighed: the PMD calls getpid() and
 * takes no group argument, so a different id means a different pid (or
 * interposing getpid() for the PMD, which would tie the switch to how
 * DPDK is linked); and at run time (add-uplink, add-team) there is no
 * forking a switch with ports, so a collision there is a clear error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_SUBSYS "switch"
#include "base/log.h"
#include "vswitch/sw.h"

#define SW_RESPAWN_TRIES	8
#define SW_RESPAWN_TAKEN	75	/* the child's ids were taken too */

static const int sw_respawn_sigs[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};
#define SW_RESPAWN_NSIGS (sizeof(sw_respawn_sigs) / sizeof(int))

static volatile sig_atomic_t sw_respawn_child;	/* 0: none to tell */
static volatile sig_atomic_t sw_respawn_sig;	/* last one received */

static void sw_respawn_forward(int sig)
{
	int saved = errno;

	sw_respawn_sig = sig;
	if (sw_respawn_child > 0)
		kill((pid_t)sw_respawn_child, sig);
	errno = saved;
}

/* Hold every uplink's group; NULL, or the vdev whose group is taken. */
static const char *sw_respawn_hold_all(const struct sw_opts *o)
{
	for (unsigned i = 0; i < o->nuplinks; i++)
		if (sw_afpacket_hold(o->uplinks[i].vdev) == -EADDRINUSE) {
			sw_afpacket_unhold_all();
			return o->uplinks[i].vdev;
		}
	return NULL;
}

static void sw_respawn_why(const char *vdev, int attempt)
{
	char why[256];

	log_info("%s; going on in a child process, whose pid gives other ids "
		 "(try %d of %d)",
		 sw_afpacket_strerror(vdev, -EADDRINUSE, why, sizeof(why)),
		 attempt, SW_RESPAWN_TRIES);
}

/* Die of @sig as the child did, without a core of our own. */
static void __attribute__((noreturn)) sw_respawn_die(int sig)
{
	struct rlimit none = { 0, 0 };
	sigset_t set;

	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* End as the child did: its exit code, or its signal. */
static void __attribute__((noreturn)) sw_respawn_exit_as(int status)
{
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	sw_respawn_die(WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL);
}

/* The waiter's life once the child is the switch. */
static void __attribute__((noreturn)) sw_respawn_wait(pid_t child)
{
	int status;

	for (;;) {
		pid_t r = waitpid(child, &status, 0);

		if (r == child)
			sw_respawn_exit_as(status);
		if (r < 0 && errno != EINTR)
			_exit(1);
	}
}

/*
 * In the child: signals and mask as they were, die with the waiter,
 * then probe. Returns if this process is the switch.
 */
static void sw_respawn_child_start(const struct sw_opts *o, pid_t waiter,
				   const struct sigaction *old,
				   const sigset_t *oldmask, int go,
				   int attempt)
{
	const char *busy;

	for (unsigned i = 0; i < SW_RESPAWN_NSIGS; i++)
		sigaction(sw_respawn_sigs[i], &old[i], NULL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != waiter)
		_exit(1);
	busy = sw_respawn_hold_all(o);
	if (busy) {
		if (attempt < SW_RESPAWN_TRIES)
			sw_respawn_why(busy, attempt + 1);
		_exit(SW_RESPAWN_TAKEN);
	}
	if (write(go, "", 1) != 1)
		_exit(1);
	close(go);
	log_info("running as pid %d for waiting pid %d: the fanout groups "
		 "are free", (int)getpid(), (int)waiter);
}

void sw_respawn_check(const struct sw_opts *o)
{
	struct sigaction fwd, old[SW_RESPAWN_NSIGS];
	sigset_t block, oldmask;
	const char *busy = sw_respawn_hold_all(o);
	pid_t self = getpid();

	if (!busy)
		return;
	sw_respawn_why(busy, 1);
	sigemptyset(&block);
	for (unsigned i = 0; i < SW_RESPAWN_NSIGS; i++)
		sigaddset(&block, sw_respawn_sigs[i]);
	memset(&fwd, 0, sizeof(fwd));
	fwd.sa_handler = sw_respawn_forward;
	fwd.sa_flags = SA_RESTART;
	sigfillset(&fwd.sa_mask);
	/* Blocked across fork: what comes in meanwhile goes to the child. */
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	for (unsigned i = 0; i < SW_RESPAWN_NSIGS; i++)
		sigaction(sw_respawn_sigs[i], &fwd, &old[i]);
	fflush(NULL);
	for (int attempt = 1; attempt <= SW_RESPAWN_TRIES; attempt++) {
		int p[2], status;
		pid_t child;
		ssize_t n;
		char c;

		if (pipe2(p, O_CLOEXEC) < 0)
			die("respawn: pipe: %s", strerror(errno));
		child = fork();
		if (child < 0)
			die("respawn: fork: %s", strerror(errno));
		if (child == 0) {
			close(p[0]);
			sw_respawn_child_start(o, self, old, &oldmask, p[1],
					       attempt);
			return;
		}
		close(p[1]);
		sw_respawn_child = child;
		sigprocmask(SIG_SETMASK, &oldmask, NULL);
		do
			n = read(p[0], &c, 1);
		while (n < 0 && errno == EINTR);
		close(p[0]);
		if (n == 1)
			sw_respawn_wait(child);
		/* Its ids were taken too, or it died before trying. */
		sigprocmask(SIG_BLOCK, &block, NULL);
		sw_respawn_child = 0;
		while (waitpid(child, &status, 0) < 0)
			if (errno != EINTR)
				die("respawn: waitpid: %s", strerror(errno));
		if (sw_respawn_sig)	/* meant for the switch: end by it */
			sw_respawn_die(sw_respawn_sig);
		if (!WIFEXITED(status) ||
		    WEXITSTATUS(status) != SW_RESPAWN_TAKEN)
			sw_respawn_exit_as(status);
	}
	die("the af_packet fanout groups of this switch were taken for %d "
	    "pids in a row; is another program holding many?",
	    SW_RESPAWN_TRIES + 1);
}
