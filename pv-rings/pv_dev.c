// SPDX-License-Identifier: MIT
/*
 * pvnet: the pv NIC's PCI function in the VMM (pv_dev.h, pv_abi.h).
 *
 * The guest programs BAR0 while the device is stopped; every write is
 * checked as it comes (a ring size, port, vector or queue out of range is
 * PV_E_BAD_CONFIG at once) and the whole configuration again at
 * DRIVER_OK, where the ring and event-page addresses must lie in guest
 * RAM, page-aligned, without overlapping. Then each event-channel port in
 * use gets an eventfd that KVM signals on a write of that port number to
 * the notify register (ioeventfd with datamatch: no exit to userspace),
 * each port bound to an MSI-X vector gets that vector's irqfd eventfd,
 * and the lot goes to the backend. While running, setup writes are
 * ignored; only STATUS = 0 (reset) changes anything.
 *
 * Every access to BAR0, and every BAR2 write KVM did not catch (a port
 * not in use, or a notify page not yet registered), is a userspace exit;
 * they are counted here so exits per frame can be computed: on this path
 * they happen at setup only.
 *
 * Threads: BAR accesses come from vCPU threads, BAR moves from a vCPU's
 * config write, backend errors and link changes from the event loop. One
 * mutex covers the state; wire calls are made with it held (a guest
 * writing DRIVER_OK waits for the switch's answer, which the wire bounds).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define LOG_SUBSYS "pvnet"
#include "base/json_counters.h"
#include "base/log.h"
#include "core/nic_mac.h"
#include "core/pci.h"
#include "core/vdev.h"
#include "core/vdev_state.h"
#include "core/vmm.h"
#include "cpu/kvm.h"
#include "pv-rings/pv_dev.h"
#include "wire/pv_abi.h"

#define PV_BAR_REGS		0
#define PV_BAR_NOTIFY		2
#define PV_BAR_MSIX		4
#define PV_BAR_SIZE		4096
#define PV_REVISION		1
#define PV_PAGE			4096ull
#define PV_MTU			1500
#define PV_MAX_KICKS		(2 * ATTACH_PV_MAX_QUEUES)
#define PV_STATE_VERSION	1

struct pv_queue_regs {
	uint64_t tx_ring, rx_ring;
	uint32_t tx_port, rx_port;
};

/* An event-channel port the guest kicks: its eventfd. */
struct pv_kick {
	uint32_t port;
	int fd;
	bool registered;	/* an ioeventfd at notify_gpa */
};

struct pv_counters {
	uint64_t reg_reads, reg_writes;	/* BAR0 accesses: userspace exits */
	uint64_t notify_exits;		/* BAR2 writes KVM did not catch */
	uint64_t notify_bad;		/* ... of which naming no port in use */
	uint64_t configs;		/* backends started */
	uint64_t config_refused;	/* PV_CONFIG the switch refused */
	uint64_t resets;
	uint64_t bad_config;		/* PV_E_BAD_CONFIG raised */
	uint64_t backend_errors;	/* the backend stopped or went away */
	uint64_t ignored_writes;	/* setup writes while running or failed */
};

struct pv_dev {
	pthread_mutex_t lock;
	uint8_t mac[6];
	uint32_t max_queues;
	uint32_t dev_features;

	/* registers, as the guest wrote them (checked at DRIVER_OK) */
	uint32_t drv_features, num_queues, queue_sel, ring_size;
	struct pv_queue_regs q[ATTACH_PV_MAX_QUEUES];
	uint64_t evt_page;
	int8_t bind[PV_EVT_PORTS];	/* MSI-X vector per port, -1: none */
	uint32_t error;			/* PV_E_*; nonzero: DEVICE_ERROR */
	bool link;

	/* the backend's side, while running */
	bool running;
	bool backend;			/* a switch accepted the config */
	struct pv_kick kicks[PV_MAX_KICKS];
	unsigned nkicks;
	uint64_t notify_gpa;		/* BAR2 address, 0: not decoded */
	struct pv_wire wire;
	bool has_wire;

	struct pv_counters c;
};

static struct pv_dev *pv_of(struct vdev *vd)
{
	return vd->priv;
}

static void pv_fail(struct vdev *vd, uint32_t code, const char *why)
{
	struct pv_dev *p = pv_of(vd);

	if (!p->error)
		p->error = code;
	if (code == PV_E_BAD_CONFIG)
		p->c.bad_config++;
	log_guest_warn("%s: device error %u: %s", vd->id, code, why);
}

