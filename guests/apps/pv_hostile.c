// SPDX-License-Identifier: MIT
/*
 * pv_hostile: a guest that abuses its own pv NIC (wire/pv_abi.h) the
 * way a buggy or malicious front end would, to show that only its own
 * port suffers. It programs the device itself, without the driver:
 *
 *   bad_config  a ring outside RAM: the VMM refuses DRIVER_OK
 *   storm       notify writes as fast as the guest can (storm= count),
 *               on a port in use (in-kernel) and on one not in use
 *   bad_gpa     a TX request naming memory outside its RAM
 *   bad_len     a TX request longer than any frame (4000 bytes)
 *   rx_bad      RX buffers outside RAM and of length 65535
 *   overrun     the TX producer index jumped 100000 ahead
 *
 * Each step starts from a reset and a good configuration, does its harm,
 * kicks, waits up to wait_ms= (200) for the device to report, records
 *   {"event":"hostile","step":"bad_gpa","status":"0x5","error":2,
 *    "rsp":-1,"refused":true}
 * (refused: DEVICE_ERROR set, or an error response), and resets.
 *   {"event":"done","app":"pv_hostile","ok":true,"steps":6,"refused":N}
 * Exit 0 when every step ran (whatever the device said), 1 without a pv
 * NIC.
 */
#include "apps/report.h"
#include "wire/pv_abi.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/json.h"
#include "rt/pci.h"
#include "rt/rt.h"

/* Far outside any RAM this lab gives a VM, and not in the PCI window. */
#define HOSTILE_BAD_GPA		0x7ff0000000ull
#define HOSTILE_RING		32

static volatile uint8_t *regs;
static volatile uint32_t *notify;
static volatile struct pv_ring_hdr *txr, *rxr;
static volatile union pv_tx_slot *txs;
static volatile union pv_rx_slot *rxs;
static struct pv_evt_page *evt;
static uint8_t *buf;

