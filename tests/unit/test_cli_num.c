/* test_cli_num.c - the checked number parser of every numeric option
 * (src/cli/num.c): whole numbers, seconds to the millisecond, probabilities
 * to the millionth and sizes with k/M/G, at and just past every boundary,
 * 2^64 - 1, 2^64 and 2^64 + 4 (which once wrapped to 4), and the text
 * strtoul would take but a plain decimal is not.  Each input is parsed from
 * right before a guard page, so a read past its length faults. */
#include <stdio.h>
#include <string.h>

#include "cli/num.h"
#include "tq.h"

void suite_cli_num(struct tq *t);

/* One case: text, decimals, suffix, range, and what must come out. */
struct num_case {
	const char *s;
	unsigned decimals;
	bool suffix;
	uint64_t min, max;
	enum num_result want;
	uint64_t value;             /* when NUM_OK */
};

static void check(struct tq *t, const struct num_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(c[i].s);
		uint8_t *p = tq_guard_dup(c[i].s, len);
		uint64_t v = 12345;
		enum num_result r;

		if (!TQ_TRUE(t, p != NULL))
			return;
		r = num_parse((const char *)p, len, c[i].decimals, c[i].suffix, c[i].min, c[i].max, &v);
		if (!TQ_INT(t, r, c[i].want) ||
		    !TQ_TRUE(t, c[i].want == NUM_OK ? v == c[i].value : v == 12345))
			(void)fprintf(stderr, "  input '%s' (decimals %u, suffix %d, %llu..%llu)\n",
				      c[i].s, c[i].decimals, (int)c[i].suffix,
				      (unsigned long long)c[i].min, (unsigned long long)c[i].max);
		tq_guard_free(p, len);
	}
}

#define U64 UINT64_MAX

