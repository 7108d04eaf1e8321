// SPDX-License-Identifier: MIT
/*
 * The control socket server: a non-blocking unix stream listener on an
 * evloop, JSON lines in, JSON lines out.
 *
 * The loop must never wait on a client. Input is read until EAGAIN into a
 * per-client line buffer; answers go out with MSG_DONTWAIT and what the
 * socket does not take waits in a per-client output buffer, sent when the
 * socket polls writable. A client that lets that buffer grow past
 * CTL_OUT_MAX (it sends requests but never reads answers) is dropped.
 * MSG_NOSIGNAL everywhere: a vanished client is an error code, not SIGPIPE.
 *
 * Only the server's owner may connect (base/usock.h): the socket is 0600
 * and every client's SO_PEERCRED is checked on accept; another user gets
 * one error line and is hung up on.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOG_SUBSYS "ctl"
#include "base/clock.h"
#include "base/log.h"
#include "base/usock.h"
#include "core/ctl.h"
#include "core/evloop.h"

#define CTL_IN_MIN	4096
#define CTL_OUT_MAX	(16u << 20)

struct ctl_cmd {
	char *name;
	ctl_cmd_fn fn;
	void *opaque;
	struct ctl_cmd *next;
};

struct ctl_client {
	struct ctl *ctl;
	int fd;
	uint32_t events;	/* what the loop polls for now */
	bool eof;		/* peer done sending: close once flushed */
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_off;
};

struct ctl {
	struct evloop *loop;
	int listen_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_cmd *cmds;
	struct ctl_client *clients[CTL_MAX_CLIENTS];
};

static void ctl_client_event(void *opaque, int fd, uint32_t revents);

/* ---- answers ---- */

int ctl_error(json_t *resp, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(resp, "ok", json_false());
	json_object_set_new(resp, "error", json_string(msg));
	return -EINVAL;
}

static json_t *ctl_error_answer(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static json_t *ctl_error_answer(const char *fmt, ...)
{
	char msg[512];
	json_t *resp, *text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	resp = json_object();
	if (!resp)
		return NULL;
	json_object_set_new(resp, "ok", json_false());
	/*
	 * What the message quotes of the request (jansson's error text, a
	 * command name cut at 512 bytes) need not be UTF-8, which a JSON
	 * string must be: without this the answer had no "error" at all.
	 */
	text = json_string(msg);
	for (char *c = msg; !text && *c; c++)
		if (*c & 0x80)
			*c = '?';
	json_object_set_new(resp, "error", text ? text : json_string(msg));
	return resp;
}

/* ---- clients ---- */

static void ctl_client_drop(struct ctl_client *c)
{
	struct ctl *ctl = c->ctl;
	unsigned i;

	evloop_del_fd(ctl->loop, c->fd);
	/* Hang up now, not when the poll lets go (evloop.h): fuzz_ctl's
	 * client once waited 10 s for this EOF. */
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl->clients[i] == c)
			ctl->clients[i] = NULL;
	free(c->in);
	free(c->out);
	free(c);
}

/* Poll for @events; evloop has no "modify", so re-add. 0 or -errno. */
static int ctl_client_watch(struct ctl_client *c, uint32_t events)
{
	int ret;

	if (c->events == events)
		return 0;
	evloop_del_fd(c->ctl->loop, c->fd);
	ret = evloop_add_fd(c->ctl->loop, c->fd, events, ctl_client_event, c);
	if (ret == 0)
		c->events = events;
	return ret;
}

/*
 * Send what is buffered without blocking. Returns 0 (all sent or the rest
 * waits for POLLOUT) or -errno if the client is unusable.
 */
static int ctl_client_flush(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		/* After EOF the caller drops the client now. */
		return c->eof ? 0 : ctl_client_watch(c, POLLIN);
	}
	/* While output is stuck, stop reading: that is the back-pressure. */
	return ctl_client_watch(c, POLLOUT);
}

/* Queue @resp (consumed) as one line and try to send it. 0 or -errno. */
static int ctl_client_answer(struct ctl_client *c, json_t *resp)
{
	char *text;
	size_t len;
	char *grown;

	if (!resp)
		return -ENOMEM;
	text = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	if (c->out_len + len + 1 > CTL_OUT_MAX) {
		free(text);
		return -ENOBUFS;
	}
	grown = realloc(c->out, c->out_len + len + 1);
	if (!grown) {
		free(text);
		return -ENOMEM;
	}
	c->out = grown;
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	free(text);
	return ctl_client_flush(c);
}

