/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_VNIC_H
#define IOPATH_CORE_VNIC_H

/*
 * What every virtual NIC shares, whichever path it takes: its MAC and the
 * --nic options that place it on a switch port
 * (mac=, switch=SOCKET|none, vlan=N, trunk, port=NAME).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/attach_proto.h"

struct vdev;
struct vmm;

#define VNIC_PATH_MAX 108	/* a unix socket path */

/* Parse "aa:bb:cc:dd:ee:ff" into a unicast, non-zero station address. */
int vnic_mac_parse(const char *s, uint8_t mac[6]);

/*
 * No mac= given: a locally administered address from the VM and device
 * names (FNV-1a), stable across runs. @tag (second byte) tells the paths
 * apart; avoid 0x00, which Linux's tulip driver byte-swaps.
 */
void vnic_mac_default(const struct vdev *vd, uint8_t tag, uint8_t mac[6]);

/*
 * The switch-port options of one --nic: @path gets the socket ("" for
 * none), @port the port name (default "<vm>.<index>"), @req the attach
 * request for @kind. Keys other than the common ones and @extra_keys
 * (NULL-terminated, may be NULL) are refused. Returns 0 or -EINVAL, with
 * the reason logged.
 */
int vnic_port_opts(const struct vmm *vmm, const char *opts, unsigned index,
		   uint16_t kind, const char *const *extra_keys,
		   char path[VNIC_PATH_MAX], char port[ATTACH_NAME_MAX],
		   struct attach_req *req);

#endif
