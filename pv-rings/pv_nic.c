// SPDX-License-Identifier: MIT
/*
 * --nic pv: a pv NIC attached to the switch (pv_nic.h).
 *
 * Threads and locks. The attach socket carries two kinds of traffic: the
 * device's PV_CONFIG / PV_RESET (sent from a vCPU thread, with the
 * device's lock held, PV_CONFIG waiting for its answer) and the switch's
 * unsolicited ERROR or hang-up (seen by the event loop). sock_lock covers
 * the socket: a config exchange holds it from send to answer, so the loop
 * never reads an answer meant for a vCPU; answers are matched by seq, and
 * anything else read meanwhile is an old answer or news of a backend the
 * guest has already reset. The loop takes sock_lock only to read and
 * drops it before it calls into the device (whose lock comes first).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_SUBSYS "pvnic"
#include "core/evloop.h"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "core/vnic.h"
#include "wire/pv_abi.h"
#include "pv-rings/pv_dev.h"
#include "pv-rings/pv_nic.h"
#include "wire/attach_proto.h"

#define PV_NIC_MAX		8
/* How long a guest's DRIVER_OK may wait for the switch. */
#define PV_CONFIG_TIMEOUT_MS	2000
/* Our requests' seq numbers; the attach handshake used 1 and 2. */
#define PV_SEQ_FIRST		100

struct pv_port {
	struct vmm *vmm;
	struct vdev *vd;
	char path[VNIC_PATH_MAX];	/* switch socket, "" for none */
	char port[ATTACH_NAME_MAX];
	uint32_t port_id;
	pthread_mutex_t sock_lock;
	int sock;		/* under sock_lock; -1 when gone */
	uint32_t seq;		/* under sock_lock */
	bool watching;		/* loop thread only */
};

static struct pv_port *pv_ports[PV_NIC_MAX];

static uint64_t pv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the wire, called by the device with its lock held ---- */

static int pv_wire_config(void *opaque, const struct attach_pv_config *cfg,
			  const int *fds, unsigned nfds, char *err,
			  size_t errlen)
{
	struct pv_port *p = opaque;
	uint64_t end = pv_now_ms() + PV_CONFIG_TIMEOUT_MS;
	struct attach_msg m;
	uint32_t seq;
	int ret;

	pthread_mutex_lock(&p->sock_lock);
	if (p->sock < 0) {
		pthread_mutex_unlock(&p->sock_lock);
		return -ENOTCONN;
	}
	seq = p->seq++;
	ret = attach_msg_send(p->sock, ATTACH_MSG_PV_CONFIG, seq, cfg,
			      sizeof(*cfg), fds, nfds);
	while (ret == 0) {
		uint64_t now = pv_now_ms();

		if (now >= end) {
			ret = -ETIMEDOUT;
			break;
		}
		ret = attach_msg_recv(p->sock, &m, (int)(end - now), err,
				      errlen);
		if (ret < 0)
			break;
		attach_msg_close_fds(&m);
		if (m.hdr.seq != seq) {
			/* An old answer, or an ERROR about the backend the
			 * guest reset before this config: not ours. */
			log_info("%s: ignoring message %u (seq %u) while "
				 "configuring", p->vd->id, m.hdr.type,
				 m.hdr.seq);
			continue;
		}
		if (m.hdr.type == ATTACH_MSG_ATTACH_ACK)
			break;
		if (m.hdr.type == ATTACH_MSG_ERROR) {
			snprintf(err, errlen, "%.*s", ATTACH_ERR_MAX - 1,
				 m.u.error.msg);
			ret = m.u.error.err > 0 ? -m.u.error.err : -EPROTO;
			/* Keep "no backend" distinct from "refused". */
			if (ret == -ENOTCONN || ret == -ETIMEDOUT)
				ret = -EPROTO;
			break;
		}
		snprintf(err, errlen, "unexpected answer %u", m.hdr.type);
		ret = -EPROTO;
	}
	if (ret < 0 && !err[0])
		snprintf(err, errlen, "%s", strerror(-ret));
	pthread_mutex_unlock(&p->sock_lock);
	if (ret < 0)
		log_warn("%s: PV_CONFIG: %s", p->vd->id, err);
	return ret;
}

