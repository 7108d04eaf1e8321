/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_NIC_ANNOUNCE_H
#define IOPATH_CORE_NIC_ANNOUNCE_H

/*
 * After a migration the destination announces each NIC's MAC so switches
 * and bridges learn where it lives now, with QEMU's announce-self timing
 * (announce-initial 50 ms, -max 550, -rounds 5, -step 100): a round at
 * once, then 50, 150, 250 and 350 ms after the one before.
 *
 * Each round sends what QEMU sends, a RARP (EtherType 8035h, opcode 3
 * "request reverse", sender and target hardware address the MAC), and a
 * gratuitous ARP. The VMM does not know the guest's IP address, so the
 * ARP carries 0.0.0.0 as sender and target (the shape of an RFC 5227
 * probe): hosts do not change their caches for it, but every bridge on
 * the way learns the source MAC, which is the point.
 */

#include <stdint.h>

#define NIC_ANNOUNCE_ROUNDS		5
#define NIC_ANNOUNCE_INITIAL_MS		50
#define NIC_ANNOUNCE_STEP_MS		100
#define NIC_ANNOUNCE_FRAME_LEN		60	/* minimum, no FCS */

/* Delay in ms before round @round (0-based): 0, 50, 150, 250, 350. */
unsigned nic_announce_delay_ms(unsigned round);

/* Build the frames into @frame (NIC_ANNOUNCE_FRAME_LEN bytes). */
void nic_announce_rarp(uint8_t *frame, const uint8_t mac[6]);
void nic_announce_garp(uint8_t *frame, const uint8_t mac[6]);

#endif
