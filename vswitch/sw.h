/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VSWITCH_SW_H
#define IOPATH_VSWITCH_SW_H

/*
 * iopath-switch internals: the switch, its ports and the calls between its
 * files. Not a library interface; every sw_*.c includes it.
 *
 * Two threads share this state:
 *
 *  - the control thread (the DPDK main lcore) runs an evloop with the
 *    control socket, the attach socket and the netlink link watcher. It
 *    owns sw->ports[] (names, lookups, creation and destruction);
 *  - the forwarding thread (a DPDK worker lcore) owns everything on the
 *    data path: its list of live ports, the forwarding table and FDB, the
 *    per-port counters, the captures, the bonds' rx/tx.
 *
 * The control thread never touches data-path state directly: it hands a
 * function to sw_fwd_exec(), which runs it on the forwarding thread
 * between two bursts and waits for it. That one handshake is the whole
 * locking story (publishing and retiring ports, team changes, captures,
 * reading the FDB and counters).
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/dirty_log.h"
#include "core/guest_mem.h"
#include "vswitch/forward.h"
#include "vswitch/frame_check.h"
#include "vswitch/vlan.h"
#include "wire/attach_proto.h"

struct rte_mbuf;
struct rte_mempool;
struct evloop;
struct ctl;
struct sw;
struct sw_port;
struct sw_capture;
struct sw_team;
struct sw_sriov;

#define SW_MAX_PORTS		FWD_MAX_PORTS
#define SW_NAME_MAX		32
#define SW_VDEV_MAX		256
#define SW_BURST		32
#define SW_IFNAME_MAX		16	/* IFNAMSIZ */
#define SW_TEAM_MAX_MEMBERS	8

/*
 * One kind of port (uplink, team, pktchan, pv, sriov-pf, vf-rep):
 * everything the rest of the switch asks of a port that depends on its
 * kind. A kind is this table, its private state behind sw_port.priv and a
 * function that creates its ports (sw_uplink_add, sw_team_add, or an entry
 * in the attach socket's kind table, sw_vmport.c); nothing outside its own
 * file looks at a kind's state. Ops marked optional may be NULL.
 */
struct sw_port_ops {
	const char *kind;		/* "uplink", "pv": show-ports, logs */

	/* ---- forwarding thread, once per burst ---- */
	/*
	 * Optional, first thing in the port's turn: work of the kind's own
	 * that gives the switch no frames (an SR-IOV NIC moving frames VF
	 * to VF). Returns how much it did: while nonzero the thread polls.
	 */
	unsigned (*poll)(struct sw_port *p, uint64_t now_ns);
	/*
	 * Up to @n received frames as single-segment mbufs. Count.
	 * Optional: a port without it never receives (a VF representor)
	 * and is neither polled nor waited for.
	 */
	unsigned (*rx_burst)(struct sw_port *p, struct rte_mbuf **pkts,
			     unsigned n);
	/*
	 * Send up to @n mbufs; the port takes ownership of those it accepts
	 * (the first returned count), the caller frees the rest.
	 */
	unsigned (*tx_burst)(struct sw_port *p, struct rte_mbuf **pkts,
			     unsigned n);
	/* Optional: an fd the thread may sleep on, or -1 (poll the port). */
	int (*wait_fd)(struct sw_port *p);
	/* Optional: before sleeping, ask for a wake-up; true if work is due. */
	bool (*arm_wait)(struct sw_port *p);
	/* Optional: true when the port is unusable (peer broke a channel). */
	bool (*broken)(struct sw_port *p);

	/* ---- forwarding thread, through sw_fwd_exec ---- */
	/* Optional: the kind's own members of @p's show-ports object @o. */
	void (*json)(struct sw_port *p, json_t *o);
	/*
	 * Optional: fold frames counted outside the data path (received,
	 * then dropped by the kernel for us) into @p->st; called before the
	 * counters are shown.
	 */
	void (*sync_stats)(struct sw_port *p);

