// SPDX-License-Identifier: MIT
/*
 * The switch's per-frame path on hostile frames: validation, VLAN
 * classification, learning, the forwarding decision, then the egress
 * retagging the switch does for every output port.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vswitch/fdb.h"
#include "vswitch/forward.h"
#include "vswitch/vlan.h"

#define NPORTS 4

static struct fwd_table table;
static uint64_t now_ns;

static void fuzz_setup(void)
{
	struct fwd_port p = { .present = true, .up = true, .learn = true };
	struct fdb *fdb = fdb_create(64, 1000000);

	if (!fdb || fwd_init(&table, fdb, 1500))
		abort();
	vlan_cfg_access(&p.vlan, 1);
	fwd_port_set(&table, 0, &p);
	vlan_cfg_access(&p.vlan, 10);
	fwd_port_set(&table, 1, &p);
	vlan_cfg_trunk(&p.vlan, 1);
	for (unsigned v = 1; v <= VLAN_VID_MAX; v += 7)
		vlan_cfg_allow(&p.vlan, v, true);
	fwd_port_set(&table, 2, &p);
	vlan_cfg_trunk(&p.vlan, 0);
	vlan_cfg_allow(&p.vlan, 10, true);
	fwd_port_set(&table, 3, &p);
}

unsigned fuzz_seeds(const struct fuzz_seed **out)
{
	static const uint8_t untagged[] = {
		0,	/* ingress port */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1,
		0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
	};
	static const uint8_t tagged[] = {
		2,
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2,
		0x81, 0x00, 0x20, 0x0a, 0x08, 0x00, 0x45, 0, 0, 20,
	};
	/* 802.1ad S-tag over a C-tag, from the trunk: never delivered. */
	static const uint8_t qinq[] = {
		2,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 3,
		0x88, 0xa8, 0x00, 0x01, 0x81, 0x00, 0x00, 0xc8, 0x08, 0x00,
	};
	/* A runt: a header and nothing more. */
	static const uint8_t runt[] = {
		1,
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 4, 0x08, 0x00,
	};
	/* Priority tag (VID 0) on an access port, to a learned unicast. */
	static const uint8_t prio[] = {
		0,
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 5,
		0x81, 0x00, 0xa0, 0x00, 0x86, 0xdd, 0x60, 0, 0, 0,
	};
	static const struct fuzz_seed seeds[] = {
		{ untagged, sizeof(untagged), "untagged-arp-broadcast" },
		{ tagged, sizeof(tagged), "trunk-tagged-vlan10" },
		{ qinq, sizeof(qinq), "trunk-qinq-8021ad" },
		{ runt, sizeof(runt), "runt-14-bytes" },
		{ prio, sizeof(prio), "access-priority-tagged" },
	};

	*out = seeds;
	return sizeof(seeds) / sizeof(seeds[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct fwd_result r;
	uint8_t buf[2048 + 8];
	unsigned in, out;

	if (!ready) {
		fuzz_setup();
		ready = true;
	}
	if (size < 1 || size - 1 > 2048)
		return 0;
	in = data[0] % NPORTS;
	now_ns += 100000;	/* time moves, so entries age too */
	fwd_decide(&table, in, data + 1, size - 1, now_ns, &r);
	if (r.drop != FWD_DROP_NONE)
		return 0;
	for (out = 0; out < NPORTS; out++) {
		unsigned len = size - 1;
		int tag;

		if (!(r.out_mask & (1ull << out)))
			continue;
		if (out == in)
			abort();	/* never back out of the ingress port */
		tag = vlan_egress_tagged(&table.ports[out].vlan, r.vid);
		if (tag < 0)
			abort();	/* flooded to a port without the VLAN */
		memcpy(buf, data + 1, len);
		if (r.in_tagged || tag)
			vlan_retag(buf, sizeof(buf), &len, tag, r.vid);
	}
	return 0;
}
