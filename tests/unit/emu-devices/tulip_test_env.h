/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_TESTS_TULIP_TEST_ENV_H
#define IOPATH_TESTS_TULIP_TEST_ENV_H

/*
 * A 21140A on the real PCI layer (fake KVM), with 1 MiB of fake guest RAM
 * and a fake wire that records what the chip transmits. Tests drive the
 * chip through its BARs the way a guest does. Include after cmocka.h.
 */

#include <linux/pci_regs.h>

#include "emu-devices/tulip.h"
#include "emu-devices/tulip_priv.h"
#include "emu-devices/tulip_regs.h"
#include "tests/unit/core/pci_test_env.h"

#define TE_RAM_SIZE	(1u << 20)
#define TE_MAX_TX	64
#define TE_MAC		{ 0x02, 0x69, 0x11, 0x22, 0x33, 0x44 }

struct tenv {
	struct pci_env *e;
	struct vdev *vd;
	struct tulip *t;
	struct pci_dev *pd;
	uint8_t *ram;
	uint64_t mmio;
	uint16_t io;
	/* the fake wire */
	unsigned ntx;
	uint8_t tx[TE_MAX_TX][2048];
	uint16_t txlen[TE_MAX_TX];
	bool wire_full;
	bool closed;
};

static unsigned te_wire_tx(void *opaque, const void *const *frames,
			   const uint16_t *lens, unsigned n)
{
	struct tenv *te = opaque;
	unsigned i;

	if (te->wire_full)
		return 0;
	for (i = 0; i < n && te->ntx < TE_MAX_TX; i++) {
		memcpy(te->tx[te->ntx], frames[i], lens[i]);
		te->txlen[te->ntx++] = lens[i];
	}
	return i;
}

static void te_wire_close(void *opaque)
{
	((struct tenv *)opaque)->closed = true;
}

static inline int te_setup(void **state)
{
	struct tenv *te = calloc(1, sizeof(*te));
	struct tulip_wire w = {
		.tx_burst = te_wire_tx, .close = te_wire_close, .opaque = te,
	};

	if (!te || env_setup((void **)&te->e))
		return -1;
	te->ram = calloc(1, TE_RAM_SIZE);
	if (!te->ram)
		return -1;
	guest_mem_layout(&te->e->vmm.mem, te->ram, TE_RAM_SIZE);
	te->vd = &te->e->vd[0];
	te->vd->ops = &tulip_ops;
	te->vd->priv = NULL;
	if (tulip_ops.init(te->vd, "mac=02:69:11:22:33:44"))
		return -1;
	te->t = te->vd->priv;
	te->pd = te->vd->pci;
	te->io = (uint16_t)pci_bar_addr(te->pd, TULIP_BAR_IO);
	te->mmio = pci_bar_addr(te->pd, TULIP_BAR_MEM);
	tulip_set_wire(te->vd, &w);
	tulip_set_link(te->vd, true);
	*state = te;
	return 0;
}

static inline int te_teardown(void **state)
{
	struct tenv *te = *state;

	tulip_ops.fini(te->vd);
	te->vd->priv = NULL;
	env_teardown((void **)&te->e);
	free(te->ram);
	free(te);
	return 0;
}

/* CSR n through the memory BAR (or the I/O BAR with te_in/te_out). */
static inline uint32_t csr_r(struct tenv *te, unsigned n)
{
	return (uint32_t)env_mmio_read(te->e, te->mmio + TULIP_CSR(n), 4,
				       NULL);
}

static inline void csr_w(struct tenv *te, unsigned n, uint32_t v)
{
	env_mmio_write(te->e, te->mmio + TULIP_CSR(n), 4, v);
}

static inline uint32_t te_in(struct tenv *te, unsigned n)
{
	return env_in(te->e, (uint16_t)(te->io + TULIP_CSR(n)), 4);
}

static inline void te_out(struct tenv *te, unsigned n, uint32_t v)
{
	env_out(te->e, (uint16_t)(te->io + TULIP_CSR(n)), 4, v);
}

static inline void put32(struct tenv *te, uint32_t gpa, uint32_t v)
{
	memcpy(te->ram + gpa, &v, 4);
}

static inline uint32_t get32(struct tenv *te, uint32_t gpa)
{
	uint32_t v;

	memcpy(&v, te->ram + gpa, 4);
	return v;
}

static inline void desc_put(struct tenv *te, uint32_t gpa, uint32_t des0,
			    uint32_t des1, uint32_t b1, uint32_t b2)
{
	put32(te, gpa, des0);
	put32(te, gpa + 4, des1);
	put32(te, gpa + 8, b1);
	put32(te, gpa + 12, b2);
}

static inline unsigned csr5_ts(uint32_t csr5)
{
	return (csr5 >> CSR5_TS_SHIFT) & CSR5_STATE_MASK;
}

static inline unsigned csr5_rs(uint32_t csr5)
{
	return (csr5 >> CSR5_RS_SHIFT) & CSR5_STATE_MASK;
}

/* The level of this function's INTA# pin. */
static inline bool te_intx(struct tenv *te)
{
	return fake_kvm.line[16 + pci_dev_slot(te->pd) % 4];
}

/* A frame to @dst from a fixed source, @len bytes, payload = @fill. */
static inline void te_frame(uint8_t *f, const uint8_t dst[6], unsigned len,
			    uint8_t fill)
{
	static const uint8_t src[6] = { 0x02, 0x42, 0, 0, 0, 1 };

	memset(f, fill, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x00;
}

#endif
