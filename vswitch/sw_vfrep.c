// SPDX-License-Identifier: MIT
/*
 * VF representors, and VMs on VFs.
 *
 * Each VF of a hosted NIC (sw_sriov.c) has a port of kind "vf-rep" named
 * "NIC.vfN", from the switch's start to its end, as DPDK's representor
 * ports and Linux's switchdev representors are. What a representor is
 * here, and what it is not:
 *
 *  - its counters are the VF's: rx is what the VF sent (accepted by the
 *    embedded switch), tx what the VF was given, drops the VF's by
 *    reason (spoofed source: bad_src, VLAN anti-spoofing:
 *    vlan_not_allowed, link down: port_down, runts; tx_drops are frames
 *    for the VF that found no buffer, no link or were too big);
 *  - a capture on it sees every frame the VF's driver posted (spoofed
 *    ones too, before the embedded switch's checks: "rx") and every
 *    frame the VF was given ("tx", without the tag of a port VLAN),
 *    VF-to-VF traffic included;
 *  - it forwards nothing. The VF's traffic to and from the rest of the
 *    network goes through the PF, as on the NIC (DESIGN.md); carrying it
 *    here as well would give the vswitch two ways to the same MAC. So a
 *    representor is a trunk of no VLAN: never in a flood set, nothing
 *    learned behind it, never polled or waited for (no rx_burst).
 *    set-link refuses it: a VF's link is set-vf's "state".
 *
 * A VM attaches to a VF over the attach socket (wire/PROTOCOL.md, "vf
 * ports"): the ATTACH names the NIC in its port field; sw_vfrep_claim()
 * binds the VF and the connection holds the representor. Trapped register
 * accesses arrive as VF_REG on that connection, in order: the model
 * answers reads, writes are posted; VF_FLR resets the function. When the connection goes (or sends
 * something malformed) the VF is detached, what the attach set as the
 * administrator is undone, and the representor stays for the next VM.
 * The switch never waits on the VM: VF_REG is answered at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOG_SUBSYS "vfrep"
#include "base/clock.h"
#include "base/efd.h"
#include "base/log.h"
#include "base/mac.h"
#include "vswitch/sw_sriov.h"

/* ---- the representor (forwarding thread) ---- */

void sw_vfrep_tap(struct sw_vf *v, bool to_vf, const uint8_t *data,
		  unsigned len, bool strip)
{
	struct sw_port *p = v->rep;
	uint8_t *buf = v->s->tap;

	if (!p || !p->cap)
		return;
	/* The guest's view: a port VLAN's tag is gone by the time it
	 * reads the frame (veb.h). */
	if (strip && len >= 18 && len - 4 <= sizeof(v->s->tap)) {
		memcpy(buf, data, 12);
		memcpy(buf + 12, data + 16, len - 16);
		data = buf;
		len -= 4;
	}
	sw_capture_packet(p->cap, to_vf ? SW_CAP_TX : SW_CAP_RX, data, len);
}

/* A representor never gets frames: it carries no VLAN (see above). */
static unsigned sw_vfrep_tx(struct sw_port *p, struct rte_mbuf **pkts,
			    unsigned n)
{
	(void)p;
	(void)pkts;
	(void)n;
	return 0;
}

/* The VF's counters as the port's, from the switch's side of the VF. */
static void sw_vfrep_sync_stats(struct sw_port *p)
{
	struct sw_vf *v = p->priv;
	struct sriov_vf_stats st;

	if (sriov_vf_get_stats(v->s->nic, v->idx, &st) < 0)
		return;
	p->st.rx_packets = st.tx_packets;
	p->st.rx_bytes = st.tx_bytes;
	p->st.tx_packets = st.rx_packets;
	p->st.tx_bytes = st.rx_bytes;
	p->st.tx_drops = st.rx_drop_no_buffer + st.rx_drop_link +
			 st.rx_drop_too_big + st.rx_drop_off;
	p->st.drops[FWD_DROP_BAD_SRC] = st.tx_drop_spoof;
	p->st.drops[FWD_DROP_VLAN_NOT_ALLOWED] = st.tx_drop_vlan;
	p->st.drops[FWD_DROP_PORT_DOWN] = st.tx_drop_link;
	p->st.drops[FWD_DROP_RUNT] = st.tx_drop_runt;
}

