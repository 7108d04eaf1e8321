/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_NIC_SWITCH_H
#define IOPATH_EMU_NIC_SWITCH_H

/*
 * iopath-vmm's --nic option: an emulated NIC wired to a switch port.
 *
 *   --nic emu[,mac=02:xx:xx:xx:xx:xx][,switch=SOCKET|none][,vlan=N]
 *            [,trunk][,port=NAME]
 *
 * emu      the 21140A model ("tulip"); the pv and vf paths come later
 * mac      the NIC's address (SROM identity); default derived from the
 *          VM and NIC names, locally administered
 * switch   the switch's attach socket; "none" or absent: a NIC whose
 *          cable goes nowhere (link up, transmitted frames counted and
 *          dropped, nothing received)
 * vlan     access VLAN (1..4094), or the native VLAN with trunk
 * trunk    a trunk port: frames carry their 802.1Q tags
 * port     switch port name, default "<vm>.<n>"
 *
 * The NIC talks to the switch over a packet channel (wire/pktchan.h)
 * attached with the port attach protocol. If the switch goes away (the
 * socket closes, the channel breaks) the NIC's link goes down and the VM
 * keeps running.
 */

#include <jansson.h>

struct vmm;

/* Build NIC number @index from @spec. 0 or -errno (the reason is logged). */
int nic_switch_add(struct vmm *vmm, const char *spec, unsigned index);

/*
 * Every 21140A of @vmm (from --nic or --device) with its counters and,
 * for --nic ones, its switch port: a JSON array, new reference. Also logs
 * one line per NIC with the exits per frame.
 */
json_t *nic_switch_stats(struct vmm *vmm);

#endif
