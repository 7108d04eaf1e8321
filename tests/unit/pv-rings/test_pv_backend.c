// SPDX-License-Identifier: MIT
/*
 * The pv backend over fake guest RAM (two regions, like a guest with
 * memory above 4 GiB): frames both ways, batching, notification
 * suppression, the final check before sleeping, and every malformed
 * request refused by stopping that one backend while a second one on the
 * same RAM keeps working.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/dirty_log.h"
#include "pv-rings/pv_backend.h"

#define RAM_LO		(1u << 20)		/* GPA 0 .. 1 MiB */
#define RAM_HI_GPA	0x100000000ull		/* 4 GiB .. +1 MiB */
#define RAM_HI		(1u << 20)

/* Guest layout for queue pair A and B (B is the bystander). */
#define EVT_GPA		0x1000
#define A_TX		0x2000
#define A_RX		0x3000
#define B_TX		0x4000
#define B_RX		0x5000
#define BUF_GPA		0x10000		/* 2 KiB buffers from here */
#define RING		32

struct env {
	uint8_t *ram;
	struct guest_mem gm;
	int irq_tx, irq_rx;
	struct pv_backend *a, *b;
	uint32_t a_tx_prod, a_rx_prod, b_tx_prod;
	/* Frames the sink received. */
	uint8_t got[64][PV_FRAME_MAX];
	uint16_t got_len[64];
	unsigned ngot;
	bool sink_full;
};

static void *gpa(struct env *e, uint64_t a)
{
	return guest_mem_ptr(&e->gm, a, 1);
}

static struct pv_ring_hdr *hdr(struct env *e, uint64_t ring)
{
	return gpa(e, ring);
}

static void *slot(struct env *e, uint64_t ring, uint32_t idx)
{
	return (uint8_t *)gpa(e, ring) + sizeof(struct pv_ring_hdr) +
	       (idx & (RING - 1)) * 16;
}

/* Indices start at @start (all of them: an empty ring). */
static void ring_init(struct env *e, uint64_t ring, uint32_t start)
{
	struct pv_ring_hdr *h = hdr(e, ring);

	memset(h, 0, PV_RING_BYTES(RING));
	h->req_prod = h->rsp_prod = start;
	h->req_event = h->rsp_event = start + 1;
}

static struct pv_backend *be_make(struct env *e, uint64_t tx, uint64_t rx,
				  uint16_t port, uint32_t features)
{
	struct pv_backend_cfg c = {
		.evt_page_gpa = EVT_GPA,
		.ring_size = RING,
		.num_queues = 1,
		.features = features,
		.q[0] = { .tx_ring_gpa = tx, .rx_ring_gpa = rx,
			  .tx_port = port, .rx_port = (uint16_t)(port + 1),
			  .tx_irq_fd = e->irq_tx, .rx_irq_fd = e->irq_rx },
	};
	char err[128];
	struct pv_backend *be = pv_backend_create(&e->gm, &c, err,
						  sizeof(err));

	assert_non_null(be);
	return be;
}

static void env_setup_at(struct env *e, uint32_t start, uint32_t features)
{
	e->ram = aligned_alloc(4096, RAM_LO + RAM_HI);
	assert_non_null(e->ram);
	memset(e->ram, 0, RAM_LO + RAM_HI);
	e->gm = (struct guest_mem){
		.fd = -1, .size = RAM_LO + RAM_HI, .base = e->ram,
		.nregions = 2,
		.regions = {
			{ .gpa = 0, .size = RAM_LO, .hva = e->ram },
			{ .gpa = RAM_HI_GPA, .size = RAM_HI,
			  .fd_offset = RAM_LO, .hva = e->ram + RAM_LO },
		},
	};
	e->irq_tx = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->irq_rx = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(e->irq_tx >= 0 && e->irq_rx >= 0);
	ring_init(e, A_TX, start);
	ring_init(e, A_RX, start);
	ring_init(e, B_TX, start);
	ring_init(e, B_RX, start);
	e->a_tx_prod = e->a_rx_prod = e->b_tx_prod = start;
	e->a = be_make(e, A_TX, A_RX, 0, features);
	e->b = be_make(e, B_TX, B_RX, 2, features);
}

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	env_setup_at(e, UINT32_MAX - 5, PV_F_EVENT_IDX);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	pv_backend_destroy(e->a);
	pv_backend_destroy(e->b);
	close(e->irq_tx);
	close(e->irq_rx);
	free(e->ram);
	free(e);
	return 0;
}

