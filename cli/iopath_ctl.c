// SPDX-License-Identifier: MIT
/*
 * iopath-ctl: one request to a control socket (iopath-switch or
 * iopath-vmm; both speak JSON lines, core/ctl.h), answer printed as JSON.
 *
 *   iopath-ctl [--raw] [--timeout MS] SOCKET COMMAND [key=value ...]
 *
 * builds {"cmd":COMMAND, key:value, ...}. How a value is typed:
 *
 *   key:=JSON     the value is parsed as JSON as is (key:='[1,2]',
 *                 port:='"42"'), for anything the rules below would get
 *                 wrong;
 *   list keys     "members", "allowed", "ports", "vlans" are always
 *                 arrays, split at '+' or ',' (members=up0+up1,
 *                 members=up0); each element typed as below. No other
 *                 key is split: vdev strings and filters keep their
 *                 commas;
 *   key=42        a whole decimal (or 0x hex) number becomes a number;
 *   key=true|false|null  become JSON true, false, null;
 *   key=text      anything else is a string.
 *
 * Exit status: 0 when the answer says "ok": true, 1 when it says false,
 * 2 for usage errors or when the socket cannot be reached.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/ctl.h"

#define CTL_DEFAULT_TIMEOUT_MS	10000

static const char *const list_keys[] = {
	"members", "allowed", "ports", "vlans",
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: iopath-ctl [--raw] [--timeout MS] SOCKET COMMAND "
		"[key=value ...]\n"
		"  key=value   number, true/false/null, else string\n"
		"  key:=JSON   raw JSON value\n"
		"  members/allowed/ports/vlans are arrays: a+b or a,b\n"
		"exit: 0 ok, 1 the command failed, 2 usage or connection "
		"error\n");
}

static bool key_is_list(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]); i++)
		if (strcmp(key, list_keys[i]) == 0)
			return true;
	return false;
}

/* One scalar: number, boolean, null or string. */
static json_t *ctl_scalar(const char *s)
{
	char *end;
	long long v;

	if (strcmp(s, "true") == 0)
		return json_true();
	if (strcmp(s, "false") == 0)
		return json_false();
	if (strcmp(s, "null") == 0)
		return json_null();
	if (*s) {
		errno = 0;
		v = strtoll(s, &end, 0);
		/* "010" stays a string? No: strtoll base 0 reads octal;
		 * only accept plain decimal or 0x so "010" is ten. */
		if (s[0] == '0' && s[1] && s[1] != 'x' && s[1] != 'X')
			v = strtoll(s, &end, 10);
		if (!*end && errno == 0)
			return json_integer(v);
	}
	return json_string(s);
}

static json_t *ctl_list(const char *s)
{
	json_t *arr = json_array();
	char *copy = strdup(s), *save = NULL, *tok;

	if (!arr || !copy) {
		json_decref(arr);
		free(copy);
		return NULL;
	}
	for (tok = strtok_r(copy, "+,", &save); tok;
	     tok = strtok_r(NULL, "+,", &save))
		json_array_append_new(arr, ctl_scalar(tok));
	free(copy);
	return arr;
}

/* Add one "key=value" or "key:=json" argument to @req. 0 or -1. */
static int ctl_add_arg(json_t *req, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[128];
	size_t klen;
	json_t *val;
	bool raw = false;

	if (!eq || eq == arg) {
		fprintf(stderr, "iopath-ctl: \"%s\" is not key=value\n", arg);
		return -1;
	}
	klen = (size_t)(eq - arg);
	if (arg[klen - 1] == ':') {
		raw = true;
		klen--;
	}
	if (klen == 0 || klen >= sizeof(key)) {
		fprintf(stderr, "iopath-ctl: bad key in \"%s\"\n", arg);
		return -1;
	}
	memcpy(key, arg, klen);
	key[klen] = '\0';
	if (strcmp(key, "cmd") == 0) {
		fprintf(stderr,
			"iopath-ctl: \"cmd\" is the COMMAND argument\n");
		return -1;
	}
	if (raw) {
		json_error_t jerr;

		val = json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
		if (!val) {
			fprintf(stderr, "iopath-ctl: %s: bad JSON: %s\n", key,
				jerr.text);
			return -1;
		}
	} else if (key_is_list(key)) {
		val = ctl_list(eq + 1);
	} else {
		val = ctl_scalar(eq + 1);
	}
	if (!val || json_object_set_new(req, key, val) < 0) {
		fprintf(stderr, "iopath-ctl: out of memory\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int timeout_ms = CTL_DEFAULT_TIMEOUT_MS;
	bool raw_out = false;
	json_t *req, *resp, *ok;
	char *text;
	int i = 1, status;

	while (i < argc && argv[i][0] == '-' && argv[i][1] == '-') {
		if (strcmp(argv[i], "--raw") == 0) {
			raw_out = true;
			i++;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout_ms = atoi(argv[i + 1]);
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (argc - i < 2) {
		usage(stderr);
		return 2;
	}
	req = json_object();
	if (!req)
		return 2;
	json_object_set_new(req, "cmd", json_string(argv[i + 1]));
	for (int a = i + 2; a < argc; a++) {
		if (ctl_add_arg(req, argv[a]) < 0) {
			json_decref(req);
			return 2;
		}
	}
	resp = ctl_call(argv[i], req, timeout_ms);
	json_decref(req);
	if (!resp) {
		fprintf(stderr, "iopath-ctl: %s: %s\n", argv[i],
			strerror(errno));
		return 2;
	}
	text = json_dumps(resp, raw_out ? JSON_COMPACT
					: JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text) {
		puts(text);
		free(text);
	}
	ok = json_object_get(resp, "ok");
	status = json_is_true(ok) ? 0 : 1;
	json_decref(resp);
	return status;
}
