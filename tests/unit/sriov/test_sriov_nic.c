// SPDX-License-Identifier: MIT
/*
 * The NIC object end to end, three VMs on three VFs, each driven through
 * its trapped registers and shared pages the way igbvf drives an 82576
 * VF: reset handshake, VF to VF through the embedded switch, the PF
 * port, port VLAN, the administrator's settings, link state, the
 * polling flag and doorbell, moderation, and a hostile VF that stops
 * alone while the others keep their traffic.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sriov/sriov_nic.h"
#include "tests/unit/sriov/fake_guest.h"

#define NVF	3
#define US	1000ull
#define VEC_TX	0		/* igbvf_configure_msix's vectors */
#define VEC_RX	1
#define VEC_MBX	2

struct env {
	struct sriov_nic *nic;
	struct fake_guest g[NVF];
	uint64_t now;
	uint8_t pf_got[8][2048];
	unsigned pf_len[8], npf;
	unsigned irqs[NVF][IGBVF_MSIX_VECTORS];
	unsigned events[NVF][4];
	unsigned taps[NVF][2];		/* sent, given */
	unsigned tap_len, tap_strip;	/* of the last one */
};

static const uint8_t mac[NVF][6] = {
	{ 2, 0, 0, 0, 1, 0 }, { 2, 0, 0, 0, 1, 1 }, { 2, 0, 0, 0, 1, 2 },
};
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t outside[6] = { 2, 0, 0, 0, 9, 9 };
static const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0x12, 0x34 };

static void on_pf_tx(void *opaque, const uint8_t *data, unsigned len)
{
	struct env *e = opaque;

	if (e->npf < 8 && len <= 2048) {
		memcpy(e->pf_got[e->npf], data, len);
		e->pf_len[e->npf] = len;
	}
	e->npf++;
}

static void on_irq(void *opaque, unsigned vf, unsigned vector)
{
	struct env *e = opaque;

	assert_true(vf < NVF && vector < IGBVF_MSIX_VECTORS);
	e->irqs[vf][vector]++;
}

static void on_event(void *opaque, unsigned vf, enum sriov_event ev)
{
	struct env *e = opaque;

	assert_true(vf < NVF && ev <= SRIOV_EV_VF_CFG);
	e->events[vf][ev]++;
}

static void on_tap(void *opaque, unsigned vf, bool to_vf,
		   const uint8_t *data, unsigned len, bool strip)
{
	struct env *e = opaque;

	assert_true(vf < NVF && data && len >= 14);
	e->taps[vf][to_vf]++;
	e->tap_len = len;
	e->tap_strip = strip;
}

static uint32_t rd(struct env *e, unsigned vf, uint32_t off)
{
	uint32_t v;

	assert_int_equal(sriov_vf_reg_read(e->nic, vf, off, 4, &v, e->now),
			 0);
	return v;
}

static void wr(struct env *e, unsigned vf, uint32_t off, uint32_t v)
{
	assert_int_equal(sriov_vf_reg_write(e->nic, vf, off, 4, v, e->now),
			 0);
}

/* igbvf's write_posted + read_posted; word 0 of the reply (0: none). */
static uint32_t mbx(struct env *e, unsigned vf, const uint32_t *msg,
		    unsigned n, uint32_t *reply, unsigned nreply)
{
	uint32_t bits;
	unsigned i;

	wr(e, vf, IGBVF_VFMAILBOX, IGBVF_MBX_VFU);
	rd(e, vf, IGBVF_VFMAILBOX);
	for (i = 0; i < n; i++)
		wr(e, vf, IGBVF_VMBMEM(i), msg[i]);
	wr(e, vf, IGBVF_VFMAILBOX, IGBVF_MBX_REQ);
	bits = rd(e, vf, IGBVF_VFMAILBOX);
	assert_true(bits & IGBVF_MBX_PFACK);
	if (!(bits & IGBVF_MBX_PFSTS))
		return 0;
	for (i = 0; i < nreply; i++)
		reply[i] = rd(e, vf, IGBVF_VMBMEM(i));
	wr(e, vf, IGBVF_VFMAILBOX, IGBVF_MBX_ACK);
	return reply[0];
}

static uint32_t mbx2(struct env *e, unsigned vf, uint32_t w0, uint32_t w1)
{
	uint32_t m[3] = { w0, w1, 0 }, r[3];

	return mbx(e, vf, m, 3, r, 3);
}

static uint32_t set_mac_msg(struct env *e, unsigned vf, const uint8_t *m)
{
	uint32_t msg[3] = { IGBVF_VF_SET_MAC_ADDR, 0, 0 }, r[3];

	memcpy(&msg[1], m, 6);
	return mbx(e, vf, msg, 3, r, 3);
}

