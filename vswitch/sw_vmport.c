// SPDX-License-Identifier: MIT
/*
 * VM ports: the attach socket (wire/PROTOCOL.md), whose connections
 * create the pktchan (sw_chanport.c) and pv (sw_pvport.c) port kinds, or
 * claim a VF of a hosted SR-IOV NIC (sw_vfrep.c).
 *
 * One SOCK_SEQPACKET connection carries one port, and the port lives
 * exactly as long as the connection: HELLO, ATTACH (with fds), then the
 * connection just stays open; DETACH or a hang-up removes the port. A
 * client that sends anything out of turn or malformed gets an ERROR and
 * loses its connection (and port); nothing else is affected. Everything
 * here runs on the control thread's evloop.
 *
 * Port kinds are a table: each kind's create function turns the ATTACH
 * message (regions, fds) into a struct sw_port with its own sw_port_ops.
 * The vf kind makes no port: its claim function binds a VF to the
 * connection and hands back the VF's representor, which exists from the
 * switch's start and stays when the connection goes (its release op lets
 * the VF go). What a kind says on the connection after ATTACH goes to
 * the port's attach_msg op.
 *
 * Only the switch's owner may attach (base/usock.h): the socket is 0600,
 * a stale socket of ours is the only file it replaces, and each
 * connection's SO_PEERCRED is checked on accept. A connection that has
 * not attached within SW_VMCONN_ATTACH_MS is closed, and at most
 * SW_VMCONN_PENDING_MAX wait at once: a new one closes the oldest that
 * has not even said HELLO (or, failing that, the oldest waiting), so
 * silent connections cannot lock out the next VM.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOG_SUBSYS "vmport"
#include "base/clock.h"
#include "base/json_counters.h"
#include "base/log.h"
#include "base/usock.h"
#include "core/evloop.h"
#include "vswitch/sw.h"

/* Connections that have not attached yet: how many, and for how long. */
#define SW_VMCONN_PENDING_MAX	16
#define SW_VMCONN_ATTACH_MS	2000
#define SW_VMCONN_SWEEP_NS	(250 * 1000000ull)
/* Half-open connections count too: a client cannot exhaust our fds. */
#define SW_VMCONN_MAX	(SW_MAX_PORTS + SW_VMCONN_PENDING_MAX)

enum sw_vmconn_state {
	SW_VC_HELLO,		/* waiting for HELLO */
	SW_VC_ATTACH,		/* waiting for ATTACH */
	SW_VC_ATTACHED,		/* port up; only DETACH or hang-up now */
};

struct sw_vmconn {
	struct sw_vmconn *next;
	struct sw *sw;
	int fd;
	enum sw_vmconn_state state;
	uint64_t since_ms;		/* accepted at (clock_mono_ms) */
	char client[ATTACH_NAME_MAX];
	struct sw_port *port;
};

struct sw_vmlisten {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sw_vmconn *conns;
	unsigned nconns;
	unsigned npending;		/* not SW_VC_ATTACHED */
	int64_t sweep_timer;		/* 0: not armed */
	uint64_t accepted, refused;
	uint64_t denied;		/* not the switch's owner */
	uint64_t timed_out;		/* no ATTACH in time */
	uint64_t evicted;		/* made room for a newer one */
};

/* ---- port kinds the attach protocol can create ---- */

static const struct sw_vmkind {
	uint16_t kind;
	const char *name;
	/* A new port (pktchan, pv), or ... */
	int (*create)(struct sw *sw, int conn_fd, struct attach_msg *m,
		      struct sw_port *p, char *err, size_t errlen);
	/* ... an existing one the connection takes (vf). */
	int (*claim)(struct sw *sw, int conn_fd, struct attach_msg *m,
		     struct sw_port **out, char *err, size_t errlen);
} sw_vmkinds[] = {
	{ ATTACH_KIND_PKTCHAN, "pktchan", sw_chanport_create, NULL },
	{ ATTACH_KIND_PV, "pv", sw_pvport_create, NULL },
	{ ATTACH_KIND_VF, "vf", NULL, sw_vfrep_claim },
};

