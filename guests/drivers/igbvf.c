// SPDX-License-Identifier: MIT
/*
 * 82576 VF bring-up on PCI (igbvf_probe, igbvf_set_interrupt_capability,
 * igbvf_request_msix): BAR0 mapped as memory (its pages 2 and 3 are the
 * queue registers the data path writes without exits), MSI-X from BAR3
 * with its three entries TX, RX and mailbox on three CPU vectors in irq
 * and adaptive modes, then the reset and configuration of igbvf_reset.c.
 * Also the netdev ops table, link and the driver's counters.
 */
#include <stddef.h>

#include "drivers/igbvf.h"
#include "drivers/igbvf_priv.h"
#include "rt/alloc.h"
#include "rt/cmdline.h"
#include "rt/errno.h"
#include "rt/irq.h"
#include "rt/lapic.h"
#include "rt/string.h"

#define IGBVF_BAR_REGS		0

static bool igbvf_match(const struct pci_dev *d)
{
	return d->vendor == IGBVF_VENDOR_ID && d->device == IGBVF_DEVICE_ID;
}

/* One trapped read; the watchdog keeps its own view (link_changes). */
static bool igbvf_link(struct netdev *nd)
{
	return igbvf_link_read(igbvf_of(nd));
}

/* The watchdog's view, RAM only: what the failover netdev follows. */
static bool igbvf_link_cached(struct netdev *nd)
{
	return igbvf_of(nd)->up && igbvf_of(nd)->link_up;
}

static void igbvf_stats(struct netdev *nd, struct json *j)
{
	struct igbvf *v = igbvf_of(nd);
	const struct igbvf_mbx_stats *m = &v->mbx.st;
	char mac[MAC_STR_LEN];

	json_kv_u64(j, "rx_ring", v->rx.size);
	json_kv_u64(j, "tx_ring", v->tx.size);
	json_kv_u64(j, "itr_us", v->itr_us);
	json_kv_bool(j, "up", v->up);
	json_kv_str(j, "mac_source", v->mac_source ? v->mac_source : "none");
	/* mac= asked for an address the PF refused: we run on its own. */
	json_kv_bool(j, "mac_refused", v->mac_refused);
	if (v->mac_refused) {
		mac_format(v->conf_mac, mac);
		json_kv_str(j, "mac_asked", mac);
	}
	if (v->perm_valid) {
		mac_format(v->perm_mac, mac);
		json_kv_str(j, "pf_mac", mac);
	}
	json_kv_u64(j, "reg_reads", v->bar.reads);
	json_kv_u64(j, "reg_writes", v->bar.writes);
	json_kv_u64(j, "doorbells", v->st.doorbells);
	json_kv_u64(j, "doorbells_saved", v->st.doorbells_saved);
	json_kv_u64(j, "doorbells_pending", v->st.doorbells_pending);
	json_kv_u64(j, "rearms", v->st.rearms);
	json_kv_u64(j, "unmasks_posted", v->st.unmasks_posted);
	json_kv_u64(j, "mbx_tx", m->tx);
	json_kv_u64(j, "mbx_rx", m->rx);
	json_kv_u64(j, "mbx_nacks", m->nacks);
	json_kv_u64(j, "mbx_pf_msgs", m->pf_msgs);
	json_kv_u64(j, "mbx_timeouts", m->timeouts);
	json_kv_u64(j, "mbx_bad_reply", m->bad_reply);
	json_kv_u64(j, "irq_tx", v->st.irq_vec[IGBVF_VEC_TX]);
	json_kv_u64(j, "irq_rx", v->st.irq_vec[IGBVF_VEC_RX]);
	json_kv_u64(j, "irq_mbx", v->st.irq_vec[IGBVF_VEC_MBX]);
	json_kv_u64(j, "resets", v->st.resets);
	json_kv_u64(j, "reset_fails", v->st.reset_fails);
	json_kv_str(j, "last_reset", v->last_reset_why ? v->last_reset_why
						       : "none");
	json_kv_u64(j, "watchdogs", v->st.watchdogs);
	json_kv_u64(j, "link_changes", v->st.link_changes);
	json_kv_u64(j, "rx_bad_wb", v->st.rx_bad_wb);
	json_kv_u64(j, "rx_multi", v->st.rx_multi);
	json_kv_u64(j, "rx_vlan", v->st.rx_vlan);
	json_kv_u64(j, "rx_buf_unsafe", v->st.rx_buf_unsafe);
	json_kv_u64(j, "tx_bad_len", v->st.tx_bad_len);
	json_kv_u64(j, "lpe_nacks", v->st.lpe_nacks);
}

