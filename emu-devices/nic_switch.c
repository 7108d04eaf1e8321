// SPDX-License-Identifier: MIT
/*
 * --nic: a 21140A whose wire is a switch port (nic_switch.h).
 *
 * Threads and locks. Transmitted frames come from the NIC on a vCPU thread
 * (or the event loop, for TAP polling) with the NIC's lock held; received
 * frames, kicks and the attach socket are handled on the event loop.
 * pktchan is single-threaded per side (its send and arm-wait share the
 * "ring was full" state), so every call on the channel takes the port's
 * chan_lock. Order: NIC lock, then chan_lock; never the other way, so the
 * receive path copies frames out under chan_lock and hands them to the
 * NIC after dropping it. Anything that must happen under the NIC's lock
 * but needs the loop (a send that found the channel broken) pokes an
 * eventfd instead.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LOG_SUBSYS "nic"
#include "core/evloop.h"
#include "base/log.h"
#include "core/vdev.h"
#include "core/vnic.h"
#include "core/vmm.h"
#include "emu-devices/nic_switch.h"
#include "emu-devices/tulip.h"
#include "wire/attach_proto.h"
#include "wire/pktchan.h"

#define NIC_MAX_PORTS	8
#define NIC_RING_SLOTS	256
#define NIC_RX_BURST	32

struct nic_port {
	struct vmm *vmm;
	struct vdev *vd;
	char path[VNIC_PATH_MAX];	/* switch socket, "" for none */
	char port[ATTACH_NAME_MAX];
	uint32_t port_id;
	int sock;		/* attach connection, -1 when none */
	int notify_fd;		/* eventfd: "the channel broke" */
	pthread_mutex_t chan_lock;
	struct pktchan *ch;	/* under chan_lock */
	bool gone;		/* under chan_lock: the switch went away */
	bool watching;		/* fds on the loop (loop thread only) */
	bool lost;		/* link taken down (loop thread only) */
	uint64_t wire_dropped;	/* under chan_lock */
	uint8_t rxbuf[NIC_RX_BURST][PKTCHAN_FRAME_MAX];
};

/* One VMM per process: its --nic ports. */
static struct nic_port *nic_ports[NIC_MAX_PORTS];

/* ---- the wire, called by the NIC with its lock held ---- */

static unsigned nic_tx_burst(void *opaque, const void *const *frames,
			     const uint16_t *lens, unsigned n)
{
	struct nic_port *p = opaque;
	unsigned sent;
	uint64_t one = 1;

	pthread_mutex_lock(&p->chan_lock);
	if (!p->ch || p->gone) {
		p->wire_dropped += n;
		pthread_mutex_unlock(&p->chan_lock);
		return n;
	}
	sent = pktchan_send_burst(p->ch, frames, lens, n);
	if (pktchan_broken(p->ch)) {
		p->gone = true;
		p->wire_dropped += n - sent;
		sent = n;
		if (write(p->notify_fd, &one, sizeof(one)) < 0)
			log_warn("%s: notify: %s", p->vd->id, strerror(errno));
	}
	pthread_mutex_unlock(&p->chan_lock);
	return sent;
}

static void nic_unwatch(struct nic_port *p)
{
	struct evloop *loop = p->vmm->loop;

	if (!p->watching)
		return;
	p->watching = false;
	if (p->ch)
		evloop_del_fd(loop, pktchan_wait_fd(p->ch));
	if (p->sock >= 0)
		evloop_del_fd(loop, p->sock);
	evloop_del_fd(loop, p->notify_fd);
}

static void nic_free(struct nic_port *p)
{
	for (unsigned i = 0; i < NIC_MAX_PORTS; i++)
		if (nic_ports[i] == p)
			nic_ports[i] = NULL;
	if (p->sock >= 0)
		close(p->sock);
	if (p->notify_fd >= 0)
		close(p->notify_fd);
	if (p->ch)
		pktchan_destroy(p->ch);
	pthread_mutex_destroy(&p->chan_lock);
	free(p);
}

/* The NIC is being destroyed (vdev fini, loop not running). */
static void nic_wire_close(void *opaque)
{
	struct nic_port *p = opaque;

	nic_unwatch(p);
	nic_free(p);
}

/* ---- event loop side ---- */

