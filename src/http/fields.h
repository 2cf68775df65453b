/* fields.h - grammars of the response field values quiver acts on
 * (Content-Length, Transfer-Encoding, Connection, Content-Range,
 * Retry-After).  Private to src/http/: pure functions over a value that the
 * response parser has already trimmed of OWS; no state, no allocation. */
#ifndef QV_HTTP_FIELDS_H
#define QV_HTTP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/resp.h"

/* Largest Content-Length, chunk size or range position accepted: 2^63-1,
 * so every length also fits an off_t. */
#define HTTP_LENGTH_MAX UINT64_C(0x7fffffffffffffff)
/* Retry-After cap: one day; a longer wait is not worth honouring in a
 * downloader (and keeps the sleep arithmetic far from overflow). */
#define HTTP_RETRY_AFTER_MAX 86400u

enum http_cl_result {
	HTTP_CL_OK = 0,
	HTTP_CL_SYNTAX,    /* empty, non-digit or signed element */
	HTTP_CL_NEGATIVE,  /* an element starting with '-' */
	HTTP_CL_OVERFLOW,  /* larger than HTTP_LENGTH_MAX */
	HTTP_CL_CONFLICT   /* elements that differ */
};

/* One Content-Length field value: 1*DIGIT, or a list of identical ones
 * ("5, 5", RFC 9110 §8.6).  On HTTP_CL_OK *v is the value. */
enum http_cl_result http_cl_parse(const char *s, size_t n, uint64_t *v);

/* Count the codings of one Transfer-Encoding value into te. */
void http_te_add(struct http_te *te, const char *s, size_t n);

/* Connection options: sets *close / *keep_alive when listed (never clears). */
void http_conn_parse(const char *s, size_t n, bool *close, bool *keep_alive);

/* Content-Range "bytes A-B/N", "bytes A-B/ *" or "bytes * /N" (RFC 9110 §14.4,
 * without the spaces around '/').  Fills the range_* fields of r and returns
 * true; false (r untouched) when malformed or inconsistent. */
bool http_crange_parse(const char *s, size_t n, struct http_resp *r);

/* Retry-After in its delta-seconds form, capped at HTTP_RETRY_AFTER_MAX;
 * false for the HTTP-date form or anything else. */
bool http_retry_after_parse(const char *s, size_t n, uint32_t *secs);

/* A strong entity-tag: DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E /
 * obs-text (RFC 9110 §8.8.3); a weak one ("W/...") is false. */
bool http_etag_strong(const char *s, size_t n);

/* Next non-empty element of a comma-separated list (RFC 9110 §5.6.1), OWS
 * trimmed.  *cur advances; returns false at the end. */
bool http_list_next(const char **cur, const char *end, const char **elem, size_t *elen);

#endif
