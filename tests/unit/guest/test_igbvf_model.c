// SPDX-License-Identifier: MIT
/*
 * The guest's 82576 VF driver (guests/drivers/igbvf_{reset,ring,mbx}.c)
 * against the NIC model it will meet (sriov/), in one host process: the
 * driver's trapped-register accessors call the model's
 * sriov_vf_reg_read/write, its shared pages are the model's, its RAM (a
 * bump arena) is the model's guest memory at the same addresses, so a
 * pointer is a GPA on both sides as in the guest. The "switch" is this
 * test calling sriov_vf_poll.
 *
 * What it shows: the reset handshake and every MAC case (the PF's, none
 * so a random one, mac= accepted, mac= refused by an untrusted VF with an
 * administrator's MAC), VF to VF traffic with no trapped access but the
 * doorbell of an idle VF, TX groups and reclaim, RX refill, interrupt
 * arming with auto-mask, the mailbox vector always on (a busy driver
 * hears the PF), the watchdog's recovery from the model's error state,
 * link changes, a switch restart (also one whose PF message comes before
 * the VMM forwards the registers again), and checks of what the NIC
 * writes back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_rt.h"

#include "core/guest_mem.h"
#include "drivers/igbvf_priv.h"
#include "rt/alloc.h"
#include "sriov/sriov_nic.h"

#define NVF		3
#define ARENA_SIZE	(128u << 20)
#define POOL		8192
#define ETHERTYPE	0x88B5	/* local experimental */

/* ---- the guest runtime, faked ---- */

/* Allocator and clock: fake_rt.c. */
static uint8_t *arena;
static struct guest_mem gm;

uint64_t clock_tsc_to_ns(uint64_t tsc)
{
	return tsc;
}

void clock_delay_us(uint64_t us)
{
	uint64_t end = clock_tsc() + us * 1000;

	while (clock_tsc() < end)
		;
}

unsigned int netdev_pool_want(const struct netdev_conf *c)
{
	(void)c;
	return POOL;
}

/* ---- the NIC model behind the trapped registers ---- */

struct tvf {
	struct igbvf v;
	struct igbvf_shared *sh;
	unsigned irqs[IGBVF_MSIX_VECTORS];
	bool mbx_pending;		/* the CPU's pending bit, untaken */
	uint64_t shared_hits;		/* accessor calls for pages 2-3 */
};

static struct sriov_nic *nic;
static struct tvf tv[NVF];
/* The VMM with no switch to forward to: reads 0, writes go nowhere
 * (vf_dev.c's vf_reg_offline). */
static bool offline;
static uint64_t model_now = 1000000000000ull;
static unsigned pf_frames;

static unsigned tvf_index(const struct igbvf_bar *b)
{
	unsigned i;

	for (i = 0; i < NVF; i++)
		if (&tv[i].v.bar == b)
			return i;
	fail_msg("register access from an unknown BAR");
	return 0;
}

uint32_t igbvf_reg_read(struct igbvf_bar *b, uint32_t off)
{
	unsigned i = tvf_index(b);
	uint32_t val;

	b->reads++;
	if (off >= IGBVF_SHARED_OFF)
		tv[i].shared_hits++;
	if (offline)
		return 0;
	assert_int_equal(sriov_vf_reg_read(nic, i, off, 4, &val, model_now),
			 0);
	return val;
}

void igbvf_reg_write(struct igbvf_bar *b, uint32_t off, uint32_t val)
{
	unsigned i = tvf_index(b);

	b->writes++;
	if (off >= IGBVF_SHARED_OFF)
		tv[i].shared_hits++;
	if (offline)
		return;
	assert_int_equal(sriov_vf_reg_write(nic, i, off, 4, val, model_now),
			 0);
}

static void on_pf_tx(void *opaque, const uint8_t *data, unsigned len)
{
	(void)opaque;
	(void)data;
	(void)len;
	pf_frames++;
}

/*
 * The MSI-X message, and the guest's callback for its entry. The guest
 * runtime runs a callback only when polled (rt/irq.h): TX and RX as if
 * netdev_wait had polled before the test looks; the mailbox's only when
 * the driver takes it (irq_take below), as a busy guest would.
 */
static void on_irq(void *opaque, unsigned vf, unsigned vector)
{
	(void)opaque;
	assert_true(vf < NVF && vector < IGBVF_MSIX_VECTORS);
	tv[vf].irqs[vector]++;
	if (vector == IGBVF_VEC_MBX)
		tv[vf].mbx_pending = true;
	else
		igbvf_irq_note(&tv[vf].v, vector);
}

#define CPU_VEC(vf, entry)	(48u + (vf) * IGBVF_MSIX_VECTORS + (entry))

int irq_take(unsigned int vector)
{
	unsigned i;

	for (i = 0; i < NVF; i++)
		if (vector == CPU_VEC(i, IGBVF_VEC_MBX) && tv[i].mbx_pending) {
			tv[i].mbx_pending = false;
			igbvf_irq_note(&tv[i].v, IGBVF_VEC_MBX);
			return 1;
		}
	return 0;
}

static const struct sriov_nic_ops model_ops = {
	.pf_tx = on_pf_tx,
	.vf_irq = on_irq,
};

static const uint8_t admin_mac[NVF][6] = {
	{ 0x02, 0, 0, 0, 0x0a, 0 }, { 0x02, 0, 0, 0, 0x0a, 1 },
	{ 0x02, 0, 0, 0, 0x0a, 2 },
};

