/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_PVNET_H
#define IOPATH_GUEST_DRIVERS_PVNET_H

/*
 * The pv NIC driver (6970:0001, wire/pv_abi.h) at CPL3 behind the
 * netdev interface. The setup registers (BAR0, each access a VM exit) are
 * used at probe time only. Data path: requests and responses in rings in
 * guest RAM, a notify-register write (caught by KVM: an ioeventfd, no
 * userspace exit) only when the backend asked for one through req_event,
 * interrupts only when the driver asked through rsp_event and is about to
 * sleep.
 */
#include "net/netdev.h"

extern const struct netdev_driver pvnet_driver;

/*
 * PV_F_STANDBY (wire/pv_abi.h): the NIC is the standby of a VF with the
 * same MAC (net/failover.h). pvnet_standby_offered peeks at a function
 * not probed yet (three register reads); pvnet_standby says whether a
 * probed NIC accepted the feature. pvnet_standby_alone records, for the
 * netdev report, why it runs without its VF.
 */
bool pvnet_standby_offered(const struct pci_dev *d);
bool pvnet_standby(struct netdev *nd);
void pvnet_standby_alone(struct netdev *nd, const char *why);

#endif
