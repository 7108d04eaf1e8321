/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_VMM_VMM_MIGRATE_PRIV_H
#define IOPATH_VMM_VMM_MIGRATE_PRIV_H

/*
 * The source side of a migration, shared by vmm_migrate_src.c (control
 * commands, calls on the loop thread, auto-converge) and
 * vmm_migrate_out.c (the migration thread: rounds and switch-over).
 * Not for other files.
 *
 * Threads: control commands and the switch-over on the loop thread;
 * rounds on the migration thread; auto-converge's holds on the throttle
 * thread, which stops before the switch-over. Fields under "status" are
 * under lock; the migration thread's own are its alone while it runs.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/migrate_ram.h"
#include "core/migrate_stream.h"
#include "vmm/vmm_migrate.h"

#define MIG_CONNECT_TIMEOUT_MS	5000
#define MIG_IO_TIMEOUT_MS	10000
/* The destination loads the state and attaches its NICs (a pv NIC's
 * PV_CONFIG may take 2 s) before it answers. */
#define MIG_REPLY_TIMEOUT_MS	20000
/* What the switch-over costs besides the last pages (state, answer). */
#define MIG_FIXED_COST_MS	2
#define MIG_THROTTLE_PERIOD_MS	20
#define MIG_THROTTLE_INITIAL	20
#define MIG_THROTTLE_STEP	10
#define MIG_THROTTLE_MAX	99
/* How long the source waits for the guest to see its VF go. */
#define MIG_VF_ACK_MS		1000

enum mig_out_state {
	MIG_NONE,
	MIG_SETUP,
	MIG_ACTIVE,
	MIG_SWITCHOVER,
	MIG_COMPLETED,
	MIG_FAILED,
	MIG_CANCELLED,
};

enum mig_call_state { CALL_IDLE, CALL_PENDING, CALL_RUNNING, CALL_DONE };

/* The source side of a migration; one per process (one VM). */
struct mig_out {
	struct vmm *vmm;
	struct vmm_migrate_params params;
	pthread_t thread;
	bool thread_live;		/* loop thread: joinable */
	volatile bool cancel;

	pthread_mutex_t lock;		/* the status below */
	enum mig_out_state state;
	char error[192];
	unsigned round;
	uint64_t dirty_pages;
	uint64_t unsent;		/* in our send queue at the last look */
	double bytes_per_ms;		/* delivered, measured */
	uint64_t expected_downtime_ms;
	unsigned throttle_pct;
	uint64_t start_ms, end_ms;
	uint64_t downtime_us;		/* vCPUs held to "running" */
	/* The VFs (vmm_migrate_vf.c): unplugged and not replugged; how
	 * many, how many the guest did not acknowledge in time, the
	 * slowest acknowledgement, the whole unplug. */
	bool vf_unplugged;
	unsigned vf_count, vf_unacked;
	uint64_t vf_ack_us, vf_unplug_us;

	pthread_t throttle;
	bool throttle_live;
	volatile bool throttle_stop;

	/* A call run on the loop thread for the migration thread. */
	int call_fd;
	pthread_cond_t call_cond;	/* under lock */
	enum mig_call_state call_state;
	int (*call_fn)(struct mig_out *m);
	int call_ret;

	/* The migration thread's. */
	uint64_t drain_ns;		/* waiting for the send queue */
	double drain_bpms;		/* how fast it emptied, 0: not seen */
	int fd;
	struct mig_stream s;
	uint64_t *bitmap;
	struct mig_ram_stats ram;
};

extern struct mig_out mig_out;

/* vmm_migrate_src.c */
void mig_set_state(struct mig_out *m, enum mig_out_state st);
/* Record why it failed; the first error wins (the rest follow from it). */
void mig_error(struct mig_out *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Run @fn on the loop thread and wait for it. If the VMM exits before
 * the loop takes the call, the call is withdrawn: -ECANCELED.
 */
int mig_call_on_loop(struct mig_out *m, int (*fn)(struct mig_out *m));
/* Auto-converge: hold the guest a larger share of the time; stop. */
void mig_throttle_raise(struct mig_out *m);
void mig_throttle_stop(struct mig_out *m);
void mig_sleep_ms(unsigned ms);

/* vmm_migrate_vf.c: the standby design for VFs. */
/*
 * Can this VM's VFs migrate: each has mac= and a pv NIC with that MAC
 * and standby=1? 0, or -ENOTSUP with what is missing in @err.
 */
int mig_vf_check(struct vmm *vmm, char *err, size_t len);
/*
 * Before pre-copy: unplug every VF and wait (MIG_VF_ACK_MS at most) for
 * the guest to see it. 0 (also when it did not look: logged), -errno.
 * Migration thread.
 */
int mig_vf_unplug(struct mig_out *m);
/* After a failure or cancel: bind the VFs again. Migration thread. */
void mig_vf_replug(struct mig_out *m);

/* vmm_migrate_out.c: the migration thread. */
void *mig_thread(void *arg);

#endif
