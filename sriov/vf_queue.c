// SPDX-License-Identifier: MIT
/*
 * The VF descriptor engine (vf_queue.h): ring latching on ENABLE, the TX
 * gather with its context slots and offloads, RX scatter into posted
 * buffers, write-backs, and the error state.
 *
 * Index rules: head is ours and lives here; the shared TDH/RDH are
 * written, never read back (a guest scribbling on them changes
 * nothing). Tails are read once per burst with acquire ordering, then
 * the descriptors they cover; a tail at or beyond the ring's count is an
 * error, as the 82576 gives it no meaning.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define LOG_SUBSYS "sriov-dma"
#include "base/log.h"
#include "sriov/vf_queue.h"

/* Stop the compiler from re-reading shared memory behind a local copy. */
#define vfq_compiler_barrier()	__asm__ __volatile__("" ::: "memory")

#define VFQ_ETH_HLEN	14

static const char *const vfq_err_names[] = {
	[VFQ_E_NONE] = "none",
	[VFQ_E_TX_RING] = "tx_ring",
	[VFQ_E_RX_RING] = "rx_ring",
	[VFQ_E_TX_TAIL] = "tx_tail",
	[VFQ_E_RX_TAIL] = "rx_tail",
	[VFQ_E_TX_DESC] = "tx_desc",
	[VFQ_E_RX_DESC] = "rx_desc",
	[VFQ_E_TX_CHAIN] = "tx_chain",
	[VFQ_E_RX_CONFIG] = "rx_config",
};

const char *vf_queue_err_name(int code)
{
	if (code < 0 || code > VFQ_E_RX_CONFIG)
		return "unknown";
	return vfq_err_names[code];
}

