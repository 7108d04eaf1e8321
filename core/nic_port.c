// SPDX-License-Identifier: MIT
/*
 * A VMM NIC's switch port (nic_port.h): options, the attach, the watched
 * attach connection, requests to the switch, teardown and stats. The
 * paths (tulip_port.c, pv_port.c) add what is theirs through their ops.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_SUBSYS "nic"
#include "base/clock.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "core/evloop.h"
#include "core/nic_announce.h"
#include "core/nic_port.h"
#include "core/vdev.h"
#include "core/vmm.h"

/* Our requests' seq numbers; the attach handshake used 1 and 2. */
#define NIC_PORT_SEQ_FIRST	100
/* A switch retires a port within one forwarding round; far less than this. */
#define NIC_PORT_DETACH_WAIT_MS	1000
/*
 * Reconnect: the first try this long after the loss, then twice as long
 * each time up to the most. A restarted switch is back within a second
 * of its socket appearing, and a try that finds no socket costs a
 * failed connect().
 */
#define NIC_PORT_RETRY_FIRST_MS	100
#define NIC_PORT_RETRY_MAX_MS	1000

/*
 * The ports of this process (one VMM per process), to find a device's
 * port for its stats. Main thread only: add, stats and teardown.
 */
static struct nic_port *nic_ports[NIC_PORT_MAX];
/* nic_port_defer_attach(): main thread, before the ports are added. */
static bool nic_port_deferred;
/* How long DIRTY_LOG may wait for the switch's answer. */
#define NIC_PORT_LOG_WAIT_MS	2000

/* ---- options ---- */

static bool nic_port_key_in(const char *s, size_t k, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (k == strlen(*keys) && !strncmp(s, *keys, k))
			return true;
	return false;
}

/* The common --nic options (nic_port.h) into @p and @req. */
static int nic_port_opts(struct nic_port *p, const char *opts,
			 unsigned index, struct attach_req *req)
{
	static const char *const common[] = { "mac", "switch", "vlan",
					      "trunk", "port", "reconnect",
					      NULL };
	char buf[128];
	long vlan = 0;

	memset(req, 0, sizeof(*req));
	for (const char *s = opts; s && *s;) {
		const char *end = strchr(s, ',');
		size_t k = strcspn(s, "=,");

		if (!nic_port_key_in(s, k, common) &&
		    !nic_port_key_in(s, k, p->ops->extra_keys)) {
			log_err("--nic: unknown option '%.*s'",
				(int)(end ? end - s : (long)strlen(s)), s);
			return -EINVAL;
		}
		s = end ? end + 1 : NULL;
	}
	if (vdev_opt_get(opts, "switch", p->path, sizeof(p->path)) < 0 ||
	    !strcmp(p->path, "none"))
		p->path[0] = '\0';
	if (vdev_opt_get(opts, "vlan", buf, sizeof(buf)) >= 0) {
		char *end;

		vlan = strtol(buf, &end, 10);
		if (*end || vlan < 1 || vlan > 4094) {
			log_err("--nic: vlan must be 1..4094");
			return -EINVAL;
		}
	}
	p->reconnect = true;
	if (vdev_opt_get(opts, "reconnect", buf, sizeof(buf)) >= 0) {
		if (strcmp(buf, "0") && strcmp(buf, "1")) {
			log_err("--nic: reconnect must be 0 or 1");
			return -EINVAL;
		}
		p->reconnect = buf[0] == '1';
	}
	if (vdev_opt_get(opts, "port", p->port, sizeof(p->port)) < 0)
		snprintf(p->port, sizeof(p->port), "%.24s.%u", p->vmm->name,
			 index);
	snprintf(req->port, sizeof(req->port), "%s", p->port);
	snprintf(req->vm, sizeof(req->vm), "%s", p->vmm->name);
	req->kind = p->ops->kind;
	req->vlan_mode = vdev_opt_get(opts, "trunk", buf, sizeof(buf)) >= 0
				 ? ATTACH_VLAN_TRUNK
				 : ATTACH_VLAN_ACCESS;
	/* Access ports default to VLAN 1; a trunk without vlan= has no
	 * native VLAN. */
	req->vlan = (uint16_t)(vlan ? vlan : 1);
	if (req->vlan_mode == ATTACH_VLAN_TRUNK && !vlan)
		req->vlan = 0;
	return 0;
}

