// SPDX-License-Identifier: MIT
/*
 * The control socket on a real unix socket in a temporary directory, with
 * the event loop on its own thread: commands, error answers, clients that
 * misbehave (bad JSON, oversized lines, never reading), several clients,
 * too many clients, the client helper's timeout. Who may connect: the
 * socket is 0600, another user is refused even when the file's mode lets
 * him in (SO_PEERCRED; run as root to check it), and the path is
 * replaced only when it holds a stale socket of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/ctl.h"
#include "core/evloop.h"

struct fixture {
	char dir[64];
	char path[128];
	struct evloop *loop;
	struct ctl *ctl;
	pthread_t thread;
};

/* ---- handlers ---- */

static int cmd_echo(void *opaque, json_t *req, json_t *resp)
{
	json_t *arg = json_object_get(req, "arg");

	json_object_set(resp, "arg", arg ? arg : json_null());
	return 0;
}

static int cmd_fail(void *opaque, json_t *req, json_t *resp)
{
	json_object_set_new(resp, "partial", json_true());
	return ctl_error(resp, "nope %d", 7);
}

static int cmd_errno(void *opaque, json_t *req, json_t *resp)
{
	return -ENOENT;
}

/* ---- fixture ---- */

static void *loop_thread(void *opaque)
{
	struct fixture *f = opaque;

	assert_int_equal(evloop_run(f->loop), 0);
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/iopath-ctl-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/ctl.sock", f->dir);
	f->loop = evloop_create();
	assert_non_null(f->loop);
	f->ctl = ctl_create(f->loop, f->path);
	assert_non_null(f->ctl);
	assert_int_equal(ctl_register(f->ctl, "echo", cmd_echo, NULL), 0);
	assert_int_equal(ctl_register(f->ctl, "fail", cmd_fail, NULL), 0);
	assert_int_equal(ctl_register(f->ctl, "errno", cmd_errno, NULL), 0);
	assert_int_equal(ctl_register(f->ctl, "echo", cmd_echo, NULL),
			 -EEXIST);
	assert_int_equal(pthread_create(&f->thread, NULL, loop_thread, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	evloop_stop(f->loop);
	assert_int_equal(pthread_join(f->thread, NULL), 0);
	ctl_destroy(f->ctl);
	/* The socket file goes with the server. */
	assert_int_equal(stat(f->path, &st), -1);
	evloop_destroy(f->loop);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* ---- a raw client, to send what ctl_call() never would ---- */

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void raw_send(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * One answer line, parsed, or NULL on EOF. Reads a byte at a time so a
 * second line stays in the socket for the next call.
 */
static json_t *raw_answer(int fd)
{
	static char line[4096];
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		assert_int_equal(poll(&pfd, 1, 2000), 1);
		n = recv(fd, line + len, 1, 0);
		if (n <= 0)
			return NULL;
		if (line[len] == '\n')
			break;
		assert_true(++len < sizeof(line));
	}
	return json_loadb(line, len, 0, NULL);
}

static json_t *raw_call(int fd, const char *line)
{
	raw_send(fd, line, strlen(line));
	return raw_answer(fd);
}

static void assert_ok(json_t *a)
{
	assert_non_null(a);
	assert_true(json_is_true(json_object_get(a, "ok")));
}

/* An error answer whose text contains @what. */
static void assert_error(json_t *a, const char *what)
{
	const char *err;

	assert_non_null(a);
	assert_true(json_is_false(json_object_get(a, "ok")));
	err = json_string_value(json_object_get(a, "error"));
	assert_non_null(err);
	assert_non_null(strstr(err, what));
}

/* ---- tests ---- */

static void test_good_command(void **state)
{
	struct fixture *f = *state;
	json_t *req = json_pack("{s:s, s:i, s:i}", "cmd", "echo", "arg", 42,
				"id", 7);
	json_t *a = ctl_call(f->path, req, 2000);

	assert_ok(a);
	assert_int_equal(json_integer_value(json_object_get(a, "arg")), 42);
	/* A request id comes back with the answer. */
	assert_int_equal(json_integer_value(json_object_get(a, "id")), 7);
	json_decref(a);
	json_decref(req);
}

static void test_handler_errors(void **state)
{
	struct fixture *f = *state;
	json_t *req = json_pack("{s:s}", "cmd", "fail");
	json_t *a = ctl_call(f->path, req, 2000);

	assert_error(a, "nope 7");
	/* An error answer holds no half-built results. */
	assert_null(json_object_get(a, "partial"));
	json_decref(a);
	json_decref(req);

	req = json_pack("{s:s}", "cmd", "errno");
	a = ctl_call(f->path, req, 2000);
	assert_error(a, strerror(ENOENT));
	json_decref(a);
	json_decref(req);
}

static void test_unknown_command(void **state)
{
	struct fixture *f = *state;
	json_t *req = json_pack("{s:s}", "cmd", "frobnicate");
	json_t *a = ctl_call(f->path, req, 2000);

	assert_error(a, "unknown command");
	json_decref(a);
	json_decref(req);
}

/* Bad requests get an error each; the connection stays usable. */
static void test_bad_requests_keep_connection(void **state)
{
	struct fixture *f = *state;
	int fd = raw_connect(f->path);
	json_t *a;

	a = raw_call(fd, "this is not json\n");
	assert_error(a, "bad JSON");
	json_decref(a);
	a = raw_call(fd, "[1,2,3]\n");
	assert_error(a, "not a JSON object");
	json_decref(a);
	a = raw_call(fd, "{\"arg\":1}\n");
	assert_error(a, "cmd");
	json_decref(a);
	a = raw_call(fd, "{\"cmd\":5}\n");
	assert_error(a, "cmd");
	json_decref(a);
	/* Blank lines are skipped, CRLF is fine. */
	a = raw_call(fd, "\n\r\n{\"cmd\":\"echo\",\"arg\":\"x\"}\r\n");
	assert_ok(a);
	assert_string_equal(json_string_value(json_object_get(a, "arg")),
			    "x");
	json_decref(a);
	close(fd);
}

/* Two requests in one write, one request in pieces. */
static void test_pipelined_and_split(void **state)
{
	struct fixture *f = *state;
	int fd = raw_connect(f->path);
	json_t *a;
	const char *two = "{\"cmd\":\"echo\",\"arg\":1}\n"
			  "{\"cmd\":\"echo\",\"arg\":2}\n";

	raw_send(fd, two, strlen(two));
	a = raw_answer(fd);
	assert_int_equal(json_integer_value(json_object_get(a, "arg")), 1);
	json_decref(a);
	a = raw_answer(fd);
	assert_int_equal(json_integer_value(json_object_get(a, "arg")), 2);
	json_decref(a);

	raw_send(fd, "{\"cmd\":\"ec", 10);
	usleep(20000);
	a = raw_call(fd, "ho\",\"arg\":3}\n");
	assert_int_equal(json_integer_value(json_object_get(a, "arg")), 3);
	json_decref(a);
	close(fd);
}

/* A last request without newline, then the write side closed. */
static void test_half_close(void **state)
{
	struct fixture *f = *state;
	int fd = raw_connect(f->path);
	json_t *a;

	raw_send(fd, "{\"cmd\":\"echo\",\"arg\":9}", 22);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	a = raw_answer(fd);
	assert_ok(a);
	assert_int_equal(json_integer_value(json_object_get(a, "arg")), 9);
	json_decref(a);
	assert_null(raw_answer(fd));	/* then the server hangs up */
	close(fd);
}

static void test_oversized_line_drops_client(void **state)
{
	struct fixture *f = *state;
	int good = raw_connect(f->path);
	int bad = raw_connect(f->path);
	size_t len = CTL_LINE_MAX + 100;
	char *big = malloc(len);
	json_t *a;

	/* A line of exactly CTL_LINE_MAX bytes is still taken. */
	memset(big, ' ', CTL_LINE_MAX);
	memcpy(big, "{\"cmd\":\"echo\"}", 14);
	big[CTL_LINE_MAX] = '\n';
	raw_send(good, big, CTL_LINE_MAX + 1);
	a = raw_answer(good);
	assert_ok(a);
	json_decref(a);

	memset(big, 'x', len);
	raw_send(bad, big, len);
	a = raw_answer(bad);
	assert_error(a, "too long");
	json_decref(a);
	assert_null(raw_answer(bad));	/* dropped */
	close(bad);

	/* The others never noticed. */
	a = raw_call(good, "{\"cmd\":\"echo\",\"arg\":5}\n");
	assert_ok(a);
	json_decref(a);
	close(good);
	free(big);
}

static void test_several_clients(void **state)
{
	enum { N = 6 };
	struct fixture *f = *state;
	int fd[N], i;

	for (i = 0; i < N; i++)
		fd[i] = raw_connect(f->path);
	/* Everyone sends half a request first, then the rest, backwards. */
	for (i = 0; i < N; i++)
		raw_send(fd[i], "{\"cmd\":\"echo\",", 14);
	for (i = N - 1; i >= 0; i--) {
		char line[64];
		json_t *a;

		snprintf(line, sizeof(line), "\"arg\":%d}\n", i);
		a = raw_call(fd[i], line);
		assert_ok(a);
		assert_int_equal(json_integer_value(json_object_get(a, "arg")),
				 i);
		json_decref(a);
	}
	for (i = 0; i < N; i++)
		close(fd[i]);
}

static void test_too_many_clients(void **state)
{
	struct fixture *f = *state;
	int fd[CTL_MAX_CLIENTS], extra, i;
	json_t *a;

	/* An answer each proves the server holds every one of them. */
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		fd[i] = raw_connect(f->path);
		a = raw_call(fd[i], "{\"cmd\":\"echo\"}\n");
		assert_ok(a);
		json_decref(a);
	}
	extra = raw_connect(f->path);
	a = raw_answer(extra);
	assert_error(a, "too many clients");
	json_decref(a);
	assert_null(raw_answer(extra));
	close(extra);

	/* A freed place can be taken again. */
	close(fd[0]);
	usleep(20000);
	fd[0] = raw_connect(f->path);
	a = raw_call(fd[0], "{\"cmd\":\"echo\"}\n");
	assert_ok(a);
	json_decref(a);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fd[i]);
}

/* A client that sends and never reads must not stall the loop. */
static void test_client_that_never_reads(void **state)
{
	struct fixture *f = *state;
	int hog = raw_connect(f->path);
	int good = raw_connect(f->path);
	char line[1100];
	size_t sent = 0;
	json_t *a;
	int i;

	/* Requests whose answers are ~1 KiB each, until hog's socket fills. */
	snprintf(line, sizeof(line), "{\"cmd\":\"echo\",\"arg\":\"%01000d\"}\n",
		 0);
	fcntl(hog, F_SETFL, O_NONBLOCK);
	for (i = 0; i < 100000; i++) {
		ssize_t n = send(hog, line, strlen(line), MSG_NOSIGNAL);

		if (n < 0) {
			/* Full: either the server stopped reading us (its
			 * answers piled up) or it has not had the CPU yet
			 * on a loaded host. Give it time before deciding. */
			struct pollfd pfd = { .fd = hog, .events = POLLOUT };

			if (poll(&pfd, 1, 500) != 1 ||
			    send(hog, line, strlen(line), MSG_NOSIGNAL) < 0)
				break;
		}
		sent++;
	}
	assert_true(sent > 100);
	a = raw_call(good, "{\"cmd\":\"echo\",\"arg\":1}\n");
	assert_ok(a);
	json_decref(a);
	close(hog);
	close(good);
}

static void test_call_timeout(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char mute[160];
	json_t *req = json_pack("{s:s}", "cmd", "echo");
	json_t *a;
	int lfd;

	/* A listener nobody serves: connect works, no answer ever comes. */
	snprintf(mute, sizeof(mute), "%s/mute.sock", f->dir);
	strcpy(sa.sun_path, mute);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);

	a = ctl_call(mute, req, 100);
	assert_null(a);
	assert_int_equal(errno, ETIMEDOUT);

	close(lfd);
	unlink(mute);
	a = ctl_call(mute, req, 100);
	assert_null(a);
	assert_int_equal(errno, ENOENT);
	json_decref(req);
}

