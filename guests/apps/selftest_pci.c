// SPDX-License-Identifier: MIT
/*
 * pcifuzz: pseudo-random reads and writes of every size to the
 * configuration ports 0xCF8..0xCFF, then a fresh enumeration that must find
 * the same functions. For the VMM's PCI host bridge: garbage from a guest
 * must not crash it or lose devices.
 *
 * {"event":"test","name":"pcifuzz","seed":"0x...","accesses":2000,
 *  "writes":1000,"reads":1000,"before":6,"after":6,"missing":0,
 *  "elapsed_us":72000,"ok":true}
 *
 * Command line: count=N (2000), seed=N (fixed, so a run can be replayed).
 * Writes covering 0xCF9, other than the aligned dword at 0xCF8 (the
 * address register), are left out: on PIIX/ICH chipsets (QEMU's pc and
 * q35) 0xCF9 is the reset control register.
 */
#include "apps/selftest.h"
#include "rt/clock.h"
#include "rt/cmdline.h"
#include "rt/io.h"
#include "rt/pci.h"

#define ST_FUZZ_PORT		0xcf8
#define ST_FUZZ_RESET_PORT	0xcf9

static uint64_t st_rand(uint64_t *s)
{
	/* xorshift64 (Marsaglia 2003) */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static bool st_dev_present(const struct pci_dev *devs, int n,
			   const struct pci_dev *d)
{
	int i;

	for (i = 0; i < n; i++)
		if (devs[i].bdf == d->bdf && devs[i].vendor == d->vendor &&
		    devs[i].device == d->device)
			return true;
	return false;
}

enum st_outcome st_pcifuzz(void)
{
	static struct pci_dev before[PCI_MAX_DEVS], after[PCI_MAX_DEVS];
	uint64_t count = cmdline_get_u64("count", 2000);
	uint64_t seed = cmdline_get_u64("seed", 0x1f0a7c3e5b9d2468ull);
	uint64_t s = seed ? seed : 1, i, writes = 0, reads = 0, t0;
	int nb, na, missing = 0, k;
	struct json j;

	nb = pci_scan(before, PCI_MAX_DEVS);
	t0 = clock_tsc();
	for (i = 0; i < count; i++) {
		uint64_t r = st_rand(&s);
		unsigned int size = 1u << (r % 3);
		uint16_t port = (uint16_t)(ST_FUZZ_PORT + ((r >> 2) & 7));
		uint32_t v = (uint32_t)(r >> 32);
		bool write = (r >> 5) & 1;

		if (port + size > ST_FUZZ_PORT + 8)
			port = (uint16_t)(ST_FUZZ_PORT + 8 - size);
		if (write && !(port == ST_FUZZ_PORT && size == 4) &&
		    port <= ST_FUZZ_RESET_PORT &&
		    port + size > ST_FUZZ_RESET_PORT)
			write = false;
		if (write) {
			writes++;
			if (size == 1)
				outb(port, (uint8_t)v);
			else if (size == 2)
				outw(port, (uint16_t)v);
			else
				outl(port, v);
		} else {
			reads++;
			if (size == 1)
				(void)inb(port);
			else if (size == 2)
				(void)inw(port);
			else
				(void)inl(port);
		}
	}
	outl(ST_FUZZ_PORT, 0);
	na = pci_scan(after, PCI_MAX_DEVS);
	for (k = 0; k < nb; k++)
		missing += !st_dev_present(after, na, &before[k]);

	st_begin(&j, "pcifuzz");
	json_kv_hex(&j, "seed", seed);
	json_kv_u64(&j, "accesses", count);
	json_kv_u64(&j, "writes", writes);
	json_kv_u64(&j, "reads", reads);
	json_kv_u64(&j, "before", (uint64_t)nb);
	json_kv_u64(&j, "after", (uint64_t)na);
	json_kv_u64(&j, "missing", (uint64_t)missing);
	json_kv_u64(&j, "elapsed_us", clock_tsc_to_ns(clock_tsc() - t0) / 1000);
	return st_end(&j, nb > 0 && missing == 0 && na == nb);
}
