// SPDX-License-Identifier: MIT
/*
 * --nic emu: the 21140A's wire is a packet channel to a switch port
 * (tulip_port.h). The port's life is core/nic_port.c's; this is the
 * channel.
 *
 * Threads and locks. Transmitted frames come from the NIC on a vCPU thread
 * (or the event loop, for TAP polling) with the NIC's lock held; received
 * frames and kicks are handled on the event loop. pktchan is
 * single-threaded per side (its send and arm-wait share the "ring was
 * full" state), so every call on the channel takes chan_lock. Order: NIC
 * lock, then chan_lock; never the other way, so the receive path copies
 * frames out under chan_lock and hands them to the NIC after dropping it.
 * Anything that must happen under the NIC's lock but needs the loop (a
 * send that found the channel broken) pokes an eventfd instead. The
 * attach socket is never touched here.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LOG_SUBSYS "nic"
#include "base/json_counters.h"
#include "base/log.h"
#include "core/evloop.h"
#include "core/nic_port.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "emu-devices/tulip.h"
#include "emu-devices/tulip_port.h"
#include "wire/attach_proto.h"
#include "wire/pktchan.h"

/*
 * Slots per channel direction (2 KiB each). Frames to the guest wait here
 * while the VMM's event loop is off the CPU, and the switch drops what
 * does not fit: 4096 ride out 27 ms at 150 kpps. With 1024 (7 ms there)
 * nearly all the loss iopath bench saw on a busy 2-core host was this
 * ring overflowing (the switch port's tx_drops), none in the guest.
 */
#define TULIP_PORT_RING_SLOTS	4096
#define TULIP_PORT_RX_BURST	32

/* The emu path's part of a struct nic_port (its priv). */
struct tulip_port {
	int notify_fd;		/* eventfd: "the channel broke" */
	pthread_mutex_t chan_lock;
	struct pktchan *ch;	/* under chan_lock */
	bool gone;		/* under chan_lock: the switch went away */
	uint64_t wire_dropped;	/* under chan_lock */
	uint8_t rxbuf[TULIP_PORT_RX_BURST][PKTCHAN_FRAME_MAX];
};

static struct tulip_port *tp_of(struct nic_port *p)
{
	return p->priv;
}

/* ---- the wire, called by the NIC with its lock held ---- */

static unsigned tp_tx_burst(void *opaque, const void *const *frames,
			    const uint16_t *lens, unsigned n)
{
	struct nic_port *p = opaque;
	struct tulip_port *t = tp_of(p);
	unsigned sent;
	uint64_t one = 1;

	pthread_mutex_lock(&t->chan_lock);
	if (!t->ch || t->gone) {
		t->wire_dropped += n;
		pthread_mutex_unlock(&t->chan_lock);
		return n;
	}
	sent = pktchan_send_burst(t->ch, frames, lens, n);
	if (pktchan_broken(t->ch)) {
		t->gone = true;
		t->wire_dropped += n - sent;
		sent = n;
		if (write(t->notify_fd, &one, sizeof(one)) < 0)
			log_warn("%s: notify: %s", p->vd->id, strerror(errno));
	}
	pthread_mutex_unlock(&t->chan_lock);
	return sent;
}

/* The NIC is being destroyed (vdev fini, loop not running). */
static void tp_wire_close(void *opaque)
{
	nic_port_close(opaque);
}

/* ---- event loop side ---- */

static void tp_rx_ready(void *opaque, int fd, uint32_t revents)
{
	struct nic_port *p = opaque;
	struct tulip_port *t = tp_of(p);
	void *bufs[TULIP_PORT_RX_BURST];
	uint16_t lens[TULIP_PORT_RX_BURST];
	unsigned n;
	bool broken, again;

	for (unsigned i = 0; i < TULIP_PORT_RX_BURST; i++)
		bufs[i] = t->rxbuf[i];
	for (;;) {
		pthread_mutex_lock(&t->chan_lock);
		n = pktchan_recv_burst(t->ch, bufs, PKTCHAN_FRAME_MAX, lens,
				       TULIP_PORT_RX_BURST);
		broken = pktchan_broken(t->ch);
		pthread_mutex_unlock(&t->chan_lock);
		if (n)
			tulip_rx_burst(p->vd, (const void *const *)bufs, lens,
				       n);
		if (broken) {
			nic_port_lost(p, "packet channel broken");
			return;
		}
		if (n == TULIP_PORT_RX_BURST)
			continue;
		/* The ring may have room for what the NIC held back. */
		tulip_tx_resume(p->vd);
		pthread_mutex_lock(&t->chan_lock);
		again = pktchan_arm_wait(t->ch);
		pthread_mutex_unlock(&t->chan_lock);
		if (!again)
			break;
	}
}

static void tp_notified(void *opaque, int fd, uint32_t revents)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) == sizeof(n))
		;
	nic_port_lost(opaque, "packet channel broken");
}

/* ---- the port's ops ---- */

static int tp_init(struct nic_port *p)
{
	struct tulip_port *t = tp_of(p);

	t->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->notify_fd < 0)
		return -errno;
	pthread_mutex_init(&t->chan_lock, NULL);
	return 0;
}

static void tp_fini(struct nic_port *p)
{
	struct tulip_port *t = tp_of(p);

	close(t->notify_fd);
	if (t->ch)
		pktchan_destroy(t->ch);
	pthread_mutex_destroy(&t->chan_lock);
}