static void sw_vfrep_json(struct sw_port *p, json_t *o)
{
	struct sw_vf *v = p->priv;
	json_t *j = json_object();
	char mac[MAC_STR_LEN];
	struct vf_cfg c;
	const char *why = NULL;
	int err;

	if (sriov_vf_get_cfg(v->s->nic, v->idx, &c) < 0)
		return;
	err = sriov_vf_error(v->s->nic, v->idx, &why);
	/* The port's MAC and link are the VF's. */
	mac_format(c.mac, mac);
	json_object_set_new(o, "mac", json_string(mac));
	json_object_set_new(o, "link", json_string(c.link_up ? "up"
							     : "down"));
	json_object_set_new(j, "nic", json_string(v->s->name));
	json_object_set_new(j, "vf", json_integer(v->idx));
	json_object_set_new(j, "attached", json_boolean(v->bound));
	json_object_set_new(j, "client", v->bound
			    ? json_string(sw_vmport_client(p)) : json_null());
	json_object_set_new(j, "vlan", json_integer(c.port_vlan));
	json_object_set_new(j, "spoofchk", json_boolean(c.spoofchk));
	json_object_set_new(j, "trust", json_boolean(c.trust));
	json_object_set_new(j, "ready", json_boolean(c.cts));
	json_object_set_new(j, "busy", json_boolean(
		sriov_vf_busy(v->s->nic, v->idx)));
	json_object_set_new(j, "error", err ? json_string(why ? why : "?")
					    : json_null());
	json_object_set_new(o, "vf", j);
}

/* ---- binding a VF (control thread; the model through execs) ---- */

/* What a VM brings to a VF, made ready before the exec that attaches. */
struct sw_vf_bind {
	struct sw_vf *v;
	const struct attach_req *req;
	int doorbell_fd;
	int irq_fd[ATTACH_VF_VECTORS];
	int ret;
	char err[ATTACH_ERR_MAX];
};

/*
 * Forwarding thread: the VF's fds are no longer ours to use, and what the
 * attach set as the administrator is undone (set-vf's settings stay).
 */
static void sw_vf_forget(struct sw_vf *v, uint64_t now)
{
	struct sriov_nic *nic = v->s->nic;

	v->doorbell_fd = -1;
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++)
		v->irq_fd[k] = v->unmask_fd[k] = -1;
	v->unmask_watched = 0;
	if (v->applied & ATTACH_VF_F_MAC)
		sriov_vf_set_mac(nic, v->idx, (const uint8_t[6]){ 0 }, now);
	if (v->applied & ATTACH_VF_F_VLAN)
		sriov_vf_set_vlan(nic, v->idx, 0, 0, now);
	v->applied = 0;
}

static int sw_vf_attach_fn(struct sw *sw, void *arg)
{
	struct sw_vf_bind *b = arg;
	struct sw_vf *v = b->v;
	struct sriov_nic *nic = v->s->nic;
	uint64_t now = clock_mono_ns();
	int ret;

	(void)sw;
	v->applied = 0;
	/* `ip link set PF vf N mac M vlan V`, then the VF comes up reset. */
	if (b->req->vf_flags & ATTACH_VF_F_MAC) {
		ret = sriov_vf_set_mac(nic, v->idx, b->req->mac, now);
		if (ret < 0) {
			snprintf(b->err, sizeof(b->err), "MAC refused");
			return ret;
		}
		v->applied |= ATTACH_VF_F_MAC;
	}
	/* VLAN 1 is the PF's native VLAN: the NIC's untagged LAN already. */
	if ((b->req->vf_flags & ATTACH_VF_F_VLAN) &&
	    b->req->vlan != SW_SRIOV_PF_NATIVE) {
		ret = sriov_vf_set_vlan(nic, v->idx, b->req->vlan, 0, now);
		if (ret < 0) {
			snprintf(b->err, sizeof(b->err), "port VLAN %u refused",
				 b->req->vlan);
			goto undo;
		}
		v->applied |= ATTACH_VF_F_VLAN;
	}
	v->doorbell_fd = b->doorbell_fd;
	memcpy(v->irq_fd, b->irq_fd, sizeof(v->irq_fd));
	ret = sw_sriov_watch(v, v->doorbell_fd, true);
	if (ret < 0) {
		snprintf(b->err, sizeof(b->err), "cannot watch the doorbell: "
			 "%s", strerror(-ret));
		goto undo;
	}
	ret = sriov_vf_attach(nic, v->idx, &v->gm, v->sh);
	if (ret == 0)
		return 0;
	snprintf(b->err, sizeof(b->err), "the NIC refused: %s",
		 strerror(-ret));
	sw_sriov_watch(v, v->doorbell_fd, false);
undo:
	sw_vf_forget(v, now);
	return ret;
}

/*
 * Detach and forget (sw_vf_forget). The fds stay open until the caller
 * closes them, after this: the forwarding thread no longer knows them.
 */
