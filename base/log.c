// SPDX-License-Identifier: MIT
/* The logger: stderr and an optional file, one line per write. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"

static char log_ident[64] = "iopath";
static enum log_level log_level = LOG_LEVEL_INFO;
static int log_fd = -1;
static bool log_to_stderr = true;

static const char *const level_names[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_set_ident(const char *ident)
{
	snprintf(log_ident, sizeof(log_ident), "%s", ident);
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

void log_set_stderr(bool on)
{
	log_to_stderr = on;
}

int log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void log_vwrite(enum log_level level, const char *subsys, const char *fmt,
		va_list ap)
{
	char line[1024];
	int n;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s %s: %s: ", log_ident, subsys,
		     level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* One write() per line so lines from several threads never interleave. */
	if (log_to_stderr && write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report it */
	}
	if (log_fd >= 0 && write(log_fd, line, n) < 0) {
		/* likewise */
	}
}

void log_write(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, subsys, fmt, ap);
	va_end(ap);
}

bool log_ratelimit_ok(struct log_ratelimit *rl)
{
	uint64_t now = clock_mono_ns();

	if (now - rl->window_start_ns > (uint64_t)rl->interval_ms * 1000000ull) {
		if (rl->suppressed)
			log_write(LOG_LEVEL_WARN, "log",
				  "%u similar messages suppressed",
				  rl->suppressed);
		rl->window_start_ns = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < rl->burst) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERR, "fatal", fmt, ap);
	va_end(ap);
	exit(1);
}
