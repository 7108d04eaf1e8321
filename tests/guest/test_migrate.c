// SPDX-License-Identifier: MIT
/*
 * Live migration between two iopath-vmm processes on this machine over
 * TCP on 127.0.0.1 (vmm/vmm_migrate.h):
 *
 *  - a running guest moves and finishes on the destination: the selftest
 *    with the test device (MSI and MSI-X interrupts counted one by one
 *    across the move, timers), 2 vCPUs; and pktgen on an emulated 21140
 *    with no switch (its descriptor engine busy, guest memory written
 *    all the time, by the guest and by the NIC's DMA);
 *  - the destination killed mid-stream: the source runs on and the guest
 *    finishes there;
 *  - a corrupt stream (a byte flipped on the way): the destination
 *    refuses it and never runs the guest, the source says why and runs
 *    on;
 *  - a cancelled migration: the same, by request; and one that takes
 *    longer than its max_s;
 *  - auto-converge: a guest that keeps writing, a slow link and a tiny
 *    budget: the guest is throttled, and status says so.
 *
 * The stream goes through a relay thread in this test, so it can be
 * slowed down (to kill or cancel mid-stream) and damaged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "base/clock.h"
#include "core/ctl.h"
#include "tests/guest/guest_run.h"

static char tmpdir[] = "/tmp/iopath-migrate-XXXXXX";
/* Each run's files get their own names. */
static unsigned run_no;
/* Every VMM started, so a failed test leaves none behind. */
static pid_t started[64];
static unsigned nstarted;

/* ---- processes ---- */

struct vm {
	const char *name;
	pid_t pid;
	char con[256], log[256], ctl[256], stats[256];
};

/* Start iopath-vmm with @args (NULL-terminated) plus our files. */
static void vm_start(struct vm *v, const char *name, const char *const *args)
{
	const char *argv[48];
	unsigned n = 0;

	v->name = name;
	snprintf(v->con, sizeof(v->con), "%s/%s%u.con", tmpdir, name, run_no);
	snprintf(v->log, sizeof(v->log), "%s/%s%u.log", tmpdir, name, run_no);
	snprintf(v->ctl, sizeof(v->ctl), "%s/%s%u.sock", tmpdir, name,
		 run_no);
	snprintf(v->stats, sizeof(v->stats), "%s/%s%u.json", tmpdir, name,
		 run_no);
	argv[n++] = guest_vmm_path();
	argv[n++] = "--name";
	argv[n++] = name;
	argv[n++] = "--quiet";
	argv[n++] = "--no-huge";
	argv[n++] = "--console";
	argv[n++] = v->con;
	argv[n++] = "--log";
	argv[n++] = v->log;
	argv[n++] = "--ctl";
	argv[n++] = v->ctl;
	argv[n++] = "--stats";
	argv[n++] = v->stats;
	while (*args && n < 47)
		argv[n++] = *args++;
	argv[n] = NULL;
	v->pid = fork();
	assert_true(v->pid >= 0);
	if (v->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (nstarted < 64)
		started[nstarted++] = v->pid;
}

/* Kill and reap what a failed test left running. */
static int reap_all(void **state)
{
	for (unsigned i = 0; i < nstarted; i++)
		if (waitpid(started[i], NULL, WNOHANG) == 0) {
			kill(started[i], SIGKILL);
			waitpid(started[i], NULL, 0);
		}
	nstarted = 0;
	return 0;
}

/* Its exit status (128 + signal if killed); kills it after @timeout_s. */
static int vm_wait(struct vm *v, int timeout_s)
{
	uint64_t end = clock_mono_ms() + 1000ull * timeout_s;
	int st;

	for (;;) {
		pid_t r = waitpid(v->pid, &st, WNOHANG);

		if (r == v->pid)
			break;
		if (clock_mono_ms() > end) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, &st, 0);
			fprintf(stderr, "%s: timed out\n", v->name);
			return -1;
		}
		usleep(20000);
	}
	v->pid = 0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static bool file_has(const char *path, const char *needle)
{
	char *s = slurp(path);
	bool yes = strstr(s, needle) != NULL;

	free(s);
	return yes;
}

static void dump(const struct vm *v)
{
	char *s = slurp(v->log);

	fprintf(stderr, "--- %s log:\n%s", v->name, s);
	free(s);
	s = slurp(v->con);
	fprintf(stderr, "--- %s console:\n%.3000s\n", v->name, s);
	free(s);
}