/* ---- ioeventfds on the notify page ---- */

static int pv_kick_register(struct vdev *vd, struct pv_kick *k, uint64_t gpa,
			    bool assign)
{
	const uint64_t match = k->port;

	return kvm_ioeventfd(vd->vmm->kvm, k->fd, gpa + PV_NOTIFY_OFF, 4,
			     false, &match, assign);
}

static void pv_kicks_unregister(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);

	for (unsigned i = 0; i < p->nkicks; i++) {
		struct pv_kick *k = &p->kicks[i];

		if (k->registered)
			pv_kick_register(vd, k, p->notify_gpa, false);
		k->registered = false;
	}
}

static void pv_kicks_register(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);
	int ret;

	if (!p->notify_gpa)
		return;
	for (unsigned i = 0; i < p->nkicks; i++) {
		struct pv_kick *k = &p->kicks[i];

		if (k->registered)
			continue;
		ret = pv_kick_register(vd, k, p->notify_gpa, true);
		/* Without it a notify still works, through a userspace exit
		 * (pv_notify_write): slower, not wrong. */
		if (ret < 0)
			log_warn("%s: ioeventfd for port %u: %s", vd->id,
				 k->port, strerror(-ret));
		k->registered = ret == 0;
	}
}

static void pv_kicks_release(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);

	pv_kicks_unregister(vd);
	for (unsigned i = 0; i < p->nkicks; i++)
		close(p->kicks[i].fd);
	p->nkicks = 0;
}

/* The guest moved (or stopped decoding) BAR2: the ioeventfds follow. */
static void pv_bar_moved(struct vdev *vd, unsigned idx, uint64_t old_addr,
			 uint64_t new_addr)
{
	struct pv_dev *p = pv_of(vd);

	if (idx != PV_BAR_NOTIFY)
		return;
	pthread_mutex_lock(&p->lock);
	pv_kicks_unregister(vd);
	p->notify_gpa = new_addr;
	pv_kicks_register(vd);
	pthread_mutex_unlock(&p->lock);
}

/* ---- configuration checks ---- */

struct pv_range {
	uint64_t gpa, len;
};

static bool pv_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static bool pv_ram_ok(struct vdev *vd, uint64_t gpa, uint64_t len)
{
	return !(gpa & (PV_PAGE - 1)) &&
	       guest_mem_ptr(&vd->vmm->mem, gpa, len) != NULL;
}

/* Everything the backend will trust, checked once more as a whole. */
static const char *pv_check(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);
	struct pv_range r[2 * ATTACH_PV_MAX_QUEUES + 1];
	unsigned n = 0;

	if (p->drv_features & ~p->dev_features)
		return "driver features the device does not offer";
	if (p->num_queues < 1 || p->num_queues > p->max_queues)
		return "number of queues";
	if (p->num_queues > 1 && !(p->drv_features & PV_F_MQ))
		return "several queues without PV_F_MQ";
	if (!pv_pow2(p->ring_size) || p->ring_size < PV_RING_MIN ||
	    p->ring_size > PV_RING_MAX)
		return "ring size";
	if (!pv_ram_ok(vd, p->evt_page, sizeof(struct pv_evt_page)))
		return "event page outside RAM or not page-aligned";
	r[n++] = (struct pv_range){ p->evt_page, PV_PAGE };
	for (unsigned i = 0; i < p->num_queues; i++) {
		const struct pv_queue_regs *q = &p->q[i];
		uint64_t len = PV_RING_BYTES(p->ring_size);

		if (!pv_ram_ok(vd, q->tx_ring, len) ||
		    !pv_ram_ok(vd, q->rx_ring, len))
			return "ring outside RAM or not page-aligned";
		if (q->tx_port >= PV_EVT_PORTS || q->rx_port >= PV_EVT_PORTS)
			return "event port";
		r[n++] = (struct pv_range){ q->tx_ring, len };
		r[n++] = (struct pv_range){ q->rx_ring, len };
	}
	/* Two rings on one page would have the backend write responses
	 * over the other ring's requests: refuse rather than guess. */
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (r[i].gpa < r[j].gpa + r[j].len &&
			    r[j].gpa < r[i].gpa + r[i].len)
				return "rings or event page overlap";
	return NULL;
}

/* ---- start and stop ---- */

