// SPDX-License-Identifier: MIT
/*
 * The 21140A address filter, loaded the way Linux's tulip driver loads it
 * (tulip_core.c build_setup_frame_perfect / _hash, rebuilt here): frames
 * accepted and refused in perfect, hash, inverse and hash-only modes,
 * promiscuous, pass-all-multicast and receive-all.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/unit/emu-devices/tulip_test_env.h"

#define RXR	0x1000u
#define TXR	0x2000u
#define SETUP	0x8000u
#define BUF	0x10000u
#define OWN	TULIP_DES0_OWN

static const uint8_t our_mac[6] = TE_MAC;
static const uint8_t other_mac[6] = { 0x02, 0x69, 0x99, 0x99, 0x99, 0x99 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mcast1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

/* Linux's ether_crc_le(), written out bit by bit as it is there. */
static uint32_t ref_ether_crc_le(const uint8_t *p, int len)
{
	uint32_t crc = 0xffffffffu;

	while (--len >= 0) {
		uint8_t octet = *p++;

		for (int bit = 8; --bit >= 0; octet >>= 1) {
			if ((crc ^ octet) & 1)
				crc = (crc >> 1) ^ 0xedb88320u;
			else
				crc >>= 1;
		}
	}
	return crc;
}

/* Setup frame longword @lw: the 16 bits twice, as Linux writes them. */
static void setup_put(uint8_t *frm, unsigned lw, uint16_t v)
{
	uint32_t w = (uint32_t)v << 16 | v;

	memcpy(frm + 4 * lw, &w, 4);
}

static void setup_addr(uint8_t *frm, unsigned lw, const uint8_t a[6])
{
	for (unsigned i = 0; i < 3; i++)
		setup_put(frm, lw + i, (uint16_t)(a[2 * i] | a[2 * i + 1] << 8));
}

static void send_setup(struct tenv *te, const uint8_t *frm, uint32_t ft_bits,
		       uint32_t csr6)
{
	memcpy(te->ram + SETUP, frm, TULIP_SETUP_LEN);
	desc_put(te, TXR, OWN, TDES1_SET | ft_bits | TULIP_SETUP_LEN, SETUP,
		 0);
	desc_put(te, TXR + 16, 0, TDES1_TER, 0, 0);
	for (unsigned i = 0; i < 8; i++)
		desc_put(te, RXR + 16 * i, OWN,
			 (i == 7 ? RDES1_RER : 0) | 1536, BUF + 0x800 * i, 0);
	csr_w(te, 3, RXR);
	csr_w(te, 4, TXR);
	csr_w(te, 6, CSR6_MBO | CSR6_SR | CSR6_ST | csr6);
	assert_int_equal(get32(te, TXR), TDES0_SETUP_DONE);
}

static int rx_to(struct tenv *te, const uint8_t dst[6])
{
	uint8_t f[64];
	int ret;

	/* Recycle what the chip handed back; its status stays readable. */
	for (unsigned i = 0; i < 8; i++)
		if (!(get32(te, RXR + 16 * i) & OWN) &&
		    RXR + 16 * i != te->t->rx_cur - 16 &&
		    !(i == 7 && te->t->rx_cur == RXR))
			put32(te, RXR + 16 * i, OWN);
	te_frame(f, dst, sizeof(f), 0x77);
	ret = tulip_rx(te->vd, f, sizeof(f));
	return ret;
}

/* Linux with <= 14 addresses: perfect, unused entries broadcast. */
static void test_perfect(void **state)
{
	struct tenv *te = *state;
	uint8_t frm[TULIP_SETUP_LEN];

	memset(frm, 0xff, sizeof(frm));
	setup_addr(frm, 0, mcast1);
	setup_addr(frm, 15 * 3, our_mac);
	send_setup(te, frm, 0, 0);
	assert_int_equal(csr_r(te, 6) & CSR6_FILTER_RO, 0);
	assert_int_equal(rx_to(te, our_mac), 0);
	assert_int_equal(rx_to(te, bcast), 0);
	assert_int_equal(rx_to(te, mcast1), 0);
	assert_int_equal(rx_to(te, other_mac), -ENOENT);
	{
		uint8_t m2[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x02 };

		assert_int_equal(rx_to(te, m2), -ENOENT);
		/* Pass all multicast, then promiscuous. */
		csr_w(te, 6, CSR6_MBO | CSR6_SR | CSR6_ST | CSR6_PM);
		assert_int_equal(rx_to(te, m2), 0);
		assert_int_equal(rx_to(te, other_mac), -ENOENT);
		csr_w(te, 6, CSR6_MBO | CSR6_SR | CSR6_ST | CSR6_PR);
		assert_int_equal(rx_to(te, other_mac), 0);
	}
}