static const struct netdev_ops igbvf_ops = {
	.rx_burst = igbvf_rx_burst,
	.tx_burst = igbvf_tx_burst,
	.link = igbvf_link,
	.link_cached = igbvf_link_cached,
	.ready = igbvf_ready,
	.arm = igbvf_arm,
	.stats = igbvf_stats,
};

static void igbvf_irq(void *arg, unsigned int vector)
{
	struct igbvf *v = arg;
	unsigned int i;

	for (i = 0; i < IGBVF_MSIX_VECTORS; i++)
		if (v->cpu_vec[i] == vector)
			igbvf_irq_note(v, i);
}

/* The three MSI-X entries on three CPU vectors; false: no interrupts. */
static bool igbvf_irq_route(struct igbvf *v)
{
	unsigned int i;
	int vec;

	if (!v->nd.pci.msix_cap || msix_enable(&v->msix, &v->nd.pci))
		return false;
	if (v->msix.nvec < IGBVF_MSIX_VECTORS) {
		msix_disable(&v->msix);
		return false;
	}
	for (i = 0; i < IGBVF_MSIX_VECTORS; i++) {
		vec = irq_vector_alloc();
		if (vec < 0)
			return false;
		v->cpu_vec[i] = (unsigned int)vec;
		irq_register((unsigned int)vec, igbvf_irq, v);
		if (msix_vector_set(&v->msix, i, (unsigned int)vec,
				    lapic_id()))
			return false;
	}
	return true;
}

/* irq and adaptive modes take interrupts if MSI-X can be had. */
static void igbvf_irq_setup(struct igbvf *v, const struct netdev_conf *c)
{
	v->use_irq = c->mode != NETDEV_MODE_POLL && igbvf_irq_route(v);
	v->nd.irq_kind = v->use_irq ? "msix" : "none";
	netdev_mode_set(&v->nd, c, v->use_irq);
}

static int igbvf_setup(struct igbvf *v, const struct pci_dev *d,
		       const struct netdev_conf *c)
{
	uint64_t itr = cmdline_get_u64("itr_us", IGBVF_ITR_US_DEF);

	if (itr > IGBVF_ITR_US_MAX)
		return -EINVAL;
	v->bar.regs = pci_bar_map(d, IGBVF_BAR_REGS);
	if (!v->bar.regs || d->bar[IGBVF_BAR_REGS].size < IGBVF_BAR0_SIZE)
		return -ENODEV;
	v->sh = (volatile struct igbvf_shared *)(v->bar.regs +
						 IGBVF_SHARED_OFF);
	pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER);
	igbvf_irq_setup(v, c);
	return igbvf_start(v, c, (uint32_t)itr);
}

static struct netdev *igbvf_probe(const struct pci_dev *d,
				  const struct netdev_conf *c, int *err)
{
	struct igbvf *v = alloc_zeroed(sizeof(*v));
	int r;

	if (!v) {
		*err = -ENOMEM;
		return NULL;
	}
	v->nd.ops = &igbvf_ops;
	v->nd.driver = "igbvf";
	v->nd.model = "82576vf";
	v->nd.pci = *d;
	v->nd.priv = v;
	r = igbvf_setup(v, d, c);
	if (r) {
		*err = r;
		return NULL;
	}
	return &v->nd;
}

const struct netdev_driver igbvf_driver = {
	.name = "igbvf",
	.match = igbvf_match,
	.probe = igbvf_probe,
};