static struct ctl_cmd *ctl_cmd_find(struct ctl *ctl, const char *name)
{
	struct ctl_cmd *cmd;

	for (cmd = ctl->cmds; cmd; cmd = cmd->next)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	return NULL;
}

/* Turn one request line into its answer object. */
static json_t *ctl_execute(struct ctl *ctl, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req, *resp, *name, *id;
	struct ctl_cmd *cmd;
	int ret;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req)
		return ctl_error_answer("bad JSON: %s", jerr.text);
	if (!json_is_object(req)) {
		json_decref(req);
		return ctl_error_answer("request is not a JSON object");
	}
	name = json_object_get(req, "cmd");
	if (!json_is_string(name)) {
		json_decref(req);
		return ctl_error_answer("request has no \"cmd\" string");
	}
	cmd = ctl_cmd_find(ctl, json_string_value(name));
	if (!cmd) {
		resp = ctl_error_answer("unknown command \"%s\"",
					json_string_value(name));
		goto out;
	}

	resp = json_object();
	if (!resp) {
		json_decref(req);
		return NULL;
	}
	json_object_set_new(resp, "ok", json_true());
	ret = cmd->fn(cmd->opaque, req, resp);
	if (ret < 0) {
		/* An error answer carries the error only, not half results. */
		json_t *err = json_object_get(resp, "error");
		json_t *fail = json_is_string(err) ?
			ctl_error_answer("%s", json_string_value(err)) :
			ctl_error_answer("%s", strerror(-ret));

		json_decref(resp);
		resp = fail;
	} else {
		json_object_set_new(resp, "ok", json_true());
	}
out:
	/* Echo a request id so a client may pipeline requests. */
	id = json_object_get(req, "id");
	if (resp && id)
		json_object_set(resp, "id", id);
	json_decref(req);
	return resp;
}

/*
 * Answer every complete line in the input buffer. Returns 0 or -errno if
 * the client must be dropped.
 */
static int ctl_client_lines(struct ctl_client *c)
{
	size_t start = 0;
	int ret = 0;

	while (start < c->in_len) {
		char *nl = memchr(c->in + start, '\n', c->in_len - start);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - (c->in + start));
		if (len > CTL_LINE_MAX) {
			ret = -EMSGSIZE;
			break;
		}
		if (len && c->in[start + len - 1] == '\r')
			len--;	/* tolerate CRLF from interactive tools */
		if (len) {
			ret = ctl_client_answer(c, ctl_execute(c->ctl,
						c->in + start, len));
			if (ret < 0)
				break;
		}
		start = (size_t)(nl - c->in) + 1;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	return ret;
}

/* Room for more input, up to one maximal line and its newline. */
static int ctl_client_grow_in(struct ctl_client *c)
{
	size_t cap;
	char *grown;

	if (c->in_cap >= CTL_LINE_MAX + 1)
		return -EMSGSIZE;
	cap = c->in_cap ? c->in_cap * 2 : CTL_IN_MIN;
	if (cap > CTL_LINE_MAX + 1)
		cap = CTL_LINE_MAX + 1;
	grown = realloc(c->in, cap);
	if (!grown)
		return -ENOMEM;
	c->in = grown;
	c->in_cap = cap;
	return 0;
}

/* Read until EAGAIN (the loop reports wake-ups, not levels). */
static int ctl_client_read(struct ctl_client *c)
{
	for (;;) {
		ssize_t n;
		int ret;

		if (c->in_len == c->in_cap) {
			ret = ctl_client_grow_in(c);
			if (ret < 0)
				return ret;
		}
		n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len,
			 MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		if (n == 0) {
			c->eof = true;
			return 0;
		}
		c->in_len += (size_t)n;
		ret = ctl_client_lines(c);
		if (ret < 0)
			return ret;
		/* Output stuck: leave the rest in the socket for later. */
		if (c->events & POLLOUT)
			return 0;
	}
}

