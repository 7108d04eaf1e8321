// SPDX-License-Identifier: MIT
/*
 * The VF side of the 82576 PF-VF mailbox (igbvf_mbx.h), after Linux
 * igbvf's mbx.c (e1000_*_vf and the posted read/write helpers) and the
 * message builders of its vf.c. Every register access here is a trapped
 * access, i.e. a VM exit: a request and its reply cost about a dozen, paid
 * at set-up and on the rare PF message, never per packet.
 */
#include "drivers/igbvf_mbx.h"

#include <stddef.h>

#include "base/mac.h"
#include "rt/clock.h"
#include "rt/errno.h"

void igbvf_mbx_init(struct igbvf_mbx *m, struct igbvf_bar *bar)
{
	m->bar = bar;
	m->soft = 0;
	m->dead = false;
}

/* e1000_read_v2p_mailbox: the register, plus the read-to-clear bits it
 * showed before and nobody consumed. */
uint32_t igbvf_mbx_bits(struct igbvf_mbx *m)
{
	uint32_t v = igbvf_reg_read(m->bar, IGBVF_VFMAILBOX);

	v |= m->soft;
	m->soft |= v & IGBVF_MBX_R2C_BITS;
	return v;
}

/* e1000_check_for_bit_vf */
bool igbvf_mbx_check(struct igbvf_mbx *m, uint32_t mask)
{
	uint32_t v = igbvf_mbx_bits(m);

	m->soft &= ~mask;
	return (v & mask) != 0;
}

/* e1000_obtain_mbx_lock_vf: VFU written, then read back. */
static int igbvf_mbx_lock(struct igbvf_mbx *m)
{
	igbvf_reg_write(m->bar, IGBVF_VFMAILBOX, IGBVF_MBX_VFU);
	if (igbvf_mbx_bits(m) & IGBVF_MBX_VFU)
		return 0;
	m->st.busy++;
	return -EBUSY;
}

int igbvf_mbx_write(struct igbvf_mbx *m, const uint32_t *msg, unsigned n)
{
	unsigned i;
	int r;

	if (!n || n > IGBVF_MBX_WORDS)
		return -EINVAL;
	r = igbvf_mbx_lock(m);
	if (r)
		return r;
	/* A stale ack or message would be taken for the answer to this
	 * one: drop them (igbvf flushes both the same way, in two reads of
	 * the register; one does, as each is an exit). */
	igbvf_mbx_check(m, IGBVF_MBX_PFACK | IGBVF_MBX_PFSTS);
	for (i = 0; i < n; i++)
		igbvf_reg_write(m->bar, IGBVF_VMBMEM(i), msg[i]);
	m->st.tx++;
	/* REQ without VFU: the buffer goes back to the PF with it. */
	igbvf_reg_write(m->bar, IGBVF_VFMAILBOX, IGBVF_MBX_REQ);
	return 0;
}

int igbvf_mbx_read(struct igbvf_mbx *m, uint32_t *msg, unsigned n)
{
	unsigned i;
	int r;

	if (!n || n > IGBVF_MBX_WORDS)
		return -EINVAL;
	r = igbvf_mbx_lock(m);
	if (r)
		return r;
	for (i = 0; i < n; i++)
		msg[i] = igbvf_reg_read(m->bar, IGBVF_VMBMEM(i));
	/* ACK: received, and the buffer released (VFU not written). */
	igbvf_reg_write(m->bar, IGBVF_VFMAILBOX, IGBVF_MBX_ACK);
	m->st.rx++;
	return 0;
}

/* e1000_poll_for_ack / e1000_poll_for_msg, by the clock. */
static int igbvf_mbx_poll(struct igbvf_mbx *m, uint32_t bit)
{
	uint64_t end = clock_tsc() +
		       clock_ns_to_tsc(IGBVF_MBX_TIMEOUT_US * 1000ull);

	for (;;) {
		/* seen by an earlier read (PFSTS often comes with PFACK) */
		if (m->soft & bit) {
			igbvf_mbx_consume(m, bit);
			return 0;
		}
		if (igbvf_mbx_check(m, bit))
			return 0;
		if (clock_tsc() >= end)
			break;
		if (m->busy)
			m->busy(m->busy_arg);
		clock_delay_us(IGBVF_MBX_POLL_US);
	}
	/* "if we failed, all future posted messages fail until reset" */
	m->dead = true;
	m->st.timeouts++;
	return -ETIMEDOUT;
}

