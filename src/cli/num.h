/* num.h - the checked number parser behind every numeric option of every
 * command (through cli/opt.c) and the batch-system numbers of --shard: plain
 * decimal text only (no sign, blank, hex, exponent or underscore: strtoul
 * and strtod take all of them, and strtod costs ~7 KiB of static binary),
 * checked against its range before anything can wrap; what the type cannot
 * hold (2^64 + 4, a fourth decimal of a millisecond) is refused, never
 * truncated. */
#ifndef QV_CLI_NUM_H
#define QV_CLI_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest duration option: a day is surely a typo beyond. */
#define NUM_SECS_MAX_MS (86400u * 1000u)
/* Largest byte count (4294967296G): a size, or the sum of two, still fits
 * an off_t and the int64 arithmetic of rates and offsets. */
#define NUM_SIZE_MAX (1ull << 62)

enum num_result {
	NUM_OK = 0,
	NUM_SYNTAX,       /* not plain decimal text of this kind, or too many decimals */
	NUM_LOW,          /* below the range: negative numbers are */
	NUM_HIGH          /* above the range: anything past 2^64 - 1 is */
};

/* The number in s[0..len): digits, then with decimals > 0 (at most 9) an
 * optional fraction ("2.5", ".25"; not "2.") of at most that many digits,
 * scaled by 10^decimals (("6.1", 3) is 6100), or with suffix an optional k,
 * M or G (binary, as curl: "64k" is 65536).  *out is set only on NUM_OK,
 * when the value is in [min, max]; '-' before a number gives NUM_LOW. */
enum num_result num_parse(const char *s, size_t len, unsigned decimals, bool suffix, uint64_t min,
			  uint64_t max, uint64_t *out);

/* A whole number in s[0..len), in [min, max]. */
enum num_result num_parse_uint(const char *s, size_t len, uint64_t min, uint64_t max,
			       uint64_t *out);

#endif
