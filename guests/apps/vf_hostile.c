// SPDX-License-Identifier: MIT
/*
 * vf_hostile: a guest that abuses its own 82576 VF (sriov/igbvf_regs.h)
 * the way a buggy or malicious igbvf would, to show that only its own VF
 * suffers: the switch stays up, the other VFs keep their traffic, and the
 * NIC model puts this one into its error state with a reason. It programs
 * the VF itself, using only the driver's mailbox code for the handshake.
 * steps= picks some (comma-separated; default all, in this order):
 *
 *   tail       TDT beyond the TX ring
 *   ring_oob   a TX ring outside RAM
 *   desc_oob   a TX descriptor whose buffer is outside RAM
 *   desc_ring  a TX descriptor whose buffer is its own TX ring
 *   legacy     a legacy (not DEXT) TX descriptor
 *   overlong   one frame of 2 x 1500 bytes, over the largest frame
 *   chain      a chain with no EOP that wraps round the whole ring
 *   rx_tail    RDT beyond the RX ring (seen when a frame comes for us)
 *   rx_ring    RX buffers over its own RX ring (idem)
 *   mbx_flood  requests before VF_RESET (not clear to send), then
 *              flood= requests of unknown types and full SET_MULTICAST
 *   set_mac    SET_MAC_ADDR for another address
 *   promisc    SET_PROMISC unicast
 *   spoof      count= frames from a source MAC that is not ours
 *   vlan_hop   count= frames tagged for vlan=, half tagged in the data,
 *              half by the NIC (context descriptor and VLE)
 *
 * Each step starts from a reset (CTRL.RST, VF_RESET) and good rings, does
 * its harm, rings the doorbell, waits up to wait_ms= (200; five times
 * that for the RX steps, which need someone else's traffic) for the VF's
 * error state (RSTI in VFMAILBOX, link down, a PF message with NACK) and
 * records one line:
 *   {"event":"hostile","step":"tail","rsti":true,"link":false,
 *    "pf_nack":true,"refused":true,...}
 * refused: the error state for the DMA steps; NACK for the mailbox
 * requests; the NIC's good-packets counter (VFGPTC) not moving for spoof
 * and vlan_hop ("sent", "counted"); for mbx_flood, every early request
 * NACKed and the VF still answering afterwards ("acks", "nacks",
 * "timeouts", "alive", "us").
 *   {"event":"done","app":"vf_hostile","ok":true,"steps":14,"refused":N}
 * Exit 0 when every step ran (whatever the NIC did), 1 without a VF, 2
 * for an unknown step.
 */
#include "apps/report.h"
#include "base/mac.h"
#include "drivers/igbvf_mbx.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/cpu.h"
#include "rt/json.h"
#include "rt/pci.h"
#include "rt/rt.h"
#include "rt/string.h"

/* Far outside any RAM this lab gives a VM, and not in the PCI window. */
#define HOSTILE_BAD_GPA		0x7ff0000000ull
#define HOSTILE_RING		64
#define HOSTILE_BUF		2048u
#define HOSTILE_FRAME		60
#define HOSTILE_ETHERTYPE	0x88B5

static struct igbvf_bar bar;
static struct igbvf_mbx mbx;
static volatile struct igbvf_shared *sh;
static volatile struct igbvf_tx_desc *txr;
static volatile struct igbvf_rx_desc_read *rxr;
static uint8_t *bufs;			/* RX buffers, then TX frames */
static uint8_t mac[6];
static uint32_t tx_tail;

static const char *const steps[] = {
	"tail", "ring_oob", "desc_oob", "desc_ring", "legacy", "overlong",
	"chain", "rx_tail", "rx_ring", "mbx_flood", "set_mac", "promisc",
	"spoof", "vlan_hop",
};
#define NSTEPS	(sizeof(steps) / sizeof(steps[0]))

struct outcome {
	bool rsti, link, pf_nack;
};

static uint8_t *tx_buf(unsigned i)
{
	return bufs + (HOSTILE_RING + i) * HOSTILE_BUF;
}

