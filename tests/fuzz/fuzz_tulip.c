// SPDX-License-Identifier: MIT
/*
 * The 21140A model as a hostile guest drives it: CSR reads and writes of
 * any offset, size and value through both BARs, guest memory written with
 * descriptors, buffers and setup frames, frames arriving from the wire,
 * the wire filling up and the link flapping, timer expiries, SROM and MII
 * bit-banging, config space (MSI on and off), resets. The unit tests'
 * environment (tests/unit/emu-devices/tulip_test_env.h: real PCI on the
 * fake KVM, a fake wire), with guest RAM between two inaccessible pages,
 * so DMA outside RAM faults even without ASan.
 *
 * Input: a stream of operations, [op][arguments...] (see fz_op()).
 * After each one the harness checks what must always hold: frame
 * assembly within bounds, both engines stopped after a fatal bus error,
 * INTA# exactly what CSR5/CSR7 ask for, no transmitted frame longer than
 * the jabber limit; and once the device is gone, no file descriptor left open.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/emu-devices/fake_vmm.h"
#include "tests/unit/emu-devices/tulip_test_env.h"

#define RAM_SIZE	(256u << 10)
#define OPS_MAX		2000

enum {
	OP_CSR_WRITE,	/* [sel][value u32]: sel 3:0 CSR, 6 gpa, 7 io */
	OP_CSR_READ,	/* [sel] */
	OP_BAR,		/* [sel][off u16][value u32]: any size/offset */
	OP_MEM,		/* [gpa u16][len][bytes] */
	OP_DESC,	/* [flags][gpa u16][des0 u32][des1 u32][b1][b2] */
	OP_FRAMES,	/* [n][per frame: dst][len u16][bytes] */
	OP_SETUP,	/* [gpa u16][n][n MACs]: a 192-byte setup buffer */
	OP_WIRE,	/* [what] */
	OP_TIMER,	/* [which] */
	OP_CFG,		/* [sel][reg][value u32] */
	OP_BITBANG,	/* [n][n CSR9 line patterns] */
	OP_RESET,
	OP_STATS,
	OP_COUNT
};

static uint8_t *ram;

/* ---- the environment ---- */

/* A guest address in RAM most of the time (the last bytes are near the
 * top, so some ranges still run off the end). */
static uint32_t fz_gpa(struct fuzz_in *in)
{
	return (uint32_t)fuzz_u16(in) << 2;
}

static bool fz_msi_enabled(struct tenv *te)
{
	unsigned cap = pci_cfg_read(te->pd, PCI_CAPABILITY_LIST, 1);

	for (int n = 0; cap && n < 48; n++) {
		if (pci_cfg_read(te->pd, cap, 1) == PCI_CAP_ID_MSI)
			return pci_cfg_read(te->pd, cap + PCI_MSI_FLAGS, 2) &
			       PCI_MSI_FLAGS_ENABLE;
		cap = pci_cfg_read(te->pd, cap + PCI_CAP_LIST_NEXT, 1);
	}
	return false;
}

static void fz_check(struct tenv *te, unsigned *seen_tx)
{
	struct tulip *t = te->t;
	bool want_line;

	pthread_mutex_lock(&t->lock);
	if (t->tx_ndesc > TULIP_FRAME_DESC_MAX ||
	    t->tx_len > TULIP_JABBER_BYTES || t->rs > 7 || t->ts > 7 ||
	    t->missed > CSR8_MFC_MASK)
		abort();
	if (t->bus_dead && (t->rs != RS_STOPPED || t->ts != TS_STOPPED))
		abort();	/* FBE: both engines stop (3.2.2.6) */
	want_line = t->irq_level && !fz_msi_enabled(te) &&
		    !(pci_cfg_read(te->pd, PCI_COMMAND, 2) &
		      PCI_COMMAND_INTX_DISABLE);
	pthread_mutex_unlock(&t->lock);
	if (te_intx(te) != want_line)
		abort();	/* INTA# lost or stuck */
	for (; *seen_tx < te->ntx; (*seen_tx)++)
		if (!te->txlen[*seen_tx] ||
		    te->txlen[*seen_tx] > TULIP_JABBER_BYTES)
			abort();
}

