// SPDX-License-Identifier: MIT
/* CRC-32C (crc32c.h): SSE4.2 when present, else a byte table. */
#include <stdbool.h>
#include <string.h>

#include "core/crc32c.h"

#define CRC32C_POLY_REFLECTED	0x82F63B78u

static uint32_t crc32c_table[256];

static void crc32c_table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (c & 1 ? CRC32C_POLY_REFLECTED : 0);
		crc32c_table[i] = c;
	}
}

static uint32_t crc32c_sw(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t len)
{
	uint64_t c = crc;

	while (len && ((uintptr_t)p & 7)) {
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
		len--;
	}
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
	}
	while (len--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}

static bool crc32c_have_hw(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("sse4.2");
}
#else
static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p, size_t len)
{
	return crc32c_sw(crc, p, len);
}

static bool crc32c_have_hw(void)
{
	return false;
}
#endif

uint32_t crc32c(uint32_t crc, const void *p, size_t len)
{
	/* 0: not decided yet; 1: table; 2: instruction. Racing first
	 * callers compute the same table and answer. */
	static int mode_once;
	int mode = __atomic_load_n(&mode_once, __ATOMIC_ACQUIRE);

	if (!mode) {
		crc32c_table_init();
		mode = crc32c_have_hw() ? 2 : 1;
		__atomic_store_n(&mode_once, mode, __ATOMIC_RELEASE);
	}
	crc = ~crc;
	crc = mode == 2 ? crc32c_hw(crc, p, len) : crc32c_sw(crc, p, len);
	return ~crc;
}
