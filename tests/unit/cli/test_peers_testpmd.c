// SPDX-License-Identifier: MIT
/* testpmd_parse_stats against testpmd 22.11's real output and broken
 * variants of it. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cli/peers_testpmd.h"

/* "show port stats all" as dpdk-testpmd 22.11 prints it */
#define PORT_BLOCK(n, rx, missed, tx) \
	"\n  ######################## NIC statistics for port " #n "  ########################\n" \
	"  RX-packets: " #rx "   RX-missed: " #missed "          RX-bytes:  1588792320\n" \
	"  RX-errors: 0\n" \
	"  RX-nombuf:  0         \n" \
	"  TX-packets: " #tx "   TX-errors: 0          TX-bytes:  1588815360\n" \
	"\n  Throughput (since last show)\n" \
	"  Rx-pps:      3151016          Rx-bps:   1512487816\n" \
	"  Tx-pps:      3151005          Tx-bps:   1512482704\n" \
	"  ############################################################################\n"

static void test_real_output(void **state)
{
	const char *text = "show port stats all\n"
		PORT_BLOCK(0, 26479872, 0, 26480256)
		PORT_BLOCK(1, 26479840, 7, 26480224);
	struct testpmd_port_stats st[TESTPMD_PORTS];

	(void)state;
	assert_int_equal(testpmd_parse_stats(text, st), 2);
	assert_int_equal(st[0].rx_packets, 26479872);
	assert_int_equal(st[0].tx_packets, 26480256);
	assert_int_equal(st[1].rx_packets, 26479840);
	assert_int_equal(st[1].rx_missed, 7);
	assert_int_equal(st[1].tx_packets, 26480224);
}

static void test_large_counters(void **state)
{
	const char *text = PORT_BLOCK(1, 18446744073709551615, 0, 9000000000000);
	struct testpmd_port_stats st[TESTPMD_PORTS];

	(void)state;
	assert_int_equal(testpmd_parse_stats(text, st), 1);
	assert_true(st[1].rx_packets == UINT64_MAX);
	assert_true(st[1].tx_packets == 9000000000000ull);
	assert_int_equal(st[0].rx_packets, 0);
}

static void test_refused(void **state)
{
	struct testpmd_port_stats st[TESTPMD_PORTS];
	static const char *const bad[] = {
		"",
		"testpmd> show port stats all\nBad arguments\n",
		/* a port this generator does not have */
		PORT_BLOCK(2, 1, 0, 1),
		/* the same port twice */
		PORT_BLOCK(0, 1, 0, 1) PORT_BLOCK(0, 2, 0, 2),
		/* a counter that is not a number */
		PORT_BLOCK(0, -5, 0, 1),
		PORT_BLOCK(0, x, 0, 1),
		/* a counter beyond 64 bits */
		PORT_BLOCK(0, 99999999999999999999999, 0, 1),
		/* a field missing: it must not be read from the next port */
		"  ######################## NIC statistics for port 0  ####\n"
		"  RX-packets: 5   RX-missed: 0\n  RX-errors: 0\n"
		PORT_BLOCK(1, 1, 0, 1),
		"  NIC statistics for port \n  RX-packets: 1\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = testpmd_parse_stats(bad[i], st);

		if (r != -EINVAL)
			fail_msg("case %zu: got %d", i, r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_output),
		cmocka_unit_test(test_large_counters),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