static int sw_vf_detach_fn(struct sw *sw, void *arg)
{
	struct sw_vf *v = arg;

	(void)sw;
	sriov_vf_detach(v->s->nic, v->idx);
	sw_sriov_watch(v, v->doorbell_fd, false);
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++)
		sw_sriov_watch(v, v->unmask_fd[k], false);
	sw_vf_forget(v, clock_mono_ns());
	return 0;
}

static void sw_vf_unmap(struct sw_vf *v)
{
	sw_guest_mem_unmap(&v->gm);
	if (v->sh)
		munmap(v->sh, ATTACH_VF_SHARED_SIZE);
	v->sh = NULL;
}

static void sw_vf_close_fds(struct sw_vf_bind *b)
{
	if (b->doorbell_fd >= 0)
		close(b->doorbell_fd);
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++)
		if (b->irq_fd[k] >= 0)
			close(b->irq_fd[k]);
}

/* The VF's own fds, closed once the forwarding thread has let go. */
static void sw_vf_close_own(struct sw_vf *v)
{
	for (unsigned k = 0; k <= ATTACH_VF_VECTORS; k++) {
		if (v->own_fds[k] >= 0)
			close(v->own_fds[k]);
		v->own_fds[k] = -1;
	}
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
		if (v->own_unmask[k] >= 0)
			close(v->own_unmask[k]);
		v->own_unmask[k] = -1;
	}
}

/* The VF the ATTACH asks for: that one if free, or the first free. */
static struct sw_vf *sw_vf_pick(struct sw_sriov *s, uint16_t want,
				char *err, size_t errlen)
{
	if (want == ATTACH_VF_ANY) {
		for (unsigned i = 0; i < s->nvfs; i++)
			if (!s->vf[i].bound)
				return &s->vf[i];
		snprintf(err, errlen, "every VF of %s is taken", s->name);
		errno = EBUSY;
		return NULL;
	}
	if (want >= s->nvfs) {
		snprintf(err, errlen, "%s has VFs 0..%u, not %u", s->name,
			 s->nvfs - 1, want);
		errno = ENOENT;
		return NULL;
	}
	if (s->vf[want].bound) {
		snprintf(err, errlen, "VF %u of %s is taken by %s", want,
			 s->name, s->vf[want].rep->vm[0]
			 ? s->vf[want].rep->vm : "another VM");
		errno = EBUSY;
		return NULL;
	}
	return &s->vf[want];
}

/*
 * The fds after the RAM's: the shared pages' memfd (sealed, big enough;
 * mapped here), the doorbell and the irqfds (eventfds, made
 * non-blocking, taken out of @m).
 */
static int sw_vf_take_fds(struct sw_vf *v, struct attach_msg *m,
			  struct sw_vf_bind *b, char *err, size_t errlen)
{
	unsigned base = m->nfds - ATTACH_VF_FDS;
	int shared = m->fds[base];
	void *sh;
	int ret;

	for (unsigned k = 1; k < ATTACH_VF_FDS; k++)
		if (efd_check(m->fds[base + k]) < 0) {
			snprintf(err, errlen, "fd %u (%s) is not an eventfd",
				 base + k, k == 1 ? "doorbell" : "irq");
			return -EINVAL;
		}
	ret = sw_memfd_check(shared, 0, ATTACH_VF_SHARED_SIZE,
			     "shared pages", err, errlen);
	if (ret < 0)
		return ret;
	sh = mmap(NULL, ATTACH_VF_SHARED_SIZE, PROT_READ | PROT_WRITE,
		  MAP_SHARED, shared, 0);
	if (sh == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "shared pages: mmap: %s",
			 strerror(errno));
		return ret;
	}
	v->sh = sh;
	b->doorbell_fd = m->fds[base + 1];
	m->fds[base + 1] = -1;
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
		b->irq_fd[k] = m->fds[base + 2 + k];
		m->fds[base + 2 + k] = -1;
	}
	return 0;
}

int sw_vfrep_claim(struct sw *sw, int conn_fd, struct attach_msg *m,
		   struct sw_port **out, char *err, size_t errlen)
{
	const struct attach_req *req = &m->u.attach;
	struct sw_vf_bind b = { .req = req, .doorbell_fd = -1,
				.irq_fd = { -1, -1, -1 } };
	/* "*": the switch's first NIC (no NIC name has a '*'). */
	struct sw_sriov *s = !strcmp(req->port, "*")
		? (sw->nsriovs ? sw->sriovs[0] : NULL)
		: sw_sriov_find(sw, req->port);
	struct sw_vf *v;
	int ret;

