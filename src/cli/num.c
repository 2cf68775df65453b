/* num.c - the checked number parser of every command's options (see num.h). */
#include "cli/num.h"

/* Decimal digits from *p on (before end) into *v; *over once the value
 * passes 2^64 - 1 (checked before multiplying, so nothing wraps).  Returns
 * how many digits there were. */
static size_t num_digits(const char **p, const char *end, uint64_t *v, bool *over)
{
	const char *q = *p;
	size_t n;

	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');

		if (*v > (UINT64_MAX - d) / 10u)
			*over = true;
		else
			*v = *v * 10u + d;
	}
	n = (size_t)(q - *p);
	*p = q;
	return n;
}

/* The multiplier of a size suffix at *p (advanced past it), 1 when none,
 * 0 when *p is not one. */
static uint64_t num_suffix(const char **p, const char *end)
{
	if (*p == end)
		return 1;
	switch (*(*p)++) {
	case 'k': case 'K': return 1ull << 10;
	case 'm': case 'M': return 1ull << 20;
	case 'g': case 'G': return 1ull << 30;
	default: return 0;
	}
}

/* p[0..end) without a sign: false when it is not a number of this kind;
 * else *v, or *over when the value passes 2^64 - 1. */
static bool num_scan(const char *p, const char *end, unsigned decimals, bool suffix, uint64_t *v,
		     bool *over)
{
	uint64_t frac = 0, mul = 1;
	size_t whole, fdigits = 0;
	bool fover = false;
	unsigned i;

	whole = num_digits(&p, end, v, over);
	if (decimals > 0 && p < end && *p == '.') {
		p++;
		fdigits = num_digits(&p, end, &frac, &fover);
		if (fdigits == 0 || fdigits > decimals)
			return false; /* "2.", or more precision than the unit holds */
	}
	if (whole + fdigits == 0)
		return false;
	if (suffix && (mul = num_suffix(&p, end)) == 0)
		return false;
	if (p != end)
		return false;
	for (i = 0; i < decimals; i++) {
		mul *= 10u;
		if (i >= fdigits)
			frac *= 10u;
	}
	if (*over || *v > (UINT64_MAX - frac) / mul)
		*over = true;
	else
		*v = *v * mul + frac;
	return true;
}

enum num_result num_parse(const char *s, size_t len, unsigned decimals, bool suffix, uint64_t min,
			  uint64_t max, uint64_t *out)
{
	const char *end = s + len;
	bool neg = len > 0 && s[0] == '-', over = false;
	uint64_t v = 0;

	if (!num_scan(s + (neg ? 1 : 0), end, decimals, suffix, &v, &over))
		return NUM_SYNTAX;
	if (neg)
		return NUM_LOW;
	if (over || v > max)
		return NUM_HIGH;
	if (v < min)
		return NUM_LOW;
	*out = v;
	return NUM_OK;
}

enum num_result num_parse_uint(const char *s, size_t len, uint64_t min, uint64_t max,
			       uint64_t *out)
{
	return num_parse(s, len, 0, false, min, max, out);
}
