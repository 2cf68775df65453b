/* url.c - http/https URL parsing and formatting (see url.h).
 *
 * Everything works on pointer+length views of the caller's bytes and writes
 * into caller buffers: no allocation, no reads past len (inputs need not be
 * NUL-terminated).  url_parse() is deliberately stricter than RFC 3986's
 * generic syntax (uri.c), because what it accepts goes into a request line,
 * a Host header, DNS and SNI. */
#include "http/url.h"

#include <string.h>

#include "http/uri.h"
#include "http/view.h"
#include "util/ascii.h"

/* ---- characters ---- */

/* RFC 3986 unreserved / sub-delims: what a reg-name may hold besides
 * pct-encoded, which quiver refuses in hosts. */
static bool ch_regname(unsigned char c)
{
	if (ascii_is_alpha(c) || ascii_is_digit(c))
		return true;
	switch (c) {
	case '-': case '.': case '_': case '~':
	case '!': case '$': case '&': case '\'': case '(': case ')':
	case '*': case '+': case ',': case ';': case '=':
		return true;
	default:
		return false;
	}
}

/* Bytes that may stand as they are in a request target; the rest (space,
 * controls, DEL, non-ASCII and the characters RFC 3986 never allows) are
 * percent-encoded, as curl and browsers do. */
static bool ch_target(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	switch (c) {
	case '"': case '<': case '>': case '\\': case '^': case '`':
	case '{': case '|': case '}':
		return false;
	default:
		return true;
	}
}

/* ---- url_parse: host ---- */

/* RFC 3986 dec-octet "." dec-octet "." dec-octet "." dec-octet, strictly:
 * no leading zeros, no short forms like "127.1". */
static bool ipv4_valid(struct view v)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start;
		unsigned val = 0;

		if (part > 0 && (i >= v.n || v.p[i++] != '.'))
			return false;
		start = i;
		while (i < v.n && ascii_is_digit((unsigned char)v.p[i]) && i - start < 3)
			val = val * 10 + (unsigned)(v.p[i++] - '0');
		if (i == start || val > 255 || (i - start > 1 && v.p[start] == '0'))
			return false;
	}
	return i == v.n;
}

/* One h16 or the trailing ls32 IPv4 at s[*i]; adds to *groups. */
static bool ipv6_piece(struct view v, size_t *i, int *groups)
{
	size_t j = *i;

	while (j < v.n && ascii_hex_value((unsigned char)v.p[j]) >= 0 && j - *i < 5)
		j++;
	if (j < v.n && v.p[j] == '.') {
		if (!ipv4_valid((struct view){v.p + *i, v.n - *i}))
			return false;
		*groups += 2;
		*i = v.n;
		return true;
	}
	if (j == *i || j - *i > 4)
		return false;
	*groups += 1;
	*i = j;
	return true;
}

/* RFC 3986 IPv6address: 8 groups, or fewer with exactly one "::"; an IPv4
 * tail counts as two groups and must come last. */
static bool ipv6_valid(struct view v)
{
	size_t i = 0;
	int groups = 0;
	bool gap = false;

	if (v.n >= 2 && v.p[0] == ':' && v.p[1] == ':') {
		gap = true;
		i = 2;
	} else if (v.n >= 1 && v.p[0] == ':') {
		return false;
	}
	while (i < v.n && groups <= 8) {
		if (!ipv6_piece(v, &i, &groups))
			return false;
		if (i == v.n)
			break;
		if (v.p[i++] != ':' || i == v.n)
			return false;
		if (v.p[i] == ':') {
			if (gap)
				return false;
			gap = true;
			i++;
		}
	}
	return gap ? groups <= 7 : groups == 8;
}

/* True when the last label looks like a number (digits, or 0x + hex): such
 * hosts are IPv4 in other parsers ("127.1", "0x7f.1") and inet_aton, so
 * anything but a strict dotted quad is refused rather than sent to DNS. */
static bool host_ends_numeric(struct view h)
{
	size_t end = h.n, start, i;

	if (end > 0 && h.p[end - 1] == '.')
		end--;
	start = end;
	while (start > 0 && h.p[start - 1] != '.')
		start--;
	if (start == end)
		return false;
	i = start;
	if (end - start >= 2 && h.p[i] == '0' && (h.p[i + 1] == 'x' || h.p[i + 1] == 'X')) {
		for (i += 2; i < end; i++)
			if (ascii_hex_value((unsigned char)h.p[i]) < 0)
				return false;
		return true;
	}
	for (; i < end; i++)
		if (!ascii_is_digit((unsigned char)h.p[i]))
			return false;
	return true;
}

static enum qv_err regname_check(struct view h, struct qv_error *err)
{
	char ex[URL_EXCERPT_MAX];
	size_t i;

