/* test_format.c - util/format.c, the printf of quiver's static build,
 * against the C library's vsnprintf (musl here, glibc in the sanitizer
 * builds): every conversion, flag, width, precision and length quiver's
 * formats use and their corner cases, integers at their limits, and %f of
 * random doubles of every exponent (exact digits, ties to even) at
 * precisions 0-20 and far beyond the last nonzero digit.  %p, where musl
 * and glibc differ, is checked against musl's text. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tq.h"
#include "util/format.h"

void suite_format(struct tq *t);

#define OUT_MAX 4096

static void same(struct tq *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void same(struct tq *t, const char *fmt, ...)
{
	static char want[OUT_MAX], got[OUT_MAX];
	va_list ap, aq;
	int wn, gn;

	va_start(ap, fmt);
	va_copy(aq, ap);
	wn = vsnprintf(want, sizeof want, fmt, ap);
	gn = format_buf_v(got, sizeof got, fmt, aq);
	va_end(aq);
	va_end(ap);
	if (!TQ_INT(t, gn, wn) || !TQ_STR(t, got, want))
		(void)fprintf(stderr, "  format \"%s\"\n", fmt);
}

/* format_buf_v without the format attribute: for what it must refuse. */
static int fmt_raw(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = format_buf_v(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

static void t_text(struct tq *t)
{
	same(t, "%s", "");
	same(t, "plain text, no conversion");
	same(t, "100%% sure, %%%s%%", "x");
	same(t, "[%s] [%9s] [%-8s] [%.2s] [%8.3s] [%-6.1s]|", "abc", "abc", "abc", "abc", "abc",
	     "abc");
	same(t, "[%.*s] [%.*s] [%*s] [%-*s]", 3, "abcdef", -1, "abc", 5, "ab", 5, "ab");
	same(t, "[%.120s]", "short");
	same(t, "[%c%c%c] [%3c] [%-3c]", 'a', 'b', 'c', 'x', 'y');
	same(t, "%s", (const char *)NULL);
}

/* The tables below hold formats the compiler cannot check at the call; each
 * is matched with its argument by hand. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static void t_ints(struct tq *t)
{
	static const int iv[] = {0, 1, -1, 7, -42, 99999, INT_MAX, INT_MIN};
	static const char *const ifm[] = {
		"[%d]", "[%i]", "[%5d]", "[%-5d]", "[%05d]", "[%+d]", "[% d]", "[%.3d]", "[%.0d]",
		"[%8.3d]", "[%-8.3d]", "[%08.3d]", "[%+05d]", "[%-05d]", "[% 6d]", "[%3u]",
		"[%u]", "[%x]", "[%X]", "[%#x]", "[%#X]", "[%04x]", "[%#06x]", "[%o]", "[%#o]",
		"[%#.0o]", "[%.0x]", "[%#.0x]", "[%11u]", "[%03u]", "[%02u]", "[%#5o]",
	};
	size_t i, j;

	for (i = 0; i < sizeof ifm / sizeof ifm[0]; i++)
		for (j = 0; j < sizeof iv / sizeof iv[0]; j++)
			same(t, ifm[i], iv[j]);
	same(t, "%hhd %hhu %hd %hu %hhx", (signed char)-56, (unsigned char)200, (short)-1234,
	     (unsigned short)65535, (unsigned char)255);
	same(t, "%ld %lu %lx %02lu", LONG_MIN, ULONG_MAX, ULONG_MAX, 7ul);
	same(t, "%lld %llu %llX %02lld %04lld", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, -3ll, 12ll);
	same(t, "%jd %ju %zu %zx %zo %zd %td", INTMAX_MIN, UINTMAX_MAX, SIZE_MAX, (size_t)255,
	     (size_t)8, (ptrdiff_t)-5, (ptrdiff_t)-70);
	same(t, "[%0*llu] [%*d] [%-*d] [%.*d]", 12, 345ull, -6, 1, 4, 2, -3, 5);
	same(t, "%" PRIu64 " %" PRIx64, UINT64_MAX, (uint64_t)0xdeadbeefcafe);
}

static void t_pointer(struct tq *t)
{
	char buf[64];

	/* musl: at least 16 digits (a 64-bit pointer), 0x unless null */
	(void)fmt_raw(buf, sizeof buf, "%p|%p", (void *)(uintptr_t)0x1234, (void *)NULL);
	if (sizeof(void *) == 8)
		TQ_STR(t, buf, "0x0000000000001234|0000000000000000");
	else
		TQ_STR(t, buf, "0x00001234|00000000");
}

static void t_fixed(struct tq *t)
{
	static const double dv[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 9.995, 99.95, 999.5,
		0.05, 0.15, 0.25, 0.35, 1e-7, 123456.789, 1023.999, 1e15, 1e16 + 2, 9007199254740993.0,
		1.8e19, 1e22, 1e300, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308,
		0.1, 0.2, 0.3, 2.675, 1.005,
	};
	static const char *const ffm[] = {
		"[%f]", "[%.0f]", "[%.1f]", "[%.2f]", "[%.3f]", "[%.17f]", "[%8.2f]", "[%-8.2f]",
		"[%08.2f]", "[%+.2f]", "[% .1f]", "[%#.0f]", "[%F]", "[%.2lf]", "[%+08.1f]",
	};
	size_t i, j;

	for (i = 0; i < sizeof ffm / sizeof ffm[0]; i++)
		for (j = 0; j < sizeof dv / sizeof dv[0]; j++)
			same(t, ffm[i], dv[j]);
	same(t, "[%f] [%F] [%5f] [%-6f] [%06f] [%+f]", (double)INFINITY, (double)-INFINITY,
	     (double)INFINITY, (double)INFINITY, (double)-INFINITY, (double)INFINITY);
	same(t, "[%f] [%F] [%5.1f]", (double)NAN, (double)NAN, (double)NAN);
	same(t, "[%.1074f]", 5e-324);
	same(t, "[%.1100f]", 0.1);
	same(t, "[%.*f] [%.*f]", 3, 2.0005, -1, 2.0005);
	same(t, "%s in %.2fs, %8.2fx", "1 KiB", 0.0049999, 12.3456);
}

#pragma GCC diagnostic pop

/* Random doubles: every exponent, %f at precisions 0-20. */
static void t_fixed_random(struct tq *t)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int i;

	for (i = 0; i < 3000; i++) {
		double v;
		uint64_t bits;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bits = x;
		if (i % 3 != 0) /* mostly values a person would print */
			bits = (bits & 0x800fffffffffffffull) | (uint64_t)(1023 - 40 + (int)(x >> 52) % 80) << 52;
		memcpy(&v, &bits, sizeof v);
		if (isnan(v))
			continue;
		same(t, "%.*f", i % 21, v);
	}
}

