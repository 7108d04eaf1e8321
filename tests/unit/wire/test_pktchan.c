// SPDX-License-Identifier: MIT
/*
 * The packet channel: both directions, index wrap past 2^32, a full ring,
 * refused frames, notification suppression, a peer that writes garbage
 * into the shared header, and open() refusing bad layouts.
 */
#include <errno.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "wire/pktchan.h"

#define NSLOTS 64

/* An endpoint and the switch's view of the same channel. */
struct pair {
	struct pktchan *ep, *sw;
	void *map;		/* the test's own mapping, to play the peer */
	size_t size;
	struct pktchan_shm_hdr *hdr;
	struct pktchan_ring_shm *up, *down;
	struct pktchan_slot *up_slots;
};

static struct pktchan *open_dup(struct pktchan *ch, enum pktchan_side side)
{
	int m = dup(pktchan_memfd(ch));
	int ks = dup(pktchan_kick_switch_fd(ch));
	int ke = dup(pktchan_kick_endpoint_fd(ch));
	struct pktchan *o = pktchan_open(m, ks, ke, side);

	if (!o) {
		close(m);
		close(ks);
		close(ke);
	}
	return o;
}

static void pair_map(struct pair *p, struct pktchan *ch)
{
	struct pktchan_shm_hdr h;

	assert_int_equal(pread(pktchan_memfd(ch), &h, sizeof(h), 0),
			 sizeof(h));
	p->size = h.total_size;
	p->map = mmap(NULL, p->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      pktchan_memfd(ch), 0);
	assert_true(p->map != MAP_FAILED);
	p->hdr = p->map;
	p->up = (void *)((uint8_t *)p->map + h.up_ring_off);
	p->down = (void *)((uint8_t *)p->map + h.down_ring_off);
	p->up_slots = (void *)((uint8_t *)p->map + h.up_slots_off);
}

static void pair_init(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	p->ep = pktchan_create(NSLOTS);
	assert_non_null(p->ep);
	p->sw = open_dup(p->ep, PKTCHAN_SIDE_SWITCH);
	assert_non_null(p->sw);
	pair_map(p, p->ep);
}

static void pair_fini(struct pair *p)
{
	munmap(p->map, p->size);
	pktchan_destroy(p->sw);
	pktchan_destroy(p->ep);
}

/* Eventfd count without blocking: 0 when no kick is pending. */
static uint64_t kicks(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void fill(uint8_t *b, unsigned len, unsigned seed)
{
	unsigned i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 31 + i);
}

/* Send @n frames of varying length, seeds from @seed. */
static unsigned send_n(struct pktchan *ch, unsigned n, unsigned seed)
{
	static uint8_t bufs[32][PKTCHAN_FRAME_MAX];
	const void *f[32];
	uint16_t lens[32];
	unsigned i, sent = 0;

	while (sent < n) {
		unsigned k = n - sent < 32 ? n - sent : 32, got;

		for (i = 0; i < k; i++) {
			lens[i] = (uint16_t)(60 + (seed + sent + i) % 1400);
			fill(bufs[i], lens[i], seed + sent + i);
			f[i] = bufs[i];
		}
		got = pktchan_send_burst(ch, f, lens, k);
		sent += got;
		if (got < k)
			break;
	}
	return sent;
}

/* Receive up to @n frames and check them against the seeds. */
static unsigned recv_check(struct pktchan *ch, unsigned n, unsigned seed)
{
	static uint8_t bufs[32][PKTCHAN_FRAME_MAX], want[PKTCHAN_FRAME_MAX];
	void *b[32];
	uint16_t lens[32];
	unsigned i, got, total = 0;

	for (i = 0; i < 32; i++)
		b[i] = bufs[i];
	while (total < n) {
		unsigned k = n - total < 32 ? n - total : 32;

		got = pktchan_recv_burst(ch, b, PKTCHAN_FRAME_MAX, lens, k);
		for (i = 0; i < got; i++) {
			unsigned s = seed + total + i;

			assert_int_equal(lens[i], 60 + s % 1400);
			fill(want, lens[i], s);
			assert_memory_equal(bufs[i], want, lens[i]);
		}
		total += got;
		if (got < k)
			break;
	}
	return total;
}

