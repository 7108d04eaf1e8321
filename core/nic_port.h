/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_NIC_PORT_H
#define IOPATH_CORE_NIC_PORT_H

/*
 * A VMM NIC's switch port: the piece every --nic path uses.
 *
 *   --nic PATH[,mac=MAC][,switch=SOCKET|none][,vlan=N][,trunk][,port=NAME]
 *             [,reconnect=0|1][,the path's own options]
 *
 * mac      the NIC's address (nic_mac.h); default derived from the VM and
 *          NIC names, locally administered
 * switch   the switch's attach socket (wire/attach_proto.h); "none" or
 *          absent: a NIC whose cable goes nowhere (the path says whether
 *          its link is up)
 * vlan     access VLAN (1..4094), or the native VLAN with trunk
 * trunk    a trunk port: frames carry their 802.1Q tags
 * port     switch port name, default "<vm>.<n>"
 * reconnect  1 (default): attach again when the switch comes back; 0:
 *          a lost switch leaves the link down for good
 *
 * nic_port_add() parses these, creates the path's device, plugs the port
 * in as the device's wire and attaches it to the switch. From then on the
 * device owns the port: its teardown calls nic_port_close(). The attach
 * connection stays open for the port's life (closing it detaches the
 * port). The port watches it on the event loop; the first time the switch
 * goes away (hang-up, an error, a message the path does not expect) the
 * port stops watching, closes the connection and tells the path, which
 * takes the link down. The VM runs on.
 *
 * Reconnect (as QEMU's vhost-user reconnect does). After a loss the port
 * tries to attach to the same socket again on a timer of the event loop,
 * 100 ms after the loss, then twice as long each time up to 1 s, until
 * a switch takes it; then the link comes up and the path carries on as
 * after a migration (ops->resumed: pv restarts the backend from the ring
 * indices in guest memory; emu gets a fresh packet channel; vf a fresh
 * VF binding, which the guest's driver sees as a PF reset). No guest
 * reset, no VMM restart. Each step is logged once, not each try.
 *
 * What differs per path is a struct nic_port_ops: the device, what the
 * ATTACH carries (fds, guest memory regions), what else is watched, what
 * the switch may say unasked, and the path's counters.
 *
 * Migration. A destination VMM builds its NICs before it knows it will
 * run (nic_port_defer_attach): their attach waits for the resume, so the
 * same MAC and port name are never on one switch twice. At switch-over
 * the source detaches every port (nic_port_detach_all) and the
 * destination attaches its own (nic_port_attach_all), which tells each
 * path (ops->resumed: the pv device sends its PV_CONFIG again, and the
 * backend carries on from the ring indices in guest memory), then
 * announces the MACs (nic_port_announce_all). A source whose migration
 * failed after detaching attaches again the same way.
 *
 * Threads and locks. Add, stats and teardown run on the main thread while
 * the loop is not running; the loop thread owns watching and switch-lost
 * handling; a vCPU thread may talk to the switch from inside a device
 * call, with the device's lock held (nic_port_request, nic_port_send).
 * sock_lock covers the socket and the request numbering: a request holds
 * it from send to answer, so the loop never reads an answer meant for a
 * vCPU. Order: device lock, then sock_lock. The port never calls into the
 * device or the path while it holds sock_lock: the loop reads a message
 * under sock_lock and drops it before it hands the message or the loss
 * on. A path's own locks are its own business (tulip_port.c).
 */

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/attach_proto.h"

struct vdev;
struct vmm;
struct nic_port_ops;

#define NIC_PORT_MAX		8	/* --nic ports per VMM process */
#define NIC_PORT_PATH_MAX	108	/* a unix socket path */

struct nic_port {
	/* Set by nic_port_add(); read-only for the path. */
	struct vmm *vmm;
	struct vdev *vd;		/* the path's device */
	const struct nic_port_ops *ops;
	char path[NIC_PORT_PATH_MAX];	/* switch socket, "" for none */
	char port[ATTACH_NAME_MAX];	/* switch port name */
	uint32_t port_id;		/* the switch's, once attached */
	void *priv;			/* the path's, ops->priv_size */

	/* The port's own; paths use the calls below. */
	pthread_mutex_t sock_lock;
	int sock;		/* under sock_lock (written by the loop
				 * only); -1 when none */
	uint32_t seq;		/* under sock_lock: the next request's */
	bool watching;		/* loop thread only */
	bool lost;		/* loop thread only */
	/* Migration (loop thread, or the loop not running): the ATTACH as
	 * built from the options, and whether an attach is owed (deferred,
	 * or detached for a switch-over). */
	struct attach_req req;
	bool attach_owed;
	/* The switch's HELLO_ACK features (ATTACH_FEAT_*), and whether it
	 * logs its writes to guest RAM for this attach (DIRTY_LOG): set by
	 * nic_port_dirty_log_all, cleared by every new attach. */
	uint32_t features;
	bool dirty_logged;
	/* Reconnect (loop thread, or the loop not running): the option,
	 * read-only for the path; the pending try's timer (0: none), the
	 * next delay, the tries since the loss and when it happened. */
	bool reconnect;
	int64_t retry_timer;
	unsigned retry_ms;
	unsigned retries;
	uint64_t lost_ms;
	uint64_t reconnects;	/* for the stats */
	char retry_err[ATTACH_ERR_MAX];
	/* Unplugged (nic_port_unplug; loop thread, or the loop not
	 * running): off its switch until nic_port_replug, whatever the
	 * switch does meanwhile. */
	bool unplugged;
};

