/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_ERRNO_H
#define IOPATH_GUEST_RT_ERRNO_H

/* Linux's numbers, so guest and host logs read the same; returned negated. */
#define ENOENT		2
#define EIO		5
#define ENOMEM		12
#define EBUSY		16
#define ENODEV		19
#define EINVAL		22
#define ENOSPC		28
#define ETIMEDOUT	110

#endif
