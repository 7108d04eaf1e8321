// SPDX-License-Identifier: MIT
/*
 * The topology parser (cli/topo_parse.c, YAML through libyaml) on any
 * file. It must answer either an error, "fuzz.yaml:LINE: what" with a
 * line of the file, or a topology that keeps every promise topo.h makes
 * (counts within their limits, names that are names, references that
 * point at something, MACs that are unicast and set). The same input with
 * a short error buffer (sized exactly, so ASan sees one byte too many)
 * must give the same verdict. Leaks show up under LeakSanitizer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/topo.h"
#include "tests/fuzz/fuzz.h"

#define FNAME	"fuzz.yaml"

static void fz_name(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0 || n == max || !isalnum((unsigned char)s[0]))
		abort();
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			abort();
}

static void fz_text(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!isprint((unsigned char)s[i]))
			abort();
}

static void fz_check_topo(const struct topo *t)
{
	fz_name(t->name, sizeof(t->name));
	if (t->nhosts < 1 || t->nhosts > TOPO_HOSTS_MAX ||
	    t->nvms > TOPO_VMS_MAX || (unsigned)t->on_exit > TOPO_EXIT_KEEP)
		abort();
	fz_text(t->fabric.ip, sizeof(t->fabric.ip));
	for (unsigned h = 0; h < t->nhosts; h++) {
		const struct topo_host *ho = &t->hosts[h];

		fz_name(ho->name, sizeof(ho->name));
		if (ho->nuplinks > TOPO_UPLINKS_MAX ||
		    ho->nteams > TOPO_TEAMS_MAX)
			abort();
		for (unsigned u = 0; u < ho->nuplinks; u++) {
			fz_name(ho->uplinks[u].name, TOPO_NAME_MAX);
			fz_text(ho->uplinks[u].vdev, TOPO_TEXT_MAX);
			if (ho->uplinks[u].fabric == !!ho->uplinks[u].vdev[0])
				abort();	/* one or the other */
		}
		for (unsigned k = 0; k < ho->nteams; k++) {
			const struct topo_team *tm = &ho->teams[k];

			fz_name(tm->name, sizeof(tm->name));
			if (tm->nmembers < 1 ||
			    tm->nmembers > TOPO_UPLINKS_MAX)
				abort();
			for (unsigned m = 0; m < tm->nmembers; m++)
				if (tm->members[m] >= ho->nuplinks)
					abort();	/* dangling member */
		}
	}
	for (unsigned v = 0; v < t->nvms; v++) {
		const struct topo_vm *vm = &t->vms[v];

		fz_name(vm->name, sizeof(vm->name));
		fz_text(vm->image, sizeof(vm->image));
		fz_text(vm->cmdline, sizeof(vm->cmdline));
		if (vm->host >= t->nhosts || vm->nnics > TOPO_NICS_MAX ||
		    vm->cpus < 1 || vm->cpus > 8 ||
		    vm->memory < (16ull << 20) || vm->memory > (16ull << 30) ||
		    vm->memory % (2ull << 20))
			abort();
		for (unsigned n = 0; n < vm->nnics; n++) {
			const struct topo_nic *nic = &vm->nics[n];

			if (!nic->has_mac || (nic->mac[0] & 1) ||
			    (unsigned)nic->path > TOPO_PATH_VF ||
			    nic->vlan < 0 || nic->vlan > 4094)
				abort();
		}
	}
}

/*
 * Lines as YAML counts them, at most (\r\n counts twice here), plus one:
 * libyaml puts the end of a stream that lacks a final line break on the
 * line after, and says so in errors about an unexpected end.
 */
static unsigned fz_lines(const uint8_t *data, size_t size)
{
	unsigned n = 2;

	/* Also NEL, LS and PS (U+0085, U+2028, U+2029): a byte of each. */
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 ||
		     data[i] == 0x28 || data[i] == 0x29;
	return n;
}

static void fz_check_err(const char *err, const uint8_t *data, size_t size)
{
	const char *p = err + strlen(FNAME ":");
	char *end;
	long line;

	if (strncmp(err, FNAME ":", strlen(FNAME ":")) ||
	    !isdigit((unsigned char)*p))
		abort();	/* no "file:line:" */
	line = strtol(p, &end, 10);
	if (*end != ':' || line < 1 || line > (long)fz_lines(data, size))
		abort();	/* no line, or one the file does not have */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topo t, t2;
	char err[512];
	size_t short_len = 1 + size % 48;
	char *short_err = malloc(short_len);
	int rc, rc2;

	if (!short_err)
		abort();
	rc = topo_parse_buf((const char *)data, size, FNAME, &t, err,
			    sizeof(err));
	if (rc == 0)
		fz_check_topo(&t);
	else if (rc == -EINVAL)
		fz_check_err(err, data, size);
	else if (rc != -ENOMEM)
		abort();
	rc2 = topo_parse_buf((const char *)data, size, FNAME, &t2, short_err,
			     short_len);
	if (rc2 != rc || strnlen(short_err, short_len) == short_len ||
	    (rc == 0 && memcmp(&t, &t2, sizeof(t))))
		abort();	/* the error buffer changed the verdict */
	free(short_err);
	return 0;
}

/* Seeds: tests/fuzz/corpus/fuzz_topo/ (YAML files). */
unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	*out = NULL;
	return 0;
}
