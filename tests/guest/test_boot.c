// SPDX-License-Identifier: MIT
/*
 * Boot the guest programs under KVM with iopath-vmm and check what they
 * report: hello and selftest on 1 and 2 vCPUs, an unhandled fault, garbage
 * on the PCI configuration ports, exit counts, and the control socket.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/ctl.h"
#include "tests/guest/guest_run.h"

static char tmpdir[] = "/tmp/iopath-boot-XXXXXX";

static void run_ok(const char *const *argv, struct guest_result *r,
		   int status)
{
	assert_int_equal(guest_run(argv, 120, r), 0);
	if (r->status != status) {
		fprintf(stderr, "expected exit status %d\n", status);
		guest_result_dump(r);
		fail();
	}
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

static json_int_t num(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* The PCI function with @vendor:@device in hello's report, or NULL. */
static json_t *find_pci(const struct guest_result *r, const char *vendor,
			const char *device)
{
	json_t *e;
	unsigned i;

	for (i = 0; (e = guest_event(r, "pci", i)); i++)
		if (!strcmp(str(e, "vendor"), vendor) &&
		    !strcmp(str(e, "device"), device))
			return e;
	return NULL;
}

static void check_hello(unsigned ncpus)
{
	char cpus[8], stats[256];
	const char *args[] = { guest_vmm_path(), "--cpus", cpus, "--device",
			       "testdev", "--stats", stats, "--append",
			       "app=hello", guest_image_path("hello"), NULL };
	struct guest_result r;
	json_t *boot, *done, *td, *st, *err;
	json_error_t jerr;

	snprintf(cpus, sizeof(cpus), "%u", ncpus);
	snprintf(stats, sizeof(stats), "%s/hello-%u.json", tmpdir, ncpus);
	run_ok(args, &r, 0);

	boot = guest_event(&r, "boot", 0);
	assert_non_null(boot);
	assert_string_equal(str(boot, "loader"), "iopath");
	assert_int_equal(num(boot, "ncpus"), ncpus);
	assert_true(num(boot, "tsc_khz") > 0);
	assert_string_equal(str(boot, "cmdline"), "app=hello");
	/* The host bridge, and the test device with both MSI kinds. */
	assert_non_null(find_pci(&r, "0x8086", "0x1237"));
	td = find_pci(&r, "0x6970", "0x7e57");
	assert_non_null(td);
	assert_true(json_is_true(json_object_get(td, "msi")));
	assert_true(json_is_true(json_object_get(td, "msix")));
	assert_int_equal(json_array_size(json_object_get(td, "bars")), 2);
	done = guest_event(&r, "done", 0);
	assert_non_null(done);
	assert_true(json_is_true(json_object_get(done, "ok")));
	assert_int_equal(num(done, "pci_functions"), 2);

	/* Exit counts at exit: PCI enumeration is port I/O, so io > 0. */
	st = json_load_file(stats, 0, &jerr);
	assert_non_null(st);
	assert_int_equal(num(st, "exit_code"), 0);
	assert_true(num(json_object_get(st, "userspace"), "io") > 0);
	assert_int_equal(json_array_size(json_object_get(st, "vcpus")), ncpus);
	err = json_object_get(st, "kvm");
	assert_true(json_is_object(err));
	json_decref(st);
	guest_result_free(&r);
}

static void test_hello_1cpu(void **state)
{
	check_hello(1);
}

static void test_hello_2cpu(void **state)
{
	check_hello(2);
}

static json_t *find_test(const struct guest_result *r, const char *name)
{
	json_t *e;
	unsigned i;

	for (i = 0; (e = guest_event(r, "test", i)); i++)
		if (!strcmp(str(e, "name"), name))
			return e;
	return NULL;
}

static void check_selftest(unsigned ncpus)
{
	char cpus[8];
	const char *args[] = { guest_vmm_path(), "--cpus", cpus, "--device",
			       "testdev", "--append", "app=selftest",
			       guest_image_path("selftest"), NULL };
	static const char *const must_pass[] = {
		"timer", "sleep", "exceptions", "msi", "msix", "smp",
	};
	struct guest_result r;
	json_t *sum, *t;
	unsigned i;

	snprintf(cpus, sizeof(cpus), "%u", ncpus);
	run_ok(args, &r, 0);
	for (i = 0; i < sizeof(must_pass) / sizeof(must_pass[0]); i++) {
		t = find_test(&r, must_pass[i]);
		if (!t || !json_is_true(json_object_get(t, "ok"))) {
			fprintf(stderr, "subtest %s missing or failed\n",
				must_pass[i]);
			guest_result_dump(&r);
			fail();
		}
	}
	/* Only smp may be skipped, and only on one vCPU. */
	t = find_test(&r, "smp");
	assert_int_equal(json_is_true(json_object_get(t, "skipped")),
			 ncpus == 1);
	assert_false(json_is_true(json_object_get(find_test(&r, "msix"),
						  "skipped")));
	sum = guest_event(&r, "summary", 0);
	assert_non_null(sum);
	assert_int_equal(num(sum, "failed"), 0);
	assert_int_equal(num(sum, "skipped"), ncpus == 1 ? 1 : 0);
	guest_result_free(&r);
}

