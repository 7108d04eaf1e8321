/* SPDX-License-Identifier: MIT */
/*
 * `iopath migrate`'s parts (private to cli/lab_migrate*.c): the hand-off
 * to the lab's supervisor (lab_migrate_handoff.c) and --measure's ping
 * stream (lab_migrate_measure.c). The command is lab_migrate.c.
 */
#ifndef IOPATH_CLI_LAB_MIGRATE_H
#define IOPATH_CLI_LAB_MIGRATE_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cli/lab.h"

#define MIG_MEASURE_IV_MS	1	/* --measure's ping interval */

void mig_sleep_ms(long ms);

/* Does the stats file @path say its VMM exited "migrated to ..."? */
bool mig_stats_migrated(const char *path);
/* RUNDIR/migrating-VM.json, the hand-off of VM @vm. */
void mig_handoff_path(const struct lab *l, const char *vm, char *buf,
		      size_t len);
/* Write it: @src (pid, stats @src_stats) is becoming @dst on @host. */
int mig_handoff_write(const struct lab *l, const struct lab_proc *src,
		      const struct lab_proc *dst, const char *host,
		      const char *src_stats);

struct mig_measure {
	pid_t pid;			/* the ping, 0 if none */
	char out[LAB_PATH_MAX + 32];	/* its output */
	json_t *res;			/* the figures, once stopped */
};

/* Ping @ip from the lab's fabric every MIG_MEASURE_IV_MS; returns after
 * a second of baseline. 0 or -errno (said on stderr). */
int mig_measure_start(struct mig_measure *ms, const struct lab *l,
		      const char *vm, const char *ip);
/* A second more, then stop it and read it into ms->res. */
void mig_measure_stop(struct mig_measure *ms);

#endif
