// SPDX-License-Identifier: MIT
/*
 * pv NIC bring-up (wire/pv_abi.h): check magic and version, reset,
 * negotiate features, read the MAC, allocate the rings and the event page
 * in our RAM (page-aligned, identity-mapped so pointers are GPAs), program
 * queue 0 with ports 0 (TX) and 1 (RX), post every RX buffer, bind the
 * ports to MSI-X vectors in interrupt mode, then DRIVER_OK. About twenty
 * register accesses, all here; the data path (pvnet_ring.c) uses none.
 */
#include <stddef.h>

#include "drivers/pvnet.h"
#include "drivers/pvnet_priv.h"
#include "rt/alloc.h"
#include "rt/errno.h"
#include "rt/irq.h"
#include "rt/lapic.h"
#include "rt/msi.h"
#include "rt/string.h"

#define PVNET_BAR_REGS		0
#define PVNET_BAR_NOTIFY	2
#define PVNET_MSIX_TX		0	/* MSI-X entries the ports bind to */
#define PVNET_MSIX_RX		1

static bool pvnet_match(const struct pci_dev *d)
{
	return d->vendor == PV_VENDOR_ID && d->device == PV_DEVICE_ID;
}

static bool pvnet_link(struct netdev *nd)
{
	uint32_t st = pvnet_reg_read(pvnet_of(nd), PV_REG_STATUS);

	return (st & PV_S_LINK_UP) && !(st & PV_S_DEVICE_ERROR);
}

static void pvnet_stats(struct netdev *nd, struct json *j)
{
	struct pvnet *v = pvnet_of(nd);

	json_kv_u64(j, "ring", v->size);
	json_kv_bool(j, "event_idx", v->event_idx);
	json_kv_bool(j, "standby", v->standby);
	if (v->standby_alone)
		json_kv_str(j, "standby_alone", v->standby_alone);
	json_kv_u64(j, "reg_reads", v->reg_reads);
	json_kv_u64(j, "reg_writes", v->reg_writes);
	json_kv_u64(j, "notifies", v->notifies);
	json_kv_u64(j, "notifies_saved", v->notifies_saved);
	json_kv_u64(j, "pending_seen", v->pending_seen);
	json_kv_u64(j, "bad_rsp", v->bad_rsp);
}

static const struct netdev_ops pvnet_ops = {
	.rx_burst = pvnet_rx_burst,
	.tx_burst = pvnet_tx_burst,
	.link = pvnet_link,
	.ready = pvnet_ready,
	.arm = pvnet_arm,
	.disarm = pvnet_disarm,
	.stats = pvnet_stats,
};

static void pvnet_irq(void *arg, unsigned int vector)
{
	struct pvnet *v = arg;

	(void)vector;
	v->irq_seen = 1;
	v->nd.st.irqs++;
}

static void pvnet_reg_write64(struct pvnet *v, unsigned int off, uint64_t val)
{
	pvnet_reg_write(v, off, (uint32_t)val);
	pvnet_reg_write(v, off + 4, (uint32_t)(val >> 32));
}

static uint32_t pvnet_ring_size(const struct netdev_conf *c)
{
	unsigned int want = c->rx_ring > c->tx_ring ? c->rx_ring : c->tx_ring;
	uint32_t n = PV_RING_MIN;

	if (want == 0)
		want = PVNET_RING_DEF;
	while (n < want && n < PV_RING_MAX)
		n <<= 1;
	return n;
}

/* Both ports on MSI-X, one CPU vector for both; false: no interrupt. */
static bool pvnet_irq_route(struct pvnet *v)
{
	static struct msix msix;
	int vec;

	if (!v->nd.pci.msix_cap)
		return false;
	vec = irq_vector_alloc();
	if (vec < 0 || msix_enable(&msix, &v->nd.pci))
		return false;
	v->vector = vec;
	irq_register((unsigned int)vec, pvnet_irq, v);
	if (msix_vector_set(&msix, PVNET_MSIX_TX, (unsigned int)vec,
			    lapic_id()) ||
	    msix_vector_set(&msix, PVNET_MSIX_RX, (unsigned int)vec,
			    lapic_id()))
		return false;
	pvnet_reg_write(v, PV_REG_EVT_BIND, PVNET_TX_PORT << 16 | PVNET_MSIX_TX);
	pvnet_reg_write(v, PV_REG_EVT_BIND, PVNET_RX_PORT << 16 | PVNET_MSIX_RX);
	return true;
}

/* irq and adaptive modes take the interrupt if the device has MSI-X. */
static void pvnet_irq_setup(struct pvnet *v, const struct netdev_conf *c)
{
	bool irq = c->mode != NETDEV_MODE_POLL && pvnet_irq_route(v);

	v->nd.irq_kind = irq ? "msix" : "none";
	netdev_mode_set(&v->nd, c, irq);
}