/* Linux with more than 14 multicast addresses: the 512-bit hash. */
static void test_hash(void **state)
{
	struct tenv *te = *state;
	uint16_t table[32] = { 0 };
	uint8_t frm[TULIP_SETUP_LEN] = { 0 }, m[6] = { 0x01, 0x00, 0x5e, 0 };
	uint8_t miss[6];
	unsigned idx;
	bool found = false;

	/* Broadcast hashes to 255 (Linux: set_bit_le(255, hash_table)). */
	assert_int_equal(ref_ether_crc_le(bcast, 6) & 0x1ff, 255);
	assert_int_equal(tulip_hash_index(bcast), 255);
	table[255 >> 4] |= 1u << (255 & 15);
	for (unsigned i = 0; i < 20; i++) {
		m[5] = (uint8_t)(i + 1);
		assert_int_equal(tulip_hash_index(m),
				 ref_ether_crc_le(m, 6) & 0x1ff);
		idx = ref_ether_crc_le(m, 6) & 0x1ff;
		table[idx >> 4] |= (uint16_t)(1u << (idx & 15));
	}
	for (unsigned i = 0; i < 32; i++)
		setup_put(frm, i, table[i]);
	setup_addr(frm, 39, our_mac);
	send_setup(te, frm, TDES1_FT0, 0);
	assert_int_equal(csr_r(te, 6) & CSR6_FILTER_RO, CSR6_HP);
	m[5] = 7;
	assert_int_equal(rx_to(te, m), 0);
	assert_int_equal(rx_to(te, bcast), 0);
	assert_int_equal(rx_to(te, our_mac), 0);
	assert_int_equal(rx_to(te, other_mac), -ENOENT);
	/* A multicast address whose bit is clear is refused. */
	memcpy(miss, m, 6);
	for (unsigned i = 100; i < 200 && !found; i++) {
		miss[5] = (uint8_t)i;
		idx = ref_ether_crc_le(miss, 6) & 0x1ff;
		found = !(table[idx >> 4] & (1u << (idx & 15)));
	}
	assert_true(found);
	assert_int_equal(rx_to(te, miss), -ENOENT);
}

static void test_inverse_and_hash_only(void **state)
{
	struct tenv *te = *state;
	uint8_t frm[TULIP_SETUP_LEN] = { 0 };
	unsigned idx = tulip_hash_index(our_mac);

	/* Inverse: the listed addresses are the ones refused. */
	for (unsigned i = 0; i < 16; i++)
		setup_addr(frm, 3 * i, other_mac);
	send_setup(te, frm, TDES1_FT1, 0);
	assert_int_equal(csr_r(te, 6) & CSR6_FILTER_RO, CSR6_IF);
	assert_int_equal(rx_to(te, other_mac), -ENOENT);
	assert_int_equal(rx_to(te, our_mac), 0);

	/* Hash only: physical addresses go through the table too. */
	csr_w(te, 0, CSR0_SWR);
	memset(frm, 0, sizeof(frm));
	setup_put(frm, idx >> 4, (uint16_t)(1u << (idx & 15)));
	send_setup(te, frm, TDES1_FT1 | TDES1_FT0, 0);
	assert_int_equal(csr_r(te, 6) & CSR6_FILTER_RO, CSR6_HP | CSR6_HO);
	assert_int_equal(rx_to(te, our_mac), 0);
	if (tulip_hash_index(other_mac) != idx)
		assert_int_equal(rx_to(te, other_mac), -ENOENT);
}

static void test_receive_all_marks_filter_fail(void **state)
{
	struct tenv *te = *state;
	uint8_t frm[TULIP_SETUP_LEN];

	memset(frm, 0xff, sizeof(frm));
	setup_addr(frm, 0, our_mac);
	send_setup(te, frm, 0, CSR6_RA);
	assert_int_equal(rx_to(te, other_mac), 0);
	assert_true(get32(te, RXR) & RDES0_FF);
	assert_int_equal(rx_to(te, our_mac), 0);
	assert_false(get32(te, RXR + 16) & RDES0_FF);
}

/*
 * The FCS the receiver appends comes from the table-driven CRC: equal to
 * the bit-by-bit one at every length and alignment a frame can have, and
 * to the standard check value (CRC-32 of "123456789" is CBF43926h).
 */
static void test_crc_matches_bitwise(void **state)
{
	static uint8_t buf[1600 + 8];
	uint32_t x = 12345;

	(void)state;
	assert_int_equal(~tulip_crc32_le((const uint8_t *)"123456789", 9),
			 0xcbf43926u);
	for (unsigned i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (unsigned len = 0; len <= 1600; len += len < 70 ? 1 : 37)
		for (unsigned off = 0; off < 8; off++)
			assert_int_equal(tulip_crc32_le(buf + off, len),
					 ref_ether_crc_le(buf + off, (int)len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, te_setup, te_teardown)
		T(test_perfect),
		T(test_hash),
		T(test_inverse_and_hash_only),
		T(test_receive_all_marks_filter_fail),
#undef T
		cmocka_unit_test(test_crc_matches_bitwise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