static void test_both_directions(void **state)
{
	struct pktchan_stats st;
	struct pair p;

	pair_init(&p);
	assert_int_equal(pktchan_wait_fd(p.ep), pktchan_kick_endpoint_fd(p.ep));
	assert_int_equal(send_n(p.ep, 10, 0), 10);
	assert_int_equal(pktchan_rx_pending(p.sw), 10);
	assert_int_equal(pktchan_tx_inflight(p.ep), 10);
	assert_int_equal(recv_check(p.sw, 100, 0), 10);
	assert_int_equal(pktchan_tx_inflight(p.ep), 0);
	assert_int_equal(send_n(p.sw, 7, 1000), 7);
	assert_int_equal(recv_check(p.ep, 100, 1000), 7);
	assert_int_equal(pktchan_rx_pending(p.ep), 0);

	pktchan_get_stats(p.ep, &st);
	assert_int_equal(st.tx_frames, 10);
	assert_int_equal(st.rx_frames, 7);
	pktchan_get_stats(p.sw, &st);
	assert_int_equal(st.rx_frames, 10);
	assert_int_equal(st.tx_frames, 7);
	assert_false(pktchan_broken(p.ep));
	assert_false(pktchan_broken(p.sw));
	pair_fini(&p);
}

static void test_peek_release(void **state)
{
	const void *f;
	uint16_t len;
	uint8_t want[PKTCHAN_FRAME_MAX];
	struct pair p;

	pair_init(&p);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), -EAGAIN);
	assert_int_equal(send_n(p.ep, 4, 0), 4);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), 0);
	assert_int_equal(len, 60);
	fill(want, len, 0);
	assert_memory_equal(f, want, len);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), 0);
	assert_int_equal(len, 61);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), 0);
	assert_int_equal(len, 62);
	/* Keep the first two; the third is handed out again. */
	pktchan_release(p.sw, 2);
	assert_int_equal(pktchan_rx_pending(p.sw), 2);
	assert_int_equal(pktchan_tx_inflight(p.ep), 2);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), 0);
	assert_int_equal(len, 62);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), 0);
	assert_int_equal(len, 63);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), -EAGAIN);
	pktchan_release(p.sw, 5);	/* more than peeked: just the two */
	assert_int_equal(pktchan_rx_pending(p.sw), 0);
	pair_fini(&p);
}

/* Indices just below 2^32: masking and wrap-around must be seamless. */
static void test_wrap_past_2_32(void **state)
{
	const uint32_t start = UINT32_MAX - 40;
	struct pktchan *ep, *sw, *creator;
	struct pair p;
	unsigned i, seed = 0;

	creator = pktchan_create(NSLOTS);
	assert_non_null(creator);
	pair_map(&p, creator);
	p.up->prod = p.up->cons = start;
	p.down->prod = p.down->cons = start;
	p.up->cons_event = p.down->cons_event = start;
	/* Both sides open afterwards and resume from the shared indices. */
	ep = open_dup(creator, PKTCHAN_SIDE_ENDPOINT);
	sw = open_dup(creator, PKTCHAN_SIDE_SWITCH);
	assert_non_null(ep);
	assert_non_null(sw);
	for (i = 0; i < 10; i++) {
		assert_int_equal(send_n(ep, 50, seed), 50);
		assert_int_equal(recv_check(sw, 64, seed), 50);
		assert_int_equal(send_n(sw, 30, seed + 7), 30);
		assert_int_equal(recv_check(ep, 64, seed + 7), 30);
		seed += 50;
	}
	assert_int_equal(p.up->prod, (uint32_t)(start + 500));
	assert_true(p.up->prod < start);	/* it did wrap */
	assert_int_equal(p.up->cons, p.up->prod);
	assert_int_equal(p.down->prod, (uint32_t)(start + 300));
	/* A full ring across the wrap too. */
	assert_int_equal(send_n(ep, NSLOTS + 5, 0), NSLOTS);
	assert_int_equal(recv_check(sw, 200, 0), NSLOTS);
	assert_false(pktchan_broken(ep));
	assert_false(pktchan_broken(sw));
	munmap(p.map, p.size);
	pktchan_destroy(ep);
	pktchan_destroy(sw);
	pktchan_destroy(creator);
}

