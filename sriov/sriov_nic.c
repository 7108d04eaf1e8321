// SPDX-License-Identifier: MIT
/*
 * The NIC object (sriov_nic.h): VFs' life cycle (attach, reset, error),
 * link, the polling flag, and the data path that joins the queues to
 * the embedded switch. Frames move VF to VF by one copy (guest TX
 * buffers into a gather buffer, then into the other guest's RX
 * buffers); the PF port gets the gather buffer itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "sriov"
#include "base/log.h"
#include "sriov/sriov_priv.h"

struct sriov_vf *sriov_vf_get(struct sriov_nic *nic, unsigned vf)
{
	if (!nic || vf >= nic->nvfs)
		return NULL;
	return &nic->vf[vf];
}

static const struct sriov_vf *sriov_vf_cget(const struct sriov_nic *nic,
					    unsigned vf)
{
	return sriov_vf_get((struct sriov_nic *)nic, vf);
}

void sriov_pf_event(struct sriov_vf *vf, enum sriov_event ev)
{
	struct sriov_nic *nic = vf->nic;

	if (nic->ops.pf_event)
		nic->ops.pf_event(nic->opaque, vf->idx, ev);
}

static void sriov_vf_raise(void *opaque, unsigned vector)
{
	struct sriov_vf *vf = opaque;
	struct sriov_nic *nic = vf->nic;

	if (nic->ops.vf_irq)
		nic->ops.vf_irq(nic->opaque, vf->idx, vector);
}

/* ---- the data path ---- */

/* Put a classified frame into the VFs @r names. */
static void sriov_deliver(struct sriov_nic *nic, const struct veb_frame *f,
			  const struct veb_result *r, bool from_vf)
{
	unsigned n;

	for (n = 0; n < nic->nvfs; n++) {
		struct sriov_vf *d = &nic->vf[n];
		unsigned len = f->len - (f->strip ? 4 : 0);
		int ret;

		if (r->down_mask & (1u << n))
			d->st.rx_drop_link++;
		if (!(r->vf_mask & (1u << n)))
			continue;
		ret = vf_queue_rx(&d->q, f->data, f->len, f->strip,
				  veb_rx_tci(&d->cfg, f));
		switch (ret) {
		case 0:
			if (nic->ops.vf_tap)
				nic->ops.vf_tap(nic->opaque, n, true, f->data,
						f->len, f->strip);
			nic->rx_dirty |= (uint8_t)(1u << n);
			d->st.rx_packets++;
			d->st.rx_bytes += len;
			d->rs.gprc++;
			d->rs.gorc += len;
			if ((f->data[0] & 1) && !veb_is_broadcast(f->data))
				d->rs.mprc++;
			if (from_vf) {
				d->rs.gprlbc++;
				d->rs.gorlbc += len;
			}
			break;
		case -ENOBUFS:
			d->st.rx_drop_no_buffer++;
			break;
		case -EMSGSIZE:
			d->st.rx_drop_too_big++;
			break;
		default:
			d->st.rx_drop_off++;
			break;
		}
	}
}

/* Publish the RX heads the burst moved and raise those RX causes. */
static void sriov_rx_commit(struct sriov_nic *nic, uint64_t now_ns)
{
	unsigned n;

	for (n = 0; nic->rx_dirty && n < nic->nvfs; n++) {
		struct sriov_vf *d = &nic->vf[n];

		if (!(nic->rx_dirty & (1u << n)))
			continue;
		nic->rx_dirty &= (uint8_t)~(1u << n);
		if (vf_queue_rx_flush(&d->q))
			vf_irq_cause(&d->irq, VF_IRQ_RX, now_ns);
	}
}

