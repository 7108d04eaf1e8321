/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_BOOT_INFO_H
#define IOPATH_GUEST_BOOT_INFO_H

/*
 * The boot ABI between a loader (iopath-vmm, or the image's own Multiboot
 * stub under QEMU) and a guest image. Shared by host and guest code; keep
 * it freestanding.
 *
 * iopath-vmm loads the image's PT_LOAD segments (physical addresses from
 * 1 MiB up) and starts every vCPU directly in 64-bit long mode at the ELF
 * entry point with:
 *
 *   RDI = GPA of struct iopath_boot_info (BOOT_INFO_GPA)
 *   RSI = vCPU index (0 is the boot CPU; the others start at once, too)
 *   RSP = 0 (the image picks its own stack from RSI)
 *   RFLAGS = 0x2 (interrupts off)
 *   CR0 = 0x80050033 (PE MP ET NE WP AM PG), CR4 = 0x620 (PAE OSFXSR
 *   OSXMMEXCPT), EFER = 0x500 (LME LMA)
 *   CR3 = BOOT_PT_GPA: 2 MiB pages identity-mapping every RAM region and
 *   the 3..4 GiB hole (PCI window, IOAPIC, LAPIC), present, writable and
 *   user-accessible at every level
 *   GDT at BOOT_GDT_GPA laid out as below; CS = 0x08, DS = ES = SS = 0x10,
 *   TR = 0x40 (a TSS with no stacks: the image loads its own GDT/TSS)
 *   IDT limit 0: the image installs its own before enabling interrupts
 *
 * The GDT layout is Linux's, because this machine's KVM runs CPL3 code on
 * the host's selectors (MACHINE-NOTES.md): user code 0x33, user data 0x2B.
 */

#include <stdint.h>

#define BOOT_GDT_GPA		0x1000ull
#define BOOT_INFO_GPA		0x2000ull
#define BOOT_PT_GPA		0x20000ull	/* PML4; tables follow it */
#define BOOT_PT_LIMIT		0xA0000ull	/* end of the table area */
#define BOOT_IMAGE_MIN_GPA	0x100000ull	/* images load from 1 MiB */

#define GDT_KERNEL_CS		0x08
#define GDT_KERNEL_DS		0x10
#define GDT_USER_DS		0x2B		/* entry 5, RPL 3 */
#define GDT_USER_CS		0x33		/* entry 6, RPL 3 */
#define GDT_TSS			0x40		/* entries 8-9 */
#define GDT_ENTRIES		10

#define BOOT_INFO_MAGIC		0x4f464e49544f4f42ull	/* "BOOTINFO" */
#define BOOT_INFO_VERSION	1
#define BOOT_MEM_MAX		8
#define BOOT_CMDLINE_MAX	1024

enum boot_loader {
	BOOT_LOADER_IOPATH = 1,		/* iopath-vmm */
	BOOT_LOADER_MULTIBOOT = 2,	/* the image's Multiboot v1 stub */
};

enum boot_mem_type {
	BOOT_MEM_RAM = 1,
};

struct iopath_boot_mem {
	uint64_t base;
	uint64_t size;
	uint32_t type;		/* enum boot_mem_type */
	uint32_t reserved;
};

struct iopath_boot_info {
	uint64_t magic;		/* BOOT_INFO_MAGIC */
	uint32_t version;	/* BOOT_INFO_VERSION */
	uint32_t size;		/* sizeof(struct iopath_boot_info) */
	uint32_t loader;	/* enum boot_loader */
	uint32_t ncpus;		/* vCPUs started */
	uint64_t tsc_khz;	/* 0: unknown, the guest calibrates */
	uint64_t free_start;	/* first free RAM GPA above image and tables */
	uint32_t nmem;
	uint32_t reserved;
	struct iopath_boot_mem mem[BOOT_MEM_MAX];
	char cmdline[BOOT_CMDLINE_MAX];	/* NUL-terminated */
};

_Static_assert(sizeof(struct iopath_boot_mem) == 24, "boot_mem ABI");
_Static_assert(sizeof(struct iopath_boot_info) == 48 + 8 * 24 + 1024,
	       "boot_info ABI");

#endif