static void test_full_ring_and_space_kick(void **state)
{
	struct pktchan_stats st;
	struct pair p;
	int kfd;

	pair_init(&p);
	kfd = pktchan_kick_endpoint_fd(p.ep);
	assert_int_equal(send_n(p.ep, NSLOTS + 10, 0), NSLOTS);
	pktchan_get_stats(p.ep, &st);
	assert_int_equal(st.tx_full, 1);
	assert_int_equal(pktchan_tx_inflight(p.ep), NSLOTS);
	/* Full: the producer asked for a kick once half the ring is free. */
	assert_int_equal(p.up->prod_event, NSLOTS / 2);
	assert_false(pktchan_arm_wait(p.ep));

	assert_int_equal(recv_check(p.sw, NSLOTS / 2 - 1, 0), NSLOTS / 2 - 1);
	assert_int_equal(kicks(kfd), 0);
	assert_int_equal(recv_check(p.sw, 1, NSLOTS / 2 - 1), 1);
	assert_int_equal(kicks(kfd), 1);
	/* Drained by the read above: arm_wait still sees the space. */
	assert_true(pktchan_arm_wait(p.ep));
	assert_false(pktchan_arm_wait(p.ep));	/* and only once */
	assert_int_equal(send_n(p.ep, NSLOTS / 2, 5000), NSLOTS / 2);
	assert_int_equal(pktchan_tx_inflight(p.ep), NSLOTS);
	assert_int_equal(recv_check(p.sw, NSLOTS / 2, NSLOTS / 2),
			 NSLOTS / 2);
	assert_int_equal(recv_check(p.sw, NSLOTS, 5000), NSLOTS / 2);
	pair_fini(&p);
}

static void test_refused_frames(void **state)
{
	static uint8_t big[PKTCHAN_FRAME_MAX + 1], ok[64];
	const void *f[4] = { ok, big, ok, big };
	uint16_t lens[4] = { 64, PKTCHAN_FRAME_MAX + 1, 0, PKTCHAN_FRAME_MAX };
	struct pktchan_stats st;
	uint8_t small[100];
	void *b[4] = { small, small, small, small };
	uint16_t rl[4];
	struct pair p;

	pair_init(&p);
	assert_int_equal(pktchan_send_burst(p.ep, f, lens, 4), 4);
	pktchan_get_stats(p.ep, &st);
	assert_int_equal(st.tx_frames, 2);
	assert_int_equal(st.tx_refused, 2);
	assert_int_equal(pktchan_rx_pending(p.sw), 2);
	/* A buffer too small for the second frame: dropped, counted. */
	assert_int_equal(pktchan_recv_burst(p.sw, b, sizeof(small), rl, 4), 1);
	assert_int_equal(rl[0], 64);
	pktchan_get_stats(p.sw, &st);
	assert_int_equal(st.rx_dropped, 1);
	assert_int_equal(pktchan_rx_pending(p.sw), 0);
	assert_false(pktchan_broken(p.sw));
	pair_fini(&p);
}