static void tp_plug(struct nic_port *p)
{
	const struct tulip_wire w = {
		.tx_burst = tp_tx_burst, .close = tp_wire_close, .opaque = p,
	};

	tulip_set_wire(p->vd, &w);
}

/*
 * The channel's memfd and both kick eventfds (ATTACH_KIND_PKTCHAN). A
 * port attached again after a failed migration's detach gets a fresh
 * channel: the old one's other end went with the switch's port.
 */
static int tp_attach_prepare(struct nic_port *p, struct attach_req *req,
			     int *fds, unsigned *nfds)
{
	struct tulip_port *t = tp_of(p);
	struct pktchan *ch;

	if (*nfds + 3 > ATTACH_MAX_FDS)
		return -E2BIG;
	ch = pktchan_create(TULIP_PORT_RING_SLOTS);
	if (!ch)
		return -errno;
	pthread_mutex_lock(&t->chan_lock);
	if (t->ch)
		pktchan_destroy(t->ch);
	t->ch = ch;
	t->gone = false;
	pthread_mutex_unlock(&t->chan_lock);
	fds[(*nfds)++] = pktchan_memfd(t->ch);
	fds[(*nfds)++] = pktchan_kick_switch_fd(t->ch);
	fds[(*nfds)++] = pktchan_kick_endpoint_fd(t->ch);
	return 0;
}

static int tp_attached(struct nic_port *p)
{
	struct tulip_port *t = tp_of(p);
	uint64_t stale;
	int ret;

	/* A break of the channel before (seen by a vCPU as the switch
	 * died) must not read as a break of this one. */
	while (read(t->notify_fd, &stale, sizeof(stale)) == sizeof(stale))
		;
	ret = evloop_add_fd(p->vmm->loop, pktchan_wait_fd(t->ch), POLLIN,
			    tp_rx_ready, p);
	if (!ret)
		ret = evloop_add_fd(p->vmm->loop, t->notify_fd, POLLIN,
				    tp_notified, p);
	if (ret < 0)
		return ret;
	/* Frames may already wait; and ask for a kick for the next one. */
	pktchan_arm_wait(t->ch);
	/* A frame the NIC held back (a migrated one, or one refused by a
	 * channel now gone) goes on the new one. */
	tulip_tx_resume(p->vd);
	return 0;
}

static void tp_unwatch(struct nic_port *p)
{
	struct tulip_port *t = tp_of(p);

	if (t->ch)
		evloop_del_fd(p->vmm->loop, pktchan_wait_fd(t->ch));
	evloop_del_fd(p->vmm->loop, t->notify_fd);
}

/* The link is down already; from now on transmitted frames are dropped. */
static void tp_switch_lost(struct nic_port *p)
{
	struct tulip_port *t = tp_of(p);

	pthread_mutex_lock(&t->chan_lock);
	t->gone = true;
	pthread_mutex_unlock(&t->chan_lock);
}

/* An announcement after a migration: one frame from the port's side. */
static int tp_send_frame(struct nic_port *p, const void *frame, uint16_t len)
{
	struct tulip_port *t = tp_of(p);
	int ret = -ENOTCONN;

	pthread_mutex_lock(&t->chan_lock);
	if (t->ch && !t->gone)
		ret = pktchan_send_burst(t->ch, &frame, &len, 1) == 1
			      ? 0 : -ENOBUFS;
	pthread_mutex_unlock(&t->chan_lock);
	return ret;
}

static void tp_port_stats(struct nic_port *p, json_t *st)
{
	struct tulip_port *t = tp_of(p);
	struct pktchan_stats cs = { 0 };

	pthread_mutex_lock(&t->chan_lock);
	if (t->ch)
		pktchan_get_stats(t->ch, &cs);
	json_object_set_new(st, "switch_lost", json_boolean(t->gone));
	json_counter_set(st, "wire_dropped", t->wire_dropped);
	json_counter_set(st, "chan_tx_full", cs.tx_full);
	json_counter_set(st, "chan_rx_dropped", cs.rx_dropped);
	pthread_mutex_unlock(&t->chan_lock);
}

static void tp_stats_log(const struct vdev *vd, json_t *st)
{
	json_t *epf = json_object_get(st, "exits_per_frame");

	log_info("%s: %lld frames sent, %lld received; CSR exits: "
		 "%lld data path (%.2f per frame), %lld set-up",
		 vd->id,
		 json_integer_value(json_object_get(st, "tx_frames")),
		 json_integer_value(json_object_get(st, "rx_frames")),
		 json_integer_value(json_object_get(st, "data_exits")),
		 json_is_real(epf) ? json_real_value(epf) : 0.0,
		 json_integer_value(json_object_get(st, "setup_exits")));
}

const struct nic_port_ops tulip_port_ops = {
	.name = "emu",
	.model = "tulip",
	.kind = ATTACH_KIND_PKTCHAN,
	.usage_opts = "",
	.usage = "an emulated 21140A NIC on a switch port (repeatable)",
	.priv_size = sizeof(struct tulip_port),
	.unattached_link = true,
	.unattached_note = "frames sent are dropped",
	.init = tp_init,
	.fini = tp_fini,
	.plug = tp_plug,
	.get_mac = tulip_get_mac,
	.set_link = tulip_set_link,
	.attach_prepare = tp_attach_prepare,
	.attached = tp_attached,
	.unwatch = tp_unwatch,
	.switch_lost = tp_switch_lost,
	.send_frame = tp_send_frame,
	.dev_stats = tulip_stats,
	.port_stats = tp_port_stats,
	.stats_log = tp_stats_log,
};