/* vf_queue's tx_frame(): a frame VF @opaque sent, through the VEB. */
static void sriov_vf_tx_frame(void *opaque, uint8_t *data, unsigned len)
{
	struct sriov_vf *vf = opaque;
	struct sriov_nic *nic = vf->nic;
	struct veb_frame f;
	struct veb_result r;
	const uint8_t *out;
	unsigned olen;

	if (nic->ops.vf_tap)
		nic->ops.vf_tap(nic->opaque, vf->idx, false, data, len, false);
	veb_from_vf(&nic->veb, vf->idx, data, len, &f, &r);
	switch (r.drop) {
	case VEB_FWD:
		break;
	case VEB_DROP_SPOOF:
		vf->st.tx_drop_spoof++;
		return;
	case VEB_DROP_VLAN:
		vf->st.tx_drop_vlan++;
		return;
	case VEB_DROP_LINK:
		vf->st.tx_drop_link++;
		return;
	default:
		vf->st.tx_drop_runt++;
		return;
	}
	vf->st.tx_packets++;
	vf->st.tx_bytes += len;
	vf->rs.gptc++;
	vf->rs.gotc += len;
	if (r.vf_mask) {
		vf->st.tx_to_vf++;
		vf->rs.gptlbc++;
		vf->rs.gotlbc += len;
	}
	if (r.vf_mask | r.down_mask)
		sriov_deliver(nic, &f, &r, true);
	if (r.to_pf) {
		vf->st.tx_to_pf++;
		out = veb_pf_bytes(&f, &olen);	/* last: may move bytes */
		nic->pf.tx_frames++;
		nic->pf.tx_bytes += olen;
		if (nic->ops.pf_tx)
			nic->ops.pf_tx(nic->opaque, out, olen);
	}
}

static bool sriov_vf_link_eval(struct sriov_vf *vf);

/* vf_queue's failed(): the VF stops; the guest and the PF are told. */
static void sriov_vf_failed(void *opaque, int code, const char *why)
{
	struct sriov_vf *vf = opaque;

	vf->st.errors++;
	log_guest_warn("%s: VF %u stopped (%s): %s", vf->nic->name, vf->idx,
		       vf_queue_err_name(code), why);
	/* Like igb's reset event: not clear to send until it resets. */
	vf->cfg.cts = false;
	vf_mbx_set_rsti(&vf->mbx, true);
	sriov_vf_link_eval(vf);
	if (vf_mbx_ping(&vf->mbx, &vf->cfg, true) & VF_MBX_EV_IRQ)
		vf_irq_cause(&vf->irq, VF_IRQ_MBX, vf->nic->now_ns);
	sriov_pf_event(vf, SRIOV_EV_VF_ERROR);
}

/* ---- life cycle ---- */

struct sriov_nic *sriov_nic_create(const char *name, unsigned nvfs,
				   const struct sriov_nic_ops *ops,
				   void *opaque)
{
	static const struct vf_queue_ops qops = {
		.tx_frame = sriov_vf_tx_frame,
		.failed = sriov_vf_failed,
	};
	struct sriov_nic *nic;
	unsigned i;

	if (!name || !*name || strlen(name) >= SRIOV_NAME_MAX || !nvfs ||
	    nvfs > SRIOV_MAX_VFS) {
		errno = EINVAL;
		return NULL;
	}
	nic = calloc(1, sizeof(*nic));
	if (!nic)
		return NULL;
	strcpy(nic->name, name);
	nic->nvfs = nvfs;
	nic->pf_link = true;
	if (ops)
		nic->ops = *ops;
	nic->opaque = opaque;
	nic->veb.nvfs = nvfs;
	for (i = 0; i < nvfs; i++) {
		struct sriov_vf *vf = &nic->vf[i];

		vf->nic = nic;
		vf->idx = i;
		vf->cfg.spoofchk = true;	/* igb_vf_configure's default */
		vf->cfg.link_state = VF_LINK_AUTO;
		vf_mbx_init(&vf->mbx);
		vf_irq_init(&vf->irq, sriov_vf_raise, vf);
		vf_queue_init(&vf->q, &qops, vf);
		nic->veb.vf[i] = &vf->cfg;
	}
	return nic;
}

void sriov_nic_destroy(struct sriov_nic *nic)
{
	free(nic);
}

