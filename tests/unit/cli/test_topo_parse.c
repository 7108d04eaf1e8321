// SPDX-License-Identifier: MIT
/*
 * Topology parsing: good files give the expected structure; malformed ones
 * are refused with the line of the offending node in the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli/topo.h"

static struct topo t;
static char err[512];

static int parse(const char *y)
{
	return topo_parse_buf(y, strlen(y), "lab.yaml", &t, err, sizeof(err));
}

/* The parse fails and the message starts with "lab.yaml:LINE:" and
 * contains @what. */
static void refused(const char *y, int line, const char *what)
{
	char want[32];

	assert_int_equal(parse(y), -22);
	snprintf(want, sizeof(want), "lab.yaml:%d: ", line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, what))
		fail_msg("got \"%s\", want line %d and \"%s\"", err, line, what);
}

static void test_good_two_hosts(void **state)
{
	const char *y =
		"lab: t1\n"
		"hosts:\n"
		"  - name: a\n"
		"    switch:\n"
		"      teams:\n"			/* before uplinks: allowed */
		"        - {name: t0, mode: balance-xor, hash: l34, members: [a0, a1]}\n"
		"      uplinks:\n"
		"        - {name: a0, fabric: true}\n"
		"        - {name: a1, fabric: true}\n"
		"        - {name: x, vdev: 'net_tap0,iface=tx'}\n"
		"  - name: b\n"
		"    switch: {poll: true, pmd_cpu: 3}\n"
		"vms:\n"
		"  - name: vm1\n"
		"    host: b\n"
		"    memory: 128M\n"
		"    cpus: 2\n"
		"    vcpu_pin: [1, 0]\n"
		"    nics:\n"
		"      - {path: emu, mac: '02:00:00:00:00:01', vlan: 10}\n"
		"      - {path: pv}\n"
		"    cmdline: app=echo ip=10.0.0.1/24\n"
		"fabric:\n"
		"  ip: 10.0.0.254/24\n";

	assert_int_equal(parse(y), 0);
	assert_string_equal(t.name, "t1");
	assert_int_equal(t.nhosts, 2);
	assert_int_equal(t.hosts[0].nuplinks, 3);
	assert_true(t.hosts[0].uplinks[0].fabric);
	assert_string_equal(t.hosts[0].uplinks[2].vdev, "net_tap0,iface=tx");
	assert_int_equal(t.hosts[0].nteams, 1);
	assert_string_equal(t.hosts[0].teams[0].hash, "l34");
	assert_int_equal(t.hosts[0].teams[0].nmembers, 2);
	assert_int_equal(t.hosts[0].teams[0].members[1], 1);
	assert_true(t.hosts[1].poll);
	assert_false(t.hosts[0].has_pmd_cpu);
	assert_true(t.hosts[1].has_pmd_cpu);
	assert_int_equal(t.hosts[1].pmd_cpu, 3);
	assert_int_equal(t.vms[0].nvcpu_pin, 2);
	assert_int_equal(t.vms[0].vcpu_pin[0], 1);
	assert_int_equal(t.vms[0].vcpu_pin[1], 0);
	assert_int_equal(t.nvms, 1);
	assert_int_equal(t.vms[0].host, 1);
	assert_int_equal(t.vms[0].memory, 128ull << 20);
	assert_int_equal(t.vms[0].cpus, 2);
	assert_int_equal(t.vms[0].nnics, 2);
	assert_int_equal(t.vms[0].nics[0].vlan, 10);
	assert_int_equal(t.vms[0].nics[0].mac[5], 1);
	assert_int_equal(t.vms[0].nics[1].path, TOPO_PATH_PV);
	assert_true(t.vms[0].nics[1].has_mac);	/* a default one */
	assert_string_equal(t.vms[0].image, TOPO_DEFAULT_IMAGE);
	assert_string_equal(t.vms[0].cmdline, "app=echo ip=10.0.0.1/24");
	assert_true(t.fabric.present);
	assert_string_equal(t.fabric.ip, "10.0.0.254/24");
}

static void test_default_and_name(void **state)
{
	assert_int_equal(topo_load_default(&t, err, sizeof(err)), 0);
	assert_int_equal(t.nhosts, 1);
	assert_int_equal(t.hosts[0].nuplinks, 0);
	assert_int_equal(t.nvms, 0);
	/* no lab: key: the file name */
	assert_int_equal(topo_parse_buf("hosts: [{name: h}]\n", 19,
					"/x/my.lab.yaml", &t, err, sizeof(err)), 0);
	assert_string_equal(t.name, "my");
}

