/* SPDX-License-Identifier: MIT */
/*
 * The generator of `iopath bench --switch-peers`: dpdk-testpmd with two
 * virtio_user ports, driven over its interactive prompt.
 *
 * testpmd runs in "mac" forwarding with the loop port topology: a frame
 * received on port N goes back out of port N with its source set to N's
 * MAC and its destination to the other port's. After "start tx_first K"
 * each port has injected K bursts, and those frames circulate testpmd ->
 * switch -> testpmd for as long as forwarding runs. The loop's rate is the
 * rate the switch forwards at with a fixed number of frames in flight and
 * (once settled) no loss; every frame has a proper source MAC, so a
 * learning switch learns each port once and forwards known unicast.
 *
 * Why a loop and not txonly -> rxonly: on two cores, two generator
 * threads plus the switch's poller are three busy threads on two CPUs,
 * and the figure then measures the scheduler. The loop needs one
 * generator thread and the switch's one.
 */
#ifndef IOPATH_CLI_PEERS_TESTPMD_H
#define IOPATH_CLI_PEERS_TESTPMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TESTPMD_PATH	"/usr/bin/dpdk-testpmd"
#define TESTPMD_PORTS	2

struct testpmd {
	pid_t pid;
	int in_fd;			/* its stdin */
	int out_fd;			/* its stdout (stdbuf -oL) */
	FILE *log;			/* all it printed, for the user */
	char prefix[64];		/* DPDK --file-prefix */
	char buf[65536];		/* output not yet consumed */
	size_t len;
};

struct testpmd_opts {
	const char *sock[TESTPMD_PORTS];	/* vhost-user socket per port */
	bool server;			/* testpmd listens (OVS dials) */
	unsigned int frame;		/* bytes with FCS, 64..1518 */
	const char *lcores;		/* EAL --lcores */
	const char *prefix;		/* DPDK --file-prefix */
	const char *log;		/* file for its output */
};

struct testpmd_port_stats {
	uint64_t rx_packets, rx_missed, rx_errors;
	uint64_t tx_packets, tx_errors;
};

/* The EAL half of a testpmd command line with two --vdev ports, into
 * @argv from index 0 up to and including "--"; returns the count. The
 * strings are borrowed, not copied (15 of them). */
unsigned int testpmd_eal_args(char **argv, const char *prefix,
			      const char *lcores, const char *vdev0,
			      const char *vdev1);

/* Start testpmd and wait for its first prompt. 0 or -errno; on error
 * @why says what happened. */
int testpmd_start(struct testpmd *tp, const struct testpmd_opts *o,
		  char *why, size_t whylen);
/* Send one command and collect its output up to the next prompt into
 * @out (may be NULL). 0, -ETIMEDOUT or -EPIPE (testpmd went away). */
int testpmd_cmd(struct testpmd *tp, const char *cmd, char *out,
		size_t outlen, int timeout_ms);
/* Wait until every port reports "Link status: up". 0 or -ETIMEDOUT. */
int testpmd_wait_links(struct testpmd *tp, int timeout_ms);
/* Read both ports' counters. 0 or -errno. */
int testpmd_stats(struct testpmd *tp,
		  struct testpmd_port_stats st[TESTPMD_PORTS]);
/* Quit (politely, then by signal) and remove its DPDK run directory. */
void testpmd_stop(struct testpmd *tp);

/* Parse the text of "show port stats all" (pure, for tests). Returns the
 * number of ports found, or -EINVAL if the text is not that output. */
int testpmd_parse_stats(const char *text,
			struct testpmd_port_stats st[TESTPMD_PORTS]);

#endif