/* Index in @fds of @fd, appending it; -ENOSPC when full. */
static int pv_fd_index(int *fds, unsigned *nfds, int fd)
{
	for (unsigned i = 0; i < *nfds; i++)
		if (fds[i] == fd)
			return (int)i;
	if (*nfds == ATTACH_MAX_FDS)
		return -ENOSPC;
	fds[*nfds] = fd;
	return (int)(*nfds)++;
}

/* The kick eventfd of @port (created on first use), as an fd index. */
static int pv_kick_fd(struct vdev *vd, uint32_t port, int *fds,
		      unsigned *nfds)
{
	struct pv_dev *p = pv_of(vd);
	struct pv_kick *k = NULL;

	for (unsigned i = 0; i < p->nkicks; i++)
		if (p->kicks[i].port == port)
			k = &p->kicks[i];
	if (!k) {
		int fd;

		if (p->nkicks == PV_MAX_KICKS)
			return -ENOSPC;
		fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		k = &p->kicks[p->nkicks++];
		*k = (struct pv_kick){ .port = port, .fd = fd };
	}
	return pv_fd_index(fds, nfds, k->fd);
}

/* The irqfd of @port's vector as an fd index, or ATTACH_PV_NO_FD. */
static int pv_irq_fd(struct vdev *vd, uint32_t port, int *fds,
		     unsigned *nfds)
{
	struct pv_dev *p = pv_of(vd);
	int fd;

	if (p->bind[port] < 0)
		return ATTACH_PV_NO_FD;
	fd = pci_msix_eventfd(vd->pci, (unsigned)p->bind[port]);
	if (fd < 0) {
		log_warn("%s: no irqfd for vector %d: %s", vd->id,
			 p->bind[port], strerror(-fd));
		return ATTACH_PV_NO_FD;
	}
	return pv_fd_index(fds, nfds, fd);
}

static int pv_config_build(struct vdev *vd, struct attach_pv_config *cfg,
			   int *fds, unsigned *nfds)
{
	struct pv_dev *p = pv_of(vd);
	int idx[4];

	memset(cfg, 0, sizeof(*cfg));
	cfg->evt_page_gpa = p->evt_page;
	cfg->ring_size = p->ring_size;
	cfg->num_queues = p->num_queues;
	/* STANDBY is between the guest and this device (the VF teaming);
	 * the backend serves rings and has no use for it (PV_CONFIG, wire/
	 * PROTOCOL.md 10.2, carries the ring features only). */
	cfg->features = p->drv_features & ~PV_F_STANDBY;
	for (unsigned i = 0; i < p->num_queues; i++) {
		const struct pv_queue_regs *q = &p->q[i];
		struct attach_pv_queue *aq = &cfg->q[i];

		idx[0] = pv_kick_fd(vd, q->tx_port, fds, nfds);
		idx[1] = pv_kick_fd(vd, q->rx_port, fds, nfds);
		idx[2] = pv_irq_fd(vd, q->tx_port, fds, nfds);
		idx[3] = pv_irq_fd(vd, q->rx_port, fds, nfds);
		for (unsigned k = 0; k < 4; k++)
			if (idx[k] < 0)
				return idx[k];
		aq->tx_ring_gpa = q->tx_ring;
		aq->rx_ring_gpa = q->rx_ring;
		aq->tx_port = (uint16_t)q->tx_port;
		aq->rx_port = (uint16_t)q->rx_port;
		aq->tx_kick_fd = (uint16_t)idx[0];
		aq->rx_kick_fd = (uint16_t)idx[1];
		aq->tx_irq_fd = (uint16_t)idx[2];
		aq->rx_irq_fd = (uint16_t)idx[3];
	}
	cfg->nfds = *nfds;
	return 0;
}

/*
 * Event channels for the checked configuration, then the backend: at
 * DRIVER_OK, and again after a migration (pv_dev_reconnect), when the
 * kicks may exist already and the backend carries on from the ring
 * indices in guest memory.
 */
