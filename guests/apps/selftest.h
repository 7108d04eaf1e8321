/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_APPS_SELFTEST_H
#define IOPATH_GUEST_APPS_SELFTEST_H

/*
 * selftest subtests. Each prints one record,
 *   {"event":"test","name":"<name>","ok":true|false,["skipped":true,
 *    "reason":"..."],<numbers>...}
 * and returns its outcome.
 */
#include "rt/json.h"

enum st_outcome {
	ST_PASS,
	ST_FAIL,
	ST_SKIP,
};

/* Starts a test record; finish with st_end. */
void st_begin(struct json *j, const char *name);
enum st_outcome st_end(struct json *j, bool ok);
enum st_outcome st_skip(const char *name, const char *reason);

enum st_outcome st_timer(void);
enum st_outcome st_sleep(void);
enum st_outcome st_msi(void);
enum st_outcome st_msix(void);
enum st_outcome st_exceptions(void);
enum st_outcome st_smp(void);
enum st_outcome st_pcifuzz(void);
/* Takes an unarmed fault of kind "pf", "gp", "de" or "ud": the kernel
 * reports it and exits. Returns only for an unknown kind. */
void st_fault_unarmed(const char *kind);

#endif
