// SPDX-License-Identifier: MIT
/*
 * The pv backend (pv-rings/pv_backend.c) against a guest that changes its
 * rings while the backend reads them: a second thread flips slots, the
 * producer indices and the event mask from the input, while the main
 * thread plays an ordinary guest (posting TX requests and RX buffers,
 * publishing req_prod) and the switch (pv_backend_tx/rx/rx_scan/arm).
 * Each request is copied once and checked on the copy, so no
 * interleaving may make the backend use what it did not check: a double
 * fetch turns into an access outside guest RAM, which sits between two
 * inaccessible pages (a fault even without ASan), or into a frame handed
 * on with a length outside the ABI.
 *
 * Also checked: burst calls return at most what was asked; once the
 * backend has stopped it stays stopped: every later call returns nothing
 * and changes no counter, and with the guest's RAM made inaccessible
 * (the flipper joined first) none of them touches it.
 *
 * Input: [flags][start u32][main length u16][main ops][flipper ops]; with
 * flags bit 7 the ring and event page addresses and the ring size come
 * from the input too (pv_backend_create must refuse what is wrong).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/log.h"
#include "pv-rings/pv_backend.h"
#include "tests/fuzz/fuzz.h"

#define RAM_SIZE	(128u << 10)
#define EVT_GPA		0x0000
#define BUF_GPA		0x9000		/* 2 KiB buffers to the end */
#define NBUF		((RAM_SIZE - BUF_GPA) / 2048)
#define MAIN_OPS_MAX	500
#define PAGE		4096u

/* Rings: q0 tx, q0 rx, q1 tx, q1 rx; at most 256 slots: 2 pages each. */
static const uint64_t ring_gpa[4] = { 0x1000, 0x3000, 0x5000, 0x7000 };

enum {
	G_TX_POST,	/* [q][n][len u16][how] */
	G_RX_POST,	/* [q][n][len u16][how] */
	G_PROD,		/* [ring][delta u16] */
	G_EVENT,	/* [ring][value u32]: rsp_event, or the mask */
	B_TX,		/* [q][max][sink full?] */
	B_RX,		/* [q][n][len u16 each] */
	B_SCAN,		/* [q][max] */
	B_ARM,
	B_VIEW,
	G_COUNT
};

enum {
	F_FLIP,		/* [ring][slot][word][a u32][b u32][times] */
	F_GOOD_BAD,	/* [ring][slot][times]: a good request, a bad one */
	F_PROD,		/* [ring][a u16][b u16][times] */
	F_MASK,		/* [times] */
	F_COUNT
};

struct fz {
	uint8_t *ram;
	struct guest_mem gm;
	struct pv_backend *be;
	uint32_t size;			/* slots per ring */
	unsigned nq;
	uint32_t prod[4];		/* the guest's req_prod, per ring */
	struct fuzz_in flip;		/* the flipper's program */
	atomic_bool started, done;
};

static uint8_t *ram, *sink_page, *frame_page;
static int irq_fd[2] = { -1, -1 };

/* ---- guest memory, as the guest writes it ---- */

static struct pv_ring_hdr *fz_hdr(struct fz *f, unsigned ring)
{
	return (struct pv_ring_hdr *)(f->ram + ring_gpa[ring]);
}

static uint32_t *fz_slot_word(struct fz *f, unsigned ring, uint32_t idx,
			      unsigned word)
{
	size_t slot = (size_t)(idx & (f->size - 1));

	return (uint32_t *)(f->ram + ring_gpa[ring] +
			    sizeof(struct pv_ring_hdr) + slot * 16 +
			    4 * (word % 4));
}

/* A 16-byte request (TX and RX share the layout), word by word. */
static void fz_put_req(struct fz *f, unsigned ring, uint32_t idx,
		       uint64_t gpa, uint16_t len, uint16_t flags,
		       uint16_t id)
{
	uint32_t w[4] = { (uint32_t)gpa, (uint32_t)(gpa >> 32),
			  len | (uint32_t)flags << 16, id };

	for (unsigned i = 0; i < 4; i++)
		__atomic_store_n(fz_slot_word(f, ring, idx, i), w[i],
				 __ATOMIC_RELAXED);
}

static void fz_publish(struct fz *f, unsigned ring)
{
	__atomic_store_n(&fz_hdr(f, ring)->req_prod, f->prod[ring],
			 __ATOMIC_RELEASE);
}

/* ---- the flipper thread ---- */

