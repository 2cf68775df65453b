/* req.c - the HTTP/1.1 request writer (RFC 9112 §3).
 *
 * Writes one GET/HEAD/POST head into a caller buffer (a POST's body is the
 * caller's to send after it).  Everything that comes
 * from the user (-H lines, -A) is checked first: a CR or LF in it would let
 * a command line inject a second request (CWE-113). */
#include "http/req.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http/syntax.h"
#include "util/ascii.h"
#include "version.h"

#define REQ_DEFAULT_UA "quiver/" QV_VERSION

/* Host header value: a host, brackets and ":65535". */
#define REQ_HOST_MAX (URL_HOST_MAX + 8)

/* One parsed "Name: value" extra line, as views into the caller's string. */
struct req_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct req_out {
	char *buf;
	size_t cap;
	size_t len;
	bool full;
};

static void out_put(struct req_out *o, const char *s, size_t n)
{
	/* Keep one byte for the terminating NUL. */
	if (o->full || n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_str(struct req_out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static void out_field(struct req_out *o, const char *name, size_t nl, const char *v, size_t vl)
{
	out_put(o, name, nl);
	out_put(o, ": ", 2);
	out_put(o, v, vl);
	out_put(o, "\r\n", 2);
}

/* The text a user typed is quoted back, cut to keep the message short. */
static enum qv_err bad_header(struct qv_error *err, const char *line, const char *why)
{
	return qv_error_set(err, QV_E_USAGE, "invalid header \"%.80s\": %s", line, why);
}

static bool value_ok(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!http_is_value_byte((uint8_t)v[i]))
			return false;
	}
	return true;
}

static enum qv_err field_parse(const char *line, struct req_field *f, struct qv_error *err)
{
	const char *colon = strchr(line, ':');
	const char *v;
	const char *end;
	size_t i;

	if (colon == NULL)
		return bad_header(err, line, "no colon");
	if (colon == line)
		return bad_header(err, line, "empty name");
	for (i = 0; line + i < colon; i++) {
		if (!http_is_tchar((uint8_t)line[i]))
			return bad_header(err, line, "invalid character in name");
	}
	v = colon + 1;
	end = v + strlen(v);
	while (v < end && http_is_ws((uint8_t)*v))
		v++;
	while (end > v && http_is_ws((uint8_t)end[-1]))
		end--;
	if (!value_ok(v, (size_t)(end - v)))
		return bad_header(err, line, "control character (CR, LF) in value");
	f->name = line;
	f->name_len = (size_t)(colon - line);
	f->value = v;
	f->value_len = (size_t)(end - v);
	/* The writer frames a body itself: these would make the server wait
	 * for one or misread the next request. */
	if (ascii_ieq(f->name, f->name_len, "content-length") ||
	    ascii_ieq(f->name, f->name_len, "transfer-encoding"))
		return bad_header(err, line, "this header cannot be set");
	return QV_OK;
}

/* A default header, unless an extra of the same name replaces it (written
 * here, in the default's place) or removes it (an empty value). */
static void default_field(struct req_out *o, const char *name, const char *key,
			  const char *value, const struct req_field *f, size_t nf)
{
	bool replaced = false;
	size_t i;

	for (i = 0; i < nf; i++) {
		if (!ascii_ieq(f[i].name, f[i].name_len, key))
			continue;
		replaced = true;
		if (f[i].value_len > 0)
			out_field(o, f[i].name, f[i].name_len, f[i].value, f[i].value_len);
	}
	if (!replaced && value != NULL && value[0] != '\0')
		out_field(o, name, strlen(name), value, strlen(value));
}

static bool is_default_name(const struct http_req *r, const struct req_field *f)
{
	return (r->has_body && ascii_ieq(f->name, f->name_len, "content-type")) ||
	       ascii_ieq(f->name, f->name_len, "host") ||
	       ascii_ieq(f->name, f->name_len, "user-agent") ||
	       ascii_ieq(f->name, f->name_len, "accept") ||
	       ascii_ieq(f->name, f->name_len, "authorization") ||
	       ascii_ieq(f->name, f->name_len, "proxy-authorization") ||
	       ascii_ieq(f->name, f->name_len, "if-range") ||
	       ascii_ieq(f->name, f->name_len, "if-modified-since");
}

static bool req_is_connect(const struct http_req *r)
{
	return r->method != NULL && strcmp(r->method, "CONNECT") == 0;
}

static enum qv_err req_check(const struct http_req *r, struct req_field *f, struct qv_error *err)
{
	const char *ua = r->user_agent;
	const char *m = r->method;
	size_t i;

	if (r->extra_count > HTTP_REQ_EXTRA_MAX)
		return qv_error_set(err, QV_E_USAGE, "too many -H headers (at most %d)",
				    HTTP_REQ_EXTRA_MAX);
	for (i = 0; i < r->extra_count; i++) {
		enum qv_err rc = field_parse(r->extra[i], &f[i], err);

		if (rc != QV_OK)
			return rc;
	}
	if (ua != NULL && !value_ok(ua, strlen(ua)))
		return qv_error_set(err, QV_E_USAGE, "invalid user agent: control character");
	/* a validator read back from a file must not split the request either */
	if ((r->if_range != NULL && !value_ok(r->if_range, strlen(r->if_range))) ||
	    (r->if_modified_since != NULL &&
	     !value_ok(r->if_modified_since, strlen(r->if_modified_since))))
		return qv_error_set(err, QV_E_INTERNAL, "control character in a validator");
	if (m == NULL || m[0] == '\0')
		return qv_error_set(err, QV_E_INTERNAL, "request without a method");
	for (i = 0; m[i] != '\0'; i++) {
		if (!http_is_tchar((uint8_t)m[i]))
			return qv_error_set(err, QV_E_INTERNAL, "invalid request method");
	}
	if (req_is_connect(r))
		return QV_OK;
	/* url.c percent-encodes; this only guards the request line. */
	for (i = 0; r->target[i] != '\0'; i++) {
		if ((uint8_t)r->target[i] <= 0x20 || (uint8_t)r->target[i] >= 0x7f)
			return qv_error_set(err, QV_E_URL_SYNTAX, "invalid byte in request target");
	}
	if (i == 0)
		return qv_error_set(err, QV_E_URL_SYNTAX, "empty request target");
	return QV_OK;
}

static void req_fields(const struct http_req *r, struct req_out *o, const char *host,
		       const struct req_field *f)
{
	size_t i;

	default_field(o, "Host", "host", host, f, r->extra_count);
	default_field(o, "User-Agent", "user-agent",
		      r->user_agent != NULL ? r->user_agent : REQ_DEFAULT_UA, f, r->extra_count);
	default_field(o, "Accept", "accept", "*/*", f, r->extra_count);
	default_field(o, "Authorization", "authorization", r->authorization, f, r->extra_count);
	default_field(o, "Proxy-Authorization", "proxy-authorization", r->proxy_authorization, f,
		      r->extra_count);
	if (!r->keep_alive)
		out_str(o, "Connection: close\r\n");
	if (r->has_range) {
		char range[48]; /* "Range: bytes=" + 20 digits + "-\r\n" */

		(void)snprintf(range, sizeof range, "Range: bytes=%" PRIu64 "-\r\n", r->range_from);
		out_str(o, range);
	}
	default_field(o, "If-Range", "if-range", r->has_range ? r->if_range : NULL, f,
		      r->extra_count);
	default_field(o, "If-Modified-Since", "if-modified-since", r->if_modified_since, f,
		      r->extra_count);
	if (r->has_body) {
		char clen[40]; /* "Content-Length: " + 20 digits + CRLF */

		default_field(o, "Content-Type", "content-type", r->content_type, f, r->extra_count);
		(void)snprintf(clen, sizeof clen, "Content-Length: %" PRIu64 "\r\n", r->body_len);
		out_str(o, clen);
	}
	for (i = 0; i < r->extra_count; i++) {
		if (!is_default_name(r, &f[i]) && f[i].value_len > 0)
			out_field(o, f[i].name, f[i].name_len, f[i].value, f[i].value_len);
	}
}

/* "host:port", the port always there: the authority-form of CONNECT. */
static size_t req_authority(const struct url_origin *o, char *out, size_t cap)
{
	int n = snprintf(out, cap, o->host_is_ipv6 ? "[%s]:%u" : "%s:%u", o->host, (unsigned)o->port);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

enum qv_err http_req_write(const struct http_req *r, char *out, size_t cap, size_t *len,
			   struct qv_error *err)
{
	struct req_field f[HTTP_REQ_EXTRA_MAX];
	struct req_out o = {out, cap, 0, false};
	char host[REQ_HOST_MAX];
	enum qv_err rc;

	*len = 0;
	memset(f, 0, sizeof f);
	rc = req_check(r, f, err);
	if (rc != QV_OK)
		return rc;
	if (req_is_connect(r)) {
		if (req_authority(r->origin, host, sizeof host) == 0)
			return qv_error_set(err, QV_E_URL_TOO_LONG, "host name too long");
		out_str(&o, "CONNECT ");
		out_str(&o, host);
		out_str(&o, " HTTP/1.1\r\n");
		default_field(&o, "Host", "host", host, f, 0);
		default_field(&o, "User-Agent", "user-agent",
			      r->user_agent != NULL ? r->user_agent : REQ_DEFAULT_UA, f, 0);
		default_field(&o, "Proxy-Authorization", "proxy-authorization",
			      r->proxy_authorization, f, 0);
	} else {
		if (url_origin_host_header(r->origin, host, sizeof host) == 0)
			return qv_error_set(err, QV_E_URL_TOO_LONG, "host name too long");
		out_str(&o, r->method);
		out_put(&o, " ", 1);
		out_str(&o, r->target);
		out_str(&o, " HTTP/1.1\r\n");
		req_fields(r, &o, host, f);
	}
	out_put(&o, "\r\n", 2);
	if (o.full || cap == 0)
		return qv_error_set(err, QV_E_URL_TOO_LONG,
				    "request does not fit in its %zu-byte buffer", cap);
	out[o.len] = '\0';
	*len = o.len;
	return QV_OK;
}
