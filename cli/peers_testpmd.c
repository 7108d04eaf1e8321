// SPDX-License-Identifier: MIT
/*
 * dpdk-testpmd as a generator we drive over its prompt (peers_testpmd.h).
 *
 * Its stdout is a pipe and it would fully buffer printf output there, so
 * it runs under stdbuf -oL: then a command's output is complete once the
 * next "testpmd> " prompt (written straight to the fd) has arrived.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "cli/lab.h"
#include "cli/peers_testpmd.h"

#define TESTPMD_PROMPT	"testpmd> "
#define STDBUF_PATH	"/usr/bin/stdbuf"

static const char *const port_mac[TESTPMD_PORTS] = {
	"02:00:00:00:00:01", "02:00:00:00:00:02",
};

/* Read what testpmd printed within @timeout_ms into tp->buf (and the
 * log). 0 when something came, -ETIMEDOUT, or -EPIPE at end of file. */
static int testpmd_read(struct testpmd *tp, int timeout_ms)
{
	struct pollfd pfd = { .fd = tp->out_fd, .events = POLLIN };
	ssize_t n;
	int r;

	r = poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return -ETIMEDOUT;
	if (tp->len >= sizeof(tp->buf) - 1) {
		/* Keep the newer half: only the tail holds the prompt. */
		size_t keep = sizeof(tp->buf) / 2;

		memmove(tp->buf, tp->buf + tp->len - keep, keep);
		tp->len = keep;
	}
	n = read(tp->out_fd, tp->buf + tp->len, sizeof(tp->buf) - 1 - tp->len);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -EPIPE;
	if (tp->log) {
		fwrite(tp->buf + tp->len, 1, (size_t)n, tp->log);
		fflush(tp->log);
	}
	tp->len += (size_t)n;
	tp->buf[tp->len] = '\0';
	return 0;
}

/* Wait for a prompt; hand what came before it to @out, drop it from buf. */
static int testpmd_wait_prompt(struct testpmd *tp, char *out, size_t outlen,
			       int timeout_ms)
{
	int64_t end = (int64_t)clock_mono_ms() + timeout_ms;

	for (;;) {
		char *p = strstr(tp->buf, TESTPMD_PROMPT);
		int r;

		if (p) {
			size_t before = (size_t)(p - tp->buf);
			size_t rest = tp->len - before - strlen(TESTPMD_PROMPT);

			if (out && outlen) {
				size_t n = before;

				if (n > outlen - 1)
					n = outlen - 1;

				memcpy(out, tp->buf, n);
				out[n] = '\0';
			}
			memmove(tp->buf, p + strlen(TESTPMD_PROMPT), rest);
			tp->len = rest;
			tp->buf[tp->len] = '\0';
			return 0;
		}
		r = testpmd_read(tp, (int)(end - (int64_t)clock_mono_ms()));
		if (r < 0)
			return r;
	}
}

unsigned int testpmd_eal_args(char **argv, const char *prefix,
			      const char *lcores, const char *vdev0,
			      const char *vdev1)
{
	unsigned int n = 0;

	argv[n++] = TESTPMD_PATH;
	/* no hugepages needed (MACHINE-NOTES.md); no PCI devices wanted */
	argv[n++] = "--no-huge";
	argv[n++] = "-m";
	argv[n++] = "512";
	argv[n++] = "--no-pci";
	argv[n++] = "--no-telemetry";
	argv[n++] = "--file-prefix";
	argv[n++] = (char *)prefix;
	argv[n++] = "--lcores";
	argv[n++] = (char *)lcores;
	argv[n++] = "--vdev";
	argv[n++] = (char *)vdev0;
	argv[n++] = "--vdev";
	argv[n++] = (char *)vdev1;
	argv[n++] = "--";
	return n;
}