static void fz_flip_op(struct fz *f, struct fuzz_in *in)
{
	unsigned ring = fuzz_u8(in) % (2 * f->nq), times;
	uint32_t a, b, slot, word, rsp;

	switch (fuzz_u8(in) % F_COUNT) {
	case F_FLIP:
		slot = fuzz_u8(in);
		word = fuzz_u8(in);
		a = fuzz_u32(in);
		b = fuzz_u32(in);
		times = 1 + fuzz_u8(in);
		rsp = __atomic_load_n(&fz_hdr(f, ring)->rsp_prod,
				      __ATOMIC_RELAXED);
		while (times-- && !atomic_load(&f->done)) {
			uint32_t *w = fz_slot_word(f, ring, rsp + slot, word);

			__atomic_store_n(w, a, __ATOMIC_RELAXED);
			__atomic_store_n(w, b, __ATOMIC_RELAXED);
		}
		break;
	case F_GOOD_BAD:
		/* The classic: checked as good, used as bad if re-read. */
		slot = fuzz_u8(in);
		times = 1 + fuzz_u8(in);
		while (times-- && !atomic_load(&f->done)) {
			uint32_t idx = __atomic_load_n(
				&fz_hdr(f, ring)->rsp_prod, __ATOMIC_RELAXED) +
				slot % 4;

			fz_put_req(f, ring, idx, BUF_GPA, 64, 0, 1);
			fz_put_req(f, ring, idx, RAM_SIZE - 8,
				   PV_BUF_MAX, 0, 2);
			fz_put_req(f, ring, idx, ~0ull - 64, 1518, 0, 3);
		}
		break;
	case F_PROD:
		a = fuzz_u16(in);
		b = fuzz_u16(in);
		times = 1 + fuzz_u8(in);
		while (times-- && !atomic_load(&f->done)) {
			struct pv_ring_hdr *h = fz_hdr(f, ring);

			rsp = __atomic_load_n(&h->rsp_prod, __ATOMIC_RELAXED);
			__atomic_store_n(&h->req_prod, rsp + a,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&h->req_prod, rsp + b,
					 __ATOMIC_RELAXED);
		}
		break;
	default: {
		struct pv_evt_page *pg = (void *)(f->ram + EVT_GPA);

		times = 1 + fuzz_u8(in);
		while (times-- && !atomic_load(&f->done)) {
			__atomic_store_n(&pg->mask, ~0ull, __ATOMIC_RELAXED);
			__atomic_store_n(&pg->mask, 0, __ATOMIC_RELAXED);
		}
	}
	}
}

static void *fz_flipper(void *opaque)
{
	struct fz *f = opaque;

	atomic_store(&f->started, true);
	/* The program again and again, until the main thread is done. */
	while (!atomic_load(&f->done)) {
		struct fuzz_in in = f->flip;

		while (fuzz_more(&in) && !atomic_load(&f->done))
			fz_flip_op(f, &in);
	}
	return NULL;
}

/* ---- the switch's side ---- */

/* The frame goes right before an inaccessible page: one byte more
 * faults. */
static void *fz_sink_get(void *opaque, uint16_t len)
{
	bool *full = opaque;

	if (len < 14 || len > PV_FRAME_MAX)
		abort();	/* the backend passed on an unchecked length */
	return *full ? NULL : sink_page + PAGE - len;
}

struct fz_snap {
	struct pv_backend_stats st;
	int error;
};

static void fz_snap(struct fz *f, struct fz_snap *s)
{
	memset(s, 0, sizeof(*s));
	pv_backend_get_stats(f->be, &s->st);
	s->error = pv_backend_error(f->be, NULL);
}