/* A kick happens exactly when the consumer armed, and only once. */
static void test_notify_suppression(void **state)
{
	int ks;
	struct pair p;

	pair_init(&p);
	ks = pktchan_kick_switch_fd(p.ep);

	/* A fresh channel starts armed (Xen's req_event = 1): one kick. */
	assert_int_equal(p.up->cons_event, 1);
	assert_int_equal(send_n(p.ep, 3, 0), 3);
	assert_int_equal(kicks(ks), 1);
	/* Not re-armed: the producer makes no syscall. */
	assert_int_equal(send_n(p.ep, 2, 3), 2);
	assert_int_equal(kicks(ks), 0);
	/* Armed with frames already there: do not sleep. */
	assert_true(pktchan_arm_wait(p.sw));
	assert_int_equal(recv_check(p.sw, 5, 0), 5);
	/* Armed on an empty ring: the next publish kicks, once. */
	assert_false(pktchan_arm_wait(p.sw));
	assert_int_equal(p.up->cons_event, 6);
	assert_int_equal(send_n(p.ep, 5, 5), 5);
	assert_int_equal(kicks(ks), 1);
	assert_int_equal(send_n(p.ep, 2, 10), 2);
	assert_int_equal(kicks(ks), 0);
	/* Busy consumer that never re-arms: no kicks at all. */
	assert_int_equal(recv_check(p.sw, 7, 5), 7);
	assert_int_equal(send_n(p.ep, 4, 12), 4);
	assert_int_equal(kicks(ks), 0);
	assert_int_equal(recv_check(p.sw, 4, 12), 4);
	/* A kick that arrived before arm_wait is drained by it. */
	assert_false(pktchan_arm_wait(p.sw));
	assert_int_equal(send_n(p.ep, 1, 16), 1);
	assert_true(pktchan_arm_wait(p.sw));
	assert_int_equal(kicks(ks), 0);
	assert_int_equal(recv_check(p.sw, 1, 16), 1);

	/* Same in the other direction, endpoint asleep. */
	assert_int_equal(send_n(p.sw, 2, 0), 2);	/* starts armed */
	assert_int_equal(kicks(pktchan_kick_endpoint_fd(p.ep)), 1);
	assert_int_equal(recv_check(p.ep, 2, 0), 2);
	assert_int_equal(send_n(p.sw, 1, 2), 1);
	assert_int_equal(kicks(pktchan_kick_endpoint_fd(p.ep)), 0);
	assert_true(pktchan_arm_wait(p.ep));
	assert_int_equal(recv_check(p.ep, 1, 2), 1);
	assert_false(pktchan_arm_wait(p.ep));
	assert_int_equal(send_n(p.sw, 2, 3), 2);
	assert_int_equal(kicks(pktchan_kick_endpoint_fd(p.ep)), 1);
	assert_int_equal(recv_check(p.ep, 2, 3), 2);
	pair_fini(&p);
}

static void test_hostile_prod_index(void **state)
{
	const void *f;
	uint16_t len;
	struct pair p;

	pair_init(&p);
	assert_int_equal(send_n(p.ep, 2, 0), 2);
	/* The endpoint claims more frames than the ring holds. */
	p.up->prod = NSLOTS + 1;
	assert_int_equal(recv_check(p.sw, 10, 0), 0);
	assert_true(pktchan_broken(p.sw));
	assert_int_equal(pktchan_rx_pending(p.sw), 0);
	assert_int_equal(pktchan_peek(p.sw, &f, &len), -EPROTO);
	assert_int_equal(send_n(p.sw, 1, 0), 0);
	assert_true(pktchan_arm_wait(p.sw));	/* never sleep when broken */
	pair_fini(&p);

	/* The index going backwards is as impossible. */
	pair_init(&p);
	assert_int_equal(send_n(p.ep, 2, 0), 2);
	assert_int_equal(recv_check(p.sw, 2, 0), 2);
	p.up->prod = 1;
	assert_int_equal(pktchan_rx_pending(p.sw), 0);
	assert_true(pktchan_broken(p.sw));
	pair_fini(&p);
}