int testpmd_start(struct testpmd *tp, const struct testpmd_opts *o,
		  char *why, size_t whylen)
{
	char vdev[TESTPMD_PORTS][512], peer[TESTPMD_PORTS][40], txpkts[32];
	int in[2], out[2], logfd;
	pid_t parent;
	char *argv[40];
	unsigned int n = 0;
	int r;

	memset(tp, 0, sizeof(*tp));
	tp->in_fd = tp->out_fd = -1;
	if (o->frame < 64 || o->frame > 1518) {
		snprintf(why, whylen, "frame size %u outside 64..1518",
			 o->frame);
		return -EINVAL;
	}
	snprintf(tp->prefix, sizeof(tp->prefix), "%s", o->prefix);
	for (int i = 0; i < TESTPMD_PORTS; i++) {
		snprintf(vdev[i], sizeof(vdev[i]),
			 "net_virtio_user%d,path=%s,mac=%s,queue_size=1024%s",
			 i, o->sock[i], port_mac[i],
			 o->server ? ",server=1" : "");
		/* each port sends to the other one's MAC */
		snprintf(peer[i], sizeof(peer[i]), "--eth-peer=%d,%s", i,
			 port_mac[1 - i]);
	}
	/* --txpkts is the frame without its FCS */
	snprintf(txpkts, sizeof(txpkts), "--txpkts=%u", o->frame - 4);
	argv[n++] = STDBUF_PATH;
	argv[n++] = "-oL";
	n += testpmd_eal_args(argv + n, tp->prefix, o->lcores, vdev[0],
			      vdev[1]);
	argv[n++] = "-i";
	argv[n++] = "--forward-mode=mac";
	argv[n++] = "--port-topology=loop";
	argv[n++] = peer[0];
	argv[n++] = peer[1];
	argv[n++] = txpkts;
	/* 512 MiB without hugepages: the default pool would not fit */
	argv[n++] = "--total-num-mbufs=16384";
	argv[n] = NULL;

	logfd = open(o->log,
		     O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		r = -errno;
		snprintf(why, whylen, "%s: %s", o->log, strerror(errno));
		return r;
	}
	tp->log = fdopen(logfd, "a");
	if (!tp->log) {
		close(logfd);
		return -ENOMEM;
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		r = -errno;
		fclose(tp->log);
		tp->log = NULL;
		return r;
	}
	parent = getpid();
	tp->pid = fork();
	if (tp->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(logfd, 2);
		/* never outlive iopath, even killed by SIGKILL */
		lab_proc_child_init(parent, true);
		execv(argv[0], argv);
		dprintf(2, "iopath: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	tp->in_fd = in[1];
	tp->out_fd = out[0];
	if (tp->pid < 0) {
		r = -errno;
		tp->pid = 0;
		testpmd_stop(tp);
		snprintf(why, whylen, "fork: %s", strerror(-r));
		return r;
	}
	/* EAL init and two vhost-user connections: a few seconds at most,
	 * but a server-mode port waits for its switch to connect. */
	r = testpmd_wait_prompt(tp, NULL, 0, 30000);
	if (r) {
		snprintf(why, whylen, "testpmd did not come up (%s); see %s",
			 r == -ETIMEDOUT ? "no prompt in 30 s" : "it exited",
			 o->log);
		testpmd_stop(tp);
	}
	return r;
}

int testpmd_cmd(struct testpmd *tp, const char *cmd, char *out,
		size_t outlen, int timeout_ms)
{
	size_t len = strlen(cmd);
	char line[256];

	if (tp->in_fd < 0 || len + 2 > sizeof(line))
		return -EINVAL;
	/* Whatever arrived since the last prompt (link events) is not this
	 * command's output. */
	tp->len = 0;
	tp->buf[0] = '\0';
	memcpy(line, cmd, len);
	line[len++] = '\n';
	if (write(tp->in_fd, line, len) != (ssize_t)len)
		return -EPIPE;
	return testpmd_wait_prompt(tp, out, outlen, timeout_ms);
}

int testpmd_wait_links(struct testpmd *tp, int timeout_ms)
{
	static char out[16384];
	int64_t end = (int64_t)clock_mono_ms() + timeout_ms;

	do {
		const char *p = out;
		int up = 0, r;

		r = testpmd_cmd(tp, "show port info all", out, sizeof(out),
				5000);
		if (r)
			return r;
		while ((p = strstr(p, "Link status: up"))) {
			up++;
			p++;
		}
		if (up >= TESTPMD_PORTS)
			return 0;
		usleep(200 * 1000);
	} while ((int64_t)clock_mono_ms() < end);
	return -ETIMEDOUT;
}

int testpmd_stats(struct testpmd *tp,
		  struct testpmd_port_stats st[TESTPMD_PORTS])
{
	static char out[16384];
	int r = testpmd_cmd(tp, "show port stats all", out, sizeof(out), 5000);

	if (r)
		return r;
	r = testpmd_parse_stats(out, st);
	if (r < 0)
		return r;
	return r == TESTPMD_PORTS ? 0 : -EINVAL;
}

void testpmd_stop(struct testpmd *tp)
{
	if (tp->pid > 0 && tp->in_fd >= 0) {
		/* "quit" stops forwarding and closes the ports cleanly, so
		 * the switch sees the vhost-user peer leave. */
		(void)!write(tp->in_fd, "quit\n", 5);
		for (int i = 0; i < 100; i++) {
			if (waitpid(tp->pid, NULL, WNOHANG) == tp->pid) {
				tp->pid = 0;
				break;
			}
			/* drain its output so it never blocks on the pipe */
			(void)testpmd_read(tp, 50);
		}
	}
	if (tp->pid > 0)
		lab_proc_stop(tp->pid, 3000, true);
	tp->pid = 0;
	if (tp->in_fd >= 0)
		close(tp->in_fd);
	if (tp->out_fd >= 0)
		close(tp->out_fd);
	tp->in_fd = tp->out_fd = -1;
	if (tp->log)
		fclose(tp->log);
	tp->log = NULL;
	if (tp->prefix[0])
		lab_dpdk_prefix_remove(tp->prefix);
}
