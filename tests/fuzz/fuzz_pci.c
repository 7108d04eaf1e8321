// SPDX-License-Identifier: MIT
/*
 * PCI configuration space, BARs, MSI and MSI-X as a hostile guest (and a
 * device model raising interrupts) drive them: the real host bridge and
 * function code on the fake KVM (tests/unit/core/pci_test_env.h), two
 * functions sharing an INTx pin, one with every BAR kind (I/O, 32-bit,
 * 64-bit holding the MSI-X table and PBA, one backed by host memory as a
 * KVM slot), MSI and MSI-X of sizes the input picks.
 *
 * Input: [config 4 bytes] then operations [op][arguments...] (fz_op()).
 * After each operation the harness checks the state against what KVM was
 * told: every vector's route exists and is counted once, an irqfd is
 * bound exactly when the vector says so, each INTx pin is the wired-OR
 * of the functions asserting it, each mapped BAR sits where its register
 * says and a backed one has its KVM slot there. After teardown no route,
 * irqfd, slot or file descriptor is left.
 */
#include <errno.h>
#include <linux/pci_regs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pci_priv.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/core/pci_test_env.h"

#define OPS_MAX		2000
#define NDEV		2
#define A_SLOT		1
#define B_SLOT		5	/* 5 % 4 == 1 % 4: same INTx pin as A */
#define MSIX_BAR	2
#define MSIX_BAR_SIZE	65536
#define PBA_OFF		32768
#define BACKED_BAR	4

/* Bits @shift.. of selector byte @v, @n of them. */
#define SEL(v, shift, n)	(((unsigned)(v) >> (shift)) & ((1u << (n)) - 1))

enum {
	OP_CFG,		/* [sel][reg][value u32]: mechanism #1 */
	OP_PORT,	/* [sel][value u32]: raw 0xCF8-0xCFF */
	OP_CFG_DIRECT,	/* [sel][off u16][value u32]: any offset, size */
	OP_BAR_SIZE,	/* [sel]: all ones, read back, restore */
	OP_BAR_MOVE,	/* [sel][addr u32][hi u32] */
	OP_BAR_ACCESS,	/* [sel][off u16][value u32] */
	OP_MSIX_ENTRY,	/* [sel][vec u16][value u32] */
	OP_MSIX_CTRL,	/* [bits] */
	OP_MSI,		/* [sel][value u32] */
	OP_RAISE,	/* [sel][vec] */
	OP_INTX,	/* [sel] */
	OP_EVENTFD,	/* [vec u16][what] */
	OP_COMMAND,	/* [sel][value u16] */
	OP_KVM,		/* [what]: make KVM refuse, or drain irqfds */
	OP_REPLUG,	/* [config]: function B goes and comes back */
	OP_COUNT
};

static uint8_t backing[4096] __attribute__((aligned(4096)));

struct fz {
	struct pci_env *e;
	struct pci_dev *dev[NDEV];
	unsigned msix_nvec;
	uint32_t ro[NDEV][PCI_CFG_SIZE / 4];	/* read-only dwords */
};

/*
 * Config dwords a guest cannot change at all: IDs, class, header type,
 * subsystem, the capability pointer, and each capability's ID, next
 * pointer and (MSI-X) table and PBA locations. The low type bits of the
 * BARs are checked apart (fz_check_ro).
 */
static const unsigned ro_dwords[] = {
	PCI_VENDOR_ID, PCI_CLASS_REVISION, PCI_SUBSYSTEM_VENDOR_ID,
	PCI_CAPABILITY_LIST,
};

/* ---- set-up ---- */

static struct pci_dev *fz_make_a(struct fz *f, const uint8_t cfg[4])
{
	struct pci_dev *pd = pci_dev_create(f->e->vmm.pci, &f->e->vd[0],
					    A_SLOT);