static const struct sw_vmkind *sw_vmkind_find(uint16_t kind)
{
	for (size_t i = 0; i < sizeof(sw_vmkinds) / sizeof(*sw_vmkinds); i++)
		if (sw_vmkinds[i].kind == kind)
			return &sw_vmkinds[i];
	return NULL;
}

/* ---- connections (control thread) ---- */

static void sw_vmconn_close(struct sw_vmconn *c, const char *why)
{
	struct sw *sw = c->sw;
	struct sw_vmlisten *l = sw->vmlisten;
	struct sw_vmconn **pp;

	if (c->port && c->port->ops->release) {
		c->port->ops->release(c->port, why);
		c->port = NULL;
	} else if (c->port) {
		sw_port_remove(sw, c->port, why);
		c->port = NULL;
	} else if (c->state != SW_VC_ATTACHED)
		log_debug("attach client %s gone: %s",
			  c->client[0] ? c->client : "?", why);
	evloop_del_fd(sw->loop, c->fd);
	/* The close is the detach ack (PROTOCOL.md §3): hang up now, not
	 * when the cancelled poll lets go of the file (evloop.h). */
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	for (pp = &l->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	l->nconns--;
	if (c->state != SW_VC_ATTACHED)
		l->npending--;
	free(c);
}

static void sw_vmconn_error(struct sw_vmconn *c, uint32_t seq, int err,
			    const char *msg)
{
	struct attach_error e = { .err = err };

	snprintf(e.msg, sizeof(e.msg), "%s", msg);
	attach_msg_send(c->fd, ATTACH_MSG_ERROR, seq, &e, sizeof(e), NULL, 0);
}

static int sw_vmconn_hello(struct sw_vmconn *c, struct attach_msg *m)
{
	struct attach_hello_ack ack = { .version = ATTACH_VERSION };

	if (m->u.hello.version_min > ATTACH_VERSION ||
	    m->u.hello.version_max < ATTACH_VERSION) {
		sw_vmconn_error(c, m->hdr.seq, EPROTONOSUPPORT,
				"no common protocol version");
		return -EPROTONOSUPPORT;
	}
	snprintf(c->client, sizeof(c->client), "%s", m->u.hello.client);
	for (size_t i = 0; i < sizeof(sw_vmkinds) / sizeof(*sw_vmkinds); i++)
		ack.features |= 1u << sw_vmkinds[i].kind;
	/* pv ports log and announce; other kinds refuse DIRTY_LOG (an
	 * ERROR, the port stays) and take no announcement. */
	ack.features |= ATTACH_FEAT_DIRTY_LOG | ATTACH_FEAT_ANNOUNCE;
	snprintf(ack.server, sizeof(ack.server), "iopath-switch %s",
		 c->sw->opts.name);
	c->state = SW_VC_ATTACH;
	return attach_msg_send(c->fd, ATTACH_MSG_HELLO_ACK, m->hdr.seq, &ack,
			       sizeof(ack), NULL, 0);
}

static int sw_vmconn_attach(struct sw_vmconn *c, struct attach_msg *m)
{
	const struct attach_req *req = &m->u.attach;
	struct sw *sw = c->sw;
	const struct sw_vmkind *kind = sw_vmkind_find(req->kind);
	struct attach_ack ack = { 0 };
	struct sw_port *p;
	char err[ATTACH_ERR_MAX];
	int id, ret;

	if (!kind) {
		snprintf(err, sizeof(err),
			 "port kind %u is not supported by this switch",
			 req->kind);
		ret = -EPROTONOSUPPORT;
		goto refuse;
	}
	if (kind->claim) {
		ret = kind->claim(sw, c->fd, m, &p, err, sizeof(err));
		if (ret < 0)
			goto refuse;
		goto attached;
	}
	if (!req->port[0]) {
		snprintf(err, sizeof(err), "empty port name");
		ret = -EINVAL;
		goto refuse;
	}
	if (sw_port_find(sw, req->port) || sw_team_find(sw, req->port)) {
		snprintf(err, sizeof(err), "port \"%s\" exists", req->port);
		ret = -EEXIST;
		goto refuse;
	}
	if (mac_is_multicast(req->mac)) {
		snprintf(err, sizeof(err), "multicast MAC");
		ret = -EINVAL;
		goto refuse;
	}
	id = sw_port_alloc_id(sw);
	if (id < 0) {
		snprintf(err, sizeof(err), "switch full (%d ports)",
			 SW_MAX_PORTS);
		ret = id;
		goto refuse;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, sizeof(err), "out of memory");
		ret = -ENOMEM;
		goto refuse;
	}
	p->sw = sw;
	p->id = (unsigned)id;
	snprintf(p->name, sizeof(p->name), "%s", req->port);
	snprintf(p->vm, sizeof(p->vm), "%s", req->vm);
	memcpy(p->mac, req->mac, 6);
	if (req->vlan_mode == ATTACH_VLAN_ACCESS) {
		ret = vlan_cfg_access(&p->vlan, req->vlan ? req->vlan : 1);
	} else if (req->vlan_mode == ATTACH_VLAN_TRUNK) {
		ret = vlan_cfg_trunk(&p->vlan, req->vlan);
		for (unsigned v = 1; ret == 0 && v <= VLAN_VID_MAX; v++)
			vlan_cfg_allow(&p->vlan, (uint16_t)v, true);
	} else {
		ret = -EINVAL;
	}
	if (ret < 0) {
		snprintf(err, sizeof(err), "bad VLAN mode %u / VID %u",
			 req->vlan_mode, req->vlan);
		free(p);
		goto refuse;
	}
	p->admin_up = true;
	atomic_store(&p->link_up, true);
	ret = kind->create(sw, c->fd, m, p, err, sizeof(err));
	if (ret < 0) {
		free(p);
		goto refuse;
	}
	ret = sw_port_add(sw, p);
	if (ret < 0) {
		snprintf(err, sizeof(err), "cannot add port: %s",
			 strerror(-ret));
		p->ops->destroy(p);
		goto refuse;
	}
attached:
	c->port = p;
	c->state = SW_VC_ATTACHED;
	sw->vmlisten->npending--;
	ack.port_id = p->id;
	return attach_msg_send(c->fd, ATTACH_MSG_ATTACH_ACK, m->hdr.seq, &ack,
			       sizeof(ack), NULL, 0);
refuse:
	log_guest_warn("attach of \"%.*s\" from %s refused: %s",
		       ATTACH_NAME_MAX, req->port,
		       c->client[0] ? c->client : "?", err);
	sw_vmconn_error(c, m->hdr.seq, -ret, err);
	return ret;
}

