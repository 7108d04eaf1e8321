// SPDX-License-Identifier: MIT
/*
 * The SR-IOV NIC model against a hostile guest: the input is a program
 * of guest actions on two VFs (writes to the shared queue registers, to
 * guest RAM, to trapped registers, whole mailbox messages) mixed with
 * the switch's (polls, frames from the PF, sleeps, the administrator's
 * settings, time passing). After every input: the model wrote nothing
 * outside either guest's RAM (canaries), a VF in its error state no
 * longer touches its guest's memory, and heads stay inside their rings.
 */
#include <stdlib.h>
#include <string.h>

#include "sriov/sriov_priv.h"
#include "tests/fuzz/fuzz.h"

#define NVF		2
#define RAM		0x10000u
#define CANARY		64
#define STEPS_MAX	512

enum op {
	OP_SHARED,	/* vf, reg index, u32 */
	OP_RAM,		/* vf, u16 gpa, n, n bytes */
	OP_REG_WRITE,	/* vf, reg index or raw, u32 */
	OP_REG_READ,	/* vf, reg index */
	OP_POLL,	/* vf, budget */
	OP_PF_RX,	/* n, n bytes */
	OP_SLEEP,	/* vf */
	OP_ADMIN,	/* vf, what, value */
	OP_TIME,	/* u16 microseconds */
	OP_MBX,		/* vf, n words, words */
	OP_COUNT,
};

static const uint32_t shared_regs[] = {
	IGBVF_RDBAL(0), IGBVF_RDBAH(0), IGBVF_RDLEN(0), IGBVF_SRRCTL(0),
	IGBVF_RDH(0), IGBVF_RDT(0), IGBVF_RXDCTL(0), IGBVF_TDBAL(0),
	IGBVF_TDBAH(0), IGBVF_TDLEN(0), IGBVF_TDH(0), IGBVF_TDT(0),
	IGBVF_TXDCTL(0), IGBVF_TDWBAL(0), IGBVF_TDWBAH(0), IGBVF_POLL,
};

static const uint32_t trapped_regs[] = {
	IGBVF_CTRL, IGBVF_STATUS, IGBVF_VFMAILBOX, IGBVF_VMBMEM(0),
	IGBVF_VMBMEM(1), IGBVF_VMBMEM(2), IGBVF_VMBMEM(15), IGBVF_EICS,
	IGBVF_EIMS, IGBVF_EIMC, IGBVF_EIAC, IGBVF_EIAM, IGBVF_EICR,
	IGBVF_EITR(0), IGBVF_EITR(1), IGBVF_EITR(2), IGBVF_IVAR0,
	IGBVF_IVAR_MISC, IGBVF_FRTIMER, IGBVF_VFGPRC, IGBVF_VFGOTLBC,
};

struct vm {
	uint8_t *mem;			/* canary, RAM, canary */
	struct guest_mem gm;
	struct igbvf_shared *sh;
};

static struct vm vms[NVF];
static const uint8_t macs[NVF][6] = { { 2, 0, 0, 0, 0, 1 },
				      { 2, 0, 0, 0, 0, 2 } };

struct cursor {
	const uint8_t *p;
	size_t n;
};

static bool take(struct cursor *c, void *out, size_t len)
{
	if (c->n < len)
		return false;
	memcpy(out, c->p, len);
	c->p += len;
	c->n -= len;
	return true;
}

static void vm_reset(struct vm *v)
{
	if (!v->mem) {
		v->mem = malloc(RAM + 2 * CANARY);
		v->sh = aligned_alloc(4096, sizeof(*v->sh));
		if (!v->mem || !v->sh)
			abort();
	}
	memset(v->mem, 0xCA, CANARY);
	memset(v->mem + CANARY, 0, RAM);
	memset(v->mem + CANARY + RAM, 0xCA, CANARY);
	memset(v->sh, 0, sizeof(*v->sh));
	guest_mem_layout(&v->gm, v->mem + CANARY, RAM);
}

static void vm_check_canaries(const struct vm *v)
{
	unsigned i;

	for (i = 0; i < CANARY; i++)
		if (v->mem[i] != 0xCA || v->mem[CANARY + RAM + i] != 0xCA)
			abort();
}

static void pf_tx(void *opaque, const uint8_t *data, unsigned len)
{
	(void)opaque;
	if (!len || len > IGBVF_FRAME_JUMBO_MAX + 8 || !data)
		abort();
}

