// SPDX-License-Identifier: MIT
/*
 * The serial ROM behind CSR9 (21140A manual 3.2.2.10, "Serial ROM"): a
 * 93C46-type Microwire EEPROM of 16-bit words, driven by bit-banging CSR9
 * the way the Linux tulip driver (eeprom.c, tulip_read_eeprom) does it:
 * chip select high, start bit and READ opcode ("110") and the address
 * shifted in MSB first on rising SK, then 16 data bits read while SK is
 * high, MSB first.
 *
 * Linux follows every CSR9 write with a CSR9 read as a delay. Here each
 * access is a VM exit of tens of microseconds, far longer than the
 * EEPROM's timing needs (SK period >= 1 us), so the delays are dropped.
 */
#include <stddef.h>

#include "drivers/tulip_priv.h"
#include "rt/errno.h"
#include "rt/string.h"

#define SROM_ENB	(CSR9_SR | CSR9_RD)

/*
 * One word at location. collect: also sample SDO during the command (for
 * the address-size probe, as Linux does). Returns the bits sampled, data
 * in the low 16.
 */
static uint32_t tulip_srom_read(struct tulip *t, unsigned int location,
				unsigned int addr_bits, bool collect)
{
	uint32_t cmd = location | SROM_READ_OPCODE << addr_bits, v = 0;
	int i;

	for (i = (int)addr_bits + 2; i >= 0; i--) {
		uint32_t di = (cmd >> i) & 1 ? CSR9_SR_DI : 0;

		/* data set up with SK low, latched on the rising edge; the
		 * first of these writes is also the CS rising edge */
		tulip_csr_write(t, 9, SROM_ENB | CSR9_SR_CS | di);
		tulip_csr_write(t, 9, SROM_ENB | CSR9_SR_CS | di | CSR9_SR_SK);
		if (collect)
			v = v << 1 |
			    !!(tulip_csr_read(t, 9) & CSR9_SR_DO);
	}
	tulip_csr_write(t, 9, SROM_ENB | CSR9_SR_CS);
	for (i = 16; i > 0; i--) {
		tulip_csr_write(t, 9, SROM_ENB | CSR9_SR_CS | CSR9_SR_SK);
		v = v << 1 | !!(tulip_csr_read(t, 9) & CSR9_SR_DO);
		tulip_csr_write(t, 9, SROM_ENB | CSR9_SR_CS);
	}
	/* chip select low ends the operation */
	tulip_csr_write(t, 9, SROM_ENB);
	return v;
}

uint32_t tulip_srom_crc32(const uint8_t *p, unsigned int len)
{
	uint32_t crc = 0xffffffffu;
	unsigned int i, b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc >> 1 ^ (crc & 1 ? 0xedb88320u : 0);
	}
	return ~crc;
}

int tulip_srom_load(struct tulip *t)
{
	uint8_t bytes[SROM_WORDS_MAX * 2];
	unsigned int i, sa = 0, nbytes;
	uint16_t stored;
	bool all_ones = true;

	tulip_csr_write(t, 9, SROM_ENB);
	/*
	 * Address width: a 93C46 (6 address bits) answers the dummy 0 after
	 * six address bits; reading location 0xff with eight then shows that
	 * 0 where a larger part still takes address bits (Linux:
	 * tulip_read_eeprom(dev, 0xff, 8) & 0x40000).
	 */
	t->srom_addr_bits = tulip_srom_read(t, 0xff, 8, true) & 0x40000 ? 8 : 6;
	t->srom_words = (uint16_t)(1u << t->srom_addr_bits);
	for (i = 0; i < t->srom_words; i++) {
		uint16_t w = (uint16_t)tulip_srom_read(t, i, t->srom_addr_bits,
						       false);

		t->srom[i] = w;
		bytes[2 * i] = (uint8_t)w;
		bytes[2 * i + 1] = (uint8_t)(w >> 8);
		if (w != 0xffff)
			all_ones = false;
	}
	if (all_ones)
		return -EIO;
	/*
	 * The 21x4 SROM format puts the IEEE address at byte 20; early
	 * boards put it at 0 and repeat the first 8 bytes at 16, which is
	 * how Linux tells them apart (tulip_core.c).
	 */
	if (memcmp(bytes, bytes + 16, 8))
		sa = SROM_MAC_OFF;
	t->srom_old_format = sa == 0;
	memcpy(t->srom_mac, bytes + sa, 6);
	/* CRC-32 of bytes 0..125, low 16 bits stored little-endian at 126
	 * (SROM format v3.03/4.09; QEMU's model writes the same). */
	nbytes = SROM_BYTES;
	stored = (uint16_t)(bytes[SROM_CRC_OFF] |
			    bytes[SROM_CRC_OFF + 1] << 8);
	t->srom_crc_ok = (uint16_t)tulip_srom_crc32(bytes, nbytes - 2) ==
			 stored;
	return 0;
}
