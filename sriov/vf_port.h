/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_SRIOV_VF_PORT_H
#define IOPATH_SRIOV_VF_PORT_H

/*
 * The vf path (--nic vf, core/nic_port.h for the common options): a VF
 * of an SR-IOV NIC that the switch hosts, passed through to the guest
 * (vf_dev.h).
 *
 *   --nic vf,switch=SOCKET[,sriov=NAME][,vf=N][,mac=MAC][,vlan=V]
 *
 * sriov    the NIC (iopath-switch --sriov NAME:vfs=N); default the
 *          switch's first
 * vf       which VF (0..6); default the first free one
 * mac      the administrator's MAC for the VF (`ip link set PF vf N
 *          mac`): the VF gets it at reset and may not change it unless
 *          trusted. Without it the VF has no MAC until its driver sets
 *          one (igbvf picks a random one).
 * vlan     the VF's port VLAN (`ip link set PF vf N vlan`): tagged into
 *          that VLAN by the NIC, the guest sees no tags
 *
 * Both administrator's settings last while the VM holds the VF. trunk is
 * refused by the switch: a VF tags its own frames. Without a switch the
 * function exists but no NIC answers it: link down.
 */

struct nic_port_ops;

extern const struct nic_port_ops vf_port_ops;

#endif
