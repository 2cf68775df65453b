/* view.h - the text toolkit under the URL code: pointer+length views of
 * the caller's bytes (never NUL-terminated, never read past n) and an
 * output buffer that remembers overflow instead of failing every call.
 * Internal to http/. */
#ifndef QV_HTTP_VIEW_H
#define QV_HTTP_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a URL fragment quoted in an error message: enough to recognise
 * it, short enough to leave room for the explanation in QV_ERROR_MSG_MAX. */
#define URL_EXCERPT_MAX 64

struct view {
	const char *p;
	size_t n;
};

/* Output buffer that remembers overflow instead of failing every call; one
 * byte is always kept for the terminating NUL. */
struct sbuf {
	char *p;
	size_t cap;
	size_t len;
	bool overflow;
};

/* v without leading and trailing ASCII whitespace (WHATWG's set plus VT). */
struct view view_trim(const char *s, size_t n);
/* The first c in v, or NULL. */
const char *view_chr(struct view v, char c);
/* v equals the lower-case literal lit, ignoring ASCII case. */
bool view_eq_nocase(struct view v, const char *lit);
/* Printable copy of at most cap - 1 bytes of v for error messages ('?' for
 * control and non-ASCII bytes), so a hostile URL cannot put control bytes
 * on the user's terminal.  Returns buf. */
const char *view_excerpt(struct view v, char *buf, size_t cap);

void sbuf_put(struct sbuf *b, const char *p, size_t n);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_puts(struct sbuf *b, const char *s);
/* "%XX", upper-case hex (RFC 3986 §2.1). */
void sbuf_put_pct(struct sbuf *b, unsigned char c);
void sbuf_put_u16(struct sbuf *b, uint16_t v);
/* NUL-terminates; returns the length, or 0 with out "" after overflow
 * (the url_format convention). */
size_t sbuf_finish(struct sbuf *b);

#endif