static void pv_connect(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);
	struct attach_pv_config cfg;
	int fds[ATTACH_MAX_FDS];
	unsigned nfds = 0;
	char err[ATTACH_ERR_MAX] = "";
	int ret;

	ret = pv_config_build(vd, &cfg, fds, &nfds);
	if (ret < 0) {
		pv_kicks_release(vd);
		pv_fail(vd, PV_E_BAD_CONFIG, ret == -ENOSPC
			? "more event ports and vectors than can be passed on"
			: "cannot create event channels");
		return;
	}
	pv_kicks_register(vd);
	ret = p->has_wire ? p->wire.config(p->wire.opaque, &cfg, fds, nfds,
					   err, sizeof(err))
			  : -ENOTCONN;
	if (ret == -ENOTCONN) {
		/* No switch (none given, or gone and the guest has reset
		 * since): a NIC whose cable goes nowhere, link down. */
		p->running = true;
		return;
	}
	if (ret < 0) {
		pv_kicks_release(vd);
		p->c.config_refused++;
		if (ret == -ETIMEDOUT || ret == -ECONNRESET) {
			p->error = PV_E_BACKEND_GONE;
			log_warn("%s: no backend: %s", vd->id,
				 err[0] ? err : strerror(-ret));
		} else {
			pv_fail(vd, PV_E_BAD_CONFIG,
				err[0] ? err : "refused by the switch");
		}
		return;
	}
	p->running = true;
	p->backend = true;
	p->c.configs++;
	log_info("%s: backend running: %u queue(s) of %u slots, %u fds",
		 vd->id, cfg.num_queues, cfg.ring_size, nfds);
}

static void pv_start(struct vdev *vd)
{
	const char *bad = pv_check(vd);

	if (bad) {
		pv_fail(vd, PV_E_BAD_CONFIG, bad);
		return;
	}
	pv_connect(vd);
}

static void pv_stop(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);

	if (p->running && p->has_wire)
		p->wire.reset(p->wire.opaque);
	p->running = false;
	p->backend = false;
	pv_kicks_release(vd);
}

/* Registers back to power-on values (the link is not the guest's). */
static void pv_regs_reset(struct pv_dev *p)
{
	p->drv_features = 0;
	p->num_queues = 1;
	p->queue_sel = 0;
	p->ring_size = 0;
	p->evt_page = 0;
	p->error = PV_E_NONE;
	for (unsigned i = 0; i < ATTACH_PV_MAX_QUEUES; i++)
		p->q[i] = (struct pv_queue_regs){
			.tx_port = 2 * i, .rx_port = 2 * i + 1 };
	memset(p->bind, 0xff, sizeof(p->bind));
}

/* ---- registers ---- */

static void pv_set64(uint64_t *reg, bool hi, uint32_t v)
{
	if (hi)
		*reg = (*reg & 0xffffffffull) | (uint64_t)v << 32;
	else
		*reg = (*reg & ~0xffffffffull) | v;
}

static void pv_status_write(struct vdev *vd, uint32_t v)
{
	struct pv_dev *p = pv_of(vd);

	if (v == 0) {
		pv_stop(vd);
		pv_regs_reset(p);
		p->c.resets++;
		return;
	}
	if (p->error || p->running || !(v & PV_S_DRIVER_OK)) {
		p->c.ignored_writes++;
		return;
	}
	pv_start(vd);
}

static void pv_reg_write(struct vdev *vd, uint64_t off, uint32_t v)
{
	struct pv_dev *p = pv_of(vd);
	struct pv_queue_regs *q = &p->q[p->queue_sel];

	if (off == PV_REG_STATUS) {
		pv_status_write(vd, v);
		return;
	}
	if (p->running || p->error) {
		p->c.ignored_writes++;
		log_guest_warn("%s: setup write at 0x%llx while %s: ignored",
			       vd->id, (unsigned long long)off,
			       p->running ? "running" : "failed");
		return;
	}
	switch (off) {
	case PV_REG_DRV_FEATURES:
		p->drv_features = v;
		break;
	case PV_REG_NUM_QUEUES:
		if (v < 1 || v > p->max_queues)
			pv_fail(vd, PV_E_BAD_CONFIG, "number of queues");
		else
			p->num_queues = v;
		break;
	case PV_REG_QUEUE_SEL:
		if (v >= p->max_queues)
			pv_fail(vd, PV_E_BAD_CONFIG, "queue select");
		else
			p->queue_sel = v;
		break;
	case PV_REG_RING_SIZE:
		if (!pv_pow2(v) || v < PV_RING_MIN || v > PV_RING_MAX)
			pv_fail(vd, PV_E_BAD_CONFIG, "ring size");
		else
			p->ring_size = v;
		break;
	case PV_REG_TX_RING:
	case PV_REG_TX_RING + 4:
		pv_set64(&q->tx_ring, off & 4, v);
		break;
	case PV_REG_RX_RING:
	case PV_REG_RX_RING + 4:
		pv_set64(&q->rx_ring, off & 4, v);
		break;
	case PV_REG_EVT_PAGE:
	case PV_REG_EVT_PAGE + 4:
		pv_set64(&p->evt_page, off & 4, v);
		break;
	case PV_REG_TX_PORT:
	case PV_REG_RX_PORT:
		if (v >= PV_EVT_PORTS)
			pv_fail(vd, PV_E_BAD_CONFIG, "event port");
		else if (off == PV_REG_TX_PORT)
			q->tx_port = v;
		else
			q->rx_port = v;
		break;
	case PV_REG_EVT_BIND:
		if ((v >> 16) >= PV_EVT_PORTS ||
		    (v & 0xffff) >= PV_MSIX_VECTORS)
			pv_fail(vd, PV_E_BAD_CONFIG, "bind: port or vector");
		else
			p->bind[v >> 16] = (int8_t)(v & 0xffff);
		break;
	case PV_REG_EVT_UNBIND:
		if (v >= PV_EVT_PORTS)
			pv_fail(vd, PV_E_BAD_CONFIG, "unbind: port");
		else
			p->bind[v] = -1;
		break;
	default:
		p->c.ignored_writes++;	/* read-only or unassigned */
		break;
	}
}

