/* url.h - http and https URLs (sans-I/O, no malloc): url_parse() accepts
 * only the URLs quiver can fetch and splits them into a struct url, and the
 * formatters write them (or their origin's Host header) back.  Generic
 * RFC 3986 reference resolution, for any scheme, is uri.h's. */
#ifndef QV_HTTP_URL_H
#define QV_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/origin.h"

/* Longest URL accepted, in bytes (as most servers and browsers cap near 8 KiB). */
#define URL_MAX 8192

struct url {
	enum url_scheme scheme;
	/* Host as it goes into DNS/connect and SNI: lower-cased reg-name or IPv4
	 * literal, or an IPv6 literal WITHOUT brackets. */
	char host[URL_HOST_MAX];
	bool host_is_ip;          /* IPv4 or IPv6 literal (no SNI for these) */
	bool host_is_ipv6;        /* needs [brackets] in Host: and in url_format */
	uint16_t port;            /* explicit or the scheme default (80/443) */
	bool port_explicit;       /* port was written in the URL */
	bool has_userinfo;        /* "user[:pass]@" was there: skipped, never
				   * sent or formatted (see url_userinfo) */
	/* Request target: path (at least "/") plus "?query" when present; the
	 * fragment is dropped.  Characters that are not allowed in a request line
	 * (space, controls, non-ASCII) are percent-encoded; dot segments of the
	 * path are removed (RFC 3986 §5.2.4, as curl and browsers do). */
	char target[URL_MAX];
};

/* Parse an absolute http/https URL of len bytes (need not be NUL-terminated).
 * Errors: QV_E_URL_SYNTAX, QV_E_URL_SCHEME (message names the scheme),
 * QV_E_URL_USERINFO (a byte userinfo may not hold), QV_E_URL_HOST,
 * QV_E_URL_PORT, QV_E_URL_TOO_LONG.  Userinfo is checked and skipped: what
 * becomes of credentials is the caller's decision (url_userinfo).
 * The scheme and host are case-insensitive and stored lower-case.
 * err may be NULL.  u is fully written on success, unspecified on error. */
enum qv_err url_parse(struct url *u, const char *s, size_t len, struct qv_error *err);

/* Write u back as an absolute URL ("https://[::1]:8443/a?b"), the port only
 * when explicit and not the default.  Returns the length, or 0 if it did not
 * fit in cap (out is then ""). */
size_t url_format(const struct url *u, char *out, size_t cap);

/* The origin of u. */
void url_origin_of(const struct url *u, struct url_origin *o);
/* Value for the Host header of origin o: host, [v6] in brackets, ":port"
 * when not the scheme default.  Same return convention as url_format. */
size_t url_origin_host_header(const struct url_origin *o, char *out, size_t cap);
/* True when a and b name the same origin (scheme, host, port). */
bool url_origin_same(const struct url_origin *a, const struct url_origin *b);

/* Where the credentials of a URL's text are ("http://user:pass@host/"):
 * views into that text, still percent-encoded. */
struct url_userinfo {
	const char *user, *password;
	size_t user_len, password_len;
	bool has_password;        /* a ':' followed the user name */
	size_t cut_off, cut_len;  /* "user:pass@" in the text, to cut or redact */
};

/* Find the userinfo of URL text s (len bytes, any scheme with an authority).
 * False, with *out zeroed, when there is none.  Does not validate: call it
 * on a URL that url_parse accepted. */
bool url_userinfo(const char *s, size_t len, struct url_userinfo *out);

/* Percent-decode src (len bytes) into out (cap bytes, NUL-terminated).
 * Invalid escapes are copied literally.  Returns the decoded length, or
 * (size_t)-1 when out is too small. */
size_t url_percent_decode(const char *src, size_t len, char *out, size_t cap);

#endif