static void step(struct sriov_nic *nic, struct cursor *c, uint64_t *now)
{
	uint8_t op, a, b;
	uint16_t w;
	uint32_t v;

	if (!take(c, &op, 1))
		return;
	switch (op % OP_COUNT) {
	case OP_SHARED:
		if (take(c, &a, 1) && take(c, &b, 1) && take(c, &v, 4)) {
			uint32_t off = shared_regs[b % 16] - IGBVF_SHARED_OFF;

			memcpy((uint8_t *)vms[a % NVF].sh + off, &v, 4);
		}
		break;
	case OP_RAM:
		if (take(c, &a, 1) && take(c, &w, 2) && take(c, &b, 1)) {
			unsigned n = b % 33;
			uint8_t buf[32];

			if (take(c, buf, n) && w + n <= RAM)
				memcpy(vms[a % NVF].mem + CANARY + w, buf, n);
		}
		break;
	case OP_REG_WRITE:
		if (take(c, &a, 1) && take(c, &b, 1) && take(c, &v, 4)) {
			uint32_t off = b < 200 ? trapped_regs[b % 21]
					       : (v >> 16) & 0x3FFF;

			sriov_vf_reg_write(nic, a % NVF, off, b == 255 ? 2 : 4,
					   v, *now);
		}
		break;
	case OP_REG_READ:
		if (take(c, &a, 1) && take(c, &b, 1))
			sriov_vf_reg_read(nic, a % NVF, trapped_regs[b % 21],
					  4, &v, *now);
		break;
	case OP_POLL:
		if (take(c, &a, 1) && take(c, &b, 1))
			sriov_vf_poll(nic, a % NVF, b % 65, *now);
		break;
	case OP_PF_RX:
		if (take(c, &b, 1)) {
			uint8_t f[256];
			const uint8_t *fr[1] = { f };
			uint16_t len = (uint16_t)(b % 128 + 14);

			size_t n = len - 6u < c->n ? len - 6u : c->n;

			memset(f, 0, sizeof(f));
			memcpy(f, macs[b & 1], 6);
			if (b & 0x80)
				memset(f, 0xff, 6);
			take(c, f + 6, n);	/* the rest stays 0 */
			sriov_pf_rx_burst(nic, fr, &len, 1, *now);
		}
		break;
	case OP_SLEEP:
		if (take(c, &a, 1)) {
			if (a & 0x80)
				sriov_vf_kick(nic, a % NVF);
			else
				sriov_vf_sleep(nic, a % NVF);
		}
		break;
	case OP_ADMIN:
		if (take(c, &a, 1) && take(c, &b, 1) && take(c, &w, 2)) {
			unsigned vf = a % NVF;

			switch (b % 5) {
			case 0:
				sriov_vf_set_vlan(nic, vf, w % 4096, 0, *now);
				break;
			case 1:
				sriov_vf_set_spoofchk(nic, vf, w & 1);
				break;
			case 2:
				sriov_vf_set_trust(nic, vf, w & 1);
				break;
			case 3:
				sriov_vf_set_link_state(nic, vf, w % 4, *now);
				break;
			default:
				sriov_pf_set_link(nic, w & 1, *now);
				break;
			}
		}
		break;
	case OP_TIME:
		if (take(c, &w, 2)) {
			*now += (uint64_t)w * 1000u;
			sriov_nic_poll_irqs(nic, *now);
		}
		break;
	default:	/* OP_MBX: a whole message, igbvf style */
		if (take(c, &a, 1) && take(c, &b, 1)) {
			unsigned vf = a % NVF, i, n = b % 17;

			sriov_vf_reg_write(nic, vf, IGBVF_VFMAILBOX,
					   4, IGBVF_MBX_VFU, *now);
			for (i = 0; i < n && take(c, &v, 4); i++) {
				/* Word 0: a type igb knows, any info, any
				 * reply flags, so mutations stay messages. */
				if (!i)
					v = (v & 0xE0FF0000u) | (v & 7u);
				sriov_vf_reg_write(nic, vf, IGBVF_VMBMEM(i), 4,
						   v, *now);
			}
			sriov_vf_reg_write(nic, vf, IGBVF_VFMAILBOX, 4,
					   IGBVF_MBX_REQ, *now);
		}
		break;
	}
}

