// SPDX-License-Identifier: MIT
/* Child-process runner for guest tests. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "tests/guest/guest_run.h"

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_read(struct buf *b, int fd)
{
	ssize_t n;

	if (b->cap - b->len < 4097) {
		size_t cap = b->cap ? b->cap * 2 : 65536;
		char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	n = read(fd, b->p + b->len, b->cap - b->len - 1);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	b->len += n;
	b->p[b->len] = '\0';
	return n > 0;
}

static void parse_events(struct guest_result *r)
{
	char *line = r->out, *end;

	r->events = json_array();
	while (line && *line) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (line[0] == '{') {
			json_t *j = json_loads(line, 0, NULL);

			if (json_is_object(j))
				json_array_append_new(r->events, j);
			else
				json_decref(j);
		}
		if (end)
			*end = '\n';
		line = end ? end + 1 : NULL;
	}
}

int guest_run(const char *const *argv, int timeout_s, struct guest_result *r)
{
	int out[2], err[2], wstatus;
	struct buf bo = { 0 }, be = { 0 };
	uint64_t deadline = clock_mono_ms() + timeout_s * 1000ull;
	bool open_o = true, open_e = true;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (open_o || open_e) {
		struct pollfd pfd[2] = {
			{ .fd = open_o ? out[0] : -1, .events = POLLIN },
			{ .fd = open_e ? err[0] : -1, .events = POLLIN },
		};
		int64_t left = (int64_t)(deadline - clock_mono_ms());

		if (left <= 0) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(pfd, 2, left) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents && buf_read(&bo, out[0]) <= 0)
			open_o = false;
		if (pfd[1].revents && buf_read(&be, err[0]) <= 0)
			open_e = false;
	}
	close(out[0]);
	close(err[0]);
	/* The pipes can close before the process is gone: wait with a bound. */
	while (waitpid(pid, &wstatus, WNOHANG) == 0) {
		if (clock_mono_ms() > deadline) {
			r->timed_out = true;
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			break;
		}
		usleep(10000);
	}
	if (r->timed_out)
		r->status = -1;
	else if (WIFEXITED(wstatus))
		r->status = WEXITSTATUS(wstatus);
	else
		r->status = 128 + WTERMSIG(wstatus);
	r->out = bo.p ? bo.p : strdup("");
	r->err = be.p ? be.p : strdup("");
	parse_events(r);
	return 0;
}

void guest_result_free(struct guest_result *r)
{
	free(r->out);
	free(r->err);
	json_decref(r->events);
	memset(r, 0, sizeof(*r));
}

json_t *guest_event(const struct guest_result *r, const char *name,
		    unsigned nth)
{
	size_t i;
	json_t *e;

	json_array_foreach(r->events, i, e) {
		const char *n = json_string_value(json_object_get(e, "event"));

		if (n && !strcmp(n, name) && nth-- == 0)
			return e;
	}
	return NULL;
}

unsigned guest_event_count(const struct guest_result *r, const char *name)
{
	unsigned n = 0;

	while (guest_event(r, name, n))
		n++;
	return n;
}

void guest_result_dump(const struct guest_result *r)
{
	fprintf(stderr, "--- status %d%s\n--- stdout:\n%s\n--- stderr:\n%s\n",
		r->status, r->timed_out ? " (timed out)" : "", r->out, r->err);
}

const char *guest_vmm_path(void)
{
	return IOPATH_BIN_DIR "/iopath-vmm";
}

const char *guest_image_path(const char *name)
{
	static char path[4][512];
	static unsigned next;
	char *p = path[next++ % 4];

	snprintf(p, 512, "%s/%s.elf", IOPATH_GUEST_DIR, name);
	return p;
}

void guest_require_kvm(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("SKIP: /dev/kvm cannot be opened (%s): guest tests "
		       "need KVM\n", strerror(errno));
		exit(77);
	}
	close(fd);
}

int guest_tmpdir_create(char *tmpl)
{
	return mkdtemp(tmpl) ? 0 : -1;
}

int guest_tmpdir_remove(const char *dir)
{
	char cmd[512];

	/* Only our own mkdtemp() directories, never a path from elsewhere. */
	if (strncmp(dir, "/tmp/iopath-", 12) || strstr(dir, ".."))
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}