/* ---- life ---- */

static struct nic_port *nic_port_new(struct vmm *vmm,
				     const struct nic_port_ops *ops)
{
	struct nic_port *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return NULL;
	p->vmm = vmm;
	p->ops = ops;
	p->sock = -1;
	p->seq = NIC_PORT_SEQ_FIRST;
	pthread_mutex_init(&p->sock_lock, NULL);
	if (ops->priv_size && !(p->priv = calloc(1, ops->priv_size)))
		ret = -ENOMEM;
	else
		ret = ops->init ? ops->init(p) : 0;
	if (ret == 0)
		return p;
	pthread_mutex_destroy(&p->sock_lock);
	free(p->priv);
	free(p);
	errno = -ret;
	return NULL;
}

static void nic_port_free(struct nic_port *p)
{
	if (p->ops->fini)
		p->ops->fini(p);
	for (unsigned i = 0; i < NIC_PORT_MAX; i++)
		if (nic_ports[i] == p)
			nic_ports[i] = NULL;
	if (p->sock >= 0) {
		/* The switch drops the port on our hang-up: now, not when
		 * the cancelled poll lets go of the file (evloop.h). */
		shutdown(p->sock, SHUT_RDWR);
		close(p->sock);
	}
	pthread_mutex_destroy(&p->sock_lock);
	free(p->priv);
	free(p);
}

static void nic_port_unwatch(struct nic_port *p)
{
	if (!p->watching)
		return;
	p->watching = false;
	if (p->ops->unwatch)
		p->ops->unwatch(p);
	evloop_del_fd(p->vmm->loop, p->sock);
}

/* Stop watching and close the attach connection (the switch drops the
 * port). */
static void nic_port_drop(struct nic_port *p)
{
	nic_port_unwatch(p);
	pthread_mutex_lock(&p->sock_lock);
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	pthread_mutex_unlock(&p->sock_lock);
}

static void nic_port_retry_cancel(struct nic_port *p)
{
	if (p->retry_timer > 0)
		evloop_del_timer(p->vmm->loop, p->retry_timer);
	p->retry_timer = 0;
}

void nic_port_close(struct nic_port *p)
{
	nic_port_retry_cancel(p);
	nic_port_unwatch(p);
	nic_port_free(p);
}

static void nic_port_retry_start(struct nic_port *p);

/* Link down and tell the path: the switch is gone, or never took us. */
static void nic_port_down(struct nic_port *p)
{
	p->lost = true;
	p->ops->set_link(p->vd, false);
	if (p->ops->switch_lost)
		p->ops->switch_lost(p);
	if (p->reconnect)
		nic_port_retry_start(p);
}

void nic_port_lost(struct nic_port *p, const char *why)
{
	if (p->lost)
		return;
	log_warn("%s: switch %s: %s; link down%s", p->vd->id, p->path, why,
		 p->reconnect ? "; reconnecting" : "");
	nic_port_drop(p);
	nic_port_down(p);
}

/* ---- the attach connection, on the loop ---- */

/* A message nobody asked for: the path's, or the end of the switch. */
static int nic_port_unasked(struct nic_port *p, const struct attach_msg *m,
			    char *why, size_t len)
{
	uint32_t seq = m->hdr.seq;
	uint32_t next;
	int ret;

	pthread_mutex_lock(&p->sock_lock);
	next = p->seq;
	pthread_mutex_unlock(&p->sock_lock);
	if (seq >= NIC_PORT_SEQ_FIRST && seq < next) {
		/* An answer a timed-out request gave up on. */
		log_info("%s: late message %u (seq %u) ignored", p->vd->id,
			 m->hdr.type, seq);
		return 0;
	}
	ret = p->ops->sock_message ? p->ops->sock_message(p, m) : -EPROTO;
	if (ret == 0)
		return 0;
	if (m->hdr.type == ATTACH_MSG_ERROR)
		snprintf(why, len, "error %d: %.*s", m->u.error.err,
			 ATTACH_ERR_MAX - 1, m->u.error.msg);
	else
		snprintf(why, len, "unexpected message %u", m->hdr.type);
	return ret;
}

