// SPDX-License-Identifier: MIT
/*
 * The 21140A receive address filter (manual 4.2.3, "Setup frame"; CSR6
 * filtering bits 3.2.2.7). A setup frame is a 192-byte transmit buffer
 * with TDES1 SET; its filtering type (TDES1 FT1:FT0) picks one of:
 *
 *   perfect    16 addresses; a frame passes if its destination is one
 *   hash       a 512-bit table indexed by CRC of the destination for
 *              multicast, plus one perfect address for unicast
 *   inverse    16 addresses that are refused; everything else passes
 *   hash only  the 512-bit table for every destination
 *
 * Each longword of the setup buffer carries 16 bits in its low half (the
 * high half is ignored), so an address takes three longwords, low byte
 * first. The hash index is the low 9 bits of the little-endian CRC-32 of
 * the 6-byte address, without the final inversion: exactly Linux's
 * ether_crc_le(6, addr) & 0x1ff (tulip/tulip_core.c build_setup_frame_hash),
 * and bit n of the table is bit n % 16 of longword n / 16.
 *
 * CSR6 PR passes everything, PM every multicast; RA passes everything and
 * marks what failed (RDES0 FF), which tulip_dma.c does.
 */
#include <pthread.h>
#include <string.h>

#include "emu-devices/tulip_priv.h"

#define CRC32_LE_POLY	0xedb88320u

/*
 * Eight 256-entry tables: slicing-by-8, eight bytes per step. Every
 * received frame gets its FCS computed here (tulip_dma.c), on the VMM's
 * event loop: bit by bit that was ~1 us for a 64-byte frame and ~20 us
 * for a 1518-byte one, a fifth of the receiving VMM's CPU at 150 kpps
 * (perf); the tables make it tens of nanoseconds.
 */
static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_tab_build(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint32_t c = i;

		for (unsigned b = 0; b < 8; b++)
			c = (c >> 1) ^ ((c & 1) ? CRC32_LE_POLY : 0);
		crc_tab[0][i] = c;
	}
	for (unsigned i = 0; i < 256; i++)
		for (unsigned k = 1; k < 8; k++)
			crc_tab[k][i] = (crc_tab[k - 1][i] >> 8) ^
					crc_tab[0][crc_tab[k - 1][i] & 0xff];
}

uint32_t tulip_crc32_le(const uint8_t *p, unsigned len)
{
	uint32_t crc = 0xffffffffu;

	pthread_once(&crc_once, crc_tab_build);
	while (len >= 8) {
		/* Bytes in wire order, whatever the host's byte order. */
		uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				     (uint32_t)p[2] << 16 |
				     (uint32_t)p[3] << 24);

		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^
		      crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^
		      crc_tab[3][p[4]] ^ crc_tab[2][p[5]] ^
		      crc_tab[1][p[6]] ^ crc_tab[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
	return crc;
}

unsigned tulip_hash_index(const uint8_t addr[6])
{
	return tulip_crc32_le(addr, 6) & (TULIP_SETUP_HASH_BITS - 1);
}

void tulip_filter_reset(struct tulip_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->type = TULIP_FT_PERFECT;
}

/* The 16 useful bits of setup longword @lw (little-endian buffer). */
static uint16_t setup_lw(const uint8_t *setup, unsigned lw)
{
	return (uint16_t)(setup[4 * lw] | setup[4 * lw + 1] << 8);
}

static void setup_addr(const uint8_t *setup, unsigned lw, uint8_t out[6])
{
	for (unsigned i = 0; i < 3; i++) {
		uint16_t v = setup_lw(setup, lw + i);

		out[2 * i] = (uint8_t)v;
		out[2 * i + 1] = (uint8_t)(v >> 8);
	}
}

void tulip_filter_load(struct tulip_filter *f, const uint8_t *setup,
		       unsigned ft)
{
	f->type = ft & 3;
	switch (f->type) {
	case TULIP_FT_PERFECT:
	case TULIP_FT_INVERSE:
		for (unsigned i = 0; i < TULIP_SETUP_ENTRIES; i++)
			setup_addr(setup, 3 * i, f->perfect[i]);
		memset(f->hash, 0, sizeof(f->hash));
		break;
	case TULIP_FT_HASH:
	case TULIP_FT_HASH_ONLY:
		for (unsigned lw = 0; lw < TULIP_SETUP_HASH_BITS / 16; lw++) {
			uint16_t v = setup_lw(setup, lw);

			f->hash[2 * lw] = (uint8_t)v;
			f->hash[2 * lw + 1] = (uint8_t)(v >> 8);
		}
		memset(f->perfect, 0, sizeof(f->perfect));
		/* The hash mode's one perfect (physical) address. */
		if (f->type == TULIP_FT_HASH)
			setup_addr(setup, TULIP_SETUP_HASH_PERFECT_LW,
				   f->perfect[0]);
		break;
	}
}

uint32_t tulip_filter_csr6_bits(const struct tulip_filter *f)
{
	switch (f->type) {
	case TULIP_FT_HASH:
		return CSR6_HP;
	case TULIP_FT_INVERSE:
		return CSR6_IF;
	case TULIP_FT_HASH_ONLY:
		return CSR6_HP | CSR6_HO;
	default:
		return 0;
	}
}

static bool filter_perfect_hit(const struct tulip_filter *f,
			       const uint8_t da[6])
{
	for (unsigned i = 0; i < TULIP_SETUP_ENTRIES; i++)
		if (!memcmp(f->perfect[i], da, 6))
			return true;
	return false;
}

static bool filter_hash_hit(const struct tulip_filter *f, const uint8_t da[6])
{
	unsigned idx = tulip_hash_index(da);

	return f->hash[idx / 8] & (1u << (idx % 8));
}

bool tulip_filter_accept(const struct tulip_filter *f, uint32_t csr6,
			 const uint8_t da[6])
{
	bool multicast = da[0] & 1;

	if (csr6 & CSR6_PR)
		return true;
	if (multicast && (csr6 & CSR6_PM))
		return true;
	switch (f->type) {
	case TULIP_FT_PERFECT:
		return filter_perfect_hit(f, da);
	case TULIP_FT_INVERSE:
		return !filter_perfect_hit(f, da);
	case TULIP_FT_HASH:
		/* Multicast by the hash, physical by the one address. */
		return multicast ? filter_hash_hit(f, da)
				 : !memcmp(f->perfect[0], da, 6);
	default:
		return filter_hash_hit(f, da);
	}
}