	/* ---- control thread ---- */
	/*
	 * Optional: @p was found broken; take it down with whatever it hangs
	 * on (a VM's attach connection), saying why. Without it the port is
	 * just removed.
	 */
	void (*disconnect)(struct sw_port *p);
	/*
	 * Optional: kernel interface @ifname is now @up (@ifname NULL: events
	 * were lost, re-read every interface the port follows). @event_ns:
	 * when the event arrived (CLOCK_MONOTONIC), for reaction times.
	 */
	void (*kernel_link)(struct sw_port *p, const char *ifname, bool up,
			    uint64_t event_ns);
	/* Optional, every 100 ms: re-read a link only the driver knows. */
	void (*poll_link)(struct sw_port *p);
	/*
	 * Optional: a message on the port's attach connection after ATTACH
	 * (pv: PV_CONFIG, PV_RESET). Answers on @conn_fd itself; takes the
	 * fds it keeps out of @m. 0, -ENOMSG for a type the kind does not
	 * take, other < 0 when the connection must be dropped.
	 */
	int (*attach_msg)(struct sw_port *p, int conn_fd,
			  struct attach_msg *m);
	/*
	 * Optional: the attach connection that claimed this existing port
	 * (a VF representor, for a VM on the VF) is gone: let go of what it
	 * brought. The port stays. Without it the port goes with its
	 * connection.
	 */
	void (*release)(struct sw_port *p, const char *why);
	/* After the port is retired from the data path: free it all, @p too. */
	void (*destroy)(struct sw_port *p);
};

/* Counters, written only by the forwarding thread. */
struct sw_port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t tx_drops;		/* egress ring or queue full */
	uint64_t rx_nombuf;		/* no mbuf to copy a frame into */
	uint64_t rx_padded;		/* under 60 bytes, padded to 60 */
	uint64_t drops[FWD_DROP_REASONS];	/* ingress, by fwd reason */
};

struct sw_port {
	struct sw *sw;
	unsigned id;			/* index in sw->ports and fwd table */
	char name[SW_NAME_MAX];
	const struct sw_port_ops *ops;	/* its kind */
	void *priv;			/* the kind's own state */
	struct vlan_port_cfg vlan;
	uint8_t mac[6];
	char vm[SW_NAME_MAX];		/* owner (VM ports), "" otherwise */
	bool admin_up;
	/* Link as last seen (netlink or ethdev); written by control. */
	atomic_bool link_up;
	/* Set by the forwarding thread when ops->broken() says so. */
	atomic_bool dead;
	uint64_t created_ns;

	/* Forwarding thread only. */
	struct sw_capture *cap;
	struct sw_port_stats st;
	bool tx_always;			/* tx burst every round (LACP) */
	struct rte_mbuf *txq[SW_BURST];
	unsigned txq_n;
};

/* An uplink's own data (also used for a team's member uplinks). */
struct sw_uplink {
	char vdev[SW_VDEV_MAX];		/* "net_af_packet0,iface=veth0" */
	char devname[SW_VDEV_MAX];	/* "net_af_packet0" */
	char ifname[SW_IFNAME_MAX];	/* kernel interface, "" if none */
	uint16_t eth_port;
	bool kernel_up;			/* netlink: IFF_UP && IFF_LOWER_UP */
	int afp_count_fd;		/* sw_afpacket.c, -1 if none */
};

/* A --uplink given on the command line, before it becomes a port. */
struct sw_uplink_spec {
	char name[SW_NAME_MAX];
	char vdev[SW_VDEV_MAX];
	bool has_vlan;
	struct vlan_port_cfg vlan;
	bool used;			/* claimed by a team */
};

/*
 * Team modes and hashes: DPDK's BONDING_MODE_* and BALANCE_XMIT_POLICY_*
 * values (sw_team.c checks), named here so requests parse without DPDK.
 */
enum {
	SW_TEAM_ACTIVE_BACKUP = 1,
	SW_TEAM_BALANCE_XOR = 2,
	SW_TEAM_LACP = 4,
};
enum {
	SW_TEAM_HASH_L2 = 0,
	SW_TEAM_HASH_L23 = 1,
	SW_TEAM_HASH_L34 = 2,
};

struct sw_team_spec {
	char name[SW_NAME_MAX];
	int mode;			/* SW_TEAM_* */
	int hash;			/* SW_TEAM_HASH_* */
	unsigned nmembers;
	char members[SW_TEAM_MAX_MEMBERS][SW_NAME_MAX];
	char vdevs[SW_TEAM_MAX_MEMBERS][SW_VDEV_MAX];
	bool has_vlan;
	struct vlan_port_cfg vlan;
};

/* A --sriov NAME:vfs=N, before it becomes a NIC. */
#define SW_SRIOV_MAX		4
struct sw_sriov_spec {
	char name[SW_NAME_MAX];
	unsigned nvfs;
};