static void test_examples(void **state)
{
	const char *files[] = { EXAMPLES_DIR "/single-host.yaml",
				EXAMPLES_DIR "/two-hosts-team.yaml",
				EXAMPLES_DIR "/vf-standby.yaml" };

	for (unsigned int i = 0; i < 3; i++)
		if (topo_parse_file(files[i], &t, err, sizeof(err)))
			fail_msg("%s", err);
}

static void test_refused(void **state)
{
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    nics:\n      - path: xyz\n",
		6, "vm 'v': nic 1: unknown path 'xyz'");
	refused("hosts:\n  - name: a\n    swtich: {}\n", 3, "unknown key 'swtich'");
	refused("lab: x\n", 1, "no 'hosts'");
	refused("hosts:\n  - name: a\n  - name: a\n", 3, "host 'a' defined twice");
	refused("hosts:\n  - name: 'a b'\n", 2, "only letters");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    host: zz\n", 5,
		"no host 'zz'");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    memory: 3M\n", 5,
		"memory '3M'");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    cpus: 99\n", 5,
		"cpus");
	refused("hosts:\n  - name: a\n    switch: {pmd_cpu: -1}\n", 3,
		"switch: pmd_cpu: expected a number");
	refused("hosts:\n  - name: a\n    switch: {pmd_cpu: 1024}\n", 3,
		"'1024' is not a number in 0..1023");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    vcpu_pin: []\n",
		5, "vm 'v': vcpu_pin: at least one CPU");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n"
		"    vcpu_pin: [0, 1, 2, 3, 4, 5, 6, 7, 8]\n", 5,
		"vcpu_pin: at most 8 entries");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n"
		"    vcpu_pin: [0, x]\n", 5, "vcpu_pin: expected a number");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n"
		"    vcpu_pin: {a: 1}\n", 5, "vcpu_pin: expected a list");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    nics:\n"
		"      - {mac: '01:00:00:00:00:01'}\n", 6, "multicast");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    nics:\n"
		"      - {mac: '00:00:00:00:00:00'}\n", 6, "the zero MAC");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    nics:\n"
		"      - {mac: '02:00:00:00:00'}\n", 6, "expected a MAC like");
	refused("hosts:\n  - name: a\nvms:\n  - name: v\n    nics:\n"
		"      - {vlan: 4095}\n", 6, "1..4094");
	refused("hosts:\n  - name: a\n    switch:\n      uplinks:\n"
		"        - {name: u0, fabric: true}\n", 5, "no 'fabric:' section");
	refused("hosts:\n  - name: a\n    switch:\n      uplinks:\n"
		"        - {name: u0}\n", 5, "either 'fabric: true' or a 'vdev'");
	refused("hosts:\n  - name: a\n    switch:\n      uplinks:\n"
		"        - {name: u0, vdev: net_null0}\n      teams:\n"
		"        - {name: t, mode: active-backup, members: [u0, u9]}\n",
		7, "no uplink 'u9'");
	refused("hosts:\n  - name: a\n    switch:\n      uplinks:\n"
		"        - {name: u0, vdev: net_null0}\n      teams:\n"
		"        - {name: t, mode: round-robin, members: [u0]}\n",
		7, "unknown mode 'round-robin'");
	refused("hosts:\n  - name: a\nvms:\n  - {name: v, nics: [{mac: '02:00:00:00:00:01'}]}\n"
		"  - {name: w, nics: [{mac: '02:00:00:00:00:01'}]}\n", 5,
		"MAC already used");
	refused("hosts:\n  - name: a\n  - name: b\nvms:\n  - name: v\n", 5,
		"which host");
	refused("hosts: [\n", 2, "");			/* YAML syntax */
	refused("hosts:\n  - name: a\n    name: b\n", 3, "");	/* duplicate key */
	refused("- 1\n- 2\n", 1, "expected a mapping");
	refused("hosts:\n  - name: a\nfabric:\n  ip: 10.0.0.300/24\n", 4,
		"fabric: ip");
	refused("hosts:\n  - name: abcdefghijklmnopq\n", 2, "longer than");
}

