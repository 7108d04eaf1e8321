/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_EMU_TULIP_REGS_H
#define IOPATH_EMU_TULIP_REGS_H

/*
 * DEC/Intel 21140A "Tulip" registers, descriptors, setup frame and serial
 * ROM layout, named as in the 21140A Hardware Reference Manual (chapter 3
 * CSRs, chapter 4 descriptors and setup frames) and DEC's "21x4 Serial ROM
 * Format". Freestanding (only <stdint.h>): the device model and guest code
 * may both include it. Bits that only the 21041/21142/21143 have are not
 * listed; QEMU's "tulip" is a 21143, this is not.
 */

#include <stdint.h>

/* PCI identity (configuration registers CFID, CFRV, CFCS...) */
#define TULIP_PCI_VENDOR	0x1011	/* Digital Equipment */
#define TULIP_PCI_DEVICE	0x0009	/* 21140 / 21140A */
#define TULIP_PCI_DEVICE_21143	0x0019	/* 21143 (what QEMU models) */
#define TULIP_PCI_REVISION	0x22	/* 21140A, pass 2.2 */
#define TULIP_PCI_CLASS		0x020000	/* Ethernet controller */
#define TULIP_CFDD		0x40	/* driver area: sleep/snooze */
#define TULIP_CFDD_SLEEP	(1u << 31)
#define TULIP_CFDD_SNOOZE	(1u << 30)

/* CSRn sits at n * 8 in both BARs (I/O BAR0, memory BAR1), longwords. */
#define TULIP_BAR_IO		0
#define TULIP_BAR_MEM		1
#define TULIP_NCSR		16
#define TULIP_CSR_SPACING	8
#define TULIP_CSR(n)		((n) * TULIP_CSR_SPACING)
#define TULIP_IO_SIZE		128

/* CSR0 bus mode */
#define CSR0_SWR		(1u << 0)	/* software reset */
#define CSR0_BAR		(1u << 1)	/* bus arbitration */
#define CSR0_DSL_SHIFT		2		/* descriptor skip length */
#define CSR0_DSL_MASK		0x1fu		/* ... in longwords */
#define CSR0_BLE		(1u << 7)	/* big/little endian */
#define CSR0_PBL_SHIFT		8		/* programmable burst length */
#define CSR0_PBL_MASK		0x3fu
#define CSR0_CAL_SHIFT		14		/* cache alignment */
#define CSR0_CAL_MASK		3u
#define CSR0_CAL_16		(2u << CSR0_CAL_SHIFT)	/* 16 longwords */
#define CSR0_TAP_SHIFT		17		/* transmit automatic polling */
#define CSR0_TAP_MASK		7u
#define CSR0_TAP_OFF		0
#define CSR0_TAP_200US		1
#define CSR0_TAP_800US		2
#define CSR0_TAP_1600US		3
#define CSR0_MRM		(1u << 21)	/* memory read multiple */
#define CSR0_RML		(1u << 23)	/* read line */
#define CSR0_MWI		(1u << 24)	/* memory write and invalidate */

/* CSR5 status; CSR7 interrupt enable uses the same positions 0..16 */
#define CSR5_TI			(1u << 0)	/* transmit interrupt */
#define CSR5_TPS		(1u << 1)	/* transmit process stopped */
#define CSR5_TU			(1u << 2)	/* transmit buffer unavailable */
#define CSR5_TJT		(1u << 3)	/* transmit jabber timeout */
#define CSR5_UNF		(1u << 5)	/* transmit underflow */
#define CSR5_RI			(1u << 6)	/* receive interrupt */
#define CSR5_RU			(1u << 7)	/* receive buffer unavailable */
#define CSR5_RPS		(1u << 8)	/* receive process stopped */
#define CSR5_RWT		(1u << 9)	/* receive watchdog timeout */
#define CSR5_ETI		(1u << 10)	/* early transmit interrupt */
#define CSR5_GTE		(1u << 11)	/* general-purpose timer expired */
#define CSR5_FBE		(1u << 13)	/* fatal bus error */
#define CSR5_ERI		(1u << 14)	/* early receive interrupt */
#define CSR5_AIS		(1u << 15)	/* abnormal interrupt summary */
#define CSR5_NIS		(1u << 16)	/* normal interrupt summary */
#define CSR5_RS_SHIFT		17		/* receive process state */
#define CSR5_TS_SHIFT		20		/* transmit process state */
#define CSR5_STATE_MASK		7u
#define CSR5_EB_SHIFT		23		/* error bits, valid with FBE */
#define CSR5_EB_MASK		7u
#define CSR5_EB_PARITY		0
#define CSR5_EB_MASTER_ABORT	1
#define CSR5_EB_TARGET_ABORT	2
/* The bits a write of one clears. */
#define CSR5_W1C_ALL		0x0001ffffu
/* Summary members (manual 3.2.2.6): NIS and AIS OR the enabled ones. */
#define CSR5_NIS_BITS		(CSR5_TI | CSR5_TU | CSR5_RI | CSR5_ERI)
#define CSR5_AIS_BITS		(CSR5_TPS | CSR5_TJT | CSR5_UNF | CSR5_RU | \
				 CSR5_RPS | CSR5_RWT | CSR5_ETI | CSR5_GTE | \
				 CSR5_FBE)

