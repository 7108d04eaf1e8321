/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_BASE_LOG_H
#define IOPATH_BASE_LOG_H

/*
 * One logger for every host process. Each .c file names its subsystem by
 * defining LOG_SUBSYS before including this header:
 *
 *	#define LOG_SUBSYS "pci"
 *	#include "base/log.h"
 *	...
 *	log_warn("bad BAR write at %#x", off);
 *
 * Lines look like "iopath-vmm[vm1] pci: warn: bad BAR write at 0x10".
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Name the process in every line ("iopath-vmm[vm1]"); copies the string. */
void log_set_ident(const char *ident);
/* Lines above @level are dropped. */
void log_set_level(enum log_level level);
/* Also append every line to @path. Returns 0 or -errno. */
int log_open_file(const char *path);
/* Write to stderr or not (the file still gets every line). */
void log_set_stderr(bool on);

void log_write(enum log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vwrite(enum log_level level, const char *subsys, const char *fmt,
		va_list ap);

/*
 * Rate limit for messages a guest or a peer can trigger: at most @burst
 * lines per @interval_ms; the rest are counted and reported with the next
 * line that gets through. Zero-initialise with LOG_RATELIMIT_INIT.
 */
struct log_ratelimit {
	uint64_t window_start_ns;
	uint32_t interval_ms;
	uint32_t burst;
	uint32_t printed;
	uint32_t suppressed;
};
#define LOG_RATELIMIT_INIT(ms, n) { .interval_ms = (ms), .burst = (n) }

/* True if a line may be printed now. Thread-safe enough for counters. */
bool log_ratelimit_ok(struct log_ratelimit *rl);

#ifndef LOG_SUBSYS
#define LOG_SUBSYS "main"
#endif

#define log_err(...)	log_write(LOG_LEVEL_ERR, LOG_SUBSYS, __VA_ARGS__)
#define log_warn(...)	log_write(LOG_LEVEL_WARN, LOG_SUBSYS, __VA_ARGS__)
#define log_info(...)	log_write(LOG_LEVEL_INFO, LOG_SUBSYS, __VA_ARGS__)
#define log_debug(...)	log_write(LOG_LEVEL_DEBUG, LOG_SUBSYS, __VA_ARGS__)

/* A warning a guest can trigger: rate-limited per call site. */
#define log_guest_warn(...)						\
	do {								\
		static struct log_ratelimit rl_ =			\
			LOG_RATELIMIT_INIT(1000, 10);			\
		if (log_ratelimit_ok(&rl_))				\
			log_warn(__VA_ARGS__);				\
	} while (0)

/* Print "fatal: ..." and exit(1). Only for main() and set-up paths. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
