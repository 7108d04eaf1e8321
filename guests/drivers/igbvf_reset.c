// SPDX-License-Identifier: MIT
/*
 * Bringing the 82576 VF up and keeping it up, in Linux igbvf's order
 * (igbvf_probe, igbvf_reset, igbvf_configure, igbvf_configure_msix,
 * igbvf_watchdog_task), with the trapped registers kept off the data
 * path:
 *
 *  - reset: CTRL.RST; wait while the mailbox shows RSTD or RSTI
 *    (e1000_reset_hw_vf); the rings (igbvf_ring.c), earlier than Linux
 *    so that frames the PF delivers from the next step on are kept;
 *    VF_RESET, whose ACK carries the MAC the PF gives us, or NACK when
 *    it has none;
 *  - address: the PF's unless mac= asks for another or the PF has none
 *    (then mac= or a random locally administered one); anything but the
 *    PF's own goes to the PF with SET_MAC_ADDR, and a NACK (the
 *    administrator set the MAC and does not trust this VF) leaves us on
 *    the PF's, reported as mac_refused;
 *  - SET_LPE with the largest frame;
 *  - interrupts: IVAR routes TX queue 0 to entry 0, RX queue 0 to 1 and
 *    the mailbox to 2; EITR from itr_us=; EIAC and EIAM on all three, so
 *    a vector clears its cause and masks itself when it fires. The
 *    mailbox vector is on from the reset and enabled again after each of
 *    its interrupts (one EIMS write per PF message: rare), as Linux
 *    igbvf keeps its "other" vector: the PF's reset, link and unplug
 *    messages reach a busy driver too (igbvf_service). TX and RX are
 *    enabled only when netdev_wait() is about to sleep (igbvf_arm): a
 *    busy driver takes no data interrupt at all;
 *  - watchdog: every IGBVF_WATCHDOG_MS (IGBVF_LINK_DOWN_WD_MS while the
 *    link is down) or at once after a mailbox interrupt it reads
 *    VFMAILBOX and STATUS (two exits) and resets the VF on RSTI or RSTD
 *    (the PF reset or stopped us - the model's error state), on a PF
 *    control message with NACK, on a mailbox that timed out, and on a TX
 *    ring that made no progress for IGBVF_WATCHDOG_MS with the link down
 *    (igbvf's reset on "queued Tx work that's never going to get
 *    done").
 *
 * A reset blocks for milliseconds of exits and mailbox waits: between
 * its steps and polls it calls netdev.busy_hook (a failover netdev's,
 * which drains its standby meanwhile).
 *
 * Trapped-register ordering: the model applies CTRL.RST and zeroes the
 * queue registers in the shared pages when it handles the write; the
 * mailbox reads that follow (trapped, so answered after it) put our own
 * writes to the shared pages after the reset's.
 */
#include <stddef.h>

#include "drivers/igbvf_priv.h"
#include "rt/clock.h"
#include "rt/cpu.h"
#include "rt/errno.h"
#include "rt/string.h"

/* splitmix64 over the TSC and the PCI address: a locally administered
 * unicast address (IEEE 802-2014 8.2: I/G 0, U/L 1). */
static void igbvf_random_mac(const struct igbvf *v, uint8_t mac[6])
{
	uint64_t z = clock_tsc() ^ ((uint64_t)v->nd.pci.bdf << 48) ^
		     0x9E3779B97F4A7C15ull;
	unsigned i;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(z >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & ~1u) | 2u);
}

/* e1000_reset_hw_vf's first half: CTRL.RST, then wait while the PF
 * resets us; 0 or -ETIMEDOUT. Only RST means anything in the VF's CTRL:
 * no read of it first (each access is an exit, and this is the time a
 * migrated guest's traffic waits for). */
static int igbvf_reset_hw(struct igbvf *v)
{
	uint64_t end;

	igbvf_reg_write(&v->bar, IGBVF_CTRL, IGBVF_CTRL_RST);
	/* "mailbox timeout can now become active": a new start */
	igbvf_mbx_init(&v->mbx, &v->bar);
	end = clock_tsc() + clock_ns_to_tsc(IGBVF_RST_TIMEOUT_US * 1000ull);
	/* "we cannot initialize while the RSTI / RSTD bits are asserted" */
	while (igbvf_mbx_check(&v->mbx, IGBVF_MBX_RSTD | IGBVF_MBX_RSTI)) {
		if (clock_tsc() >= end)
			return -ETIMEDOUT;
		igbvf_busy(v);
		clock_delay_us(5);
	}
	return 0;
}

/* Its second half, VF_RESET: 0, -ETIMEDOUT (no answer) or -EIO (a reply
 * that is not one). */