static int group_setup(void **state)
{
	(void)state;
	arena = aligned_alloc(1u << 21, ARENA_SIZE);
	if (!arena)
		return -1;
	fake_rt_arena(arena, ARENA_SIZE);
	/* Identity: GPA == host address, as the guest's pointers are. */
	gm = (struct guest_mem){
		.fd = -1, .size = ARENA_SIZE, .base = arena, .nregions = 1,
		.regions = { { .gpa = (uint64_t)(uintptr_t)arena,
			       .size = ARENA_SIZE, .hva = arena } },
	};
	return pkt_pool_init(POOL);
}

static int group_teardown(void **state)
{
	(void)state;
	free(arena);
	return 0;
}

static int setup(void **state)
{
	unsigned i;

	(void)state;
	memset(tv, 0, sizeof(tv));
	pf_frames = 0;
	offline = false;
	nic = sriov_nic_create("t0", NVF, &model_ops, NULL);
	if (!nic)
		return -1;
	for (i = 0; i < NVF; i++) {
		tv[i].sh = aligned_alloc(4096, sizeof(struct igbvf_shared));
		if (!tv[i].sh)
			return -1;
		memset(tv[i].sh, 0, sizeof(struct igbvf_shared));
		if (sriov_vf_attach(nic, i, &gm, tv[i].sh))
			return -1;
	}
	return 0;
}

/* The buffers a driver instance holds go back to the pool. */
static void release(struct igbvf *v)
{
	unsigned i;

	for (i = 0; v->rx.pkt && i < v->rx.size; i++)
		if (v->rx.pkt[i])
			pkt_free(v->rx.pkt[i]);
	for (; v->tx.pkt && v->tx.clean != v->tx.prod; v->tx.clean++)
		pkt_free(v->tx.pkt[v->tx.clean & v->tx.mask]);
}

static int teardown(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < NVF; i++)
		release(&tv[i].v);
	sriov_nic_destroy(nic);
	for (i = 0; i < NVF; i++)
		free(tv[i].sh);
	return 0;
}

/* What igbvf.c does after PCI; @mac: mac=, or NULL. */
static struct igbvf *probe_itr(unsigned i, const char *mac, unsigned rx,
			       unsigned tx, bool irq, uint32_t itr_us)
{
	struct igbvf *v = &tv[i].v;
	struct netdev_conf c;
	unsigned e;

	memset(&c, 0, sizeof(c));
	for (e = 0; e < IGBVF_MSIX_VECTORS; e++)
		v->cpu_vec[e] = CPU_VEC(i, e);
	c.mode = irq ? NETDEV_MODE_ADAPTIVE : NETDEV_MODE_POLL;
	c.rx_ring = rx;
	c.tx_ring = tx;
	if (mac) {
		assert_int_equal(mac_parse_unicast(mac, c.mac), 0);
		c.mac_set = true;
	}
	v->bar.regs = (volatile uint8_t *)(uintptr_t)(0x10000u * (i + 1));
	v->sh = tv[i].sh;
	v->use_irq = irq;
	v->nd.mode = c.mode;
	assert_int_equal(igbvf_start(v, &c, itr_us), 0);
	assert_true(v->up);
	v->reset_min_tsc = 0;		/* the tests reset at once */
	v->wd_next_tsc = UINT64_MAX;	/* and say when the watchdog runs */
	return v;
}

static struct igbvf *probe(unsigned i, const char *mac, unsigned rx,
			   unsigned tx, bool irq)
{
	return probe_itr(i, mac, rx, tx, irq, 0);
}

static void set_admin_macs(void)
{
	unsigned i;

	for (i = 0; i < NVF; i++)
		assert_int_equal(sriov_vf_set_mac(nic, i, admin_mac[i],
						  model_now), 0);
}

/* VFs 0 and 1 with the administrator's MACs, 64-slot rings. */
static void probe_two(struct igbvf **a, struct igbvf **b, bool irq_a,
		      bool irq_b)
{
	set_admin_macs();
	*a = probe(0, NULL, 64, 64, irq_a);
	*b = probe(1, NULL, 64, 64, irq_b);
}

/* The switch: every VF polled until nothing moves. */
static void run_switch(void)
{
	unsigned i, moved;

	do {
		moved = 0;
		for (i = 0; i < NVF; i++)
			moved += sriov_vf_poll(nic, i, 64, model_now);
	} while (moved);
}

static struct pkt *make_frame(const uint8_t dst[6], const uint8_t src[6],
			      uint16_t len, uint8_t seed)
{
	struct pkt *p = pkt_alloc();
	uint16_t i;

	assert_non_null(p);
	memcpy(p->data, dst, 6);
	memcpy(p->data + 6, src, 6);
	p->data[12] = ETHERTYPE >> 8;
	p->data[13] = ETHERTYPE & 0xff;
	for (i = 14; i < len; i++)
		p->data[i] = (uint8_t)(seed + i);
	p->len = len;
	return p;
}

/* Sends @n frames (all taken), returns how many the driver accepted. */
static unsigned send(struct igbvf *a, const struct igbvf *b, unsigned n,
		     uint16_t len)
{
	struct pkt *p[64];
	unsigned i, k;

	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		p[i] = make_frame(b->nd.mac, a->nd.mac, len, (uint8_t)i);
	k = igbvf_tx_burst(&a->nd, p, (uint16_t)n);
	for (i = k; i < n; i++)
		pkt_free(p[i]);
	return k;
}

static unsigned receive(struct igbvf *b, struct pkt **got, unsigned max)
{
	unsigned n = 0, k;

	do {
		k = igbvf_rx_burst(&b->nd, got + n, (uint16_t)(max - n));
		n += k;
	} while (k && n < max);
	return n;
}