/* CTRL.RST and the VF_RESET handshake; our MAC from the reply. */
static int vf_reset(void)
{
	uint32_t msg[3] = { IGBVF_VF_RESET }, reply[3];
	uint64_t end = clock_tsc() + clock_ns_to_tsc(50000000);
	int r;

	igbvf_reg_write(&bar, IGBVF_CTRL, IGBVF_CTRL_RST);
	igbvf_mbx_init(&mbx, &bar);
	while (igbvf_mbx_check(&mbx, IGBVF_MBX_RSTD | IGBVF_MBX_RSTI))
		if (clock_tsc() > end)
			return -1;
	r = igbvf_mbx_request(&mbx, msg, 1, reply, 3);
	if (r)
		return r;
	if (igbvf_msg_reset_reply(reply, mac) == 1)
		return 0;
	/* No address from the PF: a fixed local one of our own. */
	memcpy(mac, (const uint8_t[6]){ 0x02, 0, 0, 0, 0x66, 0x66 }, 6);
	igbvf_msg_set_mac(msg, mac);
	return igbvf_mbx_request(&mbx, msg, 3, reply, 3);
}

/* Reset, then both rings programmed and enabled, RX buffers posted. */
static int vf_start(uint64_t tx_base, uint32_t tx_head)
{
	volatile struct igbvf_txq_regs *t = &sh->txq[0];
	volatile struct igbvf_rxq_regs *r = &sh->rxq[0];
	unsigned i;

	if (vf_reset())
		return -1;
	memset((void *)txr, 0, HOSTILE_RING * sizeof(*txr));
	for (i = 0; i < HOSTILE_RING; i++) {
		rxr[i].pkt_addr = alloc_phys(bufs + i * HOSTILE_BUF);
		rxr[i].hdr_addr = 0;
	}
	t->tdbal = (uint32_t)tx_base;
	t->tdbah = (uint32_t)(tx_base >> 32);
	t->tdlen = HOSTILE_RING * IGBVF_DESC_SIZE;
	t->tdh = tx_head;
	t->tdt = tx_head;
	t->txdctl = IGBVF_TXDCTL_ENABLE;
	tx_tail = tx_head;
	r->rdbal = (uint32_t)alloc_phys((void *)rxr);
	r->rdbah = (uint32_t)(alloc_phys((void *)rxr) >> 32);
	r->rdlen = HOSTILE_RING * IGBVF_DESC_SIZE;
	r->srrctl = IGBVF_SRRCTL_DESCTYPE_ADV_ONEBUF | 2;
	r->rdh = 0;
	r->rdt = 0;
	r->rxdctl = IGBVF_RXDCTL_ENABLE;
	cpu_barrier();
	r->rdt = HOSTILE_RING - 1;
	return 0;
}

/* The tail, then the doorbell whatever IGBVF_POLL says. */
static void tx_kick(uint32_t tail)
{
	cpu_barrier();
	sh->txq[0].tdt = tail;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	igbvf_reg_write(&bar, IGBVF_EICS, 0);
}

static void tx_post(uint64_t addr, uint32_t len, uint32_t cmd,
		    uint32_t olinfo)
{
	volatile struct igbvf_tx_desc *d = &txr[tx_tail % HOSTILE_RING];

	d->buffer_addr = addr;
	d->olinfo_status = olinfo;
	d->cmd_type_len = cmd | len;
	tx_tail = (tx_tail + 1) % HOSTILE_RING;
}

#define TX_DATA	(IGBVF_TXD_DTYP_DATA | IGBVF_TXD_DCMD_DEXT | \
		 IGBVF_TXD_DCMD_IFCS)
#define TX_EOP	(TX_DATA | IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS)

/* A broadcast frame from @src at tx_buf(@i), tagged with @vid if not 0. */
static uint16_t frame_make(unsigned i, const uint8_t src[6], unsigned vid)
{
	uint8_t *f = tx_buf(i);
	unsigned o = 12;

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	if (vid) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(vid >> 8);
		f[o++] = (uint8_t)vid;
	}
	f[o++] = HOSTILE_ETHERTYPE >> 8;
	f[o++] = HOSTILE_ETHERTYPE & 0xff;
	memset(f + o, 0x5a, HOSTILE_FRAME - o);
	return HOSTILE_FRAME;
}

/* Waits for the error state or @wait_ms; reads what the PF said. */
static struct outcome vf_watch(uint64_t wait_ms)
{
	uint64_t end = clock_tsc() + clock_ns_to_tsc(wait_ms * 1000000);
	struct outcome o = { .link = true };
	uint32_t bits, msg;