struct sw_opts {
	const char *name;
	const char *attach_path;
	const char *ctl_path;
	const char *log_path;
	unsigned mtu;
	unsigned fdb_max;
	uint64_t fdb_aging_ns;
	bool poll;
	bool hugepages;
	struct sw_uplink_spec *uplinks;
	unsigned nuplinks;
	struct sw_team_spec *teams;
	unsigned nteams;
	struct sw_sriov_spec sriovs[SW_SRIOV_MAX];
	unsigned nsriovs;
	int pmd_cpu;			/* --pmd-cpu: the forwarding
					 * thread's CPU, or -1 */
	int eal_argc;			/* extra EAL args after "--" */
	char **eal_argv;
};

/* The forwarding thread's private state (sw_fwd.c). */
struct sw_fwd;

struct sw {
	struct sw_opts opts;
	struct evloop *loop;
	struct ctl *ctl;
	struct rte_mempool *pool;
	struct fwd_table table;		/* forwarding thread only */

	/* Control thread's view; index = port id. */
	struct sw_port *ports[SW_MAX_PORTS];
	struct sw_team *teams;		/* list */
	struct sw_sriov *sriovs[SW_SRIOV_MAX];	/* hosted SR-IOV NICs */
	unsigned nsriovs;

	struct sw_fwd *fwd;
	struct sw_vmlisten *vmlisten;
	struct sw_linkwatch *linkwatch;
	struct sw_announce *announce;	/* forwarding thread only */
	int reap_fd;			/* eventfd: a port died, reap it */
	uint64_t start_ns;
	bool quitting;
};

/* ---- sw_util.c: VLAN port specifications ---- */
/* Parse "access:VID" or "trunk[:native=VID][:allowed=LIST]". 0 or -EINVAL. */
int sw_vlan_parse(const char *s, struct vlan_port_cfg *c);
/* "1-10,20" style list of the VIDs a trunk carries into @out (caller-sized). */
int sw_vlan_list_str(const struct vlan_port_cfg *c, char *out, size_t len);

/* ---- sw_port.c: the port table (control thread) ---- */
/* A free id, or -ENOSPC. */
int sw_port_alloc_id(struct sw *sw);
struct sw_port *sw_port_find(struct sw *sw, const char *name);
/*
 * 0 if no port, team or team member is called @name, else -EEXIST with
 * @err saying who is.
 */
int sw_name_free(struct sw *sw, const char *name, char *err, size_t errlen);
/* Publish @p (id already chosen) to the forwarding thread. 0 or -errno. */
int sw_port_add(struct sw *sw, struct sw_port *p);
/* Retire the port from the data path, then destroy it. */
void sw_port_remove(struct sw *sw, struct sw_port *p, const char *why);
/* Remove ports the forwarding thread marked dead. */
void sw_port_reap(struct sw *sw);
/* Admin state, applied on the forwarding thread. 0 or -errno. */
int sw_port_set_admin(struct sw *sw, struct sw_port *p, bool up);
/* Link state changed (netlink or ethdev): tell the forwarding table. */
void sw_port_set_link(struct sw *sw, struct sw_port *p, bool up);

/* ---- sw_fwd.c: the forwarding thread ---- */
int sw_fwd_start(struct sw *sw);
/* Stop the thread; requests then run inline until sw_fwd_free. */
void sw_fwd_stop(struct sw *sw);
void sw_fwd_free(struct sw *sw);
/*
 * Run @fn(@sw, @arg) on the forwarding thread between bursts and wait for
 * its result. Runs it inline when the thread is not running. Control
 * thread only.
 */
int sw_fwd_exec(struct sw *sw, int (*fn)(struct sw *sw, void *arg),
		void *arg);
/* Forwarding thread: a port joins / leaves the data path. */
int sw_fwd_port_attach(struct sw *sw, struct sw_port *p);
void sw_fwd_port_detach(struct sw *sw, struct sw_port *p);
/* Forwarding thread: queue @m for transmission on @p (announcements). */
void sw_fwd_tx_one(struct sw *sw, struct sw_port *p, struct rte_mbuf *m);
/* Forwarding thread: flush every port's queued transmissions. */
void sw_fwd_flush(struct sw *sw);
/* How the thread has been sleeping (stats). */
struct sw_fwd_stats {
	uint64_t loops, sleeps, wakeups_by_fd, execs;
	uint64_t idle_ns;
	bool polling;
};
void sw_fwd_get_stats(struct sw *sw, struct sw_fwd_stats *st);

/* ---- sw_uplink.c: ethdev ports ---- */
/* @p's uplink state, or NULL if @p is not a stand-alone uplink. */
struct sw_uplink *sw_uplink_of(struct sw_port *p);
/*
 * Create the vdev (@vdev: "driver0,key=val,..."), not yet configured.
 * Fills @u. 0 or -errno.
 */
