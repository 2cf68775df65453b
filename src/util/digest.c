/* digest.c - digest names, hex and "ALGO=HEX" (see digest.h). */
#include "util/digest.h"

#include <string.h>

#include "util/ascii.h"

bool digest_algo_parse(const char *s, size_t n, enum digest_algo *out)
{
	char w[8];
	size_t i, k = 0;

	/* "sha-256" and "sha256" are one name: drop the dash after "sha" */
	for (i = 0; i < n && k < sizeof w - 1; i++) {
		if (i == 3 && s[i] == '-')
			continue;
		w[k++] = (char)ascii_lower((unsigned char)s[i]);
	}
	if (i < n)
		return false;
	w[k] = '\0';
	if (strcmp(w, "sha256") == 0)
		*out = DIGEST_SHA256;
	else if (strcmp(w, "sha512") == 0)
		*out = DIGEST_SHA512;
	else
		return false;
	return true;
}

const char *digest_algo_name(enum digest_algo a)
{
	return a == DIGEST_SHA512 ? "sha-512" : "sha-256";
}

const char *digest_algo_key(enum digest_algo a)
{
	return a == DIGEST_SHA512 ? "sha512" : "sha256";
}

size_t digest_len(enum digest_algo a)
{
	return a == DIGEST_SHA256 ? 32 : a == DIGEST_SHA512 ? 64 : 0;
}

bool digest_hex_parse(const char *s, size_t n, uint8_t *out, size_t len)
{
	size_t i;

	if (n != 2 * len)
		return false;
	for (i = 0; i < len; i++) {
		int hi = ascii_hex_value((unsigned char)s[2 * i]);
		int lo = ascii_hex_value((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void digest_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

enum qv_err digest_spec_parse(const char *s, size_t n, struct digest_want *w,
			      struct qv_error *err)
{
	const char *eq = memchr(s, '=', n);
	size_t an = eq != NULL ? (size_t)(eq - s) : n, hn, len;

	if (eq == NULL)
		return qv_error_set(err, QV_E_USAGE, "a checksum is ALGO=HEX (sha-256=...), not '%.*s'",
				    (int)(n < 40 ? n : 40), s);
	if (!digest_algo_parse(s, an, &w->algo))
		return qv_error_set(err, QV_E_USAGE,
				    "unknown digest '%.*s' (sha-256 and sha-512 are supported)",
				    (int)(an < 20 ? an : 20), s);
	hn = n - an - 1;
	len = digest_len(w->algo);
	if (!digest_hex_parse(eq + 1, hn, w->sum, len))
		return qv_error_set(err, QV_E_USAGE, "%s wants %zu hex digits, got '%.*s'",
				    digest_algo_name(w->algo), 2 * len, (int)(hn < 140 ? hn : 140),
				    eq + 1);
	return QV_OK;
}
