// SPDX-License-Identifier: MIT
/*
 * --nic vf: a VM on a VF of the SR-IOV NIC the switch hosts (vf_port.h).
 * The port's life is core/nic_port.c's; this is the VF function's wire:
 * the ATTACH that binds the VF (guest RAM, the shared queue pages, the
 * doorbell, the irqfds, and the administrator's MAC and port VLAN), and
 * the trapped register accesses: reads as requests the NIC model
 * answers, writes posted.
 *
 * Threads and locks: register accesses come from a vCPU thread with the
 * device's lock held; a read waits for its answer (bounded) and
 * nic_port_call() keeps the loop off the socket meanwhile. The switch
 * sends nothing unasked on a vf port: anything it does means loss.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#define LOG_SUBSYS "vfnic"
#include "base/log.h"
#include "core/nic_port.h"
#include "core/vdev.h"
#include "sriov/igbvf_regs.h"
#include "sriov/vf_dev.h"
#include "sriov/vf_port.h"
#include "wire/attach_proto.h"

/*
 * How long a trapped access waits for the switch. The model answers in
 * microseconds; a switch that takes this long is as good as gone.
 */
#define VF_REG_TIMEOUT_MS	1000

/* The port's own (nic_port.priv). */
struct vf_port {
	/* The switch took the unmask eventfds (VF_UNMASK): writes that
	 * disable or reset wait for it. Loop and vCPU threads. */
	atomic_bool unmask;
};

/* Must @off's write be applied before the guest goes on? */
static bool vf_write_sync(struct nic_port *p, uint32_t off)
{
	struct vf_port *vp = p->priv;

	return atomic_load(&vp->unmask) &&
	       (off == IGBVF_EIMC || off == IGBVF_CTRL);
}

static int vf_wire_reg(void *opaque, uint32_t off, unsigned size,
		       bool write, uint32_t *val)
{
	struct nic_port *p = opaque;
	struct attach_vf_reg r = {
		.off = off, .val = write ? *val : 0, .size = (uint8_t)size,
		.write = write,
	};
	struct attach_msg m;
	char err[ATTACH_ERR_MAX];
	int ret;

	/*
	 * Writes are posted, as on PCI: the vCPU goes back to the guest
	 * without waiting for the switch, and a later read, answered in
	 * order on the same socket, sees every write before it. Those an
	 * unmask by ioeventfd must not overtake wait for their answer.
	 */
	if (write && vf_write_sync(p, off)) {
		r.write = ATTACH_VF_WRITE_SYNC;
	} else if (write) {
		ret = nic_port_send(p, ATTACH_MSG_VF_REG, &r, sizeof(r));
		if (ret < 0 && ret != -ENOTCONN)
			log_guest_warn("%s: register %#x: %s", p->vd->id, off,
				       strerror(-ret));
		return ret;
	}
	ret = nic_port_call(p, ATTACH_MSG_VF_REG, &r, sizeof(r), NULL, 0,
			    ATTACH_MSG_VF_REG, &m, VF_REG_TIMEOUT_MS, err,
			    sizeof(err));
	if (ret == 0) {
		if (!write)
			*val = m.u.vf_reg.val;
		return 0;
	}
	if (ret != -ENOTCONN)
		log_guest_warn("%s: register %#x: %s", p->vd->id, off, err);
	return ret;
}

static void vf_wire_flr(void *opaque)
{
	struct nic_port *p = opaque;
	int ret = nic_port_send(p, ATTACH_MSG_VF_FLR, NULL, 0);

	/* A broken socket is the loop's to notice (POLLHUP). */
	if (ret < 0 && ret != -ENOTCONN)
		log_warn("%s: VF_FLR: %s", p->vd->id, strerror(-ret));
}

/* The device is being destroyed (loop not running). */
static void vf_wire_close(void *opaque)
{
	nic_port_close(opaque);
}

static void vf_port_plug(struct nic_port *p)
{
	const struct vf_wire w = {
		.reg = vf_wire_reg, .flr = vf_wire_flr,
		.close = vf_wire_close, .opaque = p,
	};

	vf_dev_set_wire(p->vd, &w);
}

/*
 * The NIC (port: its name, "*" for the switch's first), the VF, the
 * administrator's settings, then the fds: RAM, and the device's five.
 */
