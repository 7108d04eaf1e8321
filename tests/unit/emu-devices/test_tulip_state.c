// SPDX-License-Identifier: MIT
/*
 * The 21140A's migration state (tulip_state.c): a NIC in the middle of
 * things (a transmit frame half gathered, a received frame in its ring,
 * a perfect filter loaded, MSI on, the SROM being read) saved and loaded
 * into a fresh NIC over a copy of guest RAM: the state read back is what
 * was saved, and the NIC carries on (the frame completes, the next
 * receive lands in the next descriptor, the filter still filters, the
 * SROM read goes on). Damaged or foreign state is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "core/vdev_state.h"
#include "tests/unit/emu-devices/tulip_test_env.h"

#define RXR	0x1000u
#define TXR	0x2000u
#define BUF	0x10000u
#define RXBUF	0x20000u
#define OWN	TULIP_DES0_OWN

static const uint8_t ours[6] = { 0x02, 0x69, 0x11, 0x22, 0x33, 0x44 };
static const uint8_t other[6] = { 0x02, 0x42, 0x00, 0x00, 0x00, 0x09 };

struct blob {
	uint8_t *buf;
	size_t len;
};

static struct blob save(struct tenv *te)
{
	struct vdev_state_writer w;

	vdev_state_writer_init(&w);
	assert_int_equal(vdev_state_save(te->vd, &w), 0);
	return (struct blob){ w.buf, w.len };
}

static int load(struct tenv *te, const uint8_t *buf, size_t len, char *why)
{
	struct vdev_state_reader r;
	int ret;

	vdev_state_reader_init(&r, buf, len);
	pci_host_quiesce(te->e->vmm.pci);
	ret = vdev_state_load(te->vd, &r);
	if (why)
		snprintf(why, 160, "%s", r.why);
	return ret;
}

static struct tenv *fresh(void)
{
	struct tenv *te = NULL;

	assert_int_equal(te_setup((void **)&te), 0);
	return te;
}

/* A setup frame with our MAC and broadcast in perfect filtering. */
static void load_filter(struct tenv *te)
{
	uint8_t setup[TULIP_SETUP_LEN];
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(setup, 0, sizeof(setup));
	for (unsigned e = 0; e < TULIP_SETUP_ENTRIES; e++) {
		const uint8_t *a = e == 0 ? ours : bc;

		for (unsigned i = 0; i < 3; i++) {
			setup[12 * e + 4 * i] = a[2 * i];
			setup[12 * e + 4 * i + 1] = a[2 * i + 1];
		}
	}
	tulip_filter_load(&te->t->filter, setup, TULIP_FT_PERFECT);
}

