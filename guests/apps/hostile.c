// SPDX-License-Identifier: MIT
/*
 * hostile: a guest that attacks its own 21140 the way a buggy or malicious
 * driver would, to show that only its own device suffers. It never uses
 * the real driver; it writes the CSRs and descriptors directly:
 *
 *   random      seeded random values into random CSRs (count= writes)
 *   bad_list    descriptor list addresses outside RAM, then poll demand
 *   bad_buffer  a TX descriptor whose buffer lies outside RAM
 *   loop        a chain-mode TX descriptor whose "next" is itself, owned
 *               by the chip, never marking a last segment
 *   huge        a TX frame of 2 x 2047-byte buffers (beyond any frame)
 *   storm       poll-demand writes as fast as the guest can (storm= count)
 *
 * After each step: one record with CSR5 and whether the chip reported a
 * fatal bus error (FBE), transmit jabber (TJT) or underflow (UNF), then a
 * software reset.
 *   {"event":"hostile","step":"bad_list","csr5":"0x...","fbe":true,...}
 *   {"event":"done","app":"hostile","ok":true,"steps":6,"errors_seen":N}
 * Exit 0 when every step ran (whatever the chip said), 1 with no 21140.
 */
#include "apps/report.h"
#include "emu-devices/tulip_regs.h"
#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/json.h"
#include "rt/pci.h"
#include "rt/rt.h"

/* Far outside any RAM this lab gives a VM, and not in the PCI window. */
#define HOSTILE_BAD_GPA		0x7ff0000000ull

static volatile uint32_t *csr;
static uint64_t rng_state;

static uint32_t rng_next(void)
{
	/* xorshift64: reproducible from seed= */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void csr_write(unsigned n, uint32_t v)
{
	csr[TULIP_CSR(n) / 4] = v;
}

static uint32_t csr_read(unsigned n)
{
	return csr[TULIP_CSR(n) / 4];
}

static void chip_reset(void)
{
	csr_write(0, CSR0_SWR);
	clock_delay_us(10);
	csr_write(0, 0);
}

static unsigned report(const char *step, uint64_t n)
{
	uint32_t csr5 = csr_read(5);
	bool fbe = csr5 & CSR5_FBE, tjt = csr5 & CSR5_TJT;
	bool unf = csr5 & CSR5_UNF;
	struct json j;

	json_begin(&j, "hostile");
	json_kv_str(&j, "step", step);
	json_kv_u64(&j, "accesses", n);
	json_kv_hex(&j, "csr5", csr5);
	json_kv_bool(&j, "fbe", fbe);
	json_kv_bool(&j, "tjt", tjt);
	json_kv_bool(&j, "unf", unf);
	json_end(&j);
	chip_reset();
	return fbe || tjt || unf;
}

/* A one-descriptor TX ring at @des, started, then poll demand. */
static void tx_kick(uint32_t *des)
{
	csr_write(4, (uint32_t)alloc_phys(des));
	csr_write(6, CSR6_ST | CSR6_MBO);
	csr_write(1, 1);
	clock_delay_us(200);
}

int app_main(void)
{
	uint64_t count = cmdline_get_u64("count", 2000);
	uint64_t storm = cmdline_get_u64("storm", 2000);
	struct pci_dev dev;
	unsigned errors = 0, steps = 0;
	uint32_t *des;
	struct json j;
	uint64_t i;

	report_boot("hostile");
	rng_state = cmdline_get_u64("seed", 0x1234567) | 1;
	if (pci_find(TULIP_PCI_VENDOR, TULIP_PCI_DEVICE, &dev) < 0 ||
	    !dev.bar[TULIP_BAR_MEM].addr) {
		json_begin(&j, "error");
		json_kv_str(&j, "app", "hostile");
		json_kv_str(&j, "msg", "no 21140 with a memory BAR");
		json_end(&j);
		return RT_EXIT_FAIL;
	}
	/* Memory decode and bus mastering, as a driver would turn on. */
	pci_cfg_write(dev.bdf, 4, 2, 0x6);
	csr = (volatile uint32_t *)(uintptr_t)dev.bar[TULIP_BAR_MEM].addr;
	des = alloc_aligned(4096, 4096);

	/* random: anything into any CSR (SROM/MII bit-bangs included). */
	for (i = 0; i < count; i++) {
		uint32_t r = rng_next();

		csr_write(r % TULIP_NCSR, rng_next());
		if (r & 0x100)
			(void)csr_read(rng_next() % TULIP_NCSR);
	}
	errors += report("random", count);
	steps++;

	/* bad_list: both lists outside RAM, both engines started. */
	csr_write(3, (uint32_t)HOSTILE_BAD_GPA);
	csr_write(4, 0xfffffff0u);
	csr_write(6, CSR6_SR | CSR6_ST | CSR6_MBO);
	csr_write(1, 1);
	csr_write(2, 1);
	clock_delay_us(200);
	errors += report("bad_list", 5);
	steps++;

	/* bad_buffer: a sane descriptor, an insane buffer address. */
	des[0] = TULIP_DES0_OWN;
	des[1] = TDES1_FS | TDES1_LS | TDES1_IC | 1514 | TDES1_TER;
	des[2] = 0xfffff000u;
	des[3] = 0;
	tx_kick(des);
	errors += report("bad_buffer", 3);
	steps++;

	/* loop: chained to itself, owned by the chip, no last segment. */
	des[0] = TULIP_DES0_OWN;
	des[1] = TDES1_FS | TDES1_TCH | 64;
	des[2] = (uint32_t)alloc_phys(des + 64);
	des[3] = (uint32_t)alloc_phys(des);
	tx_kick(des);
	errors += report("loop", 3);
	steps++;

	/* huge: two full buffers, one frame of 4094 bytes. */
	des[0] = TULIP_DES0_OWN;
	des[1] = TDES1_FS | TDES1_LS | TDES1_TER | TULIP_DES1_BS1_MASK |
		 (TULIP_DES1_BS1_MASK << TULIP_DES1_BS2_SHIFT);
	des[2] = (uint32_t)alloc_phys(des + 64);
	des[3] = (uint32_t)alloc_phys(des + 64);
	tx_kick(des);
	errors += report("huge", 3);
	steps++;

	/* storm: poll demands with nothing to send. */
	csr_write(6, CSR6_ST | CSR6_MBO);
	for (i = 0; i < storm; i++)
		csr_write(1, 1);
	errors += report("storm", storm);
	steps++;

	json_begin(&j, "done");
	json_kv_str(&j, "app", "hostile");
	json_kv_bool(&j, "ok", true);
	json_kv_u64(&j, "steps", steps);
	json_kv_u64(&j, "errors_seen", errors);
	json_end(&j);
	return RT_EXIT_OK;
}