/* Made 0600 whatever the umask, as documented. */
static void test_socket_mode(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_uid, geteuid());
}

#define NOBODY	65534

/*
 * In a child: become nobody, send a request, read until the server hangs
 * up. 0 if what came back was one "permission denied" error line. (No
 * cmocka asserts here: a failing one would run the rest of the tests in
 * the child.)
 */
static int other_user_call(const char *path)
{
	static const char req[] = "{\"cmd\":\"echo\"}\n";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512];
	size_t len = 0;
	json_t *a;
	int fd, ok;

	if (setgid(NOBODY) || setuid(NOBODY))
		return 2;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 3;
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0) {
		/* hung up already: what it said first is still to read */
	}
	for (int resets = 0;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 2000) != 1)
			return 4;	/* neither answered nor hung up */
		n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		/* a reset is reported once; what came before stays */
		if (n < 0 && errno == ECONNRESET && resets++ < 4)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf) - 1)
			return 5;
	}
	buf[len] = '\0';
	a = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	ok = a && json_is_false(json_object_get(a, "ok")) &&
	     strstr(json_string_value(json_object_get(a, "error")) ?: "",
		    "permission denied") && strchr(buf, '\n') == buf + len - 1;
	json_decref(a);
	return ok ? 0 : 6;
}

/*
 * Another user gets one "permission denied" line and EOF, and the server
 * goes on serving. The directory and socket are opened up so that only
 * the peer-credential check stands between him and the commands.
 */
