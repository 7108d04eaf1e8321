/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_GUEST_DRIVERS_IOAPIC_H
#define IOPATH_GUEST_DRIVERS_IOAPIC_H

/*
 * Routing a legacy INTx line through the IOAPIC at 0xFEC00000 (82093AA
 * datasheet, 3.2.4), from CPL3 through its identity-mapped page. Only for
 * devices without MSI (QEMU's tulip): the runtime's interrupt entry sends
 * EOI at once and leaves the work to CPL3, so a level-triggered entry
 * would fire again until the device is quiet; the line is routed
 * edge-triggered instead and the driver clears the device's status before
 * sleeping, so each new event is a new rising edge.
 */
#include <stdint.h>

#define IOAPIC_BASE		0xfec00000u

/* Pin gsi -> vector on apic_id, fixed delivery, physical destination,
 * edge, active high, unmasked. 0 or -EINVAL (pin beyond the IOAPIC). */
int ioapic_route_edge(unsigned int gsi, unsigned int vector,
		      uint32_t apic_id);
void ioapic_mask(unsigned int gsi);

#endif
