/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_DEBUG_EXIT_H
#define IOPATH_EMU_DEBUG_EXIT_H

/*
 * "debug-exit": a port the guest writes to end the VM, compatible with
 * QEMU's isa-debug-exit (as run with iobase=0xf4,iosize=0x04).
 *
 * A write of any width (1, 2 or 4 bytes) anywhere in the range stops the VM.
 * The exit status differs from QEMU's, on purpose:
 *   iopath-vmm exits with  v & 0xff           (the value written)
 *   QEMU exits with        ((v << 1) | 1) & 0xff
 * QEMU's form keeps a guest from ever producing status 0 (which would look
 * like QEMU ending normally); iopath-vmm has no such ambiguity, so a guest
 * writing 0 means success. A harness that runs the same guest under both
 * decodes QEMU's status as (status >> 1), or sets "qemu=1" here to get
 * QEMU's encoding from iopath-vmm too. Reads return 0, as QEMU's do.
 *
 * Options ("port=0xf4,size=4,qemu=0"):
 *   port=N   base port (default 0xF4)
 *   size=N   ports claimed, 1 to 4 (default 4)
 *   qemu=0|1 exit status as QEMU computes it (default 0)
 */

struct vdev_ops;

#define DEBUG_EXIT_DEFAULT_PORT	0xf4

extern const struct vdev_ops debug_exit_ops;

#endif