/* Handle one message; < 0 means drop the connection. */
static int sw_vmconn_msg(struct sw_vmconn *c, struct attach_msg *m)
{
	switch (m->hdr.type) {
	case ATTACH_MSG_HELLO:
		if (c->state == SW_VC_HELLO)
			return sw_vmconn_hello(c, m);
		break;
	case ATTACH_MSG_ATTACH:
		if (c->state == SW_VC_ATTACH)
			return sw_vmconn_attach(c, m);
		break;
	case ATTACH_MSG_DETACH:
		if (c->state == SW_VC_ATTACHED)
			return -ECONNRESET;	/* a clean goodbye */
		break;
	default:
		/* The kind's own conversation after ATTACH (pv: PV_CONFIG). */
		if (c->state == SW_VC_ATTACHED && c->port &&
		    c->port->ops->attach_msg) {
			int ret = c->port->ops->attach_msg(c->port, c->fd, m);

			if (ret != -ENOMSG)
				return ret;
		}
		/* We advertise DIRTY_LOG: a kind without it says no and
		 * keeps its port (the VMM falls back on resending RAM). */
		if (c->state == SW_VC_ATTACHED &&
		    m->hdr.type == ATTACH_MSG_DIRTY_LOG) {
			sw_vmconn_error(c, m->hdr.seq, EOPNOTSUPP,
					"this port kind does not log its "
					"writes to guest RAM");
			return 0;
		}
		break;
	}
	sw_vmconn_error(c, m->hdr.seq, EPROTO, "unexpected message");
	return -EPROTO;
}

