/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_WIRE_ATTACH_PROTO_H
#define IOPATH_WIRE_ATTACH_PROTO_H

/*
 * The port attach protocol between iopath-switch and its clients (VMMs,
 * test tools), over a unix SOCK_SEQPACKET socket per host. Documented in
 * wire/PROTOCOL.md. One connection carries one port: the port lives as
 * long as the connection, so a client that dies loses its port and nothing
 * else.
 *
 * Every message is a struct attach_msg_hdr followed by a type-specific
 * body; file descriptors travel as SCM_RIGHTS ancillary data of the same
 * message. All multi-byte fields are little-endian (host order on x86).
 * The parser below treats every message as hostile.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATTACH_MAGIC		0x48544150u	/* "PATH" */
#define ATTACH_VERSION		1
#define ATTACH_MSG_MAX		4096		/* bytes, header included */
#define ATTACH_MAX_FDS		8
#define ATTACH_MAX_REGIONS	4
#define ATTACH_NAME_MAX		32		/* bytes incl. NUL */
#define ATTACH_ERR_MAX		128

enum attach_msg_type {
	ATTACH_MSG_HELLO = 1,		/* client -> switch */
	ATTACH_MSG_HELLO_ACK = 2,	/* switch -> client */
	ATTACH_MSG_ATTACH = 3,		/* client -> switch, with fds */
	ATTACH_MSG_ATTACH_ACK = 4,	/* switch -> client */
	ATTACH_MSG_DETACH = 5,		/* client -> switch */
	ATTACH_MSG_ERROR = 6,		/* switch -> client */
	ATTACH_MSG_PV_CONFIG = 7,	/* client -> switch, pv ports, with fds */
	ATTACH_MSG_PV_RESET = 8,	/* client -> switch, pv ports, no body */
	ATTACH_MSG_VF_REG = 9,		/* client -> switch and back, vf ports */
	ATTACH_MSG_VF_FLR = 10,		/* client -> switch, vf ports, no body */
	ATTACH_MSG_VF_UNMASK = 11,	/* client -> switch, vf ports, 3 fds */
	ATTACH_MSG_DIRTY_LOG = 12,	/* client -> switch, pv/vf, 0 or 1 fd */
};

/*
 * HELLO_ACK features beyond the kinds (bit 1 << kind): what this switch
 * also understands. A client uses DIRTY_LOG and ATTACH_F_ANNOUNCE only
 * with a switch that says so: an older one drops the connection on a
 * message it does not know.
 */
#define ATTACH_FEAT_DIRTY_LOG	(1u << 16)	/* DIRTY_LOG (PROTOCOL.md 12) */
#define ATTACH_FEAT_ANNOUNCE	(1u << 17)	/* ATTACH_F_ANNOUNCE */

/* What the port is; the fds and regions an ATTACH carries depend on it. */
enum attach_port_kind {
	ATTACH_KIND_PKTCHAN = 1,	/* fds: memfd, kick_switch, kick_endpoint */
	ATTACH_KIND_PV = 2,		/* fds: guest memory; regions: its RAM */
	ATTACH_KIND_VF = 3,		/* fds: guest memory + 5; regions: RAM */
};

enum attach_vlan_mode {
	ATTACH_VLAN_ACCESS = 0,		/* untagged; vlan = the access VID */
	ATTACH_VLAN_TRUNK = 1,		/* tagged; vlan = native VID or 0 */
};

/*
 * hdr.version is the negotiated version. HELLO and ERROR keep their
 * layout in every version, so they are accepted whatever hdr.version
 * says (HELLO negotiates in its body); every other message must carry
 * ATTACH_VERSION.
 */
struct attach_msg_hdr {
	uint32_t magic;		/* ATTACH_MAGIC */
	uint16_t version;	/* ATTACH_VERSION */
	uint16_t type;		/* enum attach_msg_type */
	uint32_t len;		/* whole message, header included */
	uint32_t seq;		/* echoed in the answer */
};

struct attach_hello {
	uint16_t version_min;	/* versions the client speaks */
	uint16_t version_max;
	uint32_t reserved;
	char client[ATTACH_NAME_MAX];	/* "iopath-vmm vm1" */
};