static uint64_t irqs(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

/* ---- the guest's side ---- */

static void guest_tx(struct env *e, uint64_t ring, uint32_t *prod,
		     uint64_t buf, uint16_t len, uint16_t id)
{
	struct pv_tx_req r = { .gpa = buf, .len = len, .id = id };

	memcpy(slot(e, ring, *prod), &r, sizeof(r));
	(*prod)++;
}

static void guest_rx_post(struct env *e, uint64_t ring, uint32_t *prod,
			  uint64_t buf, uint16_t len, uint16_t id)
{
	struct pv_rx_req r = { .gpa = buf, .len = len, .id = id };

	memcpy(slot(e, ring, *prod), &r, sizeof(r));
	(*prod)++;
}

/* Publish req_prod; true if the guest must kick (req_event). */
static bool guest_push(struct env *e, uint64_t ring, uint32_t prod)
{
	struct pv_ring_hdr *h = hdr(e, ring);
	uint32_t old = h->req_prod;

	__atomic_store_n(&h->req_prod, prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return pv_need_notify(h->req_event, old, prod);
}

static void fill_frame(struct env *e, uint64_t buf, uint16_t len, uint8_t seed)
{
	uint8_t *p = guest_mem_ptr(&e->gm, buf, len);

	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i);
}

static void *sink_get(void *opaque, uint16_t len)
{
	struct env *e = opaque;

	if (e->sink_full || e->ngot == 64)
		return NULL;
	e->got_len[e->ngot] = len;
	return e->got[e->ngot++];
}

static unsigned be_tx(struct env *e, struct pv_backend *be, unsigned max)
{
	struct pv_tx_sink s = { .get = sink_get, .opaque = e };

	return pv_backend_tx(be, 0, &s, max);
}

static struct pv_tx_rsp tx_rsp(struct env *e, uint64_t ring, uint32_t idx)
{
	struct pv_tx_rsp r;

	memcpy(&r, slot(e, ring, idx), sizeof(r));
	return r;
}

static struct pv_rx_rsp rx_rsp(struct env *e, uint64_t ring, uint32_t idx)
{
	struct pv_rx_rsp r;

	memcpy(&r, slot(e, ring, idx), sizeof(r));
	return r;
}

/* ---- TX ---- */

static void test_tx_frames_across_wrap(void **state)
{
	struct env *e = *state;
	uint32_t start = e->a_tx_prod;
	unsigned total = 0;

	/* 3 rounds of 20 frames: indices cross UINT32_MAX in round 1. */
	for (unsigned round = 0; round < 3; round++) {
		e->ngot = 0;
		for (unsigned i = 0; i < 20; i++) {
			uint64_t buf = BUF_GPA + i * 2048;

			fill_frame(e, buf, (uint16_t)(60 + i), (uint8_t)i);
			guest_tx(e, A_TX, &e->a_tx_prod, buf,
				 (uint16_t)(60 + i), (uint16_t)(100 + i));
		}
		guest_push(e, A_TX, e->a_tx_prod);
		assert_int_equal(be_tx(e, e->a, 32), 20);
		for (unsigned i = 0; i < 20; i++) {
			struct pv_tx_rsp r = tx_rsp(e, A_TX, start + total + i);

			assert_int_equal(e->got_len[i], 60 + i);
			assert_memory_equal(e->got[i],
					    gpa(e, BUF_GPA + i * 2048),
					    60 + i);
			assert_int_equal(r.id, 100 + i);
			assert_int_equal(r.status, PV_RSP_OKAY);
		}
		total += 20;
		assert_int_equal(hdr(e, A_TX)->rsp_prod, start + total);
	}
	assert_true(e->a_tx_prod < start);	/* really wrapped */
	assert_false(pv_backend_failed(e->a));
}

static void test_tx_burst_and_one_notify(void **state)
{
	struct env *e = *state;
	struct pv_ring_hdr *h = hdr(e, A_TX);
	struct pv_backend_stats st;

	fill_frame(e, BUF_GPA, 64, 1);
	for (unsigned i = 0; i < RING; i++)
		guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, (uint16_t)i);
	guest_push(e, A_TX, e->a_tx_prod);
	/* The guest wants to hear about the first response only. */
	h->rsp_event = h->rsp_prod + 1;
	irqs(e->irq_tx);
	assert_int_equal(be_tx(e, e->a, 20), 20);	/* a burst at most */
	assert_int_equal(irqs(e->irq_tx), 1);		/* one per burst */
	assert_int_equal(be_tx(e, e->a, 20), 12);
	/* rsp_event was passed already: the guest did not ask again. */
	assert_int_equal(irqs(e->irq_tx), 0);
	pv_backend_get_stats(e->a, &st);
	assert_int_equal(st.irqs_sent, 1);
	assert_int_equal(st.notify_suppressed, 1);
	assert_int_equal(st.tx_frames, RING);
	/* Nothing left: no push, no notify. */
	assert_int_equal(be_tx(e, e->a, 20), 0);
	assert_int_equal(irqs(e->irq_tx), 0);
}

