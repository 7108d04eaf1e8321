// SPDX-License-Identifier: MIT
/*
 * The packet channel: a sealed memfd with two SPSC rings of frame slots and
 * two eventfds (pktchan.h, wire/PROTOCOL.md "Packet channel").
 *
 * Each side keeps its own index (the producer's prod, the consumer's cons)
 * in private memory and only publishes it to the shared header: the peer
 * may scribble on any shared word, so we never read back our own index and
 * we check every index of the peer's before using it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_SUBSYS "pktchan"
#include "base/efd.h"
#include "base/log.h"
#include "wire/pktchan.h"

/* Where pktchan_create() puts things; pktchan_open() accepts any sane layout. */
#define PKTCHAN_RINGS_OFF	64
#define PKTCHAN_SLOTS_OFF	4096
/* Biggest memfd we agree to map: two rings of PKTCHAN_RING_MAX slots. */
#define PKTCHAN_TOTAL_MAX \
	(PKTCHAN_SLOTS_OFF + 2ull * PKTCHAN_RING_MAX * PKTCHAN_SLOT_SIZE + 4096)
#define PKTCHAN_ALIGN		64

struct pktchan {
	enum pktchan_side side;
	int memfd;
	int kick_switch_fd;
	int kick_endpoint_fd;
	void *base;
	size_t size;
	uint32_t nslots;
	uint32_t mask;

	/* The ring this side produces into. */
	struct pktchan_ring_shm *tx;
	struct pktchan_slot *tx_slots;
	uint32_t tx_prod;	/* private: the truth about our prod */
	bool tx_blocked;	/* last send found the ring full */

	/* The ring this side consumes from. */
	struct pktchan_ring_shm *rx;
	struct pktchan_slot *rx_slots;
	uint32_t rx_cons;	/* private: the truth about our cons */
	uint32_t rx_peeked;	/* frames handed out by pktchan_peek() */

	bool broken;
	struct pktchan_stats st;
};

/* ---- shared-memory accessors: one load or store each, never torn ---- */