static int igbvf_reset_msg(struct igbvf *v)
{
	uint32_t msg = IGBVF_VF_RESET, reply[3];
	int r;

	r = igbvf_mbx_request(&v->mbx, &msg, 1, reply, 3);
	if (r)
		return r;
	r = igbvf_msg_reset_reply(reply, v->perm_mac);
	if (r < 0)
		return r;
	v->perm_valid = r == 1;
	return 0;
}

/* The address to run with, asked of the PF when it is not its own. */
static int igbvf_mac_setup(struct igbvf *v)
{
	uint32_t msg[3], reply[3];
	uint8_t want[6];
	const char *src;
	int r;

	if (v->conf_mac_set && !v->mac_refused) {
		memcpy(want, v->conf_mac, 6);
		src = "cmdline";
	} else if (v->perm_valid) {
		memcpy(want, v->perm_mac, 6);
		src = "pf";
	} else if (v->mac_source && !strcmp(v->mac_source, "random")) {
		memcpy(want, v->nd.mac, 6);	/* the same one again */
		src = "random";
	} else {
		igbvf_random_mac(v, want);
		src = "random";
	}
	if (!v->perm_valid || memcmp(want, v->perm_mac, 6)) {
		igbvf_msg_set_mac(msg, want);
		r = igbvf_mbx_request(&v->mbx, msg, 3, reply, 3);
		if (r)
			return r;
		if (!igbvf_msg_acked(reply[0])) {
			/* e1000_rar_set_vf: refused, use "perm_addr" */
			if (!v->perm_valid)
				return -EIO;	/* no address we may use */
			v->mac_refused = true;
			memcpy(want, v->perm_mac, 6);
			src = "pf";
		}
	}
	memcpy(v->nd.mac, want, 6);
	v->mac_source = src;
	return 0;
}

/* igbvf_set_rlpml: the largest frame either way. A NACK leaves the PF's
 * default, which is what we ask for anyway. */
static int igbvf_set_lpe(struct igbvf *v)
{
	uint32_t msg[2], reply[2];
	int r;

	igbvf_msg_set_lpe(msg, v->max_frame);
	r = igbvf_mbx_request(&v->mbx, msg, 2, reply, 2);
	if (!r && !igbvf_msg_acked(reply[0]))
		v->st.lpe_nacks++;
	return r;
}

/* igbvf_configure_msix and the disable half of igbvf_irq_enable. */
static void igbvf_irq_hw_setup(struct igbvf *v)
{
	struct igbvf_bar *b = &v->bar;

	igbvf_reg_write(b, IGBVF_EIMC, IGBVF_EIM_ALL);
	v->eims_on = 0;
	v->fired = 0;
	if (!v->use_irq)
		return;
	igbvf_reg_write(b, IGBVF_IVAR0, igbvf_ivar0());
	igbvf_reg_write(b, IGBVF_EITR(IGBVF_VEC_TX), igbvf_eitr(v->itr_us));
	igbvf_reg_write(b, IGBVF_EITR(IGBVF_VEC_RX), igbvf_eitr(v->itr_us));
	igbvf_reg_write(b, IGBVF_IVAR_MISC, IGBVF_VEC_MBX | IGBVF_IVAR_VALID);
	igbvf_reg_write(b, IGBVF_EIAC, IGBVF_EIM_ALL);
	igbvf_reg_write(b, IGBVF_EIAM, IGBVF_EIM_ALL);
	igbvf_reg_read(b, IGBVF_EICR);	/* clear what is pending */
	igbvf_reg_write(b, IGBVF_EIMS, IGBVF_EIM_MBX);
	v->eims_on = IGBVF_EIM_MBX;
}

int igbvf_start(struct igbvf *v, const struct netdev_conf *c,
		uint32_t itr_us)
{
	int r;

	v->itr_us = itr_us;
	v->conf_mac_set = c->mac_set;
	memcpy(v->conf_mac, c->mac, 6);
	v->max_frame = IGBVF_FRAME_DEFAULT_MAX;
	v->wd_period_tsc = clock_ns_to_tsc(IGBVF_WATCHDOG_MS * 1000000ull);
	v->wd_down_tsc = clock_ns_to_tsc(IGBVF_LINK_DOWN_WD_MS * 1000000ull);
	v->reset_min_tsc = clock_ns_to_tsc(IGBVF_RESET_MIN_MS * 1000000ull);
	igbvf_mbx_init(&v->mbx, &v->bar);
	if (pkt_pool_size() == 0 && pkt_pool_init(netdev_pool_want(c)))
		return -ENOMEM;
	r = igbvf_rings_alloc(v, c->rx_ring, c->tx_ring);
	if (r)
		return r;
	return igbvf_reset(v, "probe");
}

