// SPDX-License-Identifier: MIT
/*
 * 21140A bring-up, in the order the Linux tulip driver uses (tulip_core.c
 * tulip_init_one and tulip_up): software reset through CSR0, bus mode,
 * the MAC from the serial ROM, the MII PHY, descriptor lists into CSR3 and
 * CSR4, the setup frame on the TX list, CSR5 cleared, CSR7 interrupt mask,
 * then CSR6 starts receive and transmit (which also sends the setup
 * frame).
 *
 * Where QEMU's 21143 (1011:0019) differs from the 21140A as used here:
 * it has no MSI (INTx only: mode=irq routes it through the IOAPIC); it
 * does not pad short frames (we pad); it writes 0x7fffffff into a setup
 * frame's TDES0; its perfect filter always passes broadcast and it has no
 * hash filter; its MII PHY is at address 1 and loses bit 15 of each read;
 * and it writes back all four descriptor longwords, status first, from
 * its I/O thread while the vCPU runs (see tulip_ring.c, RX copy).
 */
#include <stddef.h>

#include "drivers/ioapic.h"
#include "drivers/tulip.h"
#include "drivers/tulip_priv.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/errno.h"
#include "rt/irq.h"
#include "rt/lapic.h"
#include "rt/msi.h"
#include "rt/string.h"

/* Linux's x86 default (tulip_core.c, csr0): memory write-and-invalidate,
 * read line, read multiple, 16-longword cache alignment, unlimited burst;
 * descriptor skip 0 (the descriptors are contiguous). Plus transmit
 * automatic polling every 200 us, set before the processes start: most
 * transmit bursts then need no CSR1 write (tulip_ring.c, "Kicks"). */
#define TULIP_CSR0_DEFAULT	(CSR0_MWI | CSR0_RML | CSR0_MRM | CSR0_CAL_16)
#define TULIP_CSR0_TAP		(CSR0_TAP_200US << CSR0_TAP_SHIFT)
/* MII port, heartbeat off, store and forward, full duplex (a virtual
 * wire has no collisions). Linux's MII media value is 0x020E0000. */
#define TULIP_CSR6_DEFAULT	(CSR6_MBO | CSR6_HBD | CSR6_PS | CSR6_SF | \
				 CSR6_FD)
#define TULIP_IRQ_MASK		(CSR5_NIS | CSR5_RI | CSR5_TI)
#define TULIP_SETUP_TIMEOUT_US	100000

static bool tulip_match(const struct pci_dev *d)
{
	return d->vendor == TULIP_PCI_VENDOR &&
	       (d->device == TULIP_PCI_DEVICE ||
		d->device == TULIP_PCI_DEVICE_21143);
}

static bool tulip_link(struct netdev *nd)
{
	return tulip_mii_link(tulip_of(nd));
}

static void tulip_stats(struct netdev *nd, struct json *j)
{
	struct tulip *t = tulip_of(nd);
	char mac[18];

	json_kv_str(j, "bar", t->mmio ? "mmio" : "io");
	json_kv_str(j, "desc", t->chain ? "chain" : "ring");
	json_kv_bool(j, "rx_zero_copy", t->rx_zero_copy);
	json_kv_u64(j, "rx_ring", t->rx_size);
	json_kv_u64(j, "tx_ring", t->tx_size);
	json_kv_u64(j, "srom_words", t->srom_words);
	json_kv_bool(j, "srom_crc_ok", t->srom_crc_ok);
	mac_format(t->srom_mac, mac);
	json_kv_str(j, "srom_mac", mac);
	json_kv_i64(j, "phy", t->phy);
	json_kv_hex(j, "phy_id", t->phy_id);
	json_kv_u64(j, "csr_reads", t->csr_reads);
	json_kv_u64(j, "csr_writes", t->csr_writes);
	json_kv_u64(j, "irq_acks", t->acks);
	json_kv_u64(j, "tx_kicks", t->kicks);
	json_kv_bool(j, "tap_seen", t->tap_seen);
}

static const struct netdev_ops tulip_ops = {
	.rx_burst = tulip_rx_burst,
	.tx_burst = tulip_tx_burst,
	.link = tulip_link,
	.ready = tulip_ready,
	.arm = tulip_arm,
	.stats = tulip_stats,
};

static void tulip_irq(void *arg, unsigned int vector)
{
	struct tulip *t = arg;

	(void)vector;
	t->irq_seen = 1;
	t->nd.st.irqs++;
}

