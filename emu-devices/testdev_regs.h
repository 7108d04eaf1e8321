/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_TESTDEV_REGS_H
#define IOPATH_EMU_TESTDEV_REGS_H

/*
 * "testdev": a PCI function that exists to test the platform (interrupt
 * delivery, BAR mapping) from inside a guest. Shared by the model and the
 * guest selftest; freestanding.
 *
 * PCI 6970:7e57 (6970 is iopath's lab-private vendor ID, "ip"), class
 * 0xff0000. BAR0: 4 KiB MMIO registers. BAR1: 4 KiB MMIO, the MSI-X table
 * at 0 and PBA at 2048. An MSI capability (1 vector) and an MSI-X
 * capability (TESTDEV_MSIX_VECTORS vectors).
 */

#define TESTDEV_VENDOR_ID	0x6970
#define TESTDEV_DEVICE_ID	0x7e57
#define TESTDEV_CLASS		0xff0000
#define TESTDEV_MSIX_VECTORS	4
#define TESTDEV_MSIX_TABLE_OFF	0
#define TESTDEV_MSIX_PBA_OFF	2048

/* BAR0 registers, 32-bit accesses */
#define TESTDEV_REG_MAGIC	0x00	/* RO: TESTDEV_MAGIC */
#define TESTDEV_REG_RAISE	0x04	/* WO: raise interrupt vector N */
#define TESTDEV_REG_RAISED	0x08	/* RO: interrupts raised so far */
#define TESTDEV_REG_SCRATCH	0x0c	/* RW: any value */
#define TESTDEV_MAGIC		0x54534554u	/* "TEST" */

#endif