	for (i = 0; i < h.n; i++) {
		unsigned char c = (unsigned char)h.p[i];

		if (c == '%')
			return qv_error_set(err, QV_E_URL_HOST,
					    "percent-encoded host names are not supported: '%s'",
					    view_excerpt(h, ex, sizeof ex));
		if (c >= 0x80)
			return qv_error_set(err, QV_E_URL_HOST,
					    "non-ASCII host name: use its IDNA (xn--) form");
		if (!ch_regname(c))
			return qv_error_set(err, QV_E_URL_HOST, "invalid character in host '%s'",
					    view_excerpt(h, ex, sizeof ex));
	}
	if (host_ends_numeric(h) && !ipv4_valid(h))
		return qv_error_set(err, QV_E_URL_HOST, "invalid IPv4 address '%s'",
				    view_excerpt(h, ex, sizeof ex));
	return QV_OK;
}

static enum qv_err ipv6_check(struct view h, struct qv_error *err)
{
	char ex[URL_EXCERPT_MAX];

	if (h.n >= 3 && view_chr(h, '%') != NULL)
		return qv_error_set(err, QV_E_URL_HOST, "IPv6 zone identifiers are not supported: '[%s]'",
				    view_excerpt(h, ex, sizeof ex));
	if (h.n > 0 && (h.p[0] == 'v' || h.p[0] == 'V'))
		return qv_error_set(err, QV_E_URL_HOST, "IPvFuture addresses are not supported");
	if (!ipv6_valid(h))
		return qv_error_set(err, QV_E_URL_HOST, "invalid IPv6 address '[%s]'",
				    view_excerpt(h, ex, sizeof ex));
	return QV_OK;
}

static void host_store(struct url *u, struct view h)
{
	size_t i;

	for (i = 0; i < h.n; i++)
		u->host[i] = (char)ascii_lower((unsigned char)h.p[i]);
	u->host[h.n] = '\0';
}

/* Splits "host[:port]" or "[v6][:port]"; *port is set only after a ':'. */
static enum qv_err host_split(struct view a, struct view *host, struct view *port, bool *has_port,
			      struct qv_error *err)
{
	const char *end, *colon;
	char ex[URL_EXCERPT_MAX];

	*has_port = false;
	if (a.n > 0 && a.p[0] == '[') {
		end = view_chr(a, ']');
		if (end == NULL)
			return qv_error_set(err, QV_E_URL_HOST, "unterminated IPv6 address '%s'",
					    view_excerpt(a, ex, sizeof ex));
		*host = (struct view){a.p + 1, (size_t)(end - a.p) - 1};
		colon = end + 1;
		if (colon < a.p + a.n && *colon != ':')
			return qv_error_set(err, QV_E_URL_HOST, "unexpected text after IPv6 address '%s'",
					    view_excerpt(a, ex, sizeof ex));
	} else {
		colon = view_chr(a, ':');
		*host = (struct view){a.p, colon != NULL ? (size_t)(colon - a.p) : a.n};
	}
	if (colon != NULL && colon < a.p + a.n) {
		*has_port = true;
		*port = (struct view){colon + 1, (size_t)(a.p + a.n - colon - 1)};
	}
	return QV_OK;
}

static enum qv_err host_parse(struct url *u, struct view h, bool bracketed, struct qv_error *err)
{
	enum qv_err rc;

	if (h.n == 0)
		return qv_error_set(err, QV_E_URL_HOST, "URL has an empty host");
	if (h.n >= URL_HOST_MAX)
		return qv_error_set(err, QV_E_URL_HOST, "host name longer than %d bytes",
				    URL_HOST_MAX - 1);
	rc = bracketed ? ipv6_check(h, err) : regname_check(h, err);
	if (rc != QV_OK)
		return rc;
	u->host_is_ipv6 = bracketed;
	u->host_is_ip = bracketed || ipv4_valid(h);
	host_store(u, h);
	return QV_OK;
}

/* ---- url_parse: port, target, scheme ---- */

/* Digits only, 1..65535; an empty port after ':' means the default
 * (RFC 3986 §3.2.3).  Long digit runs cannot overflow: val stops growing. */
static enum qv_err port_parse(struct url *u, struct view p, struct qv_error *err)
{
	char ex[URL_EXCERPT_MAX];
	unsigned long val = 0;
	size_t i;

