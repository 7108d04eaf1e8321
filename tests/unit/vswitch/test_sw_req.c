// SPDX-License-Identifier: MIT
/*
 * Control requests checked before the switch acts (vswitch/sw_req.c):
 * members known to their command and of their type, names, vdevs, and a
 * team that repeats no member, vdev or interface (the same uplink twice
 * was a use-after-free in the switch).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vswitch/sw_req.h"

static struct sw_req r;
static char err[512];

/* Parse @text as command @cmd; 0 or -EINVAL (the message in err). */
static int parse(enum sw_cmd cmd, const char *text)
{
	json_t *req = json_loads(text, 0, NULL);
	int ret;

	assert_non_null(req);
	err[0] = '\0';
	ret = sw_req_parse(cmd, req, &r, err, sizeof(err));
	json_decref(req);
	if (ret < 0)
		assert_true(err[0]);	/* every refusal says why */
	return ret;
}

static void test_names(void **state)
{
	static const char *const good[] = {
		"up0", "t0", "a", "vm1.0", "x_y-z", "0a", "9.1",
	};
	static const char *const bad[] = {
		"", "12", "0", "a b", "-x", ".x", "_x", "a/b", "a,mode=4",
		"a=b", "\xc3\xa9", "0123456789012345678901234567890123",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(sw_name_check("n", good[i], err,
					       sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sw_name_check("n", bad[i], err, sizeof(err)),
				 -EINVAL);
	/* 31 characters fit, 32 do not. */
	assert_int_equal(sw_name_check("n", "abcdefghijabcdefghijabcdefghij1",
				       err, sizeof(err)), 0);
	assert_int_equal(sw_name_check("n", "abcdefghijabcdefghijabcdefghij12",
				       err, sizeof(err)), -EINVAL);
}

static void test_vdevs(void **state)
{
	static const char *const good[] = {
		"net_af_packet0,iface=veth0", "eth_af_packet3,iface=x",
		"net_tap0,iface=tap0", "net_pcap1,iface=lo", "net_null0",
		"net_ring_x", "net_vhost1,iface=/tmp/s,client=0",
		"net_af_xdp0,iface=v", "net_virtio_user0,path=/x",
	};
	static const char *const bad[] = {
		"", ",iface=x", "net_bonding0,mode=1,slave=net_af_packet0",
		"eth_bond0", "net_memif0", "crypto_null0", "net_tapx0",
		"net_null0 ,x", "net_null0,a=\x01", "af_packet0",
		"net_af_packet0;rm", "net_null0/1",
	};
	char dev[64], ifn[16];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(sw_vdev_check(good[i], err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sw_vdev_check(bad[i], err, sizeof(err)),
				 -EINVAL);

	assert_int_equal(sw_vdev_split("net_af_packet0,qpairs=1,iface=v0",
				       dev, sizeof(dev), ifn, sizeof(ifn)), 0);
	assert_string_equal(dev, "net_af_packet0");
	assert_string_equal(ifn, "v0");
	/* A socket path is no kernel interface; nor is a name too long. */
	assert_int_equal(sw_vdev_split("net_vhost0,iface=/tmp/s", dev,
				       sizeof(dev), ifn, sizeof(ifn)), 0);
	assert_string_equal(ifn, "");
	assert_int_equal(sw_vdev_split("net_tap0,iface=0123456789abcdef",
				       dev, sizeof(dev), ifn, sizeof(ifn)), 0);
	assert_string_equal(ifn, "");
	assert_int_equal(sw_vdev_split(",iface=x", dev, sizeof(dev), ifn,
				       sizeof(ifn)), -EINVAL);
}

static void test_unknown_and_mistyped(void **state)
{
	assert_int_equal(parse(SW_CMD_ADD_UPLINK, "{\"name\":\"u\","
			       "\"vdev\":\"net_null0\",\"vlna\":\"access:5\"}"),
			 -EINVAL);
	assert_non_null(strstr(err, "vlna"));
	assert_int_equal(parse(SW_CMD_QUIT, "{\"now\":1}"), -EINVAL);
	/* Whole words only (an empty key once read past the list's end). */
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"\":1}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"por\":1}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"ports\":1}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"t vlan\":1}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"port\":1,\"vlan\":2}"),
			 0);
	assert_int_equal(parse(SW_CMD_STATS, "{\"cmd\":\"stats\"}"), 0);
	/* A wrong type is an error, not the default. */
	assert_int_equal(parse(SW_CMD_CAPTURE_START, "{\"port\":\"p\","
			       "\"file\":\"/f\",\"dir\":1}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t\","
			       "\"members\":[\"m=net_null0\"],\"mode\":4}"),
			 -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_UPLINK, "{\"name\":\"u\","
			       "\"vdev\":\"net_null0\",\"vlan\":5}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SET_LINK, "{\"port\":\"p\","
			       "\"admin\":true}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SET_LINK, "{\"port\":1.5,"
			       "\"admin\":\"up\"}"), -EINVAL);
	/* Missing, empty, out of range. */
	assert_int_equal(parse(SW_CMD_ADD_UPLINK, "{\"name\":\"u\"}"),
			 -EINVAL);
	assert_int_equal(parse(SW_CMD_CAPTURE_START, "{\"port\":\"p\","
			       "\"file\":\"\"}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_DEL_UPLINK, "{\"name\":64}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_DEL_UPLINK, "{\"name\":-1}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_DEL_UPLINK, "{\"name\":63}"), 0);
	assert_true(r.port.by_id && r.port.id == 63);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"vlan\":0}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"vlan\":4095}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_FDB, "{\"vlan\":4094}"), 0);
	assert_int_equal(r.vid, 4094);
	assert_int_equal(parse(SW_CMD_CAPTURE_START, "{\"port\":\"p\","
			       "\"file\":\"/f\",\"max_bytes\":10}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_CAPTURE_START, "{\"port\":\"p\","
			       "\"file\":\"/f\",\"max_bytes\":0}"), 0);
	assert_int_equal(r.dir, SW_CAP_BOTH);
	assert_int_equal(parse(SW_CMD_ADD_UPLINK, "{\"name\":\"u\","
			       "\"vdev\":\"net_null0\",\"vlan\":\"access:0\"}"),
			 -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_UPLINK, "{\"name\":\"u\","
			       "\"vdev\":\"net_null0\"}"), 0);
	assert_int_equal(r.vlan.mode, VLAN_MODE_TRUNK);	/* the default */
	assert_int_equal(r.vlan.vid, 1);
}

static void test_team_members(void **state)
{
	/* The crash: one uplink given twice. */
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[\"up0\",\"up0\"]}"), -EINVAL);
	assert_non_null(strstr(err, "twice"));
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\",\"members\":"
			       "[{\"name\":\"m\",\"vdev\":\"net_null1\"},"
			       "\"m=net_null2\"]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[\"a\",\"b\",\"c\",\"d\",\"e\","
			       "\"f\",\"g\",\"h\",\"i\"]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[\"a\",\"b\",\"c\",\"d\",\"e\","
			       "\"f\",\"g\",\"h\"]}"), 0);
	assert_int_equal(r.team_spec.nmembers, 8);
	assert_string_equal(r.team_spec.vdevs[7], "");	/* existing uplink */
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[\"m=net_bonding0\"]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[{\"name\":\"m\",\"vdev\":"
			       "\"net_null0\",\"x\":1}]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[5]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t,mode=4\","
			       "\"members\":[\"m=net_null0\"]}"), -EINVAL);
	assert_int_equal(parse(SW_CMD_ADD_TEAM, "{\"name\":\"t0\","
			       "\"members\":[\"up0\",{\"name\":\"b\",\"vdev\":"
			       "\"net_tap0,iface=t\"}],\"mode\":\"lacp\","
			       "\"hash\":\"l34\",\"vlan\":\"access:7\"}"), 0);
	assert_int_equal(r.team_spec.mode, SW_TEAM_LACP);
	assert_int_equal(r.team_spec.hash, SW_TEAM_HASH_L34);
	assert_true(r.team_spec.has_vlan);
	assert_int_equal(r.team_spec.vlan.vid, 7);
	assert_string_equal(r.team_spec.members[1], "b");
	assert_string_equal(r.team_spec.vdevs[1], "net_tap0,iface=t");
}

