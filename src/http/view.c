/* view.c - pointer+length views of caller bytes and bounded output buffers
 * (see view.h). */
#include "http/view.h"

#include <string.h>

#include "util/ascii.h"

/* ASCII whitespace as trimmed around a URL (WHATWG's set plus VT). */
static bool view_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

struct view view_trim(const char *s, size_t n)
{
	struct view v = {s, n};

	while (v.n > 0 && view_is_space((unsigned char)v.p[0])) {
		v.p++;
		v.n--;
	}
	while (v.n > 0 && view_is_space((unsigned char)v.p[v.n - 1]))
		v.n--;
	return v;
}

const char *view_chr(struct view v, char c)
{
	return v.n > 0 ? memchr(v.p, c, v.n) : NULL;
}

bool view_eq_nocase(struct view v, const char *lit)
{
	size_t i;

	if (v.n != strlen(lit))
		return false;
	for (i = 0; i < v.n; i++)
		if ((char)ascii_lower((unsigned char)v.p[i]) != lit[i])
			return false;
	return true;
}

/* Printable copy of at most URL_EXCERPT_MAX bytes for error messages, so a
 * hostile URL cannot put control bytes on the user's terminal. */
const char *view_excerpt(struct view v, char *buf, size_t cap)
{
	size_t i, n = v.n < cap - 1 ? v.n : cap - 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	buf[n] = '\0';
	return buf;
}

void sbuf_put(struct sbuf *b, const char *p, size_t n)
{
	if (b->overflow || b->cap == 0 || n > b->cap - 1 - b->len) {
		b->overflow = true;
		return;
	}
	if (n > 0)
		memmove(b->p + b->len, p, n);
	b->len += n;
}

void sbuf_putc(struct sbuf *b, char c)
{
	sbuf_put(b, &c, 1);
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_put(b, s, strlen(s));
}

void sbuf_put_pct(struct sbuf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = {'%', hex[c >> 4], hex[c & 15]};

	sbuf_put(b, e, sizeof e);
}

void sbuf_put_u16(struct sbuf *b, uint16_t v)
{
	char d[5];
	size_t i = sizeof d;

	do {
		d[--i] = (char)('0' + v % 10);
		v = (uint16_t)(v / 10);
	} while (v > 0);
	sbuf_put(b, d + i, sizeof d - i);
}

/* NUL-terminates; returns the length, or 0 with out "" after overflow
 * (the url_format convention). */
size_t sbuf_finish(struct sbuf *b)
{
	if (b->cap == 0)
		return 0;
	if (b->overflow) {
		b->p[0] = '\0';
		return 0;
	}
	b->p[b->len] = '\0';
	return b->len;
}