int igbvf_mbx_request(struct igbvf_mbx *m, const uint32_t *msg, unsigned n,
		      uint32_t *reply, unsigned rn)
{
	int r;

	if (m->dead)
		return -ETIMEDOUT;
	r = igbvf_mbx_write(m, msg, n);
	if (!r)
		r = igbvf_mbx_poll(m, IGBVF_MBX_PFACK);
	if (!r)
		r = igbvf_mbx_poll(m, IGBVF_MBX_PFSTS);
	if (!r)
		r = igbvf_mbx_read(m, reply, rn);
	if (r)
		return r;
	/* What the PF wrote is checked before anyone acts on it: it must
	 * answer this message type (a PF control message that overwrote
	 * the reply is not an answer) and say ACK or NACK. */
	if (igbvf_msg_type(reply[0]) != igbvf_msg_type(msg[0]) ||
	    !(reply[0] & (IGBVF_MSG_ACK | IGBVF_MSG_NACK))) {
		m->st.bad_reply++;
		return -EIO;
	}
	if (igbvf_msg_acked(reply[0]))
		m->st.acks++;
	else
		m->st.nacks++;
	return 0;
}

/* ---- messages ---- */

void igbvf_msg_put_mac(uint32_t *msg, const uint8_t mac[6])
{
	msg[1] = (uint32_t)mac[0] | (uint32_t)mac[1] << 8 |
		 (uint32_t)mac[2] << 16 | (uint32_t)mac[3] << 24;
	msg[2] = (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
}

void igbvf_msg_get_mac(const uint32_t *msg, uint8_t mac[6])
{
	unsigned i;

	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(msg[1 + i / 4] >> (8 * (i % 4)));
}

unsigned igbvf_msg_set_mac(uint32_t *msg, const uint8_t mac[6])
{
	msg[0] = IGBVF_VF_SET_MAC_ADDR;
	igbvf_msg_put_mac(msg, mac);
	return 3;
}

unsigned igbvf_msg_set_lpe(uint32_t *msg, unsigned max_frame)
{
	msg[0] = IGBVF_VF_SET_LPE;
	msg[1] = max_frame;
	return 2;
}

unsigned igbvf_msg_set_vlan(uint32_t *msg, unsigned vid, bool add)
{
	msg[0] = IGBVF_VF_SET_VLAN | (add ? 1u << IGBVF_MSGINFO_SHIFT : 0);
	msg[1] = vid & 0xFFF;
	return 2;
}

unsigned igbvf_msg_set_promisc(uint32_t *msg, uint32_t flags)
{
	msg[0] = IGBVF_VF_SET_PROMISC | (flags & IGBVF_MSGINFO_MASK);
	return 1;
}

unsigned igbvf_msg_set_multicast(uint32_t *msg, const uint8_t *addrs,
				 unsigned count)
{
	unsigned i;

	if (count > IGBVF_MC_HASHES_MAX)
		count = IGBVF_MC_HASHES_MAX;
	for (i = 1; i < IGBVF_MBX_WORDS; i++)
		msg[i] = 0;
	msg[0] = IGBVF_VF_SET_MULTICAST | count << IGBVF_MSGINFO_SHIFT;
	/* Two 16-bit hashes per word, the first in the low half (igbvf's
	 * u16 array over msgbuf[1..] on a little-endian CPU). */
	for (i = 0; i < count; i++)
		msg[1 + i / 2] |= (uint32_t)IGBVF_MC_HASH(addrs + 6 * i)
				  << (16 * (i % 2));
	return IGBVF_MBX_WORDS;
}

int igbvf_msg_reset_reply(const uint32_t *reply, uint8_t mac[6])
{
	if (reply[0] == (IGBVF_VF_RESET | IGBVF_MSG_NACK))
		return 0;
	if (reply[0] != (IGBVF_VF_RESET | IGBVF_MSG_ACK))
		return -EIO;
	igbvf_msg_get_mac(reply, mac);
	/* The PF's address must be one a station may use. */
	if (!mac_is_unicast(mac))
		return -EIO;
	return 1;
}
