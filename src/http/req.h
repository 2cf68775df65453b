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
	const struct url *url;
	const char *user_agent;      /* NULL: "quiver/" QV_VERSION */
	bool keep_alive;             /* false: "Connection: close" */
	bool has_range;              /* resume: "Range: bytes=range_from-" */
	uint64_t range_from;
	/* "Name: value" lines from -H, without CRLF; a header given here replaces
	 * the default of the same name (Host, User-Agent, Accept).  A line with an
	 * empty value ("Name:") removes that default, as in curl. */
	const char *extra[HTTP_REQ_EXTRA_MAX];
	size_t extra_count;
};

/* Write the request head into out (cap bytes).  Returns QV_OK and *len, or
 * QV_E_URL_TOO_LONG when it does not fit, QV_E_USAGE when an extra header
 * is malformed (no colon, CR/LF/NUL inside). */
enum qv_err http_req_write(const struct http_req *r, char *out, size_t cap, size_t *len,
			   struct qv_error *err);

#endif
