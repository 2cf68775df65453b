/* body.c - message-body framing (RFC 9112 §6-§8): Content-Length, chunked
 * and close-delimited bodies, decoded without copying.
 *
 * Payload is handed back as spans of the caller's input; only the chunked
 * framing is walked byte by byte, by a state machine, so any split of the
 * input decodes the same.  The framed end is the only success: EOF before
 * it is QV_E_TRUNCATED, never a short file that looks complete. */
#include "http/body.h"

#include <inttypes.h>
#include <string.h>

#include "http/fields.h"
#include "http/syntax.h"
#include "util/ascii.h"

enum body_state {
	B_LENGTH = 0,
	B_CLOSE,
	B_SIZE_START,    /* first hex digit of a chunk size */
	B_SIZE,
	B_SIZE_BWS,      /* whitespace after the size: only ";ext" may follow */
	B_EXT,
	B_SIZE_LF,
	B_DATA,
	B_DATA_CR,       /* the CRLF that ends chunk data */
	B_DATA_LF,
	B_TRAILER_START, /* after the last chunk: a trailer line or the end */
	B_TRAILER_LINE,
	B_TRAILER_LF,
	B_END_LF,
	B_DONE,
	B_ERROR
};

enum chunk_step { CH_MORE = 0, CH_ERROR };

static enum chunk_step chunk_fail(struct http_body *b, struct qv_error *err, const char *what)
{
	b->state = B_ERROR;
	b->err = QV_E_HTTP_BAD_CHUNK;
	(void)qv_error_set(err, QV_E_HTTP_BAD_CHUNK, "malformed chunked body: %s", what);
	return CH_ERROR;
}

static void size_line_end(struct http_body *b)
{
	b->line_bytes = 0;
	b->state = b->remaining == 0 ? B_TRAILER_START : B_DATA;
}

static enum chunk_step size_digit(struct http_body *b, int d, struct qv_error *err)
{
	/* Checked before multiplying (picohttpparser #78: 16+ digits wrapped). */
	if (b->remaining > (HTTP_LENGTH_MAX - (uint64_t)d) / 16)
		return chunk_fail(b, err, "chunk size overflows");
	b->remaining = b->remaining * 16 + (uint64_t)d;
	b->digits++;
	return CH_MORE;
}

/* chunk-size [ chunk-ext ] CRLF  (RFC 9112 §7.1; bare LF tolerated, §2.2) */
static enum chunk_step size_line_step(struct http_body *b, uint8_t c, struct qv_error *err)
{
	int d = ascii_hex_value(c);

	if (++b->line_bytes > HTTP_CHUNK_EXT_MAX && c != '\r' && c != '\n')
		return chunk_fail(b, err, b->state == B_EXT ? "chunk extension too long"
							    : "chunk size line too long");
	switch (b->state) {
	case B_SIZE_START:
		if (d < 0)
			return chunk_fail(b, err, "chunk size is not a hex number");
		b->remaining = 0;
		b->digits = 0;
		b->state = B_SIZE;
		return size_digit(b, d, err);
	case B_SIZE:
		if (d >= 0)
			return size_digit(b, d, err);
		if (c == '\r' || c == '\n' || c == ';' || http_is_ws(c))
			break;
		return chunk_fail(b, err, "invalid character in chunk size");
	case B_SIZE_BWS:
		if (c == ';' || http_is_ws(c))
			break;
		return chunk_fail(b, err, "invalid character after chunk size");
	case B_EXT:
		/* Extensions are ignored; only their bytes are checked. */
		if (c == '\r' || c == '\n' || http_is_value_byte(c))
			break;
		return chunk_fail(b, err, "control character in chunk extension");
	default: /* B_SIZE_LF */
		if (c != '\n')
			return chunk_fail(b, err, "bare CR in chunk size line");
		size_line_end(b);
		return CH_MORE;
	}
	if (c == '\r')
		b->state = B_SIZE_LF;
	else if (c == '\n')
		size_line_end(b);
	else if (c == ';')
		b->state = B_EXT;
	else if (b->state == B_SIZE)
		b->state = B_SIZE_BWS; /* BWS: stays until ';' (B_EXT keeps its own) */
	return CH_MORE;
}

/* trailer-section CRLF: read and discarded (RFC 9112 §7.1.2). */
static enum chunk_step trailer_step(struct http_body *b, uint8_t c, struct qv_error *err)
{
	if (++b->trailer_bytes > HTTP_TRAILER_MAX)
		return chunk_fail(b, err, "trailer section too large");
	if (c == '\0')
		return chunk_fail(b, err, "NUL byte in trailer");
	switch (b->state) {
	case B_TRAILER_START:
		if (c == '\r')
			b->state = B_END_LF;
		else if (c == '\n')
			b->state = B_DONE;
		else
			b->state = B_TRAILER_LINE;
		return CH_MORE;
	case B_TRAILER_LINE:
		if (c == '\r')
			b->state = B_TRAILER_LF;
		else if (c == '\n')
			b->state = B_TRAILER_START;
		return CH_MORE;
	default: /* B_TRAILER_LF, B_END_LF */
		if (c != '\n')
			return chunk_fail(b, err, "bare CR in trailer");
		b->state = b->state == B_END_LF ? B_DONE : B_TRAILER_START;
		return CH_MORE;
	}
}