static void fz_bitbang(struct tenv *te, uint8_t b)
{
	/* One byte: SROM CS, SK, DI, SR select, RD; MII MDC, MDO, mode. */
	uint32_t v = (b & 1 ? CSR9_SR_CS : 0) | (b & 2 ? CSR9_SR_SK : 0) |
		     (b & 4 ? CSR9_SR_DI : 0) | (b & 8 ? CSR9_SR : 0) |
		     (b & 16 ? CSR9_RD : 0) | (b & 32 ? CSR9_MDC : 0) |
		     (b & 64 ? CSR9_MDO : 0) | (b & 128 ? CSR9_MII : 0);

	csr_w(te, 9, v);
	csr_r(te, 9);
}

static void fz_frames(struct tenv *te, struct fuzz_in *in)
{
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mac[6] = TE_MAC;
	static uint8_t buf[4][2200];
	const void *frames[4];
	uint16_t lens[4];
	unsigned n = 1 + fuzz_u8(in) % 4;

	for (unsigned i = 0; i < n; i++) {
		uint8_t dst = fuzz_u8(in);
		unsigned len = fuzz_u16(in) % 2100;
		const uint8_t *src;
		size_t got;

		te_frame(buf[i], dst % 4 == 0 ? mac : dst % 4 == 1 ? bcast :
			 mcast, len < 14 ? 14 : len, (uint8_t)i);
		if (dst % 4 == 3) {
			src = fuzz_bytes(in, 6, &got);
			memcpy(buf[i], src, got);
		}
		src = fuzz_bytes(in, dst >> 2, &got);
		if (len > 14)
			memcpy(buf[i] + 14, src, got < len - 14 ? got
								 : len - 14);
		frames[i] = buf[i];
		lens[i] = (uint16_t)len;
	}
	if (tulip_rx_burst(te->vd, frames, lens, n) > n)
		abort();
}

static void fz_setup_frame(struct fuzz_in *in)
{
	uint32_t gpa = fz_gpa(in);
	unsigned n = fuzz_u8(in) % (TULIP_SETUP_ENTRIES + 1);
	uint8_t setup[TULIP_SETUP_LEN];

	memset(setup, 0xff, sizeof(setup));
	for (unsigned i = 0; i < n; i++) {
		size_t got;
		const uint8_t *m = fuzz_bytes(in, 6, &got);

		for (unsigned k = 0; k < got; k++)
			setup[12 * i + 4 * (k / 2) + k % 2] = m[k];
	}
	if (gpa + sizeof(setup) <= RAM_SIZE)
		memcpy(ram + gpa, setup, sizeof(setup));
}

static void fz_wire(struct tenv *te, uint8_t what)
{
	struct tulip_wire w = {
		.tx_burst = te_wire_tx, .close = te_wire_close, .opaque = te,
	};

	switch (what % 8) {
	case 0:
		te->wire_full = true;
		break;
	case 1:
		te->wire_full = false;
		tulip_tx_resume(te->vd);
		break;
	case 2:
		tulip_set_link(te->vd, false);
		break;
	case 3:
		tulip_set_link(te->vd, true);
		break;
	case 4:
		tulip_set_wire(te->vd, NULL);
		break;
	case 5:
		tulip_set_wire(te->vd, &w);
		break;
	default:	/* the peer took the frames: room again */
		te->ntx = 0;
		tulip_tx_resume(te->vd);
	}
}

