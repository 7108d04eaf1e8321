/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_SW_REQ_H
#define IOPATH_VSWITCH_SW_REQ_H

/*
 * The switch's control requests, parsed and checked before the switch is
 * touched: plain C and jansson, no DPDK, so tests/fuzz/fuzz_swctl.c can
 * feed it anything. A request passes when every member is one its command
 * takes, of the right type and in range; names have the syntax of names;
 * vdevs name a driver the control socket may create; a team repeats no
 * member, vdev or kernel interface. What depends on the switch's state
 * (does the port exist, is the interface free) is sw_ctl.c's to check,
 * again before anything changes.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vswitch/sw.h"

#define SW_CAP_FILE_MAX		256
#define SW_CAP_FILTER_MAX	256
/* The smallest size limit that holds the file header and one frame. */
#define SW_CAP_MIN_BYTES	(24 + 16 + 60)
/* set-vf: mac, vlan, qos, spoofchk, trust, state and their values. */
#define SW_VF_WORDS_MAX		12
#define SW_VF_WORD_LEN		32

enum sw_cmd {
	SW_CMD_SHOW_PORTS,
	SW_CMD_SHOW_FDB,
	SW_CMD_SHOW_VLANS,
	SW_CMD_SHOW_TEAM,
	SW_CMD_ADD_UPLINK,
	SW_CMD_DEL_UPLINK,
	SW_CMD_ADD_TEAM,
	SW_CMD_DEL_TEAM,
	SW_CMD_SET_LINK,
	SW_CMD_CAPTURE_START,
	SW_CMD_CAPTURE_STOP,
	SW_CMD_STATS,
	SW_CMD_QUIT,
	SW_CMD_SHOW_SRIOV,
	SW_CMD_SET_VF,
	SW_CMD_COUNT
};

/* A port as a request names it: "port": "name" or "port": id. */
struct sw_req_port {
	bool given;
	bool by_id;
	unsigned id;
	char name[SW_NAME_MAX];
};

struct sw_req {
	enum sw_cmd cmd;
	/* "port" (show-*, set-link, capture-*), "name" (del-uplink/team) */
	struct sw_req_port port;
	char name[SW_NAME_MAX];		/* add-uplink, add-team */
	char team[SW_NAME_MAX];		/* show-team, "" for every team */
	char vdev[SW_VDEV_MAX];		/* add-uplink */
	bool has_vlan;			/* add-uplink, add-team: "vlan" */
	struct vlan_port_cfg vlan;
	int vid;			/* show-fdb "vlan", -1 for all */
	/*
	 * add-team: members[i] with vdevs[i] "" is the existing uplink of
	 * that name, to become a member.
	 */
	struct sw_team_spec team_spec;
	bool admin_up;			/* set-link */
	char file[SW_CAP_FILE_MAX];	/* capture-start */
	char filter[SW_CAP_FILTER_MAX];
	enum sw_cap_dir dir;
	uint64_t max_bytes;
	char sriov[SW_NAME_MAX];	/* show-sriov ("" for all), set-vf */
	unsigned vf;			/* set-vf */
	/* set-vf: the settings as `ip link set PF vf N` words */
	unsigned nwords;
	char words[SW_VF_WORDS_MAX][SW_VF_WORD_LEN];
};

/* "show-ports", ... ; NULL past SW_CMD_COUNT. */
const char *sw_cmd_name(enum sw_cmd cmd);

/*
 * Parse request object @req for command @cmd into @r. 0, or -EINVAL with
 * a message for the user in @err.
 */
int sw_req_parse(enum sw_cmd cmd, json_t *req, struct sw_req *r, char *err,
		 size_t errlen);

/*
 * A name the switch gives a port, team or member: 1..SW_NAME_MAX-1 of
 * [A-Za-z0-9._-], starting with a letter or digit, not all digits (a
 * number is a port id to iopath-ctl). 0 or -EINVAL with @err naming
 * @what.
 */
int sw_name_check(const char *what, const char *name, char *err,
		  size_t errlen);

/*
 * The control socket's vdevs: "DRIVERn[,key=value...]" with a driver the
 * switch may create as an uplink or member (af_packet, tap, pcap, null,
 * ring, vhost, af_xdp, virtio_user; not bonding: teams are add-team's).
 * 0 or -EINVAL with @err.
 */
int sw_vdev_check(const char *vdev, char *err, size_t errlen);

/*
 * Split a vdev into its device name ("net_af_packet0") and the kernel
 * interface its iface= names ("" if none, or a path: net_vhost's iface
 * is a socket). 0 or -EINVAL (empty or too long a device name).
 */
int sw_vdev_split(const char *vdev, char *devname, size_t dlen,
		  char *ifname, size_t ilen);

/*
 * A team as asked for (@spec's vdevs all filled in): name syntax, 1 to
 * SW_TEAM_MAX_MEMBERS members, no member name, vdev or kernel interface
 * twice, the team not named like a member. 0 or -EINVAL with @err.
 */
int sw_team_spec_check(const struct sw_team_spec *spec, char *err,
		       size_t errlen);

#endif