/* CSR5 RS: receive process states */
#define RS_STOPPED		0	/* reset or stop receive command */
#define RS_FETCH		1	/* running: fetching descriptor */
#define RS_CHECK		2	/* running: checking end of frame */
#define RS_WAIT			3	/* running: waiting for a frame */
#define RS_SUSPENDED		4	/* unavailable receive buffer */
#define RS_CLOSE		5	/* running: closing descriptor */
#define RS_FLUSH		6	/* running: flushing frame (no buffer) */
#define RS_QUEUE		7	/* running: frame to host memory */

/* CSR5 TS: transmit process states */
#define TS_STOPPED		0	/* reset, stop command, or jabber */
#define TS_FETCH		1	/* running: fetching descriptor */
#define TS_WAIT			2	/* running: waiting for end of tx */
#define TS_READ			3	/* running: reading buffer */
#define TS_SETUP		5	/* running: setup frame */
#define TS_SUSPENDED		6	/* underflow or unavailable desc */
#define TS_CLOSE		7	/* running: closing descriptor */

/* CSR6 operation mode */
#define CSR6_HP			(1u << 0)	/* hash/perfect filter (RO) */
#define CSR6_SR			(1u << 1)	/* start/stop receive */
#define CSR6_HO			(1u << 2)	/* hash-only filtering (RO) */
#define CSR6_PB			(1u << 3)	/* pass bad frames */
#define CSR6_IF			(1u << 4)	/* inverse filtering (RO) */
#define CSR6_SB			(1u << 5)	/* start/stop backoff counter */
#define CSR6_PR			(1u << 6)	/* promiscuous */
#define CSR6_PM			(1u << 7)	/* pass all multicast */
#define CSR6_FD			(1u << 9)	/* full duplex */
#define CSR6_OM_SHIFT		10		/* operating mode (loopback) */
#define CSR6_OM_MASK		3u
#define CSR6_FC			(1u << 12)	/* force collision */
#define CSR6_ST			(1u << 13)	/* start/stop transmit */
#define CSR6_TR_SHIFT		14		/* threshold control */
#define CSR6_TR_MASK		3u
#define CSR6_CA			(1u << 17)	/* capture effect enable */
#define CSR6_PS			(1u << 18)	/* port select: 1 = MII/SYM */
#define CSR6_HBD		(1u << 19)	/* heartbeat disable */
#define CSR6_SF			(1u << 21)	/* store and forward */
#define CSR6_TTM		(1u << 22)	/* transmit threshold mode */
#define CSR6_PCS		(1u << 23)	/* PCS function */
#define CSR6_SCR		(1u << 24)	/* scrambler mode */
#define CSR6_MBO		(1u << 25)	/* must be one */
#define CSR6_RA			(1u << 30)	/* receive all */
#define CSR6_SC			(1u << 31)	/* special capture effect */
/* Filtering mode bits the setup frame sets (read-only in CSR6). */
#define CSR6_FILTER_RO		(CSR6_HP | CSR6_HO | CSR6_IF)