static void nic_port_sock_ready(void *opaque, int fd, uint32_t revents)
{
	struct nic_port *p = opaque;
	char err[ATTACH_ERR_MAX + 32] = "";
	struct attach_msg m;
	int ret;

	for (;;) {
		/* Not while a vCPU waits for an answer on it. */
		pthread_mutex_lock(&p->sock_lock);
		ret = p->sock >= 0 ? attach_msg_recv(p->sock, &m, 0, err,
						     sizeof(err))
				   : -ECONNRESET;
		pthread_mutex_unlock(&p->sock_lock);
		if (ret == -ETIMEDOUT) {
			if (revents & (POLLHUP | POLLERR))
				nic_port_lost(p, "socket error");
			return;
		}
		if (ret < 0) {
			nic_port_lost(p, ret == -ECONNRESET
				      ? "connection closed"
				      : err[0] ? err : strerror(-ret));
			return;
		}
		ret = nic_port_unasked(p, &m, err, sizeof(err));
		attach_msg_close_fds(&m);
		if (ret < 0) {
			nic_port_lost(p, err);
			return;
		}
	}
}

/* ---- set-up ---- */

int nic_port_guest_mem(const struct nic_port *p, struct attach_req *req,
		       int *fds, unsigned *nfds)
{
	const struct guest_mem *gm = &p->vmm->mem;

	if (req->nregions + gm->nregions > ATTACH_MAX_REGIONS ||
	    *nfds >= ATTACH_MAX_FDS)
		return -E2BIG;
	for (unsigned i = 0; i < gm->nregions; i++)
		req->regions[req->nregions++] = (struct attach_region){
			.gpa = gm->regions[i].gpa,
			.size = gm->regions[i].size,
			.offset = gm->regions[i].fd_offset,
			.fd_index = *nfds,
		};
	fds[(*nfds)++] = gm->fd;
	return 0;
}

/*
 * Connect, ATTACH, watch. 0, or -errno with the reason in @err and
 * nothing left open. Logs nothing: a reconnect tries quietly.
 */
