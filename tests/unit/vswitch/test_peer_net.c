// SPDX-License-Identifier: MIT
/*
 * iopath-peer's packet builders and parser (checked against frames written
 * out by hand from the RFCs) and the stream sink's accounting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/tools/peer_net.h"
#include "tests/tools/peer_stream.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x02 };
#define IP_A 0x0a000001u
#define IP_B 0x0a000002u

static void test_text(void **state)
{
	uint8_t buf[8];
	char s[18];
	uint32_t ip;
	int prefix;

	assert_int_equal(net_parse_ipv4("10.1.2.3/24", &ip, &prefix), 0);
	assert_int_equal(ip, 0x0a010203);
	assert_int_equal(prefix, 24);
	assert_int_equal(net_parse_ipv4("10.1.2.3", &ip, &prefix), 0);
	assert_int_equal(prefix, -1);
	net_format_ipv4(ip, s);
	assert_string_equal(s, "10.1.2.3");
	assert_int_equal(net_parse_ipv4("10.1.2.3/33", &ip, NULL), -EINVAL);
	assert_int_equal(net_parse_ipv4("10.1.2/8", &ip, NULL), -EINVAL);
	assert_int_equal(net_parse_ipv4("10.1.2.3/", &ip, NULL), -EINVAL);

	assert_int_equal(net_parse_hex("01 02:0a-FF", buf, 8), 4);
	assert_int_equal(buf[3], 0xff);
	assert_int_equal(net_parse_hex("012", buf, 8), -EINVAL);
	assert_int_equal(net_parse_hex("zz", buf, 8), -EINVAL);
	assert_int_equal(net_parse_hex("0102030405060708ff", buf, 8),
			 -EINVAL);
}

/* RFC 1071's own example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
static void test_csum(void **state)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };

	assert_int_equal(net_csum(d, sizeof(d), 0), (uint16_t)~0xddf2);
	/* Odd length pads with a zero byte. */
	assert_int_equal(net_csum(d, 1, 0), (uint16_t)~0x0000);
	assert_int_equal(net_csum(d + 2, 1, 0), (uint16_t)~0xf200);
}

static void test_arp(void **state)
{
	static const uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01,
		0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
	};
	static const uint8_t zero[6];
	uint8_t f[128];
	struct net_pkt k;
	size_t len;

	len = net_build_arp(f, NET_ARP_REQUEST, net_broadcast, mac_a, IP_A,
			    zero, IP_B);
	assert_int_equal(len, NET_ETH_ZLEN);	/* padded */
	assert_memory_equal(f, want, sizeof(want));
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_true(k.is_arp);
	assert_false(k.is_ipv4);
	assert_int_equal(k.arp_op, NET_ARP_REQUEST);
	assert_int_equal(k.arp_spa, IP_A);
	assert_int_equal(k.arp_tpa, IP_B);
	assert_memory_equal(k.arp_sha, mac_a, 6);
	/* Cut short: Ethernet only. */
	assert_int_equal(net_parse(f, 30, &k), 0);
	assert_false(k.is_arp);
	assert_int_equal(net_parse(f, 13, &k), -EINVAL);
}

static void test_udp(void **state)
{
	uint8_t f[256];
	struct net_pkt k;
	size_t len;

	len = net_build_udp(f, mac_b, mac_a, IP_A, IP_B, 1234, 7, "abc", 3,
			    0x55);
	assert_int_equal(len, NET_ETH_ZLEN);
	assert_int_equal(f[14], 0x45);
	assert_int_equal(f[16] << 8 | f[17], 20 + 8 + 3);	/* tot_len */
	assert_int_equal(f[23], NET_IPPROTO_UDP);
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_true(k.is_ipv4);
	assert_true(k.is_udp);
	assert_int_equal(k.ip_src, IP_A);
	assert_int_equal(k.ip_dst, IP_B);
	assert_int_equal(k.ip_ttl, 64);
	assert_int_equal(k.udp_sport, 1234);
	assert_int_equal(k.udp_dport, 7);
	assert_int_equal(k.udp_data_len, 3);	/* padding not included */
	assert_memory_equal(k.udp_data, "abc", 3);

	/* A flipped payload bit fails the UDP checksum, not the IP one. */
	f[NET_UDP_HDRS] ^= 1;
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_true(k.is_ipv4);
	assert_false(k.is_udp);
	/* Checksum 0 means none was computed: accepted. */
	f[NET_UDP_HDRS - 2] = f[NET_UDP_HDRS - 1] = 0;
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_true(k.is_udp);
	/* A flipped IP header bit fails the IP checksum. */
	f[22] ^= 1;
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_false(k.is_ipv4);
	/* tot_len beyond the frame. */
	len = net_build_udp(f, mac_b, mac_a, IP_A, IP_B, 1, 2, "x", 1, 0);
	assert_int_equal(net_parse(f, 40, &k), 0);
	assert_false(k.is_ipv4);
}

static void test_icmp(void **state)
{
	uint8_t f[256];
	struct net_pkt k;
	size_t len;

	len = net_build_icmp_echo(f, mac_b, mac_a, IP_A, IP_B,
				  NET_ICMP_ECHO_REQUEST, 0xbeef, 3,
				  "0123456789abcdefghijklmnopqrstuvwxyz", 36, 9);
	assert_int_equal(len, 14 + 20 + 8 + 36);
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_true(k.is_icmp);
	assert_int_equal(k.icmp_type, NET_ICMP_ECHO_REQUEST);
	assert_int_equal(k.icmp_id, 0xbeef);
	assert_int_equal(k.icmp_seq, 3);
	assert_int_equal(k.icmp_data_len, 36);
	f[len - 1] ^= 0xff;
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_false(k.is_icmp);
}