static void t_uint(struct tq *t)
{
	static const struct num_case c[] = {
		{"0", 0, false, 0, 1000, NUM_OK, 0},
		{"8", 0, false, 1, 1000, NUM_OK, 8},
		{"1000", 0, false, 1, 1000, NUM_OK, 1000},        /* max */
		{"1001", 0, false, 1, 1000, NUM_HIGH, 0},         /* max + 1 */
		{"0", 0, false, 1, 1000, NUM_LOW, 0},
		{"007", 0, false, 1, 1000, NUM_OK, 7},
		{"000000000000000000000000000001", 0, false, 1, 1, NUM_OK, 1},
		{"18446744073709551615", 0, false, 0, U64, NUM_OK, U64}, /* 2^64 - 1 */
		{"18446744073709551616", 0, false, 0, U64, NUM_HIGH, 0}, /* 2^64 */
		{"18446744073709551620", 0, false, 0, U64, NUM_HIGH, 0}, /* 2^64 + 4 */
		{"18446744073709551620", 0, false, 1, 1000, NUM_HIGH, 0},
		{"99999999999999999999999999999", 0, false, 0, U64, NUM_HIGH, 0},
		{"-1", 0, false, 0, 1000, NUM_LOW, 0},
		{"-0", 0, false, 0, 1000, NUM_LOW, 0},
		{"-18446744073709551620", 0, false, 0, U64, NUM_LOW, 0},
		{"", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"-", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"--1", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"+1", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{" 1", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1 ", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1\n", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"x", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1x", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"0x10", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1e3", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1_000", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1.0", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"1k", 0, false, 0, 1000, NUM_SYNTAX, 0},
		{"99999999999999999999x", 0, false, 0, U64, NUM_SYNTAX, 0},
	};
	uint64_t v = 0;

	check(t, c, sizeof c / sizeof c[0]);
	/* the length is the end: "12" of "123", and no NUL needed */
	TQ_INT(t, num_parse_uint("123", 2, 0, 1000, &v), NUM_OK);
	TQ_INT(t, v, 12);
	TQ_INT(t, num_parse_uint("1\0", 2, 0, 1000, &v), NUM_SYNTAX);
	TQ_INT(t, num_parse_uint("5", 0, 0, 1000, &v), NUM_SYNTAX);
}

static void t_secs(struct tq *t)
{
	static const struct num_case c[] = {
		{"6.1", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, 6100},
		{"30", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, 30000},
		{".25", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, 250},
		{"0.001", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, 1},           /* min */
		{"1.000", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, 1000},
		{"86400", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, NUM_SECS_MAX_MS}, /* max */
		{"86400.000", 3, false, 1, NUM_SECS_MAX_MS, NUM_OK, NUM_SECS_MAX_MS},
		{"86400.001", 3, false, 1, NUM_SECS_MAX_MS, NUM_HIGH, 0},     /* max + 1 */
		{"0", 3, false, 0, NUM_SECS_MAX_MS, NUM_OK, 0},
		{"0", 3, false, 1, NUM_SECS_MAX_MS, NUM_LOW, 0},
		{"0.0019", 3, false, 1, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},     /* was 1 ms */
		{"0.0001", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},     /* was 0 */
		{"1.0000", 3, false, 1, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"18446744073709551.615", 3, false, 0, U64, NUM_OK, U64},
		{"18446744073709551.616", 3, false, 0, U64, NUM_HIGH, 0},
		{"18446744073709552", 3, false, 0, U64, NUM_HIGH, 0},
		{"18446744073709551620", 3, false, 1, NUM_SECS_MAX_MS, NUM_HIGH, 0},
		{"99999999999999999999", 3, false, 1, NUM_SECS_MAX_MS, NUM_HIGH, 0},
		{"-1", 3, false, 0, NUM_SECS_MAX_MS, NUM_LOW, 0},
		{"-0.5", 3, false, 0, NUM_SECS_MAX_MS, NUM_LOW, 0},
		{"", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{".", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"1.", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"1..5", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"+1", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{" 1", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"1s", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"1e3", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"1,5", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"0x1p3", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"inf", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
		{"nan", 3, false, 0, NUM_SECS_MAX_MS, NUM_SYNTAX, 0},
	};

	check(t, c, sizeof c / sizeof c[0]);
}

static void t_millionths(struct tq *t)
{
	static const struct num_case c[] = {
		{"1", 6, false, 0, 1000000, NUM_OK, 1000000},             /* max */
		{"0", 6, false, 0, 1000000, NUM_OK, 0},
		{"0.25", 6, false, 0, 1000000, NUM_OK, 250000},
		{"0.000001", 6, false, 0, 1000000, NUM_OK, 1},
		{"1.000001", 6, false, 0, 1000000, NUM_HIGH, 0},          /* max + 1 */
		{"2", 6, false, 0, 1000000, NUM_HIGH, 0},
		{"0.0000001", 6, false, 0, 1000000, NUM_SYNTAX, 0},       /* was 0 */
		{"0.00000000000000000001", 6, false, 0, 1000000, NUM_SYNTAX, 0},
		{"18446744073709551620", 6, false, 0, 1000000, NUM_HIGH, 0},
		{"-0.5", 6, false, 0, 1000000, NUM_LOW, 0},
		{"1e-3", 6, false, 0, 1000000, NUM_SYNTAX, 0},
	};

	check(t, c, sizeof c / sizeof c[0]);
}

static void t_size(struct tq *t)
{
	static const struct num_case c[] = {
		{"1000", 0, true, 1, NUM_SIZE_MAX, NUM_OK, 1000},
		{"64k", 0, true, 1, NUM_SIZE_MAX, NUM_OK, 65536},
		{"64K", 0, true, 1, NUM_SIZE_MAX, NUM_OK, 65536},
		{"2M", 0, true, 1, NUM_SIZE_MAX, NUM_OK, 2u << 20},
		{"1g", 0, true, 1, NUM_SIZE_MAX, NUM_OK, 1u << 30},
		{"1", 0, true, 1, NUM_SIZE_MAX, NUM_OK, 1},                            /* min */
		{"4294967296G", 0, true, 1, NUM_SIZE_MAX, NUM_OK, NUM_SIZE_MAX},       /* max */
		{"4611686018427387904", 0, true, 1, NUM_SIZE_MAX, NUM_OK, NUM_SIZE_MAX},
		{"4611686018427387905", 0, true, 1, NUM_SIZE_MAX, NUM_HIGH, 0},        /* max + 1 */
		{"4294967297G", 0, true, 1, NUM_SIZE_MAX, NUM_HIGH, 0},
		{"17179869184G", 0, true, 0, U64, NUM_HIGH, 0},                        /* 2^64 */
		{"18014398509481983k", 0, true, 0, U64, NUM_OK, U64 - 1023},
		{"18446744073709551615", 0, true, 0, U64, NUM_OK, U64},
		{"18446744073709551620", 0, true, 1, NUM_SIZE_MAX, NUM_HIGH, 0},       /* was 4 */
		{"18446744073709551620", 0, true, 0, U64, NUM_HIGH, 0},
		{"1844674407370955162k", 0, true, 0, U64, NUM_HIGH, 0},
		{"8000000000G", 0, true, 1, NUM_SIZE_MAX, NUM_HIGH, 0},
		{"0", 0, true, 1, NUM_SIZE_MAX, NUM_LOW, 0},
		{"0k", 0, true, 1, NUM_SIZE_MAX, NUM_LOW, 0},
		{"-1", 0, true, 1, NUM_SIZE_MAX, NUM_LOW, 0},
		{"-1k", 0, true, 1, NUM_SIZE_MAX, NUM_LOW, 0},
		{"", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"k", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"1.5M", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"10T", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"1kk", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"1 k", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"1kB", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"+1k", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
		{"0x10", 0, true, 1, NUM_SIZE_MAX, NUM_SYNTAX, 0},
	};

	check(t, c, sizeof c / sizeof c[0]);
}

void suite_cli_num(struct tq *t)
{
	tq_run(t, "whole numbers: boundaries, 2^64 + 4, signs, blanks, hex", t_uint);
	tq_run(t, "seconds: to the millisecond, more decimals refused", t_secs);
	tq_run(t, "probabilities: to the millionth", t_millionths);
	tq_run(t, "sizes: k/M/G, 2^62, 2^64 + 4 refused", t_size);
}