const char *sriov_nic_name(const struct sriov_nic *nic)
{
	return nic->name;
}

unsigned sriov_nic_num_vfs(const struct sriov_nic *nic)
{
	return nic->nvfs;
}

/* Work out the VF's effective link; true if it changed. */
static bool sriov_vf_link_eval(struct sriov_vf *vf)
{
	struct vf_cfg *c = &vf->cfg;
	bool up;

	switch (c->link_state) {
	case VF_LINK_ENABLE:
		up = true;
		break;
	case VF_LINK_DISABLE:
		up = false;
		break;
	default:
		up = vf->nic->pf_link;
		break;
	}
	up = up && vf->sh && !vf_queue_error(&vf->q, NULL);
	if (up == c->link_up)
		return false;
	c->link_up = up;
	return true;
}

/* The PF's control message (igb_ping_all_vfs) and its interrupt. */
static void sriov_vf_ping(struct sriov_vf *vf)
{
	if (vf_mbx_ping(&vf->mbx, &vf->cfg, false) & VF_MBX_EV_IRQ)
		vf_irq_cause(&vf->irq, VF_IRQ_MBX, vf->nic->now_ns);
}

bool sriov_vf_update_link(struct sriov_vf *vf)
{
	/* igb pings its VFs on a link change; igbvf then reads STATUS. */
	if (!sriov_vf_link_eval(vf) || !vf->sh)
		return false;
	sriov_vf_ping(vf);
	return true;
}

void sriov_vf_irq_save(struct sriov_vf *vf)
{
	struct igbvf_irq_keep *k;
	const struct vf_irq *irq = &vf->irq;
	unsigned i;

	if (!vf->sh)
		return;
	k = &vf->sh->irq_keep;
	__atomic_store_n(&k->ivar0, irq->ivar0, __ATOMIC_RELAXED);
	__atomic_store_n(&k->ivar_misc, irq->ivar_misc, __ATOMIC_RELAXED);
	__atomic_store_n(&k->eiac, irq->eiac, __ATOMIC_RELAXED);
	__atomic_store_n(&k->eiam, irq->eiam, __ATOMIC_RELAXED);
	__atomic_store_n(&k->eims, irq->eims, __ATOMIC_RELAXED);
	for (i = 0; i < IGBVF_MSIX_VECTORS; i++)
		__atomic_store_n(&k->eitr[i], irq->eitr[i], __ATOMIC_RELAXED);
	__atomic_store_n(&k->magic, IGBVF_IRQ_KEEP_MAGIC, __ATOMIC_RELEASE);
}

/* The copy a model before this one left in @sh; false if none. */
static bool sriov_vf_irq_kept(const struct igbvf_shared *sh,
			      struct igbvf_irq_keep *k)
{
	const struct igbvf_irq_keep *s = &sh->irq_keep;
	unsigned i;

	if (__atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) !=
	    IGBVF_IRQ_KEEP_MAGIC)
		return false;
	k->ivar0 = __atomic_load_n(&s->ivar0, __ATOMIC_RELAXED);
	k->ivar_misc = __atomic_load_n(&s->ivar_misc, __ATOMIC_RELAXED);
	k->eiac = __atomic_load_n(&s->eiac, __ATOMIC_RELAXED);
	k->eiam = __atomic_load_n(&s->eiam, __ATOMIC_RELAXED);
	k->eims = __atomic_load_n(&s->eims, __ATOMIC_RELAXED);
	for (i = 0; i < IGBVF_MSIX_VECTORS; i++)
		k->eitr[i] = __atomic_load_n(&s->eitr[i], __ATOMIC_RELAXED);
	return true;
}