/* A VF in its error state must leave its guest's memory alone. */
static void check_stopped(struct sriov_nic *nic, uint64_t now)
{
	static uint8_t snap[RAM];
	unsigned vf;

	for (vf = 0; vf < NVF; vf++) {
		uint8_t f[64];
		const uint8_t *fr[1] = { f };
		uint16_t len = 64;

		if (!sriov_vf_error(nic, vf, NULL))
			continue;
		memcpy(snap, vms[vf].mem + CANARY, RAM);
		memset(f, 0, sizeof(f));
		memcpy(f, macs[vf], 6);
		memcpy(f + 6, macs[!vf], 6);
		sriov_vf_poll(nic, vf, 64, now);
		sriov_pf_rx_burst(nic, fr, &len, 1, now);
		sriov_vf_poll(nic, !vf, 64, now);
		if (memcmp(snap, vms[vf].mem + CANARY, RAM))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sriov_nic_ops ops = { .pf_tx = pf_tx };
	struct cursor c = { data, size };
	struct sriov_nic *nic;
	uint64_t now = 1000000000ull;
	unsigned i;

	nic = sriov_nic_create("fuzz", NVF, &ops, NULL);
	if (!nic)
		abort();
	for (i = 0; i < NVF; i++) {
		vm_reset(&vms[i]);
		sriov_vf_set_mac(nic, i, macs[i], now);
		if (sriov_vf_attach(nic, i, &vms[i].gm, vms[i].sh))
			abort();
	}
	for (i = 0; i < STEPS_MAX && c.n; i++)
		step(nic, &c, &now);
	check_stopped(nic, now);
	for (i = 0; i < NVF; i++) {
		const struct vf_queue *q = &nic->vf[i].q;

		vm_check_canaries(&vms[i]);
		if ((q->tx.enabled && q->tx.head >= q->tx.count) ||
		    (q->rx.enabled && q->rx.head >= q->rx.count))
			abort();
	}
	sriov_nic_destroy(nic);
	return 0;
}

/* ---- seeds: a driver bringing both VFs up and sending frames ---- */

struct seed_buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct seed_buf *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

static void put_op(struct seed_buf *s, uint8_t op, uint8_t a, uint8_t b)
{
	put(s, &op, 1);
	put(s, &a, 1);
	put(s, &b, 1);
}

static uint8_t reg_index(const uint32_t *regs, unsigned n, uint32_t off)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (regs[i] == off)
			return (uint8_t)i;
	abort();
}

static void put_shared(struct seed_buf *s, uint8_t vf, uint32_t off,
		       uint32_t v)
{
	put_op(s, OP_SHARED, vf, reg_index(shared_regs, 16, off));
	put(s, &v, 4);
}

static void put_reg(struct seed_buf *s, uint8_t vf, uint32_t off, uint32_t v)
{
	put_op(s, OP_REG_WRITE, vf, reg_index(trapped_regs, 21, off));
	put(s, &v, 4);
}

static void put_ram(struct seed_buf *s, uint8_t vf, uint16_t gpa,
		    const void *p, uint8_t n)
{
	uint8_t op = OP_RAM;

	put(s, &op, 1);
	put(s, &vf, 1);
	put(s, &gpa, 2);
	put(s, &n, 1);
	put(s, p, n);
}

static void seed_vf_up(struct seed_buf *s, uint8_t vf)
{
	uint32_t rst = IGBVF_VF_RESET;
	unsigned i;

	put_reg(s, vf, IGBVF_CTRL, IGBVF_CTRL_RST);
	put_op(s, OP_MBX, vf, 1);
	put(s, &rst, 4);
	put_reg(s, vf, IGBVF_IVAR0, 0x8180);
	put_reg(s, vf, IGBVF_IVAR_MISC, 0x82);
	put_reg(s, vf, IGBVF_EIMS, 7);
	put_shared(s, vf, IGBVF_TDBAL(0), 0x1000);
	put_shared(s, vf, IGBVF_TDLEN(0), 128);
	put_shared(s, vf, IGBVF_TXDCTL(0), IGBVF_TXDCTL_ENABLE);
	put_shared(s, vf, IGBVF_RDBAL(0), 0x2000);
	put_shared(s, vf, IGBVF_RDLEN(0), 128);
	put_shared(s, vf, IGBVF_SRRCTL(0),
		   IGBVF_SRRCTL_DESCTYPE_ADV_ONEBUF | 2);
	put_shared(s, vf, IGBVF_RXDCTL(0), IGBVF_RXDCTL_ENABLE);
	for (i = 0; i < 4; i++) {
		struct igbvf_rx_desc_read d = { .pkt_addr = 0x8000 + i * 2048 };

		put_ram(s, vf, (uint16_t)(0x2000 + i * 16), &d, 16);
	}
	put_shared(s, vf, IGBVF_RDT(0), 4);
}

