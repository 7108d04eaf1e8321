/* SPDX-License-Identifier: MIT */
#ifndef IOPATH_CORE_CRC32C_H
#define IOPATH_CORE_CRC32C_H

/*
 * CRC-32C (Castagnoli, the iSCSI/ext4 CRC, RFC 3720 appendix B.4): the
 * migration stream's section checksum. The SSE4.2 crc32 instruction when
 * the CPU has it (gigabytes per second, so checksumming RAM costs little
 * of the downtime), a table otherwise.
 */

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC over @len bytes: start with crc32c(0, p, n) and feed the
 * result back for the next piece. crc32c(0, "123456789", 9) is
 * 0xE3069283.
 */
uint32_t crc32c(uint32_t crc, const void *p, size_t len);

#endif
