// SPDX-License-Identifier: MIT
/* GDT, page tables and boot info for a guest image's 64-bit entry. */
#include <errno.h>
#include <string.h>

#define LOG_SUBSYS "boot"
#include "base/log.h"
#include "core/boot_setup.h"
#include "core/elf_load.h"
#include "core/guest_mem.h"
#include "cpu/vcpu.h"
#include "guests/include/boot_info.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)	/* CPL3 drivers touch RAM and BARs */
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)	/* 2 MiB page in a PD entry */
#define PT_TABLE	(PTE_P | PTE_RW | PTE_US)
#define GIB		(1ull << 30)
#define MIB2		(2ull << 20)

#define BOOT_TSS_GPA	(BOOT_GDT_GPA + 0x100)
#define PCI_HOLE_BASE	GUEST_MEM_LOW_LIMIT	/* 3 GiB .. 4 GiB */

/* Linux's layout: user data 0x2B and user code 0x33 are what PVM expects. */
static void boot_write_gdt(uint64_t *gdt)
{
	uint64_t tss_base = BOOT_TSS_GPA, tss_limit = 0x67;

	memset(gdt, 0, GDT_ENTRIES * 8);
	gdt[1] = 0x00af9b000000ffffull;	/* 0x08 kernel code, L=1 */
	gdt[2] = 0x00cf93000000ffffull;	/* 0x10 kernel data */
	gdt[4] = 0x00cffb000000ffffull;	/* 0x20 user code 32-bit */
	gdt[5] = 0x00cff3000000ffffull;	/* 0x28 user data */
	gdt[6] = 0x00affb000000ffffull;	/* 0x30 user code, L=1 */
	/* 0x40: 64-bit TSS, busy (it is loaded as TR at entry) */
	gdt[8] = (tss_limit & 0xffff) | ((tss_base & 0xffffff) << 16) |
		 (0x8bull << 40) | ((tss_base >> 24 & 0xff) << 56);
	gdt[9] = tss_base >> 32;
}

/* Identity map with 2 MiB pages every GiB that holds RAM or the PCI hole. */
static int boot_write_page_tables(struct guest_mem *gm)
{
	uint64_t *pml4 = guest_mem_ptr(gm, BOOT_PT_GPA, 4096);
	uint64_t *pdpt = guest_mem_ptr(gm, BOOT_PT_GPA + 4096, 4096);
	uint64_t next = BOOT_PT_GPA + 2 * 4096;
	uint64_t top = 4 * GIB, gib, i;
	unsigned r;

	if (!pml4 || !pdpt)
		return -ENOMEM;
	for (r = 0; r < gm->nregions; r++)
		if (gm->regions[r].gpa + gm->regions[r].size > top)
			top = gm->regions[r].gpa + gm->regions[r].size;
	if (top > 512 * GIB)
		return -E2BIG;	/* one PDPT; GUEST_MEM_MAX is far below */

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = (BOOT_PT_GPA + 4096) | PT_TABLE;
	for (gib = 0; gib * GIB < top; gib++) {
		uint64_t base = gib * GIB, *pd;
		bool hole = base >= PCI_HOLE_BASE && base < 4 * GIB;

		if (!hole && !guest_mem_ptr(gm, base, 1))
			continue;
		if (next + 4096 > BOOT_PT_LIMIT)
			return -E2BIG;
		pd = guest_mem_ptr(gm, next, 4096);
		if (!pd)
			return -ENOMEM;
		for (i = 0; i < 512; i++) {
			uint64_t pa = base + i * MIB2;

			pd[i] = pa | PTE_P | PTE_RW | PTE_US | PTE_PS;
			/* Device registers must not be cached. */
			if (hole)
				pd[i] |= PTE_PCD | PTE_PWT;
		}
		pdpt[gib] = next | PT_TABLE;
		next += 4096;
	}
	return 0;
}

int boot_setup(struct guest_mem *gm, const struct elf_image *img,
	       const struct boot_params *p, struct vcpu_entry *entry)
{
	struct iopath_boot_info *bi;
	uint64_t *gdt;
	unsigned r;
	int ret;

	gdt = guest_mem_ptr(gm, BOOT_GDT_GPA, GDT_ENTRIES * 8);
	bi = guest_mem_ptr(gm, BOOT_INFO_GPA, sizeof(*bi));
	if (!gdt || !bi || !guest_mem_ptr(gm, BOOT_TSS_GPA, 0x68))
		return -ENOMEM;
	if (p->cmdline && strlen(p->cmdline) >= BOOT_CMDLINE_MAX) {
		log_err("guest command line is longer than %d bytes",
			BOOT_CMDLINE_MAX - 1);
		return -E2BIG;
	}

	boot_write_gdt(gdt);
	memset(guest_mem_ptr(gm, BOOT_TSS_GPA, 0x68), 0, 0x68);
	ret = boot_write_page_tables(gm);
	if (ret < 0) {
		log_err("cannot build page tables: %s", strerror(-ret));
		return ret;
	}

	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->loader = BOOT_LOADER_IOPATH;
	bi->ncpus = p->ncpus;
	bi->tsc_khz = p->tsc_khz;
	bi->free_start = (img->highest + 4095) & ~4095ull;
	for (r = 0; r < gm->nregions && r < BOOT_MEM_MAX; r++) {
		bi->mem[r].base = gm->regions[r].gpa;
		bi->mem[r].size = gm->regions[r].size;
		bi->mem[r].type = BOOT_MEM_RAM;
	}
	bi->nmem = r;
	if (p->cmdline)
		strcpy(bi->cmdline, p->cmdline);

	memset(entry, 0, sizeof(*entry));
	entry->rip = img->entry;
	entry->rdi = BOOT_INFO_GPA;
	entry->cr3 = BOOT_PT_GPA;
	entry->gdt_base = BOOT_GDT_GPA;
	entry->gdt_limit = GDT_ENTRIES * 8 - 1;
	return 0;
}
