// SPDX-License-Identifier: MIT
/*
 * The pv backend's ring engine (pv_backend.h): TX requests out of guest
 * memory, RX buffers filled from the switch, responses, notification
 * suppression, and the final check before sleeping.
 *
 * The rules it keeps, after Xen's netif (xen/include/public/io/ring.h,
 * drivers/net/xen-netback):
 *  - req_cons and rsp_prod_pvt are private: the guest's copies of our
 *    indices are written, never read back, so the guest can play no
 *    games with them (RING_REQUEST_CONS_OVERFLOW's reasoning);
 *  - req_prod is read once per burst and may be at most ring_size ahead
 *    of the responses we have produced (RING_REQUEST_PROD_OVERFLOW), else
 *    the guest is overwriting slots we still own: PV_E_RING_OVERRUN;
 *  - each slot is copied to a local and the copy is checked and used
 *    (RING_COPY_REQUEST): the guest can change the slot under us, but not
 *    what we decided on;
 *  - responses are pushed once per burst, and the guest is interrupted
 *    only when rsp_event falls among them
 *    (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_SUBSYS "pv-be"
#include "base/errmsg.h"
#include "base/log.h"
#include "core/dirty_log.h"
#include "pv-rings/pv_backend.h"

/* Stop the compiler from re-reading shared memory behind a local copy. */
#define pv_compiler_barrier()	__asm__ __volatile__("" ::: "memory")

#define PV_MIN_FRAME		14	/* an Ethernet header */
#define PV_RX_BUF_MIN		64

/* Our side of one ring; the indices live here, not in guest memory. */
struct pv_be_ring {
	struct pv_ring_hdr *hdr;	/* in guest memory */
	uint64_t gpa;			/* of hdr, for the dirty log */
	void *slots;			/* 16-byte slots after it */
	uint32_t req_cons;
	uint32_t rsp_prod_pvt;
	uint32_t checked;		/* RX: requests looked at up to here */
	uint16_t port;
	int irq_fd;
};

struct pv_backend {
	const struct guest_mem *gm;
	struct pv_evt_page *evt;
	uint64_t evt_gpa;
	/* Set while a migration copies the guest's RAM: every write here
	 * marks its pages. NULL otherwise, and then marking costs a test. */
	const struct dirty_log_view *log;
	uint32_t size, mask;
	uint32_t features;
	unsigned nq;
	struct pv_be_ring tx[PV_BACKEND_MAX_QUEUES];
	struct pv_be_ring rx[PV_BACKEND_MAX_QUEUES];
	int error;			/* PV_E_* */
	char why[PV_BACKEND_WHY_MAX];
	struct pv_backend_stats st;
};