/* Take the routing over as register writes: vf_irq masks each. */
static void sriov_vf_irq_restore(struct sriov_vf *vf,
				 const struct igbvf_irq_keep *k)
{
	struct vf_irq *irq = &vf->irq;
	uint64_t now = vf->nic->now_ns;
	unsigned i;

	vf_irq_write(irq, IGBVF_IVAR0, k->ivar0, now);
	vf_irq_write(irq, IGBVF_IVAR_MISC, k->ivar_misc, now);
	vf_irq_write(irq, IGBVF_EIAC, k->eiac, now);
	vf_irq_write(irq, IGBVF_EIAM, k->eiam, now);
	for (i = 0; i < IGBVF_MSIX_VECTORS; i++)
		vf_irq_write(irq, IGBVF_EITR(i), k->eitr[i], now);
	vf_irq_write(irq, IGBVF_EIMS, k->eims, now);
	vf->st.irq_restores++;
}

void sriov_vf_cfg_changed(struct sriov_vf *vf)
{
	vf_queue_set_max_frame(&vf->q, vf_cfg_max_frame(&vf->cfg));
}

/*
 * VF reset; @keep: a rebind's (the interrupt routing to take over, and
 * the PF control message sent even when the link did not change, as
 * igb_reset pings every VF), NULL for CTRL.RST and FLR.
 */
static void sriov_vf_reset_keep(struct sriov_vf *vf,
				const struct igbvf_irq_keep *keep)
{
	vf_queue_reset(&vf->q);
	vf_irq_reset(&vf->irq);
	if (vf->sh) {	/* a request from before the reset means nothing */
		__atomic_store_n(&vf->sh->unmask, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vf->sh->rx_seen, 0, __ATOMIC_RELAXED);
	}
	if (keep)
		sriov_vf_irq_restore(vf, keep);
	sriov_vf_irq_save(vf);
	vf_mbx_vf_reset(&vf->mbx);
	/* igb_vf_reset_event: the VF's MAC goes unless the admin set it. */
	if (!vf->cfg.mac_admin)
		memset(vf->cfg.mac, 0, sizeof(vf->cfg.mac));
	vf_cfg_reset_requests(&vf->cfg);
	sriov_vf_cfg_changed(vf);
	vf->ctrl = 0;
	vf->t0_ns = vf->nic->now_ns;
	vf->st.resets++;
	if (!sriov_vf_update_link(vf) && keep && vf->sh)
		sriov_vf_ping(vf);
	sriov_vf_wake(vf);
	sriov_pf_event(vf, SRIOV_EV_VF_RESET);
}

void sriov_vf_reset(struct sriov_vf *vf, bool flr)
{
	(void)flr;	/* the 82576 treats both alike for the VF's state */
	sriov_vf_reset_keep(vf, NULL);
}

int sriov_vf_attach(struct sriov_nic *nic, unsigned vf,
		    const struct guest_mem *gm, struct igbvf_shared *sh)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);
	struct igbvf_irq_keep keep;
	bool kept;

	if (!v || !gm || !sh)
		return -EINVAL;
	if (v->sh)
		return -EBUSY;
	/* Pages an earlier model served: the driver on them knows nothing
	 * of this rebind and sees it as a PF reset (RSTD), told at once by
	 * the mailbox interrupt it routed there. */
	kept = sriov_vf_irq_kept(sh, &keep);
	v->sh = sh;
	/* Count on from what the page holds: a driver that rang for a
	 * value under an earlier switch must not find it again under this
	 * one (a restarted switch, the same VMM). Only the guest reads it,
	 * so a guest that wrote there only confuses itself. */
	v->poll_gen = __atomic_load_n(&sh->poll, __ATOMIC_ACQUIRE);
	vf_queue_attach(&v->q, gm, sh);
	vf_mbx_init(&v->mbx);
	sriov_vf_reset_keep(v, kept ? &keep : NULL);
	return 0;
}

int sriov_vf_detach(struct sriov_nic *nic, unsigned vf)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return -EINVAL;
	if (!v->sh)
		return 0;
	v->sh = NULL;
	vf_queue_attach(&v->q, NULL, NULL);
	v->busy = false;
	v->cfg.cts = false;
	sriov_vf_update_link(v);
	return 0;
}