static uint32_t pv_reg_read(struct vdev *vd, uint64_t off)
{
	struct pv_dev *p = pv_of(vd);
	const struct pv_queue_regs *q = &p->q[p->queue_sel];

	switch (off) {
	case PV_REG_MAGIC:	return PV_MAGIC;
	case PV_REG_VERSION:	return PV_VERSION;
	case PV_REG_DEV_FEATURES: return p->dev_features;
	case PV_REG_DRV_FEATURES: return p->drv_features;
	case PV_REG_MAC_LO:
		return (uint32_t)p->mac[0] | (uint32_t)p->mac[1] << 8 |
		       (uint32_t)p->mac[2] << 16 | (uint32_t)p->mac[3] << 24;
	case PV_REG_MAC_HI:
		return (uint32_t)p->mac[4] | (uint32_t)p->mac[5] << 8;
	case PV_REG_MTU:	return PV_MTU;
	case PV_REG_MAX_QUEUES:	return p->max_queues;
	case PV_REG_NUM_QUEUES:	return p->num_queues;
	case PV_REG_QUEUE_SEL:	return p->queue_sel;
	case PV_REG_RING_SIZE:	return p->ring_size;
	case PV_REG_TX_RING:	return (uint32_t)q->tx_ring;
	case PV_REG_TX_RING + 4: return (uint32_t)(q->tx_ring >> 32);
	case PV_REG_RX_RING:	return (uint32_t)q->rx_ring;
	case PV_REG_RX_RING + 4: return (uint32_t)(q->rx_ring >> 32);
	case PV_REG_TX_PORT:	return q->tx_port;
	case PV_REG_RX_PORT:	return q->rx_port;
	case PV_REG_EVT_PAGE:	return (uint32_t)p->evt_page;
	case PV_REG_EVT_PAGE + 4: return (uint32_t)(p->evt_page >> 32);
	case PV_REG_STATUS:
		return (p->running ? PV_S_DRIVER_OK : 0) |
		       (p->link && !p->error ? PV_S_LINK_UP : 0) |
		       (p->error ? PV_S_DEVICE_ERROR : 0);
	case PV_REG_ERROR:	return p->error;
	default:		return 0;
	}
}

/*
 * A notify KVM did not catch: the port is not in use (a guest bug or a
 * storm) or the ioeventfd is not there; for a port in use, pass it on.
 */
static void pv_notify_write(struct vdev *vd, uint64_t off, uint32_t v)
{
	struct pv_dev *p = pv_of(vd);
	const uint64_t one = 1;

	p->c.notify_exits++;
	if (off == PV_NOTIFY_OFF && p->running)
		for (unsigned i = 0; i < p->nkicks; i++)
			if (p->kicks[i].port == v) {
				if (write(p->kicks[i].fd, &one, sizeof(one)) < 0)
					log_guest_warn("%s: kick: %s", vd->id,
						       strerror(errno));
				return;
			}
	p->c.notify_bad++;
	log_guest_warn("%s: notify of port %u at 0x%llx: no such port",
		       vd->id, v, (unsigned long long)off);
}

static uint64_t pv_bar_read(struct vdev *vd, unsigned bar, uint64_t off,
			    unsigned size)
{
	struct pv_dev *p = pv_of(vd);
	uint64_t v;

	if (bar != PV_BAR_REGS)
		return 0;
	pthread_mutex_lock(&p->lock);
	p->c.reg_reads++;
	if (size == 4 && !(off & 3))
		v = pv_reg_read(vd, off);
	else if (size == 8 && !(off & 7))
		v = pv_reg_read(vd, off) |
		    (uint64_t)pv_reg_read(vd, off + 4) << 32;
	else
		v = UINT64_MAX;
	pthread_mutex_unlock(&p->lock);
	return v;
}

