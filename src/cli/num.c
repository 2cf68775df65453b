/* num.c - the checked number parsers of every command's options (see num.h). */
#include "cli/num.h"

bool num_parse_secs(const char *s, bool allow_zero, uint32_t *ms)
{
	uint64_t whole = 0, frac = 0;
	unsigned digits = 0, fdigits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		whole = whole * 10u + (uint64_t)(*p - '0');
		if (whole > NUM_SECS_MAX_MS / 1000u)
			return false;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fdigits++) {
			if (fdigits < 3)
				frac = frac * 10u + (uint64_t)(*p - '0');
		}
		if (fdigits == 0)
			return false;
	}
	if (*p != '\0' || digits + fdigits == 0)
		return false;
	for (; fdigits < 3; fdigits++)
		frac *= 10u;
	whole = whole * 1000u + frac;
	if (whole > NUM_SECS_MAX_MS || (whole == 0 && !allow_zero))
		return false;
	*ms = (uint32_t)whole;
	return true;
}

bool num_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (*p == '\0')
		return false;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10u + (unsigned long)(*p - '0');
		if (v > max)
			return false;
	}
	if (v < min)
		return false;
	*out = (unsigned)v;
	return true;
}

bool num_parse_size(const char *s, uint64_t *out)
{
	const uint64_t max = 1ull << 62;
	uint64_t v = 0, mul = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10u + (uint64_t)(*p - '0');
		if (v > max)
			return false;
	}
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K': mul = 1ull << 10; p++; break;
	case 'm': case 'M': mul = 1ull << 20; p++; break;
	case 'g': case 'G': mul = 1ull << 30; p++; break;
	default:
		return false;
	}
	if (*p != '\0' || v > max / mul)
		return false;
	*out = v * mul;
	return true;
}