static void test_tx_notify_without_event_idx(void **state)
{
	struct env *e = *state;
	struct pv_backend *be;

	pv_backend_destroy(e->a);
	e->a = NULL;
	be = be_make(e, A_TX, A_RX, 0, 0);
	hdr(e, A_TX)->rsp_event = 0x12345;	/* ignored without EVENT_IDX */
	fill_frame(e, BUF_GPA, 64, 1);
	for (unsigned round = 0; round < 3; round++) {
		guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 1);
		guest_push(e, A_TX, e->a_tx_prod);
		assert_int_equal(be_tx(e, be, 32), 1);
		assert_int_equal(irqs(e->irq_tx), 1);
	}
	e->a = be;
}

static void test_tx_masked_port(void **state)
{
	struct env *e = *state;
	struct pv_evt_page *ev = gpa(e, EVT_GPA);

	ev->mask = 1ull << 0;			/* A's tx port */
	hdr(e, A_TX)->rsp_event = hdr(e, A_TX)->rsp_prod + 1;
	fill_frame(e, BUF_GPA, 64, 1);
	guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 1);
	guest_push(e, A_TX, e->a_tx_prod);
	assert_int_equal(be_tx(e, e->a, 32), 1);
	assert_int_equal(irqs(e->irq_tx), 0);
	assert_true(ev->pending & 1);
	/* Unmasking later, the guest finds the event pending. */
	ev->mask = 0;
	assert_true(__atomic_exchange_n(&ev->pending, 0, __ATOMIC_SEQ_CST) &
		    1);
}

static void test_tx_sink_full_answers_dropped(void **state)
{
	struct env *e = *state;
	struct pv_backend_stats st;
	uint32_t first = e->a_tx_prod;

	fill_frame(e, BUF_GPA, 64, 1);
	guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 7);
	guest_push(e, A_TX, e->a_tx_prod);
	e->sink_full = true;
	assert_int_equal(be_tx(e, e->a, 32), 0);
	assert_int_equal(tx_rsp(e, A_TX, first).status, PV_RSP_DROPPED);
	assert_int_equal(tx_rsp(e, A_TX, first).id, 7);
	assert_int_equal(hdr(e, A_TX)->rsp_prod, e->a_tx_prod);
	pv_backend_get_stats(e->a, &st);
	assert_int_equal(st.tx_dropped, 1);
	assert_false(pv_backend_failed(e->a));
}

/* ---- RX ---- */