static void pv_wire_reset(void *opaque)
{
	struct pv_port *p = opaque;
	int ret = 0;

	pthread_mutex_lock(&p->sock_lock);
	if (p->sock >= 0)
		ret = attach_msg_send(p->sock, ATTACH_MSG_PV_RESET, p->seq++,
				      NULL, 0, NULL, 0);
	pthread_mutex_unlock(&p->sock_lock);
	/* A broken socket is the loop's to notice (POLLHUP). */
	if (ret < 0)
		log_warn("%s: PV_RESET: %s", p->vd->id, strerror(-ret));
}

static void pv_unwatch(struct pv_port *p)
{
	if (!p->watching)
		return;
	p->watching = false;
	evloop_del_fd(p->vmm->loop, p->sock);
}

static void pv_port_free(struct pv_port *p)
{
	for (unsigned i = 0; i < PV_NIC_MAX; i++)
		if (pv_ports[i] == p)
			pv_ports[i] = NULL;
	if (p->sock >= 0)
		close(p->sock);
	pthread_mutex_destroy(&p->sock_lock);
	free(p);
}

/* The device is being destroyed (loop not running). */
static void pv_wire_close(void *opaque)
{
	struct pv_port *p = opaque;

	pv_unwatch(p);
	pv_port_free(p);
}

/* ---- event loop side ---- */

static void pv_switch_lost(struct pv_port *p, const char *why)
{
	log_warn("%s: switch %s: %s; link down", p->vd->id, p->path, why);
	pv_unwatch(p);
	pthread_mutex_lock(&p->sock_lock);
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	pthread_mutex_unlock(&p->sock_lock);
	pv_dev_set_link(p->vd, false);
	pv_dev_backend_error(p->vd, PV_E_BACKEND_GONE);
}

/* An unsolicited ERROR: the backend stopped because of the guest. */
static void pv_backend_stopped(struct pv_port *p, const struct attach_msg *m)
{
	uint32_t code = strstr(m->u.error.msg, "overrun") ? PV_E_RING_OVERRUN
							  : PV_E_BAD_REQUEST;

	log_warn("%s: switch stopped the backend: error %d: %.*s", p->vd->id,
		 m->u.error.err, ATTACH_ERR_MAX - 1, m->u.error.msg);
	pv_dev_backend_error(p->vd, code);
}

static void pv_sock_ready(void *opaque, int fd, uint32_t revents)
{
	struct pv_port *p = opaque;
	char err[ATTACH_ERR_MAX + 32] = "";
	struct attach_msg m;
	int ret;

	for (;;) {
		pthread_mutex_lock(&p->sock_lock);
		ret = p->sock >= 0 ? attach_msg_recv(p->sock, &m, 0, err,
						     sizeof(err))
				   : -ECONNRESET;
		pthread_mutex_unlock(&p->sock_lock);
		if (ret == -ETIMEDOUT) {
			if (revents & (POLLHUP | POLLERR))
				pv_switch_lost(p, "socket error");
			return;
		}
		if (ret < 0) {
			pv_switch_lost(p, ret == -ECONNRESET
				       ? "connection closed"
				       : err[0] ? err : strerror(-ret));
			return;
		}
		attach_msg_close_fds(&m);
		if (m.hdr.type == ATTACH_MSG_ERROR && m.hdr.seq == 0)
			pv_backend_stopped(p, &m);
		else
			/* An answer a timed-out config gave up on. */
			log_info("%s: late message %u (seq %u) ignored",
				 p->vd->id, m.hdr.type, m.hdr.seq);
	}
}

/* ---- set-up ---- */