/*
 * One path. Calls marked (opt) may be NULL. Unless said otherwise they
 * come from the main thread during nic_port_add().
 */
struct nic_port_ops {
	const char *name;		/* --nic NAME: "emu", "pv" */
	const char *model;		/* the device's vdev_ops.name */
	uint16_t kind;			/* enum attach_port_kind */
	/* The path's own --nic options, NULL-terminated (opt). */
	const char *const *extra_keys;
	const char *usage_opts;		/* for --help: "[,queues=N]" */
	const char *usage;		/* what --nic NAME adds, for --help */
	size_t priv_size;		/* zeroed bytes at port->priv */
	/* Without a switch: the link is up (frames go nowhere) or down;
	 * the note says which, for the log. */
	bool unattached_link;
	const char *unattached_note;

	/* Path state in p->priv, before the device exists (opt). 0 or
	 * -errno, having undone itself. */
	int (*init)(struct nic_port *p);
	/* Undo init: the port is being freed (opt). Loop not running. */
	void (*fini)(struct nic_port *p);
	/* Plug @p into p->vd as its wire; the wire's close calls
	 * nic_port_close(@p). */
	void (*plug)(struct nic_port *p);
	void (*get_mac)(struct vdev *vd, uint8_t mac[6]);
	/* The link the guest sees. Any thread but a vCPU in a wire call. */
	void (*set_link)(struct vdev *vd, bool up);
	/*
	 * What the ATTACH carries: up to ATTACH_MAX_FDS fds appended at
	 * fds[*nfds] (the port keeps no reference: they stay the path's),
	 * regions in @req (nic_port_guest_mem). 0 or -errno.
	 */
	int (*attach_prepare)(struct nic_port *p, struct attach_req *req,
			      int *fds, unsigned *nfds);
	/* Attached: watch the path's own fds on the loop (opt). */
	int (*attached)(struct nic_port *p);
	/* Stop watching them (opt). Loop thread, or teardown. */
	void (*unwatch)(struct nic_port *p);
	/*
	 * A message the switch sent unasked (not an answer to one of our
	 * requests, late or not). 0: handled, the port goes on; -errno:
	 * the switch is lost. NULL: every such message means loss. Loop
	 * thread, no port lock held.
	 */
	int (*sock_message)(struct nic_port *p, const struct attach_msg *m);
	/* The switch is gone and the link is already down: what else the
	 * device must learn (opt). Once a loss, loop thread. With
	 * p->reconnect the port will attach again and call resumed: the
	 * device should keep what it needs to carry on. */
	void (*switch_lost)(struct nic_port *p);
	/* Attached again after a migration's switch-over (the device's
	 * state came in the stream, or stayed while the source waited), or
	 * after a lost switch came back (reconnect): restart what the
	 * switch side runs (opt). Loop thread, or the loop not running;
	 * the vCPUs are paused at a switch-over, running on a reconnect. */
	void (*resumed)(struct nic_port *p);
	/* The port was unplugged (nic_port_unplug) and its link is down:
	 * what else the device must do to tell the guest (opt). Loop
	 * thread, or the loop not running; vCPUs may run. */
	void (*unplugged)(struct nic_port *p);
	/* Put one frame on the wire from the NIC, for announcements (opt:
	 * a path whose frames the VMM does not carry). 0 or -errno. */
	int (*send_frame)(struct nic_port *p, const void *frame,
			  uint16_t len);
	/* The device's counters, for --nic and --device ones alike: a
	 * JSON object, new reference. */
	json_t *(*dev_stats)(struct vdev *vd);
	/* The path's counters of @p into @st (opt). */
	void (*port_stats)(struct nic_port *p, json_t *st);
	/* One log line from @st (opt). */
	void (*stats_log)(const struct vdev *vd, json_t *st);
};

/*
 * NIC number @index (device "nic<index>") of path @ops with options @opts
 * (the part after "NAME,"). 0 or -errno, the reason logged. On failure
 * after the device exists, the device still owns the port (the VM is
 * torn down).
 */
int nic_port_add(struct vmm *vmm, const struct nic_port_ops *ops,
		 const char *opts, unsigned index);

/*
 * From now on nic_port_add() does not attach: a destination VMM's NICs
 * wait for nic_port_attach_all() at resume. Main thread, before adding.
 */
void nic_port_defer_attach(bool defer);

/*
 * Switch-over on the source: every attached port closes its attach
 * connection (the switch drops the port and forgets its MACs); the
 * device and its link are left as they are, for the state that goes in
 * the stream. Loop thread (or the loop not running), vCPUs paused.
 */
void nic_port_detach_all(struct vmm *vmm);