static void test_selftest_1cpu(void **state)
{
	check_selftest(1);
}

static void test_selftest_2cpu(void **state)
{
	check_selftest(2);
}

/* An unarmed page fault: the guest kernel reports it and exits 3. */
static void test_unhandled_fault(void **state)
{
	const char *args[] = { guest_vmm_path(), "--append",
			       "app=selftest fault=pf",
			       guest_image_path("selftest"), NULL };
	struct guest_result r;
	json_t *f;

	run_ok(args, &r, 3);
	f = guest_event(&r, "fault", 0);
	assert_non_null(f);
	assert_int_equal(num(f, "vector"), 14);
	assert_string_equal(str(f, "name"), "#PF");
	assert_int_equal(num(f, "cpl"), 3);
	assert_true(strlen(str(f, "rip")) > 2);
	guest_result_free(&r);
}

/* Garbage on 0xCF8-0xCFF must not hurt the VMM; PCI still enumerates. */
static void test_pci_config_garbage(void **state)
{
	const char *args[] = { guest_vmm_path(), "--device", "testdev",
			       "--append", "app=selftest test=pcifuzz",
			       guest_image_path("selftest"), NULL };
	struct guest_result r;
	json_t *t;

	run_ok(args, &r, 0);
	t = find_test(&r, "pcifuzz");
	assert_non_null(t);
	assert_true(json_is_true(json_object_get(t, "ok")));
	assert_null(strstr(r.err, "Sanitizer"));
	guest_result_free(&r);
}

static json_t *call(const char *sock, const char *cmd)
{
	json_t *req = json_pack("{s:s}", "cmd", cmd), *resp;
	int i;

	/* The socket appears once the VM is built. */
	for (i = 0; i < 100; i++) {
		resp = ctl_call(sock, req, 5000);
		if (resp || errno != ENOENT)
			break;
		usleep(20000);
	}
	json_decref(req);
	return resp;
}

/* status, stats, pause, resume and quit on a running VM's socket. */
static void test_control_socket(void **state)
{
	char sock[256];
	const char *args[] = { guest_vmm_path(), "--quiet", "--ctl", sock,
			       "--append", "app=hello wait_ms=60000",
			       guest_image_path("hello"), NULL };
	json_t *resp, *io, *regs;
	unsigned long long rip;
	int wstatus;
	pid_t pid;

	snprintf(sock, sizeof(sock), "%s/vm.sock", tmpdir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	resp = call(sock, "status");
	assert_non_null(resp);
	assert_true(json_is_true(json_object_get(resp, "ok")));
	assert_string_equal(str(resp, "state"), "running");
	assert_int_equal(num(resp, "vcpus"), 1);
	json_decref(resp);

	resp = call(sock, "stats");
	assert_non_null(resp);
	io = json_object_get(json_object_get(json_object_get(resp, "exits"),
					     "userspace"), "io");
	assert_true(json_is_integer(io));
	json_decref(resp);

	/* Registers: the vCPU is in the image (CPL3) or the kernel (CPL0). */
	resp = call(sock, "regs");
	assert_true(json_is_true(json_object_get(resp, "ok")));
	regs = json_array_get(json_object_get(resp, "vcpus"), 0);
	assert_non_null(regs);
	rip = strtoull(str(regs, "rip"), NULL, 16);
	assert_true(rip >= 0x100000 && rip < 0x200000);
	assert_string_equal(str(regs, "cr3"), "0x20000");
	assert_true(num(regs, "msrs") > 0);
	json_decref(resp);

	resp = call(sock, "pause");
	assert_true(json_is_true(json_object_get(resp, "ok")));
	json_decref(resp);
	resp = call(sock, "status");
	assert_string_equal(str(resp, "state"), "paused");
	json_decref(resp);
	resp = call(sock, "resume");
	assert_true(json_is_true(json_object_get(resp, "ok")));
	json_decref(resp);

	resp = call(sock, "no-such-command");
	assert_false(json_is_true(json_object_get(resp, "ok")));
	json_decref(resp);

	resp = call(sock, "quit");
	assert_true(json_is_true(json_object_get(resp, "ok")));
	json_decref(resp);
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	/* The socket file goes with the VM. */
	assert_int_equal(access(sock, F_OK), -1);
}

/* SIGTERM stops a running VM cleanly (status 128+15). */
static void test_sigterm(void **state)
{
	const char *args[] = { guest_vmm_path(), "--quiet", "--append",
			       "app=hello wait_ms=60000",
			       guest_image_path("hello"), NULL };
	int wstatus;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	usleep(300000);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 128 + SIGTERM);
}

static int setup(void **state)
{
	return guest_tmpdir_create(tmpdir);
}

static int teardown(void **state)
{
	return guest_tmpdir_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_1cpu),
		cmocka_unit_test(test_hello_2cpu),
		cmocka_unit_test(test_selftest_1cpu),
		cmocka_unit_test(test_selftest_2cpu),
		cmocka_unit_test(test_unhandled_fault),
		cmocka_unit_test(test_pci_config_garbage),
		cmocka_unit_test(test_control_socket),
		cmocka_unit_test(test_sigterm),
	};

	guest_require_kvm();
	return cmocka_run_group_tests(tests, setup, teardown);
}
