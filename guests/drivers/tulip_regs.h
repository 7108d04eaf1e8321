/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_TULIP_REGS_H
#define IOPATH_GUEST_DRIVERS_TULIP_REGS_H

/*
 * DEC 21140A ("Tulip") registers and descriptors, named as in the 21140A
 * Hardware Reference Manual (chapter 3, CSRs; chapter 4, descriptors).
 * The guest's own copy: freestanding, no host headers. Bits only the
 * 21143 has are marked; QEMU's model is a 21143.
 */

/* PCI IDs */
#define TULIP_VENDOR_DEC	0x1011
#define TULIP_DEVICE_21140	0x0009
#define TULIP_DEVICE_21143	0x0019

/* CSRn sits at n * 8 in both the I/O BAR (BAR0) and memory BAR (BAR1). */
#define TULIP_BAR_IO		0
#define TULIP_BAR_MEM		1
#define TULIP_CSR(n)		((n) * 8u)
#define TULIP_NCSR		16

/* CSR0 bus mode */
#define CSR0_SWR		(1u << 0)	/* software reset */
#define CSR0_BAR		(1u << 1)	/* bus arbitration */
#define CSR0_DSL_SHIFT		2		/* descriptor skip, longwords */
#define CSR0_DSL_MASK		0x1fu
#define CSR0_BLE		(1u << 7)	/* big-endian buffers */
#define CSR0_PBL_SHIFT		8		/* programmable burst length */
#define CSR0_CAL_SHIFT		14		/* cache alignment */
#define CSR0_CAL_16		(2u << CSR0_CAL_SHIFT)
#define CSR0_TAP_SHIFT		17		/* transmit auto-polling */
#define CSR0_MRM		(1u << 21)	/* memory read multiple */
#define CSR0_RML		(1u << 23)	/* read line */
#define CSR0_MWI		(1u << 24)	/* memory write and invalidate */

/* CSR5 status and CSR7 interrupt enable (same bit positions) */
#define CSR5_TI			(1u << 0)	/* transmit interrupt */
#define CSR5_TPS		(1u << 1)	/* transmit process stopped */
#define CSR5_TU			(1u << 2)	/* transmit buffer unavailable */
#define CSR5_TJT		(1u << 3)	/* transmit jabber timeout */
#define CSR5_UNF		(1u << 5)	/* transmit underflow */
#define CSR5_RI			(1u << 6)	/* receive interrupt */
#define CSR5_RU			(1u << 7)	/* receive buffer unavailable */
#define CSR5_RPS		(1u << 8)	/* receive process stopped */
#define CSR5_RWT		(1u << 9)	/* receive watchdog timeout */
#define CSR5_ETI		(1u << 10)	/* early transmit */
#define CSR5_GTE		(1u << 11)	/* general-purpose timer */
#define CSR5_FBE		(1u << 13)	/* fatal bus error */
#define CSR5_ERI		(1u << 14)	/* early receive */
#define CSR5_AIS		(1u << 15)	/* abnormal interrupt summary */
#define CSR5_NIS		(1u << 16)	/* normal interrupt summary */
#define CSR5_RS_SHIFT		17		/* receive process state */
#define CSR5_TS_SHIFT		20		/* transmit process state */
#define CSR5_STATE_MASK		7u
#define CSR5_EB_SHIFT		23		/* error bits (bus error kind) */
/* Every write-one-to-clear status bit. */
#define CSR5_W1C_ALL		0x0001ffffu

/* CSR6 operation mode */
#define CSR6_HP			(1u << 0)	/* hash/perfect filtering */
#define CSR6_SR			(1u << 1)	/* start/stop receive */
#define CSR6_HO			(1u << 2)	/* hash only */
#define CSR6_PB			(1u << 3)	/* pass bad frames */
#define CSR6_IF			(1u << 4)	/* inverse filtering */
#define CSR6_SB			(1u << 5)	/* start/stop backoff counter */
#define CSR6_PR			(1u << 6)	/* promiscuous */
#define CSR6_PM			(1u << 7)	/* pass all multicast */
#define CSR6_FD			(1u << 9)	/* full duplex */
#define CSR6_OM_SHIFT		10		/* operating (loopback) mode */
#define CSR6_FC			(1u << 12)	/* force collision */
#define CSR6_ST			(1u << 13)	/* start/stop transmit */
#define CSR6_TR_SHIFT		14		/* threshold control */
#define CSR6_CA			(1u << 17)	/* capture effect enable */
#define CSR6_PS			(1u << 18)	/* port select: MII/SYM */
#define CSR6_HBD		(1u << 19)	/* heartbeat disable */
#define CSR6_SF			(1u << 21)	/* store and forward */
#define CSR6_TTM		(1u << 22)	/* transmit threshold mode */
#define CSR6_PCS		(1u << 23)	/* PCS function */
#define CSR6_SCR		(1u << 24)	/* scrambler mode */
#define CSR6_MBO		(1u << 25)	/* must be one */
#define CSR6_RA			(1u << 30)	/* receive all */

