/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_PV_NIC_H
#define IOPATH_PV_NIC_H

/*
 * iopath-vmm's --nic pv: a pv NIC (pv_dev.h) whose backend runs in the
 * switch.
 *
 *   --nic pv[,mac=02:xx:xx:xx:xx:xx][,switch=SOCKET|none][,vlan=N]
 *           [,trunk][,port=NAME][,queues=N]
 *
 * mac      the NIC's address (PV_REG_MAC_*); default derived from the VM
 *          and NIC names, locally administered
 * switch   the switch's attach socket; "none" or absent: no backend
 *          (DRIVER_OK is accepted, the link stays down)
 * vlan     access VLAN (1..4094), or the native VLAN with trunk
 * trunk    a trunk port: frames carry their 802.1Q tags
 * port     switch port name, default "<vm>.<n>"
 * queues   queue pairs offered to the guest (1..4, default 1)
 *
 * At start the VMM attaches a port of kind pv, handing over the guest's
 * RAM memfd and its layout. When the guest writes DRIVER_OK the device
 * sends PV_CONFIG with the rings and eventfds; STATUS = 0 sends PV_RESET.
 * If the switch stops the backend (a request it refused) or goes away,
 * the device shows DEVICE_ERROR (and link down) and the VM runs on.
 */

#include <jansson.h>

struct vmm;

/* Build pv NIC number @index from @spec ("pv,..."). 0 or -errno. */
int pv_nic_add(struct vmm *vmm, const char *spec, unsigned index);

/* Every pv NIC of @vmm with its counters: a JSON array, new reference. */
json_t *pv_nic_stats(struct vmm *vmm);

#endif
