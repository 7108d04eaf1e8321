// SPDX-License-Identifier: MIT
/*
 * MII management (IEEE 802.3 clause 22) bit-banged on CSR9 (21140A manual
 * 3.2.2.10): MDC clock, MDO data out, MII=1 turns MDIO around to read, MDI
 * data in. Same sequence as Linux's tulip_mdio_read (tulip/media.c):
 * 32 ones of preamble, 16 command bits ("11" tail of the preamble, start
 * "01", read "10", PHY, register), then 19 cycles reading turnaround,
 * 16 data bits and idle, sampling MDI before each rising MDC.
 * About 150 CSR accesses per read: never on the data path.
 */
#include "drivers/tulip_priv.h"

uint16_t tulip_mii_read(struct tulip *t, int phy, int reg)
{
	uint32_t cmd = 0xf6u << 10 | (uint32_t)(phy & 0x1f) << 5 |
		       (uint32_t)(reg & 0x1f), v = 0;
	int i;

	for (i = 0; i < 32; i++) {
		tulip_csr_write(t, 9, CSR9_MDO);
		tulip_csr_write(t, 9, CSR9_MDO | CSR9_MDC);
	}
	for (i = 15; i >= 0; i--) {
		uint32_t d = (cmd >> i) & 1 ? CSR9_MDO : 0;

		tulip_csr_write(t, 9, d);
		tulip_csr_write(t, 9, d | CSR9_MDC);
	}
	for (i = 19; i > 0; i--) {
		tulip_csr_write(t, 9, CSR9_MII);
		v = v << 1 | !!(tulip_csr_read(t, 9) & CSR9_MDI);
		tulip_csr_write(t, 9, CSR9_MII | CSR9_MDC);
	}
	return (uint16_t)(v >> 1);
}

int tulip_mii_find(struct tulip *t, int phy)
{
	int i;

	if (phy >= 0) {
		uint16_t s = tulip_mii_read(t, phy, MII_BMSR);

		return s != 0 && s != 0xffff ? phy : -1;
	}
	/* Linux scans 1..31 and then 0 (address 0 may be a broadcast). */
	for (i = 1; i <= 32; i++) {
		int p = i & 31;
		uint16_t s = tulip_mii_read(t, p, MII_BMSR);

		if (s != 0 && s != 0xffff)
			return p;
	}
	return -1;
}

bool tulip_mii_link(struct tulip *t)
{
	if (t->phy < 0)
		return false;
	/* BMSR link status latches low until read (802.3 22.2.4.2.13):
	 * the second read is the current state. */
	tulip_mii_read(t, t->phy, MII_BMSR);
	return tulip_mii_read(t, t->phy, MII_BMSR) & MII_BMSR_LSTATUS;
}
