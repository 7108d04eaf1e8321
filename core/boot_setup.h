/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_BOOT_SETUP_H
#define IOPATH_CORE_BOOT_SETUP_H

/*
 * What iopath-vmm puts in guest RAM before the first instruction: the
 * entry GDT, identity page tables and struct iopath_boot_info, as
 * guests/include/boot_info.h describes.
 */

#include <stdint.h>

struct guest_mem;
struct elf_image;
struct vcpu_entry;

struct boot_params {
	unsigned ncpus;
	uint32_t tsc_khz;
	const char *cmdline;
};

/*
 * Write GDT, page tables and boot info for @img into @gm and fill the
 * entry state every vCPU starts with (RSI, the vCPU index, is the
 * caller's). Returns 0 or -errno (-E2BIG: command line too long).
 */
int boot_setup(struct guest_mem *gm, const struct elf_image *img,
	       const struct boot_params *p, struct vcpu_entry *entry);

#endif
