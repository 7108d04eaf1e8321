// SPDX-License-Identifier: MIT
#include "rt/console.h"

#include <stdarg.h>

#include "include/boot_info.h"
#include "rt/fmt.h"
#include "rt/io.h"
#include "rt/lock.h"
#include "rt/string.h"

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)
#define LSR_THRE	0x20

/*
 * The UART is left as the firmware or VMM configured it. Under iopath-vmm
 * the VMM coalesces THR writes and is always ready, and every port read is
 * a ~36 us exit, so LSR is not polled there; other loaders get the
 * standard THRE handshake (16550 datasheet, LSR bit 5).
 */
static int con_poll_lsr = 1;
static struct spinlock con_lock;

void con_init(uint32_t loader)
{
	con_poll_lsr = loader != BOOT_LOADER_IOPATH;
}

void con_write(const char *s, size_t len)
{
	spin_lock(&con_lock);
	while (len--) {
		if (con_poll_lsr)
			while (!(inb(COM1_LSR) & LSR_THRE))
				cpu_relax();
		outb(COM1, (uint8_t)*s++);
	}
	spin_unlock(&con_lock);
}

void con_puts(const char *s)
{
	con_write(s, strlen(s));
}

void con_printf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	con_write(line, (size_t)n);
}