static void test_hostile_cons_index(void **state)
{
	struct pair p;

	pair_init(&p);
	assert_int_equal(send_n(p.ep, 2, 0), 2);
	/* The switch claims to have consumed frames never produced. */
	p.up->cons = 10;
	assert_int_equal(send_n(p.ep, 1, 0), 0);
	assert_true(pktchan_broken(p.ep));
	pair_fini(&p);
}

static void test_hostile_slot_length(void **state)
{
	static const uint32_t bad[] = { 0, PKTCHAN_FRAME_MAX + 1, UINT32_MAX };
	const void *f;
	uint16_t len;
	unsigned i;

	for (i = 0; i < 3; i++) {
		struct pair p;

		pair_init(&p);
		assert_int_equal(send_n(p.ep, 3, 0), 3);
		p.up_slots[1].len = bad[i];
		/* The good frame before it is delivered, then it breaks. */
		assert_int_equal(recv_check(p.sw, 3, 0), 1);
		assert_true(pktchan_broken(p.sw));
		pair_fini(&p);

		pair_init(&p);
		assert_int_equal(send_n(p.ep, 1, 0), 1);
		p.up_slots[0].len = bad[i];
		assert_int_equal(pktchan_peek(p.sw, &f, &len), -EPROTO);
		assert_true(pktchan_broken(p.sw));
		pair_fini(&p);
	}
}

/* ---- open() refusing bad layouts ---- */

static int try_open(int memfd, struct pktchan *ref)
{
	struct pktchan *o;
	int ks = pktchan_kick_switch_fd(ref), ke = pktchan_kick_endpoint_fd(ref);

	o = pktchan_open(memfd, ks, ke, PKTCHAN_SIDE_SWITCH);
	if (o)
		fail_msg("opened a channel with a bad layout");
	/* On failure the caller still owns the fds: they must be open. */
	assert_true(fcntl(memfd, F_GETFD) >= 0);
	assert_true(fcntl(ks, F_GETFD) >= 0);
	return -errno;
}

static void test_open_bad_headers(void **state)
{
	struct pktchan *ep = pktchan_create(NSLOTS);
	struct pktchan_shm_hdr good;
	struct pair p;
	int memfd;

	assert_non_null(ep);
	pair_map(&p, ep);
	good = *p.hdr;
	memfd = pktchan_memfd(ep);

#define BAD(field, value, err) do {				\
		*p.hdr = good;					\
		p.hdr->field = (value);				\
		assert_int_equal(try_open(memfd, ep), (err));	\
	} while (0)
	BAD(magic, 0x12345678, -EPROTO);
	BAD(version, 2, -EPROTONOSUPPORT);
	BAD(nslots, 100, -EINVAL);
	BAD(nslots, 32, -EINVAL);
	BAD(nslots, 8192, -EINVAL);
	BAD(nslots, 0, -EINVAL);
	BAD(slot_size, 1024, -EINVAL);
	BAD(total_size, good.total_size + 4096, -EINVAL);
	BAD(total_size, 0, -EINVAL);
	BAD(up_ring_off, good.total_size, -EINVAL);
	BAD(up_ring_off, UINT64_MAX - 63, -EINVAL);
	BAD(down_slots_off, good.down_slots_off + 64, -EINVAL);
	BAD(up_slots_off, UINT64_MAX - 4095, -EINVAL);
	BAD(up_ring_off, 0, -EINVAL);			/* over the header */
	BAD(down_ring_off, good.up_ring_off, -EINVAL);	/* same ring */
	BAD(down_ring_off, good.up_ring_off + 64, -EINVAL); /* overlap */
	BAD(up_slots_off, good.down_slots_off, -EINVAL);
	BAD(up_ring_off, good.up_ring_off + 4, -EINVAL); /* misaligned */