/* CSR access through the memory BAR unless bar=io (or no memory BAR). */
static int tulip_map(struct tulip *t, const struct pci_dev *d, bool pio)
{
	const struct pci_bar *io = &d->bar[TULIP_BAR_IO];

	if (!pio)
		t->mmio = pci_bar_map(d, TULIP_BAR_MEM);
	if (!t->mmio) {
		if (io->type != PCI_BAR_IO || io->addr > 0xffff)
			return -ENODEV;
		t->io_base = (uint16_t)io->addr;
	}
	pci_enable(d, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	return 0;
}

/* The interrupt: MSI when the device has it (iopath's model does, as an
 * extension), else INTx through the IOAPIC; false: none (poll mode). */
static bool tulip_irq_route(struct tulip *t, const struct netdev_conf *c)
{
	const struct pci_dev *d = &t->nd.pci;
	int v;

	v = irq_vector_alloc();
	if (v < 0)
		return false;
	t->vector = v;
	irq_register((unsigned int)v, tulip_irq, t);
	if (d->msi_cap && msi_enable(d, (unsigned int)v, lapic_id()) == 0) {
		t->nd.irq_kind = "msi";
		return true;
	}
	if (c->intx && d->irq_pin) {
		unsigned int line = pci_cfg_read(d->bdf, PCI_REG_IRQ_LINE, 1);

		if (line == 0 || line == 0xff ||
		    ioapic_route_edge(line, (unsigned int)v, lapic_id()))
			return false;
		t->nd.irq_kind = "intx";
		return true;
	}
	return false;
}

/* irq and adaptive modes take an interrupt if the device can give one. */
static void tulip_irq_setup(struct tulip *t, const struct netdev_conf *c)
{
	bool irq = c->mode != NETDEV_MODE_POLL && tulip_irq_route(t, c);

	if (!irq)
		t->nd.irq_kind = "none";
	netdev_mode_set(&t->nd, c, irq);
	t->irq_mask = irq ? TULIP_IRQ_MASK : 0;
}

static struct netdev *tulip_probe(const struct pci_dev *d,
				  const struct netdev_conf *c, int *err)
{
	struct tulip *t = alloc_zeroed(sizeof(*t));
	int r;

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	t->nd.ops = &tulip_ops;
	t->nd.driver = "tulip";
	t->nd.pci = *d;
	t->nd.priv = t;
	t->is_21143 = d->device == TULIP_PCI_DEVICE_21143;
	t->nd.model = t->is_21143 ? "21143" : "21140A";
	t->chain = c->chain;
	t->rx_zero_copy = c->rx_zero_copy;
	t->phy = -1;
	r = tulip_map(t, d, c->use_pio);
	if (r)
		goto fail;

	/* Reset: the chip needs 50 PCI clocks; Linux waits 100 us. */
	tulip_csr_write(t, 0, CSR0_SWR);
	clock_delay_us(100);
	t->tap = true;
	tulip_csr_write(t, 0, TULIP_CSR0_DEFAULT | TULIP_CSR0_TAP);

	r = tulip_srom_load(t);
	if (r)
		goto fail;
	memcpy(t->nd.mac, c->mac_set ? c->mac : t->srom_mac, 6);
	t->phy = tulip_mii_find(t, c->phy);
	if (t->phy >= 0)
		t->phy_id = (uint32_t)tulip_mii_read(t, t->phy, MII_PHYSID1)
				<< 16 | tulip_mii_read(t, t->phy, MII_PHYSID2);

	if (pkt_pool_size() == 0 && pkt_pool_init(netdev_pool_want(c))) {
		r = -ENOMEM;
		goto fail;
	}
	r = tulip_rings_alloc(t, c->rx_ring, c->tx_ring);
	if (r)
		goto fail;
	tulip_csr_write(t, 3, (uint32_t)pkt_phys(t->rx_ring));
	tulip_csr_write(t, 4, (uint32_t)pkt_phys(t->tx_ring));
	tulip_setup_frame_queue(t);

	tulip_irq_setup(t, c);
	tulip_csr_write(t, 5, CSR5_W1C_ALL);
	tulip_csr_write(t, 7, t->irq_mask);
	t->csr6 = TULIP_CSR6_DEFAULT | CSR6_SR | CSR6_ST;
	tulip_csr_write(t, 6, t->csr6);
	tulip_csr_write(t, 2, 0);	/* RX poll demand, as Linux does */
	/* Starting transmission takes the setup frame; a poll demand in
	 * case the model waits for one. */
	if (!tulip_tx_drain(t, TULIP_SETUP_TIMEOUT_US / 10)) {
		tulip_csr_write(t, 1, 0);
		if (!tulip_tx_drain(t, TULIP_SETUP_TIMEOUT_US)) {
			r = -ETIMEDOUT;
			goto fail;
		}
	}
	tulip_tx_kick_init(t);
	return &t->nd;
fail:
	*err = r;
	return NULL;
}

const struct netdev_driver tulip_driver = {
	.name = "tulip",
	.match = tulip_match,
	.probe = tulip_probe,
};
