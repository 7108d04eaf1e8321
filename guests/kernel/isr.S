/* SPDX-License-Identifier: MIT */
/*
 * The 256 interrupt and exception entry stubs, 32 bytes apart (desc.S
 * builds the IDT from that stride), and the exception path.
 *
 * Every instruction here is emulated at ~2 us (MACHINE-NOTES.md), so the
 * hot paths are straight-line and short:
 *
 *   device vector (IRQ_VEC_BASE..+63): set its bit in kcpu.pending, EOI,
 *     iretq (7 instructions); the CPL3 runtime runs the callbacks.
 *   vector 3 (int3 from CPL3): the sleep call. If nothing is pending,
 *     `sti; hlt`: STI's one-instruction interrupt shadow means an interrupt
 *     arriving between the test and HLT still wakes the HLT (SDM vol. 2,
 *     STI), so the CPL3 "check, then sleep" loop cannot miss a wake-up.
 *   other vectors >= 32: count in kcpu.stray, EOI, iretq.
 *   vector 0xFF (spurious): iretq, no EOI (SDM vol. 3, 10.9).
 *   exceptions: exc_common below.
 */
#include "kcpu.h"

#define ISR_STRIDE	32

	.section .isr, "ax"
	.code64
	.globl isr_stubs_begin
isr_stubs_begin:
	.set vec, 0
	.rept 256
1:
	.if vec == VEC_BREAKPOINT
	/* From CPL3 the frame sits at the top of this CPU's area: RSP0 is
	 * the area top, 5 words were pushed. */
	cmpq $0, (KCPU_PENDING + 40 - KCPU_AREA_SIZE)(%rsp)
	jne 2f
	sti
	hlt
	cli
2:	iretq
	.elseif vec < 32
	.if vec != 8 && (vec < 10 || vec > 14) && vec != 17 && vec != 21 && vec != 29 && vec != 30
	pushq $0		/* no CPU error code: keep one frame shape */
	.endif
	pushq $vec
	jmp exc_common
	.elseif vec == VEC_SPURIOUS
	iretq
	.else
	pushq %rax
	movq %rsp, %rax
	andq $-KCPU_AREA_SIZE, %rax
	.if vec >= IRQ_VEC_BASE && vec < IRQ_VEC_BASE + IRQ_VEC_COUNT
	lock btsq $(vec - IRQ_VEC_BASE), KCPU_PENDING(%rax)
	.else
	lock incq KCPU_STRAY(%rax)
	.endif
	/* EOI; the xAPIC ignores the value written (SDM vol. 3, 10.8.5). */
	movabs %eax, LAPIC_BASE + LAPIC_REG_EOI
	popq %rax
	iretq
	.endif
	.org 1b + ISR_STRIDE, 0xcc
	.set vec, vec + 1
	.endr

/*
 * Exceptions. Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS.
 * A CPL3 fault with a fixup armed (rt/fault.S) resumes at kcpu.fixup_rip
 * on kcpu.fixup_rsp, the fault recorded in kcpu and the fixup disarmed.
 * Anything else is fatal: kfault_report prints it and exits the VM.
 */
	.text
exc_common:
	pushq %rax
	movq %rsp, %rax
	andq $-KCPU_AREA_SIZE, %rax
	cmpq $0, KCPU_FIXUP_RIP(%rax)
	je exc_fatal
	testb $3, 32(%rsp)		/* CS of the faulting context */
	jz exc_fatal
	pushq %rcx
	movq 16(%rsp), %rcx
	movq %rcx, KCPU_FAULT_VEC(%rax)
	movq 24(%rsp), %rcx
	movq %rcx, KCPU_FAULT_ERR(%rax)
	movq 32(%rsp), %rcx
	movq %rcx, KCPU_FAULT_RIP(%rax)
	movq %cr2, %rcx
	movq %rcx, KCPU_FAULT_CR2(%rax)
	movq KCPU_FIXUP_RIP(%rax), %rcx
	movq %rcx, 32(%rsp)
	movq KCPU_FIXUP_RSP(%rax), %rcx
	movq %rcx, 56(%rsp)
	movq $0, KCPU_FIXUP_RIP(%rax)
	popq %rcx
	popq %rax
	addq $16, %rsp			/* vector, error code */
	iretq

exc_fatal:
	leaq 8(%rsp), %rdi		/* struct exc_frame */
	movq %rax, %rsi			/* struct kcpu */
	andq $-16, %rsp
	call kfault_report
1:	cli
	hlt
	jmp 1b
