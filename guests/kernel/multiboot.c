// SPDX-License-Identifier: MIT
/*
 * Multiboot v1 information -> struct iopath_boot_info. Runs once at CPL0,
 * only under a Multiboot loader (QEMU TCG), so its size does not matter on
 * the emulating KVM; it is still integer-only like all CPL0 code.
 */
#include <stddef.h>
#include <stdint.h>

#include "include/boot_info.h"

/* Multiboot spec 0.6.96, 3.3: the fields used here. */
#define MBI_FLAG_MEM		(1u << 0)
#define MBI_FLAG_CMDLINE	(1u << 2)
#define MBI_FLAG_MMAP		(1u << 6)
#define MB_MMAP_RAM		1

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB from 0 */
	uint32_t mem_upper;	/* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
} __attribute__((packed));

struct mb_mmap_entry {
	uint32_t size;		/* of the rest of the entry */
	uint64_t base;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* The 8254 PIC pair: SeaBIOS leaves IRQ0 (PIT) unmasked on vector 8. */
#define PIC1_DATA		0x21
#define PIC2_DATA		0xa1

extern char _end[];

static struct iopath_boot_info mb_boot_info;

static void mb_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void mb_mem_add(struct iopath_boot_info *bi, uint64_t base,
		       uint64_t size)
{
	if (size == 0 || bi->nmem >= BOOT_MEM_MAX)
		return;
	bi->mem[bi->nmem].base = base;
	bi->mem[bi->nmem].size = size;
	bi->mem[bi->nmem].type = BOOT_MEM_RAM;
	bi->nmem++;
}

static void mb_mem_from_mmap(struct iopath_boot_info *bi,
			     const struct mb_info *mbi)
{
	uintptr_t p = mbi->mmap_addr;
	uintptr_t end = p + mbi->mmap_length;

	while (p + sizeof(struct mb_mmap_entry) <= end) {
		const struct mb_mmap_entry *e = (const void *)p;

		if (e->type == MB_MMAP_RAM)
			mb_mem_add(bi, e->base, e->len);
		p += e->size + sizeof(e->size);
	}
}

/* Called from multiboot.S in long mode; returns the boot info for _start. */
struct iopath_boot_info *mb_boot_info_build(uint32_t mbi_addr);

struct iopath_boot_info *mb_boot_info_build(uint32_t mbi_addr)
{
	const struct mb_info *mbi = (const void *)(uintptr_t)mbi_addr;
	struct iopath_boot_info *bi = &mb_boot_info;

	mb_outb(PIC1_DATA, 0xff);
	mb_outb(PIC2_DATA, 0xff);

	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->loader = BOOT_LOADER_MULTIBOOT;
	bi->ncpus = 1;		/* the APs wait for a SIPI we never send */
	bi->tsc_khz = 0;	/* the runtime calibrates against the PIT */
	/* The Multiboot info follows the image (QEMU); all of it is copied
	 * here before anything allocates, so RAM after _end is free. */
	bi->free_start = ((uintptr_t)_end + 4095) & ~(uintptr_t)4095;

	if (mbi->flags & MBI_FLAG_MMAP)
		mb_mem_from_mmap(bi, mbi);
	if (bi->nmem == 0 && (mbi->flags & MBI_FLAG_MEM)) {
		mb_mem_add(bi, 0, (uint64_t)mbi->mem_lower << 10);
		mb_mem_add(bi, 1ull << 20, (uint64_t)mbi->mem_upper << 10);
	}
	if (mbi->flags & MBI_FLAG_CMDLINE) {
		const char *s = (const char *)(uintptr_t)mbi->cmdline;
		size_t i;

		for (i = 0; i + 1 < BOOT_CMDLINE_MAX && s[i]; i++)
			bi->cmdline[i] = s[i];
		bi->cmdline[i] = '\0';
	}
	return bi;
}