/* The switch runs; @n frames must be in @b's ring. They are freed. */
static void expect_frames(struct igbvf *b, unsigned n)
{
	struct pkt *got[64];

	run_switch();
	assert_int_equal(receive(b, got, 64), n);
	pkt_free_bulk(got, n);
}

/*
 * The switch restarts: a new model, every VF attached again. Its PF
 * resets each VF on the attach, so each driver finds RSTD and a mailbox
 * interrupt.
 */
static void restart_model(void)
{
	unsigned i;

	sriov_nic_destroy(nic);
	nic = sriov_nic_create("t0", NVF, &model_ops, NULL);
	assert_non_null(nic);
	set_admin_macs();
	for (i = 0; i < NVF; i++)
		assert_int_equal(sriov_vf_attach(nic, i, &gm, tv[i].sh), 0);
}

/* Buffers the driver holds: posted RX slots and TX in flight. */
static unsigned held(const struct igbvf *v)
{
	unsigned i, n = igbvf_tx_inflight(&v->tx);

	for (i = 0; v->rx.pkt && i < v->rx.size; i++)
		n += v->rx.pkt[i] != NULL;
	return n;
}

static void assert_no_leak(void)
{
	unsigned i, n = pkt_pool_avail();

	for (i = 0; i < NVF; i++)
		n += held(&tv[i].v) + (unsigned)tv[i].v.st.rx_buf_unsafe;
	assert_int_equal(n, pkt_pool_size());
}

static uint64_t exits(const struct igbvf *v)
{
	return v->bar.reads + v->bar.writes;
}

/* ---- probe: the reset handshake and the address ---- */

static void test_probe_pf_mac(void **state)
{
	struct igbvf *v;
	struct vf_cfg cfg;

	(void)state;
	set_admin_macs();
	v = probe(0, NULL, 0, 0, false);
	assert_memory_equal(v->nd.mac, admin_mac[0], 6);
	assert_string_equal(v->mac_source, "pf");
	assert_false(v->mac_refused);
	assert_true(v->perm_valid);
	/* VF_RESET and SET_LPE, no SET_MAC_ADDR for the PF's own. */
	assert_int_equal(v->mbx.st.tx, 2);
	assert_int_equal(v->mbx.st.acks, 2);
	assert_true(v->link_up);
	assert_int_equal(sriov_vf_get_cfg(nic, 0, &cfg), 0);
	assert_true(cfg.cts);
	assert_int_equal(cfg.max_frame, IGBVF_FRAME_DEFAULT_MAX);
	assert_int_equal(v->rx.size, IGBVF_RING_DEF);
	assert_int_equal(tv[0].shared_hits, 0);
	/* the queues are enabled and posted */
	assert_int_equal(tv[0].sh->rxq[0].rdt, IGBVF_RING_DEF - 1);
	assert_true(tv[0].sh->txq[0].txdctl & IGBVF_TXDCTL_ENABLE);
	assert_no_leak();
}

static void test_probe_random_mac(void **state)
{
	struct igbvf *v;
	struct vf_cfg cfg;
	uint8_t before[6];

	(void)state;
	v = probe(0, NULL, 0, 0, false);
	assert_false(v->perm_valid);		/* VF_RESET was NACKed */
	assert_string_equal(v->mac_source, "random");
	assert_int_equal(v->nd.mac[0] & 3, 2);	/* local, unicast */
	assert_int_equal(sriov_vf_get_cfg(nic, 0, &cfg), 0);
	assert_memory_equal(cfg.mac, v->nd.mac, 6);
	assert_int_equal(v->mbx.st.tx, 3);
	assert_int_equal(v->mbx.st.nacks, 1);	/* the VF_RESET */
	/* A reset keeps the address, asked for again (the PF forgot it). */
	memcpy(before, v->nd.mac, 6);
	assert_int_equal(igbvf_reset(v, "test"), 0);
	assert_memory_equal(v->nd.mac, before, 6);
	assert_int_equal(sriov_vf_get_cfg(nic, 0, &cfg), 0);
	assert_memory_equal(cfg.mac, before, 6);
}

