// SPDX-License-Identifier: MIT
/*
 * The serial ROM as drivers read it through CSR9: Linux's bit-bang
 * sequence (eeprom.c tulip_read_eeprom) including its address-width
 * probe, the MAC where tulip_core.c looks for it, the info leaf as
 * tulip_parse_eeprom and tulip_select_media take it apart (re-done here),
 * and the CRC in word 63 by the DEC SROM format's own bit-serial recipe.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "tests/unit/emu-devices/tulip_test_env.h"

/* Linux eeprom.h */
#define EE_SHIFT_CLK	0x02
#define EE_CS		0x01
#define EE_DATA_WRITE	0x04
#define EE_DATA_READ	0x08
#define EE_ENB		(0x4800 | EE_CS)
#define EE_READ_CMD	6

/* tulip_read_eeprom(), access for access (reads are its delays). */
static unsigned linux_read_eeprom(struct tenv *te, int location,
				  int addr_len)
{
	int read_cmd = location | (EE_READ_CMD << addr_len);
	unsigned retval = 0;

	if (location > (1 << addr_len) - 1)
		return 0;
	csr_w(te, 9, EE_ENB & ~EE_CS);
	csr_w(te, 9, EE_ENB);
	for (int i = 4 + addr_len; i >= 0; i--) {
		uint32_t dataval = (read_cmd & (1 << i)) ? EE_DATA_WRITE : 0;

		csr_w(te, 9, EE_ENB | dataval);
		csr_r(te, 9);
		csr_w(te, 9, EE_ENB | dataval | EE_SHIFT_CLK);
		csr_r(te, 9);
		retval = (retval << 1) | ((csr_r(te, 9) & EE_DATA_READ) ? 1 : 0);
	}
	csr_w(te, 9, EE_ENB);
	csr_r(te, 9);
	for (int i = 16; i > 0; i--) {
		csr_w(te, 9, EE_ENB | EE_SHIFT_CLK);
		csr_r(te, 9);
		retval = (retval << 1) | ((csr_r(te, 9) & EE_DATA_READ) ? 1 : 0);
		csr_w(te, 9, EE_ENB);
		csr_r(te, 9);
	}
	csr_w(te, 9, EE_ENB & ~EE_CS);
	return retval;
}

/* tulip_init_one's read: size probe, then every word it addresses. */
static int linux_read_all(struct tenv *te, uint8_t ee[128])
{
	int addr_size = linux_read_eeprom(te, 0xff, 8) & 0x40000 ? 8 : 6;
	int max = ((1 << addr_size) - 1) * 2;

	memset(ee, 0, 128);
	for (int i = 0; i < max && i < 128; i += 2) {
		uint16_t w = (uint16_t)linux_read_eeprom(te, i / 2, addr_size);

		ee[i] = (uint8_t)w;
		ee[i + 1] = (uint8_t)(w >> 8);
	}
	return addr_size;
}

/*
 * The "21x4 Serial ROM Format" CRC, bit-serial as the format describes
 * it: a CRC-32 register shifted MSB first with data bits fed LSB first,
 * the result bit-reversed and complemented; the low 16 bits are stored.
 */
static uint16_t dec_srom_crc(const uint8_t *p, unsigned len)
{
	uint32_t crc = 0xffffffffu, flipped = 0;

	for (unsigned i = 0; i < len; i++) {
		uint8_t byte = p[i];

		for (unsigned bit = 0; bit < 8; bit++, byte >>= 1) {
			uint32_t msb = crc >> 31;

			crc <<= 1;
			if (msb ^ (byte & 1))
				crc = (crc ^ 0x04c11db6u) | 1;
		}
	}
	for (unsigned i = 0; i < 32; i++) {
		flipped = flipped << 1 | (crc & 1);
		crc >>= 1;
	}
	return (uint16_t)~flipped;
}

static uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void test_linux_reads_mac(void **state)
{
	struct tenv *te = *state;
	static const uint8_t mac[6] = TE_MAC;
	uint8_t ee[128];
	int sa_offset = 0, sum = 0;

	/* The probe finds a 93C46: six address bits. */
	assert_int_equal(linux_read_all(te, ee), 6);
	for (int i = 0; i < 8; i++)
		if (ee[i] != ee[16 + i])
			sa_offset = 20;
	assert_int_equal(sa_offset, 20);
	assert_false(ee[0] == 0xff && ee[1] == 0xff && ee[2] == 0);
	assert_memory_equal(ee + sa_offset, mac, 6);
	for (int i = 0; i < 6; i++)
		sum += ee[sa_offset + i];
	assert_true(sum != 0 && sum != 6 * 0xff);
	/* Subsystem IDs match config space. */
	assert_int_equal(get_u16(ee + 0),
			 pci_cfg_read(te->pd, PCI_SUBSYSTEM_VENDOR_ID, 2));
	assert_int_equal(get_u16(ee + 2),
			 pci_cfg_read(te->pd, PCI_SUBSYSTEM_ID, 2));
	assert_int_equal(ee[18], 3);	/* format version */
	assert_int_equal(ee[19], 1);	/* one controller */
}