static void test_other_user_refused(void **state)
{
	struct fixture *f = *state;
	json_t *req = json_pack("{s:s}", "cmd", "echo");
	json_t *a;
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		json_decref(req);
		skip();		/* only root can become another user */
	}
	assert_int_equal(chmod(f->dir, 0711), 0);
	assert_int_equal(chmod(f->path, 0666), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(other_user_call(f->path));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the owner (and root) still get in */
	a = ctl_call(f->path, req, 2000);
	assert_ok(a);
	json_decref(a);
	json_decref(req);
	chmod(f->dir, 0700);
}

/* A socket file at @path that nobody listens on: a dead server's. */
static void stale_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

/* No fixture: creating over existing files. */
static void test_create_paths(void **state)
{
	char dir[] = "/tmp/iopath-ctl-XXXXXX";
	char path[128];
	struct evloop *loop = evloop_create();
	struct ctl *ctl;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);

	/* A stale socket file is replaced. */
	ctl = ctl_create(loop, path);
	assert_non_null(ctl);
	ctl_destroy(ctl);
	stale_socket(path);
	ctl = ctl_create(loop, path);
	assert_non_null(ctl);
	ctl_destroy(ctl);

	/* A live server's socket is not stale: refused, and it stays. */
	ctl = ctl_create(loop, path);
	assert_non_null(ctl);
	assert_null(ctl_create(loop, path));
	assert_int_equal(errno, EADDRINUSE);
	{
		struct stat st;

		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISSOCK(st.st_mode));
	}
	ctl_destroy(ctl);

	/* Another user's stale socket is his, not ours to replace. */
	if (geteuid() == 0) {
		ctl = ctl_create(loop, path);
		assert_non_null(ctl);
		ctl_destroy(ctl);
		stale_socket(path);
		assert_int_equal(lchown(path, NOBODY, NOBODY), 0);
		assert_null(ctl_create(loop, path));
		assert_int_equal(errno, EPERM);
		unlink(path);
	}

	/* Anything else there is not ours to remove. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_null(ctl_create(loop, path));
	assert_int_equal(errno, EEXIST);
	unlink(path);
	/* Nor is what a symlink points at. */
	assert_int_equal(symlink("/nonexistent-iopath", path), 0);
	assert_null(ctl_create(loop, path));
	assert_int_equal(errno, EEXIST);
	unlink(path);
	rmdir(dir);
	evloop_destroy(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handler_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_bad_requests_keep_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_and_split,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_oversized_line_drops_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_clients, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_many_clients, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_client_that_never_reads,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_socket_mode, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_user_refused,
						setup, teardown),
		cmocka_unit_test(test_create_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
