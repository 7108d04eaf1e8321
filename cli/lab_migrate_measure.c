// SPDX-License-Identifier: MIT
/*
 * `iopath migrate --measure`: what the migration looks like from the
 * network. A ping from the lab's fabric namespace to the VM every
 * MIG_MEASURE_IV_MS (a sequenced stream any lab with a fabric can run,
 * whatever its VMs run), with timestamps: the longest time between two
 * replies is the gap the guest's peers saw, and the sequence numbers
 * missing in it and outside it are the requests lost.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/lab_migrate.h"

int mig_measure_start(struct mig_measure *ms, const struct lab *l,
		      const char *vm, const char *ip)
{
	char iv[16], *argv[16];
	unsigned int n = 0;

	ms->pid = 0;
	if (!ip || !ip[0] || !l->netns[0]) {
		fprintf(stderr, "iopath: --measure pings the VM from the "
			"fabric namespace: vm '%s' needs ip= and the lab a "
			"fabric\n", vm);
		return -ENOTSUP;
	}
	snprintf(ms->out, sizeof(ms->out), "%s/measure-%s.ping", l->rundir,
		 vm);
	snprintf(iv, sizeof(iv), "0.%03d", MIG_MEASURE_IV_MS);
	argv[n++] = "ip";
	argv[n++] = "netns";
	argv[n++] = "exec";
	argv[n++] = (char *)l->netns;
	argv[n++] = "ping";
	argv[n++] = "-D";	/* timestamps: the gap is between replies */
	argv[n++] = "-n";
	argv[n++] = "-i";
	argv[n++] = iv;
	argv[n++] = "-W";
	argv[n++] = "1";
	argv[n++] = (char *)ip;
	argv[n] = NULL;
	ms->pid = lab_proc_spawn_tied(argv, ms->out, "/dev/null");
	if (ms->pid < 0)
		return (int)ms->pid;
	mig_sleep_ms(1000);	/* a baseline before the migration */
	return 0;
}

/* Stop the stream and read it: the longest gap between two replies, the
 * requests lost in it and outside it. */
void mig_measure_stop(struct mig_measure *ms)
{
	long long prev = -1, gap_seq = 0, last = -1, got = 0, lost = 0;
	double prev_t = 0, gap = 0;
	char line[512];
	FILE *f;

	mig_sleep_ms(1000);	/* after it too */
	kill(ms->pid, SIGINT);
	waitpid(ms->pid, NULL, 0);
	f = fopen(ms->out, "re");
	while (f && fgets(line, sizeof(line), f)) {
		const char *s = strstr(line, "icmp_seq=");
		double t;
		long long seq;

		if (line[0] != '[' || !s || !strstr(line, "bytes from") ||
		    sscanf(line + 1, "%lf", &t) != 1 ||
		    sscanf(s + 9, "%lld", &seq) != 1 || seq <= last)
			continue;
		got++;
		if (prev >= 0) {
			lost += seq - last - 1;
			if (t - prev_t > gap) {
				gap = t - prev_t;
				gap_seq = seq - last - 1;
			}
		}
		prev = seq;
		last = seq;
		prev_t = t;
	}
	if (f)
		fclose(f);
	ms->res = json_pack("{s:i,s:I,s:I,s:f,s:I,s:I}", "interval_ms",
			    MIG_MEASURE_IV_MS, "sent", (json_int_t)(last + 1),
			    "received", (json_int_t)got, "gap_ms",
			    got > 1 ? gap * 1000 : -1.0, "lost_in_gap",
			    (json_int_t)gap_seq, "lost_outside",
			    (json_int_t)(lost - gap_seq));
}