static void fz_main_op(struct fz *f, struct fuzz_in *in)
{
	uint8_t op = fuzz_u8(in) % G_COUNT;
	unsigned q = fuzz_u8(in) % f->nq, n, max;
	bool was_failed = pv_backend_failed(f->be);
	struct fz_snap before, after;
	unsigned ret = 0;
	uint16_t len;

	fz_snap(f, &before);
	switch (op) {
	case G_TX_POST:
	case G_RX_POST: {
		unsigned ring = 2 * q + (op == G_RX_POST);
		uint8_t how;

		n = fuzz_u8(in) % (f->size + 2);
		len = fuzz_u16(in);
		how = fuzz_u8(in);
		for (unsigned i = 0; i < n; i++) {
			uint64_t gpa = BUF_GPA + (uint64_t)(f->prod[ring] %
							    NBUF) * 2048;

			if (how & 1)
				gpa = fuzz_u32(in);
			fz_put_req(f, ring, f->prod[ring]++, gpa,
				   (how & 2) ? len : 14 + len % 2035,
				   (how & 4) ? len : 0, (uint16_t)i);
		}
		fz_publish(f, ring);
		break;
	}
	case G_PROD: {
		unsigned ring = 2 * q + (fuzz_u8(in) & 1);

		f->prod[ring] += fuzz_u16(in);
		fz_publish(f, ring);
		break;
	}
	case G_EVENT: {
		unsigned ring = 2 * q + (fuzz_u8(in) & 1);
		uint32_t v = fuzz_u32(in);

		if (v & 1)
			__atomic_store_n(&fz_hdr(f, ring)->rsp_event, v >> 1,
					 __ATOMIC_RELAXED);
		else
			__atomic_store_n(&((struct pv_evt_page *)(f->ram +
				EVT_GPA))->mask, v, __ATOMIC_RELAXED);
		break;
	}
	case B_TX: {
		bool full;
		struct pv_tx_sink sink = { .get = fz_sink_get,
					   .opaque = &full };

		max = fuzz_u8(in);
		full = fuzz_u8(in) & 1;
		ret = pv_backend_tx(f->be, q, &sink, max);
		if (ret > max)
			abort();
		break;
	}
	case B_RX: {
		const void *frames[8];
		uint16_t lens[8];

		n = fuzz_u8(in) % 9;
		for (unsigned i = 0; i < n; i++) {
			lens[i] = 14 + fuzz_u16(in) % (PV_BUF_MAX - 13);
			/* Also right before an inaccessible page. */
			frames[i] = frame_page + PAGE - lens[i];
		}
		ret = pv_backend_rx(f->be, q, frames, lens, n);
		if (ret > n)
			abort();
		break;
	}
	case B_SCAN:
		max = fuzz_u8(in);
		ret = pv_backend_rx_scan(f->be, q, max);
		if (ret > max)
			abort();
		break;
	case B_ARM:
		ret = pv_backend_arm(f->be);
		break;
	default: {
		struct pv_backend_ring_view tx, rx;

		if (pv_backend_ring_view(f->be, q, &tx, &rx) ||
		    pv_backend_num_queues(f->be) != f->nq)
			abort();
	}
	}
	if (!was_failed)
		return;
	/* Stopped stays stopped: nothing done, nothing counted. */
	fz_snap(f, &after);
	if (ret || memcmp(&before, &after, sizeof(before)))
		abort();
}

/* With the flipper gone and RAM inaccessible: a stopped backend must
 * not look at guest memory at all. */
static void fz_check_stopped(struct fz *f)
{
	bool full = false;
	struct pv_tx_sink sink = { .get = fz_sink_get, .opaque = &full };
	const void *frame = frame_page + PAGE - 60;
	uint16_t len = 60;
	const char *why;
	int err = pv_backend_error(f->be, &why);

	if (err <= PV_E_NONE || err > PV_E_BACKEND_GONE || !why[0])
		abort();
	if (mprotect(f->ram, RAM_SIZE, PROT_NONE))
		abort();
	for (unsigned q = 0; q < f->nq; q++)
		if (pv_backend_tx(f->be, q, &sink, 64) ||
		    pv_backend_rx(f->be, q, &frame, &len, 1) ||
		    pv_backend_rx_scan(f->be, q, 64))
			abort();
	if (pv_backend_arm(f->be) || pv_backend_error(f->be, NULL) != err)
		abort();
	if (mprotect(f->ram, RAM_SIZE, PROT_READ | PROT_WRITE))
		abort();
}

/* ---- set-up ---- */

static void fz_once(void)
{
	ram = fuzz_guarded_alloc(RAM_SIZE);
	sink_page = fuzz_guarded_alloc(PAGE);
	frame_page = fuzz_guarded_alloc(PAGE);
	memset(frame_page, 0x5a, PAGE);
	for (unsigned i = 0; i < 2; i++) {
		irq_fd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (irq_fd[i] < 0)
			abort();
	}
	log_set_level(LOG_LEVEL_ERR);
}

