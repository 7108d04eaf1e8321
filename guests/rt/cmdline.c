// SPDX-License-Identifier: MIT
#include "rt/cmdline.h"

#include "include/boot_info.h"
#include "rt/string.h"

/* A private copy with every space turned into NUL: words are strings. */
static char cmdline_buf[BOOT_CMDLINE_MAX];
static unsigned int cmdline_len;

void cmdline_init(const char *cmdline)
{
	unsigned int i;

	for (i = 0; i + 1 < sizeof(cmdline_buf) && cmdline[i]; i++)
		cmdline_buf[i] = cmdline[i] == ' ' || cmdline[i] == '\t'
				 ? '\0' : cmdline[i];
	cmdline_buf[i] = '\0';
	cmdline_len = i;
}

const char *cmdline_get(const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;
	unsigned int i = 0;

	while (i < cmdline_len) {
		const char *w = &cmdline_buf[i];
		size_t wlen = strlen(w);

		if (wlen > klen && w[klen] == '=' && !strncmp(w, key, klen))
			found = w + klen + 1;
		i += (unsigned int)wlen + 1;
	}
	return found;
}

static int cmdline_digit(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

uint64_t cmdline_get_u64(const char *key, uint64_t def)
{
	const char *v = cmdline_get(key);
	unsigned int base = 10;
	uint64_t n = 0;

	if (!v || !*v)
		return def;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X') && v[2]) {
		base = 16;
		v += 2;
	}
	for (; *v; v++) {
		int d = cmdline_digit(*v, base);

		if (d < 0)
			return def;
		n = n * base + (uint64_t)d;
	}
	return n;
}

bool cmdline_list_has(const char *key, const char *item)
{
	const char *v = cmdline_get(key);
	size_t n = strlen(item);

	while (v && *v) {
		if (!strncmp(v, item, n) && (v[n] == ',' || v[n] == '\0'))
			return true;
		while (*v && *v != ',')
			v++;
		if (*v == ',')
			v++;
	}
	return false;
}