static void fz_op(struct tenv *te, struct fuzz_in *in)
{
	uint8_t sel, flags;
	uint32_t v, gpa;
	unsigned size;
	size_t got;
	const uint8_t *p;

	switch (fuzz_u8(in) % OP_COUNT) {
	case OP_CSR_WRITE:
		sel = fuzz_u8(in);
		v = (sel & 0x40) ? fz_gpa(in) : fuzz_u32(in);
		if (sel & 0x80)
			te_out(te, sel & 15, v);
		else
			csr_w(te, sel & 15, v);
		break;
	case OP_CSR_READ:
		sel = fuzz_u8(in);
		if (sel & 0x80)
			te_in(te, sel & 15);
		else
			csr_r(te, sel & 15);
		break;
	case OP_BAR:
		sel = fuzz_u8(in);
		v = fuzz_u16(in);
		if (sel & 1) {
			/* Port I/O: 1, 2 or 4 bytes, any offset. */
			uint16_t port = (uint16_t)(te->io + v % 160);
			uint32_t val = fuzz_u32(in);

			size = 1u << ((sel >> 1) & 3) % 3;
			if (sel & 0x80)
				env_out(te->e, port, size, val);
			else
				env_in(te->e, port, size);
		} else {
			static const unsigned sizes[] = { 1, 2, 3, 4, 8 };
			uint64_t val = fuzz_u32(in);

			size = sizes[((sel >> 1) & 7) % 5];
			if (sel & 0x80)
				env_mmio_write(te->e, te->mmio + v % 4200,
					       size, val);
			else
				env_mmio_read(te->e, te->mmio + v % 4200, size,
					      NULL);
		}
		break;
	case OP_MEM:
		gpa = fz_gpa(in);
		p = fuzz_bytes(in, fuzz_u8(in), &got);
		if (gpa + got <= RAM_SIZE)
			memcpy(ram + gpa, p, got);
		break;
	case OP_DESC: {
		uint32_t d[4];

		flags = fuzz_u8(in);
		gpa = fz_gpa(in) & ~15u;
		d[0] = fuzz_u32(in) | (flags & 1 ? TULIP_DES0_OWN : 0);
		d[1] = fuzz_u32(in);
		d[2] = flags & 2 ? fuzz_u32(in) : fz_gpa(in);
		d[3] = flags & 4 ? fuzz_u32(in) : fz_gpa(in);
		if (gpa + sizeof(d) <= RAM_SIZE)
			memcpy(ram + gpa, d, sizeof(d));
		break;
	}
	case OP_FRAMES:
		fz_frames(te, in);
		break;
	case OP_SETUP:
		fz_setup_frame(in);
		break;
	case OP_WIRE:
		fz_wire(te, fuzz_u8(in));
		break;
	case OP_TIMER:
		/* The timerfds never fire here (no event loop): do it. */
		pthread_mutex_lock(&te->t->lock);
		if (fuzz_u8(in) & 1)
			tulip_tap_expired(te->t);
		else
			tulip_gpt_expired(te->t);
		pthread_mutex_unlock(&te->t->lock);
		break;
	case OP_CFG: {
		unsigned reg;

		sel = fuzz_u8(in);
		reg = fuzz_u8(in);
		v = fuzz_u32(in);
		size = 1u << (sel & 3) % 3;
		if (sel & 0x80)
			env_cfg_write(te->e, pci_dev_slot(te->pd), reg, size,
				      v);
		else
			env_cfg_read(te->e, pci_dev_slot(te->pd), reg, size);
		break;
	}
	case OP_BITBANG:
		for (unsigned n = fuzz_u8(in); n && fuzz_more(in); n--)
			fz_bitbang(te, fuzz_u8(in));
		break;
	case OP_RESET:
		tulip_ops.reset(te->vd);
		break;
	case OP_STATS:
		json_decref(tulip_stats(te->vd));
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct tenv *te;
	unsigned seen_tx = 0, ops = 0;
	void *st;
	int fds = fuzz_fd_count();

	if (!ram)
		ram = fuzz_guarded_alloc(RAM_SIZE);
	fuzz_guarded_zero(ram, RAM_SIZE);
	fake_vmm_reset();
	if (te_setup(&st))
		abort();
	te = st;
	/* Our RAM, with guard pages, instead of the calloc'd MiB. */
	free(te->ram);
	te->ram = ram;
	guest_mem_layout(&te->e->vmm.mem, ram, RAM_SIZE);

	while (fuzz_more(&in) && ops++ < OPS_MAX) {
		fz_op(te, &in);
		fz_check(te, &seen_tx);
	}

	te->ram = NULL;		/* not te_teardown's to free */
	te_teardown(&st);
	if (fuzz_fd_count() != fds)
		abort();	/* a timerfd or an MSI eventfd left open */
	return 0;
}

/* ---- seeds: what a driver does (Linux tulip, FreeBSD de) ---- */

static void s_csr(struct fuzz_out *o, unsigned n, uint32_t v)
{
	fuzz_put8(o, OP_CSR_WRITE);
	fuzz_put8(o, (uint8_t)n);
	fuzz_put32(o, v);
}

static void s_read(struct fuzz_out *o, unsigned n)
{
	fuzz_put8(o, OP_CSR_READ);
	fuzz_put8(o, (uint8_t)n);
}

static void s_desc(struct fuzz_out *o, uint32_t gpa, bool own, uint32_t des1,
		   uint32_t b1, uint32_t b2)
{
	fuzz_put8(o, OP_DESC);
	fuzz_put8(o, own ? 1 : 0);
	fuzz_put16(o, (uint16_t)(gpa >> 2));
	fuzz_put32(o, 0);
	fuzz_put32(o, des1);
	fuzz_put16(o, (uint16_t)(b1 >> 2));
	fuzz_put16(o, (uint16_t)(b2 >> 2));
}

static void s_mem(struct fuzz_out *o, uint32_t gpa, const void *p, uint8_t n)
{
	fuzz_put8(o, OP_MEM);
	fuzz_put16(o, (uint16_t)(gpa >> 2));
	fuzz_put8(o, n);
	fuzz_putmem(o, p, n);
}

/* @n frames of @len bytes to ours (0), broadcast (1), multicast (2), or
 * (3) 02:42:00:00:00:07, which no seed's filter lets in. */
static void s_frame(struct fuzz_out *o, unsigned n, uint8_t dst, uint16_t len)
{
	static const uint8_t other[6] = { 0x02, 0x42, 0, 0, 0, 7 };

	fuzz_put8(o, OP_FRAMES);
	fuzz_put8(o, (uint8_t)(n - 1));
	for (unsigned i = 0; i < n; i++) {
		fuzz_put8(o, dst);
		fuzz_put16(o, len);
		if (dst == 3)
			fuzz_putmem(o, other, 6);
	}
}

static void s_op(struct fuzz_out *o, uint8_t op, uint8_t arg)
{
	fuzz_put8(o, op);
	fuzz_put8(o, arg);
}

/* Common bring-up: reset, skip 0, interrupts all enabled. */
static void s_bringup(struct fuzz_out *o)
{
	s_csr(o, 0, CSR0_SWR);
	s_csr(o, 0, 0);
	s_csr(o, 7, CSR5_NIS_BITS | CSR5_AIS_BITS | CSR5_NIS | CSR5_AIS);
}

/* One bit of a Microwire / MDIO exchange as two CSR9 patterns. */
static void s_bits(struct fuzz_out *o, uint8_t base, uint8_t dbit,
		   uint8_t clk, uint32_t word, unsigned nbits)
{
	for (unsigned i = nbits; i-- > 0;) {
		uint8_t d = (word >> i) & 1 ? dbit : 0;

		fuzz_put8(o, base | d);
		fuzz_put8(o, base | d | clk);
	}
}

static void s_tx_ring(struct fuzz_out *o)
{
	static const uint8_t hdr[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					 0x02, 0x69, 0x11, 0x22, 0x33, 0x44,
					 0x08, 0x06 };

	s_bringup(o);
	s_mem(o, 0x2000, hdr, sizeof(hdr));
	s_desc(o, 0x1000, true, TDES1_IC | TDES1_FS | TDES1_LS | 42, 0x2000, 0);
	s_desc(o, 0x1010, false, TDES1_TER, 0, 0);
	s_csr(o, 4, 0x1000);
	s_csr(o, 6, CSR6_MBO | CSR6_SF | CSR6_ST);
	s_csr(o, 1, 0);
	s_read(o, 5);
	s_csr(o, 5, CSR5_W1C_ALL);
	/* The driver fills the next slot (end of ring) and polls again. */
	s_desc(o, 0x1010, true, TDES1_FS | TDES1_LS | TDES1_TER | 60, 0x2000,
	       0);
	s_csr(o, 1, 0);
	s_read(o, 5);
}

static void s_rx_ring(struct fuzz_out *o)
{
	s_bringup(o);
	for (unsigned i = 0; i < 4; i++)
		s_desc(o, 0x3000 + 16 * i, true,
		       (i == 3 ? RDES1_RER : 0) | 1536, 0x4000 + 0x800 * i, 0);
	s_csr(o, 3, 0x3000);
	s_csr(o, 6, CSR6_MBO | CSR6_SF | CSR6_SR | CSR6_PR);
	s_frame(o, 2, 0, 60);		/* to our MAC */
	s_frame(o, 1, 1, 1514);		/* broadcast, one buffer */
	s_frame(o, 3, 2, 300);		/* multicast: the ring runs out */
	s_read(o, 5);
	s_read(o, 8);
	s_csr(o, 2, 0);			/* poll demand: nothing new */
	s_csr(o, 5, CSR5_W1C_ALL);
}

static void s_setup(struct fuzz_out *o, bool hash)
{
	static const uint8_t macs[2][6] = {
		{ 0x02, 0x69, 0x11, 0x22, 0x33, 0x44 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};

	s_bringup(o);
	fuzz_put8(o, OP_SETUP);
	fuzz_put16(o, 0x5000 >> 2);
	fuzz_put8(o, 2);
	fuzz_putmem(o, macs, sizeof(macs));
	s_desc(o, 0x1000, true, TDES1_SET | TDES1_IC | TULIP_SETUP_LEN |
	       (hash ? TDES1_FT0 : 0), 0x5000, 0);
	s_desc(o, 0x1010, false, TDES1_TER, 0, 0);
	s_desc(o, 0x3000, true, RDES1_RER | 1536, 0x4000, 0);
	s_csr(o, 4, 0x1000);
	s_csr(o, 3, 0x3000);
	s_csr(o, 6, CSR6_MBO | CSR6_SF | CSR6_ST | CSR6_SR);
	s_read(o, 6);
	s_frame(o, 1, 3, 64);		/* not in the filter: refused */
	s_frame(o, 1, 0, 64);
	s_read(o, 5);
}

static void s_chain_tap(struct fuzz_out *o)
{
	s_bringup(o);
	s_csr(o, 0, CSR0_TAP_200US << CSR0_TAP_SHIFT);
	/* Three chained descriptors, one frame; buffer 2 is the link. */
	s_desc(o, 0x1000, true, TDES1_TCH | TDES1_FS | 100, 0x2000, 0x1020);
	s_desc(o, 0x1020, true, TDES1_TCH | 200, 0x2100, 0x1040);
	s_desc(o, 0x1040, true, TDES1_TCH | TDES1_LS | TDES1_IC | 300, 0x2200,
	       0x1000);
	s_csr(o, 4, 0x1000);
	s_csr(o, 6, CSR6_MBO | CSR6_SF | CSR6_ST);
	s_op(o, OP_TIMER, 1);		/* TAP finds nothing new */
	s_desc(o, 0x1000, true, TDES1_TCH | TDES1_FS | TDES1_LS | 64, 0x2000,
	       0x1020);
	s_op(o, OP_TIMER, 1);
	s_csr(o, 11, CSR11_CON | 10);
	s_op(o, OP_TIMER, 0);
	s_read(o, 11);
	s_read(o, 5);
}

static void s_srom(struct fuzz_out *o)
{
	const uint8_t sr = 8 | 16, cs = 1, sk = 2, di = 4;

	fuzz_put8(o, OP_BITBANG);
	fuzz_put8(o, 2 + 2 * (3 + 6) + 2 * 32 + 1);
	fuzz_put8(o, sr);
	fuzz_put8(o, sr | cs);
	/* Start bit, READ (10), address 10 (the MAC), 32 bits out. */
	s_bits(o, sr | cs, di, sk, 0x6 << 6 | 10, 3 + 6);
	s_bits(o, sr | cs, di, sk, 0, 32);
	fuzz_put8(o, sr);
}

static void s_mii(struct fuzz_out *o)
{
	const uint8_t mdc = 32, mdo = 64, rd = 128;

	fuzz_put8(o, OP_BITBANG);
	fuzz_put8(o, 2 * (32 + 14) + 2 * 18);
	s_bits(o, 0, mdo, mdc, 0xffffffffu, 32);
	/* 01 start, 10 read, PHY 1, register 1 (BMSR). */
	s_bits(o, 0, mdo, mdc, 1u << 12 | 2u << 10 | 1u << 5 | 1, 14);
	s_bits(o, rd, 0, mdc, 0, 18);	/* turnaround and 16 data bits */
}

static void s_msi(struct fuzz_out *o)
{
	/*
	 * MSI capability at 80h, dword writes (sel 82h: write, 4 bytes):
	 * address, data, then enable (64-bit layout).
	 */
	static const uint8_t cfg[][6] = {
		{ 0x82, 0x84, 0x00, 0x00, 0xe0, 0xfe },
		{ 0x82, 0x88, 0, 0, 0, 0 },
		{ 0x82, 0x8c, 0x41, 0, 0, 0 },
		{ 0x82, 0x80, 0x05, 0x00, 0x01, 0x00 },
	};

	for (unsigned i = 0; i < 4; i++) {
		fuzz_put8(o, OP_CFG);
		fuzz_putmem(o, cfg[i], 6);
	}
	s_tx_ring(o);
	s_op(o, OP_TIMER, 0);
	s_csr(o, 7, 0);
}

static void s_fbe(struct fuzz_out *o)
{
	s_bringup(o);
	s_csr(o, 4, 0xfffffff0u);	/* past the end of RAM */
	s_csr(o, 6, CSR6_MBO | CSR6_ST | CSR6_SR);
	s_read(o, 5);
	s_csr(o, 1, 0);			/* ignored: the bus is dead */
	s_csr(o, 0, CSR0_SWR);
	s_read(o, 5);
}

static void s_wire_full(struct fuzz_out *o)
{
	s_op(o, OP_WIRE, 0);
	s_tx_ring(o);
	s_op(o, OP_WIRE, 2);		/* link down meanwhile */
	s_op(o, OP_WIRE, 3);
	s_op(o, OP_WIRE, 1);
	s_op(o, OP_WIRE, 4);		/* unplugged: frames dropped */
	s_csr(o, 1, 0);
	s_op(o, OP_WIRE, 5);
	fuzz_put8(o, OP_STATS);
}

static void s_setup_perfect(struct fuzz_out *o)
{
	s_setup(o, false);
}

static void s_setup_hash(struct fuzz_out *o)
{
	s_setup(o, true);
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static const struct fuzz_maker mk[] = {
		{ "tx-ring-one-frame", s_tx_ring },
		{ "rx-ring-frames", s_rx_ring },
		{ "tx-chain-tap-timer", s_chain_tap },
		{ "srom-read-mac", s_srom },
		{ "mii-read-bmsr", s_mii },
		{ "msi-enable-tx-irq", s_msi },
		{ "fbe-descriptor-outside-ram", s_fbe },
		{ "wire-full-link-flap", s_wire_full },
		{ "setup-frame-perfect", s_setup_perfect },
		{ "setup-frame-hash", s_setup_hash },
	};

	return fuzz_make_seeds(mk, sizeof(mk) / sizeof(mk[0]), out);
}