static bool fz_create(struct fz *f, struct fuzz_in *in, uint8_t flags)
{
	struct pv_backend_cfg c = {
		.evt_page_gpa = EVT_GPA,
		.ring_size = 32u << (flags & 3),
		.num_queues = 1 + (flags >> 2 & 1),
		.features = (flags & 8) ? PV_F_EVENT_IDX : 0,
	};
	uint32_t start = fuzz_u32(in);
	char err[PV_BACKEND_WHY_MAX];

	for (unsigned q = 0; q < PV_BACKEND_MAX_QUEUES; q++) {
		c.q[q].tx_ring_gpa = ring_gpa[(2 * q) % 4];
		c.q[q].rx_ring_gpa = ring_gpa[(2 * q + 1) % 4];
		c.q[q].tx_port = (uint16_t)(2 * q);
		c.q[q].rx_port = (uint16_t)(2 * q + 1);
		c.q[q].tx_irq_fd = (flags & 16) ? irq_fd[0] : -1;
		c.q[q].rx_irq_fd = (flags & 16) ? irq_fd[1] : -1;
	}
	if (flags & 0x80) {
		/* What a guest may program through the registers. */
		c.evt_page_gpa = fuzz_u32(in);
		c.ring_size = fuzz_u32(in);
		c.num_queues = fuzz_u8(in);
		c.q[0].tx_ring_gpa = fuzz_u32(in);
		c.q[0].rx_ring_gpa = fuzz_u32(in);
		c.q[0].tx_port = fuzz_u8(in);
		c.q[1].rx_port = fuzz_u8(in);
	}
	/* Rings start wherever the guest left its indices. */
	for (unsigned r = 0; r < 4; r++) {
		struct pv_ring_hdr *h = fz_hdr(f, r);

		h->req_prod = h->rsp_prod = start;
		h->req_event = h->rsp_event = start + 1;
		f->prod[r] = start;
	}
	f->be = pv_backend_create(&f->gm, &c, err, sizeof(err));
	if (!f->be)
		return false;
	/*
	 * A config from the input may pass with rings elsewhere or bigger:
	 * the guest's side below then writes where its own layout says (in
	 * RAM all the same), and the backend sees that as garbage.
	 */
	f->size = c.ring_size < 256 ? c.ring_size : 256;
	f->nq = c.num_queues < 2 ? c.num_queues : 2;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size }, main_ops;
	struct fz f = { 0 };
	pthread_t flipper;
	unsigned ops = 0;
	uint64_t drain;
	size_t n;
	uint8_t flags;

	if (!ram)
		fz_once();
	fuzz_guarded_zero(ram, RAM_SIZE);
	f.ram = ram;
	guest_mem_layout(&f.gm, ram, RAM_SIZE);
	flags = fuzz_u8(&in);
	if (!fz_create(&f, &in, flags))
		return 0;
	/* Any length splits the rest between the two threads. */
	n = fuzz_u16(&in) % (in.n + 1);
	main_ops.p = fuzz_bytes(&in, n, &main_ops.n);
	f.flip = in;

	if (fuzz_more(&f.flip)) {
		if (pthread_create(&flipper, NULL, fz_flipper, &f))
			abort();
		while (!atomic_load(&f.started))
			;
	}
	while (fuzz_more(&main_ops) && ops++ < MAIN_OPS_MAX)
		fz_main_op(&f, &main_ops);
	atomic_store(&f.done, true);
	if (fuzz_more(&f.flip))
		pthread_join(flipper, NULL);
	if (pv_backend_failed(f.be))
		fz_check_stopped(&f);
	pv_backend_destroy(f.be);
	for (unsigned i = 0; i < 2; i++)
		if (read(irq_fd[i], &drain, sizeof(drain)) < 0 &&
		    errno != EAGAIN)
			abort();
	return 0;
}

/* ---- seeds ---- */

static void s_head(struct fuzz_out *o, uint8_t flags, uint32_t start)
{
	fuzz_put8(o, flags);
	fuzz_put32(o, start);
	fuzz_put16(o, 0);	/* main length, patched by s_split() */
}

/* The main program ends here; the flipper's begins. */
static void s_split(struct fuzz_out *o)
{
	uint16_t n = (uint16_t)(o->len - 7);

	o->buf[5] = (uint8_t)n;
	o->buf[6] = (uint8_t)(n >> 8);
}

static void s_main(struct fuzz_out *o, uint8_t op, uint8_t q, uint8_t a,
		   uint16_t b, uint8_t c)
{
	fuzz_put8(o, op);
	fuzz_put8(o, q);
	if (op != B_ARM && op != B_VIEW)
		fuzz_put8(o, a);
	if (op == G_TX_POST || op == G_RX_POST) {
		fuzz_put16(o, b);
		fuzz_put8(o, c);
	} else if (op == B_TX) {
		fuzz_put8(o, c);
	} else if (op == B_RX) {
		for (unsigned i = 0; i < a; i++)
			fuzz_put16(o, (uint16_t)(b + 10 * i));
	}
}