static void vfq_fail(struct vf_queue *q, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The guest broke the rules: this queue pair stops until a reset. */
static void vfq_fail(struct vf_queue *q, int code, const char *fmt, ...)
{
	va_list ap;

	if (q->error)
		return;
	q->error = code;
	q->st.errors++;
	va_start(ap, fmt);
	vsnprintf(q->why, sizeof(q->why), fmt, ap);
	va_end(ap);
	q->tx.enabled = q->rx.enabled = false;
	q->nwb = 0;
	log_guest_warn("VF queue stopped: %s", q->why);
	if (q->ops.failed)
		q->ops.failed(q->opaque, code, q->why);
}

void vf_queue_init(struct vf_queue *q, const struct vf_queue_ops *ops,
		   void *opaque)
{
	memset(q, 0, offsetof(struct vf_queue, txbuf));
	if (ops)
		q->ops = *ops;
	q->opaque = opaque;
	q->max_frame = IGBVF_FRAME_DEFAULT_MAX;
}

void vf_queue_attach(struct vf_queue *q, const struct guest_mem *gm,
		     struct igbvf_shared *sh)
{
	q->gm = gm;
	q->sh = sh;
	q->tx.enabled = q->rx.enabled = false;
	q->tx_hwb = NULL;
}

void vf_queue_reset(struct vf_queue *q)
{
	q->error = VFQ_E_NONE;
	q->why[0] = '\0';
	memset(&q->tx, 0, sizeof(q->tx));
	memset(&q->rx, 0, sizeof(q->rx));
	memset(q->ctx, 0, sizeof(q->ctx));
	q->tx_hwb = NULL;
	q->nwb = 0;
	q->rx_unpublished = 0;
	if (q->sh) {
		memset(q->sh->rxq, 0, sizeof(q->sh->rxq));
		memset(q->sh->txq, 0, sizeof(q->sh->txq));
	}
}

void vf_queue_set_max_frame(struct vf_queue *q, unsigned max_frame)
{
	if (max_frame > IGBVF_FRAME_JUMBO_MAX)
		max_frame = IGBVF_FRAME_JUMBO_MAX;
	q->max_frame = max_frame;
}

int vf_queue_error(const struct vf_queue *q, const char **why)
{
	if (why)
		*why = q->why;
	return q->error;
}

/* ---- rings ---- */

static uint32_t vfq_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void vfq_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static bool vfq_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool vfq_on_ring(const struct vf_queue_ring *r, uint64_t gpa,
			uint64_t len)
{
	return r->enabled &&
	       vfq_overlap(gpa, len, r->base, (uint64_t)r->count * 16);
}

/* True if [gpa, gpa+len) touches one of this VF's enabled rings. */
static bool vfq_on_rings(const struct vf_queue *q, uint64_t gpa,
			 uint64_t len)
{
	return vfq_on_ring(&q->tx, gpa, len) || vfq_on_ring(&q->rx, gpa, len);
}

/* A buffer the guest named: its host pointer, or NULL if it is bad. */
static uint8_t *vfq_buf(const struct vf_queue *q, uint64_t gpa, uint64_t len)
{
	if (vfq_on_rings(q, gpa, len))
		return NULL;
	return guest_mem_ptr(q->gm, gpa, len);
}

/* Read base, length and head once; check them. 0 or -1 (failed). */
static int vfq_latch(struct vf_queue *q, struct vf_queue_ring *r,
		     const struct vf_queue_ring *other, int code,
		     uint32_t bal, uint32_t bah, uint32_t len, uint32_t head)
{
	uint64_t base = (uint64_t)bah << 32 | bal;
	const char *name = code == VFQ_E_TX_RING ? "TX" : "RX";

	if (!len || len % IGBVF_RING_ALIGN || len > IGBVF_RING_LEN_MAX ||
	    base % IGBVF_RING_ALIGN) {
		vfq_fail(q, code, "%s ring base %#llx length %u is not "
			 "128-byte aligned and sized", name,
			 (unsigned long long)base, len);
		return -1;
	}
	r->desc = guest_mem_ptr(q->gm, base, len);
	if (!r->desc) {
		vfq_fail(q, code, "%s ring %#llx+%u is outside guest RAM",
			 name, (unsigned long long)base, len);
		return -1;
	}
	if (vfq_on_ring(other, base, len)) {
		vfq_fail(q, code, "%s ring %#llx+%u overlaps the other ring",
			 name, (unsigned long long)base, len);
		return -1;
	}
	r->base = base;
	r->count = len / IGBVF_DESC_SIZE;
	if (head >= r->count) {
		vfq_fail(q, code == VFQ_E_TX_RING ? VFQ_E_TX_TAIL
						  : VFQ_E_RX_TAIL,
			 "%s head %u beyond a ring of %u", name, head,
			 r->count);
		return -1;
	}
	r->head = head;
	r->enabled = true;
	return 0;
}

static void vfq_rx_enable(struct vf_queue *q)
{
	struct igbvf_rxq_regs *rg = &q->sh->rxq[0];
	uint32_t srrctl = vfq_load(&rg->srrctl);
	uint32_t bal = vfq_load(&rg->rdbal), bah = vfq_load(&rg->rdbah);
	uint32_t len = vfq_load(&rg->rdlen), head = vfq_load(&rg->rdh);

	if ((srrctl & IGBVF_SRRCTL_DESCTYPE_MASK) !=
	    IGBVF_SRRCTL_DESCTYPE_ADV_ONEBUF ||
	    !(srrctl & IGBVF_SRRCTL_BSIZEPKT_MASK)) {
		vfq_fail(q, VFQ_E_RX_CONFIG, "SRRCTL %#x: only one-buffer "
			 "advanced descriptors of 1 KiB or more", srrctl);
		return;
	}
	q->rx_bufsize = (srrctl & IGBVF_SRRCTL_BSIZEPKT_MASK)
			<< IGBVF_SRRCTL_BSIZEPKT_SHIFT;
	if (vfq_latch(q, &q->rx, &q->tx, VFQ_E_RX_RING, bal, bah, len, head))
		return;
	q->rx_unpublished = 0;
}

static void vfq_tx_enable(struct vf_queue *q)
{
	struct igbvf_txq_regs *rg = &q->sh->txq[0];
	uint32_t bal = vfq_load(&rg->tdbal), bah = vfq_load(&rg->tdbah);
	uint32_t len = vfq_load(&rg->tdlen), head = vfq_load(&rg->tdh);
	uint32_t wbl = vfq_load(&rg->tdwbal), wbh = vfq_load(&rg->tdwbah);
	uint64_t wb = ((uint64_t)wbh << 32 | wbl) & ~3ull;

	if (vfq_latch(q, &q->tx, &q->rx, VFQ_E_TX_RING, bal, bah, len, head))
		return;
	q->tx_hwb = NULL;
	if (wbl & IGBVF_TDWBAL_ENABLE) {
		q->tx_hwb = (uint32_t *)vfq_buf(q, wb, 4);
		if (!q->tx_hwb)
			vfq_fail(q, VFQ_E_TX_RING, "TX head write-back at "
				 "%#llx is outside RAM or on a ring",
				 (unsigned long long)wb);
	}
	q->nwb = 0;
}

/* Follow the ENABLE bits: latch a ring when it rises, drop it on fall. */
static void vfq_sync(struct vf_queue *q)
{
	bool rx, tx;

	if (q->error || !q->sh || !q->gm)
		return;
	rx = vfq_load(&q->sh->rxq[0].rxdctl) & IGBVF_RXDCTL_ENABLE;
	tx = vfq_load(&q->sh->txq[0].txdctl) & IGBVF_TXDCTL_ENABLE;
	if (rx && !q->rx.enabled)
		vfq_rx_enable(q);
	else if (!rx)
		q->rx.enabled = false;
	if (q->error)
		return;
	if (tx && !q->tx.enabled)
		vfq_tx_enable(q);
	else if (!tx)
		q->tx.enabled = false;
}

/* ---- TX ---- */

static uint32_t vfq_csum_add(const uint8_t *p, unsigned len, uint32_t sum)
{
	unsigned i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t vfq_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * POPTS IXSM/TXSM with the context's MACLEN/IPLEN/TUCMD. The L4 field
 * holds the pseudo-header sum the driver seeded (Linux's
 * CHECKSUM_PARTIAL), so the sum runs from the L4 header to the end.
 * 0, or -1 with *why when the context does not fit the frame.
 */
static int vfq_tx_csum(struct vf_queue *q, uint8_t *f, unsigned len,
		       uint32_t popts, const struct igbvf_tx_ctx_desc *c,
		       const char **why)
{
	unsigned maclen = (c->vlan_macip_lens & IGBVF_TXCTX_MACLEN_MASK) >>
			  IGBVF_TXCTX_MACLEN_SHIFT;
	unsigned iplen = c->vlan_macip_lens & IGBVF_TXCTX_IPLEN_MASK;
	uint32_t l4t = c->type_tucmd_mlhl & IGBVF_TXCTX_TUCMD_L4T_MASK;
	unsigned l4 = maclen + iplen, off;
	uint16_t s;

	/* Datasheet, context descriptor: MACLEN 14..127 with an offload. */
	if (maclen < VFQ_ETH_HLEN || iplen < 20 || l4 > len) {
		*why = "MACLEN/IPLEN do not fit the frame";
		return -1;
	}
	if (popts & IGBVF_TXD_POPTS_IXSM) {
		if (!(c->type_tucmd_mlhl & IGBVF_TXCTX_TUCMD_IPV4)) {
			*why = "IPv4 checksum asked with an IPv6 context";
			return -1;
		}
		f[maclen + 10] = f[maclen + 11] = 0;
		s = vfq_csum_fold(vfq_csum_add(f + maclen, iplen, 0));
		f[maclen + 10] = (uint8_t)(s >> 8);
		f[maclen + 11] = (uint8_t)s;
		q->st.tx_csum++;
	}
	if (popts & IGBVF_TXD_POPTS_TXSM) {
		if (l4t == IGBVF_TXCTX_TUCMD_L4T_TCP) {
			off = 16;
		} else if (l4t == IGBVF_TXCTX_TUCMD_L4T_UDP) {
			off = 6;
		} else {
			*why = "SCTP or reserved L4 type";
			return -1;
		}
		if (l4 + off + 2 > len) {
			*why = "L4 checksum field beyond the frame";
			return -1;
		}
		s = vfq_csum_fold(vfq_csum_add(f + l4, len - l4, 0));
		if (!s && l4t == IGBVF_TXCTX_TUCMD_L4T_UDP)
			s = 0xFFFF;	/* RFC 768: 0 means no checksum */
		f[l4 + off] = (uint8_t)(s >> 8);
		f[l4 + off + 1] = (uint8_t)s;
		q->st.tx_csum++;
	}
	return 0;
}

/* A context descriptor into its slot; -1 when it is not sane. */
static int vfq_tx_ctx(struct vf_queue *q, const struct igbvf_tx_ctx_desc *c,
		      uint32_t idx)
{
	unsigned slot = (c->mss_l4len_idx & IGBVF_TXD_IDX_MASK) >>
			IGBVF_TXD_IDX_SHIFT;

	if (slot >= IGBVF_TX_CONTEXTS) {
		vfq_fail(q, VFQ_E_TX_DESC, "context descriptor %u uses slot "
			 "%u (the 82576 has 2)", idx, slot);
		return -1;
	}
	if ((c->type_tucmd_mlhl & IGBVF_TXCTX_TUCMD_L4T_MASK) ==
	    IGBVF_TXCTX_TUCMD_L4T_MASK) {
		vfq_fail(q, VFQ_E_TX_DESC, "context descriptor %u has a "
			 "reserved L4 type", idx);
		return -1;
	}
	q->ctx[slot] = *c;
	q->st.tx_ctx++;
	return 0;
}

/* Insert an 802.1Q tag after the addresses; @f has room before it. */
static uint8_t *vfq_insert_tag(uint8_t *f, unsigned *len, uint16_t tci)
{
	uint8_t *n = f - 4;

	memmove(n, f, 12);
	n[12] = 0x81;
	n[13] = 0x00;
	n[14] = (uint8_t)(tci >> 8);
	n[15] = (uint8_t)tci;
	*len += 4;
	return n;
}

/* Write DD into the descriptors owed it; then they are the guest's. */
static void vfq_tx_writeback(struct vf_queue *q)
{
	unsigned i;

	vfq_compiler_barrier();
	for (i = 0; i < q->nwb; i++) {
		struct igbvf_tx_desc *d = (struct igbvf_tx_desc *)
			(q->tx.desc + (size_t)q->wb[i] * IGBVF_DESC_SIZE);

		__atomic_store_n(&d->olinfo_status, IGBVF_TXD_STAT_DD,
				 __ATOMIC_RELEASE);
	}
	q->st.tx_dd += q->nwb;
	q->nwb = 0;
}

/*
 * One frame (or one context descriptor) from @head, with @tail the end
 * of what the guest posted. Returns 1 for a frame sent, 0 for a context
 * consumed or a frame not complete yet (*next == head then), -1 on
 * error. *next is where the next one starts.
 */
static int vfq_tx_one(struct vf_queue *q, uint32_t head, uint32_t tail,
		      uint32_t *next)
{
	uint8_t *f = q->txbuf + VF_TX_HEADROOM;
	uint32_t idx = head, first_olinfo = 0, rs[VF_TX_DESC_PER_FRAME];
	unsigned len = 0, n = 0, nrs = 0, i;
	bool vle = false;
	const char *why;

	*next = head;
	for (;;) {
		struct igbvf_tx_desc d;
		uint32_t cmd, dlen;
		uint8_t *src;

		if (idx == tail)
			return 0;	/* the rest is not posted yet */
		memcpy(&d, q->tx.desc + (size_t)idx * IGBVF_DESC_SIZE,
		       sizeof(d));
		vfq_compiler_barrier();
		cmd = d.cmd_type_len;
		if (!(cmd & IGBVF_TXD_DCMD_DEXT)) {
			vfq_fail(q, VFQ_E_TX_DESC, "legacy TX descriptor %u",
				 idx);
			return -1;
		}
		if ((cmd & IGBVF_TXD_DTYP_MASK) == IGBVF_TXD_DTYP_CTXT) {
			struct igbvf_tx_ctx_desc c;

			if (n) {
				vfq_fail(q, VFQ_E_TX_DESC, "context "
					 "descriptor %u inside a frame", idx);
				return -1;
			}
			memcpy(&c, &d, sizeof(c));
			if (vfq_tx_ctx(q, &c, idx))
				return -1;
			*next = (idx + 1) % q->tx.count;
			return 0;
		}
		if ((cmd & IGBVF_TXD_DTYP_MASK) != IGBVF_TXD_DTYP_DATA ||
		    (cmd & IGBVF_TXD_DCMD_TSE)) {
			vfq_fail(q, VFQ_E_TX_DESC, "TX descriptor %u: %s", idx,
				 cmd & IGBVF_TXD_DCMD_TSE ?
				 "segmentation is not modelled" :
				 "unknown type");
			return -1;
		}
		dlen = cmd & IGBVF_TXD_DTALEN_MASK;
		if (!dlen || len + dlen > q->max_frame) {
			vfq_fail(q, VFQ_E_TX_DESC, "TX descriptor %u: length "
				 "%u makes a frame of %u (1..%u)", idx, dlen,
				 len + dlen, q->max_frame);
			return -1;
		}
		if (++n > VF_TX_DESC_PER_FRAME) {
			vfq_fail(q, VFQ_E_TX_CHAIN, "more than %u TX "
				 "descriptors without EOP from %u",
				 VF_TX_DESC_PER_FRAME, head);
			return -1;
		}
		src = vfq_buf(q, d.buffer_addr, dlen);
		if (!src) {
			vfq_fail(q, VFQ_E_TX_DESC, "TX descriptor %u: buffer "
				 "%#llx+%u outside RAM or on a ring", idx,
				 (unsigned long long)d.buffer_addr, dlen);
			return -1;
		}
		if (n == 1)
			first_olinfo = d.olinfo_status;
		memcpy(f + len, src, dlen);
		len += dlen;
		vle |= (cmd & IGBVF_TXD_DCMD_VLE) != 0;
		if (cmd & IGBVF_TXD_DCMD_RS)
			rs[nrs++] = idx;
		idx = (idx + 1) % q->tx.count;
		if (cmd & IGBVF_TXD_DCMD_EOP)
			break;
	}

	/* Offloads and VLAN insertion use the slot the first one names. */
	{
		unsigned slot = (first_olinfo & IGBVF_TXD_IDX_MASK) >>
				IGBVF_TXD_IDX_SHIFT;
		uint32_t popts = first_olinfo &
				 (IGBVF_TXD_POPTS_IXSM | IGBVF_TXD_POPTS_TXSM);

		if ((popts || vle) && slot >= IGBVF_TX_CONTEXTS) {
			vfq_fail(q, VFQ_E_TX_DESC, "TX descriptor %u names "
				 "context slot %u", head, slot);
			return -1;
		}
		if (popts && vfq_tx_csum(q, f, len, popts, &q->ctx[slot],
					 &why)) {
			vfq_fail(q, VFQ_E_TX_DESC, "TX frame at %u: %s", head,
				 why);
			return -1;
		}
		if (vle) {
			f = vfq_insert_tag(f, &len, (uint16_t)
					   (q->ctx[slot].vlan_macip_lens >>
					    IGBVF_TXCTX_VLAN_SHIFT));
			q->st.tx_vlan++;
		}
	}

	q->st.tx_descs += n;
	q->st.tx_frames++;
	q->st.tx_bytes += len;
	if (q->ops.tx_frame)
		q->ops.tx_frame(q->opaque, f, len);
	for (i = 0; i < nrs; i++) {
		if (q->nwb == VF_TX_WB_BATCH)
			vfq_tx_writeback(q);
		q->wb[q->nwb++] = rs[i];
	}
	*next = idx;
	return 1;
}

unsigned vf_queue_tx_burst(struct vf_queue *q, unsigned budget, bool *dd)
{
	uint32_t tail, head, next;
	unsigned frames = 0;
	bool wrote = false;
	int r;

	if (dd)
		*dd = false;
	vfq_sync(q);
	if (q->error || !q->tx.enabled)
		return 0;
	tail = vfq_load(&q->sh->txq[0].tdt);
	if (tail >= q->tx.count) {
		vfq_fail(q, VFQ_E_TX_TAIL, "TX tail %u beyond a ring of %u",
			 tail, q->tx.count);
		return 0;
	}
	head = q->tx.head;
	while (head != tail && frames < budget) {
		r = vfq_tx_one(q, head, tail, &next);
		if (r < 0)
			return frames;
		if (next == head)
			break;		/* a frame still being posted */
		head = next;
		frames += (unsigned)r;
	}
	if (q->nwb) {
		vfq_tx_writeback(q);
		wrote = true;
	}
	if (head != q->tx.head) {
		q->tx.head = head;
		vfq_store(&q->sh->txq[0].tdh, head);
		if (q->tx_hwb)
			__atomic_store_n(q->tx_hwb, head, __ATOMIC_RELEASE);
	}
	if (dd)
		*dd = wrote;
	return frames;
}

bool vf_queue_tx_pending(struct vf_queue *q)
{
	vfq_sync(q);
	if (q->error || !q->tx.enabled)
		return false;
	return vfq_load(&q->sh->txq[0].tdt) != q->tx.head;
}

/* ---- RX ---- */

/*
 * Copy @n bytes from logical offset @off of a frame whose bytes 12..15
 * are left out when @strip (the VLAN tag the NIC strips).
 */
static void vfq_copy_frame(uint8_t *dst, const uint8_t *data, bool strip,
			   unsigned off, unsigned n)
{
	unsigned a;

	if (strip && off < 12) {
		a = 12 - off < n ? 12 - off : n;
		memcpy(dst, data + off, a);
		dst += a;
		off += a;
		n -= a;
	}
	if (n)
		memcpy(dst, data + off + (strip ? 4 : 0), n);
}

int vf_queue_rx(struct vf_queue *q, const uint8_t *data, unsigned len,
		bool strip, int tci)
{
	uint8_t *buf[VF_RX_DESC_PER_FRAME];
	uint32_t tail, avail, need, i, idx;
	unsigned off = 0;

	vfq_sync(q);
	if (q->error)
		return -ENETDOWN;
	if (!q->rx.enabled) {
		q->st.rx_off++;
		return -ENETDOWN;
	}
	if (strip) {
		if (len < 16)
			return -EINVAL;
		len -= 4;
	}
	if (!len || len > q->max_frame) {
		q->st.rx_too_big++;
		return -EMSGSIZE;
	}
	tail = vfq_load(&q->sh->rxq[0].rdt);
	if (tail >= q->rx.count) {
		vfq_fail(q, VFQ_E_RX_TAIL, "RX tail %u beyond a ring of %u",
			 tail, q->rx.count);
		return -EIO;
	}
	avail = (tail + q->rx.count - q->rx.head) % q->rx.count;
	need = (len + q->rx_bufsize - 1) / q->rx_bufsize;
	if (need > avail || need > VF_RX_DESC_PER_FRAME) {
		q->st.rx_no_buffer++;
		return -ENOBUFS;
	}

	/* Copy and check every descriptor before writing anything. */
	for (i = 0, idx = q->rx.head; i < need; i++) {
		struct igbvf_rx_desc_read d;

		memcpy(&d, q->rx.desc + (size_t)idx * IGBVF_DESC_SIZE,
		       sizeof(d));
		vfq_compiler_barrier();
		buf[i] = vfq_buf(q, d.pkt_addr, q->rx_bufsize);
		if (!buf[i]) {
			vfq_fail(q, VFQ_E_RX_DESC, "RX descriptor %u: buffer "
				 "%#llx+%u outside RAM or on a ring", idx,
				 (unsigned long long)d.pkt_addr,
				 q->rx_bufsize);
			return -EIO;
		}
		idx = (idx + 1) % q->rx.count;
	}

	for (i = 0, idx = q->rx.head; i < need; i++) {
		struct igbvf_rx_desc_wb *wb = (struct igbvf_rx_desc_wb *)
			(q->rx.desc + (size_t)idx * IGBVF_DESC_SIZE);
		unsigned chunk = len - off < q->rx_bufsize ? len - off
							   : q->rx_bufsize;
		uint32_t st = IGBVF_RXD_STAT_DD;

		vfq_copy_frame(buf[i], data, strip, off, chunk);
		off += chunk;
		if (i == need - 1)
			st |= IGBVF_RXD_STAT_EOP;
		if (tci >= 0)
			st |= IGBVF_RXD_STAT_VP;
		wb->pkt_info = 0;
		wb->hdr_info = 0;
		wb->rss = 0;
		wb->length = (uint16_t)chunk;
		wb->vlan = tci >= 0 ? (uint16_t)tci : 0;
		/* The data and the fields above before DD. */
		__atomic_store_n(&wb->status_error, st, __ATOMIC_RELEASE);
		idx = (idx + 1) % q->rx.count;
	}
	q->rx.head = idx;
	q->rx_unpublished++;
	q->st.rx_descs += need;
	q->st.rx_frames++;
	q->st.rx_bytes += len;
	return 0;
}

unsigned vf_queue_rx_flush(struct vf_queue *q)
{
	unsigned n = q->rx_unpublished;

	if (!n)
		return 0;
	q->rx_unpublished = 0;
	if (!q->error && q->rx.enabled)
		vfq_store(&q->sh->rxq[0].rdh, q->rx.head);
	return n;
}