int sriov_vf_flr(struct sriov_nic *nic, unsigned vf, uint64_t now_ns)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return -EINVAL;
	nic->now_ns = now_ns;
	if (v->sh)
		sriov_vf_reset(v, true);
	return 0;
}

void sriov_pf_set_link(struct sriov_nic *nic, bool up, uint64_t now_ns)
{
	unsigned i;

	nic->now_ns = now_ns;
	nic->pf_link = up;
	for (i = 0; i < nic->nvfs; i++)
		sriov_vf_update_link(&nic->vf[i]);
}

/* ---- polling ---- */

/*
 * IGBVF_POLL counts: odd while the VF is polled, and each sleep makes it
 * a new even value, so a driver that rang for one sleep can tell the
 * next (igbvf_regs.h). Stored even when unchanged: a fresh attachment's
 * page starts at 0.
 */
static void sriov_vf_set_poll(struct sriov_vf *vf, bool on)
{
	if (((vf->poll_gen & 1) != 0) != on)
		vf->poll_gen++;
	if (vf->sh)
		__atomic_store_n(&vf->sh->poll, vf->poll_gen,
				 __ATOMIC_RELEASE);
}

void sriov_vf_wake(struct sriov_vf *vf)
{
	vf->busy = true;
	sriov_vf_set_poll(vf, true);
}

void sriov_vf_stale_rx(struct sriov_vf *vf, uint32_t eims)
{
	int vec = vf_irq_cause_vector(&vf->irq, VF_IRQ_RX);
	uint32_t seen;

	if (!vf->sh || vec < 0 || !(eims & (1u << vec)))
		return;
	/* Taken, so a later EIMS never reads an old position. */
	seen = __atomic_exchange_n(&vf->sh->rx_seen, 0, __ATOMIC_ACQ_REL);
	if ((seen & IGBVF_RX_SEEN_VALID) && vf->q.rx.enabled &&
	    (seen & ~IGBVF_RX_SEEN_VALID) == vf->q.rx.head &&
	    vf_irq_drop_stale(&vf->irq, vec))
		vf->st.stale_rx++;
}

/*
 * IGBVF_UNMASK (igbvf_regs.h): a plain load first, so a VF that posted
 * nothing costs no write to its line. The value is the guest's, taken
 * as the EIMS write it stands for: only EIMS's bits, bounded work.
 */
void sriov_vf_take_unmask(struct sriov_vf *vf, uint64_t now_ns)
{
	uint32_t req;

	if (!vf->sh || !__atomic_load_n(&vf->sh->unmask, __ATOMIC_RELAXED))
		return;
	req = __atomic_exchange_n(&vf->sh->unmask, 0, __ATOMIC_ACQ_REL) &
	      IGBVF_EICR_MASK;
	if (!req)
		return;
	sriov_vf_stale_rx(vf, req);
	vf_irq_write(&vf->irq, IGBVF_EIMS, req, now_ns);
	sriov_vf_irq_save(vf);
	vf->st.unmasks++;
}

void sriov_vf_kick(struct sriov_nic *nic, unsigned vf)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return;
	v->st.doorbells++;
	sriov_vf_wake(v);
}

void sriov_vf_resume(struct sriov_nic *nic, unsigned vf)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (v && !v->busy)
		sriov_vf_wake(v);
}

uint32_t sriov_vf_masked_causes(const struct sriov_nic *nic, unsigned vf)
{
	const struct sriov_vf *v = sriov_vf_cget(nic, vf);

	return v && v->sh ? vf_irq_masked_causes(&v->irq) : 0;
}

bool sriov_vf_busy(const struct sriov_nic *nic, unsigned vf)
{
	const struct sriov_vf *v = sriov_vf_cget(nic, vf);

	return v && v->busy;
}

