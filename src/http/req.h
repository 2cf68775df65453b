/* req.h - HTTP/1.1 request writer (sans-I/O, no malloc). */
#ifndef QV_HTTP_REQ_H
#define QV_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/url.h"
#include "util/err.h"

/* Extra request headers (-H) allowed; curl has no cap, but a bound keeps the
 * request inside one buffer. */
#define HTTP_REQ_EXTRA_MAX 32

struct http_req {
	const char *method;          /* "GET", "HEAD" or "POST"; "CONNECT": see below */
	const struct url_origin *origin; /* for the Host header */
	/* origin-form (path and query, as in struct url), or the whole URL
	 * (absolute-form) for a request through an HTTP proxy (RFC 9112 §3.2.2) */
	const char *target;
	const char *user_agent;      /* NULL: "quiver/" QV_VERSION; "": none */
	bool keep_alive;             /* false: "Connection: close" */
	bool has_range;              /* resume: "Range: bytes=range_from-" */
	uint64_t range_from;
	/* A body follows the head (POST): "Content-Length: body_len", and a
	 * Content-Type default (content_type, NULL: none) an -H line replaces */
	bool has_body;
	uint64_t body_len;
	const char *content_type;
	/* The validator of the bytes held (a strong ETag or an HTTP-date), sent
	 * as If-Range with the Range, or NULL: resume only the same version */
	const char *if_range;
	/* An HTTP-date, or NULL: If-Modified-Since (-N) */
	const char *if_modified_since;
	/* "Basic ..." values, or NULL: Authorization (the origin's credentials)
	 * and Proxy-Authorization (the proxy's); an -H line of the same name
	 * replaces them like any default */
	const char *authorization;
	const char *proxy_authorization;
	/* "Name: value" lines from -H, without CRLF; a header given here replaces
	 * the default of the same name (Host, User-Agent, Accept, the
	 * credentials, If-Range, If-Modified-Since, Content-Type with a
	 * body).  A line with an
	 * empty value ("Name:") removes that default, as in curl. */
	const char *extra[HTTP_REQ_EXTRA_MAX];
	size_t extra_count;
};

/* A CONNECT request (RFC 9110 §9.3.6) for r->origin sends the
 * authority-form target "host:port" (IPv6 in brackets), a Host header with
 * the same text, User-Agent and Proxy-Authorization, and nothing else: the
 * -H lines are for the origin, not the proxy.  r->target is ignored. */

/* Write the request head into out (cap bytes, NUL-terminated; *len excludes
 * the NUL).  Returns QV_OK and *len, or QV_E_URL_TOO_LONG when it does not
 * fit, QV_E_USAGE when an extra header or the user agent is malformed (no
 * colon, a name that is not a token, CR/LF/control bytes inside) or names
 * Content-Length/Transfer-Encoding (the writer frames a body itself). */
enum qv_err http_req_write(const struct http_req *r, char *out, size_t cap, size_t *len,
			   struct qv_error *err);

#endif