static int nic_port_attach_try(struct nic_port *p, char *err, size_t errlen)
{
	char client[ATTACH_NAME_MAX];
	int fds[ATTACH_MAX_FDS];
	/* attach_prepare adds to it: start from the options' each time. */
	struct attach_req req = p->req;
	struct attach_client_info info;
	unsigned nfds = 0;
	int ret;

	err[0] = '\0';
	ret = p->ops->attach_prepare(p, &req, fds, &nfds);
	if (ret == 0) {
		snprintf(client, sizeof(client), "iopath-vmm %.19s",
			 p->vmm->name);
		ret = attach_client_open(p->path, client, &req, fds, nfds,
					 &info, err, errlen);
	}
	if (ret < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	p->port_id = info.port_id;
	p->features = info.features;
	/* A new port: it logs nothing until asked; it announced (if asked:
	 * once, after an incoming migration). */
	p->dirty_logged = false;
	p->req.flags &= ~ATTACH_F_ANNOUNCE;
	/* A vCPU may run (a reconnect) but has no socket to use yet. */
	pthread_mutex_lock(&p->sock_lock);
	p->sock = ret;
	p->lost = false;
	pthread_mutex_unlock(&p->sock_lock);
	ret = evloop_add_fd(p->vmm->loop, p->sock, POLLIN,
			    nic_port_sock_ready, p);
	if (ret == 0) {
		p->watching = true;
		if (p->ops->attached)
			ret = p->ops->attached(p);
	}
	if (ret < 0) {
		snprintf(err, errlen, "watching the port: %s", strerror(-ret));
		nic_port_drop(p);
		return ret;
	}
	return 0;
}

static int nic_port_attach(struct nic_port *p)
{
	char err[ATTACH_ERR_MAX];
	int ret = nic_port_attach_try(p, err, sizeof(err));

	if (ret < 0) {
		log_err("%s: cannot attach to switch %s: %s", p->vd->id,
			p->path, err);
		return ret;
	}
	log_info("%s: attached to switch %s as %s port %s (id %u)", p->vd->id,
		 p->path, p->ops->name, p->port, p->port_id);
	return 0;
}

/* ---- reconnect ---- */

static void nic_port_retry(void *opaque);

static void nic_port_retry_arm(struct nic_port *p)
{
	int64_t id = evloop_add_timer(p->vmm->loop,
				      p->retry_ms * 1000000ull, false,
				      nic_port_retry, p);

	if (id < 0) {
		log_err("%s: cannot schedule a reconnect (%s): the link "
			"stays down", p->vd->id, strerror((int)-id));
		return;
	}
	p->retry_timer = id;
}

static void nic_port_retry_start(struct nic_port *p)
{
	nic_port_retry_cancel(p);
	p->retries = 0;
	p->retry_ms = NIC_PORT_RETRY_FIRST_MS;
	p->lost_ms = clock_mono_ms();
	p->retry_err[0] = '\0';
	nic_port_retry_arm(p);
}

/* One try, on the loop's timer; the next one armed if it failed. */
static void nic_port_retry(void *opaque)
{
	struct nic_port *p = opaque;
	char err[ATTACH_ERR_MAX];

	p->retry_timer = 0;
	if (p->unplugged)
		return;
	p->retries++;
	if (nic_port_attach_try(p, err, sizeof(err)) < 0) {
		/* Once per loss, not once per try. */
		if (!p->retry_err[0])
			log_info("%s: switch %s not back (%s); trying again "
				 "every %u ms at most", p->vd->id, p->path,
				 err, NIC_PORT_RETRY_MAX_MS);
		snprintf(p->retry_err, sizeof(p->retry_err), "%s", err);
		p->retry_ms = p->retry_ms * 2 < NIC_PORT_RETRY_MAX_MS
				      ? p->retry_ms * 2
				      : NIC_PORT_RETRY_MAX_MS;
		nic_port_retry_arm(p);
		return;
	}
	p->reconnects++;
	log_info("%s: reattached to switch %s as %s port %s (id %u) after "
		 "%u tries, %llu ms down; link up", p->vd->id, p->path,
		 p->ops->name, p->port, p->port_id, p->retries,
		 (unsigned long long)(clock_mono_ms() - p->lost_ms));
	/* The switch side first (pv: the backend from the rings' indices),
	 * so the guest finds a working port when it sees the link. */
	if (p->ops->resumed)
		p->ops->resumed(p);
	p->ops->set_link(p->vd, true);
}

int nic_port_add(struct vmm *vmm, const struct nic_port_ops *ops,
		 const char *opts, unsigned index)
{
	struct nic_port *p;
	unsigned slot;
	char id[16];
	int ret;

	for (slot = 0; slot < NIC_PORT_MAX && nic_ports[slot]; slot++)
		;
	if (slot == NIC_PORT_MAX) {
		log_err("--nic: at most %d NICs", NIC_PORT_MAX);
		return -ENOSPC;
	}
	p = nic_port_new(vmm, ops);
	if (!p)
		return -errno;
	ret = nic_port_opts(p, opts, index, &p->req);
	if (ret < 0) {
		nic_port_free(p);
		return ret;
	}
	snprintf(id, sizeof(id), "nic%u", index);
	p->vd = vdev_create(vmm, ops->model, id, opts);
	if (!p->vd) {
		ret = -errno;
		nic_port_free(p);
		return ret;
	}
	nic_ports[slot] = p;
	ops->get_mac(p->vd, p->req.mac);
	/* From here the device owns the port: its teardown frees it. */
	ops->plug(p);
	if (nic_port_deferred) {
		p->attach_owed = true;
		/* The VMM cannot send this path's frames: the switch
		 * announces the VM when its port attaches. */
		if (!ops->send_frame)
			p->req.flags |= ATTACH_F_ANNOUNCE;
		log_info("%s: switch %s: attach at resume", id,
			 p->path[0] ? p->path : "none");
		return 0;
	}
	if (!p->path[0]) {
		log_info("%s: no switch: %s", id, ops->unattached_note);
		if (ops->unattached_link)
			ops->set_link(p->vd, true);
		return 0;
	}
	ret = nic_port_attach(p);
	if (ret < 0)
		return ret;
	ops->set_link(p->vd, true);
	return 0;
}

/* ---- migration ---- */

void nic_port_defer_attach(bool defer)
{
	nic_port_deferred = defer;
}

/*
 * Give the port up and wait for the switch's close (wire/PROTOCOL.md,
 * DETACH): the switch has then stopped reading and writing the port's
 * guest RAM. Loop thread, or the loop not running.
 */
static void nic_port_detach_acked(struct nic_port *p)
{
	int ret;

	nic_port_unwatch(p);
	pthread_mutex_lock(&p->sock_lock);
	ret = attach_client_detach(p->sock, NIC_PORT_DETACH_WAIT_MS);
	if (ret < 0)
		log_warn("%s: switch %s did not confirm the detach: %s",
			 p->vd->id, p->path, strerror(-ret));
	close(p->sock);
	p->sock = -1;
	pthread_mutex_unlock(&p->sock_lock);
}

void nic_port_detach_all(struct vmm *vmm)
{
	for (unsigned i = 0; i < NIC_PORT_MAX; i++) {
		struct nic_port *p = nic_ports[i];

		if (!p || p->vmm != vmm || p->attach_owed || p->unplugged)
			continue;
		/* A port waiting for its switch to come back waits for the
		 * resume instead (the destination has the MAC meanwhile). */
		if (p->retry_timer > 0) {
			nic_port_retry_cancel(p);
			p->attach_owed = true;
			continue;
		}
		/* A port without a switch, or whose switch is lost, has
		 * nothing to detach and nothing to attach again. */
		if (!p->path[0] || p->sock < 0)
			continue;
		/* Acked: the last copy of guest RAM must not race the
		 * switch's last writes into it (a pv ring index copied
		 * after the switch advanced it, its buffer before). */
		nic_port_detach_acked(p);
		p->attach_owed = true;
		log_info("%s: detached from switch %s for the switch-over",
			 p->vd->id, p->path);
	}
}

int nic_port_attach_all(struct vmm *vmm)
{
	int failed = 0;

	for (unsigned i = 0; i < NIC_PORT_MAX; i++) {
		struct nic_port *p = nic_ports[i];

		if (!p || p->vmm != vmm || !p->attach_owed)
			continue;
		p->attach_owed = false;
		if (!p->path[0]) {
			if (p->ops->unattached_link)
				p->ops->set_link(p->vd, true);
		} else if (nic_port_attach(p) < 0) {
			/* As if the switch were lost: the VM runs on, and
			 * (reconnect) the port tries again. */
			failed++;
			nic_port_down(p);
			continue;
		} else {
			p->ops->set_link(p->vd, true);
		}
		if (p->ops->resumed)
			p->ops->resumed(p);
	}
	return failed;
}

void nic_port_unplug(struct nic_port *p)
{
	if (p->unplugged)
		return;
	p->unplugged = true;
	/* Off for good until the replug: no reconnect brings it back. */
	nic_port_retry_cancel(p);
	if (p->sock >= 0)
		nic_port_detach_acked(p);
	p->ops->set_link(p->vd, false);
	if (p->ops->unplugged)
		p->ops->unplugged(p);
	log_info("%s: unplugged%s%s; link down", p->vd->id,
		 p->path[0] ? " from switch " : "", p->path);
}

int nic_port_replug(struct nic_port *p)
{
	int ret = 0;

	if (!p->unplugged)
		return 0;
	p->unplugged = false;
	if (!p->path[0]) {
		if (p->ops->unattached_link)
			p->ops->set_link(p->vd, true);
		return 0;
	}
	ret = nic_port_attach(p);
	if (ret < 0) {
		nic_port_down(p);
		return ret;
	}
	/* The switch side first, as after a reconnect. */
	if (p->ops->resumed)
		p->ops->resumed(p);
	p->ops->set_link(p->vd, true);
	log_info("%s: replugged; link up", p->vd->id);
	return 0;
}

/* One announcement round: RARP and gratuitous ARP from each NIC. */
static void nic_port_announce_round(struct vmm *vmm, bool first)
{
	uint8_t rarp[NIC_ANNOUNCE_FRAME_LEN], garp[NIC_ANNOUNCE_FRAME_LEN];
	uint8_t mac[6];

	for (unsigned i = 0; i < NIC_PORT_MAX; i++) {
		struct nic_port *p = nic_ports[i];

		if (!p || p->vmm != vmm || !p->path[0] || p->sock < 0)
			continue;
		if (!p->ops->send_frame) {
			/* No VMM data path (pv, vf): the switch announces
			 * on the port's behalf (ATTACH_F_ANNOUNCE). */
			if (first)
				log_info("%s: the %s path's announcement is "
					 "the switch's%s", p->vd->id,
					 p->ops->name,
					 (p->features & ATTACH_FEAT_ANNOUNCE) ?
					 "" : " (this one does not: it learns "
					 "the MAC from the guest's first "
					 "frame)");
			continue;
		}
		p->ops->get_mac(p->vd, mac);
		nic_announce_rarp(rarp, mac);
		nic_announce_garp(garp, mac);
		if (p->ops->send_frame(p, rarp, sizeof(rarp)) < 0 ||
		    p->ops->send_frame(p, garp, sizeof(garp)) < 0)
			log_warn("%s: announcement not sent", p->vd->id);
	}
}

/* The schedule (one VM per process): the round due next. */
static struct {
	struct vmm *vmm;
	unsigned round;
} nic_announce_state;

static void nic_port_announce_timer(void *opaque)
{
	struct vmm *vmm = opaque;
	unsigned r = nic_announce_state.round++;

	nic_port_announce_round(vmm, r == 0);
	if (r + 1 < NIC_ANNOUNCE_ROUNDS &&
	    evloop_add_timer(vmm->loop,
			     nic_announce_delay_ms(r + 1) * 1000000ull, false,
			     nic_port_announce_timer, vmm) < 0)
		log_warn("announcement round %u not scheduled", r + 2);
}

void nic_port_announce_all(struct vmm *vmm)
{
	nic_announce_state.vmm = vmm;
	nic_announce_state.round = 0;
	/* Round 1 now, the rest on the loop. */
	nic_port_announce_timer(vmm);
}

/* ---- requests, from a device call ---- */

int nic_port_request(struct nic_port *p, uint16_t type, const void *body,
		     size_t len, const int *fds, unsigned nfds,
		     int timeout_ms, char *err, size_t errlen)
{
	return nic_port_call(p, type, body, len, fds, nfds,
			     ATTACH_MSG_ATTACH_ACK, NULL, timeout_ms, err,
			     errlen);
}

int nic_port_call(struct nic_port *p, uint16_t type, const void *body,
		  size_t len, const int *fds, unsigned nfds, uint16_t answer,
		  struct attach_msg *out, int timeout_ms, char *err,
		  size_t errlen)
{
	uint64_t end = clock_mono_ms() + (uint64_t)timeout_ms;
	struct attach_msg m;
	uint32_t seq;
	int ret;

	err[0] = '\0';
	pthread_mutex_lock(&p->sock_lock);
	if (p->sock < 0) {
		pthread_mutex_unlock(&p->sock_lock);
		snprintf(err, errlen, "no switch");
		return -ENOTCONN;
	}
	seq = p->seq++;
	ret = attach_msg_send(p->sock, type, seq, body, len, fds, nfds);
	while (ret == 0) {
		uint64_t now = clock_mono_ms();

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
			log_info("%s: ignoring message %u (seq %u) while "
				 "waiting for answer %u", p->vd->id,
				 m.hdr.type, m.hdr.seq, seq);
			continue;
		}
		if (m.hdr.type == answer) {
			if (out)
				*out = m;
			break;
		}
		if (m.hdr.type == ATTACH_MSG_ERROR) {
			snprintf(err, errlen, "%.*s", ATTACH_ERR_MAX - 1,
				 m.u.error.msg);
			ret = m.u.error.err > 0 ? -m.u.error.err : -EPROTO;
			/* A refusal must not read as "no switch" or "no
			 * answer". */
			if (ret == -ENOTCONN || ret == -ETIMEDOUT ||
			    ret == -ECONNRESET)
				ret = -EPROTO;
			break;
		}
		snprintf(err, errlen, "unexpected answer %u", m.hdr.type);
		ret = -EPROTO;
	}
	if (ret < 0 && !err[0])
		snprintf(err, errlen, "%s", strerror(-ret));
	pthread_mutex_unlock(&p->sock_lock);
	return ret;
}