#undef BAD
	*p.hdr = good;
	/* Impossible indices in an otherwise good channel. */
	p.up->prod = NSLOTS + 1;
	assert_int_equal(try_open(memfd, ep), -EPROTO);
	p.up->prod = 0;

	/* Kick fds that are not eventfds. */
	{
		int pfd[2];

		assert_int_equal(pipe(pfd), 0);
		assert_null(pktchan_open(memfd, pfd[0],
					 pktchan_kick_endpoint_fd(ep),
					 PKTCHAN_SIDE_SWITCH));
		assert_int_equal(errno, EINVAL);
		close(pfd[0]);
		close(pfd[1]);
	}
	munmap(p.map, p.size);
	pktchan_destroy(ep);
}

/*
 * A peer shares the kick eventfds' file with the switch: it can clear
 * O_NONBLOCK, or hand over a semaphore-mode eventfd with a count near
 * 2^64. Neither may stall the side that waits (issue 14, item 1): the
 * switch side's arm-wait returns at once, and a semaphore is refused.
 */
static void stall_alarm(int sig)
{
	(void)sig;
	fail_msg("arm_wait blocked on an eventfd the peer made blocking");
}

static void test_peer_cannot_stall(void **state)
{
	struct pair p;
	int fl, sem;
	uint64_t big = 0xfffffffffffffffeull;

	pair_init(&p);
	/* The peer clears the flag on the shared file, then kicks nothing. */
	fl = fcntl(pktchan_kick_switch_fd(p.ep), F_GETFL);
	assert_int_equal(fcntl(pktchan_kick_switch_fd(p.ep), F_SETFL,
			       fl & ~O_NONBLOCK), 0);
	signal(SIGALRM, stall_alarm);
	alarm(5);
	assert_false(pktchan_arm_wait(p.sw));
	assert_false(pktchan_arm_wait(p.sw));
	alarm(0);
	signal(SIGALRM, SIG_DFL);
	pair_fini(&p);

	/* The peer makes the fd it sleeps on blocking and fills its count:
	 * the switch's kick gives up and the channel breaks, nothing else. */
	pair_init(&p);
	{
		int ke = pktchan_kick_endpoint_fd(p.ep);
		uint64_t full = 0xfffffffffffffffeull;
		const uint8_t frame[64] = { 0x02 };
		const void *frames[1] = { frame };
		uint16_t lens[1] = { sizeof(frame) };

		/* The endpoint asks for a kick on its next frame (this drains
		 * its fd), then makes the fd blocking and fills it. */
		assert_false(pktchan_arm_wait(p.ep));
		fl = fcntl(ke, F_GETFL);
		assert_int_equal(fcntl(ke, F_SETFL, fl & ~O_NONBLOCK), 0);
		assert_int_equal(write(ke, &full, sizeof(full)), sizeof(full));
		signal(SIGALRM, stall_alarm);
		alarm(10);
		pktchan_send_burst(p.sw, frames, lens, 1);
		alarm(0);
		signal(SIGALRM, SIG_DFL);
		assert_true(pktchan_broken(p.sw));
	}
	pair_fini(&p);

	/* A semaphore-mode eventfd with a huge count: refused at open. */
	p.ep = pktchan_create(NSLOTS);
	assert_non_null(p.ep);
	sem = eventfd(0, EFD_SEMAPHORE | EFD_CLOEXEC);
	assert_true(sem >= 0);
	assert_int_equal(write(sem, &big, sizeof(big)), sizeof(big));
	assert_null(pktchan_open(pktchan_memfd(p.ep), sem,
				 pktchan_kick_endpoint_fd(p.ep),
				 PKTCHAN_SIDE_SWITCH));
	assert_int_equal(errno, EINVAL);
	close(sem);
	pktchan_destroy(p.ep);
}