static void seed_vf_send(struct seed_buf *s, uint8_t vf, uint8_t idx,
			 const uint8_t *dst)
{
	struct igbvf_tx_desc d = {
		.buffer_addr = 0x4000,
		.cmd_type_len = 60 | IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS |
				IGBVF_TXD_DCMD_DEXT | IGBVF_TXD_DTYP_DATA,
	};
	uint8_t hdr[14] = { 0 };

	memcpy(hdr, dst, 6);
	memcpy(hdr + 6, macs[vf], 6);
	hdr[12] = 0x08;
	put_ram(s, vf, 0x4000, hdr, 14);
	put_ram(s, vf, (uint16_t)(0x1000 + idx * 16), &d, 16);
	put_shared(s, vf, IGBVF_TDT(0), idx + 1u);
	put_op(s, OP_POLL, vf, 64);
}

/* A context (VLAN, IPv4/UDP checksums) and a frame that uses it. */
static void seed_vf_offload(struct seed_buf *s, uint8_t vf)
{
	struct igbvf_tx_ctx_desc c = {
		.vlan_macip_lens = 7u << IGBVF_TXCTX_VLAN_SHIFT |
				   14u << IGBVF_TXCTX_MACLEN_SHIFT | 20,
		.type_tucmd_mlhl = IGBVF_TXCTX_TUCMD_IPV4 |
				   IGBVF_TXCTX_TUCMD_L4T_UDP |
				   IGBVF_TXD_DTYP_CTXT | IGBVF_TXD_DCMD_DEXT,
	};
	struct igbvf_tx_desc d = {
		.buffer_addr = 0x4000,
		.cmd_type_len = 60 | IGBVF_TXD_DCMD_EOP | IGBVF_TXD_DCMD_RS |
				IGBVF_TXD_DCMD_VLE | IGBVF_TXD_DCMD_DEXT |
				IGBVF_TXD_DTYP_DATA,
		.olinfo_status = IGBVF_TXD_POPTS_IXSM | IGBVF_TXD_POPTS_TXSM,
	};

	put_shared(s, vf, IGBVF_TDWBAL(0), 0x3000 | IGBVF_TDWBAL_ENABLE);
	put_ram(s, vf, 0x1000, &c, 16);
	put_ram(s, vf, 0x1010, &d, 16);
	put_shared(s, vf, IGBVF_TDT(0), 2);
	put_op(s, OP_POLL, vf, 64);
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static struct seed_buf s[3];
	static struct fuzz_seed seeds[3];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t pf[3] = { OP_PF_RX, 0x80 | 50, 0 };

	if (!s[0].n) {
		seed_vf_up(&s[0], 0);
		seed_vf_up(&s[0], 1);
		seed_vf_send(&s[0], 0, 0, macs[1]);
		seed_vf_send(&s[0], 1, 0, bcast);
		put(&s[0], pf, sizeof(pf));
		seed_vf_up(&s[1], 0);
		seed_vf_send(&s[1], 0, 0, macs[1]);
		seed_vf_send(&s[1], 0, 1, macs[0]);
		put(&s[1], (const uint8_t[]){ OP_SLEEP, 0 }, 2);
		/* Offloads: up with head write-back, then the frame. */
		seed_vf_up(&s[2], 0);
		seed_vf_up(&s[2], 1);
		put_shared(&s[2], 0, IGBVF_TXDCTL(0), 0);
		put_op(&s[2], OP_POLL, 0, 1);
		put_shared(&s[2], 0, IGBVF_TXDCTL(0), IGBVF_TXDCTL_ENABLE);
		seed_vf_offload(&s[2], 0);
		for (unsigned i = 0; i < 3; i++)
			seeds[i] = (struct fuzz_seed){ .data = s[i].b,
						       .size = s[i].n };
	}
	*out = seeds;
	return 3;
}