/* igbvf_reset + igbvf_up: reset, VF_RESET, MSI-X, rings, RX buffers. */
static void driver_up(struct env *e, unsigned vf, uint8_t got_mac[6])
{
	uint32_t msg = IGBVF_VF_RESET, r[3] = { 0 };

	wr(e, vf, IGBVF_CTRL, IGBVF_CTRL_RST);
	assert_true(rd(e, vf, IGBVF_VFMAILBOX) & IGBVF_MBX_RSTD);
	assert_int_equal(mbx(e, vf, &msg, 1, r, 3),
			 IGBVF_VF_RESET | IGBVF_MSG_ACK);
	if (got_mac)
		memcpy(got_mac, &r[1], 6);
	wr(e, vf, IGBVF_IVAR0, (VEC_TX | IGBVF_IVAR_VALID) << 8 |
	   (VEC_RX | IGBVF_IVAR_VALID));
	wr(e, vf, IGBVF_IVAR_MISC, VEC_MBX | IGBVF_IVAR_VALID);
	rd(e, vf, IGBVF_EICR);
	wr(e, vf, IGBVF_EIAC, 7);
	wr(e, vf, IGBVF_EIAM, 0);	/* keep vectors open for counting */
	wr(e, vf, IGBVF_EIMS, 7);
	fg_setup_tx(&e->g[vf], 64);
	fg_setup_rx(&e->g[vf], 64, 2);
	fg_rx_post(&e->g[vf], 32);
	memset(e->irqs[vf], 0, sizeof(e->irqs[vf]));
}

static int setup(void **state)
{
	static const struct sriov_nic_ops ops = {
		.pf_tx = on_pf_tx, .vf_irq = on_irq, .pf_event = on_event,
		.vf_tap = on_tap,
	};
	struct env *e = calloc(1, sizeof(*e));
	unsigned i;

	e->now = 1000000 * US;
	e->nic = sriov_nic_create("nic0", NVF, &ops, e);
	assert_non_null(e->nic);
	for (i = 0; i < NVF; i++) {
		fg_init(&e->g[i]);
		assert_int_equal(sriov_vf_set_mac(e->nic, i, mac[i], e->now),
				 0);
		assert_int_equal(sriov_vf_attach(e->nic, i, &e->g[i].gm,
						 e->g[i].sh), 0);
		driver_up(e, i, NULL);
	}
	memset(e->events, 0, sizeof(e->events));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	unsigned i;

	sriov_nic_destroy(e->nic);
	for (i = 0; i < NVF; i++)
		fg_fini(&e->g[i]);
	free(e);
	return 0;
}

/* VF @vf transmits one frame; the switch polls it. Frames sent. */
static unsigned vf_send(struct env *e, unsigned vf, const uint8_t *dst,
			const uint8_t *src, unsigned len)
{
	uint8_t f[2048];

	fg_make_frame(f, len, dst, src, (uint8_t)vf);
	fg_tx_frame(&e->g[vf], f, len);
	fg_set_tdt(&e->g[vf], e->g[vf].tx_tail);
	return sriov_vf_poll(e->nic, vf, 64, e->now);
}

static struct sriov_vf_stats stats(struct env *e, unsigned vf)
{
	struct sriov_vf_stats st;

	assert_int_equal(sriov_vf_get_stats(e->nic, vf, &st), 0);
	return st;
}

static void test_reset_handshake_gives_mac(void **state)
{
	struct env *e = *state;
	uint8_t got[6];

	driver_up(e, 1, got);
	assert_memory_equal(got, mac[1], 6);
	assert_true(rd(e, 1, IGBVF_STATUS) & IGBVF_STATUS_LU);
	assert_int_equal(e->events[1][SRIOV_EV_VF_RESET], 1);
	assert_int_equal(e->events[1][SRIOV_EV_VF_READY], 1);
}

static void test_vf_to_vf(void **state)
{
	struct env *e = *state;
	uint8_t f[100];
	struct igbvf_rx_desc_wb wb;

	assert_int_equal(vf_send(e, 0, mac[1], mac[0], 100), 1);
	fg_make_frame(f, 100, mac[1], mac[0], 0);
	wb = fg_rx_wb(&e->g[1], 0);
	assert_int_equal(wb.status_error,
			 IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP);
	assert_int_equal(wb.length, 100);
	assert_memory_equal(fg_rx_buf(&e->g[1], 0), f, 100);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 1);
	assert_int_equal(fg_tx_status(&e->g[0], 0), IGBVF_TXD_STAT_DD);
	assert_int_equal(e->npf, 0);			/* stayed inside */
	assert_int_equal(e->irqs[0][VEC_TX], 1);
	assert_int_equal(e->irqs[1][VEC_RX], 1);
	assert_int_equal(e->irqs[2][VEC_RX], 0);
	assert_int_equal(rd(e, 0, IGBVF_VFGPTC), 1);
	assert_int_equal(rd(e, 0, IGBVF_VFGOTC), 100);
	assert_int_equal(rd(e, 0, IGBVF_VFGPTLBC), 1);
	assert_int_equal(rd(e, 1, IGBVF_VFGPRC), 1);
	assert_int_equal(rd(e, 1, IGBVF_VFGPRLBC), 1);
	assert_int_equal(stats(e, 0).tx_to_vf, 1);
	assert_int_equal(stats(e, 1).rx_packets, 1);
}

static void test_broadcast_everywhere(void **state)
{
	struct env *e = *state;

	assert_int_equal(vf_send(e, 0, bcast, mac[0], 60), 1);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 1);
	assert_int_equal(e->g[2].sh->rxq[0].rdh, 1);
	assert_int_equal(e->g[0].sh->rxq[0].rdh, 0);
	assert_int_equal(e->npf, 1);
	assert_int_equal(e->pf_len[0], 60);
	assert_int_equal(rd(e, 2, IGBVF_VFMPRC), 0);	/* not multicast */
	/* Multicast reaches the VFs whose filter has its hash. */
	assert_true(mbx2(e, 2, IGBVF_VF_SET_MULTICAST |
			 1u << IGBVF_MSGINFO_SHIFT, IGBVF_MC_HASH(mcast)) &
		    IGBVF_MSG_ACK);
	assert_int_equal(vf_send(e, 0, mcast, mac[0], 60), 1);
	assert_int_equal(e->g[2].sh->rxq[0].rdh, 2);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 1);
	assert_int_equal(rd(e, 2, IGBVF_VFMPRC), 1);
	assert_int_equal(e->npf, 2);
}