static void ctl_client_event(void *opaque, int fd, uint32_t revents)
{
	struct ctl_client *c = opaque;
	int ret = 0;

	/* A hang-up while output waits: the flush finds out (EPIPE). */
	if ((revents & POLLOUT) ||
	    ((revents & POLLHUP) && (c->events & POLLOUT))) {
		ret = ctl_client_flush(c);
		/* Flushed: pick up requests that waited in the socket. */
		if (ret == 0 && !(c->events & POLLOUT) && !c->eof)
			revents |= POLLIN;
	}
	if (ret == 0 && (revents & (POLLIN | POLLHUP)) &&
	    !(c->events & POLLOUT))
		ret = ctl_client_read(c);
	if (ret == 0 && c->eof && c->in_len) {
		/* A last request without its newline still counts. */
		if (c->in_len <= CTL_LINE_MAX)
			ret = ctl_client_answer(c, ctl_execute(c->ctl, c->in,
							       c->in_len));
		c->in_len = 0;
	}
	if (ret == -EMSGSIZE) {
		/* One last best-effort line, then the client goes. */
		ctl_client_answer(c, ctl_error_answer(
			"request line too long (over %u bytes)", CTL_LINE_MAX));
		log_guest_warn("client fd %d: line too long, dropped", fd);
		ctl_client_drop(c);
		return;
	}
	if (ret < 0 || (revents & POLLERR) ||
	    (c->eof && c->out_off == c->out_len)) {
		if (ret < 0 && ret != -EPIPE && ret != -ECONNRESET)
			log_guest_warn("client fd %d dropped: %s", fd,
				       strerror(-ret));
		ctl_client_drop(c);
	}
}

/* Tell a client we are full, without waiting, and hang up. */
static void ctl_refuse(int fd)
{
	static const char msg[] =
		"{\"ok\":false,\"error\":\"too many clients\"}\n";

	if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* it cannot even take that: nothing more to do */
	}
	close(fd);
}

/* Only the server's owner and root may talk to it (base/usock.h). */
static bool ctl_peer_allowed(int fd)
{
	char msg[160];
	uid_t uid = (uid_t)-1;
	int ret = usock_peer_check(fd, &uid);

	if (ret == 0)
		return true;
	snprintf(msg, sizeof(msg), "{\"ok\":false,\"error\":\"permission "
		 "denied: uid %d is not this server's owner (uid %u) or "
		 "root\"}\n", uid == (uid_t)-1 ? -1 : (int)uid,
		 (unsigned)geteuid());
	log_guest_warn("refusing client of uid %d: %s",
		       uid == (uid_t)-1 ? -1 : (int)uid, strerror(-ret));
	if (send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* it cannot even take that: nothing more to do */
	}
	usock_hangup(fd);
	return false;
}