static void test_rx_frames_and_no_buffer(void **state)
{
	struct env *e = *state;
	uint8_t f[3][200];
	const void *frames[3] = { f[0], f[1], f[2] };
	uint16_t lens[3] = { 60, 200, 100 };
	uint32_t first = e->a_rx_prod;
	struct pv_backend_stats st;

	for (unsigned i = 0; i < 3; i++)
		memset(f[i], 0xa0 + i, sizeof(f[i]));
	/* Two buffers, one in the high region. */
	guest_rx_post(e, A_RX, &e->a_rx_prod, BUF_GPA, 2048, 11);
	guest_rx_post(e, A_RX, &e->a_rx_prod, RAM_HI_GPA + 0x1000, 2048, 12);
	/* RX refills never need a kick: req_event is out of reach. */
	assert_false(guest_push(e, A_RX, e->a_rx_prod));
	hdr(e, A_RX)->rsp_event = hdr(e, A_RX)->rsp_prod + 1;
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 3), 2);
	assert_int_equal(rx_rsp(e, A_RX, first).id, 11);
	assert_int_equal(rx_rsp(e, A_RX, first).len, 60);
	assert_int_equal(rx_rsp(e, A_RX, first).status, PV_RSP_OKAY);
	assert_int_equal(rx_rsp(e, A_RX, first + 1).id, 12);
	assert_int_equal(rx_rsp(e, A_RX, first + 1).len, 200);
	assert_memory_equal(gpa(e, BUF_GPA), f[0], 60);
	assert_memory_equal(gpa(e, RAM_HI_GPA + 0x1000), f[1], 200);
	assert_int_equal(hdr(e, A_RX)->rsp_prod, first + 2);
	assert_int_equal(irqs(e->irq_rx), 1);
	pv_backend_get_stats(e->a, &st);
	assert_int_equal(st.rx_frames, 2);
	assert_int_equal(st.rx_no_buffer, 1);
	/* Still no buffers: dropped and counted, nothing written. */
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 0);
	pv_backend_get_stats(e->a, &st);
	assert_int_equal(st.rx_no_buffer, 2);
	assert_false(pv_backend_failed(e->a));
}

static void test_rx_small_buffer(void **state)
{
	struct env *e = *state;
	uint8_t f[100] = { 0 };
	const void *frames[1] = { f };
	uint16_t lens[1] = { 100 };
	uint32_t first = e->a_rx_prod;

	guest_rx_post(e, A_RX, &e->a_rx_prod, BUF_GPA, 64, 5);
	guest_push(e, A_RX, e->a_rx_prod);
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 0);
	assert_int_equal(rx_rsp(e, A_RX, first).status, PV_RSP_DROPPED);
	assert_int_equal(rx_rsp(e, A_RX, first).len, 0);
	assert_false(pv_backend_failed(e->a));
}

static void test_rx_scan_before_use(void **state)
{
	struct env *e = *state;
	uint8_t f[60] = { 1 };
	const void *frames[1] = { f };
	uint16_t lens[1] = { 60 };

	/* Good buffers pass, once each. */
	for (unsigned i = 0; i < 3; i++)
		guest_rx_post(e, A_RX, &e->a_rx_prod, BUF_GPA + i * 2048,
			      2048, (uint16_t)i);
	guest_push(e, A_RX, e->a_rx_prod);
	assert_int_equal(pv_backend_rx_scan(e->a, 0, 2), 2);	/* bounded */
	assert_int_equal(pv_backend_rx_scan(e->a, 0, 32), 1);
	assert_int_equal(pv_backend_rx_scan(e->a, 0, 32), 0);
	/* Used ones are not looked at again. */
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 1);
	assert_int_equal(pv_backend_rx_scan(e->a, 0, 32), 0);
	/* A bad buffer stops the backend with no frame in sight. */
	guest_rx_post(e, A_RX, &e->a_rx_prod, 0x7ff0000000ull, 2048, 9);
	guest_push(e, A_RX, e->a_rx_prod);
	assert_int_equal(pv_backend_rx_scan(e->a, 0, 32), 0);
	assert_true(pv_backend_failed(e->a));
	assert_int_equal(pv_backend_error(e->a, NULL), PV_E_BAD_REQUEST);
	assert_false(pv_backend_failed(e->b));
}

/* ---- sleeping ---- */

static void test_final_check(void **state)
{
	struct env *e = *state;
	struct pv_ring_hdr *h = hdr(e, A_TX);

	/* Idle: arm asks for a kick on the next request. */
	assert_false(pv_backend_arm(e->a));
	assert_int_equal(h->req_event, e->a_tx_prod + 1);
	fill_frame(e, BUF_GPA, 64, 1);
	guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 1);
	assert_true(guest_push(e, A_TX, e->a_tx_prod));	/* kicks */
	/* A request raced with arming: the final check sees it. */
	assert_true(pv_backend_arm(e->a));
	assert_int_equal(be_tx(e, e->a, 32), 1);
	/* Busy (no re-arm): the guest's next requests need no kick. */
	for (unsigned i = 0; i < 10; i++) {
		guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 1);
		assert_false(guest_push(e, A_TX, e->a_tx_prod));
		assert_int_equal(be_tx(e, e->a, 32), 1);
	}
	assert_false(pv_backend_arm(e->a));
}

