/* SPDX-License-Identifier: MIT */
/*
 * The I/O paths the front end knows, and whether this build has them.
 * One table (paths.c): when the pv or vf path lands, its row says how to
 * detect it and how to ask iopath-vmm for such a NIC; nothing else in
 * the front end changes.
 */
#ifndef IOPATH_CLI_PATHS_H
#define IOPATH_CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/topo.h"

struct path_info {
	enum topo_nic_path path;
	const char *name;		/* "emu" */
	const char *what;		/* one line for tables */
	const char *nic_kind;		/* iopath-vmm --nic KIND,... */
};

/* The row for @p. */
const struct path_info *path_info(enum topo_nic_path p);

/*
 * Does @bindir/iopath-vmm offer path @p? emu always; the others when the
 * VMM's --help lists "--nic KIND" (or IOPATH_PATHS=emu,pv,... forces the
 * answer, for testing the front end ahead of a path). If not, @why says
 * so. Cached per process.
 */
bool path_available(const char *bindir, enum topo_nic_path p, char *why,
		    size_t whylen);

/*
 * The SR-IOV NIC a front-end switch hosts when NICs of path vf use it
 * (iopath-switch --sriov PATH_SRIOV_NIC:vfs=N); their --nic names it.
 */
#define PATH_SRIOV_NIC	"sriov0"

/* Format the --nic argument for a NIC of path @p on switch socket @sock. */
int path_nic_arg(enum topo_nic_path p, const unsigned char mac[6], int vlan,
		 const char *sock, const char *port, char *buf, size_t len);

#endif