int nic_port_send(struct nic_port *p, uint16_t type, const void *body,
		  size_t len)
{
	int ret = -ENOTCONN;

	pthread_mutex_lock(&p->sock_lock);
	if (p->sock >= 0)
		ret = attach_msg_send(p->sock, type, p->seq++, body, len, NULL,
				      0);
	pthread_mutex_unlock(&p->sock_lock);
	return ret;
}

/* ---- stats ---- */

struct nic_port *nic_port_of_vdev(const struct vdev *vd)
{
	for (unsigned i = 0; i < NIC_PORT_MAX; i++)
		if (nic_ports[i] && nic_ports[i]->vd == vd)
			return nic_ports[i];
	return NULL;
}

json_t *nic_port_stats(struct vmm *vmm, const struct nic_port_ops *ops)
{
	json_t *arr = json_array();

	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		struct nic_port *p;
		json_t *st;

		if (strcmp(vd->ops->name, ops->model))
			continue;
		st = ops->dev_stats(vd);
		p = nic_port_of_vdev(vd);
		if (p) {
			json_object_set_new(st, "switch",
					    json_string(p->path[0] ? p->path
								   : "none"));
			json_object_set_new(st, "port", json_string(p->port));
			json_counter_set(st, "switch_reconnects",
					 p->reconnects);
			if (ops->port_stats)
				ops->port_stats(p, st);
		}
		if (ops->stats_log)
			ops->stats_log(vd, st);
		json_array_append_new(arr, st);
	}
	return arr;
}

