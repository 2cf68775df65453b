/* req.c - strict parsing of an HTTP/1.x request head.
 *
 * First find the end of the head (an empty line), then check the request
 * line and every field line.  Lines end in CRLF or a bare LF (RFC 9112 §2.2
 * allows LF); a bare CR, NUL or other control byte, whitespace before a
 * colon and obs-fold are rejected, as are the framing ambiguities request
 * smuggling lives on (RFC 9112 §6.3): differing Content-Lengths, or
 * Content-Length with Transfer-Encoding. */
#include "serve/req.h"

#include <string.h>

#include "http/syntax.h"
#include "util/ascii.h"

/* Field flags gathered while parsing. */
struct req_fields {
	unsigned hosts;
	bool conn_close, conn_keep_alive;
	bool has_length, has_te;
	uint64_t length;
};

/* Skip empty lines before the request line (RFC 9112 §2.2).  Returns the
 * offset of the request line, or len when more bytes are needed. */
static size_t req_skip_empty(const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		if (buf[pos] == '\n')
			pos++;
		else if (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')
			pos += 2;
		else if (buf[pos] == '\r' && pos + 1 == len)
			return len;
		else
			break;
	}
	return pos;
}

/* Offset just past the empty line that ends the head, or 0 if not there
 * yet; *scan remembers where to resume. */
static size_t req_find_end(const uint8_t *buf, size_t len, size_t start, size_t *scan)
{
	size_t i = *scan > start ? *scan : start;

	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 >= len)
			break;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (buf[i + 1] == '\r') {
			if (i + 2 >= len)
				break;
			if (buf[i + 2] == '\n')
				return i + 3;
		}
	}
	*scan = i;
	return 0;
}

/* The line at buf[*pos..end): *len gets its length without the line
 * ending and *pos moves past it; false if it holds a bare CR or a NUL. */
static bool req_line(const uint8_t *buf, size_t end, size_t *pos, size_t *len)
{
	size_t start = *pos, i;

	for (i = start; i < end && buf[i] != '\n'; i++) {
		if (buf[i] == 0 || (buf[i] == '\r' && (i + 1 >= end || buf[i + 1] != '\n')))
			return false;
	}
	*pos = i + 1;
	if (i > start && buf[i - 1] == '\r')
		i--;
	*len = i - start;
	return true;
}

static enum serve_req_status req_version(const uint8_t *v, size_t n, struct serve_req *req)
{
	if (n != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
	    v[7] < '0' || v[7] > '9')
		return SERVE_REQ_BAD;
	if (v[5] != '1')
		return SERVE_REQ_VERSION;
	/* RFC 9110 §2.5: a later 1.x is answered as the highest we implement */
	req->minor = v[7] >= '1' ? 1u : 0u;
	return SERVE_REQ_OK;
}

/* method SP request-target SP HTTP-version */
static enum serve_req_status req_request_line(const uint8_t *p, size_t n, struct serve_req *req)
{
	size_t i = 0, t;

	while (i < n && http_is_tchar(p[i]))
		i++;
	if (i == 0 || i >= n || p[i] != ' ')
		return SERVE_REQ_BAD;
	req->method = (const char *)p;
	req->method_len = i;
	t = ++i;
	while (i < n && p[i] > 0x20 && p[i] < 0x7f)
		i++;
	if (i == t || i >= n || p[i] != ' ')
		return SERVE_REQ_BAD;
	req->target = (const char *)p + t;
	req->target_len = i - t;
	return req_version(p + i + 1, n - i - 1, req);
}

/* 1*DIGIT without overflow; equal repeats are allowed, others are not. */
static enum serve_req_status req_content_length(const uint8_t *v, size_t n, struct req_fields *f)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return SERVE_REQ_BAD;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX - 9) / 10)
			return SERVE_REQ_BAD;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (f->has_length && f->length != x)
		return SERVE_REQ_BAD;
	f->has_length = true;
	f->length = x;
	return SERVE_REQ_OK;
}

