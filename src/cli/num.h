/* num.h - the checked number parsers behind every numeric option of every
 * command: each accepts plain decimal text only and rejects what it cannot
 * represent (no strtoul: it takes signs, blanks and hex). */
#ifndef QV_CLI_NUM_H
#define QV_CLI_NUM_H

#include <stdbool.h>
#include <stdint.h>

/* Longest duration option: a day is surely a typo beyond. */
#define NUM_SECS_MAX_MS (86400u * 1000u)

/* Parse seconds ("6.1", "30", "0.25"; at most 3 decimals) into ms, > 0 and
 * <= NUM_SECS_MAX_MS, or 0 too when allow_zero.  false when invalid. */
bool num_parse_secs(const char *s, bool allow_zero, uint32_t *ms);
/* Parse a decimal count in [min, max].  false when invalid. */
bool num_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);
/* Parse a byte count with an optional binary suffix: "1000", "64k", "64K",
 * "10M", "2G" (k = 1024, as curl).  false when invalid or over 2^62. */
bool num_parse_size(const char *s, uint64_t *out);

#endif
