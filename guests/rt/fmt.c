// SPDX-License-Identifier: MIT
#include "rt/fmt.h"

#include <stdint.h>

struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0)
		fmt_putc(o, c);
}

static void fmt_str(struct fmt_out *o, const char *s, int width, int left)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n])
		n++;
	if (!left)
		fmt_pad(o, ' ', width - n);
	while (*s)
		fmt_putc(o, *s++);
	if (left)
		fmt_pad(o, ' ', width - n);
}

static void fmt_num(struct fmt_out *o, uint64_t v, int neg, unsigned int base,
		    int upper, int width, int zero, int left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	len = n + neg;
	if (left) {
		if (neg)
			fmt_putc(o, '-');
		while (n)
			fmt_putc(o, tmp[--n]);
		fmt_pad(o, ' ', width - len);
		return;
	}
	if (zero) {
		if (neg)
			fmt_putc(o, '-');
		fmt_pad(o, '0', width - len);
	} else {
		fmt_pad(o, ' ', width - len);
		if (neg)
			fmt_putc(o, '-');
	}
	while (n)
		fmt_putc(o, tmp[--n]);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, zero = 0, left = 0, lng = 0;
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			fmt_putc(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '0')
				zero = 1;
			else if (*fmt == '-')
				left = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			fmt_num(&o, u, s < 0, 10, 0, width, zero, left);
			break;
		case 'u':
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			fmt_num(&o, u, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				width, zero, left);
			break;
		case 'p':
			fmt_putc(&o, '0');
			fmt_putc(&o, 'x');
			fmt_num(&o, (uintptr_t)va_arg(ap, void *), 0, 16, 0,
				width, zero, left);
			break;
		case 's':
			fmt_str(&o, va_arg(ap, const char *), width, left);
			break;
		case 'c':
			fmt_putc(&o, (char)va_arg(ap, int));
			break;
		case '%':
			fmt_putc(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			fmt_putc(&o, '%');
			fmt_putc(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