/* ---- refusals ---- */

enum bad {
	BAD_TX_OUTSIDE, BAD_TX_HOLE, BAD_TX_STRADDLE_LO, BAD_TX_STRADDLE_HI,
	BAD_TX_LEN0, BAD_TX_LEN13, BAD_TX_LEN1519, BAD_TX_FLAGS,
	BAD_TX_PROD_JUMP, BAD_TX_PROD_BACK, BAD_TX_GPA_WRAP,
	BAD_RX_OUTSIDE, BAD_RX_LEN63, BAD_RX_LEN2049, BAD_RX_PROD_JUMP,
	BAD_COUNT,
};

static void bad_one(struct env *e, enum bad b)
{
	uint8_t f[64] = { 0 };
	const void *frames[1] = { f };
	uint16_t lens[1] = { 64 };
	uint64_t buf = BUF_GPA;
	uint16_t len = 64;
	bool rx = b >= BAD_RX_OUTSIDE;
	int want = PV_E_BAD_REQUEST;
	uint32_t rsp_before;

	/* A good request first: it is answered even though the burst
	 * ends in a refusal. */
	guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 1);
	switch (b) {
	case BAD_TX_OUTSIDE: buf = RAM_HI_GPA + RAM_HI; break;
	case BAD_TX_HOLE: buf = 0xC0000000ull; break;
	case BAD_TX_STRADDLE_LO: buf = RAM_LO - 10; break;
	case BAD_TX_STRADDLE_HI: buf = RAM_HI_GPA + RAM_HI - 63; break;
	case BAD_TX_LEN0: len = 0; break;
	case BAD_TX_LEN13: len = 13; break;
	case BAD_TX_LEN1519: len = 1519; break;
	case BAD_TX_GPA_WRAP: buf = UINT64_MAX - 10; break;
	case BAD_RX_OUTSIDE: buf = 0x200000; len = 2048; break;
	case BAD_RX_LEN63: len = 63; break;
	case BAD_RX_LEN2049: len = 2049; break;
	default: break;
	}
	if (b == BAD_TX_FLAGS) {
		struct pv_tx_req r = { .gpa = buf, .len = 64, .flags = 1 };

		memcpy(slot(e, A_TX, e->a_tx_prod++), &r, sizeof(r));
	} else if (b == BAD_TX_PROD_JUMP || b == BAD_RX_PROD_JUMP) {
		want = PV_E_RING_OVERRUN;
	} else if (b == BAD_TX_PROD_BACK) {
		want = PV_E_RING_OVERRUN;
	} else if (rx) {
		guest_rx_post(e, A_RX, &e->a_rx_prod, buf, len, 1);
	} else {
		guest_tx(e, A_TX, &e->a_tx_prod, buf, len, 2);
	}
	if (b == BAD_TX_PROD_JUMP)
		e->a_tx_prod += RING;		/* 1 + 32 outstanding */
	if (b == BAD_TX_PROD_BACK)
		e->a_tx_prod -= 3;
	if (b == BAD_RX_PROD_JUMP)
		e->a_rx_prod += RING + 1;
	guest_push(e, A_TX, e->a_tx_prod);
	guest_push(e, A_RX, e->a_rx_prod);
	rsp_before = hdr(e, A_TX)->rsp_prod;
	if (rx) {
		be_tx(e, e->a, 32);
		assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 0);
	} else {
		be_tx(e, e->a, 32);
	}
	assert_true(pv_backend_failed(e->a));
	assert_int_equal(pv_backend_error(e->a, NULL), want);
	/* The good request before a bad one in the same burst was answered
	 * (TX ring games leave nothing answerable). */
	if (!rx && want == PV_E_BAD_REQUEST)
		assert_int_equal(hdr(e, A_TX)->rsp_prod, rsp_before + 1);
	/* Stopped for good: nothing is read or written any more. */
	rsp_before = hdr(e, A_TX)->rsp_prod;
	guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 3);
	guest_push(e, A_TX, e->a_tx_prod);
	assert_int_equal(be_tx(e, e->a, 32), 0);
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 0);
	assert_false(pv_backend_arm(e->a));
	assert_int_equal(hdr(e, A_TX)->rsp_prod, rsp_before);

	/* The bystander on the same RAM keeps working. */
	e->ngot = 0;
	fill_frame(e, BUF_GPA + 0x8000, 80, 9);
	guest_tx(e, B_TX, &e->b_tx_prod, BUF_GPA + 0x8000, 80, 4);
	guest_push(e, B_TX, e->b_tx_prod);
	assert_int_equal(be_tx(e, e->b, 32), 1);
	assert_int_equal(e->got_len[0], 80);
	assert_false(pv_backend_failed(e->b));
}

