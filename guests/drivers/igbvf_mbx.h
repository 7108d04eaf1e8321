/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_IGBVF_MBX_H
#define IOPATH_GUEST_DRIVERS_IGBVF_MBX_H

/*
 * The 82576 VF's trapped registers and its side of the PF-VF mailbox
 * (sriov/igbvf_regs.h; the datasheet's "PF-VF mailbox"; Linux igbvf's
 * mbx.c and vf.c), shared by the driver (igbvf*.c) and the hostile test
 * program (apps/vf_hostile.c).
 *
 * Every access through igbvf_reg_read/write is a trapped register: a VM
 * exit, counted. They are used at set-up, by the watchdog, to re-arm an
 * interrupt before sleeping and to ring the doorbell of an idle VF; never
 * per packet. The accessors live in igbvf_bar.c, so the host unit tests
 * can route them to the NIC model instead.
 *
 * The mailbox protocol, as igbvf drives it: take the buffer (write VFU,
 * read it back), flush stale acks, write the message to VMBMEM, write
 * REQ (which drops VFU); poll VFMAILBOX for PFACK, then for PFSTS; take
 * the buffer again, read the reply, write ACK (which drops VFU).
 * PFSTS, PFACK and RSTD clear when VFMAILBOX is read, so every bit seen
 * is kept in a soft copy until a caller consumes it (igbvf's
 * v2p_mailbox). A poll that times out marks the mailbox dead, as igbvf
 * zeroes mbx->timeout: posted messages fail until the next VF reset.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sriov/igbvf_regs.h"

/* BAR0 of one VF: where it is mapped and what touching it has cost. */
struct igbvf_bar {
	volatile uint8_t *regs;
	uint64_t reads, writes;		/* trapped accesses: VM exits */
};

/* A trapped register (BAR0 pages 0 and 1), 32 bits. igbvf_bar.c. */
uint32_t igbvf_reg_read(struct igbvf_bar *b, uint32_t off);
void igbvf_reg_write(struct igbvf_bar *b, uint32_t off, uint32_t val);

/* igbvf: 2000 polls 500 us apart; here by the clock (each poll is an
 * exit of tens of microseconds on this machine). */
#define IGBVF_MBX_TIMEOUT_US	1000000
#define IGBVF_MBX_POLL_US	20

struct igbvf_mbx_stats {
	uint64_t tx;		/* messages sent (REQ) */
	uint64_t rx;		/* messages read (ACK) */
	uint64_t acks;		/* replies with ACK */
	uint64_t nacks;		/* replies with NACK */
	uint64_t pf_msgs;	/* PF control messages read */
	uint64_t timeouts;	/* a poll for PFACK or PFSTS gave up */
	uint64_t bad_reply;	/* a reply of another type than asked */
	uint64_t busy;		/* the buffer could not be taken */
};

struct igbvf_mbx {
	struct igbvf_bar *bar;
	uint32_t soft;		/* read-to-clear bits seen, unconsumed */
	bool dead;		/* a poll timed out: reset needed */
	struct igbvf_mbx_stats st;
	/* Called between polls (netdev.busy_hook); NULL: none. */
	void (*busy)(void *arg);
	void *busy_arg;
};

/* A fresh start (probe, VF reset): no bits kept, not dead; counters
 * kept. */
void igbvf_mbx_init(struct igbvf_mbx *m, struct igbvf_bar *bar);

/* VFMAILBOX now, with the read-to-clear bits kept since (one exit). */
uint32_t igbvf_mbx_bits(struct igbvf_mbx *m);
/* True if one of @mask was seen (reads VFMAILBOX); consumes them. */
bool igbvf_mbx_check(struct igbvf_mbx *m, uint32_t mask);
/* Forget read-to-clear bits the caller has acted on (no access). */
static inline void igbvf_mbx_consume(struct igbvf_mbx *m, uint32_t mask)
{
	m->soft &= ~mask;
}

/* One message of @n words (1..16), no waiting: 0, -EBUSY (buffer not
 * ours) or -EINVAL. */
int igbvf_mbx_write(struct igbvf_mbx *m, const uint32_t *msg, unsigned n);
/* Read @n words of the PF's message and ACK it: 0 or -EBUSY. */
int igbvf_mbx_read(struct igbvf_mbx *m, uint32_t *msg, unsigned n);

/*
 * A request and its reply: write @msg (@n words), wait for PFACK, wait
 * for PFSTS, read @rn words into @reply. 0 when the PF answered this
 * message type (ACK or NACK: see igbvf_msg_acked); -ETIMEDOUT (the
 * mailbox is then dead until a reset), -EIO for a reply of another type,
 * -EBUSY, -EINVAL.
 */
int igbvf_mbx_request(struct igbvf_mbx *m, const uint32_t *msg, unsigned n,
		      uint32_t *reply, unsigned rn);

/* ---- messages (pure: no register access) ---- */

/* Word 0 types; the reply's flags (ACK, NACK, CTS) left out. */
static inline uint32_t igbvf_msg_type(uint32_t w0)
{
	return w0 & IGBVF_MSGTYPE_MASK;
}

/* True for a reply that acks, false for NACK or neither. */
static inline bool igbvf_msg_acked(uint32_t w0)
{
	return (w0 & (IGBVF_MSG_ACK | IGBVF_MSG_NACK)) == IGBVF_MSG_ACK;
}

/* A MAC into words 1-2, bytes in memory order (igbvf's memcpy). */
void igbvf_msg_put_mac(uint32_t *msg, const uint8_t mac[6]);
void igbvf_msg_get_mac(const uint32_t *msg, uint8_t mac[6]);

/* SET_MAC_ADDR (3 words), SET_LPE (2), SET_VLAN (2), SET_PROMISC (1):
 * each fills @msg and returns its length in words. */
unsigned igbvf_msg_set_mac(uint32_t *msg, const uint8_t mac[6]);
unsigned igbvf_msg_set_lpe(uint32_t *msg, unsigned max_frame);
unsigned igbvf_msg_set_vlan(uint32_t *msg, unsigned vid, bool add);
unsigned igbvf_msg_set_promisc(uint32_t *msg, uint32_t flags);
/* SET_MULTICAST of up to IGBVF_MC_HASHES_MAX addresses (6 bytes each,
 * packed): the hashes as u16 from word 1; 1 + 15 words. */
unsigned igbvf_msg_set_multicast(uint32_t *msg, const uint8_t *addrs,
				 unsigned count);

/*
 * What the VF_RESET reply says (igbvf's e1000_reset_hw_vf): 1 ACK with
 * the MAC in @mac, 0 NACK (no MAC assigned: pick one), -EIO anything
 * else.
 */
int igbvf_msg_reset_reply(const uint32_t *reply, uint8_t mac[6]);

#endif