/* ---- migration: the switch's writes into guest RAM ---- */

/*
 * A port whose switch writes guest RAM itself (pv, vf: not pktchan). An
 * unplugged one does not: its switch let go of it before the copy began.
 */
static bool nic_port_shares_ram(const struct nic_port *p)
{
	return p->ops->kind != ATTACH_KIND_PKTCHAN && p->path[0] &&
	       !p->unplugged;
}

int nic_port_dirty_log_all(struct vmm *vmm, int fd, uint64_t size)
{
	struct attach_dirty_log d = { .on = fd >= 0, .size = size };
	char err[ATTACH_ERR_MAX];
	int missing = 0, ret;

	for (unsigned i = 0; i < NIC_PORT_MAX; i++) {
		struct nic_port *p = nic_ports[i];

		if (!p || p->vmm != vmm || !nic_port_shares_ram(p))
			continue;
		if (fd < 0) {
			if (p->dirty_logged && p->sock >= 0)
				nic_port_request(p, ATTACH_MSG_DIRTY_LOG, &d,
						 sizeof(d), NULL, 0,
						 NIC_PORT_LOG_WAIT_MS, err,
						 sizeof(err));
			p->dirty_logged = false;
			continue;
		}
		p->dirty_logged = false;
		if (p->sock < 0 || !(p->features & ATTACH_FEAT_DIRTY_LOG)) {
			missing++;
			continue;
		}
		ret = nic_port_request(p, ATTACH_MSG_DIRTY_LOG, &d, sizeof(d),
				       &fd, 1, NIC_PORT_LOG_WAIT_MS, err,
				       sizeof(err));
		if (ret < 0) {
			log_warn("%s: switch %s does not log its writes to "
				 "guest RAM: %s", p->vd->id, p->path,
				 err[0] ? err : strerror(-ret));
			missing++;
			continue;
		}
		p->dirty_logged = true;
	}
	return missing;
}

bool nic_port_dirty_logged(struct vmm *vmm)
{
	for (unsigned i = 0; i < NIC_PORT_MAX; i++) {
		const struct nic_port *p = nic_ports[i];

		if (p && p->vmm == vmm && nic_port_shares_ram(p) &&
		    !p->dirty_logged)
			return false;
	}
	return true;
}