static void test_info_leaf_as_linux_parses_it(void **state)
{
	struct tenv *te = *state;
	uint8_t ee[128];
	const uint8_t *p, *leaf;
	uint16_t media;
	unsigned count, gpr_len, reset_len;

	linux_read_all(te, ee);
	/* tulip_parse_eeprom: a valid media table via byte 27. */
	assert_int_not_equal(ee[27], 0);
	p = ee + ee[27];
	media = get_u16(p);
	p += 2;
	assert_int_equal(media, 0x0800);	/* autosense */
	/* CSR12_IN_SROM (21140): the GP port direction comes next. */
	assert_int_equal(*p++, 0x0f);
	count = *p++;
	assert_int_equal(count, 1);
	/* Extended block, type 1: MII, media 11. */
	assert_true(p[0] & 0x80);
	assert_int_equal(p[1], 1);
	gpr_len = p[3] * 2u;
	reset_len = p[4 + gpr_len] * 2u;
	assert_int_equal(get_u16(&p[7 + gpr_len + reset_len]), 0x01e0);
	assert_int_equal((p[0] & 0x3f) + 1, 13);
	/* tulip_select_media, 21140 case: leafdata is the block + 2. */
	leaf = p + 2;
	assert_int_equal(leaf[0], 0);		/* PHY number */
	assert_int_equal(leaf[1], 0);		/* GPR sequence length */
	assert_int_equal(leaf[2 + leaf[1]], 0);	/* reset sequence length */
	assert_int_equal(get_u16(leaf + 3 + 2), 0x01e0);	/* advertise */
	assert_int_equal(get_u16(leaf + 3), 0x7800);	/* capabilities */
	/* Linux then writes the direction with bit 8 (CSR12 GPC). */
	csr_w(te, 12, 0x0f | CSR12_GPC);
	assert_int_equal(te->t->gp_dir, 0x0f);
}

static void test_crc(void **state)
{
	struct tenv *te = *state;
	uint8_t ee[128];
	uint16_t stored;

	/* Word 63 is beyond what Linux reads; read all 64 words here. */
	for (int i = 0; i < 64; i++) {
		uint16_t w = (uint16_t)linux_read_eeprom(te, i, 6);

		ee[2 * i] = (uint8_t)w;
		ee[2 * i + 1] = (uint8_t)(w >> 8);
	}
	stored = get_u16(ee + 126);
	assert_int_equal(stored, dec_srom_crc(ee, 126));
	/* The same as the low half of the IEEE CRC-32 (what drivers use). */
	assert_int_equal(stored, (uint16_t)~tulip_crc32_le(ee, 126));
	assert_int_equal(stored, tulip_srom_crc(&te->t->srom));
}

static void test_writes_ignored_and_sequential_read(void **state)
{
	struct tenv *te = *state;
	uint16_t w0 = te->t->srom.words[0], w1 = te->t->srom.words[1];
	uint32_t cmd = 0x140;	/* start 1, WRITE 01, address 0 (9 bits) */
	uint32_t v = 0;

	/* A WRITE of word 0 with data 0: the ROM is write-protected. */
	csr_w(te, 9, EE_ENB);
	for (int i = 8; i >= 0; i--) {
		uint32_t d = (cmd >> i) & 1 ? EE_DATA_WRITE : 0;

		csr_w(te, 9, EE_ENB | d);
		csr_w(te, 9, EE_ENB | d | EE_SHIFT_CLK);
	}
	for (int i = 0; i < 16; i++) {
		csr_w(te, 9, EE_ENB);
		csr_w(te, 9, EE_ENB | EE_SHIFT_CLK);
	}
	csr_w(te, 9, EE_ENB & ~EE_CS);
	assert_int_equal((uint16_t)linux_read_eeprom(te, 0, 6), w0);

	/* READ 0 and keep clocking: word 1 follows (sequential read). */
	cmd = 0x180;	/* start 1, READ 10, address 0 */
	csr_w(te, 9, EE_ENB);
	for (int i = 8; i >= 0; i--) {
		uint32_t d = (cmd >> i) & 1 ? EE_DATA_WRITE : 0;

		csr_w(te, 9, EE_ENB | d);
		csr_w(te, 9, EE_ENB | d | EE_SHIFT_CLK);
	}
	assert_false(csr_r(te, 9) & EE_DATA_READ);	/* the dummy 0 */
	for (int i = 0; i < 32; i++) {
		csr_w(te, 9, EE_ENB);
		csr_w(te, 9, EE_ENB | EE_SHIFT_CLK);
		v = v << 1 | !!(csr_r(te, 9) & EE_DATA_READ);
	}
	csr_w(te, 9, EE_ENB & ~EE_CS);
	assert_int_equal(v >> 16, w0);
	assert_int_equal(v & 0xffff, w1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, te_setup, te_teardown)
		T(test_linux_reads_mac),
		T(test_info_leaf_as_linux_parses_it),
		T(test_crc),
		T(test_writes_ignored_and_sequential_read),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
