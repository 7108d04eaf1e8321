/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_MAC_H
#define IOPATH_BASE_MAC_H

/*
 * Ethernet MAC addresses as text. One syntax everywhere (command lines,
 * topology files, control commands): six colon-separated groups of one or
 * two hex digits, nothing before or after.
 */

#include <stdbool.h>
#include <stdint.h>

#define MAC_STR_LEN 18	/* "aa:bb:cc:dd:ee:ff" and its NUL */

/* Any address, group ones included (an FDB key, a capture filter). */
int mac_parse(const char *s, uint8_t mac[6]);

/*
 * A station address, what a NIC may be given: not a group address (I/G
 * bit, IEEE 802-2014 8.2) and not all zeros. -EINVAL for a malformed
 * string, -EDOM for a well-formed address that is not a station's.
 */
int mac_parse_unicast(const char *s, uint8_t mac[6]);

bool mac_is_unicast(const uint8_t mac[6]);

/* Lower-case "aa:bb:cc:dd:ee:ff" into @out (MAC_STR_LEN bytes). */
void mac_format(const uint8_t mac[6], char out[MAC_STR_LEN]);

#endif
