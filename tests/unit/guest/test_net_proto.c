// SPDX-License-Identifier: MIT
/* The guest IPv4 stack's stateless parts and ARP cache, on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net/arp.h"
#include "net/bytes.h"
#include "net/proto.h"

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 2 };
#define IP_A 0x0a000001u
#define IP_B 0x0a000002u

/* RFC 1071 section 3's example: the sum of 00 01 f2 03 f4 f5 f6 f7 is
 * ddf2, so the checksum is its complement. */
static void test_csum_rfc1071(void **state)
{
	static const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03,
				     0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(csum_fold(csum_partial(d, sizeof(d), 0)),
			 (uint16_t)~0xddf2);
	/* odd length pads with a zero byte */
	assert_int_equal(csum_fold(csum_partial(d, 1, 0)), (uint16_t)~0x0000);
}

/* The sum byte pair by byte pair, as RFC 1071 defines it. */
static uint16_t csum_pairs(const uint8_t *p, size_t len, uint64_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return csum_fold(sum);
}

/* The word-at-a-time sum agrees with it at every length and alignment,
 * on data whose words carry (all 0xff) and on varied bytes. */
static void test_csum_words(void **state)
{
	static uint8_t buf[1600 + 8];
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (unsigned off = 0; off < 8; off++)
		for (size_t len = 0; len <= 1600; len += len < 40 ? 1 : 37)
			assert_int_equal(csum_fold(csum_partial(buf + off, len,
								0x1234)),
					 csum_pairs(buf + off, len, 0x1234));
	memset(buf, 0xff, sizeof(buf));
	for (size_t len = 0; len <= 1600; len += 61)
		assert_int_equal(csum_fold(csum_partial(buf, len, 0xffff)),
				 csum_pairs(buf, len, 0xffff));
}

static size_t build_udp(uint8_t *f, uint16_t payload)
{
	memset(f, 0, 1600);
	eth_put(f, mac_b, mac_a, ETH_P_IPV4);
	ip_put(f, IP_A, IP_B, IP_PROTO_UDP, UDP_HLEN + payload, 7);
	udp_put(f, 10000, 9000, payload);
	memset(f + OFF_UDP_PAYLOAD, 0x5a, payload);
	udp_csum_fill(f);
	return OFF_UDP_PAYLOAD + payload;
}

static void test_udp_build_parse(void **state)
{
	uint8_t f[1600];
	size_t len = build_udp(f, 18);
	struct net_rx r;

	(void)state;
	/* a known IPv4 header checksum verifies to zero */
	assert_int_equal(csum_fold(csum_partial(f + OFF_IP, IP_HLEN, 0)), 0);
	net_parse(f, len, &r);
	assert_int_equal(r.kind, NET_UDP);
	assert_int_equal(r.src_ip, IP_A);
	assert_int_equal(r.dst_ip, IP_B);
	assert_int_equal(r.sport, 10000);
	assert_int_equal(r.dport, 9000);
	assert_int_equal(r.payload_off, OFF_UDP_PAYLOAD);
	assert_int_equal(r.payload_len, 18);
	assert_int_equal(r.ttl, IP_DEFAULT_TTL);
	assert_true(net_udp_csum_ok(f, &r));
	f[OFF_UDP_PAYLOAD + 3] ^= 1;
	assert_false(net_udp_csum_ok(f, &r));
	/* checksum 0 means none */
	put_be16(f + OFF_L4 + 6, 0);
	assert_true(net_udp_csum_ok(f, &r));
}

static void test_parse_rejects(void **state)
{
	uint8_t f[1600];
	size_t len = build_udp(f, 100);
	struct net_rx r;

	(void)state;
	net_parse(f, 13, &r);
	assert_int_equal(r.kind, NET_BAD);
	/* IP total length beyond the frame */
	net_parse(f, OFF_UDP_PAYLOAD + 10, &r);
	assert_int_equal(r.kind, NET_BAD);
	/* bad header checksum */
	f[OFF_IP + 8]--;
	net_parse(f, len, &r);
	assert_int_equal(r.kind, NET_BAD);
	f[OFF_IP + 8]++;
	/* UDP length beyond the IP payload */
	put_be16(f + OFF_L4 + 4, 200);
	net_parse(f, len, &r);
	assert_int_equal(r.kind, NET_BAD);
	put_be16(f + OFF_L4 + 4, UDP_HLEN + 100);
	/* a fragment is not parsed further */
	put_be16(f + OFF_IP + 6, 0x2000);
	put_be16(f + OFF_IP + 10, 0);
	put_be16(f + OFF_IP + 10, csum_fold(csum_partial(f + OFF_IP,
							 IP_HLEN, 0)));
	net_parse(f, len, &r);
	assert_int_equal(r.kind, NET_OTHER);
	/* not IPv4 or ARP */
	put_be16(f + 12, 0x86dd);
	net_parse(f, len, &r);
	assert_int_equal(r.kind, NET_OTHER);
}

