// SPDX-License-Identifier: MIT
/*
 * The pv NIC's migration state (pv-rings/pv_dev.c): a device the guest
 * configured and started (two queue pairs, rings, event page, ports
 * bound to MSI-X vectors) saved and loaded into a fresh device over the
 * same RAM; the state reads back the same, and the reconnect sends the
 * new switch the same rings and ports with fresh eventfds, which is what
 * lets its backend carry on from the indices in guest memory. Damaged or
 * foreign state is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <linux/pci_regs.h>

#include "core/vdev_state.h"
#include "pv-rings/pv_dev.h"
#include "tests/unit/core/pci_test_env.h"
#include "tests/unit/emu-devices/fake_vmm.h"
#include "wire/pv_abi.h"

#define RAM_SIZE	(4u << 20)
#define EVT		0x100000u
#define RING(i)		(0x110000u + (i) * 0x10000u)
#define OPTS		"mac=02:70:00:00:00:07,queues=2"

struct pv {
	struct pci_env *e;
	struct vdev *vd;
	uint8_t *ram;
	uint64_t regs, msix;
	unsigned cap;
	/* the fake wire */
	unsigned configs, resets;
	struct attach_pv_config cfg;
	unsigned nfds;
	int ret;		/* what config answers */
};

static int pv_wire_config(void *opaque, const struct attach_pv_config *cfg,
			  const int *fds, unsigned nfds, char *err,
			  size_t errlen)
{
	struct pv *p = opaque;

	p->configs++;
	p->cfg = *cfg;
	p->nfds = nfds;
	if (p->ret)
		snprintf(err, errlen, "refused");
	return p->ret;
}

static void pv_wire_reset(void *opaque)
{
	((struct pv *)opaque)->resets++;
}

static void pv_wire_close(void *opaque)
{
}

static void pv_new(struct pv *p, uint8_t *ram)
{
	struct pv_wire w = { p, pv_wire_config, pv_wire_reset, pv_wire_close };

	memset(p, 0, sizeof(*p));
	assert_int_equal(env_setup((void **)&p->e), 0);
	p->ram = ram;
	guest_mem_layout(&p->e->vmm.mem, ram, RAM_SIZE);
	p->vd = &p->e->vd[0];
	p->vd->ops = &pvnet_ops;
	p->vd->priv = NULL;
	assert_int_equal(pvnet_ops.init(p->vd, OPTS), 0);
	pv_dev_set_wire(p->vd, &w);
	pv_dev_set_link(p->vd, true);
	p->regs = pci_bar_addr(p->vd->pci, 0);
	p->msix = pci_bar_addr(p->vd->pci, 4);
	for (unsigned c = pci_cfg_read(p->vd->pci, PCI_CAPABILITY_LIST, 1);
	     c; c = pci_cfg_read(p->vd->pci, c + 1, 1))
		if (pci_cfg_read(p->vd->pci, c, 1) == PCI_CAP_ID_MSIX)
			p->cap = c;
}

static void pv_del(struct pv *p)
{
	pvnet_ops.fini(p->vd);
	env_teardown((void **)&p->e);
}

static void reg_w(struct pv *p, unsigned off, uint32_t v)
{
	env_mmio_write(p->e, p->regs + off, 4, v);
}

static uint32_t reg_r(struct pv *p, unsigned off)
{
	return (uint32_t)env_mmio_read(p->e, p->regs + off, 4, NULL);
}

/* What a driver does: two queue pairs, ports 0..3 on vectors 0..3. */
static void drive(struct pv *p)
{
	pci_cfg_write(p->vd->pci, PCI_COMMAND, 2, PCI_COMMAND_MEMORY |
		      PCI_COMMAND_MASTER);
	pci_cfg_write(p->vd->pci, p->cap + PCI_MSIX_FLAGS, 2,
		      PCI_MSIX_FLAGS_ENABLE);
	for (unsigned v = 0; v < 4; v++) {
		uint64_t ent = p->msix + PV_MSIX_TABLE_OFF + 16 * v;

		env_mmio_write(p->e, ent, 4, 0xfee00000);
		env_mmio_write(p->e, ent + 8, 4, 0x60 + v);
		env_mmio_write(p->e, ent + 12, 4, 0);
	}
	reg_w(p, PV_REG_DRV_FEATURES, PV_F_MAC | PV_F_MQ | PV_F_EVENT_IDX);
	reg_w(p, PV_REG_NUM_QUEUES, 2);
	reg_w(p, PV_REG_RING_SIZE, 256);
	for (unsigned q = 0; q < 2; q++) {
		reg_w(p, PV_REG_QUEUE_SEL, q);
		reg_w(p, PV_REG_TX_RING, RING(2 * q));
		reg_w(p, PV_REG_RX_RING, RING(2 * q + 1));
	}
	reg_w(p, PV_REG_EVT_PAGE, EVT);
	for (unsigned port = 0; port < 4; port++)
		reg_w(p, PV_REG_EVT_BIND, port << 16 | port);
	reg_w(p, PV_REG_STATUS, PV_S_DRIVER_OK);
}

static struct vdev_state_writer save(struct pv *p)
{
	struct vdev_state_writer w;

	vdev_state_writer_init(&w);
	assert_int_equal(vdev_state_save(p->vd, &w), 0);
	return w;
}