	do {
		bits = igbvf_mbx_bits(&mbx);
		o.rsti = bits & IGBVF_MBX_RSTI;
		o.link = igbvf_reg_read(&bar, IGBVF_STATUS) & IGBVF_STATUS_LU;
		if (bits & IGBVF_MBX_PFSTS) {
			igbvf_mbx_consume(&mbx, IGBVF_MBX_PFSTS);
			if (!igbvf_mbx_read(&mbx, &msg, 1) &&
			    (msg & IGBVF_MSG_NACK))
				o.pf_nack = true;
		}
		if (o.rsti || !o.link)
			break;
		clock_delay_us(2000);
	} while (clock_tsc() < end);
	return o;
}

static void record_begin(struct json *j, const char *step,
			 const struct outcome *o)
{
	json_begin(j, "hostile");
	json_kv_str(j, "step", step);
	json_kv_bool(j, "rsti", o->rsti);
	json_kv_bool(j, "link", o->link);
	json_kv_bool(j, "pf_nack", o->pf_nack);
}

/* A DMA step: the error state is the refusal. */
static bool dma_report(const char *step, uint64_t wait_ms)
{
	struct outcome o = vf_watch(wait_ms);
	bool refused = o.rsti || o.pf_nack || !o.link;
	struct json j;

	record_begin(&j, step, &o);
	json_kv_bool(&j, "refused", refused);
	json_end(&j);
	return refused;
}

/* The TX steps; false for a step this function does not know. */
static bool step_tx(const char *s, uint64_t wait_ms, bool *refused)
{
	uint64_t txa = alloc_phys((void *)txr);
	unsigned i;

	if (!strcmp(s, "ring_oob")) {
		vf_start(HOSTILE_BAD_GPA, 0);
		tx_kick(0);
	} else if (!strcmp(s, "chain")) {
		/* from descriptor 40 round to 38, none of them EOP */
		vf_start(txa, 40);
		for (i = 0; i < HOSTILE_RING - 1; i++)
			tx_post(alloc_phys(tx_buf(0)), HOSTILE_FRAME, TX_DATA,
				0);
		tx_kick(tx_tail);
	} else if (!strcmp(s, "overlong")) {
		vf_start(txa, 0);
		tx_post(alloc_phys(tx_buf(0)), 1500, TX_DATA, 0);
		tx_post(alloc_phys(tx_buf(1)), 1500, TX_EOP, 0);
		tx_kick(tx_tail);
	} else {
		uint64_t addr = alloc_phys(tx_buf(0));
		uint32_t cmd = TX_EOP, tail;

		if (!strcmp(s, "desc_oob"))
			addr = HOSTILE_BAD_GPA;
		else if (!strcmp(s, "desc_ring"))
			addr = txa;
		else if (!strcmp(s, "legacy"))
			cmd = IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS;
		else if (strcmp(s, "tail"))
			return false;
		vf_start(txa, 0);
		frame_make(0, mac, 0);
		tx_post(addr, HOSTILE_FRAME, cmd, 0);
		tail = !strcmp(s, "tail") ? HOSTILE_RING + 7 : tx_tail;
		tx_kick(tail);
	}
	*refused = dma_report(s, wait_ms);
	return true;
}

/* The RX steps: the NIC finds out when a frame arrives for us. */
static bool step_rx(const char *s, uint64_t wait_ms, bool *refused)
{
	unsigned i;

	if (strcmp(s, "rx_tail") && strcmp(s, "rx_ring"))
		return false;
	vf_start(alloc_phys((void *)txr), 0);
	if (!strcmp(s, "rx_tail")) {
		sh->rxq[0].rdt = HOSTILE_RING + 3;
	} else {
		for (i = 0; i < HOSTILE_RING; i++)
			rxr[i].pkt_addr = alloc_phys((void *)rxr);
	}
	*refused = dma_report(s, wait_ms * 5);
	return true;
}

/* One request; 1 ACK, 0 NACK, -1 no answer. */
static int mbx_ask(const uint32_t *msg, unsigned n)
{
	uint32_t reply[IGBVF_MBX_WORDS];

	if (igbvf_mbx_request(&mbx, msg, n, reply, 1))
		return -1;
	return igbvf_msg_acked(reply[0]);
}