/* Traffic both ways, the indices crossing 2^32. */
static void s_traffic(struct fuzz_out *o, bool flip)
{
	s_head(o, 1 | 8 | 16, 0xfffffff0u);
	s_main(o, G_RX_POST, 0, 16, 1536 - 14, 0);
	s_main(o, B_SCAN, 0, 32, 0, 0);
	s_main(o, G_TX_POST, 0, 20, 60 - 14, 0);
	s_main(o, B_TX, 0, 64, 0, 0);
	s_main(o, B_RX, 0, 8, 60, 0);
	s_main(o, B_ARM, 0, 0, 0, 0);
	s_main(o, G_TX_POST, 0, 40, 1514 - 14, 0);
	s_main(o, B_TX, 0, 16, 0, 1);		/* switch full: dropped */
	s_main(o, B_TX, 0, 64, 0, 0);
	s_main(o, B_RX, 0, 8, 1500, 0);
	s_main(o, B_VIEW, 0, 0, 0, 0);
	s_split(o);
	if (!flip)
		return;
	/* Slot 0 of TX: good, bad, good... as the backend reads it. */
	fuzz_put8(o, 0);
	fuzz_put8(o, F_GOOD_BAD);
	fuzz_put8(o, 0);
	fuzz_put8(o, 255);
	/* RX slot 1's length word between sane and huge. */
	fuzz_put8(o, 1);
	fuzz_put8(o, F_FLIP);
	fuzz_put8(o, 1);
	fuzz_put8(o, 2);
	fuzz_put32(o, 1536);
	fuzz_put32(o, 0xffff);
	fuzz_put8(o, 200);
}

/* req_prod jumping around while the backend reads it; the mask too. */
static void s_prod(struct fuzz_out *o)
{
	s_head(o, 0 | 4 | 8 | 16, 7);
	for (unsigned q = 0; q < 2; q++) {
		s_main(o, G_TX_POST, (uint8_t)q, 8, 100, 0);
		s_main(o, G_RX_POST, (uint8_t)q, 8, 200, 0);
		s_main(o, B_TX, (uint8_t)q, 8, 0, 0);
		s_main(o, B_RX, (uint8_t)q, 4, 300, 0);
		s_main(o, B_SCAN, (uint8_t)q, 8, 0, 0);
	}
	s_main(o, B_ARM, 0, 0, 0, 0);
	s_split(o);
	fuzz_put8(o, 0);
	fuzz_put8(o, F_PROD);
	fuzz_put16(o, 3);
	fuzz_put16(o, 33);		/* one past a 32-slot ring */
	fuzz_put8(o, 255);
	fuzz_put8(o, 3);
	fuzz_put8(o, F_MASK);
	fuzz_put8(o, 100);
}

/* A guest breaking the rules outright: flags, lengths, addresses. */
static void s_bad(struct fuzz_out *o)
{
	s_head(o, 2, 0);
	s_main(o, G_TX_POST, 0, 1, 60, 4);	/* flags set */
	s_main(o, B_TX, 0, 8, 0, 0);
	s_main(o, B_TX, 0, 8, 0, 0);		/* stopped stays stopped */
	s_main(o, B_RX, 0, 1, 60, 0);
	s_main(o, B_ARM, 0, 0, 0, 0);
	s_split(o);
}

static void s_bad_cfg(struct fuzz_out *o)
{
	s_head(o, 0x80, 0);
	/* Overlapping rings: refused at create. */
	o->len -= 2;
	fuzz_put32(o, EVT_GPA);
	fuzz_put32(o, 64);
	fuzz_put8(o, 1);
	fuzz_put32(o, 0x1000);
	fuzz_put32(o, 0x1400);
	fuzz_put8(o, 0);
	fuzz_put8(o, 1);
	fuzz_put16(o, 0);
}

static void s_traffic_plain(struct fuzz_out *o)
{
	s_traffic(o, false);
}

static void s_traffic_flips(struct fuzz_out *o)
{
	s_traffic(o, true);
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static const struct fuzz_maker mk[] = {
		{ "traffic-both-ways-wrap", s_traffic_plain },
		{ "traffic-good-bad-flips", s_traffic_flips },
		{ "req-prod-jumps-mask-flips", s_prod },
		{ "bad-request-stays-stopped", s_bad },
		{ "bad-config-overlap", s_bad_cfg },
	};

	return fuzz_make_seeds(mk, sizeof(mk) / sizeof(mk[0]), out);
}
