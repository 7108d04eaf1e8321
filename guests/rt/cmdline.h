/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_CMDLINE_H
#define IOPATH_GUEST_RT_CMDLINE_H

/*
 * The boot command line as key=value words:
 * `app=pktgen dst=10.0.0.2 size=64`. Words without '=' (a Multiboot
 * loader's kernel path) are ignored. The last occurrence of a key wins.
 */
#include <stdbool.h>
#include <stdint.h>

void cmdline_init(const char *cmdline);
/* The value of key, or NULL. Valid for the program's lifetime. */
const char *cmdline_get(const char *key);
/* Decimal, or hex with 0x; def when absent or malformed. */
uint64_t cmdline_get_u64(const char *key, uint64_t def);
/* True if the comma-separated value of key lists item (`test=a,b`). */
bool cmdline_list_has(const char *key, const char *item);

#endif
