/* SPDX-License-Identifier: MIT */
/*
 * 64-bit entry, per boot_info.h: RDI = boot info, RSI = vCPU index,
 * RSP = 0, interrupts off, CPL0, page tables and a boot GDT already set.
 * Every vCPU comes here (iopath-vmm starts them all, no SIPI).
 *
 * About forty emulated instructions per CPU: load this CPU's GDT, TSS and
 * the shared IDT, enable the LAPIC, and iretq to the CPL3 runtime. The data
 * segment registers are not reloaded: both loaders leave DS/ES/SS = 0x10
 * from a GDT with the same layout, and the hidden parts stay valid.
 */
#include "kcpu.h"

#define GDT_STRIDE_SHIFT	7
#define TSS_DESC_TYPE		0x0000890000000000	/* present, avail. TSS */

	.text
	.code64
	.globl _start
_start:
	cmpq $KCPU_MAX, %rsi
	jae kernel_park
	movq %rdi, kernel_boot_info(%rip)

	/* Kernel stack: top of this CPU's area (also TSS.RSP0). */
	leaq kcpu_areas(%rip), %rsp
	movq %rsi, %rax
	incq %rax
	shlq $KCPU_AREA_SHIFT, %rax
	addq %rax, %rsp

	/* TSS descriptor: the base fits in 24 bits and the limit (through
	 * the shared I/O bitmap, desc.S) in 16 (link.ld, kcpu.h). */
	movq %rsi, %rcx
	shlq $TSS_STRIDE_SHIFT, %rcx
	movl $TSS_LIMIT0, %r8d
	subq %rcx, %r8
	leaq tss_table(%rip), %rax
	addq %rax, %rcx
	shlq $16, %rcx
	orq %r8, %rcx
	movabsq $TSS_DESC_TYPE, %rax
	orq %rax, %rcx
	movq %rsi, %rdx
	shlq $GDT_STRIDE_SHIFT, %rdx
	leaq gdt_table(%rip), %rax
	addq %rax, %rdx
	movq %rcx, 0x40(%rdx)

	pushq %rdx			/* GDTR: limit, base */
	pushw $(10 * 8 - 1)
	lgdt (%rsp)
	movw $0x40, %ax
	ltr %ax
	lidt idt_desc(%rip)

	/* LAPIC on, spurious vector 0xFF; LINT0 masked so a PIC/ExtINT line
	 * can never inject legacy vectors (MACHINE-NOTES.md, GSI routing). */
	movabsq $LAPIC_BASE, %rax
	movl $(LAPIC_SVR_ENABLE | VEC_SPURIOUS), LAPIC_REG_SVR(%rax)
	movl $LAPIC_LVT_MASKED, LAPIC_REG_LVT_LINT0(%rax)

	/* iretq to rt_entry at CPL3 on this CPU's user stack, IOPL=3, IF=1. */
	leaq ustacks(%rip), %rax
	movq %rsi, %rcx
	incq %rcx
	shlq $USTACK_SHIFT, %rcx
	addq %rax, %rcx
	pushq $0x2b
	pushq %rcx
	pushq $USER_RFLAGS
	pushq $0x33
	leaq rt_entry(%rip), %rax
	pushq %rax
	iretq

kernel_park:
	cli
	hlt
	jmp kernel_park

	.data
	.balign 8
	.globl kernel_boot_info
kernel_boot_info:
	.quad 0

	.bss
	.balign KCPU_AREA_SIZE
	.globl kcpu_areas
kcpu_areas:
	.skip KCPU_MAX * KCPU_AREA_SIZE
	.balign USTACK_SIZE
	.globl ustacks
ustacks:
	.skip KCPU_MAX * USTACK_SIZE
