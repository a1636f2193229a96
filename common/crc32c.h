/* CRC-32C (Castagnoli), the checksum of Kafka record batch v2. The SSE4.2 instruction is used
 * when the CPU has it, a portable table otherwise; the choice is made once, at run time. */
#ifndef GREGOR_CRC32C_H
#define GREGOR_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Extends crc over data. Start with crc = 0; chaining is allowed:
 * crc32c(crc32c(0, a, n), b, m) == crc32c(0, ab, n + m). "123456789" gives 0xE3069283. */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

/* The two implementations, exposed so tests can check each against the vectors. */
uint32_t crc32c_portable(uint32_t crc, const void *data, size_t len);
uint32_t crc32c_hw(uint32_t crc, const void *data, size_t len); /* only if crc32c_hw_available() */
bool crc32c_hw_available(void);
const char *crc32c_impl_name(void); /* "sse4.2" or "table" */

#endif