/* Wait up to @ms for @needle in @path. */
static bool wait_for(const char *path, const char *needle, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (file_has(path, needle))
			return true;
		usleep(20000);
	}
	return file_has(path, needle);
}

static json_t *ctl(const struct vm *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static json_t *ctl(const struct vm *v, const char *fmt, ...)
{
	char line[512];
	json_t *req, *resp;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	req = json_loads(line, 0, NULL);
	assert_non_null(req);
	resp = ctl_call(v->ctl, req, 5000);
	if (!resp)
		fprintf(stderr, "%s: %s: %s\n", v->ctl, line, strerror(errno));
	json_decref(req);
	return resp;
}

/* The migration's state word, or "" if the VM does not answer. */
static void mig_state(const struct vm *v, char *state, size_t len,
		      char *err, size_t elen)
{
	json_t *r = ctl(v, "{\"cmd\":\"migrate-status\"}");
	json_t *m = r ? json_object_get(r, "migration") : NULL;

	snprintf(state, len, "%s", m ? json_string_value(
		json_object_get(m, "state")) : "");
	if (err)
		snprintf(err, elen, "%s", m && json_object_get(m, "error")
			 ? json_string_value(json_object_get(m, "error"))
			 : "");
	json_decref(r);
}

/* A TCP port that was free a moment ago. */
static int free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* ---- the relay between source and destination ---- */

struct relay {
	int lfd;
	int port;		/* the source connects here */
	int dst_port;		/* and we to the destination here */
	size_t rate;		/* bytes/s source -> destination, 0: any */
	long corrupt_at;	/* flip this byte of the stream, -1: none */
	size_t forwarded;	/* source -> destination so far */
	pthread_t thread;
};

static int relay_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 200; i++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		usleep(20000);
	}
	close(fd);
	return -1;
}

static bool relay_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void *relay_thread(void *arg)
{
	struct relay *r = arg;
	static uint8_t buf[16384];
	int src = accept(r->lfd, NULL, NULL), dst;
	uint64_t t0 = clock_mono_ms();

	if (src < 0)
		return NULL;
	dst = relay_connect(r->dst_port);
	if (dst < 0) {
		close(src);
		return NULL;
	}
	for (;;) {
		struct pollfd p[2] = { { src, POLLIN, 0 }, { dst, POLLIN, 0 } };
		size_t chunk = r->rate ? 4096 : sizeof(buf);
		ssize_t n;

		if (poll(p, 2, 1000) < 0)
			break;
		if (p[1].revents) {
			/* The destination's answer, or its end. */
			n = read(dst, buf, sizeof(buf));
			if (n <= 0 || !relay_write(src, buf, (size_t)n))
				break;
		}
		if (!p[0].revents)
			continue;
		n = read(src, buf, chunk);
		if (n <= 0)
			break;
		if (r->corrupt_at >= 0 &&
		    (size_t)r->corrupt_at >= r->forwarded &&
		    (size_t)r->corrupt_at < r->forwarded + (size_t)n)
			buf[r->corrupt_at - (long)r->forwarded] ^= 0x40;
		if (!relay_write(dst, buf, (size_t)n))
			break;
		r->forwarded += (size_t)n;
		if (r->rate) {
			uint64_t due = t0 + r->forwarded * 1000 / r->rate;

			while (clock_mono_ms() < due)
				usleep(1000);
		}
	}
	/* One end went: the other learns it the way TCP tells it. */
	close(src);
	close(dst);
	return NULL;
}

static void relay_start(struct relay *r, int dst_port, size_t rate,
			long corrupt_at)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	memset(r, 0, sizeof(*r));
	r->dst_port = dst_port;
	r->rate = rate;
	r->corrupt_at = corrupt_at;
	r->lfd = socket(AF_INET, SOCK_STREAM, 0);
	/*
	 * A slow link holds little in flight: with an autotuned receive
	 * buffer here, megabytes of a slowed stream would sit in this
	 * socket, and the source, seeing its own queue empty, would switch
	 * over at once and wait paused for the trickle.
	 */
	if (rate)
		setsockopt(r->lfd, SOL_SOCKET, SO_RCVBUF, &(int){ 16384 },
			   sizeof(int));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(r->lfd, 1), 0);
	getsockname(r->lfd, (struct sockaddr *)&sa, &sl);
	r->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&r->thread, NULL, relay_thread, r), 0);
}