	if (!s) {
		snprintf(err, errlen, "no SR-IOV NIC \"%.32s\" (iopath-switch "
			 "--sriov NAME:vfs=N)", req->port);
		return -ENOENT;
	}
	v = sw_vf_pick(s, req->vf, err, errlen);
	if (!v)
		return -errno;
	ret = sw_guest_mem_map(&v->gm, m, err, errlen);
	if (ret == 0)
		ret = sw_vf_take_fds(v, m, &b, err, errlen);
	if (ret == 0) {
		b.v = v;
		ret = sw_fwd_exec(sw, sw_vf_attach_fn, &b);
		if (ret < 0)
			snprintf(err, errlen, "%s", b.err);
	}
	if (ret < 0) {
		sw_vf_close_fds(&b);
		sw_vf_unmap(v);
		return ret;
	}
	v->own_fds[0] = b.doorbell_fd;
	memcpy(v->own_fds + 1, b.irq_fd, sizeof(b.irq_fd));
	atomic_store(&v->stalled, false);
	v->bound = true;
	v->conn_fd = conn_fd;
	v->attaches++;
	/* The VMM's own name for its NIC, if it sent one, is its vm. */
	snprintf(v->rep->vm, sizeof(v->rep->vm), "%s", req->vm);
	if (req->vf_flags & ATTACH_VF_F_MAC)
		memcpy(v->rep->mac, req->mac, 6);
	log_info("%s: VF %u attached for %s%s%s", s->name, v->idx,
		 req->vm[0] ? req->vm : "a VM",
		 (req->vf_flags & ATTACH_VF_F_MAC) ? ", MAC set" : "",
		 (req->vf_flags & ATTACH_VF_F_VLAN) ? ", port VLAN set" : "");
	*out = v->rep;
	return 0;
}

/* The release op: the VM's connection is gone. */
static void sw_vfrep_release(struct sw_port *p, const char *why)
{
	struct sw_vf *v = p->priv;

	if (!v->bound)
		return;
	sw_fwd_exec(p->sw, sw_vf_detach_fn, v);
	sw_vf_close_own(v);
	sw_vf_unmap(v);
	v->bound = false;
	v->conn_fd = -1;
	memset(p->mac, 0, sizeof(p->mac));
	log_info("%s: VF %u released by %s: %s", v->s->name, v->idx,
		 p->vm[0] ? p->vm : "its VM", why);
	p->vm[0] = '\0';
}

/* ---- the VM's requests (control thread) ---- */

struct sw_vf_reg_req {
	struct sw_vf *v;
	struct attach_vf_reg *r;
};

static int sw_vf_reg_fn(struct sw *sw, void *arg)
{
	struct sw_vf_reg_req *q = arg;
	struct attach_vf_reg *r = q->r;
	struct sriov_nic *nic = q->v->s->nic;

	(void)sw;
	/* Unmasks the guest made before this access come first. */
	sw_sriov_unmasks(q->v, IGBVF_EICR_MASK);
	/* Sizes other than 4 are the model's to refuse and count. */
	if (r->write)
		sriov_vf_reg_write(nic, q->v->idx, r->off, r->size, r->val,
				   clock_mono_ns());
	else if (sriov_vf_reg_read(nic, q->v->idx, r->off, r->size, &r->val,
				   clock_mono_ns()) < 0)
		r->val = 0;
	return 0;
}

static int sw_vf_flr_fn(struct sw *sw, void *arg)
{
	struct sw_vf *v = arg;

	(void)sw;
	sw_sriov_unmasks(v, IGBVF_EICR_MASK);
	return sriov_vf_flr(v->s->nic, v->idx, clock_mono_ns());
}

/* VF_UNMASK: the eventfds join the VF (forwarding thread). */
static int sw_vf_unmask_fn(struct sw *sw, void *arg)
{
	struct sw_vf *v = arg;
	int ret = 0;

	(void)sw;
	for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
		sw_sriov_watch(v, v->unmask_fd[k], false);
		v->unmask_fd[k] = v->own_unmask[k];
		if (!ret)
			ret = sw_sriov_watch(v, v->unmask_fd[k], true);
	}
	/* all watched; the next sleep keeps only those it needs */
	v->unmask_watched = (uint8_t)((1u << ATTACH_VF_VECTORS) - 1);
	if (ret < 0) {
		for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
			sw_sriov_watch(v, v->unmask_fd[k], false);
			v->unmask_fd[k] = -1;
		}
		v->unmask_watched = 0;
	}
	return ret;
}

/*
 * The guest's re-enables of single vectors, by eventfd from now on.
 * Answered ATTACH_ACK, or ERROR (they keep trapping); the connection
 * stays either way. A second VF_UNMASK replaces the first.
 */