	if (!pd)
		abort();
	pci_dev_set_ids(pd, 0x6970, 0x1000, 0x020000, 1);
	pci_dev_on_bar_moved(pd, env_bar_moved);
	f->msix_nvec = 1 + (cfg[2] | cfg[3] << 8) % PCI_MSIX_MAX_VECTORS;
	if (pci_bar_add(pd, 0, PCI_BAR_IO, 4u << cfg[0] % 7) ||
	    pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096u << (cfg[0] >> 3) % 4) ||
	    pci_bar_add(pd, MSIX_BAR, PCI_BAR_MEM64, MSIX_BAR_SIZE) ||
	    pci_bar_add(pd, BACKED_BAR, PCI_BAR_MEM32, sizeof(backing)) ||
	    pci_bar_set_backing(pd, BACKED_BAR, backing) ||
	    pci_msi_add(pd, 1u << cfg[1] % 6) ||
	    pci_msix_add(pd, f->msix_nvec, MSIX_BAR, 0, MSIX_BAR, PBA_OFF) ||
	    pci_intx_add(pd))
		abort();
	return pd;
}

static struct pci_dev *fz_make_b(struct fz *f, uint8_t cfg)
{
	struct pci_dev *pd = pci_dev_create(f->e->vmm.pci, &f->e->vd[1],
					    B_SLOT);

	if (!pd)
		abort();
	pci_dev_set_ids(pd, 0x6970, 0x1001, 0xff0000, 1);
	if (pci_bar_add(pd, 0, PCI_BAR_IO, 16) || pci_intx_add(pd))
		abort();
	/* MSI-X in the BAR of the model's own registers, table then PBA. */
	if ((cfg & 1) && (pci_bar_add(pd, 1, PCI_BAR_MEM32, 4096) ||
			  pci_msix_add(pd, 1 + cfg % 64, 1, 2048, 1, 0)))
		abort();
	if ((cfg & 2) && pci_msi_add(pd, 1u << (cfg >> 2) % 6))
		abort();
	return pd;
}

/* ---- checks ---- */

static void fz_ro_read(struct pci_dev *pd, uint32_t ro[PCI_CFG_SIZE / 4])
{
	unsigned cap;

	for (unsigned i = 0; i < sizeof(ro_dwords) / sizeof(ro_dwords[0]); i++)
		ro[ro_dwords[i] / 4] = pci_cfg_read(pd, ro_dwords[i], 4);
	ro[PCI_HEADER_TYPE / 4] = pci_cfg_read(pd, PCI_HEADER_TYPE, 1);
	for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
		uint32_t v = pci_cfg_read(pd, PCI_BASE_ADDRESS_0 + 4 * i, 4);
		enum pci_bar_type t = pd->bars[i].type;

		/* Type bits; an unused BAR is all read-only (zero); the
		 * upper half of a 64-bit one is all address. */
		if (t == PCI_BAR_IO)
			v &= 1;
		else if (t != PCI_BAR_NONE)
			v &= 0xf;
		else if (i && pd->bars[i - 1].type == PCI_BAR_MEM64)
			v = 0;
		ro[PCI_BASE_ADDRESS_0 / 4 + i] = v;
	}
	cap = pci_cfg_read(pd, PCI_CAPABILITY_LIST, 1);
	for (int n = 0; cap >= 0x40 && cap < PCI_CFG_SIZE && n < 48; n++) {
		ro[cap / 4] = pci_cfg_read(pd, cap, 2);
		if ((ro[cap / 4] & 0xff) == PCI_CAP_ID_MSIX) {
			ro[cap / 4 + 1] = pci_cfg_read(pd, cap + 4, 4);
			ro[cap / 4 + 2] = pci_cfg_read(pd, cap + 8, 4);
		}
		cap = ro[cap / 4] >> 8;
	}
}

/* Whatever the guest wrote, the read-only dwords read as at the start. */
static void fz_check_ro(struct fz *f)
{
	uint32_t now[PCI_CFG_SIZE / 4] = { 0 };

	for (unsigned d = 0; d < NDEV; d++) {
		memset(now, 0, sizeof(now));
		fz_ro_read(f->dev[d], now);
		if (memcmp(now, f->ro[d], sizeof(now)))
			abort();	/* the guest changed a read-only bit */
	}
}