static void relay_stop(struct relay *r)
{
	shutdown(r->lfd, SHUT_RDWR);
	close(r->lfd);
	pthread_join(r->thread, NULL);
}

/* ---- the runs ---- */

/* Both VMs' options but the image and the command line. */
struct setup {
	const char *const *opts;	/* --mem ... --device ... */
	const char *append;
	const char *image;
	const char *running;		/* console text once it runs */
};

static void start_pair(const struct setup *s, struct vm *src, struct vm *dst,
		       int port)
{
	const char *a[24], *b[24];
	char incoming[64];
	unsigned n = 0, m = 0;

	for (const char *const *o = s->opts; *o; o++) {
		a[n++] = *o;
		b[m++] = *o;
	}
	a[n++] = "--append";
	a[n++] = s->append;
	a[n++] = guest_image_path(s->image);
	a[n] = NULL;
	snprintf(incoming, sizeof(incoming), "tcp:127.0.0.1:%d", port);
	run_no++;
	b[m++] = "--incoming";
	b[m++] = incoming;
	b[m] = NULL;
	vm_start(dst, "dst", b);
	vm_start(src, "src", a);
	if (!wait_for(src->con, s->running, 20000)) {
		dump(src);
		fail_msg("the source guest never ran");
	}
	/* The destination listens before the source is told to go. */
	assert_true(wait_for(dst->log, "waiting for a migration", 10000));
}

static void migrate(const struct vm *src, int port, const char *extra)
{
	json_t *r = ctl(src, "{\"cmd\":\"migrate\",\"to\":\"tcp:127.0.0.1:%d\""
			"%s}", port, extra ? extra : "");

	assert_non_null(r);
	if (!json_is_true(json_object_get(r, "ok"))) {
		fprintf(stderr, "%s\n", json_dumps(r, 0));
		fail_msg("migrate refused");
	}
	json_decref(r);
}

/* Until the source's migration has ended: its state word. */
static void wait_failed(const struct vm *src, const char *want, char *err,
			size_t elen)
{
	char state[32] = "";

	for (int i = 0; i < 1500; i++) {
		mig_state(src, state, sizeof(state), err, elen);
		if (!strcmp(state, "failed") || !strcmp(state, "cancelled") ||
		    !strcmp(state, "completed") || !state[0])
			break;
		usleep(20000);
	}
	if (strcmp(state, want)) {
		dump(src);
		fail_msg("migration state %s, expected %s", state, want);
	}
}

static const char *const selftest_opts[] = {
	"--mem", "64M", "--cpus", "2", "--device", "testdev", NULL,
};
static const struct setup selftest = {
	.opts = selftest_opts,
	/* ~2-4 s of MSI round trips, each counted on both sides. */
	.append = "app=selftest test=timer,msi,sleep,msix msi_rounds=5000",
	.image = "selftest",
	.running = "\"name\":\"timer\"",
};

/* The same, longer: it must outlive a migration that gives up. */
static const struct setup selftest_long = {
	.opts = selftest_opts,
	.append = "app=selftest test=msi msi_rounds=15000",
	.image = "selftest",
	.running = "\"event\":\"boot\"",
};

static const char *const pktgen_opts[] = {
	"--mem", "64M", "--nic", "emu,mac=02:69:00:00:00:01,switch=none",
	NULL,
};
static const struct setup pktgen = {
	.opts = pktgen_opts,
	/* To the broadcast address: no ARP, every frame goes out (to no
	 * switch) through the descriptor rings. */
	.append = "app=pktgen dst=10.0.0.255 ip=10.0.0.1/24 rate=20000 "
		  "count=60000",
	.image = "net",
	.running = "\"event\":\"init\"",
};

/*
 * The selftest's records on @path pass, but for MSIs lost when a vCPU is
 * paused: this KVM drops one now and then when a vCPU is kicked out of
 * KVM_RUN while MSIs fly, migration or not (ctl pause/resume every 40 ms
 * under "test=msi msi_rounds=8000" loses about 8 of 16000 on the code
 * before migration existed too). Up to 2 are let pass, and said so.
 */
