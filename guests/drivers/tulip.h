/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_TULIP_H
#define IOPATH_GUEST_DRIVERS_TULIP_H

/*
 * The DEC 21140A driver at CPL3 behind the netdev interface (also takes
 * QEMU's 21143, 1011:0019, as a second opinion on the driver).
 *
 * Every CSR access is a VM exit (~36 us port, ~42 us MMIO on this
 * machine), so the data path touches CSRs only for: one TX poll demand
 * (CSR1) per tx_burst, and in interrupt mode one CSR5 acknowledgement per
 * wake-up. Ownership, completions and received frames are read from the
 * descriptors in RAM (free).
 */
#include "net/netdev.h"

extern const struct netdev_driver tulip_driver;

#endif
