/* Table-driven CRC-32; see bm_crc.h. */
#include "bm_crc.h"

static uint32_t table[256];
static int ready;

static void init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    ready = 1;
}

uint32_t bm_crc32(uint32_t crc, const void *buf, size_t n)
{
    if (!ready)
        init();
    const uint8_t *p = buf;
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
