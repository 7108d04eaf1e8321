// SPDX-License-Identifier: MIT
/* MAC address text: the one syntax every command line and file uses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/mac.h"

static void test_parse_good(void **state)
{
	uint8_t mac[6];
	char s[MAC_STR_LEN];

	assert_int_equal(mac_parse("02:00:0a:FF:00:01", mac), 0);
	mac_format(mac, s);
	assert_string_equal(s, "02:00:0a:ff:00:01");
	/* One-digit groups, as ip(8) and ethtool print them. */
	assert_int_equal(mac_parse("2:0:a:ff:0:1", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){ 2, 0, 0xa, 0xff, 0, 1 }), 6);
	/* Group addresses are addresses (FDB keys, filters). */
	assert_int_equal(mac_parse("ff:ff:ff:ff:ff:ff", mac), 0);
	assert_int_equal(mac_parse("01:00:5e:00:00:01", mac), 0);
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "02:00:0a:ff:00", "02:00:0a:ff:00:01:",
		"02:00:0a:ff:00:100", "02:00:0a:ff:00:0g", " 02:00:0a:ff:00:01",
		"02:00:0a:ff:00:01 ", "+2:00:0a:ff:00:01", "0x2:0:0:0:0:1",
		"02-00-0a-ff-00-01", "02::0a:ff:00:01", "020:0a:ff:00:01:02",
	};
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mac_parse(bad[i], mac), -EINVAL);
		assert_int_equal(mac_parse_unicast(bad[i], mac), -EINVAL);
	}
	assert_int_equal(mac_parse(NULL, mac), -EINVAL);
	/* A refused string leaves the output alone. */
	assert_memory_equal(mac, ((uint8_t[]){ 9, 9, 9, 9, 9, 9 }), 6);
}

static void test_unicast(void **state)
{
	uint8_t mac[6] = { 0 };

	assert_int_equal(mac_parse_unicast("02:00:00:00:00:01", mac), 0);
	assert_true(mac_is_unicast(mac));
	assert_int_equal(mac_parse_unicast("03:00:00:00:00:01", mac), -EDOM);
	assert_int_equal(mac_parse_unicast("ff:ff:ff:ff:ff:ff", mac), -EDOM);
	assert_int_equal(mac_parse_unicast("00:00:00:00:00:00", mac), -EDOM);
	assert_memory_equal(mac, ((uint8_t[]){ 2, 0, 0, 0, 0, 1 }), 6);
	assert_false(mac_is_unicast((uint8_t[]){ 0, 0, 0, 0, 0, 0 }));
	assert_false(mac_is_unicast((uint8_t[]){ 1, 0, 0x5e, 0, 0, 1 }));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_unicast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