static void sw_vmconn_event(void *opaque, int fd, uint32_t revents)
{
	struct sw_vmconn *c = opaque;

	for (;;) {
		struct attach_msg m;
		char err[ATTACH_ERR_MAX];
		int ret = attach_msg_recv(fd, &m, 0, err, sizeof(err));

		if (ret == -ETIMEDOUT)
			return;		/* drained */
		if (ret == -ECONNRESET) {
			sw_vmconn_close(c, "client closed the connection");
			return;
		}
		if (ret < 0) {
			log_guest_warn("attach client %s: %s",
				       c->client[0] ? c->client : "?", err);
			sw_vmconn_error(c, 0, -ret, err);
			sw_vmconn_close(c, "malformed attach message");
			return;
		}
		ret = sw_vmconn_msg(c, &m);
		attach_msg_close_fds(&m);
		if (ret < 0) {
			sw_vmconn_close(c, ret == -ECONNRESET ? "detached" :
				"attach protocol error");
			return;
		}
	}
}

/* Rather give up @a than @b? One that has not said HELLO before one
 * that has (a VMM sends HELLO and ATTACH at once); then the older. */
static bool sw_vmconn_worse(const struct sw_vmconn *a,
			    const struct sw_vmconn *b)
{
	bool a_idle = a->state == SW_VC_HELLO;
	bool b_idle = b->state == SW_VC_HELLO;

	if (a_idle != b_idle)
		return a_idle;
	return a->since_ms <= b->since_ms;
}

/* The waiting connection to give up for a newer one. */
static struct sw_vmconn *sw_vmconn_victim(struct sw_vmlisten *l)
{
	struct sw_vmconn *worst = NULL;

	for (struct sw_vmconn *c = l->conns; c; c = c->next)
		if (c->state != SW_VC_ATTACHED &&
		    (!worst || sw_vmconn_worse(c, worst)))
			worst = c;
	return worst;
}

static void sw_vmlisten_sweep(void *opaque);

/* A sweep in SW_VMCONN_SWEEP_NS while connections wait. */
static void sw_vmlisten_arm(struct sw *sw)
{
	struct sw_vmlisten *l = sw->vmlisten;
	int64_t id;

	if (l->sweep_timer || !l->npending)
		return;
	id = evloop_add_timer(sw->loop, SW_VMCONN_SWEEP_NS, false,
			      sw_vmlisten_sweep, sw);
	if (id > 0)
		l->sweep_timer = id;
}

/* Close connections that have not attached within SW_VMCONN_ATTACH_MS. */
static void sw_vmlisten_sweep(void *opaque)
{
	struct sw *sw = opaque;
	struct sw_vmlisten *l = sw->vmlisten;
	uint64_t now = clock_mono_ms();
	struct sw_vmconn *c, *next;

	l->sweep_timer = 0;
	for (c = l->conns; c; c = next) {
		next = c->next;
		if (c->state == SW_VC_ATTACHED ||
		    now - c->since_ms < SW_VMCONN_ATTACH_MS)
			continue;
		l->timed_out++;
		log_guest_warn("attach client %s: no ATTACH within %d ms: "
			       "closed", c->client[0] ? c->client : "?",
			       SW_VMCONN_ATTACH_MS);
		sw_vmconn_error(c, 0, ETIMEDOUT, "no ATTACH in time");
		sw_vmconn_close(c, "attach timeout");
	}
	sw_vmlisten_arm(sw);
}

/* Take connection @cfd, if its peer may attach and there is room. */
static void sw_vmlisten_take(struct sw *sw, int cfd)
{
	struct sw_vmlisten *l = sw->vmlisten;
	struct sw_vmconn *c;
	uid_t uid = (uid_t)-1;
	int ret = usock_peer_check(cfd, &uid);

	if (ret < 0) {
		struct attach_error e = { .err = EACCES };

		l->denied++;
		snprintf(e.msg, sizeof(e.msg), "permission denied: uid %d "
			 "is not the switch's owner or root",
			 uid == (uid_t)-1 ? -1 : (int)uid);
		log_guest_warn("attach connection of uid %d refused: %s",
			       uid == (uid_t)-1 ? -1 : (int)uid,
			       strerror(-ret));
		attach_msg_send(cfd, ATTACH_MSG_ERROR, 0, &e, sizeof(e), NULL,
				0);
		usock_hangup(cfd);
		return;
	}
	if (l->npending >= SW_VMCONN_PENDING_MAX) {
		c = sw_vmconn_victim(l);
		l->evicted++;
		log_guest_warn("%u attach connections waiting: closing the "
			       "oldest idle one", l->npending);
		sw_vmconn_error(c, 0, EAGAIN, "too many waiting connections");
		sw_vmconn_close(c, "made room for a newer connection");
	}
	if (l->nconns >= SW_VMCONN_MAX || !(c = calloc(1, sizeof(*c)))) {
		l->refused++;
		log_guest_warn("attach connection refused: %u open",
			       l->nconns);
		close(cfd);
		return;
	}
	c->sw = sw;
	c->fd = cfd;
	c->since_ms = clock_mono_ms();
	if (evloop_add_fd(sw->loop, cfd, POLLIN, sw_vmconn_event, c) < 0) {
		close(cfd);
		free(c);
		return;
	}
	c->next = l->conns;
	l->conns = c;
	l->nconns++;
	l->npending++;
	l->accepted++;
	sw_vmlisten_arm(sw);
}