int sw_uplink_probe(struct sw_uplink *u, const char *vdev);
/* Configure (1 rx + 1 tx queue), start, promiscuous. 0 or -errno. */
int sw_ethdev_start(struct sw *sw, uint16_t eth_port);
/* Drop what a started ethdev received before it became a port. */
void sw_ethdev_drain(uint16_t eth_port);
void sw_uplink_release(struct sw_uplink *u);
/* Does @u run on vdev @devname or kernel interface @ifname ("": none)? */
bool sw_uplink_overlaps(const struct sw_uplink *u, const char *devname,
			const char *ifname);
/*
 * 0 if no uplink or team member runs on @vdev's device or its kernel
 * interface, else -EBUSY (or -EINVAL) with @err saying who does.
 */
int sw_vdev_free(struct sw *sw, const char *vdev, char *err, size_t errlen);
/* A new uplink port from a vdev string. 0 or -errno, @err filled. */
int sw_uplink_add(struct sw *sw, const char *name, const char *vdev,
		  const struct vlan_port_cfg *vlan, char *err, size_t errlen);

/* ---- sw_afpacket.c: the real TPID of af_packet uplinks' frames ---- */
/*
 * After the vdev of @u is created: filter the PMD's packet sockets on
 * @u->ifname so that frames the kernel stripped of a tag other than
 * 0x8100 are dropped, and open the socket that counts them. 0 (also for
 * vdevs without packet sockets) or -errno.
 */
int sw_afpacket_guard(struct sw_uplink *u);
/* Frames dropped by the guard since the last call. */
uint64_t sw_afpacket_count(struct sw_uplink *u);
void sw_afpacket_release(struct sw_uplink *u);
/*
 * The PMD's fanout group id on @ifindex for this process (its pid XOR
 * @ifindex). Before creating an af_packet @vdev: take that group on the
 * vdev's interface and hold it until sw_afpacket_unhold(@vdev), once the
 * PMD's sockets are in it. 0 (also: nothing to hold, or already held) or
 * -EADDRINUSE: another process has that id on another device.
 */
unsigned sw_afpacket_fanout_id(int ifindex);
int sw_afpacket_hold(const char *vdev);
void sw_afpacket_unhold(const char *vdev);
void sw_afpacket_unhold_all(void);
/* @err of creating @vdev, or -EADDRINUSE if the fanout group was why. */
int sw_afpacket_why(const char *vdev, int err);
/* strerror(-@err), or what -EADDRINUSE means for @vdev (in @buf). */
const char *sw_afpacket_strerror(const char *vdev, int err, char *buf,
				 size_t len);

/* ---- sw_respawn.c: a pid whose fanout groups are free ---- */
/*
 * Before anything else at start-up: hold the fanout group of every
 * af_packet uplink in @o; if one is taken, go on in a child process and
 * make this one wait for it. Returns in the process that is the switch,
 * with the groups held; dies after a few tries.
 */
void sw_respawn_check(const struct sw_opts *o);

/* ---- sw_team.c: bonding ---- */
int sw_team_add(struct sw *sw, const struct sw_team_spec *spec,
		const struct vlan_port_cfg *vlan, char *err, size_t errlen);
/* @p's team, or NULL if @p is not a team. */
struct sw_team *sw_team_of(struct sw_port *p);

/* JSON for show-team: one team. */
json_t *sw_team_json(struct sw *sw, struct sw_team *t);
/* JSON array of every team. */
json_t *sw_team_list_json(struct sw *sw);
struct sw_team *sw_team_find(struct sw *sw, const char *name);
/* The name of the team with a member called @member, or NULL. */
const char *sw_team_of_member(struct sw *sw, const char *member);
/* The team member on @devname or kernel interface @ifname, or NULL. */
const char *sw_team_vdev_user(struct sw *sw, const char *devname,
			      const char *ifname);
/* sw_req.c: team mode and hash names. */
int sw_team_mode_parse(const char *s, int *mode);
int sw_team_hash_parse(const char *s, int *hash);
const char *sw_team_mode_name(int mode);
const char *sw_team_hash_name(int hash);

/* ---- sw_vmport.c: the attach socket (VM ports' connections) ---- */
int sw_vmlisten_start(struct sw *sw, const char *path);
void sw_vmlisten_stop(struct sw *sw);
json_t *sw_vmlisten_json(struct sw *sw);
/*
 * A VM port must go: drop its attach connection, and so the port (logged
 * with @why). The attach kinds' disconnect op.
 */