static int pv_attach(struct pv_port *p, struct attach_req *req)
{
	const struct guest_mem *gm = &p->vmm->mem;
	char err[ATTACH_ERR_MAX] = "";
	char client[ATTACH_NAME_MAX];
	int ret;

	if (gm->nregions > ATTACH_MAX_REGIONS)
		return -E2BIG;
	req->nfds = 1;
	req->nregions = (uint16_t)gm->nregions;
	for (unsigned i = 0; i < gm->nregions; i++)
		req->regions[i] = (struct attach_region){
			.gpa = gm->regions[i].gpa,
			.size = gm->regions[i].size,
			.offset = gm->regions[i].fd_offset,
			.fd_index = 0,
		};
	snprintf(client, sizeof(client), "iopath-vmm %.19s", p->vmm->name);
	ret = attach_client_connect(p->path, client, req, &gm->fd, 1,
				    &p->port_id, err, sizeof(err));
	if (ret < 0) {
		log_err("%s: cannot attach to switch %s: %s", p->vd->id,
			p->path, err[0] ? err : strerror(-ret));
		return ret;
	}
	p->sock = ret;
	ret = evloop_add_fd(p->vmm->loop, p->sock, POLLIN, pv_sock_ready, p);
	if (ret < 0)
		return ret;
	p->watching = true;
	log_info("%s: attached to switch %s as pv port %s (id %u)", p->vd->id,
		 p->path, p->port, p->port_id);
	return 0;
}

/* --nic pv takes the common options and queues=N. */
static const char *const pv_extra_keys[] = { "queues", NULL };

int pv_nic_add(struct vmm *vmm, const char *spec, unsigned index)
{
	struct pv_wire w = {
		.config = pv_wire_config, .reset = pv_wire_reset,
		.close = pv_wire_close,
	};
	struct attach_req req;
	const char *opts;
	struct pv_port *p;
	char id[16];
	unsigned slot;
	int ret;

	if (strncmp(spec, "pv", 2) || (spec[2] && spec[2] != ','))
		return -EINVAL;
	opts = spec[2] ? spec + 3 : "";
	for (slot = 0; slot < PV_NIC_MAX && pv_ports[slot]; slot++)
		;
	if (slot == PV_NIC_MAX)
		return -ENOSPC;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vmm = vmm;
	p->sock = -1;
	p->seq = PV_SEQ_FIRST;
	pthread_mutex_init(&p->sock_lock, NULL);
	ret = vnic_port_opts(vmm, opts, index, ATTACH_KIND_PV, pv_extra_keys,
			     p->path, p->port, &req);
	if (ret < 0) {
		pv_port_free(p);
		return ret;
	}
	snprintf(id, sizeof(id), "nic%u", index);
	p->vd = vdev_create(vmm, "pvnet", id, opts);
	if (!p->vd) {
		ret = -errno;
		pv_port_free(p);
		return ret;
	}
	pv_ports[slot] = p;
	pv_dev_get_mac(p->vd, req.mac);
	/* From here the device owns the port: its teardown frees it. */
	w.opaque = p;
	pv_dev_set_wire(p->vd, &w);
	if (!p->path[0]) {
		log_info("%s: no switch: the link stays down", id);
		return 0;
	}
	ret = pv_attach(p, &req);
	if (ret < 0)
		return ret;
	pv_dev_set_link(p->vd, true);
	return 0;
}

json_t *pv_nic_stats(struct vmm *vmm)
{
	json_t *arr = json_array();

	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		json_t *st;

		if (vd->ops != &pvnet_ops)
			continue;
		st = pv_dev_stats(vd);
		for (unsigned i = 0; i < PV_NIC_MAX; i++) {
			struct pv_port *p = pv_ports[i];

			if (!p || p->vd != vd)
				continue;
			json_object_set_new(st, "switch",
					    json_string(p->path[0] ? p->path
								   : "none"));
			json_object_set_new(st, "port", json_string(p->port));
		}
		log_info("%s: pv: %lld userspace exits, all set-up (%lld "
			 "register reads, %lld writes, %lld uncaught notifies); "
			 "%lld backend starts, %lld errors", vd->id,
			 json_integer_value(json_object_get(st, "setup_exits")),
			 json_integer_value(json_object_get(st, "reg_reads")),
			 json_integer_value(json_object_get(st, "reg_writes")),
			 json_integer_value(json_object_get(st, "notify_exits")),
			 json_integer_value(json_object_get(st, "configs")),
			 json_integer_value(json_object_get(st,
							    "backend_errors")));
		json_array_append_new(arr, st);
	}
	return arr;
}
