/* uri.c - RFC 3986 generic syntax for any scheme: the Appendix B split,
 * §5.2.4 dot-segment removal and §5.2 reference resolution (see uri.h). */
#include "http/uri.h"

#include <string.h>

#include "util/ascii.h"

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool scheme_valid(struct view v)
{
	size_t i;

	if (v.n == 0 || !ascii_is_alpha((unsigned char)v.p[0]))
		return false;
	for (i = 1; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (!ascii_is_alpha(c) && !ascii_is_digit(c) && c != '+' && c != '-' && c != '.')
			return false;
	}
	return true;
}

/* Index of the first byte of s[from..n) found in stops, or n. */
static size_t span_until(const char *s, size_t from, size_t n, const char *stops)
{
	/* strchr() would match a NUL byte against the terminator of stops. */
	while (from < n && (s[from] == '\0' || strchr(stops, s[from]) == NULL))
		from++;
	return from;
}

/* Appendix B, except that a "scheme" failing the scheme grammar is taken as
 * the start of a path (so "a b:c" is a relative reference, not an error). */
void uri_split(const char *s, size_t n, struct ref_parts *r)
{
	size_t i = span_until(s, 0, n, ":/?#"), e;

	memset(r, 0, sizeof *r);
	r->scheme.p = s;
	if (i < n && s[i] == ':' && scheme_valid((struct view){s, i})) {
		r->has_scheme = true;
		r->scheme.n = i;
		i++;
	} else {
		i = 0;
	}
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		e = span_until(s, i + 2, n, "/?#");
		r->has_authority = true;
		r->authority = (struct view){s + i + 2, e - i - 2};
		i = e;
	}
	e = span_until(s, i, n, "?#");
	r->path = (struct view){s + i, e - i};
	i = e;
	if (i < n && s[i] == '?') {
		e = span_until(s, i + 1, n, "#");
		r->has_query = true;
		r->query = (struct view){s + i + 1, e - i - 1};
		i = e;
	}
	if (i < n) {
		r->has_fragment = true;
		r->fragment = (struct view){s + i + 1, n - i - 1};
	}
}

/* Drop the last segment of out[0..w) and the '/' before it. */
static size_t dots_pop(const char *p, size_t w)
{
	while (w > 0 && p[w - 1] != '/')
		w--;
	return w > 0 ? w - 1 : 0;
}

static bool dots_is(const char *p, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && memcmp(p, lit, k) == 0;
}

/* RFC 3986 §5.2.4 remove_dot_segments, in place: the output never grows past
 * the input read position, so one buffer serves as both.  Returns the new
 * length. */
size_t uri_remove_dots(char *p, size_t n)
{
	size_t r = 0, w = 0;

	while (r < n) {
		const char *in = p + r;
		size_t rem = n - r, k;

		if (dots_is(in, rem, "../")) {
			r += 3;
		} else if (dots_is(in, rem, "./") || dots_is(in, rem, "/./")) {
			r += 2;
		} else if (rem == 2 && dots_is(in, rem, "/.")) {
			p[w++] = '/';
			r = n;
		} else if (dots_is(in, rem, "/../")) {
			r += 3;
			w = dots_pop(p, w);
		} else if (rem == 3 && dots_is(in, rem, "/..")) {
			w = dots_pop(p, w);
			p[w++] = '/';
			r = n;
		} else if ((rem == 1 && in[0] == '.') || (rem == 2 && dots_is(in, rem, ".."))) {
			r = n;
		} else {
			k = r + 1;
			while (k < n && p[k] != '/')
				k++;
			memmove(p + w, p + r, k - r);
			w += k - r;
			r = k;
		}
	}
	return w;
}

/* §5.2.3 merge, written to b: base path up to its last '/', then ref path. */
static void resolve_merge(struct sbuf *b, const struct ref_parts *base, struct view rpath)
{
	const char *bp = base->path.p;
	size_t k = base->path.n;

	if (base->has_authority && k == 0) {
		sbuf_putc(b, '/');
	} else {
		while (k > 0 && bp[k - 1] != '/')
			k--;
		sbuf_put(b, bp, k);
	}
	sbuf_put(b, rpath.p, rpath.n);
}

/* §5.2.2 for a reference without scheme or authority: path and query. */
static void resolve_path(struct sbuf *b, const struct ref_parts *base, const struct ref_parts *ref)
{
	size_t start = b->len;

	if (ref->path.n == 0) {
		sbuf_put(b, base->path.p, base->path.n);
	} else {
		if (ref->path.p[0] == '/')
			sbuf_put(b, ref->path.p, ref->path.n);
		else
			resolve_merge(b, base, ref->path);
		if (!b->overflow)
			b->len = start + uri_remove_dots(b->p + start, b->len - start);
	}
}

static void resolve_put_path(struct sbuf *b, struct view path)
{
	size_t start = b->len;

	sbuf_put(b, path.p, path.n);
	if (!b->overflow)
		b->len = start + uri_remove_dots(b->p + start, b->len - start);
}

/* §5.2.2 and §5.3: build the target URI T from base and ref into b. */
static void resolve_compose(struct sbuf *b, const struct ref_parts *base,
			    const struct ref_parts *ref)
{
	const struct ref_parts *scheme = ref->has_scheme ? ref : base;
	const struct ref_parts *auth = ref->has_scheme || ref->has_authority ? ref : base;
	const struct ref_parts *query = ref;

	sbuf_put(b, scheme->scheme.p, scheme->scheme.n);
	sbuf_putc(b, ':');
	if (auth->has_authority) {
		sbuf_put(b, "//", 2);
		sbuf_put(b, auth->authority.p, auth->authority.n);
	}
	if (ref->has_scheme || ref->has_authority) {
		resolve_put_path(b, ref->path);
	} else {
		resolve_path(b, base, ref);
		if (ref->path.n == 0 && !ref->has_query)
			query = base;
	}
	if (query->has_query) {
		sbuf_putc(b, '?');
		sbuf_put(b, query->query.p, query->query.n);
	}
}

enum qv_err uri_resolve_ref(const char *base, const char *ref, size_t len, bool drop_fragment,
			    char *out, size_t cap, struct qv_error *err)
{
	struct view r = view_trim(ref, len);
	struct ref_parts bp, rp;
	struct sbuf b = {out, cap, 0, false};

	if (cap > 0)
		out[0] = '\0';
	uri_split(base, strlen(base), &bp);
	if (!bp.has_scheme)
		return qv_error_set(err, QV_E_URL_SYNTAX, "base URL has no scheme");
	if (view_chr(r, '\0') != NULL)
		return qv_error_set(err, QV_E_URL_SYNTAX, "URL reference contains a NUL byte");
	uri_split(r.p, r.n, &rp);
	resolve_compose(&b, &bp, &rp);
	if (rp.has_fragment && !drop_fragment) {
		sbuf_putc(&b, '#');
		sbuf_put(&b, rp.fragment.p, rp.fragment.n);
	}
	if (b.overflow || cap == 0) {
		(void)sbuf_finish(&b);
		return qv_error_set(err, QV_E_URL_TOO_LONG,
				    "resolved URL is longer than %zu bytes", cap > 0 ? cap - 1 : 0);
	}
	(void)sbuf_finish(&b);
	return QV_OK;
}