static bool selftest_passed(const char *path)
{
	char *text = slurp(path), *line = text, *next;
	bool ok = strstr(text, "\"event\":\"done\"") != NULL;

	for (; ok && line && *line; line = next) {
		json_t *j;
		long lost;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		j = json_loads(line, 0, NULL);
		if (!j || strcmp(json_string_value(json_object_get(j, "event"))
				 ?: "", "test") ||
		    json_is_true(json_object_get(j, "ok"))) {
			json_decref(j);
			continue;
		}
		lost = (long)json_integer_value(json_object_get(j, "raised")) -
		       (long)json_integer_value(json_object_get(j,
								"delivered"));
		ok = !strcmp(json_string_value(json_object_get(j, "name")),
			     "msi") && lost > 0 && lost <= 2;
		if (ok)
			fprintf(stderr, "known KVM issue: %ld MSI(s) lost "
				"where a vCPU was paused\n", lost);
		json_decref(j);
	}
	free(text);
	return ok;
}

/* Source and destination exit codes, after a migration mid-run. */
static void migrate_and_wait(const struct setup *s, struct vm *src,
			     struct vm *dst, int *sst, int *dstst)
{
	int port = free_port();

	start_pair(s, src, dst, port);
	migrate(src, port, NULL);
	*sst = vm_wait(src, 60);
	*dstst = vm_wait(dst, 60);
}

/* What every move must show: it left the source, it was not rebooted. */
static void moved(struct vm *src, struct vm *dst)
{
	assert_true(file_has(src->stats, "migrated to tcp:127.0.0.1"));
	assert_false(file_has(src->con, "\"event\":\"done\""));
	assert_false(file_has(dst->con, "\"event\":\"boot\""));
	assert_true(file_has(dst->con, "\"event\":\"done\""));
	assert_true(file_has(src->log, "migrated to"));
}

static void test_selftest_moves(void **state)
{
	struct vm src, dst;
	int sst, dstst;

	migrate_and_wait(&selftest, &src, &dst, &sst, &dstst);
	/* Every interrupt raised was delivered, across the move (but see
	 * selftest_passed). */
	if (sst != 0 || (dstst != 0 && dstst != 1) ||
	    !selftest_passed(dst.con)) {
		dump(&src);
		dump(&dst);
		fail_msg("source %d, destination %d", sst, dstst);
	}
	moved(&src, &dst);
}

static void test_pktgen_moves(void **state)
{
	struct vm src, dst;
	int sst, dstst;

	migrate_and_wait(&pktgen, &src, &dst, &sst, &dstst);
	if (sst != 0 || dstst != 0 ||
	    !file_has(dst.con, "\"tx_packets\":60000")) {
		dump(&src);
		dump(&dst);
		fail_msg("source %d, destination %d", sst, dstst);
	}
	moved(&src, &dst);
}

/* The source goes on after a failure and its guest finishes there. */
static void source_finishes(struct vm *src, bool is_selftest)
{
	int st = vm_wait(src, 60);

	/* A selftest may have lost an MSI to a pause: see selftest_passed. */
	if (is_selftest && st == 1 && selftest_passed(src->con))
		st = 0;
	if (st != 0 || !file_has(src->con, "\"event\":\"done\"")) {
		dump(src);
		fail_msg("the source did not finish its guest (%d)", st);
	}
	assert_false(file_has(src->stats, "migrated"));
}

/*
 * The pktgen guest migrating through a relay that passes @rate bytes/s,
 * with @extra in the command; returns once @after bytes went through.
 */
static void slow_migration(struct vm *src, struct vm *dst, struct relay *r,
			   size_t rate, size_t after, const char *extra)
{
	int port = free_port();

	start_pair(&pktgen, src, dst, port);
	relay_start(r, port, rate, -1);
	migrate(src, r->port, extra);
	while (r->forwarded < after)
		usleep(10000);
}

static void test_destination_killed(void **state)
{
	struct vm src, dst;
	struct relay r;
	char err[256];

	/* 500 KB/s: round 1 alone takes about a second. */
	slow_migration(&src, &dst, &r, 500 * 1000, 200 * 1000, NULL);
	kill(dst.pid, SIGKILL);
	assert_int_equal(vm_wait(&dst, 10), 128 + SIGKILL);
	wait_failed(&src, "failed", err, sizeof(err));
	fprintf(stderr, "source says: %s\n", err);
	assert_non_null(strstr(err, "the destination went away"));
	relay_stop(&r);
	source_finishes(&src, false);
	assert_true(file_has(src.con, "\"tx_packets\":60000"));
}

