/* ascii.h - locale-free ASCII character helpers, one home for every layer
 * (ctype.h's answers depend on the locale and take int with EOF rules;
 * protocol text is bytes). */
#ifndef QV_UTIL_ASCII_H
#define QV_UTIL_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool ascii_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool ascii_is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool ascii_is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool ascii_is_alpha(unsigned char c)
{
	return ascii_is_lower(c) || ascii_is_upper(c);
}

static inline unsigned char ascii_lower(unsigned char c)
{
	return ascii_is_upper(c) ? (unsigned char)(c + ('a' - 'A')) : c;
}

static inline unsigned char ascii_upper(unsigned char c)
{
	return ascii_is_lower(c) ? (unsigned char)(c - ('a' - 'A')) : c;
}

/* The value of a hex digit (either case), -1 for any other byte. */
static inline int ascii_hex_value(unsigned char c)
{
	if (ascii_is_digit(c))
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Case-insensitive equality of s (n bytes, any case) with the NUL-terminated
 * lower-case word w. */
static inline bool ascii_ieq(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i] == '\0' || ascii_lower((unsigned char)s[i]) != (unsigned char)w[i])
			return false;
	}
	return w[n] == '\0';
}

#endif