static int vf_port_attach_prepare(struct nic_port *p, struct attach_req *req,
				  int *fds, unsigned *nfds)
{
	struct vf_dev_attach a;
	int ret;

	vf_dev_get_attach(p->vd, &a);
	snprintf(req->port, sizeof(req->port), "%s", a.sriov[0] ? a.sriov
								: "*");
	req->vf = a.vf;
	req->vf_flags = (a.mac_given ? ATTACH_VF_F_MAC : 0) |
			(a.vlan_given ? ATTACH_VF_F_VLAN : 0);
	ret = nic_port_guest_mem(p, req, fds, nfds);
	if (ret == 0)
		ret = vf_dev_attach_fds(p->vd, fds, nfds, ATTACH_MAX_FDS);
	return ret;
}

/*
 * Attached: hand over the unmask eventfds. A switch that refuses them
 * leaves those EIMS writes trapped, which works, with an exit each.
 */
static int vf_port_attached(struct nic_port *p)
{
	struct vf_port *vp = p->priv;
	int fds[IGBVF_MSIX_VECTORS];
	char err[ATTACH_ERR_MAX];
	int ret;

	vf_dev_unmask_fds(p->vd, fds);
	ret = nic_port_request(p, ATTACH_MSG_VF_UNMASK, NULL, 0, fds,
			       IGBVF_MSIX_VECTORS, VF_REG_TIMEOUT_MS, err,
			       sizeof(err));
	if (ret < 0) {
		log_info("%s: vector re-enables trap (VF_UNMASK: %s)",
			 p->vd->id, err);
		return 0;
	}
	atomic_store(&vp->unmask, true);
	vf_dev_unmask_enable(p->vd, true);
	return 0;
}

/* The switch is gone: nobody reads the unmask eventfds any more. */
static void vf_port_switch_lost(struct nic_port *p)
{
	struct vf_port *vp = p->priv;

	atomic_store(&vp->unmask, false);
	vf_dev_unmask_enable(p->vd, false);
}

/*
 * Unplugged for a migration: the switch has let go (no one reads the
 * unmask eventfds), and the guest is told as a PF would tell it.
 */
static void vf_port_unplugged(struct nic_port *p)
{
	vf_port_switch_lost(p);
	vf_dev_unplug_notify(p->vd);
}

/* Bound again (replug, a destination's resume, a reconnect). */
static void vf_port_resumed(struct nic_port *p)
{
	vf_dev_replugged(p->vd);
}

static void vf_port_stats_log(const struct vdev *vd, json_t *st)
{
	log_info("%s: vf: %lld userspace exits (%lld register reads, %lld "
		 "writes, %lld doorbells, %lld on the queue pages); queue "
		 "pages %s, doorbell %s", vd->id,
		 json_integer_value(json_object_get(st, "setup_exits")),
		 json_integer_value(json_object_get(st, "reg_reads")),
		 json_integer_value(json_object_get(st, "reg_writes")),
		 json_integer_value(json_object_get(st, "doorbell_exits")),
		 json_integer_value(json_object_get(st, "shared_exits")),
		 json_string_value(json_object_get(st, "queue_pages")),
		 json_string_value(json_object_get(st, "doorbell")));
}

/* --nic vf takes the common options and sriov=NAME, vf=N. */
static const char *const vf_port_keys[] = { "sriov", "vf", NULL };

const struct nic_port_ops vf_port_ops = {
	.name = "vf",
	.model = "igbvf",
	.kind = ATTACH_KIND_VF,
	.extra_keys = vf_port_keys,
	.usage_opts = "[,sriov=NAME][,vf=N]",
	.priv_size = sizeof(struct vf_port),
	.usage = "a VF of the switch's SR-IOV NIC, passed through (queue "
		 "registers in shared memory; mac= and vlan= are the "
		 "administrator's)",
	.unattached_link = false,
	.unattached_note = "the VF has no NIC behind it, link down",
	.plug = vf_port_plug,
	.get_mac = vf_dev_get_mac,
	.set_link = vf_dev_set_link,
	.attach_prepare = vf_port_attach_prepare,
	.attached = vf_port_attached,
	.switch_lost = vf_port_switch_lost,
	.unplugged = vf_port_unplugged,
	.resumed = vf_port_resumed,
	.dev_stats = vf_dev_stats,
	.stats_log = vf_port_stats_log,
};