struct attach_hello_ack {
	uint16_t version;	/* the one the switch chose */
	uint16_t reserved;
	uint32_t features;	/* bit (1u << kind) per kind served */
	char server[ATTACH_NAME_MAX];
};

/* A region of guest memory carried by an fd (pv and vf kinds). */
struct attach_region {
	uint64_t gpa;		/* guest-physical start */
	uint64_t size;		/* bytes */
	uint64_t offset;	/* into the fd */
	uint32_t fd_index;	/* which of the message's fds */
	uint32_t reserved;
};

struct attach_req {
	char port[ATTACH_NAME_MAX];	/* switch port name, unique: "vm1.0" */
	char vm[ATTACH_NAME_MAX];	/* owner, for show and logs */
	uint8_t mac[6];			/* the NIC's MAC (learned anyway) */
	uint16_t kind;			/* enum attach_port_kind */
	uint16_t vlan_mode;		/* enum attach_vlan_mode */
	uint16_t vlan;			/* access VID (1..4094) or native */
	uint16_t nfds;			/* fds that must arrive with it */
	uint16_t nregions;
	uint16_t vf;			/* vf ports: which VF, or ATTACH_VF_ANY */
	uint16_t vf_flags;		/* vf ports: ATTACH_VF_F_* */
	uint32_t flags;			/* ATTACH_F_* (was reserved, 0) */
	struct attach_region regions[ATTACH_MAX_REGIONS];
};

/*
 * ATTACH flags. ANNOUNCE: the VM has just migrated here; the switch
 * announces its MAC on its behalf (RARP, and a gratuitous ARP when it
 * knows the VM's IPv4 address), QEMU's announce-self schedule, as if the
 * frames came from the port (pv ports: once the backend runs). Only with
 * a switch that has ATTACH_FEAT_ANNOUNCE (attach_client_open clears it
 * for one that has not).
 */
#define ATTACH_F_ANNOUNCE	0x0001u
#define ATTACH_F_KNOWN		ATTACH_F_ANNOUNCE

/*
 * pv ports: ATTACH carries the guest's RAM (one memfd, regions giving the
 * guest-physical layout). Once the guest driver has set up its rings and
 * written DRIVER_OK, the VMM sends PV_CONFIG with where they are and the
 * eventfds of the event-channel ports; the switch answers ATTACH_ACK (the
 * backend runs) or ERROR (the config is refused; the port stays, idle).
 * PV_RESET (the guest reset the device) stops the backend until the next
 * PV_CONFIG. While running, a guest request the backend refuses stops
 * that port's backend and the switch sends an unsolicited ERROR (err
 * EPROTO, seq 0) so the VMM can show the device error to the guest.
 */
#define ATTACH_PV_MAX_QUEUES	4
#define ATTACH_PV_NO_FD		0xffff	/* port without an irqfd: polled */

struct attach_pv_queue {
	uint64_t tx_ring_gpa;		/* struct pv_ring_hdr + slots */
	uint64_t rx_ring_gpa;
	uint16_t tx_port;		/* event-channel port numbers */
	uint16_t rx_port;
	uint16_t tx_kick_fd;		/* fd index: guest -> switch (ioeventfd) */
	uint16_t rx_kick_fd;
	uint16_t tx_irq_fd;		/* fd index: switch -> guest (irqfd) or */
	uint16_t rx_irq_fd;		/* ATTACH_PV_NO_FD */
	uint32_t reserved;
};

struct attach_pv_config {
	uint64_t evt_page_gpa;		/* struct pv_evt_page */
	uint32_t ring_size;		/* slots per ring, power of two */
	uint32_t num_queues;		/* 1..ATTACH_PV_MAX_QUEUES */
	uint32_t features;		/* PV_F_* negotiated */
	uint32_t nfds;			/* eventfds that come with it */
	struct attach_pv_queue q[ATTACH_PV_MAX_QUEUES];
};