static void test_probe_cmdline_mac(void **state)
{
	static const uint8_t want[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct igbvf *v;
	struct vf_cfg cfg;

	(void)state;
	v = probe(0, "02:11:22:33:44:55", 0, 0, false);
	assert_memory_equal(v->nd.mac, want, 6);
	assert_string_equal(v->mac_source, "cmdline");
	assert_false(v->mac_refused);
	assert_int_equal(sriov_vf_get_cfg(nic, 0, &cfg), 0);
	assert_memory_equal(cfg.mac, want, 6);
}

static void test_probe_cmdline_mac_refused(void **state)
{
	struct igbvf *v;
	struct vf_cfg cfg;

	(void)state;
	set_admin_macs();
	v = probe(0, "02:11:22:33:44:55", 0, 0, false);
	/* The administrator's MAC, an untrusted VF: NACK, the PF's one. */
	assert_true(v->mac_refused);
	assert_memory_equal(v->nd.mac, admin_mac[0], 6);
	assert_string_equal(v->mac_source, "pf");
	assert_int_equal(v->mbx.st.nacks, 1);
	assert_int_equal(sriov_vf_get_cfg(nic, 0, &cfg), 0);
	assert_memory_equal(cfg.mac, admin_mac[0], 6);
	/* Not asked again after a reset. */
	assert_int_equal(igbvf_reset(v, "test"), 0);
	assert_int_equal(v->mbx.st.nacks, 1);
	assert_memory_equal(v->nd.mac, admin_mac[0], 6);
}

static void test_probe_cmdline_mac_trusted(void **state)
{
	static const uint8_t want[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct igbvf *v;

	(void)state;
	set_admin_macs();
	assert_int_equal(sriov_vf_set_trust(nic, 0, true), 0);
	v = probe(0, "02:11:22:33:44:55", 0, 0, false);
	assert_false(v->mac_refused);
	assert_memory_equal(v->nd.mac, want, 6);
}

/* ---- the data path ---- */

static void test_vf_to_vf(void **state)
{
	static const uint16_t lens[] = { 20, 60, 64, 128, 777, 1514, 1522 };
	struct igbvf *a, *b;
	struct pkt *got[64];
	struct sriov_vf_stats st;
	uint64_t ea, eb;
	uint32_t g;
	unsigned i, n, k;

	(void)state;
	probe_two(&a, &b, false, false);
	ea = exits(a);
	eb = exits(b);

	/* The model polls a VF that has just reset: no doorbell. */
	for (k = 0; k < 7; k++) {
		assert_int_equal(send(a, b, 8, lens[k]), 8);
		run_switch();
		n = receive(b, got, 64);
		assert_int_equal(n, 8);
		for (i = 0; i < n; i++) {
			uint16_t want = lens[k] < 60 ? 60 : lens[k];

			assert_int_equal(got[i]->len, want);
			assert_memory_equal(got[i]->data, b->nd.mac, 6);
			assert_memory_equal(got[i]->data + 6, a->nd.mac, 6);
			assert_int_equal(got[i]->data[14],
					 (uint8_t)(i + 14));
			if (lens[k] < 60)	/* padded with zeros */
				assert_int_equal(got[i]->data[59], 0);
			pkt_free(got[i]);
		}
	}
	assert_int_equal(a->st.doorbells, 0);
	assert_int_equal(a->st.doorbells_saved, 7);
	assert_int_equal(exits(a), ea);		/* no exit at all */
	assert_int_equal(exits(b), eb);

	/* The model stops polling the idle VF: the next burst rings. */
	assert_true(sriov_vf_sleep(nic, 0));
	assert_int_equal(tv[0].sh->poll & 1, 0);	/* even: asleep */
	assert_int_equal(send(a, b, 4, 100), 4);
	assert_int_equal(a->st.doorbells, 1);
	assert_int_equal(exits(a), ea + 1);	/* EICS <- 0, that is all */
	assert_int_equal(sriov_vf_get_stats(nic, 0, &st), 0);
	assert_int_equal(st.doorbells, 1);
	assert_int_equal(tv[0].sh->poll & 1, 1);	/* busy again */
	expect_frames(b, 4);
	/* The next sleep is a new even value: the driver rings again. */
	assert_true(sriov_vf_sleep(nic, 0));
	assert_int_equal(tv[0].sh->poll & 1, 0);
	g = tv[0].sh->poll;
	assert_int_equal(send(a, b, 4, 100), 4);
	assert_int_equal(a->st.doorbells, 2);
	assert_int_equal(a->st.doorbells_pending, 0);
	assert_int_equal(exits(a), ea + 2);
	/* A switch thread woken but not running yet still shows that
	 * sleep's value: the posts meanwhile need no doorbell, and the
	 * model finds them all once it polls. */
	tv[0].sh->poll = g;
	assert_int_equal(send(a, b, 4, 100), 4);
	assert_int_equal(send(a, b, 4, 100), 4);
	assert_int_equal(a->st.doorbells, 2);
	assert_int_equal(a->st.doorbells_pending, 2);
	assert_int_equal(exits(a), ea + 2);
	expect_frames(b, 12);
	assert_int_equal(tv[0].shared_hits + tv[1].shared_hits, 0);

	/* TX completions come back with DD and are reclaimed. */
	assert_int_equal(igbvf_ready(&a->nd) & NETDEV_EV_TX, NETDEV_EV_TX);
	assert_int_equal(igbvf_tx_inflight(&a->tx), 0);
	assert_int_equal(sriov_vf_get_stats(nic, 0, &st), 0);
	assert_int_equal(st.tx_drop_spoof, 0);
	assert_int_equal(a->nd.st.tx_packets, 72);
	assert_int_equal(b->nd.st.rx_packets, 72);
	assert_no_leak();
}

static void test_tx_groups_and_full_ring(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	unsigned n = 0, k;

	(void)state;
	set_admin_macs();
	a = probe(0, NULL, 64, 64, false);
	b = probe(1, NULL, 256, 64, false);
	/* 63 of a 64-slot ring: one stays empty (head == tail is empty). */
	assert_int_equal(send(a, b, 40, 60), 40);
	assert_int_equal(send(a, b, 40, 60), 23);
	assert_int_equal(a->nd.st.tx_full, 1);
	assert_int_equal(igbvf_tx_room(&a->tx), 0);
	/* RS at the end of each group: 32 per group, then the burst end. */
	assert_true(a->tx.desc[31].cmd_type_len & IGBVF_TXD_DCMD_RS);
	assert_false(a->tx.desc[30].cmd_type_len & IGBVF_TXD_DCMD_RS);
	assert_true(a->tx.desc[39].cmd_type_len & IGBVF_TXD_DCMD_RS);
	assert_true(a->tx.desc[62].cmd_type_len & IGBVF_TXD_DCMD_RS);
	assert_int_equal(igbvf_ready(&a->nd) & NETDEV_EV_TX, 0);
	run_switch();
	/* DD only where RS was; one look per group frees all of it. */
	assert_true(a->tx.desc[31].olinfo_status & IGBVF_TXD_STAT_DD);
	assert_false(a->tx.desc[30].olinfo_status & IGBVF_TXD_STAT_DD);
	assert_int_equal(igbvf_tx_reclaim(a), 63);
	assert_int_equal(igbvf_tx_room(&a->tx), 63);
	do {
		k = receive(b, got, 64);
		pkt_free_bulk(got, k);
		n += k;
	} while (k);
	assert_int_equal(n, 63);
	/* Around the ring a few times. */
	for (k = 0; k < 10; k++) {
		assert_int_equal(send(a, b, 50, 200), 50);
		expect_frames(b, 50);
	}
	assert_no_leak();
}

static void test_rx_refill(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	struct sriov_vf_stats st;

	(void)state;
	set_admin_macs();
	a = probe(0, NULL, 64, 64, false);
	b = probe(1, NULL, 16, 16, false);
	assert_int_equal(tv[1].sh->rxq[0].rdt, 15);
	assert_int_equal(send(a, b, 40, 300), 40);
	run_switch();
	assert_int_equal(sriov_vf_get_stats(nic, 1, &st), 0);
	assert_int_equal(st.rx_packets, 15);
	assert_int_equal(st.rx_drop_no_buffer, 25);
	assert_int_equal(receive(b, got, 64), 15);
	pkt_free_bulk(got, 15);
	/* refilled: the tail moved round to just behind the head */
	assert_int_equal(tv[1].sh->rxq[0].rdt, 14);
	assert_int_equal(send(a, b, 10, 300), 10);
	expect_frames(b, 10);
	assert_no_leak();
}

static void test_tx_refuses_giants(void **state)
{
	struct igbvf *a, *b;
	const char *why;

	(void)state;
	probe_two(&a, &b, false, false);
	/* Taken and dropped by the driver; the model never sees them, so
	 * the VF stays out of its error state. */
	assert_int_equal(send(a, b, 2, 1600), 2);
	assert_int_equal(send(a, b, 1, 10), 1);
	assert_int_equal(a->st.tx_bad_len, 3);
	assert_int_equal(igbvf_tx_inflight(&a->tx), 0);
	run_switch();
	assert_int_equal(sriov_vf_error(nic, 0, &why), 0);
	assert_no_leak();
}

/* A NIC that writes back nonsense: checked, counted, nothing leaks. */
static void test_rx_writeback_checks(void **state)
{
	struct igbvf *b;
	struct pkt *got[4];
	volatile union igbvf_rx_desc *d;

	(void)state;
	b = probe(1, NULL, 16, 16, false);
	d = b->rx.desc;
	d[0].wb.length = 3000;				/* too long */
	d[0].wb.status_error = IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP;
	d[1].wb.length = 100;				/* error bit */
	d[1].wb.status_error = IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP |
			       IGBVF_RXDEXT_STATERR_RXE;
	d[2].wb.length = 1000;				/* no EOP... */
	d[2].wb.status_error = IGBVF_RXD_STAT_DD;
	d[3].wb.length = 1000;				/* ...its end */
	d[3].wb.status_error = IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP;
	d[4].wb.length = 8;				/* a runt */
	d[4].wb.status_error = IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP;
	d[5].wb.length = 100;				/* a good one */
	d[5].wb.status_error = IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP;
	assert_int_equal(igbvf_rx_burst(&b->nd, got, 4), 1);
	assert_int_equal(got[0]->len, 100);
	pkt_free(got[0]);
	assert_int_equal(b->st.rx_bad_wb, 3);
	assert_int_equal(b->st.rx_multi, 1);
	assert_int_equal(b->nd.st.rx_errors, 4);
	/* A write-back in a slot we did not post is never looked at. */
	assert_int_equal(b->rx.tail - b->rx.next, 15);
	assert_no_leak();
}

/* ---- interrupts ---- */

static void test_irq_arm_automask(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	uint64_t w;
	uint32_t val;

	(void)state;
	set_admin_macs();
	a = probe(0, NULL, 64, 64, true);
	b = probe_itr(1, NULL, 64, 64, true, 50);
	/* igbvf's routing and auto-clear/auto-mask; EITR from itr_us. */
	assert_int_equal(sriov_vf_reg_read(nic, 1, IGBVF_IVAR0, 4, &val,
					   model_now), 0);
	assert_int_equal(val, 0x8081);
	assert_int_equal(sriov_vf_reg_read(nic, 1, IGBVF_EITR(IGBVF_VEC_RX),
					   4, &val, model_now), 0);
	assert_int_equal(val, 50u << 2);
	assert_int_equal(sriov_vf_reg_read(nic, 1, IGBVF_EIAM, 4, &val,
					   model_now), 0);
	assert_int_equal(val, IGBVF_EIM_ALL);

	/* Busy: no data vector enabled, traffic interrupts nobody. */
	assert_int_equal(send(a, b, 4, 60), 4);
	run_switch();
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 0);
	assert_int_equal(receive(b, got, 64), 4);
	pkt_free_bulk(got, 4);

	/* Going to sleep while the model sleeps too, with the cause of the
	 * busy time held: every frame it stood for is received, so the EIMS
	 * is posted, no write, and the model drops the stale cause when it
	 * takes it (IGBVF_RX_SEEN): no wake-up to an empty ring. */
	assert_true(sriov_vf_sleep(nic, 1));
	assert_int_equal(tv[1].sh->held, IGBVF_HELD_VALID | IGBVF_EIM_RX);
	w = b->bar.writes;
	igbvf_arm(&b->nd, NETDEV_EV_RX);
	assert_int_equal(b->bar.writes, w);
	assert_int_equal(b->st.unmasks_posted, 1);
	run_switch();
	assert_int_equal(tv[1].sh->unmask, 0);
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 0);
	assert_int_equal(sriov_vf_masked_causes(nic, 1), 0);
	assert_int_equal(b->eims_on, IGBVF_EIM_RX | IGBVF_EIM_MBX);

	/* The next frame interrupts, once: EIAM masks the vector. */
	model_now += 1000000;			/* past EITR */
	assert_int_equal(send(a, b, 1, 60), 1);
	run_switch();
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 1);
	model_now += 1000000;
	assert_int_equal(send(a, b, 1, 60), 1);
	run_switch();
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 1);	/* auto-masked */
	assert_int_equal(igbvf_ready(&b->nd) & NETDEV_EV_RX, NETDEV_EV_RX);
	assert_int_equal(b->eims_on, IGBVF_EIM_MBX);	/* collected */
	assert_int_equal(receive(b, got, 64), 2);
	pkt_free_bulk(got, 2);

	/* The second frame's cause is held and seen: posted, and the
	 * model, stopping, takes it and drops the cause; then an arm with
	 * the vectors still on (woken by the deadline) costs nothing. */
	model_now += 1000000;
	assert_true(sriov_vf_sleep(nic, 1));
	igbvf_arm(&b->nd, NETDEV_EV_RX);
	assert_int_equal(b->st.unmasks_posted, 2);
	assert_int_not_equal(tv[1].sh->unmask, 0);
	assert_true(sriov_vf_sleep(nic, 1));
	assert_int_equal(tv[1].sh->unmask, 0);
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 1);
	w = b->bar.writes;
	igbvf_arm(&b->nd, NETDEV_EV_RX);
	assert_int_equal(b->bar.writes, w);
	assert_int_equal(b->st.unmasks_posted, 2);

	/* A sender waiting for room asks for TX too; the model polls it,
	 * so the EIMS is posted and taken at the next poll, where the
	 * stale TX cause of its earlier sends fires; the DD of these ten
	 * then waits on the masked vector. */
	assert_int_equal(send(a, b, 10, 60), 10);
	w = a->bar.writes;
	igbvf_arm(&a->nd, NETDEV_EV_TX);
	assert_int_equal(a->bar.writes, w);
	assert_true(a->eims_on & IGBVF_EIM_TX);
	assert_int_equal(tv[0].irqs[IGBVF_VEC_TX], 0);
	run_switch();
	assert_int_equal(tv[0].sh->unmask, 0);
	assert_int_equal(tv[0].irqs[IGBVF_VEC_TX], 1);
	assert_int_equal(igbvf_ready(&a->nd) & NETDEV_EV_TX, NETDEV_EV_TX);
	assert_int_equal(a->nd.st.irqs, 1);
	assert_int_equal(receive(b, got, 64), 10);
	pkt_free_bulk(got, 10);
	assert_no_leak();
}