void sw_vmport_disconnect(struct sw_port *p, const char *why);
/* The HELLO name of @p's attach client, "" if none (show-ports). */
const char *sw_vmport_client(struct sw_port *p);

/*
 * The attach kinds' create functions (sw_vmport.c's kind table): turn an
 * ATTACH (regions, fds) into @p's kind, ops and state. @conn_fd is the
 * attach connection (not theirs); they take the fds they keep out of @m.
 * 0 or -errno with @err.
 */
/* sw_chanport.c: fds are memfd, kick_switch, kick_endpoint. */
int sw_chanport_create(struct sw *sw, int conn_fd, struct attach_msg *m,
		       struct sw_port *p, char *err, size_t errlen);
/*
 * sw_pvport.c: map the guest RAM regions; the port stays idle (link down)
 * until PV_CONFIG. @conn_fd also carries the unsolicited ERROR when the
 * backend stops.
 */
int sw_pvport_create(struct sw *sw, int conn_fd, struct attach_msg *m,
		     struct sw_port *p, char *err, size_t errlen);

/*
 * sw_vfrep.c: bind a VF of a hosted NIC (the ATTACH's port names the
 * NIC) to the connection: map the guest's RAM and the VF's shared
 * pages, take its doorbell and irqfds. *@out is the VF's representor,
 * an existing port, which the connection then holds (its release op
 * lets the VF go). 0 or -errno with @err.
 */
int sw_vfrep_claim(struct sw *sw, int conn_fd, struct attach_msg *m,
		   struct sw_port **out, char *err, size_t errlen);
/* Is @p a VF representor? */
bool sw_port_is_vfrep(const struct sw_port *p);

/* ---- sw_sriov.c: SR-IOV NICs hosted by the switch ---- */
/*
 * The NIC of @spec: its PF as a port named after it, one representor
 * port per VF ("NAME.vfN"). 0 or -errno with @err.
 */
int sw_sriov_add(struct sw *sw, const struct sw_sriov_spec *spec,
		 char *err, size_t errlen);
/* Free every NIC; their ports are gone already. */
void sw_sriov_fini(struct sw *sw);
struct sw_sriov *sw_sriov_find(struct sw *sw, const char *name);
const char *sw_sriov_name(const struct sw_sriov *s);
/* Forwarding thread: the NIC as JSON (show-sriov), new reference. */
json_t *sw_sriov_json(struct sw_sriov *s);
/*
 * Forwarding thread: `ip link set PF vf N` words for VF @vf (set-vf).
 * 0, or -EINVAL with @err.
 */
int sw_sriov_admin(struct sw_sriov *s, unsigned vf, int argc,
		   const char *const *argv, char *err, size_t errlen);

/* ---- sw_guestmem.c: guest RAM in the switch ---- */
/*
 * @fd is a regular file sealed F_SEAL_SHRINK reaching @offset + @size.
 * 0, or -EPERM / -EINVAL with @err naming @what.
 */
int sw_memfd_check(int fd, uint64_t offset, uint64_t size, const char *what,
		   char *err, size_t errlen);
/*
 * Map the RAM regions of ATTACH @m (fds checked as above) into @gm,
 * MAP_SHARED read/write. 0, or -errno with @err and nothing mapped.
 */
int sw_guest_mem_map(struct guest_mem *gm, const struct attach_msg *m,
		     char *err, size_t errlen);
void sw_guest_mem_unmap(struct guest_mem *gm);
/*
 * A VMM's dirty log (DIRTY_LOG on, core/dirty_log.h) mapped here: the
 * port's data path marks its writes into guest RAM in @view. Mapped on
 * the control thread; the data path gets @view through sw_fwd_exec.
 */
struct sw_dirty_log {
	void *base;			/* NULL: none */
	size_t size;
	struct dirty_log_view view;
};
/*
 * Map the log DIRTY_LOG @m carries for guest RAM @gm (regions from one
 * memfd when @one_fd): sealed, what its header says it is, covering
 * every region. 0, or -errno with @err (nothing mapped).
 */
int sw_dirty_log_map(struct sw_dirty_log *dl, const struct attach_msg *m,
		     const struct guest_mem *gm, bool one_fd, char *err,
		     size_t errlen);
void sw_dirty_log_unmap(struct sw_dirty_log *dl);
/* The regions of ATTACH @m all come from one fd (one dirty log). */
bool sw_guest_mem_one_fd(const struct attach_msg *m);

