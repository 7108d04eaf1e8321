// SPDX-License-Identifier: MIT
/*
 * Reading testpmd's "show port stats all" (peers_testpmd.h). The text is
 * from another program and may change between DPDK releases: every field
 * we use must be there and be a number, or the whole answer is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/peers_testpmd.h"

/* "  NAME: 123" anywhere after @from (before @to); false if absent. */
static bool stat_field(const char *from, const char *to, const char *name,
		       uint64_t *v)
{
	const char *p = strstr(from, name);
	char *end;

	if (!p || (to && p >= to))
		return false;
	p += strlen(name);
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno == 0 && end != p;
}

int testpmd_parse_stats(const char *text,
			struct testpmd_port_stats st[TESTPMD_PORTS])
{
	static const char hdr[] = "NIC statistics for port ";
	const char *p = text;
	unsigned int seen = 0;
	int found = 0;

	memset(st, 0, sizeof(*st) * TESTPMD_PORTS);
	while ((p = strstr(p, hdr))) {
		const char *next;
		char *end;
		unsigned long port;
		struct testpmd_port_stats s;

		p += strlen(hdr);
		port = strtoul(p, &end, 10);
		if (end == p || port >= TESTPMD_PORTS || (seen & (1u << port)))
			return -EINVAL;
		seen |= 1u << port;
		next = strstr(end, hdr);
		if (!stat_field(end, next, "RX-packets:", &s.rx_packets) ||
		    !stat_field(end, next, "RX-missed:", &s.rx_missed) ||
		    !stat_field(end, next, "RX-errors:", &s.rx_errors) ||
		    !stat_field(end, next, "TX-packets:", &s.tx_packets) ||
		    !stat_field(end, next, "TX-errors:", &s.tx_errors))
			return -EINVAL;
		st[port] = s;
		found++;
		p = end;
	}
	return found ? found : -EINVAL;
}
