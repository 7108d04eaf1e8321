/* SPDX-License-Identifier: MIT */
/*
 * Looking at a running lab: `iopath capture` (a switch port to pcap) and
 * `iopath top` (per-port rates and per-VM exits per second).
 */
#ifndef IOPATH_CLI_MONITOR_H
#define IOPATH_CLI_MONITOR_H

#include <stdbool.h>

/* Capture @port of lab @lab (NULL: the only one) into @file until Ctrl-C
 * or @seconds (0: no limit). */
int capture_run(const char *lab, const char *port, const char *file,
		double seconds, const char *filter);

/* Refresh every @interval_s until Ctrl-C; @once: one refresh, then exit. */
int top_run(const char *lab, double interval_s, bool once);

#endif