static int sw_vf_unmask(struct sw_vf *v, int conn_fd, struct attach_msg *m)
{
	struct attach_ack ack = { .port_id = v->rep->id };
	struct attach_error e = { .err = EINVAL };
	int old[ATTACH_VF_VECTORS], ret = 0;

	for (unsigned k = 0; k < m->nfds && !ret; k++)
		if (efd_check(m->fds[k]) < 0) {
			snprintf(e.msg, sizeof(e.msg), "fd %u is not an "
				 "eventfd", k);
			ret = -EINVAL;
		}
	if (!ret) {
		memcpy(old, v->own_unmask, sizeof(old));
		memcpy(v->own_unmask, m->fds, sizeof(old));
		ret = sw_fwd_exec(v->s->sw, sw_vf_unmask_fn, v);
		if (ret < 0) {
			snprintf(e.msg, sizeof(e.msg), "cannot watch them: %s",
				 strerror(-ret));
			memcpy(v->own_unmask, old, sizeof(old));
		} else {
			/* Ours now; the ones they replace are not watched. */
			for (unsigned k = 0; k < ATTACH_VF_VECTORS; k++) {
				m->fds[k] = -1;
				if (old[k] >= 0)
					close(old[k]);
			}
		}
	}
	if (ret < 0) {
		log_guest_warn("%s: VF_UNMASK refused: %s", v->rep->name,
			       e.msg);
		return attach_msg_send(conn_fd, ATTACH_MSG_ERROR, m->hdr.seq,
				       &e, sizeof(e), NULL, 0);
	}
	return attach_msg_send(conn_fd, ATTACH_MSG_ATTACH_ACK, m->hdr.seq,
			       &ack, sizeof(ack), NULL, 0);
}

/*
 * The attach_msg op: VF_REG (a read answered with its value), VF_FLR and
 * VF_UNMASK.
 */
static int sw_vfrep_attach_msg(struct sw_port *p, int conn_fd,
			       struct attach_msg *m)
{
	struct sw_vf *v = p->priv;

	if (!v->bound || conn_fd != v->conn_fd)
		return -ENOMSG;
	if (m->hdr.type == ATTACH_MSG_VF_FLR) {
		v->flrs++;
		return sw_fwd_exec(p->sw, sw_vf_flr_fn, v);
	}
	if (m->hdr.type == ATTACH_MSG_VF_UNMASK)
		return sw_vf_unmask(v, conn_fd, m);
	if (m->hdr.type == ATTACH_MSG_VF_REG) {
		struct attach_vf_reg r = m->u.vf_reg;
		struct sw_vf_reg_req q = { .v = v, .r = &r };

		if (r.write)
			v->reg_writes++;
		else
			v->reg_reads++;
		sw_fwd_exec(p->sw, sw_vf_reg_fn, &q);
		/* Writes are posted, as on PCI, unless they ask. */
		if (r.write == 1)
			return 0;
		return attach_msg_send(conn_fd, ATTACH_MSG_VF_REG, m->hdr.seq,
				       &r, sizeof(r), NULL, 0);
	}
	return -ENOMSG;
}

/* Only at the switch's end: the VMs have been let go first. */
static void sw_vfrep_destroy(struct sw_port *p)
{
	struct sw_vf *v = p->priv;

	if (v->bound)
		sw_vfrep_release(p, "switch shutting down");
	v->rep = NULL;
	free(p);
}

static const struct sw_port_ops sw_vfrep_ops = {
	.kind = "vf-rep",
	.tx_burst = sw_vfrep_tx,
	.json = sw_vfrep_json,
	.sync_stats = sw_vfrep_sync_stats,
	.attach_msg = sw_vfrep_attach_msg,
	.release = sw_vfrep_release,
	.destroy = sw_vfrep_destroy,
};

bool sw_port_is_vfrep(const struct sw_port *p)
{
	return p->ops == &sw_vfrep_ops;
}

int sw_vfrep_create(struct sw_sriov *s, unsigned idx, char *err,
		    size_t errlen)
{
	struct vlan_port_cfg none;
	char name[SW_NAME_MAX];

	if (snprintf(name, sizeof(name), "%s.vf%u", s->name, idx) >=
	    (int)sizeof(name)) {
		snprintf(err, errlen, "NIC name %s too long for its "
			 "representors", s->name);
		return -ENAMETOOLONG;
	}
	/* A trunk of no VLAN: it forwards nothing (see the top). */
	vlan_cfg_trunk(&none, 0);
	return sw_sriov_port_add(s, name, &sw_vfrep_ops, &s->vf[idx], &none,
				 false, &s->vf[idx].rep, err, errlen);
}