static enum chunk_step chunk_step(struct http_body *b, uint8_t c, struct qv_error *err)
{
	switch (b->state) {
	case B_DATA_CR:
		if (c == '\r') {
			b->state = B_DATA_LF;
			return CH_MORE;
		}
		if (c != '\n')
			return chunk_fail(b, err, "missing CRLF after chunk data");
		b->state = B_SIZE_START;
		return CH_MORE;
	case B_DATA_LF:
		if (c != '\n')
			return chunk_fail(b, err, "missing CRLF after chunk data");
		b->state = B_SIZE_START;
		return CH_MORE;
	case B_TRAILER_START:
	case B_TRAILER_LINE:
	case B_TRAILER_LF:
	case B_END_LF:
		return trailer_step(b, c, err);
	default:
		return size_line_step(b, c, err);
	}
}

static enum http_body_progress chunked_feed(struct http_body *b, const uint8_t *buf, size_t len,
					    size_t *consumed, size_t *data_off, size_t *data_len,
					    struct qv_error *err)
{
	size_t i = 0;

	while (i < len) {
		if (b->state == B_DATA) {
			size_t n = len - i;

			if ((uint64_t)n > b->remaining)
				n = (size_t)b->remaining;
			b->remaining -= n;
			b->received += n;
			if (b->remaining == 0)
				b->state = B_DATA_CR;
			*data_off = i;
			*data_len = n;
			*consumed = i + n;
			return BODY_DATA;
		}
		if (chunk_step(b, buf[i], err) == CH_ERROR) {
			*consumed = i;
			return BODY_ERROR;
		}
		i++;
		if (b->state == B_DONE) {
			*consumed = i;
			return BODY_DONE;
		}
	}
	*consumed = len;
	return BODY_NEED_MORE;
}

static enum http_body_progress span_feed(struct http_body *b, size_t len, size_t *consumed,
					 size_t *data_len)
{
	size_t n = len;

	if (len == 0)
		return BODY_NEED_MORE;
	if (b->state == B_LENGTH) {
		if ((uint64_t)n > b->remaining)
			n = (size_t)b->remaining;
		b->remaining -= n;
		if (b->remaining == 0)
			b->state = B_DONE;
	}
	b->received += n;
	*data_len = n;
	*consumed = n;
	return BODY_DATA;
}

void http_body_init(struct http_body *b, const struct http_resp *r)
{
	memset(b, 0, sizeof *b);
	b->framing = r->framing;
	switch (r->framing) {
	case HTTP_BODY_LENGTH:
		b->remaining = r->content_length;
		b->expected = r->content_length;
		b->state = b->remaining == 0 ? B_DONE : B_LENGTH;
		break;
	case HTTP_BODY_CHUNKED:
		b->state = B_SIZE_START;
		break;
	case HTTP_BODY_CLOSE:
		b->state = B_CLOSE;
		break;
	default:
		b->state = B_DONE;
		break;
	}
}

/* A failed body says why again at every later call. */
static enum http_body_progress body_failed(const struct http_body *b, struct qv_error *err)
{
	(void)qv_error_set(err, b->err, "%s", qv_err_text(b->err));
	return BODY_ERROR;
}

enum http_body_progress http_body_feed(struct http_body *b, const uint8_t *buf, size_t len,
				       size_t *consumed, size_t *data_off, size_t *data_len,
				       struct qv_error *err)
{
	*consumed = 0;
	*data_off = 0;
	*data_len = 0;
	switch (b->state) {
	case B_DONE:
		return BODY_DONE;
	case B_ERROR:
		return body_failed(b, err);
	case B_LENGTH:
	case B_CLOSE:
		return span_feed(b, len, consumed, data_len);
	default:
		return chunked_feed(b, buf, len, consumed, data_off, data_len, err);
	}
}

static enum http_body_progress body_truncated(struct http_body *b, struct qv_error *err)
{
	b->state = B_ERROR;
	b->err = QV_E_TRUNCATED;
	if (b->framing == HTTP_BODY_LENGTH)
		(void)qv_error_set(err, QV_E_TRUNCATED, "truncated: got %" PRIu64 " of %" PRIu64 " bytes",
				   b->received, b->expected);
	else
		(void)qv_error_set(err, QV_E_TRUNCATED,
				   "truncated: chunked body ended after %" PRIu64
				   " bytes without its last chunk",
				   b->received);
	return BODY_ERROR;
}

enum http_body_progress http_body_eof(struct http_body *b, struct qv_error *err)
{
	switch (b->state) {
	case B_ERROR:
		return body_failed(b, err);
	case B_DONE:
	case B_CLOSE:
	/* The last chunk arrived: RFC 9112 §8 counts the message complete even
	 * if the trailer section was cut off, and every payload byte is here. */
	case B_TRAILER_START:
	case B_TRAILER_LINE:
	case B_TRAILER_LF:
	case B_END_LF:
		b->state = B_DONE;
		return BODY_DONE;
	default:
		return body_truncated(b, err);
	}
}

uint64_t http_body_received(const struct http_body *b)
{
	return b->received;
}

bool http_body_done(const struct http_body *b)
{
	return b->state == B_DONE;
}