/* The whole team, once existing uplinks' vdevs are filled in. */
static void test_team_spec(void **state)
{
	struct sw_team_spec s;

	memset(&s, 0, sizeof(s));
	strcpy(s.name, "t0");
	s.nmembers = 2;
	strcpy(s.members[0], "a");
	strcpy(s.vdevs[0], "net_af_packet0,iface=v0");
	strcpy(s.members[1], "b");
	strcpy(s.vdevs[1], "net_af_packet1,iface=v1");
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), 0);
	strcpy(s.vdevs[1], "net_af_packet1,iface=v0");
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "same interface"));
	strcpy(s.vdevs[1], "net_af_packet0,iface=v9");
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "same vdev"));
	strcpy(s.vdevs[1], "net_null1");
	strcpy(s.members[1], "a");
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), -EINVAL);
	strcpy(s.members[1], "t0");
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), -EINVAL);
	strcpy(s.members[1], "b");
	s.nmembers = 0;
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), -EINVAL);
	s.nmembers = SW_TEAM_MAX_MEMBERS + 1;
	assert_int_equal(sw_team_spec_check(&s, err, sizeof(err)), -EINVAL);
}

/* set-vf: `ip link set PF vf N` settings as words, each checked. */
static void test_set_vf(void **state)
{
	static const char *const bad[] = {
		"{\"vf\":0,\"mac\":\"02:00:00:00:00:01\"}",	/* no NIC */
		"{\"sriov\":\"n\",\"mac\":\"02:00:00:00:00:01\"}",
		"{\"sriov\":\"n\",\"vf\":7,\"trust\":true}",
		"{\"sriov\":\"n\",\"vf\":-1,\"trust\":true}",
		"{\"sriov\":\"n\",\"vf\":\"0\",\"trust\":true}",
		"{\"sriov\":\"n\",\"vf\":0}",		/* no setting */
		"{\"sriov\":\"n\",\"vf\":0,\"vlan\":4095}",
		"{\"sriov\":\"n\",\"vf\":0,\"vlan\":\"10\"}",
		"{\"sriov\":\"n\",\"vf\":0,\"qos\":8}",
		"{\"sriov\":\"n\",\"vf\":0,\"spoofchk\":\"maybe\"}",
		"{\"sriov\":\"n\",\"vf\":0,\"trust\":1}",
		"{\"sriov\":\"n\",\"vf\":0,\"state\":\"up\"}",
		"{\"sriov\":\"n\",\"vf\":0,\"mac\":5}",
		"{\"sriov\":\"n\",\"vf\":0,\"mtu\":9000}",
		"{\"sriov\":\"n\",\"vf\":0,\"mac\":\"0123456789012345678"
		"9012345678901234567\"}",
	};

	assert_int_equal(parse(SW_CMD_SET_VF, "{\"sriov\":\"nic0\",\"vf\":3,"
			       "\"mac\":\"02:00:00:00:00:01\",\"vlan\":100,"
			       "\"qos\":2,\"spoofchk\":false,\"trust\":\"on\","
			       "\"state\":\"disable\"}"), 0);
	assert_string_equal(r.sriov, "nic0");
	assert_int_equal(r.vf, 3);
	assert_int_equal(r.nwords, 12);
	assert_string_equal(r.words[0], "mac");
	assert_string_equal(r.words[3], "100");
	assert_string_equal(r.words[5], "2");
	assert_string_equal(r.words[7], "off");
	assert_string_equal(r.words[9], "on");
	assert_string_equal(r.words[11], "disable");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(SW_CMD_SET_VF, bad[i]), -EINVAL);
	assert_int_equal(parse(SW_CMD_SHOW_SRIOV, "{}"), 0);
	assert_string_equal(r.sriov, "");
	assert_int_equal(parse(SW_CMD_SHOW_SRIOV, "{\"sriov\":\"nic0\"}"), 0);
	assert_int_equal(parse(SW_CMD_SHOW_SRIOV, "{\"vf\":1}"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_vdevs),
		cmocka_unit_test(test_unknown_and_mistyped),
		cmocka_unit_test(test_team_members),
		cmocka_unit_test(test_team_spec),
		cmocka_unit_test(test_set_vf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