/*
 * vf ports: a virtual function of an SR-IOV NIC the switch hosts
 * (`iopath-switch --sriov NAME:vfs=N`), for a guest that drives it
 * directly. ATTACH names the NIC in `port` and the VF in `vf` (or
 * ATTACH_VF_ANY: the first free one); the switch binds the VF to the
 * connection (its representor port's id comes back in ATTACH_ACK) and
 * creates no port. The fds are the guest's RAM (named by the regions,
 * page-aligned as for pv) followed by ATTACH_VF_FDS more, in this order:
 * the memfd of the VF's shared queue-register pages (BAR0 0x2000-0x3FFF,
 * ATTACH_VF_SHARED_SIZE bytes), the doorbell eventfd (the guest's EICS <-
 * 0, a KVM ioeventfd) and the irqfds of MSI-X vectors 0, 1 and 2. With
 * ATTACH_VF_F_MAC the MAC is the administrator's (`ip link set PF vf N
 * mac`); with ATTACH_VF_F_VLAN the access VID is the VF's port VLAN.
 * Both last as long as the connection.
 *
 * Then VF_REG carries each trapped register access (BAR0 below
 * ATTACH_VF_TRAP_SIZE), in order: a read is answered by a VF_REG with the
 * same seq and the value, a write is posted (no answer) unless it asks
 * for one (ATTACH_VF_WRITE_SYNC); VF_FLR (no answer) resets the function.
 *
 * VF_UNMASK (optional, no body) hands the switch ATTACH_VF_VECTORS more
 * eventfds: fd n is signalled when the guest writes 1 << n to EIMS (a
 * KVM ioeventfd), re-enabling vector n without an exit. The switch
 * answers ATTACH_ACK or ERROR. Such writes reach it by another way than
 * the socket, so a VMM that sends VF_UNMASK sends every write that
 * disables vectors or resets the VF (EIMC, CTRL) as ATTACH_VF_WRITE_SYNC
 * and waits for its answer: an unmask the guest makes afterwards cannot
 * overtake it.
 */
#define ATTACH_VF_ANY		0xffff
#define ATTACH_VF_MAX		7	/* VFs a NIC has at most */
#define ATTACH_VF_FDS		5	/* after the RAM fds */
#define ATTACH_VF_VECTORS	3	/* MSI-X: RX, TX, mailbox */
#define ATTACH_VF_SHARED_SIZE	0x2000	/* BAR0 0x2000-0x3FFF */
#define ATTACH_VF_TRAP_SIZE	0x2000	/* BAR0 0x0000-0x1FFF trap */
#define ATTACH_VF_F_MAC		0x0001	/* mac is the administrator's */
#define ATTACH_VF_F_VLAN	0x0002	/* vlan is the port VLAN */
#define ATTACH_VF_WRITE_SYNC	2	/* attach_vf_reg.write: answer it */

struct attach_vf_reg {
	uint32_t off;			/* BAR0 offset, < ATTACH_VF_TRAP_SIZE */
	uint32_t val;			/* write: the value; answer: read's */
	uint8_t size;			/* 1, 2, 4 or 8 bytes */
	uint8_t write;			/* 0 read, 1 write, 2 write + answer */
	uint16_t reserved;
	uint32_t reserved2;
};

/*
 * DIRTY_LOG (pv and vf ports): vhost-user's log base. With `on` 1 it
 * carries one fd, a sealed memfd of `size` bytes holding a dirty log in
 * core/dirty_log.h's layout (a header, then one bit per 4 KiB page of the
 * guest RAM memfd the ATTACH's regions name); from the switch's answer
 * (ATTACH_ACK) on, every write the switch makes into the port's guest
 * RAM sets its pages' bits (atomic OR). With `on` 0 (no fd) logging
 * stops and the switch lets the log go. A log that does not cover every
 * region, or is not what it says, is refused with ERROR; so is a port
 * kind that cannot log. Either way the port runs on.
 */
struct attach_dirty_log {
	uint32_t on;			/* 1 start (1 fd), 0 stop (none) */
	uint32_t reserved;		/* 0 */
	uint64_t size;			/* bytes of the memfd to map */
};

struct attach_ack {
	uint32_t port_id;
	uint32_t reserved;
};

struct attach_error {
	int32_t err;			/* positive errno */
	char msg[ATTACH_ERR_MAX];	/* NUL-terminated */
};

