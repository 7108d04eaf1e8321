// SPDX-License-Identifier: MIT
/*
 * A VF's trapped BAR0 registers (pages 0 and 1; igbvf_regs.h): CTRL,
 * STATUS, FRTIMER, the statistics, and the mailbox and interrupt
 * registers, which vf_mbx.c and vf_irq.c serve. The VMM forwards each
 * trapped access to the switch, which calls in here.
 *
 * The shared pages (0x2000-0x3FFF) are normally mapped into the guest
 * and never trap; an access that arrives anyway is served from the same
 * memory, so a VMM that traps them too still works (slowly).
 *
 * Every trapped write wakes the VF: it costs a VM exit anyway, and a
 * driver that has not learnt the doorbell (igbvf writes EICS or EIMS
 * from its interrupt handlers and watchdog) still gets its tails looked
 * at.
 */
#include <errno.h>

#define LOG_SUBSYS "sriov-regs"
#include "base/log.h"
#include "sriov/sriov_priv.h"

static bool sriov_reg_in(uint32_t off, uint32_t lo, uint32_t hi)
{
	return off >= lo && off < hi;
}

static bool sriov_reg_mbx(uint32_t off)
{
	return off == IGBVF_VFMAILBOX ||
	       sriov_reg_in(off, IGBVF_VMBMEM(0),
			    IGBVF_VMBMEM(IGBVF_MBX_WORDS));
}

static bool sriov_reg_irq(uint32_t off)
{
	return sriov_reg_in(off, IGBVF_EICS, IGBVF_EIAM + 4) ||
	       off == IGBVF_EICR || off == IGBVF_IVAR0 ||
	       off == IGBVF_IVAR_MISC ||
	       sriov_reg_in(off, IGBVF_EITR(0),
			    IGBVF_EITR(IGBVF_MSIX_VECTORS));
}

static uint32_t *sriov_reg_shared(struct sriov_vf *vf, uint32_t off)
{
	if (!vf->sh || !sriov_reg_in(off, IGBVF_SHARED_OFF,
				     IGBVF_SHARED_OFF + IGBVF_SHARED_SIZE))
		return NULL;
	return (uint32_t *)((uint8_t *)vf->sh + (off - IGBVF_SHARED_OFF));
}

static uint32_t sriov_reg_status(const struct sriov_vf *vf)
{
	uint32_t v = IGBVF_STATUS_FD | IGBVF_STATUS_SPEED_1000;

	if (vf->cfg.link_up)
		v |= IGBVF_STATUS_LU;
	return v;
}

/*
 * The VF an access by @vf's guest at @off of @size bytes is for: NULL
 * for no such VF or an access the 82576 does not decode (not 4 bytes,
 * not aligned, past BAR0), counted. Notes the time for the model.
 */
static struct sriov_vf *sriov_reg_vf(struct sriov_nic *nic, unsigned vf,
				     uint32_t off, unsigned size,
				     uint64_t now_ns)
{
	struct sriov_vf *v = sriov_vf_get(nic, vf);

	if (!v)
		return NULL;
	if (size != 4 || (off & 3) || off >= IGBVF_BAR0_SIZE) {
		v->st.bad_access++;
		log_guest_warn("%s: VF %u: %u-byte access at %#x ignored",
			       nic->name, vf, size, off);
		return NULL;
	}
	nic->now_ns = now_ns;
	return v;
}

int sriov_vf_reg_read(struct sriov_nic *nic, unsigned vf, uint32_t off,
		      unsigned size, uint32_t *val, uint64_t now_ns)
{
	struct sriov_vf *v = sriov_reg_vf(nic, vf, off, size, now_ns);
	uint32_t *sh;

	*val = 0;
	if (!v)
		return -EINVAL;
	sriov_vf_take_unmask(v, now_ns);
	if (sriov_reg_mbx(off)) {
		*val = vf_mbx_read(&v->mbx, off);
		return 0;
	}
	if (sriov_reg_irq(off)) {
		*val = vf_irq_read(&v->irq, off);
		return 0;
	}
	sh = sriov_reg_shared(v, off);
	if (sh) {
		*val = __atomic_load_n(sh, __ATOMIC_ACQUIRE);
		return 0;
	}
	switch (off) {
	case IGBVF_CTRL:
		*val = v->ctrl;
		break;
	case IGBVF_STATUS:
		*val = sriov_reg_status(v);
		break;
	case IGBVF_FRTIMER:
		*val = (uint32_t)((now_ns - v->t0_ns) / 1000u);
		break;
	case IGBVF_VFGPRC:
		*val = v->rs.gprc;
		break;
	case IGBVF_VFGPTC:
		*val = v->rs.gptc;
		break;
	case IGBVF_VFGORC:
		*val = v->rs.gorc;
		break;
	case IGBVF_VFGOTC:
		*val = v->rs.gotc;
		break;
	case IGBVF_VFMPRC:
		*val = v->rs.mprc;
		break;
	case IGBVF_VFGPRLBC:
		*val = v->rs.gprlbc;
		break;
	case IGBVF_VFGPTLBC:
		*val = v->rs.gptlbc;
		break;
	case IGBVF_VFGORLBC:
		*val = v->rs.gorlbc;
		break;
	case IGBVF_VFGOTLBC:
		*val = v->rs.gotlbc;
		break;
	default:
		break;		/* reserved: reads 0 */
	}
	return 0;
}

/* Act on what a mailbox write did. */
static void sriov_reg_mbx_write(struct sriov_vf *v, uint32_t off,
				uint32_t val, uint64_t now_ns)
{
	unsigned ev = vf_mbx_write(&v->mbx, &v->cfg, off, val, now_ns);

	if (ev & VF_MBX_EV_CFG)
		sriov_vf_cfg_changed(v);
	if (ev & VF_MBX_EV_IRQ)
		vf_irq_cause(&v->irq, VF_IRQ_MBX, now_ns);
	if (ev & VF_MBX_EV_RESET)
		sriov_pf_event(v, SRIOV_EV_VF_READY);
	else if (ev & VF_MBX_EV_CFG)
		sriov_pf_event(v, SRIOV_EV_VF_CFG);
}

int sriov_vf_reg_write(struct sriov_nic *nic, unsigned vf, uint32_t off,
		       unsigned size, uint32_t val, uint64_t now_ns)
{
	struct sriov_vf *v = sriov_reg_vf(nic, vf, off, size, now_ns);
	uint32_t *sh;

	if (!v)
		return -EINVAL;
	if (!v->sh)
		return 0;	/* no VM: nothing to act on */
	sriov_vf_take_unmask(v, now_ns);
	if (off == IGBVF_EICS && !val)
		v->st.doorbells++;
	sriov_vf_wake(v);

	if (sriov_reg_mbx(off)) {
		sriov_reg_mbx_write(v, off, val, now_ns);
		return 0;
	}
	if (sriov_reg_irq(off)) {
		if (off == IGBVF_EIMS)
			sriov_vf_stale_rx(v, val);
		vf_irq_write(&v->irq, off, val, now_ns);
		if (off != IGBVF_EICS && off != IGBVF_EICR)
			sriov_vf_irq_save(v);
		return 0;
	}
	sh = sriov_reg_shared(v, off);
	if (sh) {
		__atomic_store_n(sh, val, __ATOMIC_RELEASE);
		return 0;
	}
	if (off == IGBVF_CTRL) {
		if (val & IGBVF_CTRL_RST)
			sriov_vf_reset(v, false);
		v->ctrl = val & ~IGBVF_CTRL_RST;
	}
	/* STATUS, FRTIMER, statistics: read only. */
	return 0;
}