static void pv_bar_write(struct vdev *vd, unsigned bar, uint64_t off,
			 unsigned size, uint64_t val)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	if (bar == PV_BAR_NOTIFY) {
		pv_notify_write(vd, off, (uint32_t)val);
	} else if (bar == PV_BAR_REGS) {
		p->c.reg_writes++;
		if (size == 4 && !(off & 3)) {
			pv_reg_write(vd, off, (uint32_t)val);
		} else if (size == 8 && !(off & 7)) {
			/* low dword first, as two 32-bit writes would */
			pv_reg_write(vd, off, (uint32_t)val);
			pv_reg_write(vd, off + 4, (uint32_t)(val >> 32));
		} else {
			p->c.ignored_writes++;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

/* ---- life cycle ---- */

static int pv_pci_setup(struct vdev *vd)
{
	struct pci_dev *pd = pci_dev_create(vd->vmm->pci, vd, -1);
	int ret;

	if (!pd)
		return -errno;
	vd->pci = pd;
	pci_dev_set_ids(pd, PV_VENDOR_ID, PV_DEVICE_ID, 0x020000, PV_REVISION);
	pci_dev_set_subsys(pd, PV_VENDOR_ID, PV_DEVICE_ID);
	ret = pci_bar_add(pd, PV_BAR_REGS, PCI_BAR_MEM32, PV_BAR_SIZE);
	if (!ret)
		ret = pci_bar_add(pd, PV_BAR_NOTIFY, PCI_BAR_MEM32,
				  PV_BAR_SIZE);
	if (!ret)
		ret = pci_bar_add(pd, PV_BAR_MSIX, PCI_BAR_MEM32, PV_BAR_SIZE);
	if (!ret)
		ret = pci_msix_add(pd, PV_MSIX_VECTORS, PV_BAR_MSIX,
				   PV_MSIX_TABLE_OFF, PV_BAR_MSIX,
				   PV_MSIX_PBA_OFF);
	if (!ret)
		pci_dev_on_bar_moved(pd, pv_bar_moved);
	return ret;
}

static int pv_init(struct vdev *vd, const char *opts)
{
	struct pv_dev *p = calloc(1, sizeof(*p));
	unsigned long queues = 1, standby = 0;
	int ret;

	if (!p)
		return -ENOMEM;
	vd->priv = p;
	pthread_mutex_init(&p->lock, NULL);
	if (nic_mac_opt(vd, opts, 0x70 /* "p" */, p->mac) < 0)
		return -EINVAL;
	if (vdev_opt_num(opts, "queues", 1, ATTACH_PV_MAX_QUEUES, &queues)) {
		log_err("%s: queues must be 1..%d", vd->id,
			ATTACH_PV_MAX_QUEUES);
		return -EINVAL;
	}
	if (vdev_opt_num(opts, "standby", 0, 1, &standby)) {
		log_err("%s: standby must be 0 or 1", vd->id);
		return -EINVAL;
	}
	p->max_queues = (uint32_t)queues;
	p->dev_features = PV_F_MAC | PV_F_EVENT_IDX |
			  (queues > 1 ? PV_F_MQ : 0) |
			  (standby ? PV_F_STANDBY : 0);
	pv_regs_reset(p);
	ret = pv_pci_setup(vd);
	if (ret < 0) {
		log_err("%s: PCI setup: %s", vd->id, strerror(-ret));
		return ret;
	}
	p->notify_gpa = pci_bar_addr(vd->pci, PV_BAR_NOTIFY);
	log_info("%s: pv NIC at slot %u, %02x:%02x:%02x:%02x:%02x:%02x, "
		 "%u queue pair(s)%s", vd->id, pci_dev_slot(vd->pci),
		 p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4],
		 p->mac[5], p->max_queues,
		 standby ? ", standby of a VF with the same MAC" : "");
	return 0;
}

static void pv_fini(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);

	if (!p)
		return;
	pv_stop(vd);
	if (p->has_wire)
		p->wire.close(p->wire.opaque);
	pthread_mutex_destroy(&p->lock);
	free(p);
	vd->priv = NULL;
}

static void pv_reset(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	pv_stop(vd);
	pv_regs_reset(p);
	pthread_mutex_unlock(&p->lock);
}