static void test_unknown_unicast_to_pf(void **state)
{
	struct env *e = *state;

	assert_int_equal(vf_send(e, 2, outside, mac[2], 60), 1);
	assert_int_equal(e->npf, 1);
	assert_memory_equal(e->pf_got[0], outside, 6);
	assert_int_equal(stats(e, 2).tx_to_pf, 1);
}

static void test_pf_to_vf(void **state)
{
	struct env *e = *state;
	uint8_t a[64], b[64];
	const uint8_t *fr[2] = { a, b };
	const uint16_t len[2] = { 64, 64 };
	json_t *j;

	fg_make_frame(a, 64, mac[2], outside, 1);
	fg_make_frame(b, 64, (const uint8_t[]){ 2, 0, 0, 0, 7, 7 }, outside,
		      2);
	assert_int_equal(sriov_pf_rx_burst(e->nic, fr, len, 2, e->now), 1);
	assert_memory_equal(fg_rx_buf(&e->g[2], 0), a, 64);
	assert_int_equal(e->irqs[2][VEC_RX], 1);
	j = sriov_nic_show(e->nic);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(j, "pf"), "rx_drop_unknown")), 1);
	json_decref(j);
}

static void test_port_vlan(void **state)
{
	struct env *e = *state;
	const char *argv[] = { "vlan", "10", "qos", "3" };
	char err[128];
	uint8_t f[68], want[64];
	const uint8_t *fr[1] = { f };
	const uint16_t len[1] = { 68 };
	struct igbvf_rx_desc_wb wb;

	assert_int_equal(sriov_vf_admin(e->nic, 0, 4, argv, e->now, err,
					 sizeof(err)), 0);
	/* Under a port VLAN the VF may not pick VLANs (igb NACKs). */
	assert_true(mbx2(e, 0, IGBVF_VF_SET_VLAN | 1u << IGBVF_MSGINFO_SHIFT,
			 20) & IGBVF_MSG_NACK);
	/* Up: the PF gets it tagged with VLAN 10, PCP 3. */
	assert_int_equal(vf_send(e, 0, outside, mac[0], 64), 1);
	assert_int_equal(e->npf, 1);
	assert_int_equal(e->pf_len[0], 68);
	assert_int_equal(e->pf_got[0][12] << 8 | e->pf_got[0][13], 0x8100);
	assert_int_equal(e->pf_got[0][14] << 8 | e->pf_got[0][15],
			 3 << 13 | 10);
	/* A VF in the untagged LAN does not see VLAN 10's broadcast. */
	vf_send(e, 0, bcast, mac[0], 64);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 0);
	/* Down: stripped, and the port VLAN is not shown to the VF. */
	fg_make_frame(want, 64, mac[0], outside, 4);
	memcpy(f, want, 12);
	f[12] = 0x81;
	f[13] = 0;
	f[14] = 0;
	f[15] = 10;
	memcpy(f + 16, want + 12, 52);
	assert_int_equal(sriov_pf_rx_burst(e->nic, fr, len, 1, e->now), 1);
	wb = fg_rx_wb(&e->g[0], 0);
	assert_int_equal(wb.length, 64);
	assert_false(wb.status_error & IGBVF_RXD_STAT_VP);
	assert_memory_equal(fg_rx_buf(&e->g[0], 0), want, 64);
}

static void test_vlan_hopping_dropped(void **state)
{
	struct env *e = *state;
	uint8_t f[68];

	assert_int_equal(sriov_vf_set_vlan(e->nic, 0, 10, 0, e->now), 0);
	fg_make_frame(f, 68, bcast, mac[0], 1);
	f[12] = 0x81;
	f[13] = 0;
	f[14] = 0;
	f[15] = 20;
	fg_tx_frame(&e->g[0], f, 68);
	fg_set_tdt(&e->g[0], e->g[0].tx_tail);
	sriov_vf_poll(e->nic, 0, 64, e->now);
	assert_int_equal(stats(e, 0).tx_drop_vlan, 1);
	assert_int_equal(e->npf, 0);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 0);
	/* The descriptor is still completed: the guest does not hang. */
	assert_int_equal(fg_tx_status(&e->g[0], 0), IGBVF_TXD_STAT_DD);
}

static void test_spoof_check_on_off(void **state)
{
	struct env *e = *state;
	const char *off[] = { "spoofchk", "off" };
	char err[64];

	vf_send(e, 0, mac[1], mac[2], 60);
	assert_int_equal(stats(e, 0).tx_drop_spoof, 1);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 0);
	assert_int_equal(sriov_vf_admin(e->nic, 0, 2, off, e->now, err,
					sizeof(err)), 0);
	vf_send(e, 0, mac[1], mac[2], 60);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 1);
}

