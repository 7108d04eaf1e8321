/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_IGBVF_H
#define IOPATH_GUEST_DRIVERS_IGBVF_H

/*
 * The Intel 82576 virtual function driver (8086:10CA, sriov/igbvf_regs.h)
 * at CPL3 behind the netdev interface, after Linux igbvf. Set-up, the
 * watchdog and interrupt re-arming use the trapped registers (each a VM
 * exit); the data path uses only RAM and the shared queue-register pages
 * of BAR0, plus one doorbell write when the NIC model has stopped polling
 * an idle VF. Options beyond netdev_conf: itr_us= (EITR moderation).
 */
#include "net/netdev.h"

extern const struct netdev_driver igbvf_driver;

#endif
