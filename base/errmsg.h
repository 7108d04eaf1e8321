/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_ERRMSG_H
#define IOPATH_BASE_ERRMSG_H

/*
 * Refusing bad input with a reason: the checks that answer a peer or an
 * administrator fill a caller's buffer and return -EINVAL in one step.
 */

#include <stddef.h>

/* The formatted reason into @err (@errlen bytes; NULL or 0: none kept).
 * Returns -EINVAL. */
int errmsg_invalid(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