static void test_refuse_malformed(void **state)
{
	for (int b = 0; b < BAD_COUNT; b++) {
		struct env *e;

		env_setup((void **)&e);
		bad_one(e, (enum bad)b);
		env_teardown((void **)&e);
	}
}

static void test_response_index_games(void **state)
{
	struct env *e = *state;
	struct pv_ring_hdr *h = hdr(e, A_TX);
	uint32_t first = e->a_tx_prod;

	/* The guest scribbles over the indices that are ours to write. */
	h->rsp_prod = first + 1000;
	h->req_event = 0xdeadbeef;
	fill_frame(e, BUF_GPA, 64, 1);
	for (unsigned i = 0; i < 4; i++)
		guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, (uint16_t)i);
	guest_push(e, A_TX, e->a_tx_prod);
	/* We never read them back: the backend goes on from its own. */
	assert_int_equal(be_tx(e, e->a, 32), 4);
	assert_int_equal(h->rsp_prod, first + 4);
	assert_false(pv_backend_failed(e->a));
	/* A response slot rewritten by the guest changes nothing either. */
	memset(slot(e, A_TX, first), 0xff, 16);
	guest_tx(e, A_TX, &e->a_tx_prod, BUF_GPA, 64, 9);
	guest_push(e, A_TX, e->a_tx_prod);
	assert_int_equal(be_tx(e, e->a, 32), 1);
	assert_int_equal(h->rsp_prod, first + 5);
}

static void test_create_refuses_bad_config(void **state)
{
	struct env *e = *state;
	struct pv_backend_cfg base = {
		.evt_page_gpa = EVT_GPA, .ring_size = RING, .num_queues = 1,
		.q[0] = { .tx_ring_gpa = 0x6000, .rx_ring_gpa = 0x7000,
			  .tx_irq_fd = -1, .rx_irq_fd = -1 },
	};
	struct pv_backend_cfg c;
	char err[128];

	ring_init(e, 0x6000, 0);
	ring_init(e, 0x7000, 0);
#define REFUSE(mod)							\
	do {								\
		c = base;						\
		mod;							\
		errno = 0;						\
		assert_null(pv_backend_create(&e->gm, &c, err,		\
					      sizeof(err)));		\
		assert_int_equal(errno, EINVAL);			\
	} while (0)
	REFUSE(c.ring_size = 48);
	REFUSE(c.ring_size = 16);
	REFUSE(c.ring_size = PV_RING_MAX * 2);
	REFUSE(c.num_queues = 0);
	REFUSE(c.num_queues = 5);
	REFUSE(c.evt_page_gpa = 0xC0000000ull);
	REFUSE(c.evt_page_gpa = RAM_LO - 2048);		/* straddles */
	REFUSE(c.q[0].tx_ring_gpa = RAM_LO - 256);	/* straddles */
	REFUSE(c.q[0].rx_ring_gpa = 0x6000);		/* overlaps tx */
	REFUSE(c.q[0].rx_ring_gpa = EVT_GPA);		/* overlaps events */
	REFUSE(c.q[0].tx_port = PV_EVT_PORTS);
	REFUSE(hdr(e, 0x6000)->req_prod = RING + 1);	/* overrun at start */
	hdr(e, 0x6000)->req_prod = 0;
#undef REFUSE
	c = base;
	struct pv_backend *be = pv_backend_create(&e->gm, &c, err, sizeof(err));

	assert_non_null(be);
	assert_int_equal(pv_backend_num_queues(be), 1);
	pv_backend_destroy(be);
}

/* ---- the dirty log (migration) ---- */

static unsigned log_bits(const uint64_t *bits, uint64_t pages)
{
	unsigned n = 0;

	for (uint64_t w = 0; w < (pages + 63) / 64; w++)
		n += (unsigned)__builtin_popcountll(bits[w]);
	return n;
}