/* A memfd that is too small for its header, or not sealed. */
static void test_open_bad_memfd(void **state)
{
	struct pktchan *ep = pktchan_create(NSLOTS);
	struct pktchan_shm_hdr h;
	int fd;

	assert_non_null(ep);
	assert_int_equal(pread(pktchan_memfd(ep), &h, sizeof(h), 0),
			 sizeof(h));

	/* Sealed but smaller than total_size says. */
	fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)h.total_size - 4096), 0);
	assert_int_equal(pwrite(fd, &h, sizeof(h), 0), sizeof(h));
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	assert_int_equal(try_open(fd, ep), -EINVAL);
	close(fd);

	/* Shorter than a header. */
	fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(ftruncate(fd, 32), 0);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	assert_int_equal(try_open(fd, ep), -EINVAL);
	close(fd);

	/* Right size, no shrink seal: the peer could truncate it. */
	fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(ftruncate(fd, (off_t)h.total_size), 0);
	assert_int_equal(pwrite(fd, &h, sizeof(h), 0), sizeof(h));
	assert_int_equal(try_open(fd, ep), -EPERM);
	close(fd);

	/* Create refuses bad ring sizes. */
	assert_null(pktchan_create(100));
	assert_int_equal(errno, EINVAL);
	assert_null(pktchan_create(PKTCHAN_RING_MAX * 2));
	pktchan_destroy(ep);
}

/* ---- two threads, sleeping on the eventfds: nothing lost or stuck ---- */

#define STRESS_FRAMES 200000

static void *stress_producer(void *arg)
{
	struct pktchan *ep = arg;
	uint64_t seq = 0;

	while (seq < STRESS_FRAMES) {
		uint64_t v[16];
		const void *f[16];
		uint16_t lens[16];
		unsigned i, k = 16, sent;

		for (i = 0; i < k; i++) {
			v[i] = seq + i;
			f[i] = &v[i];
			lens[i] = sizeof(v[i]);
		}
		if (seq + k > STRESS_FRAMES)
			k = (unsigned)(STRESS_FRAMES - seq);
		sent = pktchan_send_burst(ep, f, lens, k);
		seq += sent;
		if (sent < k && !pktchan_arm_wait(ep)) {
			struct pollfd pf = { .fd = pktchan_wait_fd(ep),
					     .events = POLLIN };

			poll(&pf, 1, 1000);
		}
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct pair p;
	pthread_t t;
	uint64_t want = 0;
	int timeouts = 0;

	pair_init(&p);
	assert_int_equal(pthread_create(&t, NULL, stress_producer, p.ep), 0);
	while (want < STRESS_FRAMES) {
		uint64_t v[32];
		void *b[32];
		uint16_t lens[32];
		unsigned i, got;

		for (i = 0; i < 32; i++)
			b[i] = &v[i];
		got = pktchan_recv_burst(p.sw, b, sizeof(v[0]), lens, 32);
		for (i = 0; i < got; i++)
			assert_int_equal(v[i], want++);
		if (got == 0 && !pktchan_arm_wait(p.sw)) {
			struct pollfd pf = { .fd = pktchan_wait_fd(p.sw),
					     .events = POLLIN };

			/* A lost wake-up shows as a 1 s timeout. */
			if (poll(&pf, 1, 1000) == 0)
				timeouts++;
		}
	}
	pthread_join(t, NULL);
	assert_int_equal(timeouts, 0);
	assert_false(pktchan_broken(p.sw));
	assert_false(pktchan_broken(p.ep));
	pair_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_directions),
		cmocka_unit_test(test_peek_release),
		cmocka_unit_test(test_wrap_past_2_32),
		cmocka_unit_test(test_full_ring_and_space_kick),
		cmocka_unit_test(test_refused_frames),
		cmocka_unit_test(test_notify_suppression),
		cmocka_unit_test(test_hostile_prod_index),
		cmocka_unit_test(test_hostile_cons_index),
		cmocka_unit_test(test_hostile_slot_length),
		cmocka_unit_test(test_open_bad_headers),
		cmocka_unit_test(test_open_bad_memfd),
		cmocka_unit_test(test_two_threads),
		cmocka_unit_test(test_peer_cannot_stall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
