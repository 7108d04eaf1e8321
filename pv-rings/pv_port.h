/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_PV_PORT_H
#define IOPATH_PV_PORT_H

/*
 * The pv path (--nic pv, core/nic_port.h for the common options): a pv
 * NIC (pv_dev.h) whose backend runs in the switch.
 *
 *   --nic pv[,mac=02:xx:xx:xx:xx:xx][,switch=SOCKET|none][,vlan=N]
 *           [,trunk][,port=NAME][,queues=N][,standby=1]
 *
 * mac      the NIC's address (PV_REG_MAC_*)
 * queues   queue pairs offered to the guest (1..4, default 1)
 * standby  1: offer PV_F_STANDBY, the standby of a --nic vf with the same
 *          mac= (the guest teams them; the VF VM can then migrate)
 *
 * Without a switch there is no backend: DRIVER_OK is accepted, the link
 * stays down. Otherwise the VMM attaches a port of kind pv, handing over
 * the guest's RAM memfd and its layout. When the guest writes DRIVER_OK
 * the device sends PV_CONFIG with the rings and eventfds; STATUS = 0
 * sends PV_RESET. If the switch stops the backend (a request it refused)
 * or goes away, the device shows DEVICE_ERROR (and link down) and the VM
 * runs on.
 */

struct nic_port_ops;

extern const struct nic_port_ops pv_port_ops;

#endif
