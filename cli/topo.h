/* SPDX-License-Identifier: MIT */
/*
 * Lab topologies: what a topology file (YAML) describes, after parsing and
 * checking. Every limit here exists because a name ends up in an interface
 * name (15 characters), a DPDK file prefix or a socket path.
 */
#ifndef IOPATH_CLI_TOPO_H
#define IOPATH_CLI_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Names of labs, hosts, VMs, uplinks and teams. */
#define TOPO_NAME_MAX		16
#define TOPO_HOSTS_MAX		8
#define TOPO_VMS_MAX		32
#define TOPO_UPLINKS_MAX	8
#define TOPO_TEAMS_MAX		4
#define TOPO_NICS_MAX		4
/* vdev strings, command lines, paths */
#define TOPO_TEXT_MAX		256
#define TOPO_PIN_MAX		8	/* vcpu_pin CPUs (iopath-vmm's vCPUs) */
#define TOPO_CPU_MAX		1023	/* highest CPU number a pin may name */

enum topo_nic_path { TOPO_PATH_EMU, TOPO_PATH_PV, TOPO_PATH_VF };

/* What the lab does when one of its processes ends by itself. */
enum topo_on_exit {
	TOPO_EXIT_DOWN_ON_FAILURE,	/* crash, non-zero exit: tear down */
	TOPO_EXIT_DOWN_ON_ANY,		/* any exit: tear down */
	TOPO_EXIT_KEEP,			/* report it, keep the rest */
};

struct topo_uplink {
	char name[TOPO_NAME_MAX];
	bool fabric;			/* a veth into the fabric bridge */
	char vdev[TOPO_TEXT_MAX];	/* otherwise: a DPDK vdev string */
	int line;
};

struct topo_team {
	char name[TOPO_NAME_MAX];
	char mode[16];		/* active-backup|balance-xor|802.3ad */
	char hash[8];		/* l2|l23|l34 or "" */
	unsigned int nmembers;
	unsigned int members[TOPO_UPLINKS_MAX];	/* uplink indexes */
	int line;
};

struct topo_host {
	char name[TOPO_NAME_MAX];
	bool poll;			/* iopath-switch --poll */
	/* The supervisor starts a switch that died again, with the same
	 * arguments; its VMs' NICs reattach (--nic reconnect). */
	bool restart;
	/* switch: pmd_cpu: iopath-switch --pmd-cpu (has_pmd_cpu) */
	bool has_pmd_cpu;
	unsigned int pmd_cpu;
	unsigned int nuplinks, nteams;
	struct topo_uplink uplinks[TOPO_UPLINKS_MAX];
	struct topo_team teams[TOPO_TEAMS_MAX];
	int line;
};

struct topo_nic {
	enum topo_nic_path path;
	uint8_t mac[6];
	bool has_mac;
	int vlan;			/* 0: untagged (access VLAN 1) */
	/* pv only: the standby of this VM's vf NIC with the same MAC (the
	 * MAC is the VF's if the file gives none). The guest teams the two,
	 * active-backup; it is what lets a VF VM migrate. */
	bool standby;
	int line;
};

struct topo_vm {
	char name[TOPO_NAME_MAX];
	unsigned int host;		/* index into topo.hosts */
	char image[TOPO_TEXT_MAX];
	uint64_t memory;		/* bytes */
	unsigned int cpus;
	/* vcpu_pin: iopath-vmm --vcpu-pin; none if nvcpu_pin is 0 */
	unsigned int vcpu_pin[TOPO_PIN_MAX], nvcpu_pin;
	char cmdline[TOPO_TEXT_MAX];
	unsigned int nnics;
	struct topo_nic nics[TOPO_NICS_MAX];
	int line;
};

struct topo_fabric {
	bool present;
	char ip[24];		/* "A.B.C.D/N" on the bridge, or "" */
	int line;
};

struct topo {
	char name[TOPO_NAME_MAX];
	enum topo_on_exit on_exit;
	unsigned int nhosts, nvms;
	struct topo_host hosts[TOPO_HOSTS_MAX];
	struct topo_vm vms[TOPO_VMS_MAX];
	struct topo_fabric fabric;
};

/* The image of a VM that names none: the lab fills in its own build's
 * guest (bindir/../guests/net.elf), wherever iopath runs from. An image
 * the file names is a path as given (relative: to the working dir). */
#define TOPO_DEFAULT_IMAGE	""

/*
 * Parse and check a topology held in memory; @fname names it in errors.
 * Returns 0, or -EINVAL with "FNAME:LINE: what" in @err (-ENOMEM too).
 */
int topo_parse_buf(const char *buf, size_t len, const char *fname,
		   struct topo *t, char *err, size_t errlen);

/* The same for a file. -errno when it cannot be read (also in @err). */
int topo_parse_file(const char *path, struct topo *t, char *err,
		    size_t errlen);

/*
 * NICs of path vf on host @h: the VFs its switch's SR-IOV NIC must have
 * (the lab starts that switch with --sriov when there are any).
 */
unsigned int topo_host_vfs(const struct topo *t, unsigned int h);

/*
 * The VFs host @h's SR-IOV NIC offers: its own vf NICs, and one for each
 * vf NIC elsewhere that has a standby (it may migrate here), at most
 * ATTACH_VF_MAX. 0: the host needs no SR-IOV NIC.
 */
unsigned int topo_host_sriov_vfs(const struct topo *t, unsigned int h);

/* The compiled-in default: one host, one switch, no uplinks (for bench). */
int topo_load_default(struct topo *t, char *err, size_t errlen);
extern const char topo_default_yaml[];

/* "emu", "pv", "vf". */
const char *topo_path_name(enum topo_nic_path p);
/* Index of the path called @name, or -EINVAL. */
int topo_path_parse(const char *name);

/* Parse "64M", "1G", "1048576" into bytes. 0 or -EINVAL. */
int topo_size_parse(const char *s, uint64_t *out);

#endif