static uint64_t fz_reg_addr(const struct pci_dev *pd, unsigned i)
{
	uint32_t lo = pci_cfg_get32(pd, PCI_BASE_ADDRESS_0 + 4 * i);

	switch (pd->bars[i].type) {
	case PCI_BAR_IO:
		return lo & ~3u;
	case PCI_BAR_MEM64:
		return (lo & ~0xfu) | (uint64_t)pci_cfg_get32(pd,
			PCI_BASE_ADDRESS_0 + 4 * i + 4) << 32;
	default:
		return lo & ~0xfu;
	}
}

/* One vector against the fake KVM; counts routes and bound irqfds. */
static void fz_check_vec(const struct pci_vec *v, unsigned *routes,
			 unsigned *bound)
{
	if (v->gsi >= 0) {
		if (v->gsi >= KVM_MAX_GSI || !fake_kvm.routes[v->gsi].used)
			abort();	/* a route we think we have */
		(*routes)++;
	}
	if (v->bound) {
		if (v->gsi < 0 || v->efd < 0 ||
		    fake_kvm.routes[v->gsi].irqfd != v->efd)
			abort();
		(*bound)++;
	}
}

static void fz_check(struct fz *f)
{
	struct pci_host *host = f->e->vmm.pci;
	unsigned routes = 0, bound = 0, kvm_bound = 0, slots = 0;
	unsigned pin[PCI_INTX_PINS] = { 0 };

	pthread_mutex_lock(&host->lock);
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		const struct pci_dev *pd = host->devs[s];

		if (!pd)
			continue;
		for (unsigned i = 0; i < pd->msi.nvec; i++)
			fz_check_vec(&pd->msi.vec[i], &routes, &bound);
		for (unsigned i = 0; i < pd->msix.nvec; i++)
			fz_check_vec(&pd->msix.vec[i], &routes, &bound);
		if (pd->intx_asserted)
			pin[pd->slot % PCI_INTX_PINS]++;
		for (unsigned i = 0; i < PCI_MAX_BARS; i++) {
			const struct pci_bar *b = &pd->bars[i];

			if (!b->mapped)
				continue;
			if (b->mapped_addr != fz_reg_addr(pd, i))
				abort();	/* decoding elsewhere */
			if (b->backing) {
				const struct fake_kvm_slot *ks =
					&fake_kvm.slots[b->memslot];

				if (!ks->used || ks->gpa != b->mapped_addr ||
				    ks->size != b->size)
					abort();
				slots++;
			}
		}
	}
	for (unsigned p = 0; p < PCI_INTX_PINS; p++)
		if (pin[p] != host->intx_count[p] ||
		    fake_kvm.line[PCI_INTX_GSI_BASE + p] != (pin[p] > 0))
			abort();	/* the wired-OR went wrong */
	pthread_mutex_unlock(&host->lock);
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		kvm_bound += fake_kvm.routes[g].irqfd >= 0;
	if (routes != fake_kvm_route_count() || bound != kvm_bound)
		abort();	/* a route or irqfd leaked, or one is shared */
	for (unsigned s = 0; s < FAKE_KVM_MAX_SLOTS; s++)
		slots -= fake_kvm.slots[s].used;
	if (slots)
		abort();	/* a KVM slot nobody maps */
	fz_check_ro(f);
}

/* ---- operations ---- */

static struct pci_dev *fz_dev(struct fz *f, uint8_t sel)
{
	return f->dev[sel % NDEV];
}

/* Slot of the function @sel picks: A, B, the host bridge, or nothing. */
static unsigned fz_slot(uint8_t sel)
{
	static const unsigned slots[] = { A_SLOT, B_SLOT, 0, 7 };

	return slots[sel % 4];
}

static unsigned fz_cap(struct pci_dev *pd, unsigned id)
{
	unsigned cap = pci_cfg_read(pd, PCI_CAPABILITY_LIST, 1);

	for (int n = 0; cap && cap != 0xff && n < 48; n++) {
		if (pci_cfg_read(pd, cap, 1) == id)
			return cap;
		cap = pci_cfg_read(pd, cap + PCI_CAP_LIST_NEXT, 1);
	}
	return 0;
}

