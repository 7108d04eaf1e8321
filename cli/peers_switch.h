/* SPDX-License-Identifier: MIT */
/*
 * The switches `iopath bench --switch-peers` compares: iopath-switch and
 * Open vSwitch with DPDK (userspace datapath), each with two vhost-user
 * ports for testpmd and its forwarding thread on CPU 1 (testpmd's on CPU
 * 0), started for a block of trials and stopped after it so that only one
 * busy-polling switch runs at a time.
 *
 * Everything lives in a scratch directory of the caller's; OVS also gets
 * its own database, run directory and network namespace (its bridge's
 * internal port is a kernel tap device; in a namespace of ours it
 * touches nothing on the host).
 */
#ifndef IOPATH_CLI_PEERS_SWITCH_H
#define IOPATH_CLI_PEERS_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* PEER_DPDK_IO is the ceiling, not a switch: testpmd's io forwarding
 * between two vhost ports (no lookup, no learning), what DPDK itself
 * moves through this loop on this machine. */
enum peer_kind { PEER_IOPATH, PEER_OVS, PEER_DPDK_IO, PEER_KINDS };

#define OVS_VSWITCHD_DPDK "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"

struct peer_switch {
	enum peer_kind kind;
	char dir[200];			/* this peer's files */
	char sock[2][260];		/* vhost-user socket of each port */
	bool testpmd_server;		/* testpmd listens, switch dials */
	char lcores[32];		/* testpmd's --lcores to go with it */
	char log[260];			/* where to look when it fails */
	pid_t pid;			/* iopath-switch, or ovs-vswitchd */
	pid_t db_pid;			/* ovsdb-server */
	char netns[40];			/* OVS's namespace */
	char prefix[64];		/* the switch's DPDK --file-prefix */
};

const char *peer_name(enum peer_kind k);
/* Remove what runs of ours that were killed outright (SIGKILL: their
 * children die with them, their files do not) left behind: scratch
 * directories, OVS namespaces and DPDK run directories named after a
 * pid that no longer exists. */
void peers_sweep_stale(void);
/* Can this peer run here? If not, false and @why says what to install. */
bool peer_available(enum peer_kind k, const char *bindir, char *why,
		    size_t whylen);
/* Start @k with files under @scratch (which exists). 0 or -errno, with
 * @why filled. On failure nothing of it is left running. */
int peer_switch_start(struct peer_switch *p, enum peer_kind k,
		      const char *scratch, const char *bindir, char *why,
		      size_t whylen);
/* Stop it and remove its namespace, DPDK run directory and files (but
 * for its logs when @keep_logs). */
void peer_switch_stop(struct peer_switch *p, bool keep_logs);

#endif
