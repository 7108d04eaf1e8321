// SPDX-License-Identifier: MIT
/*
 * The migration primitives without the network: a guest runs in VM A and
 * goes to sleep on its LAPIC timer; A is paused, every vCPU's state and
 * the VM's irqchip and clock are saved, RAM is copied into a fresh VM B,
 * the state is loaded there, A is stopped, and B runs. The guest must wake
 * in B and finish (its exit code reaches B's debug-exit port), with 1 and
 * 2 vCPUs (the second one halted, waiting for an IPI).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/log.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "cpu/vcpu_state.h"
#include "emu-devices/debug_exit.h"
#include "emu-devices/uart16550.h"
#include "tests/guest/guest_run.h"

/* This test's machine: a console and the exit port, nothing else. */
const struct vdev_ops *const vdev_registry[] = {
	&uart16550_ops,
	&debug_exit_ops,
	NULL,
};

static char tmpdir[] = "/tmp/iopath-state-XXXXXX";

static void *vm_thread(void *arg)
{
	vmm_run(arg);
	return NULL;
}

/* Stop B if the guest never finishes, so a hang fails instead of hanging. */
static void *watchdog(void *arg)
{
	sleep(30);
	vmm_request_exit(arg, 99, "watchdog: the restored guest never finished");
	return NULL;
}

static bool file_has(const char *path, const char *needle)
{
	char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static void vm_build(struct vmm *v, const struct vmm_config *cfg,
		     const char *console)
{
	char opts[512];

	snprintf(opts, sizeof(opts), "stdout=0,path=%s", console);
	assert_int_equal(vmm_init(v, cfg), 0);
	assert_non_null(vdev_create(v, "uart16550", "uart0", opts));
	assert_non_null(vdev_create(v, "debug-exit", "exit0", ""));
}

static void move_running_guest(unsigned ncpus)
{
	struct vmm_config cfg = {
		.name = "a",
		.image = guest_image_path("hello"),
		.mem_bytes = 64ull << 20,
		.ncpus = ncpus,
		.cmdline = "app=hello wait_ms=1500",
		.kvm_dev = "/dev/kvm",
		.no_huge = true,
	};
	static struct vmm a, b;
	struct vcpu_state *st = calloc(ncpus, sizeof(*st));
	struct kvm_vm_state vst;
	char con_a[256], con_b[256];
	pthread_t ta, tw;
	unsigned i;
	int ret;

	assert_non_null(st);
	snprintf(con_a, sizeof(con_a), "%s/a%u.log", tmpdir, ncpus);
	snprintf(con_b, sizeof(con_b), "%s/b%u.log", tmpdir, ncpus);

	vm_build(&a, &cfg, con_a);
	assert_int_equal(vmm_boot(&a, &cfg), 0);
	assert_int_equal(pthread_create(&ta, NULL, vm_thread, &a), 0);
	/* hello prints "done", then sleeps wait_ms on its LAPIC timer. */
	for (i = 0; i < 100 && !file_has(con_a, "\"event\":\"done\""); i++)
		usleep(50000);
	assert_true(file_has(con_a, "\"event\":\"done\""));
	usleep(200000);

	vmm_pause(&a);
	assert_int_equal(kvm_vm_state_save(a.kvm, &vst), 0);
	for (i = 0; i < ncpus; i++)
		assert_int_equal(vcpu_state_save(a.vcpus[i], &st[i]), 0);

	cfg.name = "b";
	vm_build(&b, &cfg, con_b);
	memcpy(b.mem.base, a.mem.base, a.mem.size);
	assert_int_equal(vmm_vcpus_create(&b), 0);
	assert_int_equal(kvm_vm_state_load(b.kvm, &vst), 0);
	for (i = 0; i < ncpus; i++)
		assert_int_equal(vcpu_state_load(b.vcpus[i], &st[i]), 0);

	/* A is done: it must not run on in parallel with its copy. */
	vmm_request_exit(&a, 0, "moved to another VM");
	vmm_resume(&a);
	pthread_join(ta, NULL);
	assert_false(file_has(con_a, "debug-exit"));

	assert_int_equal(pthread_create(&tw, NULL, watchdog, &b), 0);
	ret = vmm_run(&b);
	pthread_cancel(tw);
	pthread_join(tw, NULL);
	if (ret != 0)
		fprintf(stderr, "B stopped: %d (%s)\n", ret, b.exit_reason);
	assert_int_equal(ret, 0);
	/* B resumed the sleeping guest; it did not boot it again. */
	assert_non_null(strstr(b.exit_reason, "debug-exit"));
	assert_false(file_has(con_b, "\"event\":\"boot\""));

	vmm_fini(&a);
	vmm_fini(&b);
	free(st);
}

static void test_move_1cpu(void **state)
{
	move_running_guest(1);
}

static void test_move_2cpu(void **state)
{
	move_running_guest(2);
}

static int setup(void **state)
{
	log_set_level(LOG_LEVEL_WARN);
	return guest_tmpdir_create(tmpdir);
}

static int teardown(void **state)
{
	return guest_tmpdir_remove(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_1cpu),
		cmocka_unit_test(test_move_2cpu),
	};

	guest_require_kvm();
	return cmocka_run_group_tests(tests, setup, teardown);
}
