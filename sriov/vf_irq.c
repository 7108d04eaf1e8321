// SPDX-License-Identifier: MIT
/*
 * A VF's EICR/EIMS/EIAC/EIAM/EITR/IVAR logic (vf_irq.h). "pending"
 * holds the vectors that owe a message: a cause arrived (or was set
 * with EICS, or its vector was enabled with the cause set) while the
 * vector was enabled. Masking a vector forgets what it owed; unmasking
 * it with the cause still set owes it again, as the datasheet has it.
 */
#include <string.h>

#include "sriov/vf_irq.h"

#define VF_IRQ_ALL	IGBVF_EICR_MASK

void vf_irq_init(struct vf_irq *irq, void (*raise)(void *, unsigned),
		 void *opaque)
{
	memset(irq, 0, sizeof(*irq));
	irq->raise = raise;
	irq->opaque = opaque;
}

void vf_irq_reset(struct vf_irq *irq)
{
	struct vf_irq_stats st = irq->st;

	vf_irq_init(irq, irq->raise, irq->opaque);
	irq->st = st;
}

static uint64_t vf_irq_interval_ns(const struct vf_irq *irq, unsigned v)
{
	return (uint64_t)((irq->eitr[v] & IGBVF_EITR_INTERVAL_MASK) >>
			  IGBVF_EITR_INTERVAL_SHIFT) * 1000u;
}

/* The earliest time vector @v may be sent again. */
static uint64_t vf_irq_ready_at(const struct vf_irq *irq, unsigned v)
{
	if (!(irq->sent_once & (1u << v)))
		return 0;
	return irq->last_ns[v] + vf_irq_interval_ns(irq, v);
}

static void vf_irq_send(struct vf_irq *irq, unsigned v, uint64_t now_ns)
{
	uint32_t bit = 1u << v;

	irq->pending &= ~bit;
	irq->sent_once |= bit;
	irq->last_ns[v] = now_ns;
	irq->eicr &= ~(irq->eiac & bit);
	irq->eims &= ~(irq->eiam & bit);
	irq->st.sent[v]++;
	if (irq->raise)
		irq->raise(irq->opaque, v);
}

/* Send every owed vector whose interval has passed. */
static void vf_irq_flush(struct vf_irq *irq, uint64_t now_ns)
{
	unsigned v;

	irq->pending &= irq->eims;
	for (v = 0; v < IGBVF_MSIX_VECTORS; v++) {
		if (!(irq->pending & (1u << v)))
			continue;
		if (now_ns >= vf_irq_ready_at(irq, v))
			vf_irq_send(irq, v, now_ns);
	}
}

/* Causes @bits were set: owe a message on the enabled ones. */
static void vf_irq_set(struct vf_irq *irq, uint32_t bits, uint64_t now_ns)
{
	unsigned v;

	bits &= VF_IRQ_ALL;
	irq->eicr |= bits;
	for (v = 0; v < IGBVF_MSIX_VECTORS; v++)
		if ((bits & irq->eims & (1u << v)) &&
		    now_ns < vf_irq_ready_at(irq, v) &&
		    !(irq->pending & (1u << v)))
			irq->st.moderated++;
	irq->pending |= bits & irq->eims;
	vf_irq_flush(irq, now_ns);
}

int vf_irq_cause_vector(const struct vf_irq *irq, enum vf_irq_cause c)
{
	switch (c) {
	case VF_IRQ_RX:
		return vf_irq_ivar_vector(irq->ivar0 >> IGBVF_IVAR_RX0_SHIFT);
	case VF_IRQ_TX:
		return vf_irq_ivar_vector(irq->ivar0 >> IGBVF_IVAR_TX0_SHIFT);
	default:
		return vf_irq_ivar_vector(irq->ivar_misc);
	}
}