/* A bus access of @size bytes; port I/O takes at most 4. */
static void fz_access(struct fz *f, bool io, uint64_t addr, unsigned size,
		      bool write, uint64_t val)
{
	if (io) {
		size = size > 4 ? 4 : size;
		if (write)
			env_out(f->e, (uint16_t)addr, size, (uint32_t)val);
		else
			env_in(f->e, (uint16_t)addr, size);
	} else if (write) {
		env_mmio_write(f->e, addr, size, val);
	} else {
		env_mmio_read(f->e, addr, size, NULL);
	}
}

static void fz_bar_size(struct fz *f, uint8_t sel)
{
	struct pci_dev *pd = fz_dev(f, sel);
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * (SEL(sel, 1, 3) % PCI_MAX_BARS);
	uint32_t old = pci_cfg_read(pd, reg, 4);
	uint16_t cmd = (uint16_t)pci_cfg_read(pd, PCI_COMMAND, 2);

	/* Linux turns decoding off around sizing; some guests do not. */
	if (sel & 0x80)
		pci_cfg_write(pd, PCI_COMMAND, 2, cmd & ~3u);
	pci_cfg_write(pd, reg, 4, 0xffffffffu);
	pci_cfg_read(pd, reg, 4);
	pci_cfg_write(pd, reg, 4, old);
	if (sel & 0x80)
		pci_cfg_write(pd, PCI_COMMAND, 2, cmd);
}

static void fz_bar_move(struct fz *f, uint8_t sel, uint32_t a, uint32_t hi)
{
	struct pci_dev *pd = fz_dev(f, sel);
	unsigned idx = SEL(sel, 1, 3) % PCI_MAX_BARS;
	unsigned reg = PCI_BASE_ADDRESS_0 + 4 * idx;

	switch (SEL(sel, 4, 2)) {
	case 0:		/* somewhere in the MMIO window */
		a = (uint32_t)(PCI_MMIO_WINDOW_BASE + ((a & 0xffff) << 12));
		break;
	case 1:		/* somewhere in the I/O window */
		a = PCI_IO_WINDOW_BASE + (a & 0x3ffc);
		break;
	case 2:		/* onto another BAR of the same function */
		a = (uint32_t)pci_bar_addr(pd, a % PCI_MAX_BARS);
		break;
	default:	/* anything */
		break;
	}
	pci_cfg_write(pd, reg, 4, a);
	if (sel & 0x80)
		pci_cfg_write(pd, reg + 4, 4, hi);
}

static void fz_bar_access(struct fz *f, struct fuzz_in *in)
{
	static const unsigned sizes[] = { 1, 2, 3, 4, 8 };
	uint8_t sel = fuzz_u8(in);
	uint16_t off = fuzz_u16(in);
	uint32_t val = fuzz_u32(in);
	struct pci_dev *pd = fz_dev(f, sel);
	unsigned idx = SEL(sel, 1, 3) % PCI_MAX_BARS;
	uint64_t base = pci_bar_addr(pd, idx);
	const struct pci_bar *b = &pd->bars[idx];

	if (b->type == PCI_BAR_NONE || !base)
		return;
	fz_access(f, b->type == PCI_BAR_IO, base + off % (b->size + 8),
		  sizes[SEL(sel, 4, 3) % 5], sel & 0x80, val);
}

static void fz_msix_entry(struct fz *f, uint8_t sel, uint16_t vec,
			  uint32_t val)
{
	struct pci_dev *pd = f->dev[0];
	uint64_t base = pci_bar_addr(pd, MSIX_BAR);
	uint64_t at = base + 16u * (vec % (f->msix_nvec + 1));

	if (!base)
		return;
	switch (SEL(sel, 1, 3) % 6) {
	case 0:		/* unmask */
		env_mmio_write(f->e, at + 12, 4, 0);
		break;
	case 1:		/* mask */
		env_mmio_write(f->e, at + 12, 4, PCI_MSIX_ENTRY_CTRL_MASKBIT);
		break;
	case 2:		/* a real LAPIC message: address and data */
		env_mmio_write(f->e, at, 8, 0xfee00000u | (val & 0xff000));
		env_mmio_write(f->e, at + 8, 4, val & 0xff);
		break;
	case 3:		/* the PBA */
		env_mmio_read(f->e, base + PBA_OFF + 8 * (vec % 33),
			      (sel & 0x80) ? 8 : 4, NULL);
		break;
	default:	/* any dword or qword of the entry */
		env_mmio_write(f->e, at + 4 * (val % 4), (sel & 0x80) ? 8 : 4,
			       (uint64_t)val << 7 ^ val);
	}
}

