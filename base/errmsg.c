// SPDX-License-Identifier: MIT
/* Refusals with a reason (errmsg.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "base/errmsg.h"

int errmsg_invalid(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
