// SPDX-License-Identifier: MIT
/* Device option strings: "key=value,key=value" as given to --device/--nic. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/vdev.h"

int vdev_opt_get(const char *opts, const char *key, char *buf, unsigned len)
{
	size_t klen = strlen(key);
	const char *p = opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t vlen = n - klen - 1;

			if (vlen + 1 > len)
				return -ENAMETOOLONG;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return (int)vlen;
		}
		/* A bare "key" (no '=') counts as "key=1". */
		if (n == klen && !strncmp(p, key, klen)) {
			if (len < 2)
				return -ENAMETOOLONG;
			strcpy(buf, "1");
			return 1;
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int vdev_opt_num(const char *opts, const char *key, unsigned long min,
		 unsigned long max, unsigned long *out)
{
	char buf[32], *end;
	unsigned long v;
	int ret = vdev_opt_get(opts, key, buf, sizeof(buf));

	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return -EINVAL;
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno || end == buf || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
