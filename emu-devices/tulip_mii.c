// SPDX-License-Identifier: MIT
/*
 * The board's MII PHY, reached through the 21140A's MII management port
 * on CSR9 (manual 3.2.2.10: MDC clock, MDO data out, MII = 1 turns MDIO
 * around so the PHY can drive it, MDI reads the pin).
 *
 * Management frames per IEEE 802.3 clause 22.2.4.5, all bits sampled by
 * the PHY on the rising edge of MDC:
 *
 *   preamble  1...1     (any length, even none: we set BMSR MF)
 *   start     01
 *   op        10 read, 01 write
 *   PHY addr  5 bits, register 5 bits, MSB first
 *   turnaround: read: Z then the PHY drives 0; write: the station sends 10
 *   data      16 bits MSB first, from the PHY (read) or the station
 *
 * The PHY changes what it drives right after a rising edge, so a station
 * that samples MDI while MDC is low (Linux tulip_mdio_read in media.c:
 * write MII, read, write MII|MDC) reads Z(1), 0, D15..D0, Z(1) over its 19
 * read cycles. An undriven MDIO reads 1 (pull-up), so absent PHY
 * addresses read 0xffff.
 *
 * Registers are clause 22's basic set with the identity of a DP83840A-
 * class 10/100 PHY as 21140A boards carried it: BMCR, BMSR (link status
 * latched low, as 22.2.4.2.13 requires), PHYSID1/2, ANAR, ANLPAR, ANER.
 * Autonegotiation completes at once against a 10/100 full-duplex partner
 * whenever the link (the switch port) is up. Vendor registers read 0.
 */
#include "emu-devices/tulip_priv.h"

#define MII_PHYSID1_VAL		0x2000
#define MII_PHYSID2_VAL		0x5c01
#define MII_BMCR_RESET_VAL	(MII_BMCR_SPEED100 | MII_BMCR_ANENABLE | \
				 MII_BMCR_FULLDPLX)
#define MII_BMSR_MFPS		0x0040	/* preamble suppression accepted */
#define MII_BMSR_CAPS		(MII_BMSR_100FULL | MII_BMSR_100HALF | \
				 MII_BMSR_10FULL | MII_BMSR_10HALF | \
				 MII_BMSR_MFPS | MII_BMSR_ANEGCAPABLE | \
				 MII_BMSR_ERCAP)
#define MII_ANAR_RESET_VAL	0x01e1	/* 10/100 HD/FD, 802.3 selector */
#define MII_PARTNER_ABILITY	0x01e1
#define MII_ANER_LPANABLE	0x0001
#define MII_OP_READ		2
#define MII_OP_WRITE		1
#define MII_HDR_BITS		12	/* op 2 + phy 5 + reg 5 */

void tulip_mii_reset(struct tulip_mii *m)
{
	m->bmcr = MII_BMCR_RESET_VAL;
	m->anar = MII_ANAR_RESET_VAL;
}

void tulip_mii_init(struct tulip_mii *m, unsigned phy_addr, bool link)
{
	m->phy_addr = phy_addr & 31;
	m->mdc = false;
	m->mdi = true;
	m->phase = MII_IDLE;
	m->link = link;
	m->link_latched_low = false;
	tulip_mii_reset(m);
}

void tulip_mii_set_link(struct tulip_mii *m, bool up)
{
	if (m->link && !up)
		m->link_latched_low = true;
	m->link = up;
}

static bool mii_an_done(const struct tulip_mii *m)
{
	return m->link && (m->bmcr & MII_BMCR_ANENABLE);
}

uint16_t tulip_mii_reg_read(struct tulip_mii *m, unsigned reg)
{
	uint16_t v;

	switch (reg) {
	case MII_BMCR:
		return m->bmcr;
	case MII_BMSR:
		v = MII_BMSR_CAPS;
		if (m->link && !m->link_latched_low)
			v |= MII_BMSR_LSTATUS;
		if (mii_an_done(m))
			v |= MII_BMSR_ANEGCOMPLETE;
		/* Latched low: the read that saw the drop releases it. */
		m->link_latched_low = false;
		return v;
	case MII_PHYSID1:
		return MII_PHYSID1_VAL;
	case MII_PHYSID2:
		return MII_PHYSID2_VAL;
	case MII_ANAR:
		return m->anar;
	case MII_ANLPAR:
		return mii_an_done(m) ? MII_ANLPAR_ACK | MII_PARTNER_ABILITY
				      : 0;
	case MII_ANER:
		return mii_an_done(m) ? MII_ANER_LPANABLE : 0;
	default:
		return 0;
	}
}

void tulip_mii_reg_write(struct tulip_mii *m, unsigned reg, uint16_t val)
{
	switch (reg) {
	case MII_BMCR:
		if (val & MII_BMCR_RESET) {
			tulip_mii_reset(m);
			break;
		}
		/* Restart completes at once: the bit self-clears. */
		m->bmcr = val & (uint16_t)~(MII_BMCR_RESET |
					    MII_BMCR_ANRESTART);
		break;
	case MII_ANAR:
		m->anar = val;
		break;
	default:
		break;		/* read-only or not modelled */
	}
}

/* One bit sampled on a rising MDC edge; @line is the MDIO level. */
static void mii_clock_bit(struct tulip_mii *m, bool line)
{
	switch (m->phase) {
	case MII_IDLE:
		if (!line)
			m->phase = MII_START;
		break;
	case MII_START:
		if (line) {
			m->phase = MII_HDR;
			m->nbits = 0;
			m->hdr = 0;
		} else {
			m->phase = MII_IDLE;
		}
		break;
	case MII_HDR: {
		unsigned op, phy, reg;

		m->hdr = m->hdr << 1 | line;
		if (++m->nbits < MII_HDR_BITS)
			break;
		op = m->hdr >> 10;
		phy = (m->hdr >> 5) & 31;
		reg = m->hdr & 31;
		m->ours = phy == m->phy_addr &&
			  (op == MII_OP_READ || op == MII_OP_WRITE);
		m->reading = op == MII_OP_READ;
		m->data = m->ours && m->reading ? tulip_mii_reg_read(m, reg)
						: 0;
		m->hdr = reg;
		m->phase = MII_TA;
		m->nbits = 0;
		break;
	}
	case MII_TA:
		if (++m->nbits == 1) {
			if (m->ours && m->reading)
				m->mdi = false;	/* second TA bit: 0 */
			break;
		}
		m->phase = MII_DATA;
		m->nbits = 0;
		if (m->ours && m->reading)
			m->mdi = (m->data >> 15) & 1;
		break;
	case MII_DATA:
		if (!m->reading)
			m->data = (uint16_t)(m->data << 1 | line);
		if (++m->nbits < 16) {
			if (m->ours && m->reading)
				m->mdi = (m->data >> (15 - m->nbits)) & 1;
			break;
		}
		if (m->ours && !m->reading)
			tulip_mii_reg_write(m, m->hdr, m->data);
		m->mdi = true;
		m->phase = MII_IDLE;
		break;
	}
}

void tulip_mii_write(struct tulip_mii *m, uint32_t csr9)
{
	bool mdc = csr9 & CSR9_MDC;
	/* In read mode the 21140A lets go of MDIO: the PHY or the pull-up. */
	bool line = (csr9 & CSR9_MII) ? m->mdi : (csr9 & CSR9_MDO) != 0;

	if (mdc && !m->mdc)
		mii_clock_bit(m, line);
	m->mdc = mdc;
}

bool tulip_mii_mdi(const struct tulip_mii *m)
{
	return m->mdi;
}