/* The model asleep with no cause of ours waiting: the re-arm is posted
 * (no exit) and taken before the next frame's cause is raised. */
static void test_irq_arm_model_asleep(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	uint64_t w;

	(void)state;
	probe_two(&a, &b, true, true);
	assert_int_equal(send(a, b, 4, 60), 4);
	run_switch();
	assert_int_equal(receive(b, got, 2), 2);
	pkt_free_bulk(got, 2);

	/* The cause of the busy time waits for frames not yet seen: the
	 * model must be woken (one EIMS write), and the cause fires. */
	assert_true(sriov_vf_sleep(nic, 1));
	assert_int_equal(tv[1].sh->held, IGBVF_HELD_VALID | IGBVF_EIM_RX);
	w = b->bar.writes;
	igbvf_arm(&b->nd, NETDEV_EV_RX);
	assert_int_equal(b->bar.writes, w + 1);
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 1);
	igbvf_ready(&b->nd);
	assert_int_equal(receive(b, got, 64), 2);
	pkt_free_bulk(got, 2);

	/* Clean now: asleep with nothing waiting, the post stands. */
	model_now += 1000000;
	assert_true(sriov_vf_sleep(nic, 1));
	assert_int_equal(tv[1].sh->held, IGBVF_HELD_VALID);
	w = b->bar.writes;
	igbvf_arm(&b->nd, NETDEV_EV_RX);
	assert_int_equal(b->bar.writes, w);
	assert_int_equal(b->st.unmasks_posted, 1);
	assert_int_equal(tv[1].sh->unmask, IGBVF_EIM_RX);
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 1);
	assert_int_equal(send(a, b, 1, 60), 1);
	run_switch();
	assert_int_equal(tv[1].sh->unmask, 0);
	assert_int_equal(tv[1].irqs[IGBVF_VEC_RX], 2);
	assert_int_equal(receive(b, got, 64), 1);
	pkt_free_bulk(got, 1);
	assert_no_leak();
}

