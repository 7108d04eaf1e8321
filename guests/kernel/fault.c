// SPDX-License-Identifier: MIT
/*
 * Fatal exception report: one JSON line on COM1, then exit through the
 * debug-exit port with KERNEL_EXIT_FAULT. Runs at CPL0 on the faulting
 * CPU's kernel stack, so it depends on nothing in the CPL3 runtime (whose
 * per-CPU lookup uses the user stack) and is small and integer-only.
 *
 *   {"event":"fault","vector":14,"name":"#PF","rip":"0x...","err":"0x4",
 *    "cr2":"0x...","rsp":"0x...","cpl":3,"cpu":0}
 */
#include <stdint.h>

#include "include/boot_info.h"
#include "kcpu.h"

#define COM1			0x3f8
#define COM1_LSR		(COM1 + 5)
#define LSR_THRE		0x20

/* What exc_common leaves on the stack (isr.S). */
struct exc_frame {
	uint64_t vec;
	uint64_t err;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

extern struct iopath_boot_info *kernel_boot_info;

void kfault_report(const struct exc_frame *f, struct kcpu *k)
	__attribute__((noreturn));

static const char *const kfault_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "RSV15",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "RSV22", "RSV23",
	"RSV24", "RSV25", "RSV26", "RSV27", "#HV", "#VC", "#SX", "RSV31",
};

static void kcons_putc(char c)
{
	uint8_t lsr;

	/* iopath-vmm's UART is always ready; a port read there costs ~15 us
	 * from CPL0, so only poll under other loaders. */
	if (kernel_boot_info && kernel_boot_info->loader != BOOT_LOADER_IOPATH) {
		do {
			__asm__ volatile("inb %1, %0"
					 : "=a"(lsr) : "Nd"(COM1_LSR));
		} while (!(lsr & LSR_THRE));
	}
	__asm__ volatile("outb %0, %1" : : "a"(c), "Nd"(COM1));
}

static void kcons_puts(const char *s)
{
	while (*s)
		kcons_putc(*s++);
}

static void kcons_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kcons_puts(&buf[i]);
}

static void kcons_hex(const char *key, uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = '\0';
	do {
		buf[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	buf[--i] = 'x';
	buf[--i] = '0';
	kcons_puts(",\"");
	kcons_puts(key);
	kcons_puts("\":\"");
	kcons_puts(&buf[i]);
	kcons_putc('"');
}

void kfault_report(const struct exc_frame *f, struct kcpu *k)
{
	uint64_t cr2;
	uint32_t code = KERNEL_EXIT_FAULT;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	kcons_puts("{\"event\":\"fault\",\"vector\":");
	kcons_dec(f->vec);
	kcons_puts(",\"name\":\"");
	kcons_puts(f->vec < 32 ? kfault_names[f->vec] : "?");
	kcons_putc('"');
	kcons_hex("rip", f->rip);
	kcons_hex("err", f->err);
	kcons_hex("cr2", cr2);
	kcons_hex("rsp", f->rsp);
	kcons_puts(",\"cpl\":");
	kcons_dec(f->cs & 3);
	kcons_puts(",\"cpu\":");
	kcons_dec((uint64_t)((uint8_t *)k - &kcpu_areas[0][0]) /
		  KCPU_AREA_SIZE);
	kcons_puts("}\n");
	__asm__ volatile("outl %0, %1" : : "a"(code), "Nd"(DEBUG_EXIT_PORT));
	for (;;)
		__asm__ volatile("cli; hlt");
}
