/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_PV_BACKEND_H
#define IOPATH_PV_BACKEND_H

/*
 * The pv NIC's backend, the half that the switch runs (Xen's netback in a
 * driver domain): it reads the guest's TX and RX rings straight out of
 * guest memory mapped into the switch, and signals the guest through the
 * event page and irqfds. Plain C, no DPDK: the switch wraps it as a port
 * (vswitch/sw_pvport.c) and the unit tests drive it over fake guest RAM.
 *
 * Everything in guest memory is hostile. Each request is copied out of
 * its slot once and checked on the copy; indices that break the ring's
 * rules, and requests naming memory outside the guest's RAM or lengths
 * outside the ABI, stop this backend (pv_backend_failed()) and nothing
 * else: it then never touches the guest's memory again.
 *
 * One thread drives a backend (the switch's forwarding thread).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guest_mem.h"
#include "wire/pv_abi.h"

#define PV_BACKEND_MAX_QUEUES	4
#define PV_BACKEND_WHY_MAX	96

struct pv_backend_queue_cfg {
	uint64_t tx_ring_gpa;
	uint64_t rx_ring_gpa;
	uint16_t tx_port;		/* event-channel ports */
	uint16_t rx_port;
	int tx_irq_fd;			/* irqfd for the port, -1: none */
	int rx_irq_fd;
};

struct pv_backend_cfg {
	uint64_t evt_page_gpa;
	uint32_t ring_size;		/* power of two, PV_RING_MIN..MAX */
	uint32_t num_queues;		/* 1..PV_BACKEND_MAX_QUEUES */
	uint32_t features;		/* PV_F_* negotiated */
	struct pv_backend_queue_cfg q[PV_BACKEND_MAX_QUEUES];
};

struct pv_backend_stats {
	uint64_t tx_frames, tx_bytes;	/* guest -> switch */
	uint64_t tx_dropped;		/* answered PV_RSP_DROPPED */
	uint64_t rx_frames, rx_bytes;	/* switch -> guest */
	uint64_t rx_no_buffer;		/* dropped: no RX request posted */
	uint64_t rx_too_big;		/* dropped: the posted buffer too small */
	uint64_t irqs_sent;		/* irqfd writes */
	uint64_t irqs_masked;		/* pending set, masked: no signal */
	uint64_t notify_suppressed;	/* pushes the guest did not ask for */
	uint64_t final_checks;		/* pv_backend_arm() calls */
	uint64_t final_check_hits;	/* ... that found work */
};

/*
 * Where the TX path puts frames: get() returns a buffer of at least @len
 * bytes for the next frame (the backend copies the frame into it), or
 * NULL when the switch cannot take it (the request is answered
 * PV_RSP_DROPPED, as a full NIC would drop it).
 */
struct pv_tx_sink {
	void *(*get)(void *opaque, uint16_t len);
	void *opaque;
};

/*
 * Start a backend on the rings @cfg names in @gm (which must outlive it).
 * Checks the config (ring size, ports, rings and event page inside RAM,
 * disjoint) and adopts the rings' current indices: the guest may have
 * posted RX buffers already. NULL with errno EINVAL and @err on a bad
 * config, ENOMEM.
 */
struct pv_backend *pv_backend_create(const struct guest_mem *gm,
				     const struct pv_backend_cfg *cfg,
				     char *err, size_t errlen);
void pv_backend_destroy(struct pv_backend *be);

/*
 * TX: consume up to @max requests of queue @q, hand each frame to @sink,
 * answer them, push the responses and notify the guest once if it asked
 * (rsp_event). Returns the frames handed to @sink.
 */
unsigned pv_backend_tx(struct pv_backend *be, unsigned q,
		       const struct pv_tx_sink *sink, unsigned max);

/*
 * RX: put up to @n frames into the buffers the guest posted on queue
 * @q's RX ring, push the responses, notify once if asked. Frames without
 * a buffer are dropped and counted. Returns the frames delivered.
 */
unsigned pv_backend_rx(struct pv_backend *be, unsigned q,
		       const void *const *frames, const uint16_t *lens,
		       unsigned n);

/*
 * Look at up to @max RX requests of queue @q the guest posted since the
 * last look, before any frame needs them, so a guest posting bad buffers
 * is stopped at once rather than at the next frame for it. Each is
 * checked again when used (the guest may have changed it). Returns how
 * many passed.
 */
unsigned pv_backend_rx_scan(struct pv_backend *be, unsigned q, unsigned max);

/*
 * The final check before the caller sleeps on the kick eventfds: ask the
 * guest to kick on its next TX request (req_event = req_cons + 1), then
 * look again. True when requests are already waiting (do not sleep).
 */
bool pv_backend_arm(struct pv_backend *be);

/*
 * Log every write into guest RAM in @log (NULL: stop) from now on, and
 * mark the rings and event page at once (written before). The caller
 * holds @log mapped until it sets NULL. Same thread as the data calls.
 */
struct dirty_log_view;
void pv_backend_set_log(struct pv_backend *be,
			const struct dirty_log_view *log);

/* True once a request was refused; the backend no longer runs. */
bool pv_backend_failed(const struct pv_backend *be);
/* PV_E_* and a sentence on why it stopped (PV_E_NONE while running). */
int pv_backend_error(const struct pv_backend *be, const char **why);

unsigned pv_backend_num_queues(const struct pv_backend *be);

/* Where a ring stands, for show commands: ours, and the guest's as read. */
struct pv_backend_ring_view {
	uint32_t req_cons, rsp_prod;		/* private */
	uint32_t req_prod, req_event, rsp_event;	/* shared, read now */
};
/* Queue @q's rings; -EINVAL for no such queue. */
int pv_backend_ring_view(const struct pv_backend *be, unsigned q,
			 struct pv_backend_ring_view *tx,
			 struct pv_backend_ring_view *rx);
void pv_backend_get_stats(const struct pv_backend *be,
			  struct pv_backend_stats *st);

/*
 * Event channel, backend -> guest: set @port's pending bit (atomic OR),
 * full barrier, read the mask, signal @irq_fd unless masked or -1.
 * Returns 1 signalled, 0 not (masked or no fd), -errno on a failed write.
 */
int pv_evtchn_send(struct pv_evt_page *pg, unsigned port, int irq_fd);

#endif