/* ---- the watchdog: errors, resets, link ---- */

static void test_recovery_from_error_state(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	const char *why;

	(void)state;
	probe_two(&a, &b, true, false);
	igbvf_arm(&a->nd, NETDEV_EV_RX);	/* asleep: mailbox vector on */
	assert_int_equal(send(a, b, 3, 60), 3);
	/* A broken tail: the model stops the VF, sets RSTI, pings NACK. */
	tv[0].sh->txq[0].tdt = 5000;
	run_switch();
	assert_int_equal(sriov_vf_error(nic, 0, &why), VFQ_E_TX_TAIL);
	assert_int_equal(tv[0].irqs[IGBVF_VEC_MBX], 1);
	/* The mailbox interrupt brings the watchdog: RSTI, reset. */
	igbvf_ready(&a->nd);
	assert_int_equal(a->st.resets, 2);
	assert_string_equal(a->last_reset_why, "rsti");
	assert_true(a->up);
	assert_true(a->link_up);
	assert_int_equal(sriov_vf_error(nic, 0, &why), 0);
	/* what was in flight went with the reset, never sent */
	assert_int_equal(igbvf_tx_inflight(&a->tx), 0);
	assert_int_equal(a->nd.st.tx_errors, 3);
	assert_int_equal(receive(b, got, 64), 0);
	/* and traffic flows again, the other VF never noticed */
	assert_int_equal(send(a, b, 5, 60), 5);
	expect_frames(b, 5);
	assert_int_equal(b->st.resets, 1);
	assert_no_leak();
}