static bool step_flood(uint64_t flood)
{
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	uint8_t addrs[IGBVF_MC_HASHES_MAX * 6];
	uint32_t msg[IGBVF_MBX_WORDS];
	uint64_t acks = 0, nacks = 0, lost = 0, early_nacks = 0, t0, i;
	struct outcome o = { .link = true };
	bool alive;
	struct json j;
	int r;

	for (i = 0; i < IGBVF_MC_HASHES_MAX; i++) {
		memcpy(addrs + 6 * i, mc, 6);
		addrs[6 * i + 5] = (uint8_t)i;
	}
	/* Not clear to send: CTRL.RST without VF_RESET. */
	igbvf_reg_write(&bar, IGBVF_CTRL, IGBVF_CTRL_RST);
	igbvf_mbx_init(&mbx, &bar);
	for (i = 0; i < 8; i++) {
		igbvf_msg_set_lpe(msg, 1522);
		early_nacks += mbx_ask(msg, 2) == 0;
	}
	vf_start(alloc_phys((void *)txr), 0);
	t0 = clock_tsc();
	for (i = 0; i < flood; i++) {
		unsigned n = 1;

		if (i & 1) {
			n = igbvf_msg_set_multicast(msg, addrs,
						    IGBVF_MC_HASHES_MAX);
		} else {
			memset(msg, 0xA5, sizeof(msg));
			msg[0] = 0x7F;		/* no such message */
			n = IGBVF_MBX_WORDS;
		}
		r = mbx_ask(msg, n);
		if (r < 0) {
			lost++;
			igbvf_mbx_init(&mbx, &bar);
		} else if (r) {
			acks++;
		} else {
			nacks++;
		}
	}
	igbvf_msg_set_lpe(msg, 1522);
	alive = mbx_ask(msg, 2) == 1;
	o.link = igbvf_reg_read(&bar, IGBVF_STATUS) & IGBVF_STATUS_LU;
	record_begin(&j, "mbx_flood", &o);
	json_kv_u64(&j, "early_nacks", early_nacks);
	json_kv_u64(&j, "acks", acks);
	json_kv_u64(&j, "nacks", nacks);
	json_kv_u64(&j, "timeouts", lost);
	json_kv_bool(&j, "alive", alive);
	json_kv_u64(&j, "us", clock_tsc_to_ns(clock_tsc() - t0) / 1000);
	json_kv_bool(&j, "refused", early_nacks == 8 && alive);
	json_end(&j);
	return early_nacks == 8 && alive;
}

/* SET_MAC_ADDR for another address, SET_PROMISC unicast. */
static bool step_ask(const char *s, bool *refused)
{
	uint32_t msg[3];
	uint8_t other[6];
	struct outcome o = { .link = true };
	struct json j;
	unsigned n;
	int r;

	if (!strcmp(s, "set_mac")) {
		memcpy(other, mac, 6);
		other[5] ^= 0x5a;
		n = igbvf_msg_set_mac(msg, other);
	} else if (!strcmp(s, "promisc")) {
		n = igbvf_msg_set_promisc(msg, IGBVF_VF_SET_PROMISC_UNICAST);
	} else {
		return false;
	}
	vf_start(alloc_phys((void *)txr), 0);
	r = mbx_ask(msg, n);
	*refused = r == 0;
	record_begin(&j, s, &o);
	json_kv_str(&j, "reply", r < 0 ? "none" : r ? "ack" : "nack");
	json_kv_bool(&j, "refused", *refused);
	json_end(&j);
	return true;
}

/* Frames the NIC should drop: does its transmit counter move? */
static bool step_frames(const char *s, uint64_t count, unsigned vid,
			bool *refused)
{
	static const uint8_t spoofed[6] = { 0x02, 0xde, 0xad, 0xbe, 0xef,
					    0x01 };
	bool spoof = !strcmp(s, "spoof");
	uint32_t before, after, i;
	struct outcome o;
	struct json j;

	if (!spoof && strcmp(s, "vlan_hop"))
		return false;
	if (count > HOSTILE_RING / 2 - 1)
		count = HOSTILE_RING / 2 - 1;
	vf_start(alloc_phys((void *)txr), 0);
	before = igbvf_reg_read(&bar, IGBVF_VFGPTC);
	for (i = 0; i < count; i++) {
		bool nic_tags = !spoof && (i & 1);
		uint16_t len = frame_make(i, spoof ? spoofed : mac,
					  spoof || nic_tags ? 0 : vid);

		if (nic_tags) {
			/* context slot 0 with the VLAN, VLE on the data */
			volatile struct igbvf_tx_ctx_desc *c =
				(volatile struct igbvf_tx_ctx_desc *)
				&txr[tx_tail % HOSTILE_RING];

			c->vlan_macip_lens = vid << IGBVF_TXCTX_VLAN_SHIFT |
					     14 << IGBVF_TXCTX_MACLEN_SHIFT;
			c->seqnum_seed = 0;
			c->type_tucmd_mlhl = IGBVF_TXD_DTYP_CTXT |
					     IGBVF_TXD_DCMD_DEXT;
			c->mss_l4len_idx = 0;
			tx_tail = (tx_tail + 1) % HOSTILE_RING;
			tx_post(alloc_phys(tx_buf(i)), len,
				TX_EOP | IGBVF_TXD_DCMD_VLE, 0);
		} else {
			tx_post(alloc_phys(tx_buf(i)), len, TX_EOP, 0);
		}
	}
	tx_kick(tx_tail);
	o = vf_watch(50);
	after = igbvf_reg_read(&bar, IGBVF_VFGPTC);
	*refused = after == before;
	record_begin(&j, s, &o);
	json_kv_u64(&j, "sent", count);
	json_kv_u64(&j, "counted", after - before);
	if (!spoof)
		json_kv_u64(&j, "vlan", vid);
	json_kv_bool(&j, "refused", *refused);
	json_end(&j);
	return true;
}