/* CSR8 missed frames (read clears) */
#define CSR8_MFC_MASK		0xffffu		/* missed frame counter */
#define CSR8_MFO		(1u << 16)	/* ... overflowed */

/* CSR9 serial ROM, boot ROM and MII management */
#define CSR9_SR_CS		(1u << 0)	/* SROM chip select */
#define CSR9_SR_SK		(1u << 1)	/* SROM serial clock */
#define CSR9_SR_DI		(1u << 2)	/* data to the SROM */
#define CSR9_SR_DO		(1u << 3)	/* data from the SROM */
#define CSR9_REG		(1u << 10)	/* external register select */
#define CSR9_SR			(1u << 11)	/* serial ROM select */
#define CSR9_BR			(1u << 12)	/* boot ROM select */
#define CSR9_WR			(1u << 13)	/* write operation */
#define CSR9_RD			(1u << 14)	/* read operation */
#define CSR9_MDC		(1u << 16)	/* MII management clock */
#define CSR9_MDO		(1u << 17)	/* MII data to the PHY */
#define CSR9_MII		(1u << 18)	/* MII mode: 1 = read from PHY */
#define CSR9_MDI		(1u << 19)	/* MII data from the PHY */

/* CSR11 general-purpose timer */
#define CSR11_VALUE_MASK	0xffffu
#define CSR11_CON		(1u << 16)	/* continuous mode */

/* CSR12 general-purpose port */
#define CSR12_MD_MASK		0xffu		/* pin data */
#define CSR12_GPC		(1u << 8)	/* write sets pin direction */

/* CSR15 watchdog timer */
#define CSR15_JBD		(1u << 0)	/* jabber disable */
#define CSR15_HUJ		(1u << 1)	/* host unjabber */
#define CSR15_JCK		(1u << 2)	/* jabber clock */
#define CSR15_RWD		(1u << 4)	/* receive watchdog disable */
#define CSR15_RWR		(1u << 5)	/* receive watchdog release */

/* Descriptors: four little-endian longwords (chapter 4). */
struct tulip_desc {
	uint32_t des0;		/* status; OWN */
	uint32_t des1;		/* control and buffer sizes */
	uint32_t buf1;		/* buffer 1 address */
	uint32_t buf2;		/* buffer 2 address or next descriptor */
};
_Static_assert(sizeof(struct tulip_desc) == 16, "21140 descriptor layout");

#define TULIP_DES0_OWN		(1u << 31)	/* the 21140A owns it */
#define TULIP_DES1_BS1_MASK	0x7ffu		/* buffer 1 size, bytes */
#define TULIP_DES1_BS2_SHIFT	11		/* buffer 2 size */
#define TULIP_DES1_BS2_MASK	0x7ffu

/* RDES0 */
#define RDES0_FF		(1u << 30)	/* filtering fail (with RA) */
#define RDES0_FL_SHIFT		16		/* frame length incl. CRC */
#define RDES0_FL_MASK		0x3fffu
#define RDES0_ES		(1u << 15)	/* error summary */
#define RDES0_DE		(1u << 14)	/* descriptor error */
#define RDES0_DT_SHIFT		12		/* data type (loopback) */
#define RDES0_RF		(1u << 11)	/* runt frame */
#define RDES0_MF		(1u << 10)	/* multicast frame */
#define RDES0_FS		(1u << 9)	/* first descriptor */
#define RDES0_LS		(1u << 8)	/* last descriptor */
#define RDES0_TL		(1u << 7)	/* frame too long */
#define RDES0_CS		(1u << 6)	/* collision seen */
#define RDES0_FT		(1u << 5)	/* frame type: Ethernet II */
#define RDES0_RW		(1u << 4)	/* receive watchdog */
#define RDES0_DB		(1u << 2)	/* dribbling bit */
#define RDES0_CE		(1u << 1)	/* CRC error */
#define RDES0_OF		(1u << 0)	/* overflow */

/* RDES1 */
#define RDES1_RER		(1u << 25)	/* receive end of ring */
#define RDES1_RCH		(1u << 24)	/* second address chained */

