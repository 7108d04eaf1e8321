/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_JSON_COUNTERS_H
#define IOPATH_BASE_JSON_COUNTERS_H

/*
 * Counters into JSON objects (stats answers, results files). JSON
 * integers are signed 64-bit in jansson; a counter past INT64_MAX is
 * shown as INT64_MAX rather than as a negative number.
 */

#include <jansson.h>
#include <stdint.h>

static inline void json_counter_set(json_t *obj, const char *key, uint64_t v)
{
	json_object_set_new(obj, key,
			    json_integer(v > INT64_MAX ? INT64_MAX
						       : (json_int_t)v));
}

/* json_counter_set(obj, "field", (src).field): the field's own name. */
#define JSON_COUNTER(obj, src, field) \
	json_counter_set((obj), #field, (uint64_t)(src).field)

#endif