/* The switch is gone: link down, stop watching; the VM runs on. */
static void nic_switch_lost(struct nic_port *p, const char *why)
{
	if (p->lost)
		return;
	p->lost = true;
	log_warn("%s: switch %s: %s; link down", p->vd->id, p->path, why);
	pthread_mutex_lock(&p->chan_lock);
	p->gone = true;
	pthread_mutex_unlock(&p->chan_lock);
	nic_unwatch(p);
	if (p->sock >= 0) {
		close(p->sock);
		p->sock = -1;
	}
	tulip_set_link(p->vd, false);
}

static void nic_rx_ready(void *opaque, int fd, uint32_t revents)
{
	struct nic_port *p = opaque;
	void *bufs[NIC_RX_BURST];
	uint16_t lens[NIC_RX_BURST];
	unsigned n;
	bool broken, again;

	for (unsigned i = 0; i < NIC_RX_BURST; i++)
		bufs[i] = p->rxbuf[i];
	for (;;) {
		pthread_mutex_lock(&p->chan_lock);
		n = pktchan_recv_burst(p->ch, bufs, PKTCHAN_FRAME_MAX, lens,
				       NIC_RX_BURST);
		broken = pktchan_broken(p->ch);
		pthread_mutex_unlock(&p->chan_lock);
		if (n)
			tulip_rx_burst(p->vd, (const void *const *)bufs, lens,
				       n);
		if (broken) {
			nic_switch_lost(p, "packet channel broken");
			return;
		}
		if (n == NIC_RX_BURST)
			continue;
		/* The ring may have room for what the NIC held back. */
		tulip_tx_resume(p->vd);
		pthread_mutex_lock(&p->chan_lock);
		again = pktchan_arm_wait(p->ch);
		pthread_mutex_unlock(&p->chan_lock);
		if (!again)
			break;
	}
}

static void nic_sock_ready(void *opaque, int fd, uint32_t revents)
{
	struct nic_port *p = opaque;
	struct attach_msg m;
	char err[ATTACH_ERR_MAX + 32] = "";
	int ret;

	/* The switch says nothing after the ACK: data, error or EOF = gone. */
	ret = attach_msg_recv(fd, &m, 0, err, sizeof(err));
	if (ret == -ETIMEDOUT && !(revents & (POLLHUP | POLLERR)))
		return;
	if (ret == 0) {
		if (m.hdr.type == ATTACH_MSG_ERROR)
			snprintf(err, sizeof(err), "error %d: %.*s",
				 m.u.error.err, ATTACH_ERR_MAX - 1,
				 m.u.error.msg);
		else
			snprintf(err, sizeof(err), "unexpected message %u",
				 m.hdr.type);
		attach_msg_close_fds(&m);
	}
	nic_switch_lost(p, ret == -ECONNRESET ? "connection closed"
			   : err[0] ? err : "socket error");
}

static void nic_notified(void *opaque, int fd, uint32_t revents)
{
	struct nic_port *p = opaque;
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
	nic_switch_lost(p, "packet channel broken");
}

/* ---- set-up ---- */

static int nic_attach(struct nic_port *p, const struct attach_req *req)
{
	char err[ATTACH_ERR_MAX] = "";
	char client[ATTACH_NAME_MAX];
	int fds[3], ret;

	p->ch = pktchan_create(NIC_RING_SLOTS);
	if (!p->ch)
		return -errno;
	fds[0] = pktchan_memfd(p->ch);
	fds[1] = pktchan_kick_switch_fd(p->ch);
	fds[2] = pktchan_kick_endpoint_fd(p->ch);
	snprintf(client, sizeof(client), "iopath-vmm %.19s", p->vmm->name);
	ret = attach_client_connect(p->path, client, req, fds, 3, &p->port_id,
				    err, sizeof(err));
	if (ret < 0) {
		log_err("%s: cannot attach to switch %s: %s", p->vd->id,
			p->path, err[0] ? err : strerror(-ret));
		return ret;
	}
	p->sock = ret;
	ret = evloop_add_fd(p->vmm->loop, pktchan_wait_fd(p->ch), POLLIN,
			    nic_rx_ready, p);
	if (!ret)
		ret = evloop_add_fd(p->vmm->loop, p->sock, POLLIN,
				    nic_sock_ready, p);
	if (!ret)
		ret = evloop_add_fd(p->vmm->loop, p->notify_fd, POLLIN,
				    nic_notified, p);
	if (ret < 0)
		return ret;
	p->watching = true;
	/* Frames may already wait; and ask for a kick for the next one. */
	pktchan_arm_wait(p->ch);
	log_info("%s: attached to switch %s as port %s (id %u)", p->vd->id,
		 p->path, p->port, p->port_id);
	return 0;
}

