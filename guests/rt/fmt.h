/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_FMT_H
#define IOPATH_GUEST_RT_FMT_H

/*
 * printf-style formatting into a buffer: %d %i %u %x %X %s %c %p %%, with
 * the l, ll, z length modifiers, a field width, '0' padding and '-' left
 * alignment. Always NUL-terminates (when size > 0); returns the length the
 * full output would have had, like snprintf.
 */
#include <stdarg.h>
#include <stddef.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
