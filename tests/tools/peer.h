/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_TOOLS_PEER_H
#define IOPATH_TESTS_TOOLS_PEER_H

/*
 * iopath-peer: a host-side test endpoint on a packet-channel port of the
 * switch. peer_main.c parses options, attaches and runs the loop;
 * peer_modes.c is what each mode does with a received frame and when it
 * sends (responder, send, sink, raw-send, raw-recv).
 */

#include <stdbool.h>
#include <stdint.h>

#include "tests/tools/peer_stream.h"
#include "wire/pktchan.h"

#define PEER_BURST		32
#define PEER_MAX_RAW		16
#define PEER_UDP_ECHO_PORT	7

enum peer_mode {
	PEER_RESPONDER,
	PEER_SEND,
	PEER_SINK,
	PEER_RAW_SEND,
	PEER_RAW_RECV,
};

struct peer_opts {
	const char *sock, *port, *vm;
	uint8_t mac[6];
	uint32_t ip;
	int prefix;
	int vlan;		/* tag our frames with this VID; -1: untagged */
	int access_vlan;	/* asked of the switch for an untagged port */
	enum peer_mode mode;
	uint32_t dst_ip;
	uint8_t dst_mac[6];
	bool have_dst_mac;
	uint16_t udp_port;	/* stream destination / sink's port */
	uint16_t src_port;	/* first flow's source port */
	unsigned flows;
	uint64_t rate;		/* pps, 0 = as fast as the ring takes */
	unsigned size;		/* frame bytes without FCS */
	uint64_t count;		/* 0 = until --seconds */
	double seconds;		/* 0 = until count or a signal */
	unsigned nslots;
	bool dump;		/* raw-recv: print every frame */
	uint8_t raw[PEER_MAX_RAW][PKTCHAN_FRAME_MAX];
	uint16_t raw_len[PEER_MAX_RAW];
	unsigned nraw;
};

struct peer {
	struct peer_opts o;
	struct pktchan *ch;
	int sock;
	uint32_t port_id;
	uint64_t start_ns;
	const char *error;	/* why the run stopped early */

	/* Every frame. */
	uint64_t tx, rx, tx_full, rx_other;
	uint64_t arp_tx, arp_rx, icmp_echo, udp_echo;
	uint64_t rx_tagged, rx_untagged;

	/* send / raw-send */
	uint64_t sent, tx_first_ns, tx_last_ns;
	uint64_t arp_next_ns;
	unsigned arp_tries;
	uint16_t ip_id;

	/* sink */
	struct stream_sink sink;
};

/* Send one frame we built (tagged here if --vlan). False if ring full. */
bool peer_xmit(struct peer *p, uint8_t *frame, uint16_t len);
/* Handle one received frame (any mode). */
void peer_mode_rx(struct peer *p, uint8_t *frame, uint16_t len);
/*
 * Send what is due at @now. Returns frames sent; sets *wake_ns to when
 * there is more to do (UINT64_MAX: only when the peer kicks us).
 */
unsigned peer_mode_tx(struct peer *p, uint64_t now, uint64_t *wake_ns);
/* True when the mode has nothing left to do (count sent or received). */
bool peer_mode_done(const struct peer *p);

#endif
