// SPDX-License-Identifier: MIT
#include "rt/json.h"

#include "rt/console.h"
#include "rt/fmt.h"

static void json_putc(struct json *j, char c)
{
	if (j->len + 2 < JSON_LINE_MAX)	/* room for the final "}\n" */
		j->buf[j->len++] = c;
	else
		j->overflow = true;
}

static void json_raw(struct json *j, const char *s)
{
	while (*s)
		json_putc(j, *s++);
}

/* A JSON string (RFC 8259, 7): quote, backslash and controls escaped. */
static void json_string(struct json *j, const char *s)
{
	json_putc(j, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			json_putc(j, '\\');
			json_putc(j, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			char esc[8];

			fmt_snprintf(esc, sizeof(esc), "\\u%04x", c);
			json_raw(j, esc);
		} else {
			json_putc(j, (char)c);
		}
	}
	json_putc(j, '"');
}

static void json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		json_putc(j, ',');
	j->need_comma[j->depth] = true;
	if (key) {
		json_string(j, key);
		json_putc(j, ':');
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	json_putc(j, c);
	if (j->depth + 1 < JSON_DEPTH_MAX)
		j->depth++;
	else
		j->overflow = true;
	j->need_comma[j->depth] = false;
}

static void json_close(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	json_putc(j, c);
}

void json_begin(struct json *j, const char *event)
{
	j->len = 0;
	j->depth = 0;
	j->overflow = false;
	j->need_comma[0] = false;
	json_open(j, NULL, '{');
	json_kv_str(j, "event", event);
}

void json_kv_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	json_string(j, val ? val : "");
}

void json_kv_u64(struct json *j, const char *key, uint64_t v)
{
	char num[24];

	json_key(j, key);
	fmt_snprintf(num, sizeof(num), "%lu", v);
	json_raw(j, num);
}

void json_kv_i64(struct json *j, const char *key, int64_t v)
{
	char num[24];

	json_key(j, key);
	fmt_snprintf(num, sizeof(num), "%ld", v);
	json_raw(j, num);
}

void json_kv_hex(struct json *j, const char *key, uint64_t v)
{
	char num[24];

	json_key(j, key);
	fmt_snprintf(num, sizeof(num), "\"0x%lx\"", v);
	json_raw(j, num);
}

void json_kv_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	json_raw(j, v ? "true" : "false");
}

void json_kv_fixed(struct json *j, const char *key, int64_t v,
		   unsigned int decimals)
{
	uint64_t scale = 1, u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char num[48], frac[24];
	unsigned int i;

	if (decimals > 18)
		decimals = 18;
	for (i = 0; i < decimals; i++)
		scale *= 10;
	json_key(j, key);
	fmt_snprintf(num, sizeof(num), "%s%lu", v < 0 ? "-" : "", u / scale);
	json_raw(j, num);
	if (decimals == 0)
		return;
	u %= scale;
	frac[decimals] = '\0';
	for (i = decimals; i > 0; i--) {
		frac[i - 1] = (char)('0' + u % 10);
		u /= 10;
	}
	json_putc(j, '.');
	json_raw(j, frac);
}

void json_arr_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_obj_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_end(struct json *j)
{
	static const char overflow[] = "{\"event\":\"json_overflow\"}\n";

	if (j->overflow || j->depth != 1) {	/* cut or unbalanced */
		con_write(overflow, sizeof(overflow) - 1);
		return;
	}
	j->buf[j->len++] = '}';
	j->buf[j->len++] = '\n';
	con_write(j->buf, j->len);
}
