// SPDX-License-Identifier: MIT
/*
 * The PF side of one VF's mailbox (vf_mbx.h). Message handling follows
 * Linux igb's igb_rcv_msg_from_vf(): a message already flagged ACK or
 * NACK is ignored; VF_RESET is always accepted and makes the VF clear to
 * send; anything else before that is refused; every other reply is word
 * 0 of the request with CTS and ACK or NACK set, the rest of the buffer
 * left as the VF wrote it.
 */
#include <string.h>

#define LOG_SUBSYS "sriov-mbx"
#include "base/log.h"
#include "base/mac.h"
#include "sriov/vf_mbx.h"

/* igb answers a non-CTS VF's ACK with a NACK at most every 2 s. */
#define VF_MBX_NACK_INTERVAL_NS	2000000000ull

void vf_mbx_init(struct vf_mbx *m)
{
	memset(m, 0, sizeof(*m));
}

void vf_mbx_vf_reset(struct vf_mbx *m)
{
	memset(m->mem, 0, sizeof(m->mem));
	m->bits = IGBVF_MBX_RSTD;
}

void vf_mbx_set_rsti(struct vf_mbx *m, bool on)
{
	if (on) {
		m->bits |= IGBVF_MBX_RSTI;
	} else if (m->bits & IGBVF_MBX_RSTI) {
		m->bits &= ~IGBVF_MBX_RSTI;
		m->bits |= IGBVF_MBX_RSTD;
	}
}

uint32_t vf_mbx_read(struct vf_mbx *m, uint32_t off)
{
	uint32_t v;

	if (off >= IGBVF_VMBMEM(0) && off < IGBVF_VMBMEM(IGBVF_MBX_WORDS))
		return m->mem[(off - IGBVF_VMBMEM(0)) / 4];
	if (off != IGBVF_VFMAILBOX)
		return 0;
	v = m->bits;
	m->bits &= ~IGBVF_MBX_R2C_BITS;
	return v;
}

/* The PF's reply: word 0, PFSTS for the VF to find. */
static unsigned vf_mbx_reply(struct vf_mbx *m, uint32_t w0)
{
	m->mem[0] = w0;
	if (w0 & IGBVF_MSG_NACK)
		m->st.nacks++;
	else if (w0 & IGBVF_MSG_ACK)
		m->st.acks++;
	m->bits |= IGBVF_MBX_PFSTS;
	return VF_MBX_EV_IRQ;
}

/* The MAC in words 1-2, bytes in memory order (igbvf's memcpy). */
static void vf_mbx_get_mac(const uint32_t *msg, uint8_t mac[6])
{
	memcpy(mac, (const uint8_t *)&msg[1], 6);
}

/* igb_vf_reset_msg: forget the VF's requests, enable it, send its MAC. */
static unsigned vf_mbx_reset_msg(struct vf_mbx *m, struct vf_cfg *cfg)
{
	static const uint8_t zero[6];
	uint32_t w0;

	vf_cfg_reset_requests(cfg);
	cfg->cts = true;
	m->st.resets++;
	/*
	 * igb answers with the MAC in words 1-2 and no filter type (ixgbe
	 * adds one in word 3); a VF with no MAC yet gets NACK and picks a
	 * random one (igbvf_probe).
	 */
	memset(&m->mem[1], 0, 8);
	if (memcmp(cfg->mac, zero, 6)) {
		w0 = IGBVF_VF_RESET | IGBVF_MSG_ACK;
		memcpy((uint8_t *)&m->mem[1], cfg->mac, 6);
	} else {
		w0 = IGBVF_VF_RESET | IGBVF_MSG_NACK;
	}
	return vf_mbx_reply(m, w0) | VF_MBX_EV_CFG | VF_MBX_EV_RESET;
}

/* igb_set_vf_mac_addr: 0 or -1 (NACK). */
static int vf_mbx_set_mac(struct vf_mbx *m, struct vf_cfg *cfg,
			  const uint32_t *msg)
{
	uint8_t mac[6];

	if (msg[0] & IGBVF_MSGINFO_MASK) {
		/* Extra unicast filters (MAC_FILTER_ADD/CLR): not modelled. */
		m->st.invalid++;
		return -1;
	}
	if (cfg->mac_admin && !cfg->trust) {
		m->st.denied++;
		log_guest_warn("VF tried to override the administrator's MAC");
		return -1;
	}
	vf_mbx_get_mac(msg, mac);
	if (!mac_is_unicast(mac)) {
		m->st.invalid++;
		return -1;
	}
	memcpy(cfg->mac, mac, 6);
	return 0;
}

/* igb_set_vf_multicasts: up to 30 hashes; more means all multicast. */
static void vf_mbx_set_multicast(struct vf_cfg *cfg, const uint32_t *msg)
{
	unsigned n = (msg[0] & IGBVF_MSGINFO_MASK) >> IGBVF_MSGINFO_SHIFT;
	const uint8_t *p = (const uint8_t *)&msg[1];
	unsigned i;

	memset(cfg->mc, 0, sizeof(cfg->mc));
	cfg->n_mc = (uint16_t)n;
	for (i = 0; i < n && i < IGBVF_MC_HASHES_MAX; i++) {
		uint16_t h = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);

		vf_cfg_set_bit(cfg->mc, h & 0xFFF, true);
	}
}

/* igb_set_vf_vlan_msg: NACK under a port VLAN; VLAN 0 stays. */
static int vf_mbx_set_vlan(struct vf_mbx *m, struct vf_cfg *cfg,
			   const uint32_t *msg)
{
	bool add = (msg[0] & IGBVF_MSGINFO_MASK) != 0;
	unsigned vid = msg[1] & 0xFFF;

	if (cfg->port_vlan) {
		m->st.denied++;
		log_guest_warn("VF tried to override its port VLAN");
		return -1;
	}
	if (!vid && !add)
		return 0;
	vf_cfg_set_bit(cfg->vlans, vid, add);
	return 0;
}

