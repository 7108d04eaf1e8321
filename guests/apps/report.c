// SPDX-License-Identifier: MIT
#include "apps/report.h"

#include "rt/alloc.h"
#include "rt/clock.h"
#include "rt/fmt.h"
#include "rt/json.h"
#include "rt/lapic.h"
#include "rt/rt.h"

void report_boot(const char *app)
{
	const struct iopath_boot_info *bi = rt_boot_info();
	struct json j;
	uint32_t i;

	json_begin(&j, "boot");
	json_kv_str(&j, "app", app);
	json_kv_str(&j, "loader", rt_loader_name());
	json_kv_u64(&j, "cpu", 0);
	json_kv_u64(&j, "apic_id", lapic_id());
	json_kv_u64(&j, "ncpus", bi->ncpus);
	json_kv_u64(&j, "tsc_khz", clock_tsc_khz());
	json_kv_bool(&j, "tsc_calibrated", bi->tsc_khz == 0);
	json_kv_u64(&j, "lapic_khz", lapic_timer_khz());
	json_kv_hex(&j, "free_start", bi->free_start);
	json_kv_u64(&j, "free_bytes", alloc_avail());
	json_arr_begin(&j, "mem");
	for (i = 0; i < bi->nmem && i < BOOT_MEM_MAX; i++) {
		json_obj_begin(&j, NULL);
		json_kv_hex(&j, "base", bi->mem[i].base);
		json_kv_hex(&j, "size", bi->mem[i].size);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kv_str(&j, "cmdline", bi->cmdline);
	json_end(&j);
}

static const char *report_bar_type(uint8_t type)
{
	switch (type) {
	case PCI_BAR_IO:
		return "io";
	case PCI_BAR_MEM32:
		return "mem32";
	case PCI_BAR_MEM64:
		return "mem64";
	default:
		return "none";
	}
}

void report_pci(const struct pci_dev *d)
{
	struct json j;
	char bdf[16], hex[16];
	unsigned int b;

	json_begin(&j, "pci");
	fmt_snprintf(bdf, sizeof(bdf), "%02x:%02x.%x", d->bdf >> 8,
		     (d->bdf >> 3) & 0x1f, d->bdf & 7);
	json_kv_str(&j, "bdf", bdf);
	fmt_snprintf(hex, sizeof(hex), "0x%04x", d->vendor);
	json_kv_str(&j, "vendor", hex);
	fmt_snprintf(hex, sizeof(hex), "0x%04x", d->device);
	json_kv_str(&j, "device", hex);
	fmt_snprintf(hex, sizeof(hex), "0x%06x", d->class);
	json_kv_str(&j, "class", hex);
	json_kv_u64(&j, "revision", d->revision);
	json_kv_u64(&j, "header", d->hdr_type);
	json_kv_u64(&j, "irq_pin", d->irq_pin);
	json_kv_bool(&j, "msi", d->msi_cap != 0);
	json_kv_bool(&j, "msix", d->msix_cap != 0);
	json_arr_begin(&j, "bars");
	for (b = 0; b < PCI_MAX_BARS; b++) {
		const struct pci_bar *bar = &d->bar[b];

		if (bar->type == PCI_BAR_NONE)
			continue;
		json_obj_begin(&j, NULL);
		json_kv_u64(&j, "bar", b);
		json_kv_str(&j, "type", report_bar_type(bar->type));
		json_kv_hex(&j, "addr", bar->addr);
		json_kv_hex(&j, "size", bar->size);
		if (bar->type != PCI_BAR_IO)
			json_kv_bool(&j, "prefetch", bar->prefetch);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_end(&j);
}