/* Every name in steps= is one we know. */
static bool steps_valid(const char *list)
{
	const char *p = list, *e;
	unsigned i;

	while (*p) {
		for (e = p; *e && *e != ','; e++)
			;
		for (i = 0; i < NSTEPS; i++)
			if (strlen(steps[i]) == (size_t)(e - p) &&
			    !strncmp(steps[i], p, (size_t)(e - p)))
				break;
		if (i == NSTEPS)
			return false;
		p = *e ? e + 1 : e;
	}
	return true;
}

static int hostile_done(bool ok, unsigned nsteps, unsigned refused,
			int code)
{
	struct json j;

	json_begin(&j, "done");
	json_kv_str(&j, "app", "vf_hostile");
	json_kv_bool(&j, "ok", ok);
	json_kv_u64(&j, "steps", nsteps);
	json_kv_u64(&j, "refused", refused);
	json_end(&j);
	return code;
}

static bool step_run(const char *s, uint64_t wait_ms, bool *refused)
{
	if (step_tx(s, wait_ms, refused) || step_rx(s, wait_ms, refused) ||
	    step_ask(s, refused))
		return true;
	if (!strcmp(s, "mbx_flood")) {
		*refused = step_flood(cmdline_get_u64("flood", 1000));
		return true;
	}
	return step_frames(s, cmdline_get_u64("count", 16),
			   (unsigned)cmdline_get_u64("vlan", 100) & 0xFFF,
			   refused);
}

int app_main(void)
{
	static struct pci_dev dev;
	uint64_t wait_ms = cmdline_get_u64("wait_ms", 200);
	unsigned nsteps = 0, nrefused = 0, i;
	bool all = !cmdline_get("steps"), refused;
	struct json j;
	char text[MAC_STR_LEN];

	report_boot("vf_hostile");
	if (!all && !steps_valid(cmdline_get("steps")))
		return hostile_done(false, 0, 0, RT_EXIT_USAGE);
	if (pci_find(IGBVF_VENDOR_ID, IGBVF_DEVICE_ID, &dev))
		return hostile_done(false, 0, 0, RT_EXIT_FAIL);
	pci_enable(&dev, PCI_CMD_MEM | PCI_CMD_MASTER);
	bar.regs = pci_bar_map(&dev, 0);
	txr = alloc_aligned(HOSTILE_RING * sizeof(*txr), 4096);
	rxr = alloc_aligned(HOSTILE_RING * sizeof(*rxr), 4096);
	bufs = alloc_aligned(2 * HOSTILE_RING * HOSTILE_BUF, 4096);
	if (!bar.regs || !txr || !rxr || !bufs)
		return hostile_done(false, 0, 0, RT_EXIT_FAIL);
	sh = (volatile struct igbvf_shared *)(bar.regs + IGBVF_SHARED_OFF);
	if (vf_reset())
		return hostile_done(false, 0, 0, RT_EXIT_FAIL);
	mac_format(mac, text);
	json_begin(&j, "hostile");
	json_kv_str(&j, "step", "start");
	json_kv_str(&j, "mac", text);
	json_end(&j);

	for (i = 0; i < NSTEPS; i++) {
		if (!all && !cmdline_list_has("steps", steps[i]))
			continue;
		refused = false;
		step_run(steps[i], wait_ms, &refused);
		nsteps++;
		nrefused += refused;
	}
	/* Leave the VF reset, its rings off. */
	igbvf_reg_write(&bar, IGBVF_CTRL, IGBVF_CTRL_RST);
	return hostile_done(true, nsteps, nrefused, RT_EXIT_OK);
}