/* The source: MSI on, rings running, a frame in, a frame half out. */
static void busy_nic(struct tenv *te)
{
	uint8_t f[64];
	unsigned msi = 0;

	for (unsigned c = pci_cfg_read(te->pd, PCI_CAPABILITY_LIST, 1); c;
	     c = pci_cfg_read(te->pd, c + 1, 1))
		if (pci_cfg_read(te->pd, c, 1) == PCI_CAP_ID_MSI)
			msi = c;
	assert_int_not_equal(msi, 0);
	pci_cfg_write(te->pd, msi + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	pci_cfg_write(te->pd, msi + PCI_MSI_DATA_64, 2, 0x51);
	pci_cfg_write(te->pd, msi + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	pci_cfg_write(te->pd, PCI_COMMAND, 2, PCI_COMMAND_IO |
		      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

	desc_put(te, RXR, OWN, 1536, RXBUF, 0);
	desc_put(te, RXR + 16, OWN, RDES1_RER | 1536, RXBUF + 0x800, 0);
	/* 40 bytes of a frame, the rest not handed over yet. */
	for (unsigned i = 0; i < 60; i++)
		te->ram[BUF + i] = (uint8_t)(i + 1);
	desc_put(te, TXR, OWN, TDES1_FS | 40, BUF, 0);
	desc_put(te, TXR + 16, 0, TDES1_TER | TDES1_LS | TDES1_IC | 20,
		 BUF + 40, 0);
	csr_w(te, 7, CSR5_NIS | CSR5_TI | CSR5_RI);
	csr_w(te, 3, RXR);
	csr_w(te, 4, TXR);
	csr_w(te, 6, CSR6_MBO | CSR6_SR | CSR6_ST);
	load_filter(te);
	te_frame(f, ours, sizeof(f), 0x11);
	assert_int_equal(tulip_rx(te->vd, f, sizeof(f)), 0);
	/* The transmitter waits for the rest of the frame. */
	assert_true(te->t->tx_in_frame);
	assert_int_equal(csr5_ts(csr_r(te, 5)), TS_SUSPENDED);
	/* The SROM half way through a read command. */
	csr_w(te, 9, CSR9_SR | CSR9_RD | CSR9_SR_CS);
	csr_w(te, 9, CSR9_SR | CSR9_RD | CSR9_SR_CS | CSR9_SR_DI);
	csr_w(te, 9, CSR9_SR | CSR9_RD | CSR9_SR_CS | CSR9_SR_DI |
	      CSR9_SR_SK);
}

static void test_roundtrip_carries_on(void **state)
{
	struct tenv *a = fresh(), *b;
	struct blob s1, s2;
	uint8_t f[64];
	uint8_t *ram = malloc(TE_RAM_SIZE);

	busy_nic(a);
	s1 = save(a);
	memcpy(ram, a->ram, TE_RAM_SIZE);
	te_teardown((void **)&a);

	b = fresh();
	memcpy(b->ram, ram, TE_RAM_SIZE);
	assert_int_equal(load(b, s1.buf, s1.len, NULL), 0);
	s2 = save(b);
	assert_int_equal(s1.len, s2.len);
	assert_memory_equal(s1.buf, s2.buf, s1.len);
	assert_int_equal(b->t->srom.phase, SROM_CMD);

	/* The frame completes on the new NIC's wire, whole. */
	put32(b, TXR + 16, OWN);
	csr_w(b, 1, 0);
	assert_int_equal(b->ntx, 1);
	assert_int_equal(b->txlen[0], 60);
	for (unsigned i = 0; i < 60; i++)
		assert_int_equal(b->tx[0][i], i + 1);
	assert_int_equal(get32(b, TXR), 0);
	assert_int_equal(get32(b, TXR + 16), 0);
	assert_true(csr_r(b, 5) & CSR5_TI);

	/* The next frame goes to the second receive descriptor; the
	 * filter still drops what is not ours. */
	te_frame(f, other, sizeof(f), 0x22);
	assert_int_equal(tulip_rx(b->vd, f, sizeof(f)), -ENOENT);
	te_frame(f, ours, sizeof(f), 0x33);
	assert_int_equal(tulip_rx(b->vd, f, sizeof(f)), 0);
	assert_int_equal(b->ram[RXBUF + 0x800 + 20], 0x33);
	assert_int_equal(b->ram[RXBUF + 20], 0x11);
	assert_false(get32(b, RXR + 16) & OWN);
	/* MSI came back with the PCI state. */
	assert_true(fake_kvm_route_count() >= 1);

	free(s1.buf);
	free(s2.buf);
	free(ram);
	te_teardown((void **)&b);
}

/* Find field @key in a blob: the offset of its value. */
static size_t field(const struct blob *s, const char *key)
{
	size_t pos = 0, klen = strlen(key);

	while (pos < s->len) {
		uint32_t len;
		size_t k = s->buf[pos];

		memcpy(&len, s->buf + pos + 1 + k, 4);
		if (k == klen && !memcmp(s->buf + pos + 1, key, k))
			return pos + 1 + k + 4;
		pos += 1 + k + 4 + len;
	}
	fail_msg("no field %s", key);
	return 0;
}

static void test_refuses_bad_state(void **state)
{
	struct tenv *a = fresh(), *b = fresh();
	struct blob s = save(a);
	uint8_t *copy = malloc(s.len);
	char why[160];

	/* Truncated anywhere. */
	for (size_t cut = 0; cut < s.len; cut += 13)
		assert_int_equal(load(b, s.buf, cut, why), -EPROTO);
	/* Another NIC's MAC. */
	memcpy(copy, s.buf, s.len);
	copy[field(&s, "mac") + 5] ^= 1;
	assert_int_equal(load(b, copy, s.len, why), -EPROTO);
	assert_non_null(strstr(why, "MAC"));
	/* A process state the chip does not have. */
	memcpy(copy, s.buf, s.len);
	copy[field(&s, "rs")] = 9;
	assert_int_equal(load(b, copy, s.len, why), -EPROTO);
	assert_non_null(strstr(why, "out of range"));
	/* An SROM bit count that would shift past the word. */
	memcpy(copy, s.buf, s.len);
	copy[field(&s, "srom.out_bits")] = 40;
	assert_int_equal(load(b, copy, s.len, why), -EPROTO);
	/* Bytes after the last field. */
	memcpy(copy, s.buf, s.len);
	assert_int_equal(load(b, copy, s.len - 1, why), -EPROTO);
	/* The untouched blob still loads. */
	assert_int_equal(load(b, s.buf, s.len, why), 0);
	free(copy);
	free(s.buf);
	te_teardown((void **)&a);
	te_teardown((void **)&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_carries_on),
		cmocka_unit_test(test_refuses_bad_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