static void test_vlan(void **state)
{
	uint8_t f[256];
	struct net_pkt k;
	size_t len, tagged;

	len = net_build_udp(f, mac_b, mac_a, IP_A, IP_B, 1, 2, "x", 1, 0);
	tagged = net_vlan_push(f, len, 100);
	assert_int_equal(tagged, len + 4);
	assert_int_equal(f[12], 0x81);
	assert_int_equal(f[13], 0x00);
	assert_int_equal(f[14] << 8 | f[15], 100);
	assert_int_equal(net_parse(f, tagged, &k), 0);
	assert_true(k.tagged);
	assert_int_equal(k.vid, 100);
	assert_int_equal(k.ethertype, NET_ETHERTYPE_IPV4);
	assert_true(k.is_udp);
	assert_int_equal(net_vlan_pop(f, tagged), len);
	assert_int_equal(net_parse(f, len, &k), 0);
	assert_false(k.tagged);
	assert_true(k.is_udp);
	assert_int_equal(net_vlan_pop(f, len), len);	/* untagged: no-op */
	/* A tag with nothing after it is a runt. */
	assert_int_equal(net_parse(f, 15, &k), 0);
	f[12] = 0x81;
	f[13] = 0;
	assert_int_equal(net_parse(f, 17, &k), -EINVAL);
}

/* ---- stream sink ---- */

static void rx(struct stream_sink *s, uint16_t flow, uint64_t seq,
	       uint64_t now)
{
	struct stream_payload p = { .seq = seq, .tx_ns = now - 1000,
				    .flow = flow };
	uint8_t b[STREAM_PAYLOAD_LEN];

	stream_payload_put(b, &p);
	assert_true(stream_payload_get(b, sizeof(b), &p));
	assert_int_equal(p.seq, seq);
	stream_sink_rx(s, &p, now);
}

static void test_stream_payload(void **state)
{
	struct stream_payload p = { .seq = 0x0102030405060708ull,
				    .tx_ns = 99, .flow = 3 }, q;
	uint8_t b[STREAM_PAYLOAD_LEN];

	stream_payload_put(b, &p);
	assert_int_equal(b[0], 0x08);	/* little-endian */
	assert_true(stream_payload_get(b, sizeof(b), &q));
	assert_int_equal(q.seq, p.seq);
	assert_int_equal(q.tx_ns, 99);
	assert_int_equal(q.flow, 3);
	assert_false(stream_payload_get(b, sizeof(b) - 1, &q));
	p.flow = STREAM_MAX_FLOWS;
	stream_payload_put(b, &p);
	assert_false(stream_payload_get(b, sizeof(b), &q));
}

static void test_sink_accounting(void **state)
{
	static struct stream_sink s;
	uint64_t t = 1000000;

	memset(&s, 0, sizeof(s));
	rx(&s, 0, 0, t);
	rx(&s, 0, 1, t += 1000);
	rx(&s, 0, 4, t += 1000);	/* 2, 3 missing */
	assert_int_equal(s.lost, 2);
	rx(&s, 0, 2, t += 1000);	/* late: reordered */
	assert_int_equal(s.lost, 1);
	assert_int_equal(s.reordered, 1);
	rx(&s, 0, 2, t += 1000);	/* again: dup */
	rx(&s, 0, 4, t += 1000);
	assert_int_equal(s.dup, 2);
	rx(&s, 0, 5, t += 50000000);	/* a 50 ms silence */
	assert_int_equal(s.received, 5);
	assert_int_equal(s.lost, 1);
	assert_int_equal(s.max_gap_ns, 50000000);
	assert_int_equal(s.flows[0].received, 5);

	/* A second flow starting mid-stream loses nothing before it. */
	rx(&s, 7, 1000, t += 1000);
	rx(&s, 7, 1001, t += 1000);
	assert_int_equal(s.flows[7].lost, 0);
	assert_int_equal(s.flows[7].received, 2);
	assert_int_equal(s.received, 7);
	assert_int_equal(s.lat_count, 9);
	assert_int_equal(s.lat_max_ns, 1000);

	/* A gap wider than the window, then an old one: still sane. */
	rx(&s, 7, 1002 + 3 * STREAM_WINDOW, t += 1000);
	assert_int_equal(s.flows[7].lost, 3 * STREAM_WINDOW);
	rx(&s, 7, 1500, t += 1000);	/* too old to tell: fills a gap */
	assert_int_equal(s.flows[7].lost, 3 * STREAM_WINDOW - 1);
	assert_int_equal(s.flows[7].reordered, 1);
	rx(&s, 7, 1003 + 3 * STREAM_WINDOW - 10, t += 1000); /* in window */
	assert_int_equal(s.flows[7].reordered, 2);
	rx(&s, 7, 1003 + 3 * STREAM_WINDOW - 10, t += 1000);
	assert_int_equal(s.flows[7].dup, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_csum),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_stream_payload),
		cmocka_unit_test(test_sink_accounting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