	if (p.n == 0)
		return QV_OK;
	for (i = 0; i < p.n; i++) {
		if (!ascii_is_digit((unsigned char)p.p[i]))
			return qv_error_set(err, QV_E_URL_PORT, "invalid port '%s' (digits only)",
					    view_excerpt(p, ex, sizeof ex));
		if (val <= 65535)
			val = val * 10 + (unsigned long)(p.p[i] - '0');
	}
	if (val == 0 || val > 65535)
		return qv_error_set(err, QV_E_URL_PORT, "port '%s' out of range (1..65535)",
				    view_excerpt(p, ex, sizeof ex));
	u->port = (uint16_t)val;
	u->port_explicit = true;
	return QV_OK;
}

/* Splits "userinfo@" off the front of authority a: true when there is one,
 * with *ui its text (without the '@') and a left with the rest.  The last
 * '@' counts, as in browsers and curl, so a stray '@' in a password still
 * leaves the right host. */
static bool userinfo_split(struct view *a, struct view *ui)
{
	size_t i = a->n;

	while (i > 0 && a->p[i - 1] != '@')
		i--;
	if (i == 0)
		return false;
	*ui = (struct view){a->p, i - 1};
	a->p += i;
	a->n -= i;
	return true;
}

/* userinfo = *( unreserved / pct-encoded / sub-delims / ":" ) (RFC 3986
 * §3.2.1), with '@' also allowed since the last one ends it. */
static bool userinfo_valid(struct view ui)
{
	size_t i;

	for (i = 0; i < ui.n; i++) {
		unsigned char c = (unsigned char)ui.p[i];

		if (!ch_regname(c) && c != ':' && c != '%' && c != '@')
			return false;
	}
	return true;
}

static enum qv_err authority_parse(struct url *u, struct view a, struct qv_error *err)
{
	struct view host = {a.p, 0}, port = {a.p, 0};
	bool has_port;
	enum qv_err rc;

	struct view ui;

	u->has_userinfo = false;
	if (userinfo_split(&a, &ui)) {
		if (!userinfo_valid(ui))
			return qv_error_set(err, QV_E_URL_USERINFO,
					    "invalid character in the user name or password of a URL");
		u->has_userinfo = true;
	}
	rc = host_split(a, &host, &port, &has_port, err);
	if (rc == QV_OK)
		rc = host_parse(u, host, a.n > 0 && a.p[0] == '[', err);
	if (rc == QV_OK && has_port)
		rc = port_parse(u, port, err);
	return rc;
}

/* Copies v, percent-encoding what a request line cannot carry; valid %XX
 * escapes stay as they are, a stray '%' becomes "%25". */
static void target_encode(struct sbuf *b, struct view v)
{
	size_t i;

	for (i = 0; i < v.n; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c == '%' && i + 2 < v.n && ascii_hex_value((unsigned char)v.p[i + 1]) >= 0 &&
		    ascii_hex_value((unsigned char)v.p[i + 2]) >= 0) {
			sbuf_put(b, v.p + i, 3);
			i += 2;
		} else if (c == '%' || !ch_target(c)) {
			sbuf_put_pct(b, c);
		} else {
			sbuf_putc(b, (char)c);
		}
	}
}

/* Path (at least "/", dot segments removed as curl and browsers do) plus
 * "?query"; the fragment never reaches the server. */
static enum qv_err target_build(struct url *u, const struct ref_parts *r, struct qv_error *err)
{
	struct sbuf b = {u->target, sizeof u->target, 0, false};

	if (r->path.n == 0)
		sbuf_putc(&b, '/');
	target_encode(&b, r->path);
	if (!b.overflow)
		b.len = uri_remove_dots(b.p, b.len);
	if (r->has_query) {
		sbuf_putc(&b, '?');
		target_encode(&b, r->query);
	}
	if (b.overflow)
		return qv_error_set(err, QV_E_URL_TOO_LONG,
				    "URL path and query exceed %d bytes once percent-encoded",
				    URL_MAX - 1);
	(void)sbuf_finish(&b);
	return QV_OK;
}

/* What may be a "user:pass@" before the first '/' of text that failed to
 * parse as a URL: never echoed in a message. */
static const char *url_cred_end(struct view v)
{
	const char *slash = view_chr(v, '/');
	struct view first = {v.p, slash != NULL ? (size_t)(slash - v.p) : v.n};
	const char *at = NULL, *p;

	for (p = first.p; p < first.p + first.n; p++) {
		if (*p == '@')
			at = p;
	}
	return at;
}

static bool url_cred_hidden(struct view v)
{
	return url_cred_end(v) != NULL;
}

static struct view url_after_cred(struct view v)
{
	const char *at = url_cred_end(v);

	if (at == NULL)
		return v;
	return (struct view){at + 1, v.n - (size_t)(at + 1 - v.p)};
}

static enum qv_err scheme_parse(struct url *u, const struct ref_parts *r, struct qv_error *err)
{
	char ex[URL_EXCERPT_MAX];