/* vf NICs are VFs of their host's one SR-IOV NIC: at most 7 a host. */
static void test_vf_nics(void **state)
{
	char y[1024];
	int n;

	n = snprintf(y, sizeof(y), "hosts:\n  - name: a\n  - name: b\n"
		     "vms:\n  - name: v\n    host: a\n    nics:\n");
	for (int i = 0; i < 4; i++)
		n += snprintf(y + n, sizeof(y) - (size_t)n,
			      "      - {path: vf}\n");
	n += snprintf(y + n, sizeof(y) - (size_t)n, "  - name: w\n"
		      "    host: a\n    nics:\n");
	for (int i = 0; i < 3; i++)
		n += snprintf(y + n, sizeof(y) - (size_t)n,
			      "      - {path: vf, vlan: 10}\n");
	n += snprintf(y + n, sizeof(y) - (size_t)n, "  - name: x\n"
		      "    host: b\n    nics: [{path: vf}, {path: pv}]\n");
	assert_int_equal(parse(y), 0);
	assert_int_equal(topo_host_vfs(&t, 0), 7);
	assert_int_equal(topo_host_vfs(&t, 1), 1);
	assert_int_equal(t.vms[1].nics[2].path, TOPO_PATH_VF);
	assert_int_equal(t.vms[1].nics[2].vlan, 10);
	/* An eighth on host a is one too many. */
	snprintf(y + n, sizeof(y) - (size_t)n, "  - name: z\n    host: a\n"
		 "    nics: [{path: vf}]\n");
	refused(y, 2, "host 'a': 8 NICs of path vf");
}

/* A pv NIC may be the standby of its VM's VF: the MAC is shared (the
 * VF's when the standby names none), and the other host's SR-IOV NIC
 * has a VF for it to migrate to. */
static void test_standby(void **state)
{
	static const char head[] = "hosts:\n  - name: a\n  - name: b\n"
		"vms:\n  - name: v\n    host: a\n    nics:\n";
	char y[1024];

	(void)state;
	snprintf(y, sizeof(y), "%s      - {path: vf, mac: '02:00:00:00:00:07'}\n"
		 "      - {path: pv, standby: true}\n", head);
	assert_int_equal(parse(y), 0);
	assert_true(t.vms[0].nics[1].standby);
	assert_false(t.vms[0].nics[0].standby);
	assert_memory_equal(t.vms[0].nics[1].mac,
			    ((uint8_t[]){ 2, 0, 0, 0, 0, 7 }), 6);
	assert_int_equal(topo_host_vfs(&t, 1), 0);
	assert_int_equal(topo_host_sriov_vfs(&t, 0), 1);
	assert_int_equal(topo_host_sriov_vfs(&t, 1), 1);
	/* the VF's default MAC, and a standby naming it */
	snprintf(y, sizeof(y), "%s      - {path: vf}\n"
		 "      - {path: pv, standby: true}\n", head);
	assert_int_equal(parse(y), 0);
	assert_memory_equal(t.vms[0].nics[1].mac, t.vms[0].nics[0].mac, 6);
	snprintf(y, sizeof(y), "%s      - {path: pv, standby: true, "
		 "mac: '02:00:00:00:00:07'}\n"
		 "      - {path: vf, mac: '02:00:00:00:00:07'}\n", head);
	assert_int_equal(parse(y), 0);
	/* no VF of that MAC, not pv, a second standby, no VF at all */
	snprintf(y, sizeof(y), "%s      - {path: vf}\n"
		 "      - {path: pv, standby: true, mac: '02:00:00:00:00:08'}\n",
		 head);
	refused(y, 9, "no vf NIC of this VM has its MAC");
	snprintf(y, sizeof(y), "%s      - {path: vf}\n"
		 "      - {path: emu, standby: true}\n", head);
	refused(y, 9, "only a pv NIC can be a standby");
	snprintf(y, sizeof(y), "%s      - {path: vf}\n"
		 "      - {path: pv, standby: true}\n"
		 "      - {path: pv, standby: true}\n", head);
	refused(y, 10, "has a standby already (nic 2)");
	snprintf(y, sizeof(y), "%s      - {path: pv, standby: true}\n", head);
	refused(y, 8, "exactly one vf NIC");
	snprintf(y, sizeof(y), "%s      - {path: vf}\n"
		 "      - {path: pv, standby: maybe}\n", head);
	refused(y, 9, "standby");
	/* without standby one MAC on two NICs is still refused */
	snprintf(y, sizeof(y), "%s      - {path: vf, mac: '02:00:00:00:00:07'}\n"
		 "      - {path: pv, mac: '02:00:00:00:00:07'}\n", head);
	refused(y, 9, "MAC already used");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_two_hosts),
		cmocka_unit_test(test_default_and_name),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_vf_nics),
		cmocka_unit_test(test_standby),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