static void t_truncate(struct tq *t)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	TQ_INT(t, fmt_raw(buf, 0, "%s", "hello"), 5);
	TQ_INT(t, buf[0], 'x');
	TQ_INT(t, fmt_raw(buf, 1, "%s", "hello"), 5);
	TQ_STR(t, buf, "");
	TQ_INT(t, fmt_raw(buf, 4, "%d-%s", 12, "abc"), 6);
	TQ_STR(t, buf, "12-");
	TQ_INT(t, fmt_raw(buf, sizeof buf, "%5.1f", 2.25), 5);
	TQ_STR(t, buf, "  2.2");
}

static void t_refused(struct tq *t)
{
	static const char *const bad[] = {"%e", "%g", "%G", "%a", "%n", "%1$d", "%Lf", "%ls", "%lc",
					  "%q", "%", "%5%", "x%y"};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int dummy = 0;

		errno = 0;
		if (!TQ_INT(t, fmt_raw(buf, sizeof buf, bad[i], &dummy), -1) || !TQ_INT(t, errno, EINVAL))
			(void)fprintf(stderr, "  format \"%s\"\n", bad[i]);
	}
	errno = 0;
	TQ_INT(t, fmt_raw(buf, sizeof buf, "%3000000000d", 1), -1);
	TQ_INT(t, errno, EOVERFLOW);
}

void suite_format(struct tq *t)
{
	tq_run(t, "text", t_text);
	tq_run(t, "ints", t_ints);
	tq_run(t, "pointer", t_pointer);
	tq_run(t, "fixed", t_fixed);
	tq_run(t, "fixed_random", t_fixed_random);
	tq_run(t, "truncate", t_truncate);
	tq_run(t, "refused", t_refused);
}
