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

#endif