_Static_assert(sizeof(struct attach_msg_hdr) == 16, "attach ABI");
_Static_assert(sizeof(struct attach_hello) == 40, "attach ABI");
_Static_assert(sizeof(struct attach_hello_ack) == 40, "attach ABI");
_Static_assert(sizeof(struct attach_region) == 32, "attach ABI");
_Static_assert(sizeof(struct attach_req) == 88 + 4 * 32, "attach ABI");
_Static_assert(sizeof(struct attach_ack) == 8, "attach ABI");
_Static_assert(sizeof(struct attach_pv_queue) == 32, "attach ABI");
_Static_assert(sizeof(struct attach_pv_config) == 24 + 4 * 32, "attach ABI");
_Static_assert(sizeof(struct attach_error) == 132, "attach ABI");
_Static_assert(sizeof(struct attach_vf_reg) == 16, "attach ABI");
_Static_assert(sizeof(struct attach_dirty_log) == 16, "attach ABI");

/* A received message, parsed and checked. */
struct attach_msg {
	struct attach_msg_hdr hdr;
	union {
		struct attach_hello hello;
		struct attach_hello_ack hello_ack;
		struct attach_req attach;
		struct attach_ack ack;
		struct attach_error error;
		struct attach_pv_config pv_config;
		struct attach_vf_reg vf_reg;
		struct attach_dirty_log dirty_log;
	} u;
	int fds[ATTACH_MAX_FDS];
	unsigned nfds;
};

/*
 * Check and copy a raw message (@buf, @len bytes as read from the socket,
 * with @fds that arrived alongside it). Refuses: short or oversized
 * messages, bad magic, an unsupported version, a length field that
 * disagrees with @len, unknown types, bodies of the wrong size, strings
 * without a NUL, an ATTACH whose nfds disagrees with the fds received or
 * with its kind, regions naming absent fds or overflowing. On success the
 * fds belong to @out; on failure they are closed. Returns 0 or -errno
 * (-EPROTO, -EMSGSIZE, -EPROTONOSUPPORT, -EBADF) and writes why to @err.
 */
int attach_msg_parse(const void *buf, size_t len, const int *fds,
		     unsigned nfds, struct attach_msg *out, char *err,
		     size_t errlen);

/* Close the fds a parsed message still owns. */
void attach_msg_close_fds(struct attach_msg *m);

/*
 * Send a message of @type with @body (@body_len bytes) and @nfds fds on
 * @sock. Returns 0 or -errno.
 */
int attach_msg_send(int sock, uint16_t type, uint32_t seq, const void *body,
		    size_t body_len, const int *fds, unsigned nfds);

/*
 * Receive one message (waiting up to @timeout_ms, -1 forever) and parse
 * it. Returns 0, -ECONNRESET when the peer closed, -ETIMEDOUT, or a parse
 * error (with @err set).
 */
int attach_msg_recv(int sock, struct attach_msg *out, int timeout_ms,
		    char *err, size_t errlen);

/*
 * Client helper: connect to the switch's socket at @path, HELLO, ATTACH
 * with @req and @fds, wait for the answer. Returns the connected socket
 * (keep it open: closing it detaches the port) or -errno, with the
 * switch's error text in @err.
 */
int attach_client_connect(const char *path, const char *client,
			  const struct attach_req *req, const int *fds,
			  unsigned nfds, uint32_t *port_id, char *err,
			  size_t errlen);

/* What attach_client_open learned from the switch. */
struct attach_client_info {
	uint32_t port_id;		/* ATTACH_ACK's */
	uint32_t features;		/* HELLO_ACK's */
};

/*
 * attach_client_connect, telling the caller what the switch said: its
 * port id and features. Flags in @req the switch does not advertise
 * (ATTACH_F_ANNOUNCE without ATTACH_FEAT_ANNOUNCE) are not sent.
 */
int attach_client_open(const char *path, const char *client,
		       const struct attach_req *req, const int *fds,
		       unsigned nfds, struct attach_client_info *info,
		       char *err, size_t errlen);

/*
 * Client helper: give the port up and wait (up to @timeout_ms) until the
 * switch has closed the connection, which it does only once the port is
 * off its forwarding thread: after 0 the switch no longer reads or writes
 * the port's memory (a migrating VMM copies guest RAM after this).
 * Returns 0, -ETIMEDOUT, or -errno.
 */
int attach_client_detach(int sock, int timeout_ms);

#endif
