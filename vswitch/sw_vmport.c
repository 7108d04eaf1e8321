// SPDX-License-Identifier: MIT
/*
 * VM ports: the attach socket (wire/PROTOCOL.md), whose connections
 * create the pktchan (sw_chanport.c) and pv (sw_pvport.c) port kinds.
 *
 * One SOCK_SEQPACKET connection carries one port, and the port lives
 * exactly as long as the connection: HELLO, ATTACH (with fds), then the
 * connection just stays open; DETACH or a hang-up removes the port. A
 * client that sends anything out of turn or malformed gets an ERROR and
 * loses its connection (and port); nothing else is affected. Everything
 * here runs on the control thread's evloop.
 *
 * Port kinds are a table: each kind's create function turns the ATTACH
 * message (regions, fds) into a struct sw_port with its own sw_port_ops;
 * the vf kind adds a line. What a kind says on the connection after
 * ATTACH goes to its attach_msg op.
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
#include "base/json_counters.h"
#include "base/log.h"
#include "core/evloop.h"
#include "vswitch/sw.h"

/* Half-open connections count too: a client cannot exhaust our fds. */
#define SW_VMCONN_MAX	(SW_MAX_PORTS + 16)

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
	char client[ATTACH_NAME_MAX];
	struct sw_port *port;
};

struct sw_vmlisten {
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct sw_vmconn *conns;
	unsigned nconns;
	uint64_t accepted, refused;
};

/* ---- port kinds the attach protocol can create ---- */

static const struct sw_vmkind {
	uint16_t kind;
	const char *name;
	int (*create)(struct sw *sw, int conn_fd, struct attach_msg *m,
		      struct sw_port *p, char *err, size_t errlen);
} sw_vmkinds[] = {
	{ ATTACH_KIND_PKTCHAN, "pktchan", sw_chanport_create },
	{ ATTACH_KIND_PV, "pv", sw_pvport_create },
	/* ATTACH_KIND_VF: its issue adds it here. */
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

	if (c->port) {
		sw_port_remove(sw, c->port, why);
		c->port = NULL;
	} else if (c->state != SW_VC_ATTACHED)
		log_debug("attach client %s gone: %s",
			  c->client[0] ? c->client : "?", why);
	evloop_del_fd(sw->loop, c->fd);
	close(c->fd);
	for (pp = &l->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	l->nconns--;
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
	c->port = p;
	c->state = SW_VC_ATTACHED;
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

static void sw_vmlisten_event(void *opaque, int fd, uint32_t revents)
{
	struct sw *sw = opaque;
	struct sw_vmlisten *l = sw->vmlisten;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct sw_vmconn *c;

		if (cfd < 0) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN, or a transient error */
		}
		if (l->nconns >= SW_VMCONN_MAX ||
		    !(c = calloc(1, sizeof(*c)))) {
			l->refused++;
			log_guest_warn("attach connection refused: %u open",
				       l->nconns);
			close(cfd);
			continue;
		}
		c->sw = sw;
		c->fd = cfd;
		if (evloop_add_fd(sw->loop, cfd, POLLIN, sw_vmconn_event,
				  c) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		c->next = l->conns;
		l->conns = c;
		l->nconns++;
		l->accepted++;
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
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sw_vmlisten *l;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (l->fd < 0) {
		ret = -errno;
		free(l);
		return ret;
	}
	unlink(path);	/* a stale socket from a previous run */
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, 16) < 0) {
		ret = -errno;
		close(l->fd);
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
	JSON_COUNTER(o, *l, accepted);
	JSON_COUNTER(o, *l, refused);
	return o;
}