/* ---- migration ---- */

/*
 * The registers as the guest wrote them, whether the backend runs, the
 * error the guest sees, and the counters. Not the eventfds or the
 * backend: the destination makes its own (pv_dev_load) and restarts the
 * backend on its own switch when its port attaches (pv_dev_reconnect).
 * The link is the port's.
 */
/*
 * The backend in the switch writes guest RAM (RX buffers, responses, the
 * event page) through its own mapping, which KVM's dirty log cannot see:
 * the switch marks those writes in the shared dirty log itself
 * (DIRTY_LOG), and where it cannot the migration marks all of RAM
 * (vmm_migrate_out.c). Nothing for the device to do here.
 */
static int pv_save(struct vdev *vd, struct vdev_state_writer *w)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	vdev_state_put_u32(w, "version", PV_STATE_VERSION);
	vdev_state_put(w, "mac", p->mac, 6);
	vdev_state_put_u32(w, "max_queues", p->max_queues);
	vdev_state_put_u32(w, "dev_features", p->dev_features);
	vdev_state_put_u32(w, "drv_features", p->drv_features);
	vdev_state_put_u32(w, "num_queues", p->num_queues);
	vdev_state_put_u32(w, "queue_sel", p->queue_sel);
	vdev_state_put_u32(w, "ring_size", p->ring_size);
	vdev_state_put(w, "queues", p->q, sizeof(p->q));
	vdev_state_put_u64(w, "evt_page", p->evt_page);
	vdev_state_put(w, "bind", p->bind, sizeof(p->bind));
	vdev_state_put_u32(w, "error", p->error);
	vdev_state_put_bool(w, "running", p->running);
	vdev_state_put(w, "counters", &p->c, sizeof(p->c));
	pthread_mutex_unlock(&p->lock);
	return w->err;
}

/* Each register as its write would have checked it. */
static const char *pv_load_check(const struct pv_dev *p)
{
	if (p->num_queues < 1 || p->num_queues > p->max_queues ||
	    p->queue_sel >= p->max_queues)
		return "queue count or select";
	if (p->ring_size && (!pv_pow2(p->ring_size) ||
			     p->ring_size < PV_RING_MIN ||
			     p->ring_size > PV_RING_MAX))
		return "ring size";
	for (unsigned i = 0; i < ATTACH_PV_MAX_QUEUES; i++)
		if (p->q[i].tx_port >= PV_EVT_PORTS ||
		    p->q[i].rx_port >= PV_EVT_PORTS)
			return "event port";
	for (unsigned i = 0; i < PV_EVT_PORTS; i++)
		if (p->bind[i] < -1 || p->bind[i] >= PV_MSIX_VECTORS)
			return "event binding";
	if (p->error > PV_E_BACKEND_GONE)
		return "error code";
	return NULL;
}

