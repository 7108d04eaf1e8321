// SPDX-License-Identifier: MIT
/* The debug-exit port: a guest write ends the VM with a status it chose. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "debug-exit"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "emu-devices/debug_exit.h"

struct debug_exit {
	uint16_t port;
	uint16_t size;
	bool qemu_status;
};

static int debug_exit_init(struct vdev *vd, const char *opts)
{
	unsigned long port = DEBUG_EXIT_DEFAULT_PORT, size = 4, qemu = 0;
	struct debug_exit *de;
	int ret;

	opts = opts ? opts : "";
	if (vdev_opt_num(opts, "size", 1, 4, &size) ||
	    vdev_opt_num(opts, "port", 0, 0x10000 - size, &port) ||
	    vdev_opt_num(opts, "qemu", 0, 1, &qemu)) {
		log_err("%s: bad option in \"%s\"", vd->id, opts);
		return -EINVAL;
	}
	de = calloc(1, sizeof(*de));
	if (!de)
		return -ENOMEM;
	de->port = (uint16_t)port;
	de->size = (uint16_t)size;
	de->qemu_status = qemu;
	vd->priv = de;
	ret = vdev_map_pio(vd, 0, de->port, de->size);
	if (ret < 0) {
		log_err("%s: port %#x: %s", vd->id, de->port, strerror(-ret));
		vd->priv = NULL;
		free(de);
	}
	return ret;
}

static void debug_exit_fini(struct vdev *vd)
{
	free(vd->priv);
	vd->priv = NULL;
}

static uint64_t debug_exit_read(struct vdev *vd, unsigned bar, uint64_t off,
				unsigned size)
{
	return 0;
}

static void debug_exit_write(struct vdev *vd, unsigned bar, uint64_t off,
			     unsigned size, uint64_t val)
{
	struct debug_exit *de = vd->priv;
	uint64_t v = size >= 8 ? val : val & ((1ull << (8 * size)) - 1);
	int code;

	if (bar != 0)
		return;
	/* A process status carries only the low 8 bits. */
	code = de->qemu_status ? (int)(((v << 1) | 1) & 0xff) :
				 (int)(v & 0xff);
	vmm_request_exit(vd->vmm, code, "guest wrote %llu to debug-exit",
			 (unsigned long long)v);
}

/*
 * Migration: the port has no state of its own; its options (port, size,
 * status encoding) are the destination's command line. The saved ones
 * must match, or an exit code would change meaning on the way.
 */
static int debug_exit_save(struct vdev *vd, struct vdev_state_writer *w)
{
	const struct debug_exit *de = vd->priv;

	vdev_state_put_u32(w, "port", de->port);
	vdev_state_put_u32(w, "size", de->size);
	vdev_state_put_bool(w, "qemu", de->qemu_status);
	return w->err;
}

static int debug_exit_load(struct vdev *vd, struct vdev_state_reader *r)
{
	const struct debug_exit *de = vd->priv;
	uint32_t port = 0, size = 0;
	bool qemu = false;

	vdev_state_get_u32(r, "port", &port);
	vdev_state_get_u32(r, "size", &size);
	vdev_state_get_bool(r, "qemu", &qemu);
	if (!r->err && (port != de->port || size != de->size ||
			qemu != de->qemu_status))
		return vdev_state_fail(r, "debug-exit at port %#x/%u/%s in "
				       "the stream, %#x/%u/%s here", port,
				       size, qemu ? "qemu" : "plain",
				       de->port, de->size,
				       de->qemu_status ? "qemu" : "plain");
	return r->err;
}

const struct vdev_ops debug_exit_ops = {
	.name = "debug-exit",
	.init = debug_exit_init,
	.fini = debug_exit_fini,
	.bar_read = debug_exit_read,
	.bar_write = debug_exit_write,
	.save = debug_exit_save,
	.load = debug_exit_load,
};