/*
 * Attach every port that owes an attach (deferred, or detached by
 * nic_port_detach_all), set its link and tell its path (ops->resumed).
 * A port whose switch refuses stays down, as a lost switch does; the VM
 * runs on. Returns how many ports failed. Same threads as detach.
 */
int nic_port_attach_all(struct vmm *vmm);

/*
 * Migration: hand every port whose switch writes guest RAM (pv, vf) the
 * dirty log memfd @fd of @size bytes (core/dirty_log.h) and wait until
 * its switch logs; @fd < 0 stops logging. Returns how many such ports do
 * not log (an older switch, a refusal, no connection): their writes must
 * be covered another way. Any thread but the loop's; vCPUs may run.
 */
int nic_port_dirty_log_all(struct vmm *vmm, int fd, uint64_t size);
/*
 * True when every such port has logged since nic_port_dirty_log_all
 * (none attached again since: a reconnect's port logs nothing).
 */
bool nic_port_dirty_logged(struct vmm *vmm);

/*
 * Unplug and replug, for a path whose device cannot migrate its state
 * (vf: the VF's state is the NIC's): the VM's driver sees the NIC leave
 * and come back, as a hot-unplugged and replugged passthrough function,
 * while the guest's traffic goes over its standby NIC meanwhile.
 *
 * nic_port_unplug: detach (DETACH, acked: the switch has stopped reading
 * and writing guest RAM for the port when this returns), link down; no
 * reconnect until nic_port_replug, which attaches again (a fresh binding
 * the path sees as after a reconnect: ops->resumed) and raises the link.
 * Idempotent. A port without a switch only changes its link. A port
 * that is unplugged owes the switch-over nothing: nic_port_detach_all
 * and nic_port_attach_all leave it alone, and it shares no RAM with its
 * switch (nic_port_dirty_log_all). Loop thread (or the loop not running).
 * nic_port_replug returns 0, or -errno when the switch refused (the port
 * is then down as after a loss, reconnecting if it may).
 */
void nic_port_unplug(struct nic_port *p);
int nic_port_replug(struct nic_port *p);
/* The port of device @vd (a --nic one), or NULL. Any thread. */
struct nic_port *nic_port_of_vdev(const struct vdev *vd);

/*
 * Announce every NIC's MAC from where it now lives, as QEMU's
 * announce-self does: 5 rounds, the first at once, then 50 ms apart,
 * 100 ms more each round (core/nic_announce.c). Each round sends a RARP
 * and an ARP probe from the MAC on every path that carries frames
 * (ops->send_frame). Loop thread (or before the loop runs).
 */
void nic_port_announce_all(struct vmm *vmm);

/* The device of @p is being destroyed: @p's last call. Loop not running. */
void nic_port_close(struct nic_port *p);

/*
 * The switch is gone (@why, for the log): stop watching, close the
 * connection, link down, tell the path, and (p->reconnect) start trying
 * to attach again. Only the first call of a loss counts. Loop thread.
 */
void nic_port_lost(struct nic_port *p, const char *why);

/*
 * For attach_prepare: the guest's RAM as one more fd and its regions
 * (pv, vf: the switch side reads and writes guest memory). 0 or -E2BIG.
 */
int nic_port_guest_mem(const struct nic_port *p, struct attach_req *req,
		       int *fds, unsigned *nfds);

/*
 * A request of @type (@body, @len bytes, @nfds fds) to the switch,
 * waiting up to @timeout_ms for its answer. Returns 0 for ATTACH_ACK; for
 * ERROR the switch's errno with its text in @err, made -EPROTO where it
 * would read as one of ours: -ENOTCONN (no switch: none given, or lost),
 * -ETIMEDOUT (no answer), -ECONNRESET; or another socket error. @err
 * always says why. Messages read meanwhile that are not the answer are
 * logged and dropped: a path whose switch sends news unasked must make
 * such news stale by its next request (pv: a new config replaces the
 * backend the news was about). From a device call (vCPU thread).
 */
int nic_port_request(struct nic_port *p, uint16_t type, const void *body,
		     size_t len, const int *fds, unsigned nfds,
		     int timeout_ms, char *err, size_t errlen);

/*
 * The same for a request whose answer is a message of type @answer with
 * a body (vf: a register read's value): 0 with the answer in *@out (no
 * fds), or as above.
 */
int nic_port_call(struct nic_port *p, uint16_t type, const void *body,
		  size_t len, const int *fds, unsigned nfds, uint16_t answer,
		  struct attach_msg *out, int timeout_ms, char *err,
		  size_t errlen);

/* A message that has no answer. 0, -ENOTCONN without a switch, -errno. */
int nic_port_send(struct nic_port *p, uint16_t type, const void *body,
		  size_t len);

/*
 * Every device of @ops's model on @vmm (from --nic or --device) with its
 * counters and, for one with a port, "switch", "port" and the path's
 * port counters: a JSON array, new reference. Main thread, loop stopped.
 */
json_t *nic_port_stats(struct vmm *vmm, const struct nic_port_ops *ops);

#endif
