/* CRC-32 (IEEE 802.3, reflected, as zlib) for container checksums. */
#ifndef BM_CRC_H
#define BM_CRC_H
#include <stddef.h>
#include <stdint.h>
uint32_t bm_crc32(uint32_t crc, const void *buf, size_t n);
#endif