int nic_switch_add(struct vmm *vmm, const char *spec, unsigned index)
{
	const struct tulip_wire wire = {
		.tx_burst = nic_tx_burst, .close = nic_wire_close,
	};
	struct tulip_wire w = wire;
	struct attach_req req;
	const char *opts;
	struct nic_port *p;
	char id[16];
	unsigned slot;
	int ret;

	if (strncmp(spec, "emu", 3) || (spec[3] && spec[3] != ',')) {
		log_err("--nic %s: only the emu path exists so far "
			"(--nic emu,mac=..,switch=SOCKET)", spec);
		return -EPROTONOSUPPORT;
	}
	opts = spec[3] ? spec + 4 : "";
	for (slot = 0; slot < NIC_MAX_PORTS && nic_ports[slot]; slot++)
		;
	if (slot == NIC_MAX_PORTS)
		return -ENOSPC;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vmm = vmm;
	p->sock = -1;
	pthread_mutex_init(&p->chan_lock, NULL);
	p->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ret = p->notify_fd < 0 ? -errno :
	      vnic_port_opts(vmm, opts, index, ATTACH_KIND_PKTCHAN, NULL,
			     p->path, p->port, &req);
	if (ret < 0) {
		nic_free(p);
		return ret;
	}
	snprintf(id, sizeof(id), "nic%u", index);
	p->vd = vdev_create(vmm, "tulip", id, opts);
	if (!p->vd) {
		ret = -errno;
		nic_free(p);
		return ret;
	}
	nic_ports[slot] = p;
	tulip_get_mac(p->vd, req.mac);
	/* From here the NIC owns the port: its teardown frees it. */
	w.opaque = p;
	tulip_set_wire(p->vd, &w);
	if (p->path[0]) {
		ret = nic_attach(p, &req);
		if (ret < 0)
			return ret;
	} else {
		log_info("%s: no switch: frames sent are dropped", id);
	}
	tulip_set_link(p->vd, true);
	return 0;
}

/* ---- stats ---- */

static struct nic_port *nic_port_of(const struct vdev *vd)
{
	for (unsigned i = 0; i < NIC_MAX_PORTS; i++)
		if (nic_ports[i] && nic_ports[i]->vd == vd)
			return nic_ports[i];
	return NULL;
}

json_t *nic_switch_stats(struct vmm *vmm)
{
	json_t *arr = json_array();

	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		struct nic_port *p;
		json_t *st, *epf;

		if (vd->ops != &tulip_ops)
			continue;
		st = tulip_stats(vd);
		p = nic_port_of(vd);
		if (p) {
			struct pktchan_stats cs = { 0 };

			pthread_mutex_lock(&p->chan_lock);
			if (p->ch)
				pktchan_get_stats(p->ch, &cs);
			json_object_set_new(st, "switch",
					    json_string(p->path[0] ? p->path
								   : "none"));
			json_object_set_new(st, "port", json_string(p->port));
			json_object_set_new(st, "switch_lost",
					    json_boolean(p->gone));
			json_object_set_new(st, "wire_dropped",
					    json_integer((json_int_t)
							 p->wire_dropped));
			json_object_set_new(st, "chan_tx_full",
					    json_integer((json_int_t)
							 cs.tx_full));
			json_object_set_new(st, "chan_rx_dropped",
					    json_integer((json_int_t)
							 cs.rx_dropped));
			pthread_mutex_unlock(&p->chan_lock);
		}
		epf = json_object_get(st, "exits_per_frame");
		log_info("%s: %lld frames sent, %lld received; CSR exits: "
			 "%lld data path (%.2f per frame), %lld set-up",
			 vd->id,
			 json_integer_value(json_object_get(st, "tx_frames")),
			 json_integer_value(json_object_get(st, "rx_frames")),
			 json_integer_value(json_object_get(st, "data_exits")),
			 json_is_real(epf) ? json_real_value(epf) : 0.0,
			 json_integer_value(json_object_get(st, "setup_exits")));
		json_array_append_new(arr, st);
	}
	return arr;
}