static uint32_t reg_read(unsigned off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void reg_write(unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static void reg_write64(unsigned off, uint64_t v)
{
	reg_write(off, (uint32_t)v);
	reg_write(off + 4, (uint32_t)(v >> 32));
}

/* Reset, then a good configuration with rings at @tx_gpa; DRIVER_OK. */
static uint32_t dev_start(uint64_t tx_gpa)
{
	reg_write(PV_REG_STATUS, 0);
	for (unsigned i = 0; i < sizeof(struct pv_ring_hdr) +
			      HOSTILE_RING * 16; i++) {
		((volatile uint8_t *)txr)[i] = 0;
		((volatile uint8_t *)rxr)[i] = 0;
	}
	reg_write(PV_REG_DRV_FEATURES, PV_F_MAC | PV_F_EVENT_IDX);
	reg_write(PV_REG_NUM_QUEUES, 1);
	reg_write(PV_REG_QUEUE_SEL, 0);
	reg_write(PV_REG_RING_SIZE, HOSTILE_RING);
	reg_write64(PV_REG_TX_RING, tx_gpa);
	reg_write64(PV_REG_RX_RING, alloc_phys((void *)rxr));
	reg_write(PV_REG_TX_PORT, 0);
	reg_write(PV_REG_RX_PORT, 1);
	reg_write64(PV_REG_EVT_PAGE, alloc_phys(evt));
	reg_write(PV_REG_STATUS, PV_S_DRIVER_OK);
	return reg_read(PV_REG_STATUS);
}

static void tx_post(uint32_t idx, uint64_t gpa, uint16_t len)
{
	volatile struct pv_tx_req *r = &txs[idx & (HOSTILE_RING - 1)].req;

	r->gpa = gpa;
	r->len = len;
	r->flags = 0;
	r->id = (uint16_t)idx;
	r->reserved = 0;
}

/* Waits for DEVICE_ERROR or a response; records the step. */
static bool step_report(const char *step, uint64_t wait_ms)
{
	uint64_t end = clock_tsc() + clock_ns_to_tsc(wait_ms * 1000000);
	uint32_t st;
	int rsp = 0;
	bool refused;
	struct json j;

	do {
		st = reg_read(PV_REG_STATUS);
		if (st & PV_S_DEVICE_ERROR)
			break;
		if (txr->rsp_prod != 0) {
			rsp = txs[0].rsp.status;
			if (rsp != PV_RSP_OKAY)
				break;
		}
		clock_delay_us(2000);
	} while (clock_tsc() < end);
	refused = (st & PV_S_DEVICE_ERROR) || rsp != PV_RSP_OKAY;
	json_begin(&j, "hostile");
	json_kv_str(&j, "step", step);
	json_kv_hex(&j, "status", st);
	json_kv_u64(&j, "error", reg_read(PV_REG_ERROR));
	json_kv_i64(&j, "rsp", rsp);
	json_kv_bool(&j, "refused", refused);
	json_end(&j);
	return refused;
}

static int hostile_fail(void)
{
	struct json j;

	json_begin(&j, "done");
	json_kv_str(&j, "app", "pv_hostile");
	json_kv_bool(&j, "ok", false);
	json_end(&j);
	return RT_EXIT_FAIL;
}

static void kick(uint32_t port)
{
	*notify = port;
}

int app_main(void)
{
	static struct pci_dev dev;
	uint64_t wait_ms = cmdline_get_u64("wait_ms", 200);
	uint64_t storm = cmdline_get_u64("storm", 20000);
	unsigned steps = 0, refused = 0;
	struct json j;

	report_boot("pv_hostile");
	if (pci_find(PV_VENDOR_ID, PV_DEVICE_ID, &dev))
		return hostile_fail();
	pci_enable(&dev, PCI_CMD_MEM | PCI_CMD_MASTER);
	regs = pci_bar_map(&dev, 0);
	notify = (volatile uint32_t *)pci_bar_map(&dev, 2);
	txr = alloc_aligned(4096 * 2, 4096);
	rxr = alloc_aligned(4096 * 2, 4096);
	evt = alloc_aligned(sizeof(*evt), 4096);
	buf = alloc_aligned(4096, 4096);
	if (!regs || !notify || !txr || !rxr || !evt || !buf)
		return hostile_fail();
	txs = (volatile union pv_tx_slot *)((uint8_t *)txr +
					    sizeof(struct pv_ring_hdr));
	rxs = (volatile union pv_rx_slot *)((uint8_t *)rxr +
					    sizeof(struct pv_ring_hdr));
	evt->mask = ~0ull;
	json_begin(&j, "hostile");
	json_kv_str(&j, "step", "start");
	json_end(&j);

	/* bad_config: the VMM must refuse a ring outside RAM. */
	dev_start(HOSTILE_BAD_GPA);
	refused += step_report("bad_config", 0);
	steps++;

	/* storm: in-kernel kicks on port 0, and exits for port 63. */
	dev_start(alloc_phys((void *)txr));
	for (uint64_t i = 0; i < storm; i++)
		kick(0);
	for (uint64_t i = 0; i < storm / 100; i++)
		kick(63);
	refused += step_report("storm", 1);
	steps++;

	dev_start(alloc_phys((void *)txr));
	tx_post(0, HOSTILE_BAD_GPA, 60);
	txr->req_prod = 1;
	kick(0);
	refused += step_report("bad_gpa", wait_ms);
	steps++;

	dev_start(alloc_phys((void *)txr));
	tx_post(0, alloc_phys(buf), 4000);
	txr->req_prod = 1;
	kick(0);
	refused += step_report("bad_len", wait_ms);
	steps++;

	dev_start(alloc_phys((void *)txr));
	for (uint32_t i = 0; i < HOSTILE_RING; i++) {
		volatile struct pv_rx_req *r = &rxs[i].req;

		r->gpa = i & 1 ? HOSTILE_BAD_GPA : alloc_phys(buf);
		r->len = i & 1 ? 256 : 65535;
		r->id = (uint16_t)i;
	}
	rxr->req_prod = HOSTILE_RING;
	kick(1);
	/* Traffic to us (ARP from the others' broadcasts) makes the
	 * backend use those buffers; the flood test sends us some too. */
	refused += step_report("rx_bad", wait_ms * 5);
	steps++;

	dev_start(alloc_phys((void *)txr));
	tx_post(0, alloc_phys(buf), 60);
	txr->req_prod = 100000;
	kick(0);
	refused += step_report("overrun", wait_ms);
	steps++;

	reg_write(PV_REG_STATUS, 0);
	json_begin(&j, "done");
	json_kv_str(&j, "app", "pv_hostile");
	json_kv_bool(&j, "ok", true);
	json_kv_u64(&j, "steps", steps);
	json_kv_u64(&j, "refused", refused);
	json_end(&j);
	return RT_EXIT_OK;
}