static void test_icmp_and_arp(void **state)
{
	uint8_t f[128] = { 0 };
	struct net_rx r;

	(void)state;
	eth_put(f, mac_b, mac_a, ETH_P_IPV4);
	ip_put(f, IP_A, IP_B, IP_PROTO_ICMP, ICMP_HLEN + 8, 1);
	f[OFF_L4] = ICMP_ECHO_REQUEST;
	put_be16(f + OFF_L4 + 4, 0x1234);
	put_be16(f + OFF_L4 + 6, 42);
	icmp_csum_fill(f, ICMP_HLEN + 8);
	net_parse(f, OFF_ICMP_DATA + 8, &r);
	assert_int_equal(r.kind, NET_ICMP);
	assert_int_equal(r.icmp_type, ICMP_ECHO_REQUEST);
	assert_int_equal(r.icmp_id, 0x1234);
	assert_int_equal(r.icmp_seq, 42);
	assert_int_equal(r.payload_len, 8);
	assert_int_equal(csum_fold(csum_partial(f + OFF_L4, ICMP_HLEN + 8, 0)),
			 0);

	memset(f, 0, sizeof(f));
	eth_put(f, eth_broadcast, mac_a, ETH_P_ARP);
	arp_put(f, ARP_OP_REQUEST, mac_a, IP_A, mac_b, IP_B);
	net_parse(f, ETH_HLEN + ARP_LEN, &r);
	assert_int_equal(r.kind, NET_ARP);
	assert_int_equal(get_be16(f + ETH_HLEN + 6), ARP_OP_REQUEST);
	assert_memory_equal(f + ETH_HLEN + 8, mac_a, 6);
	assert_int_equal(get_be32(f + ETH_HLEN + 24), IP_B);
	net_parse(f, ETH_HLEN + ARP_LEN - 1, &r);
	assert_int_equal(r.kind, NET_BAD);
}

static void test_ip_parse_format(void **state)
{
	uint32_t ip = 0;
	unsigned int prefix = 99;
	char s[16];

	(void)state;
	assert_int_equal(ip_parse("10.0.2.15/24", &ip, &prefix), 0);
	assert_int_equal(ip, 0x0a00020fu);
	assert_int_equal(prefix, 24);
	assert_int_equal(ip_parse("255.255.255.255", &ip, NULL), 0);
	assert_int_equal(ip, 0xffffffffu);
	assert_int_not_equal(ip_parse("256.0.0.1", &ip, NULL), 0);
	assert_int_not_equal(ip_parse("10.0.0", &ip, NULL), 0);
	assert_int_not_equal(ip_parse("10.0.0.1/33", &ip, &prefix), 0);
	assert_int_not_equal(ip_parse("10.0.0.1x", &ip, NULL), 0);
	ip_format(0x0a00020fu, s);
	assert_string_equal(s, "10.0.2.15");
	ip_format(0xc0a8ff01u, s);
	assert_string_equal(s, "192.168.255.1");
}

static void test_arp_cache(void **state)
{
	struct arp_cache c;
	uint8_t m[6];
	unsigned int i;

	(void)state;
	arp_cache_init(&c, 100);
	assert_false(arp_cache_lookup(&c, IP_B, m, 0));
	assert_false(arp_cache_refresh(&c, IP_B, mac_b, 0));
	arp_cache_update(&c, IP_B, mac_b, 10);
	assert_true(arp_cache_lookup(&c, IP_B, m, 50));
	assert_memory_equal(m, mac_b, 6);
	assert_false(arp_cache_lookup(&c, IP_B, m, 110));	/* expired */
	assert_true(arp_cache_refresh(&c, IP_B, mac_a, 120));
	assert_true(arp_cache_lookup(&c, IP_B, m, 200));
	assert_memory_equal(m, mac_a, 6);
	/* full: the entry expiring first goes */
	for (i = 1; i < ARP_CACHE_SIZE; i++)
		arp_cache_update(&c, 0x0b000000u + i, mac_a, 1000 + i);
	assert_int_equal(arp_cache_count(&c, 1000), ARP_CACHE_SIZE - 1);
	arp_cache_update(&c, 0x0c000001u, mac_b, 2000);
	assert_false(arp_cache_lookup(&c, IP_B, m, 1001));
	assert_true(arp_cache_lookup(&c, 0x0c000001u, m, 2001));
	arp_cache_update(&c, 0x0c000002u, mac_b, 2000);
	assert_false(arp_cache_lookup(&c, 0x0b000001u, m, 1002));
	/* address 0 is never cached */
	arp_cache_update(&c, 0, mac_b, 3000);
	assert_false(arp_cache_lookup(&c, 0, m, 3000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_rfc1071),
		cmocka_unit_test(test_csum_words),
		cmocka_unit_test(test_udp_build_parse),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_icmp_and_arp),
		cmocka_unit_test(test_ip_parse_format),
		cmocka_unit_test(test_arp_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