static int load(struct pv *p, const void *buf, size_t len, char *why)
{
	struct vdev_state_reader r;
	int ret;

	pci_host_quiesce(p->e->vmm.pci);
	vdev_state_reader_init(&r, buf, len);
	ret = vdev_state_load(p->vd, &r);
	if (why)
		snprintf(why, 160, "%s", r.why);
	return ret;
}

static void test_roundtrip_reconnects(void **state)
{
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct pv a, b;
	struct vdev_state_writer s1, s2;
	struct attach_pv_config first;

	pv_new(&a, ram);
	drive(&a);
	assert_int_equal(a.configs, 1);
	assert_true(reg_r(&a, PV_REG_STATUS) & PV_S_DRIVER_OK);
	first = a.cfg;
	fake_vmm_reset();
	s1 = save(&a);
	/* Saving marks nothing: the switch logs its own writes to guest
	 * RAM, or the migration covers them (vmm_migrate_out.c). */
	assert_int_equal(fake_vmm.dirty_calls, 0);
	pv_del(&a);

	pv_new(&b, ram);
	assert_int_equal(load(&b, s1.buf, s1.len, NULL), 0);
	/* Nothing goes to the switch until the port is attached. */
	assert_int_equal(b.configs, 0);
	fake_vmm_reset();
	s2 = save(&b);
	assert_int_equal(fake_vmm.dirty_calls, 0);
	assert_int_equal(s1.len, s2.len);
	assert_memory_equal(s1.buf, s2.buf, s1.len);
	assert_true(reg_r(&b, PV_REG_STATUS) & PV_S_DRIVER_OK);
	assert_int_equal(reg_r(&b, PV_REG_NUM_QUEUES), 2);

	pv_dev_reconnect(b.vd);
	assert_int_equal(b.configs, 1);
	/* The same rings, ports and event page; its own fds. */
	assert_true(b.cfg.evt_page_gpa == first.evt_page_gpa);
	assert_int_equal(b.cfg.ring_size, 256);
	assert_int_equal(b.cfg.num_queues, 2);
	for (unsigned q = 0; q < 2; q++) {
		assert_true(b.cfg.q[q].tx_ring_gpa == RING(2 * q));
		assert_true(b.cfg.q[q].rx_ring_gpa == RING(2 * q + 1));
		assert_int_equal(b.cfg.q[q].tx_port, first.q[q].tx_port);
		assert_int_equal(b.cfg.q[q].rx_port, first.q[q].rx_port);
		assert_int_not_equal(b.cfg.q[q].tx_irq_fd, ATTACH_PV_NO_FD);
	}
	/* 4 kick eventfds and 4 irqfds, as at DRIVER_OK. */
	assert_int_equal(b.nfds, 8);
	vdev_state_writer_free(&s1);
	vdev_state_writer_free(&s2);
	pv_del(&b);
	free(ram);
}

static void test_stopped_device_stays_quiet(void **state)
{
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct pv a, b;
	struct vdev_state_writer s;

	pv_new(&a, ram);
	s = save(&a);
	pv_del(&a);
	pv_new(&b, ram);
	assert_int_equal(load(&b, s.buf, s.len, NULL), 0);
	pv_dev_reconnect(b.vd);
	assert_int_equal(b.configs, 0);
	assert_false(reg_r(&b, PV_REG_STATUS) & PV_S_DRIVER_OK);
	vdev_state_writer_free(&s);
	pv_del(&b);
	free(ram);
}

/* The offset of field @key's value in a blob. */
static size_t field(const uint8_t *buf, size_t len, const char *key)
{
	size_t pos = 0;

	while (pos < len) {
		size_t k = buf[pos];
		uint32_t l;

		memcpy(&l, buf + pos + 1 + k, 4);
		if (k == strlen(key) && !memcmp(buf + pos + 1, key, k))
			return pos + 1 + k + 4;
		pos += 1 + k + 4 + l;
	}
	fail_msg("no field %s", key);
	return 0;
}

static void test_refuses_bad_state(void **state)
{
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct pv a, b;
	struct vdev_state_writer s;
	uint8_t *c;
	char why[160];
	uint64_t far = RAM_SIZE + 0x1000;

	pv_new(&a, ram);
	drive(&a);
	s = save(&a);
	pv_del(&a);
	pv_new(&b, ram);
	c = malloc(s.len);

	for (size_t cut = 0; cut < s.len; cut += 11)
		assert_int_equal(load(&b, s.buf, cut, why), -EPROTO);
	memcpy(c, s.buf, s.len);
	c[field(s.buf, s.len, "mac")] ^= 2;
	assert_int_equal(load(&b, c, s.len, why), -EPROTO);
	assert_non_null(strstr(why, "built differently"));
	/* A ring the guest could not have had accepted: outside RAM. */
	memcpy(c, s.buf, s.len);
	memcpy(c + field(s.buf, s.len, "queues"), &far, 8);
	assert_int_equal(load(&b, c, s.len, why), -EPROTO);
	assert_non_null(strstr(why, "bad configuration"));
	assert_false(reg_r(&b, PV_REG_STATUS) & PV_S_DRIVER_OK);
	/* A port bound to a vector the device does not have. */
	memcpy(c, s.buf, s.len);
	c[field(s.buf, s.len, "bind") + 5] = 40;
	assert_int_equal(load(&b, c, s.len, why), -EPROTO);
	assert_non_null(strstr(why, "binding"));
	free(c);
	vdev_state_writer_free(&s);
	pv_del(&b);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_reconnects),
		cmocka_unit_test(test_stopped_device_stays_quiet),
		cmocka_unit_test(test_refuses_bad_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
