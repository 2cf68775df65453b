/* body.h - HTTP/1.1 message-body framing: Content-Length, chunked, and
 * close-delimited bodies (sans-I/O, no malloc, zero-copy).
 *
 * The decoder never copies data: each call hands back a span of the input
 * that is body payload.  Chunk sizes are hex digits only, overflow-checked;
 * chunk extensions are skipped (at most HTTP_CHUNK_EXT_MAX bytes per line);
 * trailers are read and discarded (at most HTTP_TRAILER_MAX bytes). */
#ifndef QV_HTTP_BODY_H
#define QV_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/resp.h"
#include "util/err.h"

/* Chunk-extension bytes allowed on one chunk-size line (llhttp caps them too,
 * CVE-2023-30589 class: unbounded extensions are a DoS vector). */
#define HTTP_CHUNK_EXT_MAX 4096u
/* Trailer section cap, same as the head cap would be excessive for trailers. */
#define HTTP_TRAILER_MAX (16u * 1024u)

/* How far http_body_feed got. */
enum http_body_progress {
	BODY_NEED_MORE = 0, /* all input consumed; body not finished */
	BODY_DATA,          /* *data_off and *data_len name payload inside the input */
	BODY_DONE,          /* body complete (framed end reached) */
	BODY_ERROR          /* see the qv_error */
};

struct http_body {
	/* private state (its fields may change; use the functions) */
	enum http_framing framing;
	int state;
	uint64_t remaining;   /* bytes left in the body (LENGTH) or chunk */
	uint64_t received;    /* payload bytes handed out so far */
	uint64_t expected;    /* Content-Length, for truncation messages */
	uint32_t line_bytes;  /* bytes of the current size/extension/trailer line */
	uint32_t trailer_bytes;
	uint32_t digits;
	enum qv_err err;
};

/* Set up for the body of a parsed response head. */
void http_body_init(struct http_body *b, const struct http_resp *r);

/* Consume input.  Call repeatedly with the remaining input (even when none
 * is left: a Content-Length body reports BODY_DONE on that call) until it
 * returns BODY_NEED_MORE (input used up), BODY_DONE or BODY_ERROR.
 * On BODY_DATA, payload is buf[*data_off .. *data_off + *data_len) and
 * *consumed covers it (and any framing before it).  On BODY_DONE, *consumed
 * stops at the end of the body; bytes after it belong to the next response. */
enum http_body_progress http_body_feed(struct http_body *b, const uint8_t *buf, size_t len,
				       size_t *consumed, size_t *data_off, size_t *data_len,
				       struct qv_error *err);

/* The connection reached EOF.  Returns BODY_DONE when that ends the body
 * legitimately (close-delimited, already complete, or a chunked body whose
 * last chunk arrived but whose trailer section was cut: complete per RFC 9112
 * §8), else BODY_ERROR with QV_E_TRUNCATED and the message
 * "truncated: got X of Y bytes" (LENGTH) or
 * "truncated: chunked body ended after X bytes without its last chunk"
 * (X: payload bytes).  Chunked syntax errors from http_body_feed are
 * QV_E_HTTP_BAD_CHUNK "malformed chunked body: ..." (e.g. "chunk size
 * overflows"; sizes above 2^63-1 overflow). */
enum http_body_progress http_body_eof(struct http_body *b, struct qv_error *err);

/* Payload bytes delivered so far. */
uint64_t http_body_received(const struct http_body *b);

/* True once the framed end was reached (BODY_DONE returned). */
bool http_body_done(const struct http_body *b);

#endif
