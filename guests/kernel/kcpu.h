/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_KCPU_H
#define IOPATH_GUEST_KCPU_H

/*
 * Per-CPU layout shared by the CPL0 kernel (assembly) and the CPL3 runtime.
 *
 * On this machine every CPL0 instruction is emulated (~1 us each, ~2 us in
 * a handler, MACHINE-NOTES.md), so the kernel is a few hundred bytes of
 * assembly and all policy lives at CPL3. The two halves talk through one
 * user-visible struct kcpu per CPU, the kernel finding its own by masking
 * RSP: each CPU's kernel stack and its struct kcpu share one naturally
 * aligned KCPU_AREA_SIZE block, struct kcpu at the bottom. That works
 * however deep the kernel stack is (an interrupt that wakes the `int3`
 * sleep handler nests on the same stack) and needs no MSR, swapgs or IST.
 */

#define KCPU_MAX		8	/* vCPUs beyond this park at CPL0 */
#define KCPU_AREA_SHIFT		13
#define KCPU_AREA_SIZE		(1 << KCPU_AREA_SHIFT)	/* kcpu + stack */

/* CPL3 stacks: one naturally aligned block per CPU, struct ucpu at the
 * bottom, so CPL3 code finds its CPU from RSP alone (rt/cpu.h). */
#define USTACK_SHIFT		16
#define USTACK_SIZE		(1 << USTACK_SHIFT)

/* TSS layout (kernel/desc.S, kernel/entry.S): KCPU_MAX TSSes of
 * TSS_STRIDE bytes, then a shared I/O bitmap for all 65536 ports. TSS i's
 * limit covers the bitmap and its terminating byte. */
#define TSS_STRIDE_SHIFT	7
#define TSS_STRIDE		(1 << TSS_STRIDE_SHIFT)
#define TSS_IOMAP_BYTES		8192
#define TSS_LIMIT0		(KCPU_MAX * TSS_STRIDE + TSS_IOMAP_BYTES)

/* struct kcpu field offsets (assembly uses these) */
#define KCPU_PENDING		0	/* bit v - IRQ_VEC_BASE: vector v seen */
#define KCPU_STRAY		8	/* interrupts on undispatched vectors */
#define KCPU_FIXUP_RIP		16	/* nonzero: armed; CPL3 fault resumes here */
#define KCPU_FIXUP_RSP		24	/* ... with this RSP */
#define KCPU_FAULT_VEC		32	/* last fixed-up fault */
#define KCPU_FAULT_ERR		40
#define KCPU_FAULT_RIP		48
#define KCPU_FAULT_CR2		56

/*
 * Vectors. Device interrupts (MSI, MSI-X, LAPIC timer, IPIs) use
 * IRQ_VEC_BASE .. IRQ_VEC_BASE + 63, so one 64-bit word holds every
 * pending bit and the sleep handler tests it with one instruction.
 */
#define IRQ_VEC_BASE		0x40
#define IRQ_VEC_COUNT		64
#define VEC_BREAKPOINT		3	/* int3 from CPL3: sleep until an IRQ */
#define VEC_SPURIOUS		0xff

#define LAPIC_BASE		0xfee00000
#define LAPIC_REG_EOI		0x0b0
#define LAPIC_REG_SVR		0x0f0
#define LAPIC_REG_LVT_LINT0	0x350
#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_LVT_MASKED	0x10000

#define DEBUG_EXIT_PORT		0xf4
#define KERNEL_EXIT_FAULT	3	/* exit code after an unhandled fault */

/*
 * Entry RFLAGS at CPL3: IOPL=3, IF=1, bit 1. IOPL=3 grants port I/O under
 * QEMU and on hardware; under PVM the TSS I/O bitmap does (desc.S). IF
 * stays 1 at CPL3: PVM keeps it set in guest user mode anyway.
 */
#define USER_RFLAGS		0x3202

#ifndef __ASSEMBLER__
#include <stdint.h>

_Static_assert(TSS_LIMIT0 <= 0xffff, "TSS limit must fit the low 16 bits");

struct kcpu {
	volatile uint64_t pending;
	volatile uint64_t stray;
	volatile uint64_t fixup_rip;
	volatile uint64_t fixup_rsp;
	volatile uint64_t fault_vec;
	volatile uint64_t fault_err;
	volatile uint64_t fault_rip;
	volatile uint64_t fault_cr2;
};

_Static_assert(__builtin_offsetof(struct kcpu, pending) == KCPU_PENDING, "");
_Static_assert(__builtin_offsetof(struct kcpu, stray) == KCPU_STRAY, "");
_Static_assert(__builtin_offsetof(struct kcpu, fixup_rip) == KCPU_FIXUP_RIP,
	       "");
_Static_assert(__builtin_offsetof(struct kcpu, fixup_rsp) == KCPU_FIXUP_RSP,
	       "");
_Static_assert(__builtin_offsetof(struct kcpu, fault_vec) == KCPU_FAULT_VEC,
	       "");
_Static_assert(__builtin_offsetof(struct kcpu, fault_err) == KCPU_FAULT_ERR,
	       "");
_Static_assert(__builtin_offsetof(struct kcpu, fault_rip) == KCPU_FAULT_RIP,
	       "");
_Static_assert(__builtin_offsetof(struct kcpu, fault_cr2) == KCPU_FAULT_CR2,
	       "");

/* The per-CPU kernel areas (kernel/entry.S); area i starts with CPU i's kcpu. */
extern uint8_t kcpu_areas[KCPU_MAX][KCPU_AREA_SIZE];

static inline struct kcpu *kcpu_of(unsigned int cpu)
{
	return (struct kcpu *)kcpu_areas[cpu];
}
#endif

#endif
