/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 entry, so the same image boots under
 * `qemu-system-x86_64 -kernel` (after `objcopy -O elf32-i386`: QEMU refuses
 * ELF64). The header sets the address-fields flag (bit 16), so the loader
 * copies the file by these addresses and enters mb_entry32 in 32-bit
 * protected mode, paging off, EAX = 0x2BADB002, EBX = Multiboot info
 * (Multiboot spec 0.6.96, 3.1-3.2).
 *
 * The stub builds what iopath-vmm would have built (boot_info.h): identity
 * 2 MiB pages, user-accessible at every level, over 0..4 GiB (RAM below the
 * hole and the 3..4 GiB PCI/IOAPIC/LAPIC window), the same CR0/CR4/EFER,
 * CS = 0x08, DS = SS = 0x10. multiboot.c then turns the Multiboot info into
 * a struct iopath_boot_info and the stub joins the common entry.
 */
#include "kcpu.h"

#define MB_MAGIC		0x1badb002
#define MB_FLAGS		0x00010002	/* want memory info; address fields */
#define MB_BOOT_MAGIC		0x2badb002

#define PTE_TABLE		0x7		/* P | RW | US */
#define PTE_2M			0x87		/* P | RW | US | PS */
#define CR4_BOOT		0x620		/* PAE OSFXSR OSXMMEXCPT */
#define CR0_BOOT		0x80050033	/* PE MP ET NE WP AM PG */
#define MSR_EFER		0xc0000080
#define EFER_LME		0x100

	.section .boot, "awx"
	.code32
	.balign 4
	.globl mb_header
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header			/* header_addr */
	.long _image_start		/* load_addr */
	.long _edata			/* load_end_addr */
	.long _end			/* bss_end_addr: the loader zeroes BSS */
	.long mb_entry32		/* entry_addr */

mb_entry32:
	cli
	cmpl $MB_BOOT_MAGIC, %eax
	jne mb_hang
	movl %ebx, mb_info_addr

	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs; PD entries: 2 MiB pages. */
	movl $(mb_pdpt + PTE_TABLE), mb_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $(mb_pd + PTE_TABLE), %eax
	movl %eax, mb_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_2M, %eax
	movl %eax, mb_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl $CR4_BOOT, %eax
	movl %eax, %cr4
	movl $mb_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	lgdt mb_gdtr			/* CPU 0's GDT (desc.S) */
	movl $CR0_BOOT, %eax
	movl %eax, %cr0
	ljmp $0x08, $mb_entry64

mb_hang:
	hlt
	jmp mb_hang

	.code64
mb_entry64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	leaq mb_stack_top(%rip), %rsp
	movl mb_info_addr(%rip), %edi
	call mb_boot_info_build
	movq %rax, %rdi
	xorl %esi, %esi
	jmp _start

	.balign 8
mb_gdtr:
	.word 10 * 8 - 1
	.long gdt_table
mb_info_addr:
	.long 0

	.bss
	.balign 4096
mb_pml4:
	.skip 4096
mb_pdpt:
	.skip 4096
mb_pd:
	.skip 4 * 4096
mb_stack:
	.skip 8192
mb_stack_top:
