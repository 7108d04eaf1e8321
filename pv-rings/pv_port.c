// SPDX-License-Identifier: MIT
/*
 * --nic pv: a pv NIC attached to the switch (pv_port.h). The port's life
 * is core/nic_port.c's; this is the pv device's wire: the backend's
 * config and reset as requests on the attach socket, and the switch's
 * news that it stopped the backend.
 *
 * Threads and locks. PV_CONFIG and PV_RESET come from a vCPU thread with
 * the device's lock held (PV_CONFIG waits for its answer, bounded);
 * nic_port_request() keeps the loop off the socket meanwhile. Unsolicited
 * messages and the switch's loss arrive on the loop with no port lock
 * held, so they may call into the device (whose lock comes first).
 */
#include <errno.h>
#include <string.h>

#define LOG_SUBSYS "pvnic"
#include "base/log.h"
#include "core/nic_port.h"
#include "core/vdev.h"
#include "pv-rings/pv_dev.h"
#include "pv-rings/pv_port.h"
#include "wire/attach_proto.h"
#include "wire/pv_abi.h"

/* How long a guest's DRIVER_OK may wait for the switch. */
#define PV_CONFIG_TIMEOUT_MS	2000

/* ---- the wire, called by the device with its lock held ---- */

static int pv_wire_config(void *opaque, const struct attach_pv_config *cfg,
			  const int *fds, unsigned nfds, char *err,
			  size_t errlen)
{
	struct nic_port *p = opaque;
	int ret;

	ret = nic_port_request(p, ATTACH_MSG_PV_CONFIG, cfg, sizeof(*cfg),
			       fds, nfds, PV_CONFIG_TIMEOUT_MS, err, errlen);
	/* -ENOTCONN: no switch, which the device expects to hear. */
	if (ret < 0 && ret != -ENOTCONN)
		log_warn("%s: PV_CONFIG: %s", p->vd->id, err);
	return ret;
}

static void pv_wire_reset(void *opaque)
{
	struct nic_port *p = opaque;
	int ret;

	ret = nic_port_send(p, ATTACH_MSG_PV_RESET, NULL, 0);
	/* A broken socket is the loop's to notice (POLLHUP). */
	if (ret < 0 && ret != -ENOTCONN)
		log_warn("%s: PV_RESET: %s", p->vd->id, strerror(-ret));
}

/* The device is being destroyed (loop not running). */
static void pv_wire_close(void *opaque)
{
	nic_port_close(opaque);
}

/* ---- the port's ops ---- */

static void pv_port_plug(struct nic_port *p)
{
	const struct pv_wire w = {
		.config = pv_wire_config, .reset = pv_wire_reset,
		.close = pv_wire_close, .opaque = p,
	};

	pv_dev_set_wire(p->vd, &w);
}

/* The backend reads and writes the rings and buffers in guest RAM. */
static int pv_port_attach_prepare(struct nic_port *p, struct attach_req *req,
				  int *fds, unsigned *nfds)
{
	return nic_port_guest_mem(p, req, fds, nfds);
}

/*
 * The switch stopped the backend because of the guest (ERROR, seq 0):
 * the device shows the error until the guest resets it. Anything else
 * unasked is news of a backend the guest has reset since: ignored.
 */
static int pv_port_sock_message(struct nic_port *p, const struct attach_msg *m)
{
	uint32_t code;

	if (m->hdr.type != ATTACH_MSG_ERROR || m->hdr.seq != 0) {
		log_info("%s: late message %u (seq %u) ignored", p->vd->id,
			 m->hdr.type, m->hdr.seq);
		return 0;
	}
	code = strstr(m->u.error.msg, "overrun") ? PV_E_RING_OVERRUN
						 : PV_E_BAD_REQUEST;
	log_warn("%s: switch stopped the backend: error %d: %.*s", p->vd->id,
		 m->u.error.err, ATTACH_ERR_MAX - 1, m->u.error.msg);
	pv_dev_backend_error(p->vd, code);
	return 0;
}

/*
 * The link is down already; a running backend is gone with the switch.
 * With reconnect the device keeps its state (no error for the guest to
 * reset) and the backend starts again from the rings when the port is
 * back (pv_port_resumed).
 */
static void pv_port_switch_lost(struct nic_port *p)
{
	if (!p->reconnect)
		pv_dev_backend_error(p->vd, PV_E_BACKEND_GONE);
}

/* Attached after a switch-over, or to a switch that came back: the
 * backend starts on this switch. */
static void pv_port_resumed(struct nic_port *p)
{
	pv_dev_reconnect(p->vd);
}

static void pv_port_stats_log(const struct vdev *vd, json_t *st)
{
	log_info("%s: pv: %lld userspace exits, all set-up (%lld "
		 "register reads, %lld writes, %lld uncaught notifies); "
		 "%lld backend starts, %lld errors", vd->id,
		 json_integer_value(json_object_get(st, "setup_exits")),
		 json_integer_value(json_object_get(st, "reg_reads")),
		 json_integer_value(json_object_get(st, "reg_writes")),
		 json_integer_value(json_object_get(st, "notify_exits")),
		 json_integer_value(json_object_get(st, "configs")),
		 json_integer_value(json_object_get(st, "backend_errors")));
}

/* --nic pv takes the common options, queues=N and standby=0|1. */
static const char *const pv_port_keys[] = { "queues", "standby", NULL };

const struct nic_port_ops pv_port_ops = {
	.name = "pv",
	.model = "pvnet",
	.kind = ATTACH_KIND_PV,
	.extra_keys = pv_port_keys,
	.usage_opts = "[,queues=N][,standby=1]",
	.usage = "a paravirtual NIC (rings in guest RAM, backend in the "
		 "switch)",
	.unattached_link = false,
	.unattached_note = "the link stays down",
	.plug = pv_port_plug,
	.get_mac = pv_dev_get_mac,
	.set_link = pv_dev_set_link,
	.attach_prepare = pv_port_attach_prepare,
	.sock_message = pv_port_sock_message,
	.switch_lost = pv_port_switch_lost,
	.resumed = pv_port_resumed,
	.dev_stats = pv_dev_stats,
	.stats_log = pv_port_stats_log,
};
