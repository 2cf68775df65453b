/* auth.h - HTTP Basic credentials (RFC 7617) as a header value, for
 * Authorization (the origin) and Proxy-Authorization (the proxy). */
#ifndef QV_HTTP_AUTH_H
#define QV_HTTP_AUTH_H

#include <stddef.h>

#include "util/base64.h"
#include "util/err.h"

/* Longest "user:password" accepted (decoded bytes): far beyond real ones,
 * and the header line stays well inside the request buffer. */
#define HTTP_CRED_MAX 512
/* Room for "Basic " + base64 of HTTP_CRED_MAX bytes + NUL. */
#define HTTP_AUTH_MAX (6 + BASE64_LEN(HTTP_CRED_MAX) + 1)

/* Write "Basic base64(user:password)" into out (HTTP_AUTH_MAX bytes).  A user
 * name with ':' cannot be sent (RFC 7617 §2), nor CR, LF or NUL anywhere:
 * QV_E_USAGE naming what (never the password itself); too long:
 * QV_E_USAGE too.  what names the source in messages ("-u", "proxy"). */
enum qv_err http_basic_auth(const char *user, size_t user_len, const char *password,
			    size_t password_len, const char *what, char *out,
			    struct qv_error *err);

#endif
