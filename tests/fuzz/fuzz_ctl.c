// SPDX-License-Identifier: MIT
/*
 * The VMM's control socket as a client sends it anything: the real
 * server (core/ctl.c) on a unix socket, on its event loop in a thread,
 * serving the VMM's command table (vmm/vmm_ctl.c) over a fake VM whose
 * pause/resume/stats/register reads only record (no KVM), plus an echo
 * command that sends back what it was given.
 *
 * Input: [mode] then the bytes the client sends, cut into writes of a
 * size the mode picks (so lines arrive split and joined every way), then
 * the client shuts its side. Mode 0xff sends one line over CTL_LINE_MAX
 * first. Checked: every answer is one line of JSON, an object with a
 * boolean "ok" and, when false, an "error" string; the server answers
 * every request line exactly once (a line is what ends in '\n', less a
 * '\r'; empty ones are skipped; a last line without '\n' counts), or,
 * after the oversized line, drops the client; it never stalls (10 s).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "core/ctl.h"
#include "core/evloop.h"
#include "core/vmm.h"
#include "cpu/vcpu_state.h"
#include "tests/fuzz/fuzz.h"
#include "vmm/vmm_ctl.h"

#define FZ_TIMEOUT_MS	10000
#define FZ_ANSWER_MAX	(1u << 20)

static struct {
	char dir[64];
	char path[128];
	struct vmm vmm;
	pthread_t thread;
	bool ready;
} fz;

/* Say which check failed: the crash file alone does not. */
static void fz_fail(const char *why)
{
	fprintf(stderr, "fuzz_ctl: %s\n", why);
	abort();
}

/* ---- the fake VM behind the commands ---- */

void vmm_pause(struct vmm *vmm)
{
	atomic_store(&vmm->paused, true);
}

void vmm_resume(struct vmm *vmm)
{
	atomic_store(&vmm->paused, false);
}

json_t *vmm_exit_stats(struct vmm *vmm)
{
	return json_pack("{s:{s:i},s:[]}", "userspace", "io", 1, "vcpus");
}

/* vCPU 1 cannot be read: the error path of "regs" runs too. */
int vcpu_state_save(struct kvm_vcpu *vcpu, struct vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	return vcpu ? -EIO : 0;
}

static int fz_echo(void *opaque, json_t *req, json_t *resp)
{
	json_t *arg = json_object_get(req, "arg");

	json_object_set(resp, "arg", arg ? arg : json_null());
	return 0;
}

static void *fz_loop(void *opaque)
{
	evloop_run(fz.vmm.loop);
	return NULL;
}

static void fz_stop(void)
{
	evloop_stop(fz.vmm.loop);
	pthread_join(fz.thread, NULL);
	ctl_destroy(fz.vmm.ctl);
	evloop_destroy(fz.vmm.loop);
	rmdir(fz.dir);
}

static void fz_start(void)
{
	log_set_level(LOG_LEVEL_ERR);
	strcpy(fz.dir, "/tmp/iopath-fuzz-ctl-XXXXXX");
	if (!mkdtemp(fz.dir))
		abort();
	snprintf(fz.path, sizeof(fz.path), "%s/ctl.sock", fz.dir);
	strcpy(fz.vmm.name, "fuzz");
	fz.vmm.ncpus = 2;
	/* Never dereferenced: the fake vcpu_state_save() fails on it. */
	fz.vmm.vcpus[1] = (struct kvm_vcpu *)&fz;
	fz.vmm.loop = evloop_create();
	if (!fz.vmm.loop || vmm_ctl_start(&fz.vmm, fz.path) ||
	    ctl_register(fz.vmm.ctl, "echo", fz_echo, NULL) ||
	    pthread_create(&fz.thread, NULL, fz_loop, NULL))
		abort();
	atexit(fz_stop);
	fz.ready = true;
}

/* ---- the client ---- */

/* Answers the server owes for @data (see the header comment). */
static unsigned fz_expected(const uint8_t *data, size_t size)
{
	unsigned n = 0;
	size_t start = 0;

	for (size_t i = 0; i < size; i++) {
		size_t len;

		if (data[i] != '\n')
			continue;
		len = i - start;
		if (len && data[i - 1] == '\r')
			len--;
		n += len > 0;
		start = i + 1;
	}
	return n + (start < size);
}

static void fz_check_answers(char *buf, size_t len, unsigned *count)
{
	char *line = buf, *nl;

	while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
		json_error_t jerr;
		json_t *a = json_loadb(line, (size_t)(nl - line), 0, &jerr);
		json_t *ok = json_object_get(a, "ok");

		if (!json_is_object(a) || !json_is_boolean(ok) ||
		    (json_is_false(ok) &&
		     !json_is_string(json_object_get(a, "error"))))
			fz_fail("an answer that is not a JSON answer");
		json_decref(a);
		(*count)++;
		line = nl + 1;
	}
	if (line != buf + len)
		fz_fail("half an answer line, then EOF");
}

static int fz_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, fz.path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    fcntl(fd, F_SETFL, O_NONBLOCK))
		abort();
	return fd;
}

/* Send @out in @chunk-byte writes while reading the answers. */
static size_t fz_talk(int fd, const uint8_t *out, size_t len, size_t chunk,
		      char *in, size_t cap)
{
	size_t sent = 0, got = 0;
	bool shut = false;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (sent == len && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		if (!shut)
			p.events |= POLLOUT;
		if (poll(&p, 1, FZ_TIMEOUT_MS) != 1)
			fz_fail("the server stalled for 10 s");
		if (p.revents & POLLOUT) {
			size_t k = len - sent < chunk ? len - sent : chunk;

			n = send(fd, out + sent, k, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				sent = len;	/* dropped: stop sending */
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(fd, in + got, cap - got, 0);
			if (n == 0 || (n < 0 && errno != EAGAIN))
				return got;
			if (n > 0)
				got += (size_t)n;
			if (got == cap)
				fz_fail("far more answers than requests");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 16, 100, 4096, 1 << 20 };
	static char answers[FZ_ANSWER_MAX];
	uint8_t *out;
	size_t len, pre = 0, got;
	unsigned count = 0, want;
	int fd;

	if (!fz.ready)
		fz_start();
	if (size < 1)
		return 0;
	if (data[0] == 0xff)
		pre = CTL_LINE_MAX + 2;
	len = pre + size - 1;
	out = malloc(len ? len : 1);
	if (!out)
		abort();
	memset(out, 'a', pre);
	if (pre)
		out[pre - 1] = '\n';
	memcpy(out + pre, data + 1, size - 1);
	want = fz_expected(data + 1, size - 1);

	fd = fz_connect();
	got = fz_talk(fd, out, len, chunks[data[0] % 8], answers,
		      sizeof(answers));
	close(fd);
	fz_check_answers(answers, got, &count);
	/* After a line that is too long: its error, and the client goes. */
	if (pre ? count != 1 : count != want) {
		fprintf(stderr, "fuzz_ctl: %u answers, %u owed\n", count,
			pre ? 1 : want);
		fz_fail("answers and requests do not match");
	}
	free(out);
	return 0;
}

/* ---- seeds: tests/fuzz/corpus/fuzz_ctl/ (text, one file each) ---- */

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	*out = NULL;
	return 0;
}