static bool log_bit(const uint64_t *bits, uint64_t page)
{
	return bits[page / 64] & (1ull << (page % 64));
}

/*
 * With a log, every page the backend writes is marked (by its place in
 * the RAM memfd): the RX buffer, the ring, the event page; set-up and
 * earlier writes when the log comes. Without one, nothing.
 */
static void test_dirty_log_marks_writes(void **state)
{
	struct env *e = *state;
	const uint64_t pages = (RAM_LO + RAM_HI) >> 12;
	const uint64_t buf = RAM_HI_GPA + 0x2000;
	const uint64_t buf_page = (RAM_LO >> 12) + 2;
	uint64_t *bits = calloc((pages + 63) / 64, sizeof(uint64_t));
	struct dirty_log_shm shm = { .npages = pages };
	struct dirty_log_view v = { .hdr = &shm, .bits = bits,
				    .npages = pages };
	uint8_t frame[60];
	const void *frames[1] = { frame };
	uint16_t lens[1] = { sizeof(frame) };

	assert_non_null(bits);
	memset(frame, 0xab, sizeof(frame));
	/* No log: a frame delivered marks nothing. */
	guest_rx_post(e, A_RX, &e->a_rx_prod, buf, 2048, 1);
	guest_push(e, A_RX, e->a_rx_prod);
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 1);
	assert_int_equal(log_bits(bits, pages), 0);

	/* The log comes: what the backend wrote before is marked now. */
	pv_backend_set_log(e->a, &v);
	assert_true(log_bit(bits, EVT_GPA >> 12));
	assert_true(log_bit(bits, A_TX >> 12));
	assert_true(log_bit(bits, A_RX >> 12));
	assert_int_equal(log_bits(bits, pages), 3);

	/* A frame: its buffer (above 4 GiB), the RX ring, the event page. */
	memset(bits, 0, (pages + 63) / 64 * sizeof(uint64_t));
	guest_rx_post(e, A_RX, &e->a_rx_prod, buf, 2048, 2);
	guest_push(e, A_RX, e->a_rx_prod);
	hdr(e, A_RX)->rsp_event = hdr(e, A_RX)->rsp_prod + 1;
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 1);
	assert_memory_equal(gpa(e, buf), frame, sizeof(frame));
	assert_true(log_bit(bits, buf_page));
	assert_true(log_bit(bits, A_RX >> 12));
	assert_true(log_bit(bits, EVT_GPA >> 12));
	assert_false(log_bit(bits, A_TX >> 12));
	assert_int_equal(log_bits(bits, pages), 3);
	/* The final check writes the TX ring's req_event. */
	assert_false(pv_backend_arm(e->a));
	assert_true(log_bit(bits, A_TX >> 12));
	/* The bystander on the same RAM has no log. */
	guest_tx(e, B_TX, &e->b_tx_prod, BUF_GPA, 60, 9);
	guest_push(e, B_TX, e->b_tx_prod);
	assert_int_equal(be_tx(e, e->b, 8), 1);
	assert_false(log_bit(bits, B_TX >> 12));

	/* Logging off: nothing from here. */
	pv_backend_set_log(e->a, NULL);
	memset(bits, 0, (pages + 63) / 64 * sizeof(uint64_t));
	guest_rx_post(e, A_RX, &e->a_rx_prod, buf, 2048, 3);
	guest_push(e, A_RX, e->a_rx_prod);
	assert_int_equal(pv_backend_rx(e->a, 0, frames, lens, 1), 1);
	pv_backend_arm(e->a);
	assert_int_equal(log_bits(bits, pages), 0);
	free(bits);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
		T(test_tx_frames_across_wrap),
		T(test_tx_burst_and_one_notify),
		T(test_tx_notify_without_event_idx),
		T(test_tx_masked_port),
		T(test_tx_sink_full_answers_dropped),
		T(test_rx_frames_and_no_buffer),
		T(test_rx_small_buffer),
		T(test_rx_scan_before_use),
		T(test_final_check),
		cmocka_unit_test(test_refuse_malformed),
		T(test_response_index_games),
		T(test_create_refuses_bad_config),
		T(test_dirty_log_marks_writes),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
