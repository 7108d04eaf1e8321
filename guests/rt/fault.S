/* SPDX-License-Identifier: MIT */
/*
 * Fault fixup, CPL3 side (kernel/isr.S has the CPL0 side): setjmp-like.
 * fault_try saves the callee-saved registers and its return point in
 * ucpu.jmp and arms kcpu.fixup_rip/rsp. On a CPL3 exception the kernel
 * records it in kcpu, disarms, and irets to fault_landing, which restores
 * the registers and returns from fault_try a second time with vector + 1.
 */
#include "kernel/kcpu.h"

/* struct ucpu offsets; rt/cpu.h asserts they match */
#define UCPU_KCPU	0
#define UCPU_JMP	16
#define JMP_RBX		(UCPU_JMP + 0)
#define JMP_RBP		(UCPU_JMP + 8)
#define JMP_R12		(UCPU_JMP + 16)
#define JMP_R13		(UCPU_JMP + 24)
#define JMP_R14		(UCPU_JMP + 32)
#define JMP_R15		(UCPU_JMP + 40)
#define JMP_RSP		(UCPU_JMP + 48)
#define JMP_RIP		(UCPU_JMP + 56)

	.text
	.code64
	.globl fault_try
fault_try:
	movq %rsp, %rax
	andq $-USTACK_SIZE, %rax
	movq %rbx, JMP_RBX(%rax)
	movq %rbp, JMP_RBP(%rax)
	movq %r12, JMP_R12(%rax)
	movq %r13, JMP_R13(%rax)
	movq %r14, JMP_R14(%rax)
	movq %r15, JMP_R15(%rax)
	leaq 8(%rsp), %rcx
	movq %rcx, JMP_RSP(%rax)
	movq (%rsp), %rcx
	movq %rcx, JMP_RIP(%rax)
	movq UCPU_KCPU(%rax), %rdx
	movq %rsp, KCPU_FIXUP_RSP(%rdx)
	leaq fault_landing(%rip), %rcx
	movq %rcx, KCPU_FIXUP_RIP(%rdx)	/* armed last */
	xorl %eax, %eax
	ret

fault_landing:
	movq %rsp, %rax
	andq $-USTACK_SIZE, %rax
	movq JMP_RBX(%rax), %rbx
	movq JMP_RBP(%rax), %rbp
	movq JMP_R12(%rax), %r12
	movq JMP_R13(%rax), %r13
	movq JMP_R14(%rax), %r14
	movq JMP_R15(%rax), %r15
	movq UCPU_KCPU(%rax), %rdx
	movq KCPU_FAULT_VEC(%rdx), %rcx
	movq JMP_RIP(%rax), %rdx
	movq JMP_RSP(%rax), %rsp
	leal 1(%rcx), %eax
	jmp *%rdx