static void sw_vmlisten_event(void *opaque, int fd, uint32_t revents)
{
	for (;;) {
		int cfd = accept4(fd, NULL, NULL,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN, or a transient error */
		}
		sw_vmlisten_take(opaque, cfd);
	}
}

/* The connection that holds @p, or NULL. */
static struct sw_vmconn *sw_vmconn_of(const struct sw_port *p)
{
	struct sw_vmlisten *l = p->sw->vmlisten;

	for (struct sw_vmconn *c = l ? l->conns : NULL; c; c = c->next)
		if (c->port == p)
			return c;
	return NULL;
}

void sw_vmport_disconnect(struct sw_port *p, const char *why)
{
	struct sw_vmconn *c = sw_vmconn_of(p);

	if (c)
		sw_vmconn_close(c, why);
	else
		sw_port_remove(p->sw, p, why);
}

/*
 * Called on the forwarding thread for show-ports, while the control
 * thread (the only one that changes connections) waits in sw_fwd_exec.
 */
const char *sw_vmport_client(struct sw_port *p)
{
	struct sw_vmconn *c = sw_vmconn_of(p);

	return c ? c->client : "";
}

int sw_vmlisten_start(struct sw *sw, const char *path)
{
	struct sw_vmlisten *l;
	char why[256];
	int ret;

	if (strlen(path) >= sizeof(l->path))
		return -ENAMETOOLONG;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	snprintf(l->path, sizeof(l->path), "%s", path);
	/* 0600; replaces only a stale socket of ours (a previous run's) */
	l->fd = usock_listen(path, SOCK_SEQPACKET, 16, why, sizeof(why));
	if (l->fd < 0) {
		ret = l->fd;
		log_err("%s", why);
		free(l);
		return ret;
	}
	sw->vmlisten = l;
	ret = evloop_add_fd(sw->loop, l->fd, POLLIN, sw_vmlisten_event, sw);
	if (ret < 0) {
		close(l->fd);
		unlink(path);
		free(l);
		sw->vmlisten = NULL;
	}
	return ret;
}

void sw_vmlisten_stop(struct sw *sw)
{
	struct sw_vmlisten *l = sw->vmlisten;

	if (!l)
		return;
	while (l->conns)
		sw_vmconn_close(l->conns, "switch shutting down");
	if (l->sweep_timer)
		evloop_del_timer(sw->loop, l->sweep_timer);
	evloop_del_fd(sw->loop, l->fd);
	close(l->fd);
	unlink(l->path);
	free(l);
	sw->vmlisten = NULL;
}

json_t *sw_vmlisten_json(struct sw *sw)
{
	struct sw_vmlisten *l = sw->vmlisten;
	json_t *o = json_object();

	if (!l)
		return o;
	json_object_set_new(o, "path", json_string(l->path));
	json_object_set_new(o, "connections", json_integer(l->nconns));
	json_object_set_new(o, "waiting", json_integer(l->npending));
	JSON_COUNTER(o, *l, accepted);
	JSON_COUNTER(o, *l, refused);
	JSON_COUNTER(o, *l, denied);
	JSON_COUNTER(o, *l, timed_out);
	JSON_COUNTER(o, *l, evicted);
	return o;
}