static void ctl_accept_one(struct ctl *ctl, int fd)
{
	struct ctl_client *c;
	unsigned i;

	if (!ctl_peer_allowed(fd))
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (!ctl->clients[i])
			break;
	if (i == CTL_MAX_CLIENTS) {
		log_guest_warn("refusing client: %d already connected",
			       CTL_MAX_CLIENTS);
		ctl_refuse(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	if (evloop_add_fd(ctl->loop, fd, POLLIN, ctl_client_event, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->events = POLLIN;
	ctl->clients[i] = c;
}

static void ctl_listen_event(void *opaque, int fd, uint32_t revents)
{
	struct ctl *ctl = opaque;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_guest_warn("accept: %s", strerror(errno));
			return;
		}
		ctl_accept_one(ctl, cfd);
	}
}

/* ---- server ---- */

struct ctl *ctl_create(struct evloop *loop, const char *path)
{
	struct ctl *ctl;
	char why[256];
	int err;

	if (!loop || !path || !*path) {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(ctl->path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return NULL;
	ctl->loop = loop;
	strcpy(ctl->path, path);

	/* 0600, and a stale socket of ours is the only file replaced. */
	ctl->listen_fd = usock_listen(path, SOCK_STREAM, CTL_MAX_CLIENTS, why,
				      sizeof(why));
	if (ctl->listen_fd < 0) {
		err = -ctl->listen_fd;
		log_err("%s", why);
		goto fail_free;
	}
	err = -evloop_add_fd(loop, ctl->listen_fd, POLLIN, ctl_listen_event,
			     ctl);
	if (err)
		goto fail_unlink;
	return ctl;

fail_unlink:
	unlink(path);
	close(ctl->listen_fd);
fail_free:
	free(ctl);
	errno = err;
	return NULL;
}

void ctl_destroy(struct ctl *ctl)
{
	struct ctl_cmd *cmd;
	unsigned i;

	if (!ctl)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (ctl->clients[i])
			ctl_client_drop(ctl->clients[i]);
	evloop_del_fd(ctl->loop, ctl->listen_fd);
	close(ctl->listen_fd);
	unlink(ctl->path);
	while ((cmd = ctl->cmds)) {
		ctl->cmds = cmd->next;
		free(cmd->name);
		free(cmd);
	}
	free(ctl);
}

int ctl_register(struct ctl *ctl, const char *name, ctl_cmd_fn fn,
		 void *opaque)
{
	struct ctl_cmd *cmd;

	if (!ctl || !name || !fn)
		return -EINVAL;
	if (ctl_cmd_find(ctl, name))
		return -EEXIST;
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd)
		return -ENOMEM;
	cmd->name = strdup(name);
	if (!cmd->name) {
		free(cmd);
		return -ENOMEM;
	}
	cmd->fn = fn;
	cmd->opaque = opaque;
	cmd->next = ctl->cmds;
	ctl->cmds = cmd;
	return 0;
}

/* ---- client helper ---- */

#define CTL_CALL_ANSWER_MAX	(64u << 20)

/* Wait for @events on @fd until @deadline (-1: none). 0 or -errno. */
static int ctl_wait(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int left = -1;
		int n;

		if (deadline >= 0) {
			int64_t d = deadline - (int64_t)clock_mono_ms();

			if (d <= 0)
				return -ETIMEDOUT;
			left = d > 60000 ? 60000 : (int)d;
		}
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int ctl_call_connect(int fd, const char *path, int64_t deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		/* A full backlog on a unix socket is EAGAIN: retry. */
		if (errno != EAGAIN)
			return -errno;
		if (deadline >= 0 && (int64_t)clock_mono_ms() >= deadline)
			return -ETIMEDOUT;
		poll(NULL, 0, 5);
	}
}

static int ctl_call_send(int fd, const char *buf, size_t len,
			 int64_t deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		int ret;

		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = ctl_wait(fd, POLLOUT, deadline);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Read up to the first newline; returns the parsed object or -errno. */
static int ctl_call_recv(int fd, int64_t deadline, json_t **out)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	char *nl = NULL;
	int ret = 0;

	while (!nl) {
		ssize_t n;

		if (len == cap) {
			char *grown;

			if (cap >= CTL_CALL_ANSWER_MAX) {
				ret = -EMSGSIZE;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			grown = realloc(buf, cap);
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			buf = grown;
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n > 0) {
			nl = memchr(buf + len, '\n', (size_t)n);
			len += (size_t)n;
			continue;
		}
		if (n == 0) {
			ret = -ECONNRESET;	/* hung up without an answer */
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			ret = -errno;
			break;
		}
		ret = ctl_wait(fd, POLLIN, deadline);
		if (ret < 0)
			break;
	}
	if (nl) {
		*out = json_loadb(buf, (size_t)(nl - buf), 0, NULL);
		if (!json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
			ret = -EBADMSG;
		}
	}
	free(buf);
	return ret;
}

json_t *ctl_call(const char *path, json_t *req, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1
					  : (int64_t)clock_mono_ms() + timeout_ms;
	json_t *answer = NULL;
	char *text = NULL;
	size_t len;
	int fd, ret;

	if (!path || !json_is_object(req)) {
		errno = EINVAL;
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	ret = ctl_call_connect(fd, path, deadline);
	if (ret < 0)
		goto out;
	text = json_dumps(req, JSON_COMPACT);
	if (!text) {
		ret = -ENOMEM;
		goto out;
	}
	/* The NUL becomes the line's newline. */
	len = strlen(text);
	text[len] = '\n';
	ret = ctl_call_send(fd, text, len + 1, deadline);
	if (ret < 0)
		goto out;
	ret = ctl_call_recv(fd, deadline, &answer);
out:
	free(text);
	close(fd);
	if (ret < 0) {
		errno = -ret;
		return NULL;
	}
	return answer;
}
