/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_STRING_H
#define IOPATH_GUEST_RT_STRING_H

/* The few libc string functions the guests use (and GCC may call). */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