	if (!r->has_scheme)
		return qv_error_set(err, QV_E_URL_SYNTAX,
				    "not an absolute URL (expected http://host/...): '%s%s'",
				    url_cred_hidden(r->path) ? "***@" : "",
				    view_excerpt(url_after_cred(r->path), ex, sizeof ex));
	if (view_eq_nocase(r->scheme, "http"))
		u->scheme = URL_HTTP;
	else if (view_eq_nocase(r->scheme, "https"))
		u->scheme = URL_HTTPS;
	else
		return qv_error_set(err, QV_E_URL_SCHEME,
				    "unsupported URL scheme '%s' (only http and https)",
				    view_excerpt(r->scheme, ex, sizeof ex));
	u->port = u->scheme == URL_HTTPS ? 443 : 80;
	u->port_explicit = false;
	if (!r->has_authority)
		return qv_error_set(err, QV_E_URL_SYNTAX, "URL has no host (expected %s://host/...)",
				    u->scheme == URL_HTTPS ? "https" : "http");
	return QV_OK;
}

enum qv_err url_parse(struct url *u, const char *s, size_t len, struct qv_error *err)
{
	struct view in = view_trim(s, len);
	struct ref_parts r;
	enum qv_err rc;

	if (in.n > URL_MAX)
		return qv_error_set(err, QV_E_URL_TOO_LONG, "URL longer than %d bytes", URL_MAX);
	if (in.n == 0)
		return qv_error_set(err, QV_E_URL_SYNTAX, "empty URL");
	uri_split(in.p, in.n, &r);
	rc = scheme_parse(u, &r, err);
	if (rc == QV_OK)
		rc = authority_parse(u, r.authority, err);
	if (rc == QV_OK)
		rc = target_build(u, &r, err);
	return rc;
}

/* ---- formatting and comparison ---- */

static void host_put(struct sbuf *b, const struct url_origin *o)
{
	if (o->host_is_ipv6)
		sbuf_putc(b, '[');
	sbuf_puts(b, o->host);
	if (o->host_is_ipv6)
		sbuf_putc(b, ']');
	if (o->port != (o->scheme == URL_HTTPS ? 443 : 80)) {
		sbuf_putc(b, ':');
		sbuf_put_u16(b, o->port);
	}
}

void url_origin_of(const struct url *u, struct url_origin *o)
{
	o->scheme = u->scheme;
	memcpy(o->host, u->host, sizeof o->host);
	o->host_is_ip = u->host_is_ip;
	o->host_is_ipv6 = u->host_is_ipv6;
	o->port = u->port;
}

size_t url_format(const struct url *u, char *out, size_t cap)
{
	struct sbuf b = {out, cap, 0, false};
	struct url_origin o;

	url_origin_of(u, &o);
	sbuf_puts(&b, u->scheme == URL_HTTPS ? "https://" : "http://");
	host_put(&b, &o);
	sbuf_puts(&b, u->target);
	return sbuf_finish(&b);
}

size_t url_origin_host_header(const struct url_origin *o, char *out, size_t cap)
{
	struct sbuf b = {out, cap, 0, false};

	host_put(&b, o);
	return sbuf_finish(&b);
}

bool url_origin_same(const struct url_origin *a, const struct url_origin *b)
{
	return a->scheme == b->scheme && a->port == b->port && strcmp(a->host, b->host) == 0;
}

bool url_userinfo(const char *s, size_t len, struct url_userinfo *out)
{
	struct ref_parts r;
	struct view a, ui;
	const char *colon;

	memset(out, 0, sizeof *out);
	uri_split(s, len, &r);
	if (!r.has_authority)
		return false;
	a = r.authority;
	if (!userinfo_split(&a, &ui))
		return false;
	out->cut_off = (size_t)(ui.p - s);
	out->cut_len = ui.n + 1;
	colon = view_chr(ui, ':');
	out->user = ui.p;
	out->user_len = colon != NULL ? (size_t)(colon - ui.p) : ui.n;
	out->has_password = colon != NULL;
	if (colon != NULL) {
		out->password = colon + 1;
		out->password_len = ui.n - out->user_len - 1;
	}
	return true;
}

size_t url_percent_decode(const char *src, size_t len, char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++, n++) {
		int hi = i + 2 < len ? ascii_hex_value((unsigned char)src[i + 1]) : -1;
		int lo = i + 2 < len ? ascii_hex_value((unsigned char)src[i + 2]) : -1;

		if (n + 1 >= cap) {
			if (cap > 0)
				out[0] = '\0';
			return (size_t)-1;
		}
		if (src[i] == '%' && hi >= 0 && lo >= 0) {
			out[n] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[n] = src[i];
		}
	}
	if (cap == 0)
		return (size_t)-1;
	out[n] = '\0';
	return n;
}