static void test_admin_mac_against_set_mac(void **state)
{
	struct env *e = *state;
	static const uint8_t other[6] = { 2, 0, 0, 0, 5, 5 };
	const char *trust[] = { "trust", "on" };
	struct vf_cfg c;
	char err[64];

	assert_int_equal(set_mac_msg(e, 1, other), IGBVF_VF_SET_MAC_ADDR |
			 IGBVF_MSG_NACK | IGBVF_MSG_CTS);
	sriov_vf_get_cfg(e->nic, 1, &c);
	assert_memory_equal(c.mac, mac[1], 6);
	assert_int_equal(sriov_vf_admin(e->nic, 1, 2, trust, e->now, err,
					sizeof(err)), 0);
	assert_int_equal(set_mac_msg(e, 1, other), IGBVF_VF_SET_MAC_ADDR |
			 IGBVF_MSG_ACK | IGBVF_MSG_CTS);
	sriov_vf_get_cfg(e->nic, 1, &c);
	assert_memory_equal(c.mac, other, 6);
	assert_int_equal(e->events[1][SRIOV_EV_VF_CFG], 1);
	/* Frames to the new address now reach VF 1. */
	vf_send(e, 0, other, mac[0], 60);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 1);
}

static void test_admin_words_refused(void **state)
{
	struct env *e = *state;
	char err[128];
	const char *bad_mac[] = { "mac", "01:00:5e:00:00:01" };
	const char *bad_vlan[] = { "vlan", "4095" };
	const char *qos_alone[] = { "qos", "1" };
	const char *odd[] = { "trust" };
	const char *unknown[] = { "rate", "100" };
	const char *bad_state[] = { "spoofchk", "on", "state", "up" };
	struct vf_cfg c;

	assert_int_equal(sriov_vf_admin(e->nic, 0, 2, bad_mac, e->now, err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mac"));
	assert_int_equal(sriov_vf_admin(e->nic, 0, 2, bad_vlan, e->now, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(sriov_vf_admin(e->nic, 0, 2, qos_alone, e->now, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(sriov_vf_admin(e->nic, 0, 1, odd, e->now, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(sriov_vf_admin(e->nic, 0, 2, unknown, e->now, err,
					sizeof(err)), -EINVAL);
	assert_int_equal(sriov_vf_admin(e->nic, 7, 2, bad_vlan, e->now, err,
					sizeof(err)), -EINVAL);
	/* Nothing is applied when one word is bad. */
	sriov_vf_set_spoofchk(e->nic, 0, false);
	assert_int_equal(sriov_vf_admin(e->nic, 0, 4, bad_state, e->now, err,
					sizeof(err)), -EINVAL);
	sriov_vf_get_cfg(e->nic, 0, &c);
	assert_false(c.spoofchk);
}

static void test_link_state(void **state)
{
	struct env *e = *state;
	const char *dis[] = { "state", "disable" };
	const char *ena[] = { "state", "enable" };
	char err[64];

	assert_int_equal(sriov_vf_admin(e->nic, 1, 2, dis, e->now, err,
					sizeof(err)), 0);
	assert_false(rd(e, 1, IGBVF_STATUS) & IGBVF_STATUS_LU);
	/* igb pings: igbvf's mailbox interrupt, then its link check. */
	assert_int_equal(e->irqs[1][VEC_MBX], 1);
	vf_send(e, 0, mac[1], mac[0], 60);
	assert_int_equal(stats(e, 1).rx_drop_link, 1);
	vf_send(e, 1, mac[0], mac[1], 60);
	assert_int_equal(stats(e, 1).tx_drop_link, 1);
	assert_int_equal(e->g[0].sh->rxq[0].rdh, 0);

	/* The PF's link goes: auto VFs follow, "enable" ones do not. */
	sriov_vf_admin(e->nic, 1, 2, ena, e->now, err, sizeof(err));
	sriov_pf_set_link(e->nic, false, e->now);
	assert_true(rd(e, 1, IGBVF_STATUS) & IGBVF_STATUS_LU);
	assert_false(rd(e, 2, IGBVF_STATUS) & IGBVF_STATUS_LU);
	sriov_pf_set_link(e->nic, true, e->now);
	assert_true(rd(e, 2, IGBVF_STATUS) & IGBVF_STATUS_LU);
}

static void test_sleep_and_doorbell(void **state)
{
	struct env *e = *state;
	uint8_t f[60];
	uint32_t g;

	assert_true(sriov_vf_busy(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll & 1, 1);
	assert_true(sriov_vf_sleep(e->nic, 0));
	assert_false(sriov_vf_busy(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll & 1, 0);
	g = e->g[0].sh->poll;
	/* The driver posts, sees IGBVF_POLL clear, rings EICS <- 0. */
	fg_make_frame(f, 60, mac[1], mac[0], 1);
	fg_tx_frame(&e->g[0], f, 60);
	fg_set_tdt(&e->g[0], e->g[0].tx_tail);
	assert_int_equal(e->g[0].sh->poll & 1, 0);
	wr(e, 0, IGBVF_EICS, 0);
	assert_true(sriov_vf_busy(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll & 1, 1);
	assert_int_equal(stats(e, 0).doorbells, 1);
	assert_int_equal(sriov_vf_poll(e->nic, 0, 64, e->now), 1);
	/* A post racing with going to sleep is caught by the final check. */
	fg_tx_frame(&e->g[0], f, 60);
	fg_set_tdt(&e->g[0], e->g[0].tx_tail);
	assert_false(sriov_vf_sleep(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll & 1, 1);
	assert_int_equal(sriov_vf_poll(e->nic, 0, 64, e->now), 1);
	assert_true(sriov_vf_sleep(e->nic, 0));
	sriov_vf_kick(e->nic, 0);
	assert_true(sriov_vf_busy(e->nic, 0));
	/* Asleep, no doorbell, but polled anyway (the switch is awake for
	 * another port): found busy, the flag goes up. */
	assert_true(sriov_vf_sleep(e->nic, 0));
	assert_int_equal(vf_send(e, 0, mac[1], mac[0], 60), 1);
	assert_true(sriov_vf_busy(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll & 1, 1);
	assert_int_equal(stats(e, 0).doorbells, 2);	/* EICS, kick */
	/* Every sleep is a value of its own (a driver rings once per
	 * sleep), and resuming is not a doorbell. */
	assert_true(sriov_vf_sleep(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll & 1, 0);
	assert_int_not_equal(e->g[0].sh->poll, g);
	g = e->g[0].sh->poll;
	sriov_vf_resume(e->nic, 0);
	assert_true(sriov_vf_busy(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll, g + 1);
	sriov_vf_resume(e->nic, 0);
	assert_int_equal(e->g[0].sh->poll, g + 1);
	assert_true(sriov_vf_sleep(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll, g + 2);
	assert_int_equal(stats(e, 0).doorbells, 2);
	/* A VMM that comes back (or a new switch) counts on from what the
	 * page holds: no value a driver rang for before comes again. */
	assert_int_equal(sriov_vf_detach(e->nic, 0), 0);
	e->g[0].sh->poll = 40;
	assert_int_equal(sriov_vf_attach(e->nic, 0, &e->g[0].gm,
					 e->g[0].sh), 0);
	assert_int_equal(e->g[0].sh->poll, 41);
	assert_true(sriov_vf_sleep(e->nic, 0));
	assert_int_equal(e->g[0].sh->poll, 42);
}

/* The representor's view: what each VF sent and was given. */
static void test_tap(void **state)
{
	struct env *e = *state;

	assert_int_equal(vf_send(e, 0, mac[1], mac[0], 80), 1);
	assert_int_equal(e->taps[0][0], 1);
	assert_int_equal(e->taps[1][1], 1);
	assert_int_equal(e->tap_len, 80);
	/* A spoofed frame is seen as sent, and given to nobody. */
	assert_int_equal(vf_send(e, 0, mac[1], outside, 60), 1);
	assert_int_equal(stats(e, 0).tx_drop_spoof, 1);
	assert_int_equal(e->taps[0][0], 2);
	assert_int_equal(e->taps[1][1], 1);
	/* Under a port VLAN the PF's tagged frame comes with strip set. */
	assert_int_equal(sriov_vf_set_vlan(e->nic, 2, 100, 0, e->now), 0);
	{
		uint8_t f[64];
		const uint8_t *fr = f;
		uint16_t len = 64;

		fg_make_frame(f, 64, mac[2], outside, 9);
		memmove(f + 16, f + 12, 48);
		f[12] = 0x81;
		f[13] = 0;
		f[14] = 0;
		f[15] = 100;
		assert_int_equal(sriov_pf_rx_burst(e->nic, &fr, &len, 1,
						   e->now), 1);
	}
	assert_int_equal(e->taps[2][1], 1);
	assert_int_equal(e->tap_len, 64);
	assert_true(e->tap_strip);
}

/* A cause on a disabled vector waits for EIMS, and says so. */
static void test_masked_causes(void **state)
{
	struct env *e = *state;

	assert_int_equal(sriov_vf_masked_causes(e->nic, 1), 0);
	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	vf_send(e, 0, mac[1], mac[0], 60);
	assert_int_equal(e->irqs[1][VEC_RX], 0);
	assert_int_equal(sriov_vf_masked_causes(e->nic, 1), 1u << VEC_RX);
	wr(e, 1, IGBVF_EIMS, 1u << VEC_RX);
	assert_int_equal(e->irqs[1][VEC_RX], 1);
	assert_int_equal(sriov_vf_masked_causes(e->nic, 1), 0);
	assert_int_equal(sriov_vf_masked_causes(e->nic, 9), 0);
}

/*
 * EIMS posted at IGBVF_UNMASK: taken at the next poll, when polling
 * stops and before a trapped access; only EIMS's bits; gone at reset.
 */
static void test_posted_unmask(void **state)
{
	struct env *e = *state;
	struct sriov_vf_stats st;

	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	vf_send(e, 0, mac[1], mac[0], 60);
	assert_int_equal(sriov_vf_masked_causes(e->nic, 1), 1u << VEC_RX);
	e->g[1].sh->unmask = 0xFFFF0000u | 1u << VEC_RX;
	assert_int_equal(sriov_vf_poll(e->nic, 1, 64, e->now), 0);
	assert_int_equal(e->g[1].sh->unmask, 0);
	assert_int_equal(e->irqs[1][VEC_RX], 1);
	assert_int_equal(rd(e, 1, IGBVF_EIMS), 7);	/* EIAM 0 here */
	st = stats(e, 1);
	assert_int_equal(st.unmasks, 1);

	/* Stopping: the flag goes even, then the page is looked at. */
	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	vf_send(e, 0, mac[1], mac[0], 60);
	e->g[1].sh->unmask = 1u << VEC_RX;
	assert_true(sriov_vf_sleep(e->nic, 1));
	assert_int_equal(e->g[1].sh->poll & 1, 0);
	assert_int_equal(e->irqs[1][VEC_RX], 2);

	/* Before a trapped access, which must not overtake it. */
	e->g[1].sh->unmask = 1u << VEC_TX;
	wr(e, 1, IGBVF_EIMC, 1u << VEC_TX);
	assert_int_equal(rd(e, 1, IGBVF_EIMS) & (1u << VEC_TX), 0);
	st = stats(e, 1);
	assert_int_equal(st.unmasks, 3);

	/* A reset forgets a request. */
	e->g[1].sh->unmask = 1u << VEC_MBX;
	assert_int_equal(sriov_vf_flr(e->nic, 1, e->now), 0);
	assert_int_equal(e->g[1].sh->unmask, 0);
}

/*
 * IGBVF_RX_SEEN: an RX cause for frames the driver has all seen is
 * dropped when its EIMS is applied (posted or trapped); one the driver
 * has not seen, or with no valid position, is sent; the word is taken.
 */
static void test_stale_rx(void **state)
{
	struct env *e = *state;
	uint32_t head;

	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	vf_send(e, 0, mac[1], mac[0], 60);
	head = e->g[1].sh->rxq[0].rdh;
	assert_int_equal(sriov_vf_masked_causes(e->nic, 1), 1u << VEC_RX);
	/* Seen up to the head: posted, dropped, no message. */
	e->g[1].sh->rx_seen = IGBVF_RX_SEEN_VALID | head;
	e->g[1].sh->unmask = 1u << VEC_RX;
	sriov_vf_poll(e->nic, 1, 64, e->now);
	assert_int_equal(e->irqs[1][VEC_RX], 0);
	assert_int_equal(e->g[1].sh->rx_seen, 0);
	assert_int_equal(sriov_vf_masked_causes(e->nic, 1), 0);
	assert_int_equal(stats(e, 1).stale_rx, 1);
	/* ...and the next frame interrupts. */
	vf_send(e, 0, mac[1], mac[0], 60);
	assert_int_equal(e->irqs[1][VEC_RX], 1);

	/* A frame after the driver's last look: sent. */
	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	head = e->g[1].sh->rxq[0].rdh;
	vf_send(e, 0, mac[1], mac[0], 60);
	e->g[1].sh->rx_seen = IGBVF_RX_SEEN_VALID | head;
	wr(e, 1, IGBVF_EIMS, 1u << VEC_RX);
	assert_int_equal(e->irqs[1][VEC_RX], 2);

	/* Trapped EIMS with the position at the head: dropped. */
	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	vf_send(e, 0, mac[1], mac[0], 60);
	e->g[1].sh->rx_seen = IGBVF_RX_SEEN_VALID | e->g[1].sh->rxq[0].rdh;
	wr(e, 1, IGBVF_EIMS, 1u << VEC_RX);
	assert_int_equal(e->irqs[1][VEC_RX], 2);
	assert_int_equal(stats(e, 1).stale_rx, 2);

	/* Without VALID (a chip's reserved 0, or taken already): sent. */
	wr(e, 1, IGBVF_EIMC, 1u << VEC_RX);
	vf_send(e, 0, mac[1], mac[0], 60);
	e->g[1].sh->rx_seen = e->g[1].sh->rxq[0].rdh;
	wr(e, 1, IGBVF_EIMS, 1u << VEC_RX);
	assert_int_equal(e->irqs[1][VEC_RX], 3);
	assert_int_equal(stats(e, 1).stale_rx, 2);
}

static void test_moderation(void **state)
{
	struct env *e = *state;

	wr(e, 1, IGBVF_EITR(VEC_RX), 100u << IGBVF_EITR_INTERVAL_SHIFT);
	vf_send(e, 0, mac[1], mac[0], 60);
	e->now += 10 * US;
	vf_send(e, 0, mac[1], mac[0], 60);
	assert_int_equal(e->irqs[1][VEC_RX], 1);
	assert_int_equal(sriov_nic_next_deadline(e->nic), e->now + 90 * US);
	sriov_nic_poll_irqs(e->nic, e->now + 50 * US);
	assert_int_equal(e->irqs[1][VEC_RX], 1);
	sriov_nic_poll_irqs(e->nic, e->now + 90 * US);
	assert_int_equal(e->irqs[1][VEC_RX], 2);
	assert_int_equal(sriov_nic_next_deadline(e->nic), UINT64_MAX);
}

static void test_jumbo(void **state)
{
	struct env *e = *state;
	static uint8_t f[9000];
	uint64_t a = FG_BIG_BUF;
	unsigned i;

	assert_true(mbx2(e, 0, IGBVF_VF_SET_LPE, 9022) & IGBVF_MSG_ACK);
	assert_true(mbx2(e, 1, IGBVF_VF_SET_LPE, 9022) & IGBVF_MSG_ACK);
	fg_make_frame(f, sizeof(f), mac[1], mac[0], 3);
	memcpy(fg_ptr(&e->g[0], a, sizeof(f)), f, sizeof(f));
	for (i = 0; i < 5; i++)
		fg_tx_desc(&e->g[0], i, a + i * 1800, 1800,
			   i == 4 ? IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS
				  : 0, 0);
	fg_set_tdt(&e->g[0], 5);
	assert_int_equal(sriov_vf_poll(e->nic, 0, 64, e->now), 1);
	/* 2 KiB buffers: five descriptors, EOP on the fifth. */
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 5);
	for (i = 0; i < 5; i++)
		assert_memory_equal(fg_rx_buf(&e->g[1], i), f + i * 2048,
				    i < 4 ? 2048 : 9000 - 4 * 2048);
	assert_int_equal(fg_rx_wb(&e->g[1], 4).status_error,
			 IGBVF_RXD_STAT_DD | IGBVF_RXD_STAT_EOP);
}

static void test_hostile_vf(void **state)
{
	struct env *e = *state;
	json_t *j, *v0;
	const char *why;
	unsigned i;

	/* VF 0 posts a tail beyond its ring. */
	fg_set_tdt(&e->g[0], 1000);
	assert_int_equal(sriov_vf_poll(e->nic, 0, 64, e->now), 0);
	assert_int_equal(sriov_vf_error(e->nic, 0, &why), VFQ_E_TX_TAIL);
	assert_non_null(strstr(why, "1000"));
	assert_int_equal(e->events[0][SRIOV_EV_VF_ERROR], 1);
	assert_int_equal(stats(e, 0).errors, 1);
	/* The guest is told: link down, reset pending, a NACK ping. */
	assert_false(rd(e, 0, IGBVF_STATUS) & IGBVF_STATUS_LU);
	assert_int_equal(rd(e, 0, IGBVF_VFMAILBOX) &
			 (IGBVF_MBX_RSTI | IGBVF_MBX_PFSTS),
			 IGBVF_MBX_RSTI | IGBVF_MBX_PFSTS);
	assert_int_equal(rd(e, 0, IGBVF_VMBMEM(0)),
			 IGBVF_PF_CONTROL_MSG | IGBVF_MSG_NACK);
	assert_int_equal(e->irqs[0][VEC_MBX], 1);
	/* Not clear to send any more. */
	assert_true(mbx2(e, 0, IGBVF_VF_SET_LPE, 9000) & IGBVF_MSG_NACK);

	/* The others keep their traffic; frames to VF 0 are dropped. */
	for (i = 0; i < 5; i++)
		assert_int_equal(vf_send(e, 1, mac[2], mac[1], 60), 1);
	assert_int_equal(e->g[2].sh->rxq[0].rdh, 5);
	vf_send(e, 2, mac[0], mac[2], 60);
	assert_int_equal(stats(e, 0).rx_drop_link, 1);

	j = sriov_nic_show(e->nic);
	v0 = json_array_get(json_object_get(j, "vf"), 0);
	assert_string_equal(json_string_value(json_object_get(v0, "error")),
			    "tx_tail");
	assert_false(json_is_true(json_object_get(v0, "link_up")));
	json_decref(j);

	/* igbvf's reset task brings it back. */
	driver_up(e, 0, NULL);
	assert_int_equal(sriov_vf_error(e->nic, 0, NULL), 0);
	assert_true(rd(e, 0, IGBVF_STATUS) & IGBVF_STATUS_LU);
	assert_false(rd(e, 0, IGBVF_VFMAILBOX) & IGBVF_MBX_RSTI);
	assert_int_equal(vf_send(e, 0, mac[1], mac[0], 60), 1);
	assert_int_equal(e->g[1].sh->rxq[0].rdh, 1);
}

static void test_hostile_rx_ring(void **state)
{
	struct env *e = *state;
	struct igbvf_rx_desc_read d = { .pkt_addr = 0xC0000000ull };

	/* VF 1 posts a buffer in the PCI hole; VF 0 sends to it. */
	memcpy(fg_ptr(&e->g[1], FG_RX_RING, 16), &d, 16);
	vf_send(e, 0, mac[1], mac[0], 60);
	assert_int_equal(sriov_vf_error(e->nic, 1, NULL), VFQ_E_RX_DESC);
	assert_int_equal(stats(e, 0).errors, 0);
	assert_int_equal(vf_send(e, 0, mac[2], mac[0], 60), 1);
	assert_int_equal(e->g[2].sh->rxq[0].rdh, 1);
}

static void test_bad_access_and_flr(void **state)
{
	struct env *e = *state;
	uint32_t v = 1;
	struct vf_cfg c;

	assert_int_equal(sriov_vf_reg_read(e->nic, 0, IGBVF_STATUS, 2, &v,
					   e->now), -EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(sriov_vf_reg_write(e->nic, 0, 0x4000, 4, 1, e->now),
			 -EINVAL);
	assert_int_equal(sriov_vf_reg_write(e->nic, 0, 0x1521, 4, 1, e->now),
			 -EINVAL);
	assert_int_equal(stats(e, 0).bad_access, 3);
	assert_int_equal(sriov_vf_reg_read(e->nic, 9, 0, 4, &v, e->now),
			 -EINVAL);
	/* A shared register reached through a trap is the same memory. */
	assert_int_equal(rd(e, 0, IGBVF_RDLEN(0)), 64 * 16);

	/* FLR: queues off, registers cleared, the VF's own MAC forgotten. */
	sriov_vf_set_mac(e->nic, 2, (const uint8_t[6]){ 0 }, e->now);
	assert_int_equal(sriov_vf_flr(e->nic, 2, e->now), 0);
	assert_int_equal(e->g[2].sh->rxq[0].rdlen, 0);
	assert_true(rd(e, 2, IGBVF_VFMAILBOX) & IGBVF_MBX_RSTD);
	sriov_vf_get_cfg(e->nic, 2, &c);
	assert_false(c.cts);
	assert_int_equal(c.mac[5], 0);
	assert_int_equal(sriov_vf_detach(e->nic, 2), 0);
	assert_false(sriov_vf_busy(e->nic, 2));
	assert_int_equal(sriov_vf_poll(e->nic, 2, 64, e->now), 0);
	assert_int_equal(sriov_vf_attach(e->nic, 1, &e->g[1].gm,
					 e->g[1].sh), -EBUSY);
}

static void test_show(void **state)
{
	struct env *e = *state;
	json_t *j, *vfs, *v1;

	vf_send(e, 0, mac[1], mac[0], 60);
	j = sriov_nic_show(e->nic);
	assert_string_equal(json_string_value(json_object_get(j, "name")),
			    "nic0");
	assert_int_equal(json_integer_value(json_object_get(j, "vfs")), 3);
	vfs = json_object_get(j, "vf");
	assert_int_equal(json_array_size(vfs), 3);
	v1 = json_array_get(vfs, 1);
	assert_string_equal(json_string_value(json_object_get(v1, "mac")),
			    "02:00:00:00:01:01");
	assert_true(json_is_true(json_object_get(v1, "spoofchk")));
	assert_true(json_is_true(json_object_get(v1, "ready")));
	assert_string_equal(json_string_value(json_object_get(v1,
							      "link_state")),
			    "auto");
	assert_int_equal(json_integer_value(json_object_get(v1,
							    "rx_packets")), 1);
	assert_non_null(json_object_get(json_object_get(v1, "drops"),
					"tx_spoof"));
	assert_non_null(json_object_get(json_object_get(v1, "mailbox"),
					"msgs"));
	json_decref(j);
}

/*
 * The switch restarts: a new NIC binds the VFs again on the same shared
 * pages. Each VF finds RSTD and the PF's control message (igb_reset's
 * ping), and the mailbox interrupt comes on the routing its driver set,
 * at once when enabled, on EIMS when masked; pages no model served
 * before have no routing to take over.
 */
static void test_rebind_pings(void **state)
{
	static const struct sriov_nic_ops ops = {
		.pf_tx = on_pf_tx, .vf_irq = on_irq, .pf_event = on_event,
		.vf_tap = on_tap,
	};
	struct env *e = *state;
	unsigned i;

	wr(e, 1, IGBVF_EIMC, 1u << VEC_MBX);
	memset(&e->g[2].sh->irq_keep, 0, sizeof(e->g[2].sh->irq_keep));
	sriov_nic_destroy(e->nic);
	e->nic = sriov_nic_create("nic0", NVF, &ops, e);
	assert_non_null(e->nic);
	memset(e->irqs, 0, sizeof(e->irqs));
	for (i = 0; i < NVF; i++) {
		assert_int_equal(sriov_vf_set_mac(e->nic, i, mac[i], e->now),
				 0);
		assert_int_equal(sriov_vf_attach(e->nic, i, &e->g[i].gm,
						 e->g[i].sh), 0);
	}
	for (i = 0; i < NVF; i++) {
		assert_int_equal(rd(e, i, IGBVF_VFMAILBOX),
				 IGBVF_MBX_RSTD | IGBVF_MBX_PFSTS);
		assert_int_equal(rd(e, i, IGBVF_VMBMEM(0)),
				 IGBVF_PF_CONTROL_MSG);
	}
	assert_int_equal(e->irqs[0][VEC_MBX], 1);
	assert_int_equal(stats(e, 0).irq_restores, 1);
	assert_int_equal(rd(e, 0, IGBVF_IVAR_MISC),
			 VEC_MBX | IGBVF_IVAR_VALID);
	/* Masked: pending until the driver enables the vector. */
	assert_int_equal(e->irqs[1][VEC_MBX], 0);
	wr(e, 1, IGBVF_EIMS, 1u << VEC_MBX);
	assert_int_equal(e->irqs[1][VEC_MBX], 1);
	assert_int_equal(e->irqs[2][VEC_MBX], 0);
	assert_int_equal(stats(e, 2).irq_restores, 0);
	assert_int_equal(rd(e, 2, IGBVF_IVAR_MISC), 0);
	/* The driver's reset starts over; so would an FLR. */
	driver_up(e, 0, NULL);
	assert_int_equal(e->g[0].sh->irq_keep.ivar_misc,
			 VEC_MBX | IGBVF_IVAR_VALID);
	assert_int_equal(sriov_vf_flr(e->nic, 0, e->now), 0);
	assert_int_equal(e->g[0].sh->irq_keep.magic, IGBVF_IRQ_KEEP_MAGIC);
	assert_int_equal(e->g[0].sh->irq_keep.ivar_misc, 0);
	assert_int_equal(e->g[0].sh->irq_keep.eims, 0);
}

static void test_create_refuses(void **state)
{
	(void)state;
	assert_null(sriov_nic_create("x", 0, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(sriov_nic_create("x", 8, NULL, NULL));
	assert_null(sriov_nic_create("", 1, NULL, NULL));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reset_handshake_gives_mac),
		T(test_vf_to_vf),
		T(test_broadcast_everywhere),
		T(test_unknown_unicast_to_pf),
		T(test_pf_to_vf),
		T(test_port_vlan),
		T(test_vlan_hopping_dropped),
		T(test_spoof_check_on_off),
		T(test_admin_mac_against_set_mac),
		T(test_admin_words_refused),
		T(test_link_state),
		T(test_sleep_and_doorbell),
		T(test_tap),
		T(test_masked_causes),
		T(test_posted_unmask),
		T(test_stale_rx),
		T(test_moderation),
		T(test_jumbo),
		T(test_hostile_vf),
		T(test_hostile_rx_ring),
		T(test_bad_access_and_flr),
		T(test_show),
		T(test_rebind_pings),
		cmocka_unit_test(test_create_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
