// SPDX-License-Identifier: MIT
/* The debug-exit port: status from the value written, options, reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/vdev.h"
#include "core/vmm.h"
#include "emu-devices/debug_exit.h"
#include "tests/unit/emu-devices/fake_vmm.h"

static struct vmm vmm;

static void make(struct vdev *vd, const char *opts, int expect)
{
	*vd = (struct vdev){ .ops = &debug_exit_ops, .vmm = &vmm,
			     .id = "exit0" };
	fake_vmm_reset();
	assert_int_equal(vd->ops->init(vd, opts), expect);
}

static void test_defaults(void **state)
{
	struct vdev vd;

	make(&vd, "", 0);
	assert_string_equal(debug_exit_ops.name, "debug-exit");
	assert_int_equal(fake_vmm.map_calls, 1);
	assert_int_equal(fake_vmm.map_base, 0xf4);
	assert_int_equal(fake_vmm.map_len, 4);
	assert_int_equal(vd.ops->bar_read(&vd, 0, 0, 4), 0);
	assert_int_equal(fake_vmm.exit_calls, 0);

	vd.ops->bar_write(&vd, 0, 0, 1, 3);
	assert_int_equal(fake_vmm.exit_calls, 1);
	assert_int_equal(fake_vmm.exit_code, 3);
	assert_non_null(strstr(fake_vmm.exit_reason, "3"));

	/* Only the access width counts; the status keeps the low byte. */
	vd.ops->bar_write(&vd, 0, 0, 1, 0x1ff);
	assert_int_equal(fake_vmm.exit_code, 0xff);
	vd.ops->bar_write(&vd, 0, 0, 4, 0x1234);
	assert_int_equal(fake_vmm.exit_code, 0x34);
	assert_non_null(strstr(fake_vmm.exit_reason, "4660"));
	vd.ops->bar_write(&vd, 0, 0, 2, 0);
	assert_int_equal(fake_vmm.exit_code, 0);
	vd.ops->fini(&vd);
	assert_null(vd.priv);
}

static void test_qemu_status(void **state)
{
	struct vdev vd;

	make(&vd, "qemu=1", 0);
	vd.ops->bar_write(&vd, 0, 0, 4, 0x10);
	assert_int_equal(fake_vmm.exit_code, 0x21);	/* (0x10 << 1) | 1 */
	vd.ops->bar_write(&vd, 0, 0, 1, 0);
	assert_int_equal(fake_vmm.exit_code, 1);
	vd.ops->fini(&vd);

	/* A bare flag is "=1". */
	make(&vd, "qemu", 0);
	vd.ops->bar_write(&vd, 0, 0, 1, 2);
	assert_int_equal(fake_vmm.exit_code, 5);
	vd.ops->fini(&vd);
}

static void test_options(void **state)
{
	struct vdev vd;

	make(&vd, "port=0x501,size=2", 0);
	assert_int_equal(fake_vmm.map_base, 0x501);
	assert_int_equal(fake_vmm.map_len, 2);
	vd.ops->fini(&vd);

	make(&vd, "size=5", -EINVAL);
	make(&vd, "size=0", -EINVAL);
	make(&vd, "port=0xfffe,size=4", -EINVAL);
	make(&vd, "port=x", -EINVAL);
	make(&vd, "qemu=2", -EINVAL);
	fake_vmm.map_ret = -EEXIST;
	vd = (struct vdev){ .ops = &debug_exit_ops, .vmm = &vmm };
	assert_int_equal(vd.ops->init(&vd, NULL), -EEXIST);
	assert_null(vd.priv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_qemu_status),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