static inline uint32_t shm_load_relaxed(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t shm_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void shm_store_relaxed(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static inline void shm_store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * Xen's rule: a side that moved its index from @old to @new owes the peer a
 * kick iff the peer's @event lies in (old, new]. Unsigned subtraction makes
 * it hold across the 2^32 wrap.
 */
static inline bool event_in_range(uint32_t event, uint32_t old, uint32_t new)
{
	return (uint32_t)(new - event) < (uint32_t)(new - old);
}

static void chan_break(struct pktchan *ch, const char *what, uint32_t a,
		       uint32_t b)
{
	if (!ch->broken)
		log_guest_warn("channel broken: %s (%u, %u)", what, a, b);
	ch->broken = true;
}

/* The eventfd the other side sleeps on. */
static int peer_kick_fd(const struct pktchan *ch)
{
	return ch->side == PKTCHAN_SIDE_ENDPOINT ? ch->kick_switch_fd
						 : ch->kick_endpoint_fd;
}

static void kick_peer(struct pktchan *ch)
{
	/*
	 * 0 means the counter is saturated: the peer has a wake-up pending
	 * anyway. A write the peer stalled (it made the shared file
	 * blocking and filled the count) ends the channel: the peer broke
	 * it, and we never wait on it again.
	 */
	int ret = efd_signal(peer_kick_fd(ch));

	if (ret > 0)
		ch->st.kicks_sent++;
	else if (ret == -ETIMEDOUT)
		chan_break(ch, "the peer stalled our kick", 0, 0);
}

static void drain_wait_fd(struct pktchan *ch)
{
	/*
	 * One read takes the whole count (efd_check refused semaphore
	 * mode) and never blocks, even if the peer, who shares the file,
	 * cleared its O_NONBLOCK.
	 */
	efd_read(pktchan_wait_fd(ch), NULL);
}

/* ---- layout ---- */

static void chan_bind(struct pktchan *ch, const struct pktchan_shm_hdr *h)
{
	uint8_t *b = ch->base;
	struct pktchan_ring_shm *up = (void *)(b + h->up_ring_off);
	struct pktchan_ring_shm *down = (void *)(b + h->down_ring_off);
	struct pktchan_slot *up_s = (void *)(b + h->up_slots_off);
	struct pktchan_slot *down_s = (void *)(b + h->down_slots_off);

	ch->nslots = h->nslots;
	ch->mask = h->nslots - 1;
	if (ch->side == PKTCHAN_SIDE_ENDPOINT) {
		ch->tx = up, ch->tx_slots = up_s;
		ch->rx = down, ch->rx_slots = down_s;
	} else {
		ch->tx = down, ch->tx_slots = down_s;
		ch->rx = up, ch->rx_slots = up_s;
	}
}

static bool nslots_ok(uint32_t n)
{
	return n >= PKTCHAN_RING_MIN && n <= PKTCHAN_RING_MAX &&
	       (n & (n - 1)) == 0;
}

struct range {
	uint64_t off, len;
};

/* [off, off + len) inside [0, total), aligned, computed without overflow. */
static bool range_inside(struct range r, uint64_t total)
{
	return r.off % PKTCHAN_ALIGN == 0 && r.off <= total &&
	       r.len <= total - r.off;
}

static bool ranges_overlap(struct range a, struct range b)
{
	return a.off < b.off + b.len && b.off < a.off + a.len;
}

/*
 * Check a header copied out of the memfd against the memfd's real size.
 * Nothing here is trusted until every range is inside and disjoint.
 */
static int hdr_check(const struct pktchan_shm_hdr *h, uint64_t file_size)
{
	struct range r[5];
	uint64_t slots_len;
	unsigned i, j;

	if (h->magic != PKTCHAN_MAGIC)
		return -EPROTO;
	if (h->version != PKTCHAN_VERSION)
		return -EPROTONOSUPPORT;
	if (!nslots_ok(h->nslots) || h->slot_size != PKTCHAN_SLOT_SIZE)
		return -EINVAL;
	if (h->total_size > file_size || h->total_size > PKTCHAN_TOTAL_MAX ||
	    h->total_size < sizeof(*h))
		return -EINVAL;
	slots_len = (uint64_t)h->nslots * PKTCHAN_SLOT_SIZE;
	r[0] = (struct range){ 0, sizeof(*h) };
	r[1] = (struct range){ h->up_ring_off, sizeof(struct pktchan_ring_shm) };
	r[2] = (struct range){ h->down_ring_off,
			       sizeof(struct pktchan_ring_shm) };
	r[3] = (struct range){ h->up_slots_off, slots_len };
	r[4] = (struct range){ h->down_slots_off, slots_len };
	for (i = 0; i < 5; i++) {
		if (!range_inside(r[i], h->total_size))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (ranges_overlap(r[i], r[j]))
				return -EINVAL;
	}
	return 0;
}

/* ---- create / open / destroy ---- */

static struct pktchan *chan_alloc(enum pktchan_side side)
{
	struct pktchan *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	ch->side = side;
	ch->memfd = ch->kick_switch_fd = ch->kick_endpoint_fd = -1;
	ch->base = MAP_FAILED;
	return ch;
}

struct pktchan *pktchan_create(unsigned nslots)
{
	struct pktchan_shm_hdr h;
	struct pktchan *ch;
	uint64_t slots_len;
	int err;

	if (!nslots_ok(nslots)) {
		errno = EINVAL;
		return NULL;
	}
	ch = chan_alloc(PKTCHAN_SIDE_ENDPOINT);
	if (!ch)
		return NULL;

	slots_len = (uint64_t)nslots * PKTCHAN_SLOT_SIZE;
	h = (struct pktchan_shm_hdr){
		.magic = PKTCHAN_MAGIC,
		.version = PKTCHAN_VERSION,
		.nslots = nslots,
		.slot_size = PKTCHAN_SLOT_SIZE,
		.up_ring_off = PKTCHAN_RINGS_OFF,
		.down_ring_off = PKTCHAN_RINGS_OFF +
				 sizeof(struct pktchan_ring_shm),
		.up_slots_off = PKTCHAN_SLOTS_OFF,
		.down_slots_off = PKTCHAN_SLOTS_OFF + slots_len,
		.total_size = PKTCHAN_SLOTS_OFF + 2 * slots_len,
	};
	_Static_assert(PKTCHAN_RINGS_OFF + 2 * sizeof(struct pktchan_ring_shm)
		       <= PKTCHAN_SLOTS_OFF, "rings fit before the slots");

	ch->memfd = memfd_create("iopath-pktchan",
				 MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (ch->memfd < 0)
		goto fail;
	if (ftruncate(ch->memfd, (off_t)h.total_size) < 0)
		goto fail;
	/*
	 * Sealed at its final size: the switch maps it and must not take
	 * SIGBUS because we truncated it later (pktchan_open() insists).
	 */
	if (fcntl(ch->memfd, F_ADD_SEALS,
		  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	ch->size = h.total_size;
	ch->base = mmap(NULL, ch->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			ch->memfd, 0);
	if (ch->base == MAP_FAILED)
		goto fail;
	/* A fresh memfd reads as zeroes: indices and events start at 0. */
	memcpy(ch->base, &h, sizeof(h));
	chan_bind(ch, &h);
	/*
	 * Both consumers start out asking for a kick on the first frame, as
	 * Xen's rings start with req_event = 1: a consumer that has not run
	 * yet is asleep as far as the producer can tell.
	 */
	ch->tx->cons_event = 1;
	ch->rx->cons_event = 1;

	ch->kick_switch_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ch->kick_switch_fd < 0)
		goto fail;
	ch->kick_endpoint_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ch->kick_endpoint_fd < 0)
		goto fail;
	return ch;
fail:
	err = errno;
	pktchan_destroy(ch);
	errno = err;
	return NULL;
}

struct pktchan *pktchan_open(int memfd, int kick_switch_fd,
			     int kick_endpoint_fd, enum pktchan_side side)
{
	struct pktchan_shm_hdr h;
	struct pktchan *ch;
	struct stat sb;
	uint32_t prod, cons;
	int seals, err;

	if (side != PKTCHAN_SIDE_ENDPOINT && side != PKTCHAN_SIDE_SWITCH) {
		errno = EINVAL;
		return NULL;
	}
	if (fstat(memfd, &sb) < 0)
		return NULL;
	if (!S_ISREG(sb.st_mode) || sb.st_size < (off_t)sizeof(h)) {
		errno = EINVAL;
		return NULL;
	}
	/* Without a shrink seal the peer could truncate and SIGBUS us. */
	seals = fcntl(memfd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		errno = EPERM;
		return NULL;
	}
	/* Judge a private copy of the header, not the live one. */
	if (pread(memfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		errno = EINVAL;
		return NULL;
	}
	err = hdr_check(&h, (uint64_t)sb.st_size);
	if (err) {
		errno = -err;
		return NULL;
	}
	err = efd_check(kick_switch_fd);
	if (!err)
		err = efd_check(kick_endpoint_fd);
	if (err) {
		errno = -err;
		return NULL;
	}

	ch = chan_alloc(side);
	if (!ch)
		return NULL;
	ch->size = h.total_size;
	ch->base = mmap(NULL, ch->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			memfd, 0);
	if (ch->base == MAP_FAILED) {
		err = errno;
		free(ch);
		errno = err;
		return NULL;
	}
	chan_bind(ch, &h);	/* from the checked copy, not the live header */

	/*
	 * Pick up where the channel stands (a re-attach, or a test that set
	 * the indices): our own indices come from the shared words once,
	 * checked against the peer's.
	 */
	prod = shm_load_acquire(&ch->tx->prod);
	cons = shm_load_relaxed(&ch->tx->cons);
	if ((uint32_t)(prod - cons) > ch->nslots)
		goto bad_index;
	ch->tx_prod = prod;
	prod = shm_load_acquire(&ch->rx->prod);
	cons = shm_load_relaxed(&ch->rx->cons);
	if ((uint32_t)(prod - cons) > ch->nslots)
		goto bad_index;
	ch->rx_cons = cons;

	ch->memfd = memfd;
	ch->kick_switch_fd = kick_switch_fd;
	ch->kick_endpoint_fd = kick_endpoint_fd;
	return ch;
bad_index:
	munmap(ch->base, ch->size);
	free(ch);
	errno = EPROTO;
	return NULL;
}

void pktchan_destroy(struct pktchan *ch)
{
	if (!ch)
		return;
	if (ch->base != MAP_FAILED)
		munmap(ch->base, ch->size);
	if (ch->memfd >= 0)
		close(ch->memfd);
	if (ch->kick_switch_fd >= 0)
		close(ch->kick_switch_fd);
	if (ch->kick_endpoint_fd >= 0)
		close(ch->kick_endpoint_fd);
	free(ch);
}

int pktchan_memfd(const struct pktchan *ch)
{
	return ch->memfd;
}

int pktchan_kick_switch_fd(const struct pktchan *ch)
{
	return ch->kick_switch_fd;
}

int pktchan_kick_endpoint_fd(const struct pktchan *ch)
{
	return ch->kick_endpoint_fd;
}

int pktchan_wait_fd(const struct pktchan *ch)
{
	return ch->side == PKTCHAN_SIDE_ENDPOINT ? ch->kick_endpoint_fd
						 : ch->kick_switch_fd;
}

bool pktchan_broken(const struct pktchan *ch)
{
	return ch->broken;
}

void pktchan_get_stats(const struct pktchan *ch, struct pktchan_stats *st)
{
	*st = ch->st;
}

/* ---- producer ---- */

/*
 * Free slots in our tx ring. The acquire on cons orders the consumer's
 * reads of the slots it released before our overwriting them.
 */
static int tx_space(struct pktchan *ch, uint32_t *cons_out)
{
	uint32_t cons = shm_load_acquire(&ch->tx->cons);
	uint32_t used = ch->tx_prod - cons;

	if (used > ch->nslots) {
		chan_break(ch, "consumer index out of range", cons,
			   ch->tx_prod);
		return -EPROTO;
	}
	*cons_out = cons;
	return (int)(ch->nslots - used);
}

/*
 * The ring is full: ask the consumer to kick us once it has freed half of
 * it (hysteresis: waking for a single slot would cost a wake-up per frame),
 * then look again in case it already did.
 */
static int tx_arm_space(struct pktchan *ch, uint32_t *cons)
{
	int space;

	shm_store_relaxed(&ch->tx->prod_event, *cons + ch->nslots / 2);
	/*
	 * Full barrier: orders our store of prod_event before our re-load of
	 * cons (store->load), pairing with the consumer's fence between its
	 * store of cons and its load of prod_event. One of us sees the other.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	space = tx_space(ch, cons);
	ch->tx_blocked = space == 0;
	return space;
}

/* Publish [old, tx_prod) and kick if the consumer asked for it. */
static void tx_publish(struct pktchan *ch, uint32_t old)
{
	/* Release: the slot contents are visible before the new prod. */
	shm_store_release(&ch->tx->prod, ch->tx_prod);
	/*
	 * Full barrier: our prod store before our load of cons_event
	 * (store->load), pairing with pktchan_arm_wait()'s fence between
	 * storing cons_event and re-loading prod.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (event_in_range(shm_load_relaxed(&ch->tx->cons_event), old,
			   ch->tx_prod))
		kick_peer(ch);
}

unsigned pktchan_send_burst(struct pktchan *ch, const void *const *frames,
			    const uint16_t *lens, unsigned n)
{
	uint32_t old = ch->tx_prod, cons;
	unsigned i;
	int space;

	if (ch->broken)
		return 0;
	space = tx_space(ch, &cons);
	if (space < 0)
		return 0;
	for (i = 0; i < n; i++) {
		struct pktchan_slot *s;

		if (lens[i] == 0 || lens[i] > PKTCHAN_FRAME_MAX) {
			ch->st.tx_refused++;
			continue;
		}
		if (space == 0) {
			space = tx_arm_space(ch, &cons);
			if (space <= 0) {
				ch->st.tx_full++;
				break;
			}
		}
		s = &ch->tx_slots[ch->tx_prod & ch->mask];
		memcpy(s->data, frames[i], lens[i]);
		s->len = lens[i];
		s->flags = 0;
		s->tstamp = 0;
		ch->tx_prod++;
		space--;
		ch->st.tx_frames++;
		ch->st.tx_bytes += lens[i];
	}
	if (ch->tx_prod != old)
		tx_publish(ch, old);
	return i;
}

unsigned pktchan_tx_inflight(struct pktchan *ch)
{
	uint32_t cons;
	int space;

	if (ch->broken)
		return 0;
	space = tx_space(ch, &cons);
	return space < 0 ? 0 : ch->nslots - (unsigned)space;
}

/* ---- consumer ---- */

/* Frames waiting; the acquire on prod orders it before reading the slots. */
static int rx_avail(struct pktchan *ch)
{
	uint32_t prod = shm_load_acquire(&ch->rx->prod);
	uint32_t avail = prod - ch->rx_cons;

	if (avail > ch->nslots) {
		chan_break(ch, "producer index out of range", prod,
			   ch->rx_cons);
		return -EPROTO;
	}
	return (int)avail;
}

/* Give @n slots back to the producer; kick it if it waits for space. */
static void rx_retire(struct pktchan *ch, uint32_t n)
{
	uint32_t old = ch->rx_cons;

	if (n == 0)
		return;
	ch->rx_cons += n;
	/* Release: our reads of the slots complete before the new cons. */
	shm_store_release(&ch->rx->cons, ch->rx_cons);
	/* Full barrier: cons store before prod_event load (tx_arm_space). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (event_in_range(shm_load_relaxed(&ch->rx->prod_event), old,
			   ch->rx_cons))
		kick_peer(ch);
}

/*
 * The slot at @idx with its length read once into a local and checked:
 * the producer may rewrite it while we look.
 */
static struct pktchan_slot *rx_slot(struct pktchan *ch, uint32_t idx,
				    uint16_t *len)
{
	struct pktchan_slot *s = &ch->rx_slots[idx & ch->mask];
	uint32_t l = shm_load_relaxed(&s->len);

	if (l == 0 || l > PKTCHAN_FRAME_MAX) {
		chan_break(ch, "slot length", idx, l);
		return NULL;
	}
	*len = (uint16_t)l;
	return s;
}

unsigned pktchan_recv_burst(struct pktchan *ch, void *const *bufs,
			    unsigned buf_size, uint16_t *lens, unsigned n)
{
	uint32_t done = 0;
	unsigned got = 0;
	int avail;

	if (ch->broken)
		return 0;
	ch->rx_peeked = 0;
	avail = rx_avail(ch);
	if (avail <= 0)
		return 0;
	while (got < n && done < (uint32_t)avail) {
		struct pktchan_slot *s;
		uint16_t len;

		s = rx_slot(ch, ch->rx_cons + done, &len);
		if (!s)
			break;
		done++;
		if (len > buf_size) {
			ch->st.rx_dropped++;
			continue;
		}
		memcpy(bufs[got], s->data, len);
		lens[got++] = len;
		ch->st.rx_frames++;
		ch->st.rx_bytes += len;
	}
	rx_retire(ch, done);
	return got;
}

int pktchan_peek(struct pktchan *ch, const void **frame, uint16_t *len)
{
	struct pktchan_slot *s;
	int avail;

	if (ch->broken)
		return -EPROTO;
	avail = rx_avail(ch);
	if (avail < 0)
		return -EPROTO;
	if (ch->rx_peeked >= (uint32_t)avail)
		return -EAGAIN;
	s = rx_slot(ch, ch->rx_cons + ch->rx_peeked, len);
	if (!s)
		return -EPROTO;
	ch->rx_peeked++;
	*frame = s->data;
	return 0;
}

void pktchan_release(struct pktchan *ch, unsigned n)
{
	unsigned i;

	if (n > ch->rx_peeked)
		n = ch->rx_peeked;
	ch->rx_peeked = 0;
	if (ch->broken)
		return;
	for (i = 0; i < n; i++) {
		/* Validated by pktchan_peek(); only counted here. */
		uint32_t l = shm_load_relaxed(
			&ch->rx_slots[(ch->rx_cons + i) & ch->mask].len);

		ch->st.rx_frames++;
		ch->st.rx_bytes += l <= PKTCHAN_FRAME_MAX ? l : 0;
	}
	rx_retire(ch, n);
}

unsigned pktchan_rx_pending(struct pktchan *ch)
{
	int avail;

	if (ch->broken)
		return 0;
	avail = rx_avail(ch);
	return avail < 0 ? 0 : (unsigned)avail;
}

bool pktchan_arm_wait(struct pktchan *ch)
{
	uint32_t cons;
	int n;

	if (ch->broken)
		return true;	/* do not sleep: let the caller see it */
	/*
	 * Drain first: a kick that lands after this stays pending in the
	 * eventfd, and anything it announced before is seen by the checks
	 * below. Draining after the checks could swallow a wake-up.
	 */
	drain_wait_fd(ch);
	shm_store_relaxed(&ch->rx->cons_event, ch->rx_cons + 1);
	/*
	 * Full barrier: cons_event store before the prod re-load
	 * (store->load), pairing with tx_publish()'s fence. Either the
	 * producer sees our event and kicks, or we see its frames here.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	n = rx_avail(ch);
	if (n != 0)
		return true;
	if (ch->tx_blocked) {
		/* Space freed since the last send found the ring full? */
		n = tx_space(ch, &cons);
		if (n != 0) {
			ch->tx_blocked = false;
			return true;
		}
	}
	return false;
}
