// SPDX-License-Identifier: MIT
/*
 * Event channels, backend -> guest (pv_abi.h, wire/PV-RINGS.md): the
 * pending and mask words of the shared event page, then the irqfd that
 * KVM turns into the port's MSI-X vector. Guest -> backend needs no
 * pending bit: the guest's notify write is an ioeventfd, whose counter
 * already remembers it.
 */
#include <errno.h>

#include "base/efd.h"
#include "pv-rings/pv_backend.h"

int pv_evtchn_send(struct pv_evt_page *pg, unsigned port, int irq_fd)
{
	uint64_t bit = 1ull << (port & (PV_EVT_PORTS - 1));
	int ret;

	/*
	 * Pending first, then the mask, with a full barrier between (the
	 * locked OR is one on x86): a guest that unmasks and then reads
	 * pending cannot miss this event, and one that reads the mask we
	 * saw as clear gets the interrupt. Xen's evtchn_set_pending has the
	 * same order.
	 */
	__atomic_fetch_or(&pg->pending, bit, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pg->mask, __ATOMIC_SEQ_CST) & bit)
		return 0;
	if (irq_fd < 0)
		return 0;
	/*
	 * A saturated counter means an interrupt is already on its way. The
	 * VMM shares this file and may make it blocking: efd_signal gives
	 * up on a stalled write instead of stalling the switch with it.
	 */
	ret = efd_signal(irq_fd);
	return ret == 0 ? 1 : ret;
}