static int pv_load(struct vdev *vd, struct vdev_state_reader *r)
{
	struct pv_dev *p = pv_of(vd);
	struct pv_dev l;
	uint32_t version = 0;
	uint8_t mac[6];
	const char *bad;

	memset(&l, 0, sizeof(l));
	vdev_state_get_u32(r, "version", &version);
	if (!r->err && version != PV_STATE_VERSION)
		return vdev_state_fail(r, "pv state version %u", version);
	vdev_state_get(r, "mac", mac, 6);
	vdev_state_get_u32(r, "max_queues", &l.max_queues);
	vdev_state_get_u32(r, "dev_features", &l.dev_features);
	vdev_state_get_u32(r, "drv_features", &l.drv_features);
	vdev_state_get_u32(r, "num_queues", &l.num_queues);
	vdev_state_get_u32(r, "queue_sel", &l.queue_sel);
	vdev_state_get_u32(r, "ring_size", &l.ring_size);
	vdev_state_get(r, "queues", l.q, sizeof(l.q));
	vdev_state_get_u64(r, "evt_page", &l.evt_page);
	vdev_state_get(r, "bind", l.bind, sizeof(l.bind));
	vdev_state_get_u32(r, "error", &l.error);
	vdev_state_get_bool(r, "running", &l.running);
	vdev_state_get(r, "counters", &l.c, sizeof(l.c));
	if (r->err)
		return r->err;
	if (memcmp(mac, p->mac, 6) || l.max_queues != p->max_queues ||
	    l.dev_features != p->dev_features)
		return vdev_state_fail(r, "pv NIC built differently (mac=, "
				       "queues= or standby= differ)");
	if ((bad = pv_load_check(&l)) != NULL)
		return vdev_state_fail(r, "pv registers out of range: %s", bad);

	pthread_mutex_lock(&p->lock);
	p->drv_features = l.drv_features;
	p->num_queues = l.num_queues;
	p->queue_sel = l.queue_sel;
	p->ring_size = l.ring_size;
	memcpy(p->q, l.q, sizeof(p->q));
	p->evt_page = l.evt_page;
	memcpy(p->bind, l.bind, sizeof(p->bind));
	p->error = l.error;
	p->c = l.c;
	p->notify_gpa = pci_bar_addr(vd->pci, PV_BAR_NOTIFY);
	/* Running means a configuration DRIVER_OK accepted: check it as
	 * DRIVER_OK would against this VM's RAM. */
	bad = l.running && !l.error ? pv_check(vd) : NULL;
	if (bad) {
		pv_regs_reset(p);
		pthread_mutex_unlock(&p->lock);
		return vdev_state_fail(r, "pv NIC running with a bad "
				       "configuration: %s", bad);
	}
	p->running = l.running;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void pv_dev_reconnect(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	if (p->running && !p->error) {
		log_info("%s: reconnecting the backend (rings at their "
			 "indices in guest memory)", vd->id);
		pv_connect(vd);
	}
	pthread_mutex_unlock(&p->lock);
}

const struct vdev_ops pvnet_ops = {
	.name = "pvnet",
	.init = pv_init,
	.fini = pv_fini,
	.reset = pv_reset,
	.bar_read = pv_bar_read,
	.bar_write = pv_bar_write,
	.save = pv_save,
	.load = pv_load,
};

/* ---- for the port (pv_port.c) ---- */

void pv_dev_set_wire(struct vdev *vd, const struct pv_wire *w)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	p->wire = *w;
	p->has_wire = true;
	pthread_mutex_unlock(&p->lock);
}

void pv_dev_set_link(struct vdev *vd, bool up)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	p->link = up;
	pthread_mutex_unlock(&p->lock);
}

void pv_dev_backend_error(struct vdev *vd, uint32_t code)
{
	struct pv_dev *p = pv_of(vd);

	pthread_mutex_lock(&p->lock);
	p->c.backend_errors++;
	/* The backend has stopped: the guest must reset to go on. Only a
	 * running device can be stopped; later news of an old backend
	 * must not fail a device the guest has reset since. */
	if (p->running || code == PV_E_BACKEND_GONE) {
		p->backend = false;
		if (!p->error)
			p->error = code;
		log_warn("%s: backend stopped (error %u); device error until "
			 "the guest resets it", vd->id, code);
	}
	pthread_mutex_unlock(&p->lock);
}

void pv_dev_get_mac(struct vdev *vd, uint8_t mac[6])
{
	memcpy(mac, pv_of(vd)->mac, 6);
}

bool pv_dev_standby(struct vdev *vd)
{
	/* Set at init, never changed: no lock. */
	return pv_of(vd)->dev_features & PV_F_STANDBY;
}

json_t *pv_dev_stats(struct vdev *vd)
{
	struct pv_dev *p = pv_of(vd);
	json_t *o = json_object();
	struct pv_counters c;
	uint32_t error;
	bool running, link;

	pthread_mutex_lock(&p->lock);
	c = p->c;
	error = p->error;
	running = p->running;
	link = p->link;
	pthread_mutex_unlock(&p->lock);
	json_object_set_new(o, "id", json_string(vd->id));
	json_object_set_new(o, "model", json_string("pvnet"));
	json_object_set_new(o, "path", json_string("pv"));
	json_object_set_new(o, "running", json_boolean(running));
	json_object_set_new(o, "link", json_boolean(link));
	json_counter_set(o, "device_error", error);
	JSON_COUNTER(o, c, reg_reads);
	JSON_COUNTER(o, c, reg_writes);
	JSON_COUNTER(o, c, notify_exits);
	JSON_COUNTER(o, c, notify_bad);
	/* Every userspace exit this device caused: all set-up work. */
	json_counter_set(o, "setup_exits",
			 c.reg_reads + c.reg_writes + c.notify_exits);
	JSON_COUNTER(o, c, configs);
	JSON_COUNTER(o, c, config_refused);
	JSON_COUNTER(o, c, resets);
	JSON_COUNTER(o, c, bad_config);
	JSON_COUNTER(o, c, backend_errors);
	JSON_COUNTER(o, c, ignored_writes);
	return o;
}
