/* SPDX-License-Identifier: MIT */
/*
 * First CPL3 instructions, reached by the kernel's iretq (kernel/entry.S)
 * with RDI = boot info, RSI = vCPU index, RSP = the top of this CPU's
 * USTACK_SIZE-aligned stack. Fills in struct ucpu at the stack's bottom
 * (rt/cpu.h), then calls rt_main(boot_info, cpu).
 */
#include "kernel/kcpu.h"

	.text
	.code64
	.globl rt_entry
rt_entry:
	leaq -1(%rsp), %rax
	andq $-USTACK_SIZE, %rax		/* struct ucpu */
	movq %rsi, %rcx
	shlq $KCPU_AREA_SHIFT, %rcx
	leaq kcpu_areas(%rip), %rdx
	addq %rcx, %rdx
	movq %rdx, 0(%rax)			/* ucpu.kcpu */
	movq %rsi, 8(%rax)			/* ucpu.index */
	xorl %ebp, %ebp
	call rt_main
1:	jmp 1b
