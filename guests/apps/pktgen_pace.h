/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_APPS_PKTGEN_PACE_H
#define IOPATH_GUEST_APPS_PKTGEN_PACE_H

/*
 * pktgen's pacing arithmetic (apps/net_pktgen.c), apart from the app so
 * the host's unit tests run it (tests/unit/guest).
 *
 * Slot k of the schedule is due at t0 + k / rate. Frames go in groups
 * of `chunk`: a group is released when its last slot is due, with every
 * slot due by then, so the average rate is exact and a late wake-up is
 * made up. Made up only so far: a sender that finds more than `cap`
 * slots due and unsent (its vCPU was descheduled, or the VM was paused
 * to migrate) moves the schedule forward and sends `cap` of them, as a
 * token bucket `cap` deep would. Sending the whole backlog at line rate
 * would be a burst the path never saw at that rate, and what the
 * receiver drops of it would count as loss the pause did not cause.
 *
 * Skipped slots take no sequence number (the sender numbers what it
 * sends), so a receiver's gaps stay real losses; they are counted here,
 * with the longest stall: how long after a group was due to go it went.
 */
#include <stdbool.h>
#include <stdint.h>

#define PACE_RATE_MAX	100000000ull	/* frames per second */

struct pktgen_pace {
	uint64_t rate;		/* frames per second, > 0 */
	uint64_t hz;		/* clock ticks per second */
	uint64_t t0;		/* tick slot 0 is due */
	uint64_t chunk;		/* frames per group */
	uint64_t cap;		/* most frames released at once */
	uint64_t skipped;	/* slots given up: never sent */
	uint64_t skips;		/* times the schedule moved forward */
	uint64_t max_late;	/* ticks: the latest a group went */
};

/* Set @p up for @rate frames/s on a @hz clock from tick @t0: groups of
 * about @pace_us (1..@chunk_max frames), a backlog of at most
 * @catchup_us worth of frames (0: two groups), never less than a group.
 * Returns 0 or -EINVAL for a rate of 0 or above PACE_RATE_MAX or a
 * zero @hz. */
int pktgen_pace_init(struct pktgen_pace *p, uint64_t rate, uint64_t hz,
		     uint64_t t0, uint64_t pace_us, uint64_t catchup_us,
		     uint64_t chunk_max);

/* The tick slot @k is due. */
uint64_t pktgen_pace_at(const struct pktgen_pace *p, uint64_t k);

/* With @sent frames out, at tick @now, and at most @want in the next
 * group (fewer at the end of a count=): how many to send now. 0 means
 * wait until *@at, when the next group is due. Otherwise the sender
 * sends that many (repeating on a full ring) before asking again; slots
 * beyond the cap are skipped here. */
uint64_t pktgen_pace_next(struct pktgen_pace *p, uint64_t now,
			  uint64_t sent, uint64_t want, uint64_t *at);

#endif
