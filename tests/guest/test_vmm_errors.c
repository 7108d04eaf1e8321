// SPDX-License-Identifier: MIT
/*
 * Bad input gets a clear error and a non-zero exit, never a crash: a
 * missing KVM device, malformed images, absurd memory sizes, bad options,
 * and a guest that triple-faults (reported with its RIP).
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/guest/guest_run.h"

static char tmpdir[] = "/tmp/iopath-vmm-errors-XXXXXX";

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* A minimal valid image whose entry is @code (copied to 1 MiB + 0x80). */
static void write_raw_image(const char *path, const uint8_t *code, size_t n)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		uint8_t pad[0x80 - sizeof(Elf64_Ehdr) - sizeof(Elf64_Phdr)];
		uint8_t code[64];
	} im;

	assert_true(n <= sizeof(im.code));
	memset(&im, 0, sizeof(im));
	memcpy(im.eh.e_ident, ELFMAG, SELFMAG);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	im.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im.eh.e_ident[EI_VERSION] = EV_CURRENT;
	im.eh.e_type = ET_EXEC;
	im.eh.e_machine = EM_X86_64;
	im.eh.e_version = EV_CURRENT;
	im.eh.e_entry = 0x100000 + offsetof(typeof(im), code);
	im.eh.e_phoff = offsetof(typeof(im), ph);
	im.eh.e_ehsize = sizeof(Elf64_Ehdr);
	im.eh.e_phentsize = sizeof(Elf64_Phdr);
	im.eh.e_phnum = 1;
	im.ph.p_type = PT_LOAD;
	im.ph.p_flags = PF_R | PF_X;
	im.ph.p_paddr = im.ph.p_vaddr = 0x100000;
	im.ph.p_filesz = im.ph.p_memsz = sizeof(im);
	memcpy(im.code, code, n);
	write_file(path, &im, sizeof(im));
}

static void run_expect(const char *const *argv, int status,
		       const char *stderr_has)
{
	struct guest_result r;

	assert_int_equal(guest_run(argv, 60, &r), 0);
	if (r.status != status || !strstr(r.err, stderr_has)) {
		fprintf(stderr, "expected status %d and stderr containing "
			"'%s'\n", status, stderr_has);
		guest_result_dump(&r);
		fail();
	}
	/* Never a crash: no sanitizer report, no signal. */
	assert_null(strstr(r.err, "Sanitizer"));
	guest_result_free(&r);
}

static void test_missing_kvm(void **state)
{
	const char *argv[] = { guest_vmm_path(), "--kvm", "/nonexistent/kvm",
			       guest_image_path("hello"), NULL };

	run_expect(argv, 1, "does not exist");
}

static void test_not_kvm(void **state)
{
	const char *argv[] = { guest_vmm_path(), "--kvm", "/dev/null",
			       guest_image_path("hello"), NULL };

	run_expect(argv, 1, "/dev/null is not a KVM device");
}

static void test_garbage_image(void **state)
{
	char path[256];
	const char *argv[] = { guest_vmm_path(), path, NULL };

	snprintf(path, sizeof(path), "%s/garbage.elf", tmpdir);
	write_file(path, "this is not an ELF image\n", 25);
	run_expect(argv, 1, "not an ELF file");
}

static void test_truncated_image(void **state)
{
	char path[256];
	const char *argv[] = { guest_vmm_path(), path, NULL };
	uint8_t head[300];
	FILE *f = fopen(guest_image_path("hello"), "rb");

	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	snprintf(path, sizeof(path), "%s/truncated.elf", tmpdir);
	write_file(path, head, sizeof(head));
	run_expect(argv, 1, "refused");
}

static void test_missing_image(void **state)
{
	const char *argv[] = { guest_vmm_path(), "/nonexistent/image.elf",
			       NULL };

	run_expect(argv, 1, "No such file");
}

static void test_too_much_memory(void **state)
{
	const char *over_limit[] = { guest_vmm_path(), "--mem", "100G",
				     guest_image_path("hello"), NULL };
	const char *bad_size[] = { guest_vmm_path(), "--mem", "12Q",
				   guest_image_path("hello"), NULL };
	const char *odd_size[] = { guest_vmm_path(), "--mem", "3M",
				   guest_image_path("hello"), NULL };

	run_expect(over_limit, 1, "over the limit");
	run_expect(bad_size, 1, "bad memory size");
	run_expect(odd_size, 1, "multiple of 2 MiB");
}

static void test_bad_options(void **state)
{
	const char *cpus[] = { guest_vmm_path(), "--cpus", "99",
			       guest_image_path("hello"), NULL };
	const char *dev[] = { guest_vmm_path(), "--device", "nosuchdev",
			      guest_image_path("hello"), NULL };
	const char *noimg[] = { guest_vmm_path(), NULL };
	const char *pin_cpu[] = { guest_vmm_path(), "--vcpu-pin", "4000",
				  guest_image_path("hello"), NULL };
	const char *pin_text[] = { guest_vmm_path(), "--vcpu-pin", "0,x",
				   guest_image_path("hello"), NULL };

	run_expect(cpus, 1, "--cpus must be");
	run_expect(pin_cpu, 1, "CPU 4000 is not one this process may use");
	run_expect(pin_text, 1, "want CPU numbers");
	run_expect(dev, 1, "no device model called 'nosuchdev'");
	run_expect(noimg, 2, "usage:");
}

/* ud2 at entry with no IDT: #UD, #DF, triple fault. */
static void test_triple_fault(void **state)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	char path[256];
	const char *argv[] = { guest_vmm_path(), path, NULL };

	snprintf(path, sizeof(path), "%s/triple.elf", tmpdir);
	write_raw_image(path, ud2, sizeof(ud2));
	run_expect(argv, 113, "triple fault");
	run_expect(argv, 113, "RIP=0x100080");
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
		cmocka_unit_test(test_missing_kvm),
		cmocka_unit_test(test_not_kvm),
		cmocka_unit_test(test_garbage_image),
		cmocka_unit_test(test_truncated_image),
		cmocka_unit_test(test_missing_image),
		cmocka_unit_test(test_too_much_memory),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_triple_fault),
	};

	guest_require_kvm();
	return cmocka_run_group_tests(tests, setup, teardown);
}
