// SPDX-License-Identifier: MIT
/*
 * MAC addresses as text (mac.h). Freestanding on purpose: the guest
 * programs (guests/) compile this file too, without a libc, so it uses
 * nothing but <errno.h>'s numbers (Linux's, as the guest runtime's).
 */
#include <errno.h>

#include "base/mac.h"

static int mac_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * By hand rather than sscanf("%x"): %x takes signs, "0x" prefixes,
 * leading blanks and any number of digits, none of which is a MAC.
 */
int mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t out[6];

	if (!s)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = mac_hex(*s), lo;

		if (hi < 0)
			return -EINVAL;
		s++;
		lo = mac_hex(*s);
		if (lo >= 0) {
			hi = hi * 16 + lo;
			s++;
		}
		out[i] = (uint8_t)hi;
		if (*s != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		if (i < 5)
			s++;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = out[i];
	return 0;
}

bool mac_is_unicast(const uint8_t mac[6])
{
	return !(mac[0] & 1) &&
	       (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

int mac_parse_unicast(const char *s, uint8_t mac[6])
{
	uint8_t m[6];
	int ret = mac_parse(s, m);

	if (ret < 0)
		return ret;
	if (!mac_is_unicast(m))
		return -EDOM;
	for (int i = 0; i < 6; i++)
		mac[i] = m[i];
	return 0;
}

void mac_format(const uint8_t mac[6], char out[MAC_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		out[3 * i] = hex[mac[i] >> 4];
		out[3 * i + 1] = hex[mac[i] & 0xf];
		out[3 * i + 2] = i < 5 ? ':' : '\0';
	}
}
