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
	const char *method;          /* "GET" or "HEAD" */
	const struct url_origin *origin; /* for the Host header */
	const char *target;          /* path and query, as in struct url */
	const char *user_agent;      /* NULL: "quiver/" QV_VERSION; "": none */
	bool keep_alive;             /* false: "Connection: close" */
	bool has_range;              /* resume: "Range: bytes=range_from-" */
	uint64_t range_from;
	/* "Name: value" lines from -H, without CRLF; a header given here replaces
	 * the default of the same name (Host, User-Agent, Accept).  A line with an
	 * empty value ("Name:") removes that default, as in curl. */
	const char *extra[HTTP_REQ_EXTRA_MAX];
	size_t extra_count;
};

/* Write the request head into out (cap bytes, NUL-terminated; *len excludes
 * the NUL).  Returns QV_OK and *len, or QV_E_URL_TOO_LONG when it does not
 * fit, QV_E_USAGE when an extra header or the user agent is malformed (no
 * colon, a name that is not a token, CR/LF/control bytes inside) or names
 * Content-Length/Transfer-Encoding (a GET has no body). */
enum qv_err http_req_write(const struct http_req *r, char *out, size_t cap, size_t *len,
			   struct qv_error *err);

#endif
