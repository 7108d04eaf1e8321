// SPDX-License-Identifier: MIT
/*
 * `iopath capture PORT FILE`: find which of the lab's switches has PORT,
 * start its capture, stop it on Ctrl-C (or after --seconds) and print
 * what was written. The switch writes the file: a relative path is made
 * absolute here, since the switch's working directory is not ours.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab.h"
#include "cli/monitor.h"
#include "core/ctl.h"

static volatile sig_atomic_t cap_stop;

static void cap_on_signal(int sig)
{
	cap_stop = 1;
}

static bool switch_has_port(const char *ctl, const char *port)
{
	json_t *req = json_pack("{s:s}", "cmd", "show-ports");
	json_t *ans = ctl_call(ctl, req, 2000), *p;
	bool found = false;
	size_t i;

	json_decref(req);
	json_array_foreach(json_object_get(ans, "ports"), i, p)
		if (!strcmp(json_string_value(json_object_get(p, "name")) ?: "",
			    port))
			found = true;
	json_decref(ans);
	return found;
}

static json_t *cap_call(const char *ctl, const char *cmd, const char *port,
			const char *file, const char *filter)
{
	json_t *req = json_pack("{s:s,s:s}", "cmd", cmd, "port", port);
	json_t *ans;

	if (file)
		json_object_set_new(req, "file", json_string(file));
	if (filter && *filter)
		json_object_set_new(req, "filter", json_string(filter));
	ans = ctl_call(ctl, req, 3000);
	json_decref(req);
	return ans;
}

int capture_run(const char *lab, const char *port, const char *file,
		double seconds, const char *filter)
{
	struct lab l;
	pid_t sup;
	char state[32], err[256], abs[PATH_MAX];
	const char *ctl = NULL;
	json_t *ans;
	char *s;
	int rc;

	rc = lab_state_read(lab, &l, &sup, state, sizeof(state), err,
			    sizeof(err));
	if (rc) {
		fprintf(stderr, "iopath: %s\n", err);
		return rc;
	}
	for (unsigned int i = 0; i < l.nprocs && !ctl; i++)
		if (l.procs[i].kind == LAB_PROC_SWITCH && !l.procs[i].exited &&
		    switch_has_port(l.procs[i].ctl, port))
			ctl = l.procs[i].ctl;
	if (!ctl) {
		fprintf(stderr, "iopath: no switch of lab %s has a port '%s' "
			"(see `iopath lab status`)\n", l.t.name, port);
		return -ENOENT;
	}
	if (file[0] == '/')
		snprintf(abs, sizeof(abs), "%s", file);
	else if (getcwd(abs, sizeof(abs) - strlen(file) - 2))
		strcat(strcat(abs, "/"), file);
	else
		return -errno;
	ans = cap_call(ctl, "capture-start", port, abs, filter);
	if (!ans || !json_is_true(json_object_get(ans, "ok"))) {
		json_t *e = json_object_get(ans, "error");
		const char *why = ans ? json_string_value(e) : strerror(errno);

		fprintf(stderr, "iopath: capture-start: %s\n",
			why ?: "refused");
		json_decref(ans);
		return -EIO;
	}
	json_decref(ans);
	fprintf(stderr, "capturing %s into %s%s\n", port, abs,
		seconds > 0 ? "" : "; Ctrl-C stops");
	signal(SIGINT, cap_on_signal);
	signal(SIGTERM, cap_on_signal);
	for (double t = 0; !cap_stop && (seconds <= 0 || t < seconds);
	     t += 0.1) {
		struct timespec ts = { 0, 100 * 1000000 };

		nanosleep(&ts, NULL);
	}
	ans = cap_call(ctl, "capture-stop", port, NULL, NULL);
	if (!ans) {
		fprintf(stderr, "iopath: capture-stop: %s\n", strerror(errno));
		return -EIO;
	}
	s = json_dumps(json_object_get(ans, "capture") ?: ans, JSON_COMPACT);
	printf("%s\n", s ? s : "{}");
	free(s);
	rc = json_is_true(json_object_get(ans, "ok")) ? 0 : -EIO;
	json_decref(ans);
	return rc;
}