bool sriov_vf_sleep(struct sriov_nic *nic, unsigned vf)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v || !v->sh) {
		if (v)
			v->busy = false;
		return true;
	}
	/* What an unmask must wake us for, before the flag says we sleep
	 * (igbvf_regs.h): only a cause waiting now, as none can come
	 * while we sleep. */
	__atomic_store_n(&v->sh->held, IGBVF_HELD_VALID |
			 vf_irq_masked_causes(&v->irq), __ATOMIC_RELAXED);
	sriov_vf_set_poll(v, false);
	/* Order the flag's store before the loads of the tail and of
	 * IGBVF_UNMASK (the guest does the mirror image: its store, fence,
	 * flag load). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sriov_vf_take_unmask(v, nic->now_ns);
	if (vf_queue_tx_pending(&v->q)) {
		sriov_vf_set_poll(v, true);
		return false;
	}
	v->busy = false;
	v->st.sleeps++;
	return true;
}

unsigned sriov_vf_poll(struct sriov_nic *nic, unsigned vf, unsigned budget,
		       uint64_t now_ns)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);
	unsigned n;
	bool dd;

	if (!v || !v->sh)
		return 0;
	nic->now_ns = now_ns;
	sriov_vf_take_unmask(v, now_ns);
	n = vf_queue_tx_burst(&v->q, budget, &dd);
	/* The switch polls every VF while it is awake: one it had put to
	 * sleep has its flag set again as soon as it has work. */
	if (n && !v->busy)
		sriov_vf_wake(v);
	if (dd)
		vf_irq_cause(&v->irq, VF_IRQ_TX, now_ns);
	sriov_rx_commit(nic, now_ns);
	vf_irq_poll(&v->irq, now_ns);
	return n;
}

unsigned sriov_pf_rx_burst(struct sriov_nic *nic,
			   const uint8_t *const *frames,
			   const uint16_t *lens, unsigned n, uint64_t now_ns)
{
	unsigned i, got = 0;

	nic->now_ns = now_ns;
	for (i = 0; i < n; i++) {
		struct veb_frame f;
		struct veb_result r;

		veb_from_pf(&nic->veb, frames[i], lens[i], &f, &r);
		if (r.drop == VEB_DROP_RUNT) {
			nic->pf.rx_drop_runt++;
			continue;
		}
		if (r.drop != VEB_FWD) {
			nic->pf.rx_drop_unknown++;
			continue;
		}
		sriov_deliver(nic, &f, &r, false);
		if (r.vf_mask) {
			got++;
			nic->pf.rx_frames++;
			nic->pf.rx_bytes += lens[i];
		}
	}
	sriov_rx_commit(nic, now_ns);
	return got;
}

void sriov_nic_poll_irqs(struct sriov_nic *nic, uint64_t now_ns)
{
	unsigned i;

	for (i = 0; i < nic->nvfs; i++)
		vf_irq_poll(&nic->vf[i].irq, now_ns);
}

uint64_t sriov_nic_next_deadline(const struct sriov_nic *nic)
{
	uint64_t t = UINT64_MAX, d;
	unsigned i;

	for (i = 0; i < nic->nvfs; i++) {
		d = vf_irq_next_deadline(&nic->vf[i].irq);
		if (d < t)
			t = d;
	}
	return t;
}

/* ---- queries ---- */

int sriov_vf_get_cfg(const struct sriov_nic *nic, unsigned vf,
		     struct vf_cfg *cfg)
{
	const struct sriov_vf *v = sriov_vf_cget(nic, vf);

	if (!v)
		return -EINVAL;
	*cfg = v->cfg;
	return 0;
}

int sriov_vf_get_stats(const struct sriov_nic *nic, unsigned vf,
		       struct sriov_vf_stats *st)
{
	const struct sriov_vf *v = sriov_vf_cget(nic, vf);

	if (!v)
		return -EINVAL;
	*st = v->st;
	return 0;
}

int sriov_vf_error(const struct sriov_nic *nic, unsigned vf,
		   const char **why)
{
	const struct sriov_vf *v = sriov_vf_cget(nic, vf);

	if (!v)
		return -EINVAL;
	return vf_queue_error(&v->q, why);
}