/* igb_set_vf_rlpml: the largest frame, up to the jumbo limit. */
static int vf_mbx_set_lpe(struct vf_mbx *m, struct vf_cfg *cfg,
			  const uint32_t *msg)
{
	if (msg[1] > IGBVF_FRAME_JUMBO_MAX || msg[1] < 64) {
		m->st.invalid++;
		return -1;
	}
	cfg->max_frame = (uint16_t)msg[1];
	return 0;
}

/*
 * igb_set_vf_promisc: multicast promiscuous for any VF; unicast
 * promiscuous only for a trusted one (the trust rule of `ip link set
 * ... trust on`). Flags it does not know are refused.
 */
static int vf_mbx_set_promisc(struct vf_mbx *m, struct vf_cfg *cfg,
			      const uint32_t *msg)
{
	uint32_t info = msg[0] & IGBVF_MSGINFO_MASK;

	if (info & ~(IGBVF_VF_SET_PROMISC_UNICAST |
		     IGBVF_VF_SET_PROMISC_MULTICAST)) {
		m->st.invalid++;
		return -1;
	}
	if ((info & IGBVF_VF_SET_PROMISC_UNICAST) && !cfg->trust) {
		m->st.denied++;
		return -1;
	}
	cfg->uc_promisc = (info & IGBVF_VF_SET_PROMISC_UNICAST) != 0;
	cfg->mc_promisc = (info & IGBVF_VF_SET_PROMISC_MULTICAST) != 0;
	return 0;
}

/* The VF wrote REQ: read, ack, act, answer. */
static unsigned vf_mbx_request(struct vf_mbx *m, struct vf_cfg *cfg)
{
	uint32_t msg[IGBVF_MBX_WORDS];
	unsigned ev = VF_MBX_EV_IRQ;
	int ret;

	memcpy(msg, m->mem, sizeof(msg));
	m->st.msgs++;
	m->bits |= IGBVF_MBX_PFACK;	/* igb_read_mbx acks what it read */

	if (msg[0] & (IGBVF_MSG_ACK | IGBVF_MSG_NACK)) {
		m->st.stale++;
		return ev;
	}
	if (msg[0] == IGBVF_VF_RESET)
		return vf_mbx_reset_msg(m, cfg);
	if (!cfg->cts) {
		/* igb stays silent for 2 s after a reset, then NACKs; we
		 * NACK at once so a confused VF learns sooner. */
		m->st.not_cts++;
		return vf_mbx_reply(m, msg[0] | IGBVF_MSG_NACK);
	}

	switch (msg[0] & IGBVF_MSGTYPE_MASK) {
	case IGBVF_VF_SET_MAC_ADDR:
		ret = vf_mbx_set_mac(m, cfg, msg);
		break;
	case IGBVF_VF_SET_MULTICAST:
		vf_mbx_set_multicast(cfg, msg);
		ret = 0;
		break;
	case IGBVF_VF_SET_VLAN:
		ret = vf_mbx_set_vlan(m, cfg, msg);
		break;
	case IGBVF_VF_SET_LPE:
		ret = vf_mbx_set_lpe(m, cfg, msg);
		break;
	case IGBVF_VF_SET_PROMISC:
		ret = vf_mbx_set_promisc(m, cfg, msg);
		break;
	default:
		m->st.invalid++;
		log_guest_warn("VF sent unknown mailbox message %#x", msg[0]);
		ret = -1;
		break;
	}
	if (!ret)
		ev |= VF_MBX_EV_CFG;
	return ev | vf_mbx_reply(m, msg[0] | IGBVF_MSG_CTS |
				 (ret ? IGBVF_MSG_NACK : IGBVF_MSG_ACK));
}

unsigned vf_mbx_write(struct vf_mbx *m, struct vf_cfg *cfg, uint32_t off,
		      uint32_t val, uint64_t now_ns)
{
	unsigned ev = 0;

	if (off >= IGBVF_VMBMEM(0) && off < IGBVF_VMBMEM(IGBVF_MBX_WORDS)) {
		m->mem[(off - IGBVF_VMBMEM(0)) / 4] = val;
		return 0;
	}
	if (off != IGBVF_VFMAILBOX)
		return 0;

	/* VFU is a plain RW bit (the PF never holds PFU across a write). */
	m->bits = (m->bits & ~IGBVF_MBX_VFU) | (val & IGBVF_MBX_VFU);
	if (val & IGBVF_MBX_REQ)
		ev |= vf_mbx_request(m, cfg);
	if ((val & IGBVF_MBX_ACK) && !cfg->cts &&
	    now_ns - m->last_nack_ns >= VF_MBX_NACK_INTERVAL_NS) {
		/* igb_rcv_ack_from_vf: a VF that is not clear to send is
		 * told so, which makes igbvf's link check reset it. */
		m->last_nack_ns = now_ns;
		ev |= vf_mbx_reply(m, IGBVF_MSG_NACK);
	}
	return ev;
}

unsigned vf_mbx_ping(struct vf_mbx *m, const struct vf_cfg *cfg, bool nack)
{
	uint32_t w0 = IGBVF_PF_CONTROL_MSG;

	if (m->bits & IGBVF_MBX_VFU)
		return 0;
	if (cfg->cts && !nack)
		w0 |= IGBVF_MSG_CTS;
	if (nack)
		w0 |= IGBVF_MSG_NACK;
	m->st.pings++;
	m->mem[0] = w0;
	m->bits |= IGBVF_MBX_PFSTS;
	return VF_MBX_EV_IRQ;
}