/* TDES0 */
#define TDES0_ES		(1u << 15)	/* error summary */
#define TDES0_TO		(1u << 14)	/* transmit jabber timeout */
#define TDES0_LO		(1u << 11)	/* loss of carrier */
#define TDES0_NC		(1u << 10)	/* no carrier */
#define TDES0_LC		(1u << 9)	/* late collision */
#define TDES0_EC		(1u << 8)	/* excessive collisions */
#define TDES0_HF		(1u << 7)	/* heartbeat fail */
#define TDES0_CC_SHIFT		3		/* collision count */
#define TDES0_LF		(1u << 2)	/* link fail */
#define TDES0_UF		(1u << 1)	/* underflow error */
#define TDES0_DE		(1u << 0)	/* deferred */
/* TDES0 of a processed setup frame (manual 4.2.3). */
#define TDES0_SETUP_DONE	0x7fffffffu

/* TDES1 */
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

/* Setup frame filtering types: FT1:FT0 (manual 4.2.3). */
#define TULIP_FT_PERFECT	0	/* 16 perfect addresses */
#define TULIP_FT_HASH		1	/* 512-bit hash + 1 perfect */
#define TULIP_FT_INVERSE	2	/* 16 addresses rejected */
#define TULIP_FT_HASH_ONLY	3	/* 512-bit hash for all */

/*
 * Setup frame (manual 4.2.3): 192 bytes = 48 longwords; only the low 16
 * bits of each longword count. Perfect: 16 addresses of 3 longwords.
 * Hash: longwords 0..31 carry the 512-bit table (bit n of the table is bit
 * n % 16 of longword n / 16), longwords 39..41 the one perfect address.
 */
#define TULIP_SETUP_LEN		192
#define TULIP_SETUP_ENTRIES	16
#define TULIP_SETUP_HASH_BITS	512
#define TULIP_SETUP_HASH_PERFECT_LW	39

/* Serial ROM: 93C46, 64 x 16 bits, "21x4 SROM format" (v3). */
#define SROM_WORDS		64
#define SROM_ADDR_BITS		6
#define SROM_BYTES		(SROM_WORDS * 2)
#define SROM_WORDS_MAX		256	/* 93C66: 8 address bits (Linux probes) */
#define SROM_SUBSYS_VENDOR_OFF	0	/* subsystem vendor ID, LE */
#define SROM_SUBSYS_ID_OFF	2	/* subsystem ID, LE */
#define SROM_VERSION_OFF	18	/* SROM format version */
#define SROM_ADAPTERS_OFF	19	/* controller count */
#define SROM_MAC_OFF		20	/* IEEE address, 6 bytes */
#define SROM_DEVNUM_OFF		26	/* controller 0 device number */
#define SROM_LEAF_OFF		27	/* controller 0 info leaf offset, LE */
#define SROM_CRC_OFF		126	/* CRC-32 of 0..125, low 16 bits */
#define SROM_READ_OPCODE	6u	/* start bit + "10" */
/* 21140 info leaf: connection type (2), GPR control (1), count (1). */
#define SROM_CONN_AUTOSENSE	0x0800
#define SROM_BLOCK_EXTENDED	0x80	/* block length byte: extended */
#define SROM_BLOCK_MII		1	/* extended type 1: MII PHY */

/* MII management (IEEE 802.3 clause 22) registers our PHY has. */
#define MII_BMCR		0
#define MII_BMSR		1
#define MII_PHYSID1		2
#define MII_PHYSID2		3
#define MII_ANAR		4
#define MII_ANLPAR		5
#define MII_ANER		6
#define MII_BMCR_RESET		0x8000
#define MII_BMCR_SPEED100	0x2000
#define MII_BMCR_ANENABLE	0x1000
#define MII_BMCR_ANRESTART	0x0200
#define MII_BMCR_FULLDPLX	0x0100
#define MII_BMSR_100FULL	0x4000
#define MII_BMSR_100HALF	0x2000
#define MII_BMSR_10FULL		0x1000
#define MII_BMSR_10HALF		0x0800
#define MII_BMSR_ANEGCOMPLETE	0x0020
#define MII_BMSR_ANEGCAPABLE	0x0008
#define MII_BMSR_LSTATUS	0x0004
#define MII_BMSR_ERCAP		0x0001
#define MII_ANLPAR_ACK		0x4000

#endif
