// SPDX-License-Identifier: MIT
/*
 * Live migration of a VM with a VF (vmm_migrate.h): the standby design
 * (Linux net_failover, QEMU's virtio-net failover; Zhai et al., OLS
 * 2008). A VF's state is the SR-IOV NIC's and does not move, so the VM
 * must also have a pv NIC with the same MAC and standby=1 (PV_F_STANDBY),
 * which its guest teams with the VF, active-backup. Before pre-copy the
 * source unplugs each VF (its switch unbinds it, acked: no VF DMA into
 * guest RAM from then on, so the VF needs no dirty log; link down, the
 * mailbox interrupt) and waits, bounded, for the guest to look (its next
 * STATUS read), as QEMU waits for the guest to unplug the primary. The
 * guest's traffic goes over pv meanwhile. On the destination the VF's
 * port attaches at resume: a fresh VF, and the guest moves back to it.
 * A migration that fails or is cancelled replugs the VFs on the source.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define LOG_SUBSYS "migrate"
#include "base/clock.h"
#include "base/log.h"
#include "base/mac.h"
#include "core/nic_port.h"
#include "core/vdev.h"
#include "core/vmm.h"
#include "pv-rings/pv_dev.h"
#include "sriov/vf_dev.h"
#include "vmm/vmm_migrate_priv.h"

static bool mig_is_vf(const struct vdev *vd)
{
	return vd->ops == &igbvf_ops;
}

/* A pv NIC with @mac: the first one, preferring a standby. */
static struct vdev *mig_pv_with_mac(struct vmm *vmm, const uint8_t mac[6])
{
	struct vdev *found = NULL;
	uint8_t m[6];

	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		if (vd->ops != &pvnet_ops)
			continue;
		pv_dev_get_mac(vd, m);
		if (memcmp(m, mac, 6))
			continue;
		if (pv_dev_standby(vd))
			return vd;
		if (!found)
			found = vd;
	}
	return found;
}

int mig_vf_check(struct vmm *vmm, char *err, size_t len)
{
	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		char macs[MAC_STR_LEN];
		struct vdev *pv;
		uint8_t mac[6];

		if (!mig_is_vf(vd))
			continue;
		vf_dev_get_mac(vd, mac);
		mac_format(mac, macs);
		/* Each message fits the control answer (160 bytes). */
		if (!vf_dev_mac_given(vd)) {
			snprintf(err, len, "%s is a VF without mac=: it needs "
				 "the administrator's MAC and a pv NIC with it "
				 "and standby=1", vd->id);
			return -ENOTSUP;
		}
		pv = mig_pv_with_mac(vmm, mac);
		if (!pv) {
			snprintf(err, len, "%s is a VF with no standby pv NIC "
				 "(needs --nic pv,mac=%s,standby=1)", vd->id,
				 macs);
			return -ENOTSUP;
		}
		if (!pv_dev_standby(pv)) {
			snprintf(err, len, "%s is a VF whose pv NIC %s (mac %s) "
				 "lacks standby=1", vd->id, pv->id, macs);
			return -ENOTSUP;
		}
	}
	return 0;
}

/*
 * On the loop: every VF off its switch (@out: link down, the mailbox
 * interrupt) or back on it. Returns how many could not be bound again.
 */
static int mig_vf_plug(struct vmm *vmm, bool out)
{
	int failed = 0;

	for (struct vdev *vd = vmm->devices; vd; vd = vd->next) {
		struct nic_port *p;

		if (!mig_is_vf(vd))
			continue;
		p = nic_port_of_vdev(vd);
		if (p && out) {
			nic_port_unplug(p);
		} else if (p) {
			failed += nic_port_replug(p) < 0;
		} else {
			/* A --device igbvf: no switch to leave. */
			vf_dev_set_link(vd, !out);
			if (out)
				vf_dev_unplug_notify(vd);
			else
				vf_dev_replugged(vd);
		}
	}
	return failed;
}

static int mig_vf_unplug_loop(struct mig_out *m)
{
	return mig_vf_plug(m->vmm, true);
}

static int mig_vf_replug_loop(struct mig_out *m)
{
	return mig_vf_plug(m->vmm, false);
}

int mig_vf_unplug(struct mig_out *m)
{
	uint64_t t0 = clock_mono_us(), worst = 0;
	unsigned n = 0, unacked = 0;
	int ret;

	for (struct vdev *vd = m->vmm->devices; vd; vd = vd->next)
		n += mig_is_vf(vd);
	if (!n)
		return 0;
	ret = mig_call_on_loop(m, mig_vf_unplug_loop);
	if (ret)
		return ret;
	pthread_mutex_lock(&m->lock);
	m->vf_unplugged = true;
	pthread_mutex_unlock(&m->lock);
	for (struct vdev *vd = m->vmm->devices; vd; vd = vd->next) {
		uint64_t us;

		if (!mig_is_vf(vd))
			continue;
		if (vf_dev_unplug_wait(vd, MIG_VF_ACK_MS, &us) < 0) {
			unacked++;
			log_warn("%s: the guest did not look at the VF within "
				 "%u ms of its unplug; migrating anyway (its "
				 "traffic may wait for its team's failover)",
				 vd->id, MIG_VF_ACK_MS);
		} else {
			log_info("%s: VF unplugged, the guest acknowledged "
				 "after %.1f ms", vd->id, (double)us / 1000);
		}
		if (us > worst)
			worst = us;
	}
	pthread_mutex_lock(&m->lock);
	m->vf_count = n;
	m->vf_unacked = unacked;
	m->vf_ack_us = worst;
	m->vf_unplug_us = clock_mono_us() - t0;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

void mig_vf_replug(struct mig_out *m)
{
	int ret;

	if (!m->vf_unplugged)
		return;
	ret = mig_call_on_loop(m, mig_vf_replug_loop);
	if (ret > 0)
		log_warn("%d VF(s) could not be bound again: link down, "
			 "reconnecting", ret);
	else if (ret < 0)
		log_info("VFs not replugged: %s", strerror(-ret));
	else
		log_info("VFs replugged: the guest moves back to them");
	pthread_mutex_lock(&m->lock);
	m->vf_unplugged = false;
	pthread_mutex_unlock(&m->lock);
}