static int pvnet_setup(struct pvnet *v, const struct netdev_conf *c)
{
	uint32_t feat, st, lo, hi;
	int r;

	if (pvnet_reg_read(v, PV_REG_MAGIC) != PV_MAGIC ||
	    pvnet_reg_read(v, PV_REG_VERSION) != PV_VERSION)
		return -ENODEV;
	pvnet_reg_write(v, PV_REG_STATUS, 0);
	feat = pvnet_reg_read(v, PV_REG_DEV_FEATURES);
	v->event_idx = feat & PV_F_EVENT_IDX;
	v->standby = feat & PV_F_STANDBY;
	pvnet_reg_write(v, PV_REG_DRV_FEATURES,
			feat & (PV_F_MAC | PV_F_EVENT_IDX | PV_F_STANDBY));
	if (c->mac_set) {
		memcpy(v->nd.mac, c->mac, 6);
	} else if (feat & PV_F_MAC) {
		lo = pvnet_reg_read(v, PV_REG_MAC_LO);
		hi = pvnet_reg_read(v, PV_REG_MAC_HI);
		for (r = 0; r < 4; r++)
			v->nd.mac[r] = (uint8_t)(lo >> (8 * r));
		v->nd.mac[4] = (uint8_t)hi;
		v->nd.mac[5] = (uint8_t)(hi >> 8);
	} else {
		return -ENODEV;		/* no address to use */
	}

	if (pkt_pool_size() == 0 && pkt_pool_init(netdev_pool_want(c)))
		return -ENOMEM;
	r = pvnet_rings_alloc(v, pvnet_ring_size(c));
	v->evt = alloc_aligned(sizeof(struct pv_evt_page), 4096);
	if (r || !v->evt)
		return -ENOMEM;
	/* Masked until wait() sleeps (pvnet_ring.c). */
	v->evt->mask = ~0ull;
	pvnet_rx_refill(v);

	pvnet_reg_write(v, PV_REG_NUM_QUEUES, 1);
	pvnet_reg_write(v, PV_REG_QUEUE_SEL, 0);
	pvnet_reg_write(v, PV_REG_RING_SIZE, v->size);
	pvnet_reg_write64(v, PV_REG_TX_RING, alloc_phys((void *)v->tx.hdr));
	pvnet_reg_write64(v, PV_REG_RX_RING, alloc_phys((void *)v->rx.hdr));
	pvnet_reg_write(v, PV_REG_TX_PORT, PVNET_TX_PORT);
	pvnet_reg_write(v, PV_REG_RX_PORT, PVNET_RX_PORT);
	pvnet_reg_write64(v, PV_REG_EVT_PAGE, alloc_phys((void *)v->evt));
	pvnet_irq_setup(v, c);
	pvnet_reg_write(v, PV_REG_STATUS, PV_S_DRIVER_OK);
	st = pvnet_reg_read(v, PV_REG_STATUS);
	if ((st & PV_S_DEVICE_ERROR) || !(st & PV_S_DRIVER_OK))
		return -EIO;
	return 0;
}

static struct netdev *pvnet_probe(const struct pci_dev *d,
				  const struct netdev_conf *c, int *err)
{
	struct pvnet *v = alloc_zeroed(sizeof(*v));
	int r;

	if (!v) {
		*err = -ENOMEM;
		return NULL;
	}
	v->nd.ops = &pvnet_ops;
	v->nd.driver = "pvnet";
	v->nd.model = "pv";
	v->nd.pci = *d;
	v->nd.priv = v;
	v->regs = pci_bar_map(d, PVNET_BAR_REGS);
	v->notify = pci_bar_map(d, PVNET_BAR_NOTIFY);
	if (!v->regs || !v->notify) {
		*err = -ENODEV;
		return NULL;
	}
	v->notify += PV_NOTIFY_OFF / 4;
	pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER);
	r = pvnet_setup(v, c);
	if (r) {
		*err = r;
		return NULL;
	}
	return &v->nd;
}

bool pvnet_standby_offered(const struct pci_dev *d)
{
	volatile uint8_t *regs = pci_bar_map(d, PVNET_BAR_REGS);

	if (!pvnet_match(d) || !regs)
		return false;
	pci_enable(d, PCI_CMD_MEM | PCI_CMD_MASTER);
	return mmio_read32(regs + PV_REG_MAGIC) == PV_MAGIC &&
	       mmio_read32(regs + PV_REG_VERSION) == PV_VERSION &&
	       (mmio_read32(regs + PV_REG_DEV_FEATURES) & PV_F_STANDBY);
}

bool pvnet_standby(struct netdev *nd)
{
	return nd->ops == &pvnet_ops && pvnet_of(nd)->standby;
}

void pvnet_standby_alone(struct netdev *nd, const char *why)
{
	if (nd->ops == &pvnet_ops)
		pvnet_of(nd)->standby_alone = why;
}

const struct netdev_driver pvnet_driver = {
	.name = "pvnet",
	.match = pvnet_match,
	.probe = pvnet_probe,
};
