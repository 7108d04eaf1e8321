/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_NIC_MAC_H
#define IOPATH_CORE_NIC_MAC_H

/*
 * A virtual NIC's station address, whichever path it takes: the device's
 * mac= option, or a stable default derived from the VM and device names.
 */

#include <stdint.h>

struct vdev;

/*
 * The MAC of NIC @vd from its option string @opts: mac= if given (a
 * unicast, non-zero address, base/mac.h), otherwise nic_mac_default()
 * with @tag. Returns 0 or -EINVAL with the reason logged.
 */
int nic_mac_opt(const struct vdev *vd, const char *opts, uint8_t tag,
		uint8_t mac[6]);

/*
 * A locally administered address from the VM and device names (FNV-1a),
 * stable across runs. @tag (second byte) tells the paths apart; avoid
 * 0x00, which Linux's tulip driver byte-swaps.
 */
void nic_mac_default(const struct vdev *vd, uint8_t tag, uint8_t mac[6]);

#endif