bool vf_irq_drop_stale(struct vf_irq *irq, int vec)
{
	uint32_t bit;

	if (vec < 0 || vec >= IGBVF_MSIX_VECTORS ||
	    vf_irq_cause_vector(irq, VF_IRQ_TX) == vec ||
	    vf_irq_cause_vector(irq, VF_IRQ_MBX) == vec)
		return false;
	bit = 1u << vec;
	if ((irq->eims & bit) || !(irq->eicr & bit))
		return false;	/* sent already, or nothing to drop */
	irq->eicr &= ~bit;
	irq->pending &= ~bit;
	return true;
}

void vf_irq_cause(struct vf_irq *irq, enum vf_irq_cause c, uint64_t now_ns)
{
	int vec = vf_irq_cause_vector(irq, c);

	if (vec < 0) {
		irq->st.unrouted++;
		return;
	}
	vf_irq_set(irq, 1u << vec, now_ns);
}

uint32_t vf_irq_read(struct vf_irq *irq, uint32_t off)
{
	uint32_t v;

	switch (off) {
	case IGBVF_EICR:
		v = irq->eicr;		/* read to clear */
		irq->eicr = 0;
		return v;
	case IGBVF_EIMS:
		return irq->eims;
	case IGBVF_EIAC:
		return irq->eiac;
	case IGBVF_EIAM:
		return irq->eiam;
	case IGBVF_IVAR0:
		return irq->ivar0;
	case IGBVF_IVAR_MISC:
		return irq->ivar_misc;
	default:
		if (off >= IGBVF_EITR(0) &&
		    off < IGBVF_EITR(IGBVF_MSIX_VECTORS) && !(off & 3))
			return irq->eitr[(off - IGBVF_EITR(0)) / 4];
		return 0;	/* EICS, EIMC: write only */
	}
}

void vf_irq_write(struct vf_irq *irq, uint32_t off, uint32_t val,
		  uint64_t now_ns)
{
	switch (off) {
	case IGBVF_EICS:
		vf_irq_set(irq, val, now_ns);
		break;
	case IGBVF_EIMS:
		val &= VF_IRQ_ALL;
		irq->pending |= val & ~irq->eims & irq->eicr;
		irq->eims |= val;
		vf_irq_flush(irq, now_ns);
		break;
	case IGBVF_EIMC:
		irq->eims &= ~(val & VF_IRQ_ALL);
		irq->pending &= irq->eims;
		break;
	case IGBVF_EIAC:
		irq->eiac = val & VF_IRQ_ALL;
		break;
	case IGBVF_EIAM:
		irq->eiam = val & VF_IRQ_ALL;
		break;
	case IGBVF_EICR:
		irq->eicr &= ~val;	/* write 1 to clear */
		break;
	case IGBVF_IVAR0:
		irq->ivar0 = val;
		break;
	case IGBVF_IVAR_MISC:
		irq->ivar_misc = val & 0xFF;
		break;
	default:
		if (off >= IGBVF_EITR(0) &&
		    off < IGBVF_EITR(IGBVF_MSIX_VECTORS) && !(off & 3)) {
			irq->eitr[(off - IGBVF_EITR(0)) / 4] = val &
				(IGBVF_EITR_INTERVAL_MASK |
				 IGBVF_EITR_CNT_IGNR);
			/* A shorter interval may free a held vector now. */
			vf_irq_flush(irq, now_ns);
		}
		break;
	}
}

void vf_irq_poll(struct vf_irq *irq, uint64_t now_ns)
{
	if (irq->pending)
		vf_irq_flush(irq, now_ns);
}

uint64_t vf_irq_next_deadline(const struct vf_irq *irq)
{
	uint64_t t = UINT64_MAX, r;
	unsigned v;

	for (v = 0; v < IGBVF_MSIX_VECTORS; v++) {
		if (!(irq->pending & irq->eims & (1u << v)))
			continue;
		r = vf_irq_ready_at(irq, v);
		if (r < t)
			t = r;
	}
	return t;
}