static void test_recovery_polling(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	const char *why;

	(void)state;
	probe_two(&a, &b, false, false);
	/* A buffer outside RAM: no interrupt in poll mode, so the
	 * periodic watchdog finds it. */
	assert_int_equal(send(a, b, 1, 60), 1);
	a->tx.desc[0].buffer_addr = 0x10;
	run_switch();
	assert_int_equal(sriov_vf_error(nic, 0, &why), VFQ_E_TX_DESC);
	assert_int_equal(send(a, b, 1, 60), 1);	/* not noticed yet */
	a->wd_next_tsc = 0;
	assert_int_equal(igbvf_rx_burst(&a->nd, got, 4), 0);
	assert_int_equal(a->st.resets, 2);
	assert_int_equal(sriov_vf_error(nic, 0, &why), 0);
	assert_int_equal(send(a, b, 2, 60), 2);
	expect_frames(b, 2);
	assert_no_leak();
}

static void test_link_changes(void **state)
{
	struct igbvf *a;
	uint64_t e;

	(void)state;
	set_admin_macs();
	a = probe(0, NULL, 64, 64, false);
	assert_int_equal(sriov_vf_set_link_state(nic, 0, VF_LINK_DISABLE,
						 model_now), 0);
	a->wd_next_tsc = 0;
	igbvf_ready(&a->nd);
	assert_false(a->link_up);
	assert_int_equal(a->st.link_changes, 1);
	assert_int_equal(a->mbx.st.pf_msgs, 1);	/* the PF's ping, read */
	assert_int_equal(a->st.resets, 1);	/* down is not broken */
	assert_int_equal(sriov_vf_set_link_state(nic, 0, VF_LINK_AUTO,
						 model_now), 0);
	a->wd_next_tsc = 0;
	igbvf_ready(&a->nd);
	assert_true(a->link_up);
	assert_int_equal(a->st.link_changes, 2);
	assert_int_equal(a->st.resets, 1);
	/* A quiet watchdog costs two trapped reads. */
	e = exits(a);
	a->wd_next_tsc = 0;
	igbvf_ready(&a->nd);
	assert_int_equal(exits(a), e + 2);
}

/*
 * The switch restarts: a new model binds the VFs again on the same
 * shared pages (a PF reset to the drivers). The model takes over the
 * routing the driver set and sends the PF's control message; a sleeping
 * driver's mailbox interrupt brings its watchdog at once, which finds
 * RSTD and resets. A polled driver has no interrupt and finds it at its
 * next watchdog, as before.
 */
static void test_switch_restart(void **state)
{
	struct igbvf *a, *b;

	(void)state;
	probe_two(&a, &b, true, false);
	igbvf_arm(&a->nd, NETDEV_EV_RX);	/* asleep: mailbox vector on */
	restart_model();
	assert_int_equal(tv[0].irqs[IGBVF_VEC_MBX], 1);
	assert_int_equal(tv[1].irqs[IGBVF_VEC_MBX], 0);
	igbvf_ready(&a->nd);		/* the interrupt path, no deadline */
	assert_int_equal(a->st.resets, 2);
	assert_string_equal(a->last_reset_why, "rstd");
	assert_true(a->up);
	assert_true(a->link_up);
	assert_int_equal(b->st.resets, 1);
	b->wd_next_tsc = 0;
	igbvf_ready(&b->nd);
	assert_int_equal(b->st.resets, 2);
	assert_string_equal(b->last_reset_why, "rstd");
	assert_int_equal(send(a, b, 3, 60), 3);
	expect_frames(b, 3);
	assert_no_leak();
}

/*
 * A driver kept busy by its app never sleeps, so never arms: its
 * mailbox vector is on from the reset all the same, on again after each
 * interrupt, and the next burst takes the interrupt and runs the
 * watchdog. Per PF message (the PF's reset after a switch restart, link
 * down, link up): one interrupt, one watchdog, the link as the PF says,
 * no watchdog period waited for.
 */
static void test_mailbox_while_busy(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	uint64_t wd;
	uint32_t val;

	(void)state;
	probe_two(&a, &b, true, true);
	assert_int_equal(sriov_vf_reg_read(nic, 0, IGBVF_EIMS, 4, &val,
					   model_now), 0);
	assert_int_equal(val, IGBVF_EIM_MBX);
	assert_int_equal(a->eims_on, IGBVF_EIM_MBX);

	/* The switch restarts: a new model, the PF's reset message. */
	restart_model();
	assert_int_equal(tv[0].irqs[IGBVF_VEC_MBX], 1);
	wd = a->st.watchdogs;
	assert_int_equal(igbvf_rx_burst(&a->nd, got, 64), 0);
	assert_int_equal(a->st.watchdogs, wd + 1);
	assert_int_equal(a->st.resets, 2);
	assert_string_equal(a->last_reset_why, "rstd");
	assert_true(a->link_up);
	assert_true(a->eims_on & IGBVF_EIM_MBX);
	assert_int_equal(igbvf_rx_burst(&b->nd, got, 64), 0);
	assert_int_equal(b->st.resets, 2);

	/* Still busy: the PF takes the link away, then gives it back. */
	assert_int_equal(sriov_vf_set_link_state(nic, 0, VF_LINK_DISABLE,
						 model_now), 0);
	assert_int_equal(tv[0].irqs[IGBVF_VEC_MBX], 2);
	assert_int_equal(send(a, b, 1, 60), 1);	/* a burst takes it */
	assert_int_equal(a->st.watchdogs, wd + 2);
	assert_false(a->link_up);
	assert_false(igbvf_link_read(a));
	assert_true(a->eims_on & IGBVF_EIM_MBX);
	assert_int_equal(sriov_vf_set_link_state(nic, 0, VF_LINK_AUTO,
						 model_now), 0);
	assert_int_equal(tv[0].irqs[IGBVF_VEC_MBX], 3);
	igbvf_ready(&a->nd);
	assert_int_equal(a->st.watchdogs, wd + 3);
	assert_true(a->link_up);
	assert_true(igbvf_link_read(a));
	assert_int_equal(a->st.resets, 2);	/* link changes: no reset */
	assert_int_equal(a->st.link_changes, 2);
	expect_frames(b, 1);
	assert_no_leak();
}