static void pv_be_fail(struct pv_backend *be, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Refuse the guest's request: this backend stops, for good. */
static void pv_be_fail(struct pv_backend *be, int code, const char *fmt, ...)
{
	va_list ap;

	if (be->error)
		return;
	be->error = code;
	va_start(ap, fmt);
	vsnprintf(be->why, sizeof(be->why), fmt, ap);
	va_end(ap);
	log_guest_warn("backend stopped: %s", be->why);
}

/* ---- the dirty log: after the writes it covers ---- */

static void pv_be_mark_ring(const struct pv_backend *be,
			    const struct pv_be_ring *r)
{
	dirty_log_view_set_gpa(be->log, be->gm, r->gpa,
			       PV_RING_BYTES(be->size));
}

static void pv_be_mark_evt(const struct pv_backend *be)
{
	dirty_log_view_set_gpa(be->log, be->gm, be->evt_gpa,
			       sizeof(struct pv_evt_page));
}

void pv_backend_set_log(struct pv_backend *be,
			const struct dirty_log_view *log)
{
	be->log = log;
	if (!log)
		return;
	/* What we wrote before the log came (set-up, the last bursts). */
	pv_be_mark_evt(be);
	for (unsigned q = 0; q < be->nq; q++) {
		pv_be_mark_ring(be, &be->tx[q]);
		pv_be_mark_ring(be, &be->rx[q]);
	}
}

static void *pv_slot(const struct pv_backend *be, const struct pv_be_ring *r,
		     uint32_t idx)
{
	return (uint8_t *)r->slots + (size_t)(idx & be->mask) * 16;
}

/* ---- set-up ---- */

static bool pv_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b,
			      uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Rings and the event page must not overlap: we write all of them. */
static int pv_be_check_disjoint(const struct pv_backend_cfg *cfg,
				char *err, size_t errlen)
{
	enum { N = 2 * PV_BACKEND_MAX_QUEUES + 1 };
	uint64_t gpa[N], len[N];
	uint64_t ring = PV_RING_BYTES(cfg->ring_size);
	unsigned n = 0, i, j;

	gpa[n] = cfg->evt_page_gpa;
	len[n++] = sizeof(struct pv_evt_page);
	for (i = 0; i < cfg->num_queues; i++) {
		gpa[n] = cfg->q[i].tx_ring_gpa;
		len[n++] = ring;
		gpa[n] = cfg->q[i].rx_ring_gpa;
		len[n++] = ring;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (pv_ranges_overlap(gpa[i], len[i], gpa[j], len[j]))
				return errmsg_invalid(err, errlen,
					"rings/event page overlap at %#llx",
					(unsigned long long)gpa[i]);
	return 0;
}

static int pv_be_ring_init(struct pv_backend *be, struct pv_be_ring *r,
			   uint64_t gpa, uint16_t port, int irq_fd,
			   const char *what, unsigned q, char *err,
			   size_t errlen)
{
	uint32_t prod;

	r->hdr = guest_mem_ptr(be->gm, gpa, PV_RING_BYTES(be->size));
	if (!r->hdr || ((uintptr_t)r->hdr & 63))
		return errmsg_invalid(err, errlen,
				      "queue %u %s ring %#llx not in RAM", q,
				      what, (unsigned long long)gpa);
	if (port >= PV_EVT_PORTS)
		return errmsg_invalid(err, errlen, "queue %u %s port %u", q,
				      what, port);
	r->slots = r->hdr + 1;
	r->gpa = gpa;
	r->port = port;
	r->irq_fd = irq_fd;
	/*
	 * Adopt where the guest's ring stands (indices are free-running and
	 * may start anywhere; a re-config after a reset continues them):
	 * everything between rsp_prod and req_prod is a pending request.
	 */
	r->rsp_prod_pvt = __atomic_load_n(&r->hdr->rsp_prod, __ATOMIC_ACQUIRE);
	r->req_cons = r->rsp_prod_pvt;
	r->checked = r->req_cons;
	prod = __atomic_load_n(&r->hdr->req_prod, __ATOMIC_ACQUIRE);
	if ((uint32_t)(prod - r->rsp_prod_pvt) > be->size)
		return errmsg_invalid(err, errlen,
				      "queue %u %s ring: req_prod %u is %u "
				      "ahead of rsp_prod", q, what, prod,
				      prod - r->rsp_prod_pvt);
	return 0;
}

/*
 * RX refills need no kick: a frame that finds no buffer is dropped, not
 * queued, so there is nothing to restart. Keep req_event out of reach: a
 * guest can post at most ring_size past our responses.
 */
static void pv_be_rx_no_kicks(struct pv_backend *be, struct pv_be_ring *r)
{
	__atomic_store_n(&r->hdr->req_event, r->rsp_prod_pvt + be->size + 1,
			 __ATOMIC_RELEASE);
}

struct pv_backend *pv_backend_create(const struct guest_mem *gm,
				     const struct pv_backend_cfg *cfg,
				     char *err, size_t errlen)
{
	struct pv_backend *be;
	unsigned q;

	if (cfg->num_queues < 1 || cfg->num_queues > PV_BACKEND_MAX_QUEUES ||
	    cfg->ring_size < PV_RING_MIN || cfg->ring_size > PV_RING_MAX ||
	    (cfg->ring_size & (cfg->ring_size - 1))) {
		errmsg_invalid(err, errlen, "%u queues of %u slots",
			       cfg->num_queues, cfg->ring_size);
		errno = EINVAL;
		return NULL;
	}
	be = calloc(1, sizeof(*be));
	if (!be) {
		errmsg_invalid(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	be->gm = gm;
	be->size = cfg->ring_size;
	be->mask = cfg->ring_size - 1;
	be->features = cfg->features;
	be->nq = cfg->num_queues;
	be->evt = guest_mem_ptr(gm, cfg->evt_page_gpa,
				sizeof(struct pv_evt_page));
	be->evt_gpa = cfg->evt_page_gpa;
	if (!be->evt || ((uintptr_t)be->evt & 7)) {
		errmsg_invalid(err, errlen, "event page %#llx not in RAM",
			       (unsigned long long)cfg->evt_page_gpa);
		goto fail;
	}
	if (pv_be_check_disjoint(cfg, err, errlen))
		goto fail;
	for (q = 0; q < be->nq; q++) {
		const struct pv_backend_queue_cfg *c = &cfg->q[q];

		if (pv_be_ring_init(be, &be->tx[q], c->tx_ring_gpa,
				    c->tx_port, c->tx_irq_fd, "tx", q, err,
				    errlen) ||
		    pv_be_ring_init(be, &be->rx[q], c->rx_ring_gpa,
				    c->rx_port, c->rx_irq_fd, "rx", q, err,
				    errlen))
			goto fail;
		pv_be_rx_no_kicks(be, &be->rx[q]);
	}
	return be;
fail:
	free(be);
	errno = EINVAL;
	return NULL;
}

void pv_backend_destroy(struct pv_backend *be)
{
	free(be);
}

/* ---- responses and notifications ---- */

/*
 * Publish the responses produced since @old and interrupt the guest if
 * it asked to be (rsp_event in (old, new]) or did not negotiate
 * EVENT_IDX (then every push notifies).
 */
static void pv_be_push(struct pv_backend *be, struct pv_be_ring *r,
		       uint32_t old)
{
	uint32_t now = r->rsp_prod_pvt, event;
	int ret;

	if (now == old)
		return;
	/* Responses written before the index that announces them. */
	__atomic_store_n(&r->hdr->rsp_prod, now, __ATOMIC_RELEASE);
	/* The index visible before we read what the guest asked for. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	event = __atomic_load_n(&r->hdr->rsp_event, __ATOMIC_RELAXED);
	if ((be->features & PV_F_EVENT_IDX) &&
	    !pv_need_notify(event, old, now)) {
		be->st.notify_suppressed++;
		return;
	}
	ret = pv_evtchn_send(be->evt, r->port, r->irq_fd);
	if (be->log)
		pv_be_mark_evt(be);	/* the pending bit, set either way */
	if (ret > 0)
		be->st.irqs_sent++;
	else if (ret == 0)
		be->st.irqs_masked++;
}

/*
 * req_prod, read once: at most ring_size requests may be outstanding.
 * Returns false (and stops the backend) when the guest broke that.
 */
static bool pv_be_read_prod(struct pv_backend *be, struct pv_be_ring *r,
			    const char *what, unsigned q, uint32_t *prod)
{
	*prod = __atomic_load_n(&r->hdr->req_prod, __ATOMIC_ACQUIRE);
	if ((uint32_t)(*prod - r->rsp_prod_pvt) > be->size) {
		pv_be_fail(be, PV_E_RING_OVERRUN,
			   "queue %u %s: req_prod %u runs %u ahead of %u "
			   "responses, ring %u", q, what, *prod,
			   *prod - r->rsp_prod_pvt, r->rsp_prod_pvt, be->size);
		return false;
	}
	return true;
}

/* ---- TX: guest -> switch ---- */

unsigned pv_backend_tx(struct pv_backend *be, unsigned q,
		       const struct pv_tx_sink *sink, unsigned max)
{
	struct pv_be_ring *r;
	uint32_t prod, old;
	unsigned handed = 0;

	if (be->error || q >= be->nq)
		return 0;
	r = &be->tx[q];
	if (!pv_be_read_prod(be, r, "tx", q, &prod))
		return 0;
	old = r->rsp_prod_pvt;
	while (r->req_cons != prod && max--) {
		void *slot = pv_slot(be, r, r->req_cons);
		struct pv_tx_req req;
		struct pv_tx_rsp rsp = { 0 };
		const void *frame;
		void *dst;

		memcpy(&req, slot, sizeof(req));
		pv_compiler_barrier();
		if (req.len < PV_MIN_FRAME || req.len > PV_FRAME_MAX) {
			pv_be_fail(be, PV_E_BAD_REQUEST,
				   "queue %u tx req %u: len %u not in %u..%u",
				   q, r->req_cons, req.len, PV_MIN_FRAME,
				   PV_FRAME_MAX);
			break;
		}
		if (req.flags) {
			pv_be_fail(be, PV_E_BAD_REQUEST,
				   "queue %u tx req %u: flags %#x", q,
				   r->req_cons, req.flags);
			break;
		}
		frame = guest_mem_ptr(be->gm, req.gpa, req.len);
		if (!frame) {
			pv_be_fail(be, PV_E_BAD_REQUEST,
				   "queue %u tx req %u: [%#llx, +%u) not in RAM",
				   q, r->req_cons,
				   (unsigned long long)req.gpa, req.len);
			break;
		}
		rsp.id = req.id;
		dst = sink->get(sink->opaque, req.len);
		if (dst) {
			/* One copy: the switch sees our copy only. */
			memcpy(dst, frame, req.len);
			rsp.status = PV_RSP_OKAY;
			be->st.tx_frames++;
			be->st.tx_bytes += req.len;
			handed++;
		} else {
			rsp.status = PV_RSP_DROPPED;
			be->st.tx_dropped++;
		}
		/* The response overwrites its request's slot (whole 16 B). */
		memcpy(slot, &rsp, sizeof(rsp));
		r->req_cons++;
		r->rsp_prod_pvt++;
	}
	/* Answer what was done, even if the burst ended in a refusal. */
	pv_be_push(be, r, old);
	if (be->log && r->rsp_prod_pvt != old)
		pv_be_mark_ring(be, r);
	return handed;
}

/* ---- RX: switch -> guest ---- */

/* Where the RX request (our copy) says to write, or NULL and stopped. */
static void *pv_be_rx_buf(struct pv_backend *be, unsigned q, uint32_t idx,
			  const struct pv_rx_req *req)
{
	void *buf;

	if (req->len < PV_RX_BUF_MIN || req->len > PV_BUF_MAX || req->flags) {
		pv_be_fail(be, PV_E_BAD_REQUEST,
			   "queue %u rx req %u: buffer len %u flags %#x "
			   "(len %u..%u, flags 0)", q, idx, req->len,
			   req->flags, PV_RX_BUF_MIN, PV_BUF_MAX);
		return NULL;
	}
	buf = guest_mem_ptr(be->gm, req->gpa, req->len);
	if (!buf)
		pv_be_fail(be, PV_E_BAD_REQUEST,
			   "queue %u rx req %u: [%#llx, +%u) not in RAM", q,
			   idx, (unsigned long long)req->gpa, req->len);
	return buf;
}

unsigned pv_backend_rx_scan(struct pv_backend *be, unsigned q, unsigned max)
{
	struct pv_be_ring *r;
	uint32_t prod;
	unsigned n = 0;

	if (be->error || q >= be->nq)
		return 0;
	r = &be->rx[q];
	if (!pv_be_read_prod(be, r, "rx", q, &prod))
		return 0;
	/* Requests already used need no look; start from the oldest new. */
	if ((uint32_t)(r->checked - r->req_cons) >
	    (uint32_t)(prod - r->req_cons))
		r->checked = r->req_cons;
	while (r->checked != prod && n < max) {
		struct pv_rx_req req;

		memcpy(&req, pv_slot(be, r, r->checked), sizeof(req));
		pv_compiler_barrier();
		if (!pv_be_rx_buf(be, q, r->checked, &req))
			break;
		r->checked++;
		n++;
	}
	return n;
}

unsigned pv_backend_rx(struct pv_backend *be, unsigned q,
		       const void *const *frames, const uint16_t *lens,
		       unsigned n)
{
	struct pv_be_ring *r;
	uint32_t prod, old;
	unsigned i, delivered = 0;

	if (be->error || q >= be->nq)
		return 0;
	r = &be->rx[q];
	if (!pv_be_read_prod(be, r, "rx", q, &prod))
		return 0;
	old = r->rsp_prod_pvt;
	for (i = 0; i < n; i++) {
		void *slot;
		struct pv_rx_req req;
		struct pv_rx_rsp rsp = { 0 };
		void *buf;

		if (r->req_cons == prod) {
			be->st.rx_no_buffer += n - i;
			break;
		}
		slot = pv_slot(be, r, r->req_cons);
		memcpy(&req, slot, sizeof(req));
		pv_compiler_barrier();
		buf = pv_be_rx_buf(be, q, r->req_cons, &req);
		if (!buf)
			break;
		rsp.id = req.id;
		if (lens[i] > req.len) {
			/* A legal but small buffer: the frame is lost, the
			 * guest learns so and gets its buffer back. */
			rsp.status = PV_RSP_DROPPED;
			be->st.rx_too_big++;
		} else {
			memcpy(buf, frames[i], lens[i]);
			if (be->log)
				dirty_log_view_set_gpa(be->log, be->gm,
						       req.gpa, lens[i]);
			rsp.status = PV_RSP_OKAY;
			rsp.len = lens[i];
			be->st.rx_frames++;
			be->st.rx_bytes += lens[i];
			delivered++;
		}
		memcpy(slot, &rsp, sizeof(rsp));
		r->req_cons++;
		r->rsp_prod_pvt++;
	}
	/*
	 * Move req_event before rsp_prod: a guest that sees the new
	 * responses and refills up to ring_size past them must also see the
	 * event moved, or the stale one would fall in its window.
	 */
	if (!be->error)
		pv_be_rx_no_kicks(be, r);
	pv_be_push(be, r, old);
	if (be->log)
		pv_be_mark_ring(be, r);
	return delivered;
}

/* ---- sleeping ---- */

bool pv_backend_arm(struct pv_backend *be)
{
	bool work = false;

	if (be->error)
		return false;
	be->st.final_checks++;
	for (unsigned q = 0; q < be->nq; q++) {
		struct pv_be_ring *r = &be->tx[q];

		/*
		 * RING_FINAL_CHECK_FOR_REQUESTS: ask for a kick on the next
		 * request, then look again, so a request produced between
		 * our last look and the guest reading req_event is not left
		 * waiting for a kick that will never come.
		 */
		__atomic_store_n(&r->hdr->req_event, r->req_cons + 1,
				 __ATOMIC_RELAXED);
		if (be->log)
			pv_be_mark_ring(be, r);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&r->hdr->req_prod, __ATOMIC_ACQUIRE) !=
		    r->req_cons)
			work = true;
	}
	if (work)
		be->st.final_check_hits++;
	return work;
}

/* ---- state ---- */

bool pv_backend_failed(const struct pv_backend *be)
{
	return be->error != PV_E_NONE;
}

int pv_backend_error(const struct pv_backend *be, const char **why)
{
	if (why)
		*why = be->error ? be->why : "";
	return be->error;
}

unsigned pv_backend_num_queues(const struct pv_backend *be)
{
	return be->nq;
}

static void pv_be_view(const struct pv_be_ring *r,
		       struct pv_backend_ring_view *v)
{
	v->req_cons = r->req_cons;
	v->rsp_prod = r->rsp_prod_pvt;
	v->req_prod = __atomic_load_n(&r->hdr->req_prod, __ATOMIC_RELAXED);
	v->req_event = __atomic_load_n(&r->hdr->req_event, __ATOMIC_RELAXED);
	v->rsp_event = __atomic_load_n(&r->hdr->rsp_event, __ATOMIC_RELAXED);
}

int pv_backend_ring_view(const struct pv_backend *be, unsigned q,
			 struct pv_backend_ring_view *tx,
			 struct pv_backend_ring_view *rx)
{
	if (q >= be->nq)
		return -EINVAL;
	pv_be_view(&be->tx[q], tx);
	pv_be_view(&be->rx[q], rx);
	return 0;
}

void pv_backend_get_stats(const struct pv_backend *be,
			  struct pv_backend_stats *st)
{
	*st = be->st;
}
