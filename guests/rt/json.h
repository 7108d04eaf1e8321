/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_RT_JSON_H
#define IOPATH_GUEST_RT_JSON_H

/*
 * One JSON record per console line, the host's interface to guest results:
 *
 *   struct json j;
 *   json_begin(&j, "test");            {"event":"test"
 *   json_kv_str(&j, "name", "timer");  ,"name":"timer"
 *   json_kv_u64(&j, "ticks", 50);      ,"ticks":50
 *   json_end(&j);                      }\n, written in one console burst
 *
 * Keys are NULL for array elements. Numbers that do not fit a double
 * exactly (addresses) go out as "0x..." strings (json_kv_hex).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A failover netdev's counters hold both members' (net/failover.h): an
 * app's record with them passed 2048 bytes. On the app's stack, of 64K. */
#define JSON_LINE_MAX	4096
#define JSON_DEPTH_MAX	8

struct json {
	size_t len;
	int depth;
	bool need_comma[JSON_DEPTH_MAX];
	bool overflow;
	char buf[JSON_LINE_MAX];
};

void json_begin(struct json *j, const char *event);
void json_kv_str(struct json *j, const char *key, const char *val);
void json_kv_u64(struct json *j, const char *key, uint64_t v);
void json_kv_i64(struct json *j, const char *key, int64_t v);
void json_kv_hex(struct json *j, const char *key, uint64_t v);
void json_kv_bool(struct json *j, const char *key, bool v);
/* v / 10^decimals as a JSON number, e.g. (12345, 3) -> 12.345 */
void json_kv_fixed(struct json *j, const char *key, int64_t v,
		   unsigned int decimals);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
/* Closes the record and writes it with a newline. */
void json_end(struct json *j);

#endif