/* Connection: a comma-separated list of tokens. */
static void req_connection(const uint8_t *v, size_t n, struct req_fields *f)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (ascii_ieq((const char *)v + s, e - s, "close"))
			f->conn_close = true;
		else if (ascii_ieq((const char *)v + s, e - s, "keep-alive"))
			f->conn_keep_alive = true;
	}
}

static enum serve_req_status req_field(const uint8_t *p, size_t n, struct req_fields *f)
{
	size_t i = 0, name_len, vs, ve;

	while (i < n && http_is_tchar(p[i]))
		i++;
	/* no name, whitespace before the colon, or obs-fold (leading space) */
	if (i == 0 || i >= n || p[i] != ':')
		return SERVE_REQ_BAD;
	name_len = i;
	vs = i + 1;
	while (vs < n && http_is_ws(p[vs]))
		vs++;
	ve = n;
	while (ve > vs && http_is_ws(p[ve - 1]))
		ve--;
	for (i = vs; i < ve; i++) {
		if (!http_is_value_byte(p[i]))
			return SERVE_REQ_BAD;
	}
	if (ascii_ieq((const char *)p, name_len, "host"))
		f->hosts++;
	else if (ascii_ieq((const char *)p, name_len, "connection"))
		req_connection(p + vs, ve - vs, f);
	else if (ascii_ieq((const char *)p, name_len, "content-length"))
		return req_content_length(p + vs, ve - vs, f);
	else if (ascii_ieq((const char *)p, name_len, "transfer-encoding"))
		f->has_te = true;
	return SERVE_REQ_OK;
}

static enum serve_req_status req_fields_check(const struct req_fields *f, struct serve_req *req)
{
	/* RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one before */
	if (f->hosts > 1 || (req->minor == 1 && f->hosts == 0))
		return SERVE_REQ_BAD;
	if (f->has_te)
		return f->has_length ? SERVE_REQ_BAD : SERVE_REQ_TE;
	req->content_length = f->has_length ? f->length : 0;
	req->keep_alive = !f->conn_close && (req->minor == 1 || f->conn_keep_alive);
	return SERVE_REQ_OK;
}

/* A quick look at a partial head: a request line must start with a method
 * token and a space, so e.g. a TLS hello is refused without waiting. */
static bool req_plausible(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len && buf[i] != ' '; i++) {
		if (!http_is_tchar(buf[i]))
			return false;
	}
	return !(i == 0 && len > 0);
}

enum serve_req_status serve_req_parse(const uint8_t *buf, size_t len, size_t *scan,
				      struct serve_req *req)
{
	struct req_fields f;
	size_t start = req_skip_empty(buf, len), end, pos, nfields = 0, dummy = 0;
	enum serve_req_status st;
	size_t n;

	if (scan == NULL)
		scan = &dummy;
	end = start < len ? req_find_end(buf, len, start, scan) : 0;
	if (end == 0) {
		if (len >= SERVE_REQ_HEAD_MAX)
			return SERVE_REQ_TOO_BIG;
		return req_plausible(buf + start, len - start) ? SERVE_REQ_INCOMPLETE : SERVE_REQ_BAD;
	}
	if (end > SERVE_REQ_HEAD_MAX)
		return SERVE_REQ_TOO_BIG;
	memset(&f, 0, sizeof f);
	memset(req, 0, sizeof *req);
	pos = start;
	if (!req_line(buf, end, &pos, &n))
		return SERVE_REQ_BAD;
	st = req_request_line(buf + start, n, req);
	if (st != SERVE_REQ_OK)
		return st;
	for (;;) {
		size_t line = pos;

		if (!req_line(buf, end, &pos, &n))
			return SERVE_REQ_BAD;
		if (n == 0)
			break;
		if (++nfields > SERVE_REQ_FIELDS_MAX)
			return SERVE_REQ_TOO_BIG;
		st = req_field(buf + line, n, &f);
		if (st != SERVE_REQ_OK)
			return st;
	}
	req->head_len = end;
	return req_fields_check(&f, req);
}
