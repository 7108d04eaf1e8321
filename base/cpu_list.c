// SPDX-License-Identifier: MIT
/* CPU lists for pinning threads (cpu_list.h). */
#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/cpu_list.h"
#include "base/errmsg.h"

void cpu_list_allowed(char *buf, size_t len)
{
	cpu_set_t set;
	size_t off = 0;
	int c = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	while (c < CPU_SETSIZE) {
		int first = c, n;

		if (!CPU_ISSET(c, &set)) {
			c++;
			continue;
		}
		while (c + 1 < CPU_SETSIZE && CPU_ISSET(c + 1, &set))
			c++;
		n = first == c ? snprintf(buf + off, len - off, "%s%d",
					  off ? "," : "", c)
			       : snprintf(buf + off, len - off, "%s%d-%d",
					  off ? "," : "", first, c);
		if (n < 0 || (size_t)n >= len - off)
			return;
		off += (size_t)n;
		c++;
	}
}

int cpu_list_parse(const char *s, int *cpus, unsigned max, unsigned *n,
		   char *err, size_t errlen)
{
	char allowed[128];
	cpu_set_t set;
	unsigned k = 0;

	if (max > CPU_LIST_MAX)
		max = CPU_LIST_MAX;
	if (sched_getaffinity(0, sizeof(set), &set))
		return errmsg_invalid(err, errlen, "cannot read this "
				      "process's CPUs: %m");
	for (;;) {
		char *end;
		long c;

		errno = 0;
		c = strtol(s, &end, 10);
		/* digits only: strtol would take " 1" and "+1" */
		if (!isdigit((unsigned char)*s) || errno || end == s ||
		    (*end && *end != ','))
			return errmsg_invalid(err, errlen, "'%s': want CPU "
					      "numbers, as 1 or 0,1", s);
		if (k == max)
			return errmsg_invalid(err, errlen, "at most %u "
					      "CPU%s", max, max == 1 ? "" : "s");
		if (c >= CPU_SETSIZE || !CPU_ISSET((int)c, &set)) {
			cpu_list_allowed(allowed, sizeof(allowed));
			return errmsg_invalid(err, errlen, "CPU %ld is not one "
					      "this process may use (%s)", c,
					      allowed);
		}
		cpus[k++] = (int)c;
		if (!*end)
			break;
		s = end + 1;
	}
	*n = k;
	return 0;
}