/* ---- sw_linkwatch.c: netlink ---- */
int sw_linkwatch_start(struct sw *sw);
void sw_linkwatch_stop(struct sw *sw);
/* Current state of a kernel interface: 1 up, 0 down, -errno. */
int sw_linkwatch_query(const char *ifname);
/* The uplink kind's kernel_link and poll_link ops. */
void sw_linkwatch_uplink_kernel(struct sw_port *p, const char *ifname,
				bool up, uint64_t event_ns);
void sw_linkwatch_uplink_poll(struct sw_port *p);
/* sw_uplink.c: the PMD's link (uplinks without a kernel interface). */
bool sw_ethdev_link(uint16_t eth_port);

/* ---- sw_announce.c: gratuitous ARP / RARP after failover ---- */
int sw_announce_init(struct sw *sw);
void sw_announce_fini(struct sw *sw);
/* Forwarding thread: learn MAC->IPv4 from an ARP frame seen at ingress. */
void sw_announce_snoop(struct sw *sw, const uint8_t *frame, unsigned len,
		       uint16_t vid);
/*
 * Forwarding thread: announce every MAC learned behind ports other than
 * @p out of @p now and again a few times (QEMU's announce-self rhythm).
 * Returns the number of frames sent now.
 */
unsigned sw_announce_port(struct sw *sw, struct sw_port *p);
/*
 * Forwarding thread: announce the MAC of @p's VM, which has just
 * migrated here, from @p (5 rounds, QEMU's announce-self schedule). The
 * frames come out of sw_announce_vm_take, which @p's rx_burst calls.
 */
void sw_announce_vm(struct sw *sw, struct sw_port *p);
/* Forwarding thread: the round of @p's VM that is due, into @pkts
 * (at most 2 frames, none if @n < 2). Count. */
unsigned sw_announce_vm_take(struct sw *sw, struct sw_port *p,
			     struct rte_mbuf **pkts, unsigned n);
/* Forwarding thread: send repeats that are due. */
void sw_announce_tick(struct sw *sw, uint64_t now_ns);
/* Forwarding thread: nanoseconds until the next repeat, or UINT64_MAX. */
uint64_t sw_announce_next_ns(struct sw *sw, uint64_t now_ns);
/* Forget pending repeats for a port being removed. */
void sw_announce_forget_port(struct sw *sw, unsigned port_id);
/* Frames sent so far (racy read from the control thread is fine). */
void sw_announce_stats(struct sw *sw, uint64_t *garp, uint64_t *rarp);

/* ---- sw_capture.c: pcap ---- */
enum sw_cap_dir { SW_CAP_RX = 1, SW_CAP_TX = 2, SW_CAP_BOTH = 3 };
/*
 * Open a capture (control thread: file, filter); attach it with
 * sw_capture_start (forwarding thread side via sw_fwd_exec).
 */
struct sw_capture *sw_capture_open(const char *file, enum sw_cap_dir dir,
				   const char *filter, uint64_t max_bytes,
				   char *err, size_t errlen);
int sw_capture_start(struct sw *sw, struct sw_port *p, struct sw_capture *c);
/*
 * Before opening @file for @p: -EBUSY with @err if @p is being captured
 * or @file is another live capture's file, else 0.
 */
int sw_capture_check(struct sw *sw, struct sw_port *p, const char *file,
		     char *err, size_t errlen);
/* Stop and flush. Returns 0 or -ENOENT (no capture on @p). */
int sw_capture_stop(struct sw *sw, struct sw_port *p, json_t *info);
/* Forwarding thread: record @frame seen on @p in direction @dir. */
void sw_capture_packet(struct sw_capture *c, enum sw_cap_dir dir,
		       const uint8_t *frame, unsigned len);
/* Forwarding thread: close a capture whose port goes away. */
void sw_capture_close(struct sw_capture *c, const char *why);
/* Forwarding thread: describe it for show-ports (may be stopped). */
json_t *sw_capture_json(const struct sw_capture *c);
/* A capture that stopped itself (size limit) keeps its info here. */
bool sw_capture_active(const struct sw_capture *c);

/* ---- sw_ctl.c: control commands ---- */
int sw_ctl_register(struct sw *sw);

/* ---- sw_stats.c: JSON views of ports and counters ---- */
json_t *sw_port_json(struct sw *sw, struct sw_port *p);
json_t *sw_vlan_json(const struct vlan_port_cfg *c);

#endif
