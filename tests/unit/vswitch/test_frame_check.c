// SPDX-License-Identifier: MIT
/* Frame sanity at ingress: runts, oversized frames, bad source MACs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vswitch/frame_check.h"

static uint8_t frame[9100];

/* A frame to a unicast MAC from @src0 as first source byte. */
static void build(uint16_t type, uint8_t src0)
{
	static const uint8_t head[12] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
	};

	memset(frame, 0xa5, sizeof(frame));
	memcpy(frame, head, sizeof(head));
	frame[6] = src0;
	frame[12] = (uint8_t)(type >> 8);
	frame[13] = (uint8_t)type;
}

static void test_runt(void **state)
{
	build(0x0800, 0x02);
	for (unsigned len = 0; len < ETH_HLEN; len++)
		assert_int_equal(frame_check(frame, len, 1500), FRAME_RUNT);
	/* A whole header is enough: VMs do not pad to 60 bytes. */
	assert_int_equal(frame_check(frame, ETH_HLEN, 1500), FRAME_OK);
	assert_int_equal(frame_check(frame, ETH_ZLEN - 1, 1500), FRAME_OK);
}

/* Short frames leave the switch padded to the 802.3 minimum. */
static void test_pad(void **state)
{
	uint8_t buf[ETH_ZLEN + 4];
	unsigned len;

	for (len = ETH_HLEN; len < ETH_ZLEN; len++) {
		unsigned n = len;

		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(frame_pad(buf, sizeof(buf), &n), 1);
		assert_int_equal(n, ETH_ZLEN);
		assert_int_equal(buf[len - 1], 0xa5);	/* data kept */
		for (unsigned i = len; i < ETH_ZLEN; i++)
			assert_int_equal(buf[i], 0);
		assert_int_equal(buf[ETH_ZLEN], 0xa5);	/* nothing past */
	}
	len = ETH_ZLEN;
	assert_int_equal(frame_pad(buf, sizeof(buf), &len), 0);
	assert_int_equal(len, ETH_ZLEN);
	len = 1514;
	assert_int_equal(frame_pad(buf, 0, &len), 0);
	/* No room: nothing is written, the caller drops it. */
	len = 20;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(frame_pad(buf, ETH_ZLEN - 1, &len), -ENOSPC);
	assert_int_equal(len, 20);
	assert_int_equal(buf[20], 0xa5);
}

static void test_oversized(void **state)
{
	build(0x0800, 0x02);
	assert_int_equal(frame_check(frame, ETH_FRAME_MAX, 1500), FRAME_OK);
	assert_int_equal(frame_check(frame, ETH_FRAME_MAX + 1, 1500),
			 FRAME_OVERSIZED);
	/* mtu 0 is the default 1500. */
	assert_int_equal(frame_check(frame, 1514, 0), FRAME_OK);
	assert_int_equal(frame_check(frame, 1515, 0), FRAME_OVERSIZED);
	/* Jumbo MTU. */
	assert_int_equal(frame_check(frame, 9014, 9000), FRAME_OK);
	assert_int_equal(frame_check(frame, 9015, 9000), FRAME_OVERSIZED);

	/* One 802.1Q tag earns 4 more bytes. */
	build(0x8100, 0x02);
	assert_int_equal(frame_check(frame, 1518, 1500), FRAME_OK);
	assert_int_equal(frame_check(frame, 1519, 1500), FRAME_OVERSIZED);
	/* An S-tag does not: the switch drops those anyway. */
	build(0x88a8, 0x02);
	assert_int_equal(frame_check(frame, 1515, 1500), FRAME_OVERSIZED);
}

static void test_bad_source(void **state)
{
	build(0x0800, 0x01);	/* group bit */
	assert_int_equal(frame_check(frame, 64, 1500), FRAME_BAD_SRC);
	build(0x0800, 0x03);	/* group bit, locally administered */
	assert_int_equal(frame_check(frame, 64, 1500), FRAME_BAD_SRC);
	build(0x0800, 0xff);
	memset(frame + 6, 0xff, 6);	/* broadcast */
	assert_int_equal(frame_check(frame, 64, 1500), FRAME_BAD_SRC);
	build(0x0800, 0x00);
	memset(frame + 6, 0, 6);	/* all zero */
	assert_int_equal(frame_check(frame, 64, 1500), FRAME_BAD_SRC);
	frame[11] = 1;			/* 00:00:00:00:00:01 is a station */
	assert_int_equal(frame_check(frame, 64, 1500), FRAME_OK);
	/* Any destination is fine, broadcast included. */
	build(0x0800, 0x02);
	memset(frame, 0xff, 6);
	assert_int_equal(frame_check(frame, 64, 1500), FRAME_OK);
	/* Verdict order: runt before oversized before bad source. */
	build(0x0800, 0x01);
	assert_int_equal(frame_check(frame, 13, 1500), FRAME_RUNT);
	assert_int_equal(frame_check(frame, 1515, 1500), FRAME_OVERSIZED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runt),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_bad_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
