/* sumfile.c - checksum file lines, GNU and BSD (see sumfile.h). */
#include "cli/get/sumfile.h"

#include <string.h>

#include "util/ascii.h"

/* NAME with GNU's escapes (\\ \n \r) into out; false for any other '\'
 * sequence or a NUL. */
static bool sum_unescape(const char *s, size_t n, bool escaped, char *out, size_t *len)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\0')
			return false;
		if (escaped && c == '\\') {
			if (++i == n)
				return false;
			c = s[i] == '\\' ? '\\' : s[i] == 'n' ? '\n' : s[i] == 'r' ? '\r' : '\0';
			if (c == '\0')
				return false;
		}
		out[k++] = c;
	}
	out[k] = '\0';
	*len = k;
	return k > 0;
}

static size_t sum_hex_run(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && ascii_hex_value((unsigned char)s[i]) >= 0)
		i++;
	return i;
}

/* HEX, a space, ' ' or '*' (one space alone is accepted too: FreeBSD's -r
 * and hand-made files), NAME. */
static bool sum_gnu(const char *s, size_t n, bool escaped, struct sumfile_entry *e, char *name)
{
	size_t h = sum_hex_run(s, n), at = h + 1;

	e->want.algo = h == 64 ? DIGEST_SHA256 : h == 128 ? DIGEST_SHA512 : DIGEST_NONE;
	if (e->want.algo == DIGEST_NONE || h + 1 >= n || s[h] != ' ')
		return false;
	if (s[at] == ' ' || s[at] == '*')
		at++;
	return digest_hex_parse(s, h, e->want.sum, h / 2) &&
	       sum_unescape(s + at, n - at, escaped, name, &e->name_len);
}

/* ALGO[ ](NAME)[ ]=[ ]HEX: the name runs to the last ')' before the '='
 * that precedes the digest, so it may hold parentheses itself. */
static bool sum_bsd(const char *s, size_t n, bool escaped, struct sumfile_entry *e, char *name)
{
	const char *open = memchr(s, '(', n);
	size_t an, h, end = n;

	if (open == NULL)
		return false;
	an = (size_t)(open - s);
	if (an > 0 && s[an - 1] == ' ')
		an--;
	if (!digest_algo_parse(s, an, &e->want.algo))
		return false;
	while (end > 0 && ascii_hex_value((unsigned char)s[end - 1]) >= 0)
		end--;
	h = n - end;
	if (end > 0 && s[end - 1] == ' ')
		end--;
	if (end == 0 || s[--end] != '=')
		return false;
	if (end > 0 && s[end - 1] == ' ')
		end--;
	if (end == 0 || s[end - 1] != ')' || s + end - 1 <= open)
		return false;
	return digest_hex_parse(s + n - h, h, e->want.sum, digest_len(e->want.algo)) &&
	       sum_unescape(open + 1, (size_t)(s + end - 1 - open - 1), escaped, name,
			    &e->name_len);
}

bool sumfile_line(const char *s, size_t n, struct sumfile_entry *e, char *name)
{
	bool escaped = n > 0 && s[0] == '\\';

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (escaped)
		s++, n--;
	memset(&e->want, 0, sizeof e->want);
	e->name = name;
	e->name_len = 0;
	if (n > 0 && ascii_hex_value((unsigned char)s[0]) >= 0 && sum_gnu(s, n, escaped, e, name))
		return true;
	return sum_bsd(s, n, escaped, e, name);
}

void sumfile_init(struct sumfile_parser *p, sumfile_entry_fn fn, void *ctx)
{
	p->fn = fn;
	p->ctx = ctx;
	p->line = 0;
	p->len = 0;
	p->overlong = false;
	p->err = QV_OK;
}

static enum qv_err sum_end_line(struct sumfile_parser *p, struct qv_error *err)
{
	struct sumfile_entry e;
	bool skip = p->overlong;

	p->line++;
	p->overlong = false;
	if (skip || !sumfile_line(p->buf, p->len, &e, p->name)) {
		p->len = 0;
		return QV_OK;
	}
	p->len = 0;
	e.line = p->line;
	p->err = p->fn(p->ctx, &e, err);
	return p->err;
}

enum qv_err sumfile_feed(struct sumfile_parser *p, const char *buf, size_t n,
			 struct qv_error *err)
{
	size_t i;

	if (p->err != QV_OK)
		return qv_error_set(err, p->err, "%s", qv_err_text(p->err));
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (sum_end_line(p, err) != QV_OK)
				return p->err;
		} else if (p->len < sizeof p->buf) {
			p->buf[p->len++] = buf[i];
		} else {
			p->overlong = true;
		}
	}
	return QV_OK;
}

enum qv_err sumfile_finish(struct sumfile_parser *p, struct qv_error *err)
{
	if (p->err != QV_OK)
		return qv_error_set(err, p->err, "%s", qv_err_text(p->err));
	if (p->len > 0 || p->overlong)
		return sum_end_line(p, err);
	return QV_OK;
}