int igbvf_reset(struct igbvf *v, const char *why)
{
	int r;

	v->up = false;
	v->link_up = false;
	v->last_reset_tsc = clock_tsc();
	v->last_reset_why = why;
	v->st.resets++;
	/* The reset blocks for milliseconds (each trapped access an exit,
	 * the PF's answers): a failover netdev drains its standby between
	 * the steps, whose ring would overflow meanwhile. */
	v->mbx.busy = v->nd.busy_hook;
	v->mbx.busy_arg = v->nd.busy_arg;
	r = igbvf_reset_hw(v);
	/*
	 * The rings before the mailbox handshake: the queue registers are
	 * in RAM and the reset's zeroing of them is behind us (the mailbox
	 * reads above were answered after it). The PF delivers to us from
	 * its VF_RESET on; a fresh VF on a migration's destination has our
	 * MAC from the administrator, so frames sent during the rest of the
	 * reset (SET_LPE, interrupts: some twenty trapped accesses, each an
	 * exit) wait in the ring instead of being dropped, and are taken
	 * once the VF is up.
	 */
	if (!r)
		igbvf_rings_start(v);
	igbvf_busy(v);
	if (!r)
		r = igbvf_reset_msg(v);
	if (!r)
		r = igbvf_mac_setup(v);
	igbvf_busy(v);
	if (!r)
		r = igbvf_set_lpe(v);
	if (r) {
		v->st.reset_fails++;
		/* No PF answered (its switch restarting, say): try again as
		 * soon as the rate limit allows, not a whole watchdog period
		 * later; a soak saw a VF stream stay down ~2.8 s past its
		 * switch's return waiting for that period. */
		v->wd_next_tsc = v->last_reset_tsc + v->reset_min_tsc;
		return r;
	}
	igbvf_busy(v);
	igbvf_irq_hw_setup(v);
	v->up = true;
	v->link_up = igbvf_link_read(v);
	v->tx.wd_clean = v->tx.clean;
	v->tx.wd_tsc = clock_tsc();
	igbvf_wd_schedule(v, v->tx.wd_tsc);
	return 0;
}

void igbvf_wd_schedule(struct igbvf *v, uint64_t now)
{
	v->wd_next_tsc = now + (v->up && !v->link_up ? v->wd_down_tsc
						     : v->wd_period_tsc);
}

bool igbvf_link_read(struct igbvf *v)
{
	if (!v->up)
		return false;
	return (igbvf_reg_read(&v->bar, IGBVF_STATUS) & IGBVF_STATUS_LU) != 0;
}

/* What the mailbox says (e1000_check_for_link_vf): a reason to reset,
 * or NULL. */
static const char *igbvf_wd_mailbox(struct igbvf *v)
{
	uint32_t bits = igbvf_mbx_bits(&v->mbx), msg;

	if (v->mbx.dead)
		return "mbx_timeout";
	if (bits & IGBVF_MBX_RSTI)
		return "rsti";
	if (bits & IGBVF_MBX_RSTD) {
		igbvf_mbx_consume(&v->mbx, IGBVF_MBX_RSTD);
		return "rstd";
	}
	if (!(bits & IGBVF_MBX_PFSTS))
		return NULL;
	igbvf_mbx_consume(&v->mbx, IGBVF_MBX_PFSTS);
	if (igbvf_mbx_read(&v->mbx, &msg, 1))
		return NULL;		/* a collision: next time */
	v->mbx.st.pf_msgs++;
	/* "message is not CTS and is NACK we must have lost CTS status" */
	if (!(msg & IGBVF_MSG_CTS) && (msg & IGBVF_MSG_NACK))
		return "pf_nack";
	return NULL;
}

void igbvf_watchdog(struct igbvf *v)
{
	uint64_t now = clock_tsc();
	const char *why;
	bool link;

	v->st.watchdogs++;
	why = v->up ? igbvf_wd_mailbox(v) : "down";
	link = igbvf_link_read(v);
	if (link != v->link_up) {
		v->link_up = link;
		v->st.link_changes++;
	}
	igbvf_wd_schedule(v, now);
	/* Over a whole period, however often the watchdog runs: a reset
	 * with no PF to answer blocks for the mailbox's timeout. */
	if (now - v->tx.wd_tsc >= v->wd_period_tsc) {
		if (!why && v->up && !link && igbvf_tx_inflight(&v->tx) &&
		    v->tx.clean == v->tx.wd_clean)
			why = "tx_hang";
		v->tx.wd_clean = v->tx.clean;
		v->tx.wd_tsc = now;
	}
	if (why && now - v->last_reset_tsc >= v->reset_min_tsc)
		igbvf_reset(v, why);
}