static uint64_t down_tsc(void)
{
	return clock_ns_to_tsc(IGBVF_LINK_DOWN_WD_MS * 1000000ull);
}

/*
 * The new switch's PF message can come before the VMM forwards the
 * registers to it again (its interrupt raised during the attach, the
 * reply still on its way): the watchdog it brings reads "no switch" and
 * finds nothing to do. Its link down, the driver looks again within
 * IGBVF_LINK_DOWN_WD_MS, not a whole watchdog period later, and resets.
 */
static void test_switch_restart_early_message(void **state)
{
	struct igbvf *a, *b;
	struct pkt *got[64];
	uint64_t wd;

	(void)state;
	probe_two(&a, &b, true, true);
	offline = true;
	restart_model();
	assert_int_equal(tv[0].irqs[IGBVF_VEC_MBX], 1);
	wd = a->st.watchdogs;
	assert_int_equal(igbvf_rx_burst(&a->nd, got, 64), 0);
	assert_int_equal(a->st.watchdogs, wd + 1);
	assert_int_equal(a->st.resets, 1);	/* nothing seen */
	assert_false(a->link_up);
	/* the next look: the short period, not IGBVF_WATCHDOG_MS */
	assert_true(a->wd_next_tsc <= clock_tsc() + down_tsc());
	offline = false;			/* the VMM's reply came */
	while (a->st.watchdogs == wd + 1)	/* busy until it is due */
		assert_int_equal(igbvf_rx_burst(&a->nd, got, 64), 0);
	assert_int_equal(a->st.resets, 2);
	assert_string_equal(a->last_reset_why, "rstd");
	assert_true(a->link_up);
	/* link up: back to the long period */
	assert_true(a->wd_next_tsc > clock_tsc() + down_tsc());
	b->wd_next_tsc = 0;
	igbvf_ready(&b->nd);
	assert_int_equal(b->st.resets, 2);
	assert_int_equal(send(a, b, 2, 60), 2);
	expect_frames(b, 2);
	assert_no_leak();
}

static void test_reset_frees_tx(void **state)
{
	struct igbvf *a, *b;

	(void)state;
	probe_two(&a, &b, false, false);
	assert_int_equal(send(a, b, 10, 60), 10);
	assert_int_equal(igbvf_reset(a, "test"), 0);
	assert_int_equal(igbvf_tx_inflight(&a->tx), 0);
	assert_int_equal(a->nd.st.tx_errors, 10);
	assert_no_leak();
}

/*
 * A fresh VF on a migration's destination is sent our traffic as soon as
 * the PF has its (administrator's) MAC and has taken its VF_RESET, before
 * the driver is through the rest of its reset (SET_LPE, interrupts: some
 * twenty trapped accesses, each an exit): the RX ring is enabled before
 * VF_RESET, so frames that come meanwhile wait in the ring, not dropped.
 * The busy_hook (a failover netdev's, which drains its standby) is where
 * they are sent here.
 */
static struct igbvf *hook_to, *hook_from;
static unsigned hook_mbx_tx, hook_sent;

static void send_during_reset(void *arg)
{
	(void)arg;
	/* VF_RESET answered, SET_LPE still to come */
	if (hook_sent || hook_to->mbx.st.tx != hook_mbx_tx + 1)
		return;
	hook_sent = send(hook_from, hook_to, 3, 60);
	run_switch();
}

static void test_rx_ring_up_before_handshake(void **state)
{
	struct pkt *got[64];

	(void)state;
	set_admin_macs();
	hook_to = probe(0, NULL, 64, 64, false);
	hook_from = probe(1, NULL, 64, 64, false);
	hook_sent = 0;
	hook_mbx_tx = hook_to->mbx.st.tx;
	hook_to->nd.busy_hook = send_during_reset;
	assert_int_equal(igbvf_reset(hook_to, "test"), 0);
	hook_to->nd.busy_hook = NULL;
	assert_int_equal(hook_sent, 3);
	assert_int_equal(receive(hook_to, got, 64), 3);
	pkt_free_bulk(got, 3);
	assert_no_leak();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_pf_mac, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_random_mac, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_cmdline_mac, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_probe_cmdline_mac_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_cmdline_mac_trusted,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vf_to_vf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_groups_and_full_ring,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_refill, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tx_refuses_giants, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rx_writeback_checks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_arm_automask, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_irq_arm_model_asleep,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_from_error_state,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_polling, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_link_changes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_switch_restart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_while_busy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_switch_restart_early_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rx_ring_up_before_handshake,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_frees_tx, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