static void fz_msix_ctrl(struct fz *f, uint8_t bits)
{
	struct pci_dev *pd = fz_dev(f, bits >> 2);
	unsigned cap = fz_cap(pd, PCI_CAP_ID_MSIX);

	if (cap)
		pci_cfg_write(pd, cap + PCI_MSIX_FLAGS + (bits & 0x40 ? 1 : 0),
			      bits & 0x40 ? 1 : 2,
			      bits & 0x40 ? (bits & 3u) << 6
					  : (bits & 3u) << 14);
}

static void fz_msi(struct fz *f, uint8_t sel, uint32_t val)
{
	struct pci_dev *pd = fz_dev(f, sel);
	unsigned cap = fz_cap(pd, PCI_CAP_ID_MSI);

	if (!cap)
		return;
	switch (SEL(sel, 1, 3) % 5) {
	case 0:		/* enable with a vector count, or disable */
		pci_cfg_write(pd, cap + PCI_MSI_FLAGS, 2,
			      (val & 1) | (val & 0x70));
		break;
	case 1:
		pci_cfg_write(pd, cap + PCI_MSI_ADDRESS_LO, 4,
			      0xfee00000u | (val & 0xff000));
		break;
	case 2:
		pci_cfg_write(pd, cap + PCI_MSI_DATA_64, 2, val);
		break;
	case 3:
		pci_cfg_write(pd, cap + PCI_MSI_MASK_64, 4, val);
		break;
	default:	/* any byte, word or dword of the capability */
		pci_cfg_write(pd, cap + val % PCI_MSI_CAP_LEN,
			      1u << SEL(sel, 4, 2) % 3, val >> 8);
	}
}

static void fz_eventfd(struct fz *f, uint16_t vec, uint8_t what)
{
	int fd = pci_msix_eventfd(fz_dev(f, what), vec % (f->msix_nvec + 2));
	uint64_t one = 1;

	/* A data plane in another thread raising the vector. */
	if (fd >= 0 && (what & 2) && write(fd, &one, sizeof(one)) < 0)
		abort();
}

static void fz_kvm(uint8_t what)
{
	switch (what % 4) {
	case 0:
		fake_kvm.fail_route_add = (what & 4) ? -ENOSPC : 0;
		break;
	case 1:
		fake_kvm.fail_set_memory = (what & 4) ? -ENOMEM : 0;
		break;
	default:	/* the guest took its interrupts */
		for (unsigned g = 0; g < KVM_MAX_GSI; g++)
			fake_kvm_irqfd_take(g);
	}
}

