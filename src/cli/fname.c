/* fname.c - sanitising and checking file names (see fname.h). */
#include "cli/fname.h"

#include <stdint.h>
#include <string.h>

#include "cli/utf8.h"
#include "http/url.h"

/* One code point of in at i: its length (1 for an invalid byte) and
 * whether it may appear in a file name. */
static size_t fname_unit(const uint8_t *in, size_t n, size_t i, int *ok)
{
	uint32_t cp = 0;
	size_t len = utf8_decode(in + i, n - i, &cp);

	if (len == 0) {
		*ok = 0;
		return 1;
	}
	*ok = cp != '/' && cp != '\\' && !utf8_is_control(cp);
	return len;
}

/* Cut name (len > max) to at most max bytes at a UTF-8 boundary, keeping
 * a short extension.  Returns the new length. */
static size_t fname_cut(char *name, size_t len, size_t max)
{
	const char *dot = NULL;
	size_t ext = 0, keep, i;

	for (i = len; i > 1 && len - i < FNAME_EXT_KEEP; i--) {
		if (name[i - 1] == '.') {
			dot = name + i - 1;
			break;
		}
	}
	if (dot != NULL)
		ext = (size_t)(name + len - dot);
	keep = max - ext;
	/* back off to the start of a UTF-8 sequence */
	while (keep > 0 && ((uint8_t)name[keep] & 0xc0) == 0x80)
		keep--;
	if (ext > 0)
		memmove(name + keep, dot, ext);
	return keep + ext;
}

size_t fname_sanitise(const char *in, size_t n, char *out, size_t cap)
{
	const uint8_t *p = (const uint8_t *)in;
	/* Work in a buffer as long as the input could need (bounded by URL_MAX):
	 * the cut happens after the replacements. */
	char tmp[URL_MAX];
	size_t len = 0, i = 0;

	if (cap < FNAME_MAX + 1)
		return 0;
	if (n > sizeof tmp)
		n = sizeof tmp;
	while (i < n) {
		int ok;
		size_t k = fname_unit(p, n, i, &ok);

		if (ok) {
			memcpy(tmp + len, in + i, k);
			len += k;
		} else {
			tmp[len++] = '_';
		}
		i += k;
	}
	if (len == 0 || (len == 1 && tmp[0] == '.') || (len == 2 && tmp[0] == '.' && tmp[1] == '.')) {
		memcpy(out, FNAME_DEFAULT, sizeof FNAME_DEFAULT);
		return sizeof FNAME_DEFAULT - 1;
	}
	if (len > FNAME_MAX)
		len = fname_cut(tmp, len, FNAME_MAX);
	memcpy(out, tmp, len);
	out[len] = '\0';
	return len;
}

size_t fname_from_target(const char *target, size_t len, char *out, size_t cap)
{
	char dec[URL_MAX];
	size_t start = 0, end, i, n;

	end = len;
	for (i = 0; i < len; i++) {
		if (target[i] == '?' || target[i] == '#') {
			end = i;
			break;
		}
	}
	for (i = 0; i < end; i++) {
		if (target[i] == '/')
			start = i + 1;
	}
	n = url_percent_decode(target + start, end - start, dec, sizeof dec);
	if (n == (size_t)-1)
		n = 0; /* cannot happen: decoding only shrinks, and len < URL_MAX */
	return fname_sanitise(dec, n, out, cap);
}

enum qv_err fname_check(const char *name, size_t len, struct qv_error *err)
{
	const uint8_t *p = (const uint8_t *)name;
	size_t i = 0;

	if (len == 0)
		return qv_error_set(err, QV_E_NAME, "empty file name");
	if (len > FNAME_MAX)
		return qv_error_set(err, QV_E_NAME, "file name too long (%zu bytes, at most %u)", len,
				    (unsigned)FNAME_MAX);
	if (name[0] == '.')
		return qv_error_set(err, QV_E_NAME, "file name starts with '.'");
	while (i < len) {
		int ok;
		size_t k = fname_unit(p, len, i, &ok);

		if (!ok)
			return qv_error_set(err, QV_E_NAME,
					    "file name has a '/', '\\', control or non-UTF-8 byte at %zu",
					    i);
		i += k;
	}
	return QV_OK;
}
