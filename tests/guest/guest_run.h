/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_GUEST_RUN_H
#define IOPATH_TESTS_GUEST_RUN_H

/*
 * Run iopath-vmm (or any command) as a child with a timeout, collect its
 * stdout (the guest console), stderr (the VMM's log) and exit status, and
 * pick out the guest's JSON lines.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct guest_result {
	int status;		/* exit code, or 128+signal, or -1 on timeout */
	bool timed_out;
	char *out;		/* stdout, NUL-terminated */
	char *err;		/* stderr, NUL-terminated */
	json_t *events;		/* array of every JSON object line on stdout */
};

/* Run @argv (NULL-terminated) for at most @timeout_s seconds. 0 or -errno. */
int guest_run(const char *const *argv, int timeout_s, struct guest_result *r);
void guest_result_free(struct guest_result *r);

/* The @nth (0-based) event whose "event" member is @name, or NULL. */
json_t *guest_event(const struct guest_result *r, const char *name,
		    unsigned nth);
/* How many events are called @name. */
unsigned guest_event_count(const struct guest_result *r, const char *name);

/* Print what the run produced (for failing tests). */
void guest_result_dump(const struct guest_result *r);

/* Paths from the build (set by CMake). */
const char *guest_vmm_path(void);
const char *guest_image_path(const char *name);

/* mkdtemp() on @tmpl ("/tmp/name-XXXXXX") / rm -rf it. 0 or -1. */
int guest_tmpdir_create(char *tmpl);
int guest_tmpdir_remove(const char *dir);

/* Exit 77 (ctest: skipped) with a reason if /dev/kvm cannot be used. */
void guest_require_kvm(void);

#endif