static void fz_op(struct fz *f, struct fuzz_in *in)
{
	uint8_t sel;
	uint32_t v;

	switch (fuzz_u8(in) % OP_COUNT) {
	case OP_CFG: {
		unsigned reg, size;

		sel = fuzz_u8(in);
		reg = fuzz_u8(in);
		v = fuzz_u32(in);
		size = 1u << SEL(sel, 2, 2) % 3;
		if (sel & 0x80)
			env_cfg_write(f->e, fz_slot(sel), reg, size, v);
		else
			env_cfg_read(f->e, fz_slot(sel), reg, size);
		break;
	}
	case OP_PORT:
		sel = fuzz_u8(in);
		v = fuzz_u32(in);
		fz_access(f, true, 0xcf8 + SEL(sel, 0, 3),
			  1u << SEL(sel, 3, 2) % 3, sel & 0x80, v);
		break;
	case OP_CFG_DIRECT: {
		static const unsigned sizes[] = { 0, 1, 2, 3, 4, 8 };
		unsigned off;

		sel = fuzz_u8(in);
		off = fuzz_u16(in) % 300;
		v = fuzz_u32(in);
		if (sel & 0x80)
			pci_cfg_write(fz_dev(f, sel), off,
				      sizes[SEL(sel, 1, 3) % 6], v);
		else
			pci_cfg_read(fz_dev(f, sel), off,
				     sizes[SEL(sel, 1, 3) % 6]);
		break;
	}
	case OP_BAR_SIZE:
		fz_bar_size(f, fuzz_u8(in));
		break;
	case OP_BAR_MOVE:
		sel = fuzz_u8(in);
		v = fuzz_u32(in);
		fz_bar_move(f, sel, v, fuzz_u32(in));
		break;
	case OP_BAR_ACCESS:
		fz_bar_access(f, in);
		break;
	case OP_MSIX_ENTRY: {
		uint16_t vec;

		sel = fuzz_u8(in);
		vec = fuzz_u16(in);
		fz_msix_entry(f, sel, vec, fuzz_u32(in));
		break;
	}
	case OP_MSIX_CTRL:
		fz_msix_ctrl(f, fuzz_u8(in));
		break;
	case OP_MSI:
		sel = fuzz_u8(in);
		fz_msi(f, sel, fuzz_u32(in));
		break;
	case OP_RAISE:
		sel = fuzz_u8(in);
		pci_irq_raise(fz_dev(f, sel), fuzz_u8(in));
		break;
	case OP_INTX:
		sel = fuzz_u8(in);
		pci_intx_set(fz_dev(f, sel), sel & 2);
		break;
	case OP_EVENTFD: {
		uint16_t vec = fuzz_u16(in);

		fz_eventfd(f, vec, fuzz_u8(in));
		break;
	}
	case OP_COMMAND:
		sel = fuzz_u8(in);
		env_cfg_write(f->e, fz_slot(sel), PCI_COMMAND, 2,
			      fuzz_u16(in));
		break;
	case OP_KVM:
		fz_kvm(fuzz_u8(in));
		break;
	case OP_REPLUG:
		/* Device teardown runs with the vCPUs stopped: no race. */
		pci_dev_destroy(f->dev[1]);
		fake_kvm.fail_route_add = 0;
		f->dev[1] = fz_make_b(f, fuzz_u8(in));
		memset(f->ro[1], 0, sizeof(f->ro[1]));
		fz_ro_read(f->dev[1], f->ro[1]);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t cfg[4];
	struct fz f = { 0 };
	unsigned ops = 0;
	int fds = fuzz_fd_count();

	for (unsigned i = 0; i < 4; i++)
		cfg[i] = fuzz_u8(&in);
	if (env_setup((void **)&f.e))
		abort();
	f.dev[0] = fz_make_a(&f, cfg);
	f.dev[1] = fz_make_b(&f, cfg[1]);
	for (unsigned d = 0; d < NDEV; d++)
		fz_ro_read(f.dev[d], f.ro[d]);
	fz_check(&f);
	while (fuzz_more(&in) && ops++ < OPS_MAX) {
		fz_op(&f, &in);
		fz_check(&f);
	}
	env_teardown((void **)&f.e);
	for (unsigned g = 0; g < KVM_MAX_GSI; g++)
		if (fake_kvm.routes[g].used || fake_kvm.routes[g].irqfd >= 0)
			abort();	/* left behind by teardown */
	for (unsigned s = 0; s < FAKE_KVM_MAX_SLOTS; s++)
		if (fake_kvm.slots[s].used)
			abort();
	if (fuzz_fd_count() != fds)
		abort();	/* an eventfd leaked */
	return 0;
}

/* ---- seeds: what firmware and drivers do ---- */

/* The input's first 4 bytes: BAR sizes, MSI and MSI-X vectors. */
static void s_config(struct fuzz_out *o, uint8_t bars, uint8_t msi,
		     uint8_t msix_lo, uint8_t msix_hi)
{
	fuzz_put8(o, bars);
	fuzz_put8(o, msi);
	fuzz_put8(o, msix_lo);
	fuzz_put8(o, msix_hi);
}

static void s_cfg(struct fuzz_out *o, uint8_t dev, unsigned reg,
		  unsigned size, uint32_t v, bool write)
{
	fuzz_put8(o, OP_CFG);
	fuzz_put8(o, (uint8_t)(dev | (size == 4 ? 2 : size == 2 ? 1 : 0) << 2 |
			       (write ? 0x80 : 0)));
	fuzz_put8(o, (uint8_t)reg);
	fuzz_put32(o, v);
}

static void s_op8(struct fuzz_out *o, uint8_t op, uint8_t a)
{
	fuzz_put8(o, op);
	fuzz_put8(o, a);
}

static void s_op_sel_u32(struct fuzz_out *o, uint8_t op, uint8_t sel,
			 uint32_t v)
{
	fuzz_put8(o, op);
	fuzz_put8(o, sel);
	fuzz_put32(o, v);
}

static void s_msix_entry(struct fuzz_out *o, unsigned what, uint16_t vec,
			 uint32_t v)
{
	fuzz_put8(o, OP_MSIX_ENTRY);
	fuzz_put8(o, (uint8_t)(what << 1));
	fuzz_put16(o, vec);
	fuzz_put32(o, v);
}

/* Enumeration: IDs, every BAR sized, the capability list walked. */
static void s_enumerate(struct fuzz_out *o)
{
	s_config(o, 3, 2, 7, 0);
	for (unsigned dev = 0; dev < 4; dev++)
		s_cfg(o, (uint8_t)dev, 0, 4, 0, false);
	for (unsigned bar = 0; bar < PCI_MAX_BARS; bar++) {
		s_op8(o, OP_BAR_SIZE, (uint8_t)(0x80 | bar << 1));
		s_op8(o, OP_BAR_SIZE, (uint8_t)(1 | bar << 1));
	}
	s_cfg(o, 0, PCI_CAPABILITY_LIST, 1, 0, false);
	s_cfg(o, 0, 0x80, 4, 0, false);
	s_cfg(o, 0, 0x98, 4, 0, false);
}

/* A driver bringing MSI-X up: messages, enable, unmask, interrupts. */
static void s_msix(struct fuzz_out *o)
{
	s_config(o, 0x1b, 3, 15, 0);
	s_op8(o, OP_MSIX_CTRL, 0x40 | 3);	/* enable + mask-all */
	for (uint16_t v = 0; v < 3; v++) {
		s_msix_entry(o, 2, v, 0x1000 * v + 0x40 + v);
		s_msix_entry(o, 0, v, 0);
	}
	s_op8(o, OP_MSIX_CTRL, 0x40 | 2);	/* mask-all off */
	fuzz_put8(o, OP_RAISE);
	fuzz_put8(o, 0);
	fuzz_put8(o, 0);
	s_op8(o, OP_KVM, 2);
	s_msix_entry(o, 1, 1, 0);		/* mask vector 1 */
	fuzz_put8(o, OP_RAISE);
	fuzz_put8(o, 0);
	fuzz_put8(o, 1);			/* pending in the PBA */
	s_msix_entry(o, 3, 0, 0);		/* read the PBA */
	s_msix_entry(o, 0, 1, 0);		/* unmask: delivered */
	fuzz_put8(o, OP_EVENTFD);
	fuzz_put16(o, 2);
	fuzz_put8(o, 2);			/* data plane raises 2 */
	s_op8(o, OP_MSIX_CTRL, 0x40);		/* disable */
}

static void s_msi(struct fuzz_out *o)
{
	s_config(o, 5, 5, 0, 0);
	s_op_sel_u32(o, OP_MSI, 1 << 1, 0x1000);	/* address */
	s_op_sel_u32(o, OP_MSI, 2 << 1, 0x41);	/* data */
	s_op_sel_u32(o, OP_MSI, 0 << 1, 0x21);	/* enable, 4 vectors */
	fuzz_put8(o, OP_RAISE);
	fuzz_put8(o, 0);
	fuzz_put8(o, 3);
	s_op_sel_u32(o, OP_MSI, 3 << 1, 0x2);	/* mask vector 1 */
	fuzz_put8(o, OP_RAISE);
	fuzz_put8(o, 0);
	fuzz_put8(o, 1);
	s_op_sel_u32(o, OP_MSI, 3 << 1, 0);	/* unmask: sent */
	s_op_sel_u32(o, OP_MSI, 0 << 1, 0);	/* disable: back to INTx */
	s_op8(o, OP_INTX, 2);
}

/* Both functions on one INTx pin, levels and the disable bit. */
static void s_intx(struct fuzz_out *o)
{
	s_config(o, 1, 0, 1, 0);
	s_op8(o, OP_INTX, 0 | 2);
	s_op8(o, OP_INTX, 1 | 2);
	s_op8(o, OP_INTX, 0);
	fuzz_put8(o, OP_COMMAND);
	fuzz_put8(o, 1);
	fuzz_put16(o, PCI_COMMAND_INTX_DISABLE | 3);
	s_op8(o, OP_INTX, 1);
	s_op8(o, OP_INTX, 1 | 2);
	fuzz_put8(o, OP_COMMAND);
	fuzz_put8(o, 1);
	fuzz_put16(o, 3);
	s_op8(o, OP_REPLUG, 3);		/* B goes while asserting */
}

/* The guest moves BARs about, onto each other, and decoding off/on. */
static void s_bar_moves(struct fuzz_out *o)
{
	s_config(o, 0x12, 1, 63, 0);
	fuzz_put8(o, OP_BAR_MOVE);
	fuzz_put8(o, 1 << 1 | 0 << 4);		/* BAR1 in the window */
	fuzz_put32(o, 0x100);
	fuzz_put32(o, 0);
	fuzz_put8(o, OP_BAR_MOVE);
	fuzz_put8(o, BACKED_BAR << 1 | 2 << 4);	/* onto BAR1 */
	fuzz_put32(o, 1);
	fuzz_put32(o, 0);
	fuzz_put8(o, OP_BAR_MOVE);
	fuzz_put8(o, 0x80 | MSIX_BAR << 1 | 3 << 4);	/* above 4 GiB */
	fuzz_put32(o, 0);
	fuzz_put32(o, 1);
	fuzz_put8(o, OP_COMMAND);
	fuzz_put8(o, 0);
	fuzz_put16(o, 0);
	fuzz_put8(o, OP_COMMAND);
	fuzz_put8(o, 0);
	fuzz_put16(o, 7);
	fuzz_put8(o, OP_BAR_ACCESS);
	fuzz_put8(o, 0x80 | 1 << 1 | 3 << 4);
	fuzz_put16(o, 8);
	fuzz_put32(o, 0xdeadbeef);
}

/* Mechanism #1 oddities: byte latches, straddles, disabled cycles. */
static void s_ports(struct fuzz_out *o)
{
	s_config(o, 6, 4, 0xff, 7);
	s_op_sel_u32(o, OP_PORT, 0x80 | 2 << 3, 0x80000800u);
	s_op_sel_u32(o, OP_PORT, 5 | 1 << 3, 0);
	s_op_sel_u32(o, OP_PORT, 0x80 | 1, 0x12);
	s_op_sel_u32(o, OP_PORT, 0x80 | 2 << 3, 0x00000800u);
	s_op_sel_u32(o, OP_PORT, 4 | 2 << 3, 0);
	fuzz_put8(o, OP_CFG_DIRECT);
	fuzz_put8(o, 0x80 | 3 << 1);
	fuzz_put16(o, 255);
	fuzz_put32(o, 0xffffffff);
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static const struct fuzz_maker mk[] = {
		{ "enumerate-size-bars", s_enumerate },
		{ "msix-bring-up-mask-pba", s_msix },
		{ "msi-multi-vector-mask", s_msi },
		{ "intx-shared-pin-replug", s_intx },
		{ "bar-moves-overlap-64bit", s_bar_moves },
		{ "mech1-odd-ports", s_ports },
	};

	return fuzz_make_seeds(mk, sizeof(mk) / sizeof(mk[0]), out);
}
