/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables, all built at link time so the emulated CPL0 code does
 * not spend ~1 us per instruction filling them (MACHINE-NOTES.md).
 *
 * GDT: one per CPU, Linux's layout (boot_info.h): this machine's KVM runs
 * CPL3 code on the host's selectors, so user data must be 0x2B and user
 * code 0x33. Each CPU needs its own copy because its TSS descriptor (0x40)
 * holds its own TSS base and `ltr` marks it busy. entry.S writes that one
 * descriptor at boot (a few instructions); everything else is static.
 *
 * IDT: shared by all CPUs. The stubs in isr.S sit at isr_stubs + 32 * vector
 * in an 8 KiB-aligned block, so the linker can split each handler address
 * into the gate's offset fields (isr_lo16/isr_hi16 come from link.ld).
 */
#include "kcpu.h"

#define GDT_STRIDE	128
#define ISR_STRIDE	32

	.section .data, "aw"
	.balign 4096
	.globl gdt_table
gdt_table:
	.rept KCPU_MAX
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08 kernel code, L=1 */
	.quad 0x00cf93000000ffff	/* 0x10 kernel data */
	.quad 0
	.quad 0x00cffb000000ffff	/* 0x20 user code, 32-bit (unused) */
	.quad 0x00cff3000000ffff	/* 0x28 user data: 0x2B with RPL 3 */
	.quad 0x00affb000000ffff	/* 0x30 user code, L=1: 0x33 */
	.quad 0
	.quad 0, 0			/* 0x40 TSS, written by entry.S */
	.fill GDT_STRIDE - 80, 1, 0
	.endr

/*
 * 64-bit TSS per CPU (SDM vol. 3, 8.7), then one I/O permission bitmap
 * shared by all of them. RSP0 is the top of this CPU's kernel area: an
 * interrupt or exception from CPL3 switches there. No IST: nested entries
 * (an IRQ waking the sleep handler) simply stack up, and the handlers find
 * struct kcpu by masking RSP, not by a fixed offset.
 *
 * The bitmap is what grants CPL3 port I/O on this machine. IOPL=3 is not
 * enough: PVM runs guest user mode with the hardware IOPL at 0, so IN/OUT
 * trap and KVM's emulator then allows them only through the TSS bitmap
 * (emulator_io_port_access_allowed in arch/x86/kvm/emulate.c). All zeros:
 * every port allowed; the 0xFF byte after it ends the map (SDM 19.5.2).
 * Each TSS's map base and limit reach the same bytes; entry.S sets the
 * limit, TSS_LIMIT0 - cpu * TSS_STRIDE.
 */
	.balign 4096
	.globl tss_table
tss_table:
	.set cpu, 0
	.rept KCPU_MAX
	.long 0
	.quad kcpu_areas + (cpu + 1) * KCPU_AREA_SIZE	/* RSP0 */
	.quad 0, 0				/* RSP1, RSP2 */
	.quad 0
	.quad 0, 0, 0, 0, 0, 0, 0		/* IST1-7 */
	.quad 0
	.word 0
	.word (KCPU_MAX - cpu) * TSS_STRIDE	/* I/O map base: tss_iomap */
	.fill TSS_STRIDE - 104, 1, 0
	.set cpu, cpu + 1
	.endr
tss_iomap:
	.fill TSS_IOMAP_BYTES, 1, 0
	.byte 0xff

/*
 * Gates: 0x8E = present interrupt gate, DPL 0 (IF cleared on entry).
 * Vectors 3 and 4 get 0xEE (DPL 3): `int3`/`int $4` are the only software
 * interrupts CPL3 can raise here (MACHINE-NOTES.md); int3 is the sleep call.
 */
	.balign 16
	.globl idt_table
idt_table:
	.set vec, 0
	.rept 256
	.word isr_lo16 + vec * ISR_STRIDE
	.word 0x08
	.byte 0
	.if vec == 3 || vec == 4
	.byte 0xee
	.else
	.byte 0x8e
	.endif
	.word isr_hi16
	.long 0
	.long 0
	.set vec, vec + 1
	.endr
idt_end:

	.balign 16
	.globl idt_desc
idt_desc:
	.word idt_end - idt_table - 1
	.quad idt_table
