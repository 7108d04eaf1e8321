// SPDX-License-Identifier: MIT
/*
 * The board's serial ROM: a 93C46 Microwire EEPROM (64 x 16 bits, 6
 * address bits) on CSR9 (manual 3.2.2.10): SR selects it, then SCS, SCLK
 * and SDI are its CS, SK and DI pins and SDO reads its DO pin.
 *
 * Protocol as the 93C46 data sheet has it: with CS high, leading zeros are
 * ignored until a start bit 1; then two opcode bits and six address bits
 * are shifted in MSB first on rising SK. For READ (10) the part drives a
 * dummy 0 right after the last address bit, then one data bit per rising
 * SK, MSB first, and keeps going with the next word (sequential read)
 * while CS stays high. DO is high impedance otherwise, which the board
 * pulls up: it reads 1. That is what Linux's address-width probe relies
 * on (tulip_core.c: tulip_read_eeprom(dev, 0xff, 8) & 0x40000 is 0 on a
 * 93C46 because the dummy 0 comes after six address bits, not eight).
 * Write, erase and the 00-opcode commands are ignored: the ROM holds the
 * NIC's identity and is write-protected on this board.
 *
 * Contents, "21x4 Serial ROM Format" version 3, one controller:
 *
 *   0..3    subsystem vendor and ID (the same ones config space shows)
 *   16      ID block CRC (left 0: no driver we know checks it)
 *   18      format version 3        19  controller count 1
 *   20..25  IEEE address (the VM's MAC)
 *   26      device number 0         27..28  info leaf offset (30)
 *   30..    21140 info leaf: selected connection type 0x0800
 *           (autosense), GPR control (CSR12 pin directions), block
 *           count 1, one extended block type 1 (MII PHY): PHY number,
 *           empty GPR and reset sequences, media capabilities, NWay
 *           advertisement, FDX and TTM bit maps
 *   126..127 CRC-32 (IEEE) of bytes 0..125, low 16 bits, little-endian
 *
 * Linux reads it in tulip_core.c (MAC at 20 because bytes 0..7 differ
 * from 16..23) and eeprom.c tulip_parse_eeprom (info leaf via byte 27,
 * CSR12_IN_SROM for the 21140, extended block type 1 = MII, media 11).
 * The GPR and reset sequences are empty so that Linux's two readings of
 * their lengths (bytes for the 21140 in tulip_select_media, words in
 * tulip_parse_eeprom) agree.
 */
#include <string.h>

#include "emu-devices/tulip_priv.h"

#define SROM_FORMAT_VERSION	3
#define SROM_LEAF_START		30
/* GP pins 0..3 outputs (unused), 4..7 inputs; pin 7 senses link. */
#define SROM_GPR_CONTROL	0x0f
#define SROM_MII_CAPS		(MII_BMSR_100FULL | MII_BMSR_100HALF | \
				 MII_BMSR_10FULL | MII_BMSR_10HALF)
#define SROM_MII_ADVERTISE	0x01e0	/* 100FD 100HD 10FD 10HD */
#define SROM_MII_FDX_MAP	(MII_BMSR_100FULL | MII_BMSR_10FULL)
#define SROM_MII_TTM_MAP	(MII_BMSR_10FULL | MII_BMSR_10HALF)

static void put16(uint8_t *b, unsigned off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void srom_bytes(const struct tulip_srom *s, uint8_t *b)
{
	for (unsigned i = 0; i < SROM_WORDS; i++)
		put16(b, 2 * i, s->words[i]);
}

uint16_t tulip_srom_crc(const struct tulip_srom *s)
{
	uint8_t b[SROM_BYTES];

	srom_bytes(s, b);
	return (uint16_t)~tulip_crc32_le(b, SROM_CRC_OFF);
}

void tulip_srom_build(struct tulip_srom *s, const uint8_t mac[6],
		      uint16_t subsys_vendor, uint16_t subsys_id,
		      unsigned phy_num)
{
	uint8_t b[SROM_BYTES] = { 0 };
	unsigned p = SROM_LEAF_START;
	uint16_t crc;

	put16(b, SROM_SUBSYS_VENDOR_OFF, subsys_vendor);
	put16(b, SROM_SUBSYS_ID_OFF, subsys_id);
	b[SROM_VERSION_OFF] = SROM_FORMAT_VERSION;
	b[SROM_ADAPTERS_OFF] = 1;
	memcpy(b + SROM_MAC_OFF, mac, 6);
	b[SROM_DEVNUM_OFF] = 0;
	put16(b, SROM_LEAF_OFF, SROM_LEAF_START);

	/* 21140 info leaf */
	put16(b, p, SROM_CONN_AUTOSENSE);
	p += 2;
	b[p++] = SROM_GPR_CONTROL;
	b[p++] = 1;			/* media blocks */
	/* Extended block, type 1 (MII): length byte counts what follows. */
	b[p++] = SROM_BLOCK_EXTENDED | 12;
	b[p++] = SROM_BLOCK_MII;
	b[p++] = (uint8_t)phy_num;
	b[p++] = 0;			/* GPR sequence length */
	b[p++] = 0;			/* reset sequence length */
	put16(b, p, SROM_MII_CAPS);
	put16(b, p + 2, SROM_MII_ADVERTISE);
	put16(b, p + 4, SROM_MII_FDX_MAP);
	put16(b, p + 6, SROM_MII_TTM_MAP);

	for (unsigned i = 0; i < SROM_WORDS; i++)
		s->words[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
	crc = tulip_srom_crc(s);
	s->words[SROM_CRC_OFF / 2] = crc;
	s->phase = SROM_IDLE;
	s->cs = s->sk = false;
	s->dout = true;
}

static void srom_rising_edge(struct tulip_srom *s, bool di)
{
	switch (s->phase) {
	case SROM_IDLE:
		if (di) {
			s->phase = SROM_CMD;
			s->nbits = 0;
			s->cmd = 0;
		}
		break;
	case SROM_CMD:
		s->cmd = s->cmd << 1 | di;
		if (++s->nbits < 2 + SROM_ADDR_BITS)
			break;
		if ((s->cmd >> SROM_ADDR_BITS) == (SROM_READ_OPCODE & 3)) {
			s->addr = s->cmd & (SROM_WORDS - 1);
			s->shift = s->words[s->addr];
			s->out_bits = 0;
			s->phase = SROM_DATA;
			s->dout = false;	/* the dummy 0 */
		} else {
			s->phase = SROM_IGNORE;
		}
		break;
	case SROM_DATA:
		if (s->out_bits == 16) {
			/* Sequential read: on to the next word. */
			s->addr = (s->addr + 1) & (SROM_WORDS - 1);
			s->shift = s->words[s->addr];
			s->out_bits = 0;
		}
		s->dout = (s->shift >> (15 - s->out_bits)) & 1;
		s->out_bits++;
		break;
	case SROM_IGNORE:
		break;
	}
}

void tulip_srom_write(struct tulip_srom *s, bool selected, uint32_t csr9)
{
	bool cs = selected && (csr9 & CSR9_SR_CS);
	bool sk = csr9 & CSR9_SR_SK;
	bool di = csr9 & CSR9_SR_DI;

	if (!cs) {
		/* CS low ends any command; DO floats. */
		s->phase = SROM_IDLE;
		s->dout = true;
	} else if (!s->cs) {
		s->phase = SROM_IDLE;
		s->nbits = 0;
	} else if (sk && !s->sk) {
		srom_rising_edge(s, di);
	}
	s->cs = cs;
	s->sk = sk;
}

bool tulip_srom_dout(const struct tulip_srom *s)
{
	return s->dout;
}