static void test_out_of_time(void **state)
{
	struct vm src, dst;
	struct relay r;
	char err[256];

	slow_migration(&src, &dst, &r, 300 * 1000, 10 * 1000,
		       ",\"max_s\":1");
	wait_failed(&src, "failed", err, sizeof(err));
	fprintf(stderr, "source says: %s\n", err);
	assert_non_null(strstr(err, "within 1 s"));
	assert_int_equal(vm_wait(&dst, 40), 1);
	assert_false(file_has(dst.con, "event"));
	relay_stop(&r);
	source_finishes(&src, false);
}

static void test_corrupt_stream_refused(void **state)
{
	struct vm src, dst;
	struct relay r;
	char err[256];
	int port = free_port(), st;

	start_pair(&selftest, &src, &dst, port);
	/* Past the header, among the first RAM sections. */
	relay_start(&r, port, 0, 20000);
	migrate(&src, r.port, NULL);
	wait_failed(&src, "failed", err, sizeof(err));
	fprintf(stderr, "source says: %s\n", err);
	assert_non_null(strstr(err, "the destination refused the VM"));
	st = vm_wait(&dst, 10);
	assert_int_equal(st, 1);
	assert_true(file_has(dst.log, "incoming migration refused"));
	/* It never ran the guest: nothing on its console. */
	assert_false(file_has(dst.con, "event"));
	relay_stop(&r);
	source_finishes(&src, true);
}

/*
 * Through a slow link a guest that keeps writing never fits a 1 ms
 * budget: auto-converge holds it a growing share of the time, says so,
 * and max_s ends the attempt; the guest (whose MSIs are counted one by
 * one) finishes on the source, released.
 */
static void test_auto_converge(void **state)
{
	struct vm src, dst;
	struct relay r;
	json_t *st, *m;
	char err[256], state_word[32] = "";
	int port = free_port(), pct = 0;

	start_pair(&selftest_long, &src, &dst, port);
	relay_start(&r, port, 300 * 1000, -1);
	migrate(&src, r.port, ",\"downtime_ms\":1,\"max_s\":2");
	for (int i = 0; i < 400 && strcmp(state_word, "failed"); i++) {
		st = ctl(&src, "{\"cmd\":\"migrate-status\"}");
		m = st ? json_object_get(st, "migration") : NULL;
		if (m) {
			int p = (int)json_integer_value(
				json_object_get(m, "throttle_pct"));

			pct = p > pct ? p : pct;
			snprintf(state_word, sizeof(state_word), "%s",
				 json_string_value(json_object_get(m,
								   "state")));
			snprintf(err, sizeof(err), "%s", json_object_get(
				m, "error") ? json_string_value(json_object_get(
				m, "error")) : "");
		}
		json_decref(st);
		usleep(25000);
	}
	fprintf(stderr, "source says: %s (throttle reached %d%%)\n", err,
		pct);
	assert_string_equal(state_word, "failed");
	assert_true(pct >= 20);
	assert_non_null(strstr(err, "within 2 s"));
	assert_int_equal(vm_wait(&dst, 40), 1);
	relay_stop(&r);
	source_finishes(&src, true);
	assert_true(file_has(src.log, "auto-converge holds the guest"));
}

static void test_cancel(void **state)
{
	struct vm src, dst;
	struct relay r;
	char err[256];

	slow_migration(&src, &dst, &r, 300 * 1000, 50 * 1000,
		       ",\"downtime_ms\":5,\"max_s\":30");
	json_decref(ctl(&src, "{\"cmd\":\"migrate-cancel\"}"));
	wait_failed(&src, "cancelled", err, sizeof(err));
	/* The destination saw its stream end early: refused, not run. */
	assert_int_equal(vm_wait(&dst, 40), 1);
	assert_false(file_has(dst.con, "event"));
	relay_stop(&r);
	source_finishes(&src, false);
}

static int setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	return guest_tmpdir_create(tmpdir);
}

static int teardown(void **state)
{
	return guest_tmpdir_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_teardown(fn, reap_all)
		T(test_selftest_moves),
		T(test_pktgen_moves),
		T(test_destination_killed),
		T(test_corrupt_stream_refused),
		T(test_cancel),
		T(test_out_of_time),
		T(test_auto_converge),
#undef T
	};

	guest_require_kvm();
	return cmocka_run_group_tests(tests, setup, teardown);
}