void igbvf_irq_note(struct igbvf *v, unsigned int entry)
{
	if (entry >= IGBVF_MSIX_VECTORS)
		return;
	v->fired |= 1u << entry;
	v->st.irq_vec[entry]++;
	v->nd.st.irqs++;
}

void igbvf_irq_collect(struct igbvf *v)
{
	uint32_t f = v->fired;

	v->fired = 0;
	/* EIAM: the NIC masked each of them as it sent it. */
	v->eims_on &= ~f;
	if (!(f & IGBVF_EIM_MBX))
		return;
	v->wd_next_tsc = 0;		/* the watchdog, now */
	/* The mailbox on again before the watchdog reads it: a message
	 * after that read interrupts again, one before it is read now. */
	if (v->up && v->use_irq) {
		igbvf_reg_write(&v->bar, IGBVF_EIMS, IGBVF_EIM_MBX);
		v->eims_on |= IGBVF_EIM_MBX;
	}
}

/*
 * EIMS <- @need without an exit while the model polls us (igbvf_regs.h,
 * IGBVF_UNMASK): posted in the shared page, then the flag read after a
 * full barrier (the lock prefix) - the mirror image of the model's flag
 * store, barrier, IGBVF_UNMASK load, so one of the two sees the other.
 * An even flag: the post stands if IGBVF_HELD says no cause of ours
 * waited when the model stopped (it takes the post before it raises
 * anything), an RX cause for frames up to @seen, our RX position, not
 * counted; else the bits are taken back (the model may have taken
 * them already: an EIMS applied twice is one spare interrupt at most)
 * and false, for the register write. Each such write was an exit of ~30-50 us
 * of this vCPU's time here (the sink's spin time per sleep, 64 B at
 * 700 kpps), against ~0.4 us for the pv NIC's unmask in RAM.
 */
static bool igbvf_unmask_post(struct igbvf *v, uint32_t need, uint32_t seen)
{
	uint32_t held;

	__atomic_or_fetch(&v->sh->unmask, need, __ATOMIC_SEQ_CST);
	if (v->sh->poll & 1)
		return true;
	held = v->sh->held;	/* read after the flag: of its sleep or later */
	/* A held RX cause for frames we have all seen needs no message
	 * now (igbvf_regs.h, IGBVF_RX_SEEN): the model drops it. */
	if ((need & IGBVF_EIM_RX) && v->sh->rxq[0].rdh == seen)
		held &= ~IGBVF_EIM_RX;
	if ((held & IGBVF_HELD_VALID) && !(held & need))
		return true;
	__atomic_and_fetch(&v->sh->unmask, ~need, __ATOMIC_SEQ_CST);
	return false;
}

/*
 * Enable what the sleep waits for (the mailbox is on already); one EIMS
 * (posted in RAM when the model allows, igbvf_unmask_post, else an
 * exit), none when those vectors are still on (the last wake-up
 * was the deadline, not an interrupt). An RX cause that came while the
 * vector was masked, for frames we have all taken since, would fire as
 * soon as it is enabled and wake us to an empty ring: IGBVF_RX_SEEN tells
 * the model it is stale (on the 82576 we take that spare wake-up). No
 * disarm: a vector masks itself when it fires (EIAM), and one
 * interrupt while busy costs less than the exit of masking it.
 */
void igbvf_arm(struct netdev *nd, int events)
{
	struct igbvf *v = igbvf_of(nd);
	uint32_t want = IGBVF_EIM_MBX, need, seen;

	igbvf_irq_collect(v);
	if (!v->up || !v->use_irq)
		return;
	if (events & NETDEV_EV_RX)
		want |= IGBVF_EIM_RX;
	if ((events & NETDEV_EV_TX) && igbvf_tx_inflight(&v->tx))
		want |= IGBVF_EIM_TX;
	need = want & ~v->eims_on;
	if (!need)
		return;
	/* Where we are, so a cause we have already served is not sent
	 * (igbvf_regs.h, IGBVF_RX_SEEN); before the EIMS, posted or not. */
	seen = v->rx.next & v->rx.mask;
	if (need & IGBVF_EIM_RX)
		__atomic_store_n(&v->sh->rx_seen, IGBVF_RX_SEEN_VALID | seen,
				 __ATOMIC_RELEASE);
	if (igbvf_unmask_post(v, need, seen))
		v->st.unmasks_posted++;
	else
		igbvf_reg_write(&v->bar, IGBVF_EIMS, need);
	v->eims_on |= need;
	v->st.rearms++;
}
