/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_TULIP_PORT_H
#define IOPATH_EMU_TULIP_PORT_H

/*
 * The emu path (--nic emu, core/nic_port.h for the common options): a
 * 21140A model ("tulip") whose wire is a switch port.
 *
 *   --nic emu[,mac=02:xx:xx:xx:xx:xx][,switch=SOCKET|none][,vlan=N]
 *            [,trunk][,port=NAME]
 *
 * mac is the SROM identity. Without a switch the link is up and
 * transmitted frames are counted and dropped; nothing is received.
 *
 * The NIC talks to the switch over a packet channel (wire/pktchan.h)
 * whose memfd and kick eventfds the ATTACH carries. If the switch goes
 * away (the socket closes, the channel breaks) the NIC's link goes down
 * and the VM keeps running. Stats add the port's: switch_lost,
 * wire_dropped, chan_tx_full, chan_rx_dropped.
 */

struct nic_port_ops;

extern const struct nic_port_ops tulip_port_ops;

#endif