/* CSR9 serial ROM and MII management */
#define CSR9_SR_CS		(1u << 0)	/* SROM chip select */
#define CSR9_SR_SK		(1u << 1)	/* SROM clock */
#define CSR9_SR_DI		(1u << 2)	/* data to the SROM */
#define CSR9_SR_DO		(1u << 3)	/* data from the SROM */
#define CSR9_SR			(1u << 11)	/* serial ROM select */
#define CSR9_BR			(1u << 12)	/* boot ROM select */
#define CSR9_WR			(1u << 13)	/* write operation */
#define CSR9_RD			(1u << 14)	/* read operation */
#define CSR9_MDC		(1u << 16)	/* MII management clock */
#define CSR9_MDO		(1u << 17)	/* MII data to the PHY */
#define CSR9_MII		(1u << 18)	/* MII mode: 1 = read from PHY */
#define CSR9_MDI		(1u << 19)	/* MII data from the PHY */

/* Descriptors: four little-endian longwords, 16 bytes (chapter 4). */
struct tulip_desc {
	volatile uint32_t des0;		/* status, OWN */
	volatile uint32_t des1;		/* control, buffer sizes */
	volatile uint32_t buf1;		/* buffer 1 address */
	volatile uint32_t buf2;		/* buffer 2, or next descriptor */
};
_Static_assert(sizeof(struct tulip_desc) == 16, "21140 descriptor layout");

#define TULIP_DES0_OWN		(1u << 31)	/* the chip owns it */

/* RDES0 */
#define RDES0_FF		(1u << 30)	/* filtering fail */
#define RDES0_FL_SHIFT		16		/* frame length, with CRC */
#define RDES0_FL_MASK		0x3fffu
#define RDES0_ES		(1u << 15)	/* error summary */
#define RDES0_DE		(1u << 14)	/* descriptor error */
#define RDES0_RF		(1u << 11)	/* runt frame */
#define RDES0_MF		(1u << 10)	/* multicast frame */
#define RDES0_FS		(1u << 9)	/* first descriptor */
#define RDES0_LS		(1u << 8)	/* last descriptor */
#define RDES0_TL		(1u << 7)	/* frame too long */
#define RDES0_CS		(1u << 6)	/* collision seen */
#define RDES0_CE		(1u << 1)	/* CRC error */

/* RDES1 / TDES1 */
#define TULIP_DES1_BS1_MASK	0x7ffu		/* buffer 1 size */
#define TULIP_DES1_BS2_SHIFT	11		/* buffer 2 size */
#define RDES1_RER		(1u << 25)	/* receive end of ring */
#define RDES1_RCH		(1u << 24)	/* second address chained */
#define TDES1_IC		(1u << 31)	/* interrupt on completion */
#define TDES1_LS		(1u << 30)	/* last segment */
#define TDES1_FS		(1u << 29)	/* first segment */
#define TDES1_FT1		(1u << 28)	/* filtering type, bit 1 */
#define TDES1_SET		(1u << 27)	/* setup packet */
#define TDES1_AC		(1u << 26)	/* add CRC disable */
#define TDES1_TER		(1u << 25)	/* transmit end of ring */
#define TDES1_TCH		(1u << 24)	/* second address chained */
#define TDES1_DPD		(1u << 23)	/* disabled padding */
#define TDES1_FT0		(1u << 22)	/* filtering type, bit 0 */

/* TDES0 */
#define TDES0_ES		(1u << 15)	/* error summary */
#define TDES0_UF		(1u << 1)	/* underflow */

/* Setup frame (4.2.3): 192 bytes; perfect filtering = 16 addresses of
 * three longwords, each carrying 16 address bits in its low half. */
#define TULIP_SETUP_LEN		192
#define TULIP_SETUP_ENTRIES	16

/* Serial ROM (93C46: 64 x 16 bits) in the "21x4 SROM format". */
#define SROM_WORDS_MAX		256
#define SROM_BYTES_93C46	128
#define SROM_MAC_OFFSET		20	/* IEEE address, format v1+ */
#define SROM_CRC_OFFSET		126	/* low 16 bits of CRC-32 of 0..125 */
#define SROM_READ_OPCODE	6u	/* start bit + "10" */

/* MII management frames (IEEE 802.3 clause 22) */
#define MII_BMCR		0
#define MII_BMSR		1
#define MII_PHYID1		2
#define MII_PHYID2		3
#define MII_BMSR_LINK		0x0004

#endif
