/* Table-driven CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of a 4 KiB pseudo-random buffer, chained
 * REPS times: crc = crc32(crc, buf). The table and the buffer are built at start-up. Returns the final CRC. */
#include <stdint.h>

#define LEN 4096
static uint32_t table[256];
static uint8_t buf[LEN];
volatile uint64_t reps = REPS;

static uint32_t crc32(uint32_t crc, const uint8_t *p, unsigned len) {
  crc = ~crc;
  for (unsigned i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint64_t main(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    table[n] = c;
  }
  uint32_t x = 12345;
  for (unsigned i = 0; i < LEN; i++) {
    x = x * 1103515245u + 12345u;
    buf[i] = (uint8_t)(x >> 16);
  }
  uint32_t crc = 0;
  uint64_t n = reps;
  for (uint64_t r = 0; r < n; r++) {
    __asm__ volatile("" ::: "memory");
    crc = crc32(crc, buf, LEN);
  }
  return crc;
}
