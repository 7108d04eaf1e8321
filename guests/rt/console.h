/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_CONSOLE_H
#define IOPATH_GUEST_RT_CONSOLE_H

/*
 * Console on the 16550 at 0x3F8. Lines from different CPUs never
 * interleave: each con_write is one locked burst.
 */
#include <stddef.h>
#include <stdint.h>

/* loader: enum boot_loader. Decides whether to poll LSR (see console.c). */
void con_init(uint32_t loader);
void con_write(const char *s, size_t len);
void con_puts(const char *s);
/* Formats into a 512-byte line buffer (rt/fmt.h); longer output is cut. */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
