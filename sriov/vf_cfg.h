/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VF_CFG_H
#define IOPATH_SRIOV_VF_CFG_H

/*
 * What the PF knows about one VF: the administrator's settings (`ip link
 * set PF vf N ...`) and what the VF asked for through the mailbox. igb
 * keeps the same in struct vf_data_storage. The mailbox (vf_mbx.c)
 * writes it, the embedded switch (veb.c) reads it, the NIC object
 * (sriov_nic.c) owns it.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sriov/igbvf_regs.h"

#define VF_VLAN_WORDS	(4096 / 64)
#define VF_MC_WORDS	(4096 / 64)	/* one bit per 12-bit hash */

enum vf_link_state {
	VF_LINK_AUTO,		/* follows the PF's link */
	VF_LINK_ENABLE,		/* up whatever the PF's link */
	VF_LINK_DISABLE,	/* down */
};

struct vf_cfg {
	/* The administrator's. */
	uint8_t mac[6];		/* current address, admin's or the VF's */
	bool mac_admin;		/* set by the administrator (PF_SET_MAC) */
	uint16_t port_vlan;	/* 0: none; else inserted on TX, stripped RX */
	uint8_t port_qos;	/* PCP of the port VLAN */
	bool spoofchk;		/* source MAC and VLAN anti-spoofing */
	bool trust;		/* may change its MAC, go promiscuous */
	enum vf_link_state link_state;

	/* The VF's, through the mailbox; cleared by a VF reset. */
	bool cts;		/* completed VF_RESET: clear to send */
	bool mc_promisc;	/* all multicast (SET_PROMISC) */
	bool uc_promisc;	/* trusted only */
	uint16_t max_frame;	/* SET_LPE, 0: IGBVF_FRAME_DEFAULT_MAX */
	uint16_t n_mc;		/* hashes the VF last sent */
	uint64_t vlans[VF_VLAN_WORDS];	/* SET_VLAN filters */
	uint64_t mc[VF_MC_WORDS];	/* SET_MULTICAST hashes */

	/* Set by the NIC from link_state, the PF's link and the error state. */
	bool link_up;
};

static inline bool vf_cfg_bit(const uint64_t *map, unsigned bit)
{
	return (map[(bit >> 6) & 63] >> (bit & 63)) & 1;
}

static inline void vf_cfg_set_bit(uint64_t *map, unsigned bit, bool on)
{
	uint64_t m = 1ull << (bit & 63);

	if (on)
		map[(bit >> 6) & 63] |= m;
	else
		map[(bit >> 6) & 63] &= ~m;
}

/* Largest frame the VF may send or receive (bytes in descriptors). */
static inline unsigned vf_cfg_max_frame(const struct vf_cfg *c)
{
	if (c->max_frame > IGBVF_FRAME_DEFAULT_MAX)
		return c->max_frame;
	return IGBVF_FRAME_DEFAULT_MAX;
}

/* All multicast: asked for, or more hashes than a message holds. */
static inline bool vf_cfg_mc_all(const struct vf_cfg *c)
{
	return c->mc_promisc || c->n_mc > IGBVF_MC_HASHES_MAX;
}

/* True when @c's VF may send and receive at all. */
static inline bool vf_cfg_running(const struct vf_cfg *c)
{
	return c->link_up && c->cts;
}

/* Forget what the VF asked for (igb_vf_reset): filters, modes, CTS. */
static inline void vf_cfg_reset_requests(struct vf_cfg *c)
{
	c->cts = false;
	c->mc_promisc = false;
	c->uc_promisc = false;
	c->max_frame = 0;
	c->n_mc = 0;
	memset(c->vlans, 0, sizeof(c->vlans));
	memset(c->mc, 0, sizeof(c->mc));
}

#endif
