/* resp.c - the HTTP/1.1 response-head parser (RFC 9112 §2-§6).
 *
 * A byte-at-a-time state machine, so every split of the input gives the
 * same result and nothing is buffered but the few field values quiver acts
 * on.  Syntax is checked strictly: lenient parsers are where response
 * smuggling and desync bugs start (llhttp CVE-2023-30589).  The body framing
 * is decided once, at the empty line, from everything the head said, so the
 * order of the fields never matters.  Value grammars live in fields.c. */
#include "http/resp.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "http/date.h"
#include "http/fields.h"
#include "http/syntax.h"
#include "util/ascii.h"

enum resp_state {
	ST_VERSION = 0, /* matching "HTTP/1." */
	ST_MINOR,
	ST_SP1,
	ST_CODE,
	ST_AFTER_CODE,
	ST_REASON,
	ST_SL_LF,       /* CR seen at the end of the status line */
	ST_LINE_START,  /* start of a field line or of the final empty line */
	ST_NAME,
	ST_VALUE_LEAD,  /* OWS after the colon */
	ST_VALUE,
	ST_FIELD_LF,
	ST_END_LF,
	ST_DONE,
	ST_ERROR
};

enum resp_step { STEP_MORE = 0, STEP_DONE, STEP_ERROR };

enum resp_field {
	F_OTHER = 0,
	F_CONTENT_LENGTH,
	F_TRANSFER_ENCODING,
	F_CONNECTION,
	F_LOCATION,
	F_CONTENT_RANGE,
	F_RETRY_AFTER,
	F_CONTENT_TYPE,
	F_ETAG,
	F_LAST_MODIFIED,
	F_DATE
};

struct kept_field {
	const char *name;
	enum resp_field id;
};

static const struct kept_field kept_fields[] = {
	{"content-length", F_CONTENT_LENGTH},
	{"transfer-encoding", F_TRANSFER_ENCODING},
	{"connection", F_CONNECTION},
	{"location", F_LOCATION},
	{"content-range", F_CONTENT_RANGE},
	{"retry-after", F_RETRY_AFTER},
	{"content-type", F_CONTENT_TYPE},
	{"etag", F_ETAG},
	{"last-modified", F_LAST_MODIFIED},
	{"date", F_DATE},
};

static const char http_prefix[] = "HTTP/1.";

static enum resp_step resp_fail(struct http_resp_parser *p, struct qv_error *err,
				enum qv_err code, const char *msg)
{
	p->state = ST_ERROR;
	p->err = code;
	(void)qv_error_set(err, code, "%s", msg);
	if (err != NULL)
		err->detail = p->resp.status;
	return STEP_ERROR;
}

static enum resp_step syntax_fail(struct http_resp_parser *p, struct qv_error *err,
				  const char *what)
{
	p->state = ST_ERROR;
	p->err = QV_E_HTTP_SYNTAX;
	(void)qv_error_set(err, QV_E_HTTP_SYNTAX, "malformed HTTP response: %s", what);
	if (err != NULL)
		err->detail = p->resp.status;
	return STEP_ERROR;
}

static enum resp_step bad_status(struct http_resp_parser *p, struct qv_error *err)
{
	return syntax_fail(p, err, "bad status line");
}

/* ---- end of head: the framing decision (RFC 9112 §6.3) ---- */

static enum resp_step cl_fail(struct http_resp_parser *p, struct qv_error *err)
{
	const char *msg;

	switch (p->cl_err) {
	case HTTP_CL_NEGATIVE:
		msg = "invalid Content-Length: negative value";
		break;
	case HTTP_CL_OVERFLOW:
		msg = "invalid Content-Length: larger than 2^63-1";
		break;
	case HTTP_CL_CONFLICT:
		msg = "invalid Content-Length: conflicting values";
		break;
	default:
		msg = "invalid Content-Length: not a decimal number";
		break;
	}
	return resp_fail(p, err, QV_E_HTTP_BAD_LENGTH, msg);
}

/* quiver never sends TE, so the only coding a server may apply is one
 * chunked (RFC 9112 §6.1, §7); anything else could not be decoded. */
static enum resp_step te_check(struct http_resp_parser *p, struct qv_error *err)
{
	const struct http_te *te = &p->te;

	if (te->codings == 0)
		return resp_fail(p, err, QV_E_HTTP_BAD_TE, "empty Transfer-Encoding");
	if (!te->last_chunked)
		return resp_fail(p, err, QV_E_HTTP_BAD_TE,
				 "Transfer-Encoding does not end with chunked");
	if (te->chunked > 1)
		return resp_fail(p, err, QV_E_HTTP_BAD_TE,
				 "Transfer-Encoding applies chunked more than once");
	if (te->codings > 1)
		return resp_fail(p, err, QV_E_HTTP_BAD_TE,
				 "unsupported transfer coding (only chunked is supported)");
	return STEP_DONE;
}

static enum resp_step frame_body(struct http_resp_parser *p, struct qv_error *err)
{
	struct http_resp *r = &p->resp;

	if (p->te_present) {
		/* TE wins over CL, but a message with both may be an attack on
		 * an intermediary: do not reuse the connection (RFC 9112 §6.3). */
		if (te_check(p, err) != STEP_DONE)
			return STEP_ERROR;
		r->framing = HTTP_BODY_CHUNKED;
		r->has_length = false;
		r->content_length = 0;
		/* An HTTP/1.0 message with TE has suspect framing (RFC 9112 §6.1). */
		if (p->cl_seen || p->cl_err != 0 || r->minor == 0)
			r->keep_alive = false;
		return STEP_DONE;
	}
	if (p->cl_err != 0)
		return cl_fail(p, err);
	if (p->cl_seen) {
		r->framing = HTTP_BODY_LENGTH;
		r->has_length = true;
		return STEP_DONE;
	}
	r->framing = HTTP_BODY_CLOSE;
	r->keep_alive = false;
	return STEP_DONE;
}

/* Zero the parser for a new head, keeping its Location buffer: of that only
 * the NUL is written (see http_resp_init). */
static void resp_clear(struct http_resp_parser *p, bool request_was_head, bool request_was_connect)
{
	char *loc = p->loc;
	uint32_t cap = p->loc_cap;

	memset(p, 0, sizeof *p);
	p->loc = loc;
	p->loc_cap = cap;
	p->loc[0] = '\0';
	p->resp.location = loc;
	p->request_was_head = request_was_head;
	p->request_was_connect = request_was_connect;
	p->state = ST_VERSION;
}

/* Forget the head parsed so far (after a 1xx) but not the request kind. */
static void resp_restart(struct http_resp_parser *p)
{
	resp_clear(p, p->request_was_head, p->request_was_connect);
}

static enum resp_step head_end(struct http_resp_parser *p, struct qv_error *err)
{
	struct http_resp *r = &p->resp;
	enum resp_step s;

	if (p->interim) {
		resp_restart(p);
		return STEP_MORE;
	}
	/* RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only on request. */
	r->keep_alive = !p->conn_close && (r->minor >= 1 || p->conn_keep_alive);
	/* a 2xx to CONNECT opens the tunnel: what follows is not a body
	 * (RFC 9110 §9.3.6) */
	if (p->request_was_connect && r->status >= 200 && r->status <= 299) {
		r->framing = HTTP_BODY_NONE;
		r->keep_alive = false;
		s = STEP_DONE;
	} else if (p->request_was_head || r->status == 204 || r->status == 304) {
		r->framing = HTTP_BODY_NONE;
		r->has_length = p->cl_seen && p->cl_err == 0;
		/* A 204/304 must not carry a body; a broken server that sends one
		 * anyway would desync the next response, and these statuses are
		 * rare for a downloader, so such connections are not reused. */
		if (r->status == 204 || r->status == 304)
			r->keep_alive = false;
		s = STEP_DONE;
	} else {
		s = frame_body(p, err);
	}
	if (s == STEP_DONE)
		p->state = ST_DONE;
	return s;
}

/* ---- fields ---- */

static void field_begin(struct http_resp_parser *p)
{
	size_t i;

	p->field = F_OTHER;
	p->value_len = 0;
	p->value_overflow = false;
	/* A 1xx head's fields say nothing about the final response. */
	if (p->interim || p->name_len >= sizeof p->name)
		return;
	for (i = 0; i < sizeof kept_fields / sizeof kept_fields[0]; i++) {
		if (ascii_ieq(p->name, p->name_len, kept_fields[i].name)) {
			p->field = kept_fields[i].id;
			return;
		}
	}
}

/* Where the current field's value is collected: a first Location straight
 * into the caller's buffer (no copy, and only as many bytes written as it is
 * long), any other kept value into value[]. */
static char *value_buf(struct http_resp_parser *p, uint32_t *cap)
{
	if (p->field == F_LOCATION && !p->resp.has_location) {
		*cap = p->loc_cap;
		return p->loc;
	}
	*cap = HTTP_VALUE_MAX;
	return p->value;
}

static enum resp_step value_add(struct http_resp_parser *p, uint8_t c, struct qv_error *err)
{
	uint32_t cap;
	char *v;

	if (!http_is_value_byte(c))
		return syntax_fail(p, err, "control character in header field value");
	if (p->field == F_OTHER)
		return STEP_MORE;
	v = value_buf(p, &cap);
	if (p->value_len < cap - 1) {
		v[p->value_len++] = (char)c;
		return STEP_MORE;
	}
	/* Full: trailing OWS would be trimmed anyway, anything else is lost. */
	if (http_is_ws(c))
		return STEP_MORE;
	if (p->field == F_LOCATION && v == p->loc) {
		char msg[48];

		(void)snprintf(msg, sizeof msg, "Location header longer than %u bytes",
			       (unsigned)(p->loc_cap - 1));
		return resp_fail(p, err, QV_E_HTTP_HEADER_TOO_BIG, msg);
	}
	/* A repeated Location too long to compare fails in location_field. */
	p->value_overflow = true;
	return STEP_MORE;
}

static void content_length_field(struct http_resp_parser *p)
{
	uint64_t v = 0;
	enum http_cl_result rc = p->value_overflow ? HTTP_CL_SYNTAX
						   : http_cl_parse(p->value, p->value_len, &v);

	if (rc == HTTP_CL_OK && p->cl_seen && v != p->resp.content_length)
		rc = HTTP_CL_CONFLICT;
	if (rc != HTTP_CL_OK) {
		if (p->cl_err == 0)
			p->cl_err = (int)rc;
		return;
	}
	p->cl_seen = true;
	p->resp.content_length = v;
}

static enum resp_step location_field(struct http_resp_parser *p, struct qv_error *err)
{
	struct http_resp *r = &p->resp;

	if (p->value_len == 0)
		return STEP_MORE;
	if (!r->has_location) { /* value_buf put it in r->location already */
		r->has_location = true;
		return STEP_MORE;
	}
	/* Two different targets: which one the server meant is a guess. */
	if (p->value_overflow || strcmp(r->location, p->value) != 0)
		return syntax_fail(p, err, "conflicting Location headers");
	return STEP_MORE;
}

static void content_type_field(struct http_resp_parser *p)
{
	size_t n = p->value_len < HTTP_CTYPE_MAX - 1 ? p->value_len : HTTP_CTYPE_MAX - 1;

	memcpy(p->resp.content_type, p->value, n);
	p->resp.content_type[n] = '\0';
}

/* The validators of a resume (If-Range) and of -N (DESIGN §1): kept only
 * when exactly right, since a doubtful one could splice two versions of a
 * file together. */
static void etag_field(struct http_resp_parser *p)
{
	struct http_resp *r = &p->resp;
	bool first = !p->etag_seen;

	p->etag_seen = true;
	r->etag[0] = '\0';
	if (first && !p->value_overflow && p->value_len < HTTP_ETAG_MAX &&
	    http_etag_strong(p->value, p->value_len)) {
		memcpy(r->etag, p->value, p->value_len);
		r->etag[p->value_len] = '\0';
	}
}

static enum resp_step field_end(struct http_resp_parser *p, struct qv_error *err)
{
	struct http_resp *r = &p->resp;
	uint32_t cap;
	char *v = value_buf(p, &cap);

	while (p->value_len > 0 && http_is_ws((uint8_t)v[p->value_len - 1]))
		p->value_len--;
	v[p->value_len] = '\0';
	p->state = ST_LINE_START;
	switch (p->field) {
	case F_CONTENT_LENGTH:
		content_length_field(p);
		break;
	case F_TRANSFER_ENCODING:
		p->te_present = true;
		http_te_add(&p->te, p->value, p->value_len);
		if (p->value_overflow) /* an unreadable tail: not "just chunked" */
			p->te.last_chunked = false;
		break;
	case F_CONNECTION:
		http_conn_parse(p->value, p->value_len, &p->conn_close, &p->conn_keep_alive);
		if (p->value_overflow) /* options lost: do not risk reuse */
			p->conn_close = true;
		break;
	case F_LOCATION:
		return location_field(p, err);
	case F_CONTENT_RANGE:
		if (p->value_overflow || !http_crange_parse(p->value, p->value_len, r))
			r->has_content_range = false;
		break;
	case F_RETRY_AFTER:
		r->has_retry_after = !p->value_overflow &&
				     http_retry_after_parse(p->value, p->value_len, &r->retry_after_s);
		break;
	case F_CONTENT_TYPE:
		content_type_field(p);
		break;
	case F_ETAG:
		etag_field(p);
		break;
	case F_LAST_MODIFIED:
		r->has_last_modified = !p->value_overflow &&
				       http_date_parse(p->value, p->value_len, &r->last_modified);
		break;
	case F_DATE:
		r->has_date = !p->value_overflow && http_date_parse(p->value, p->value_len, &r->date);
		break;
	default:
		break;
	}
	return STEP_MORE;
}

/* ---- the state machine ---- */

static enum resp_step status_line_end(struct http_resp_parser *p, struct qv_error *err)
{
	struct http_resp *r = &p->resp;

	while (p->reason_len > 0 && http_is_ws((uint8_t)r->reason[p->reason_len - 1]))
		p->reason_len--;
	r->reason[p->reason_len] = '\0';
	/* quiver never asks for an upgrade (RFC 9110 §15.2.2). */
	if (r->status == 101)
		return syntax_fail(p, err, "unexpected 101 Switching Protocols");
	p->interim = r->status < 200;
	p->state = ST_LINE_START;
	return STEP_MORE;
}

static enum resp_step status_code_digit(struct http_resp_parser *p, uint8_t c,
					struct qv_error *err)
{
	if (c < '0' || c > '9')
		return bad_status(p, err);
	p->num = p->num * 10 + (c - '0');
	if (++p->pos < 3)
		return STEP_MORE;
	/* RFC 9110 §15: values outside 100..599 are invalid. */
	if (p->num < 100 || p->num > 599)
		return bad_status(p, err);
	p->resp.status = p->num;
	p->state = ST_AFTER_CODE;
	return STEP_MORE;
}

static enum resp_step reason_step(struct http_resp_parser *p, uint8_t c, struct qv_error *err)
{
	if (c == '\r') {
		p->state = ST_SL_LF;
		return STEP_MORE;
	}
	if (c == '\n')
		return status_line_end(p, err);
	if (!http_is_value_byte(c))
		return syntax_fail(p, err, "control character in reason phrase");
	/* A longer phrase is cut: it is only ever shown to the user. */
	if (p->reason_len < HTTP_REASON_MAX - 1)
		p->resp.reason[p->reason_len++] = (char)c;
	return STEP_MORE;
}

/* status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4);
 * a missing SP before an empty reason is tolerated, as curl does. */
static enum resp_step status_line_step(struct http_resp_parser *p, uint8_t c,
				       struct qv_error *err)
{
	switch (p->state) {
	case ST_VERSION:
		/* HTTP-name is case-sensitive (RFC 9112 §2.3). */
		if (c != (uint8_t)http_prefix[p->pos])
			return bad_status(p, err);
		if (++p->pos == (int)sizeof http_prefix - 1)
			p->state = ST_MINOR;
		return STEP_MORE;
	case ST_MINOR:
		if (c < '0' || c > '9')
			return bad_status(p, err);
		/* A higher 1.x minor is processed as 1.1 (RFC 9110 §6.2). */
		p->resp.minor = c == '0' ? 0 : 1;
		p->state = ST_SP1;
		return STEP_MORE;
	case ST_SP1:
		if (c != ' ')
			return bad_status(p, err);
		p->state = ST_CODE;
		p->pos = 0;
		p->num = 0;
		return STEP_MORE;
	case ST_CODE:
		return status_code_digit(p, c, err);
	case ST_AFTER_CODE:
		if (c == ' ' || c == '\r') {
			p->state = c == ' ' ? ST_REASON : ST_SL_LF;
			return STEP_MORE;
		}
		if (c == '\n')
			return status_line_end(p, err);
		return bad_status(p, err);
	case ST_REASON:
		return reason_step(p, c, err);
	default: /* ST_SL_LF */
		if (c != '\n')
			return syntax_fail(p, err, "bare CR in response head");
		return status_line_end(p, err);
	}
}

static void name_add(struct http_resp_parser *p, uint8_t c)
{
	/* Names that fill name[] are none of the kept ones (field_begin). */
	if (p->name_len < sizeof p->name)
		p->name[p->name_len++] = (char)ascii_lower(c);
}

static enum resp_step line_start(struct http_resp_parser *p, uint8_t c, struct qv_error *err)
{
	if (c == '\r') {
		p->state = ST_END_LF;
		return STEP_MORE;
	}
	if (c == '\n')
		return head_end(p, err);
	/* RFC 9112 §5.2: obs-fold is rejected; §2.2: so is whitespace between
	 * the status line and the first field. */
	if (http_is_ws(c))
		return syntax_fail(p, err, p->fields == 0 ? "whitespace before the first header field"
							  : "obs-fold (folded header line)");
	if (c == ':')
		return syntax_fail(p, err, "empty header field name");
	if (!http_is_tchar(c))
		return syntax_fail(p, err, "invalid character in header field name");
	if (p->fields == HTTP_FIELDS_MAX)
		return resp_fail(p, err, QV_E_HTTP_TOO_MANY_FIELDS,
				 "response has more than 100 header fields");
	p->fields++;
	p->name_len = 0;
	name_add(p, c);
	p->state = ST_NAME;
	return STEP_MORE;
}

static enum resp_step name_step(struct http_resp_parser *p, uint8_t c, struct qv_error *err)
{
	if (c == ':') {
		field_begin(p);
		p->state = ST_VALUE_LEAD;
		return STEP_MORE;
	}
	/* RFC 9112 §5.1: no whitespace between field name and colon. */
	if (http_is_ws(c))
		return syntax_fail(p, err, "whitespace between header field name and colon");
	if (c == '\r' || c == '\n')
		return syntax_fail(p, err, "header line without a colon");
	if (!http_is_tchar(c))
		return syntax_fail(p, err, "invalid character in header field name");
	name_add(p, c);
	return STEP_MORE;
}

static enum resp_step field_step(struct http_resp_parser *p, uint8_t c, struct qv_error *err)
{
	switch (p->state) {
	case ST_LINE_START:
		return line_start(p, c, err);
	case ST_NAME:
		return name_step(p, c, err);
	case ST_VALUE_LEAD:
	case ST_VALUE:
		if (c == '\r') {
			p->state = ST_FIELD_LF;
			return STEP_MORE;
		}
		if (c == '\n')
			return field_end(p, err);
		if (p->state == ST_VALUE_LEAD && http_is_ws(c))
			return STEP_MORE;
		p->state = ST_VALUE;
		return value_add(p, c, err);
	case ST_FIELD_LF:
		if (c != '\n')
			return syntax_fail(p, err, "bare CR in response head");
		return field_end(p, err);
	default: /* ST_END_LF */
		if (c != '\n')
			return syntax_fail(p, err, "bare CR in response head");
		return head_end(p, err);
	}
}

static enum resp_step resp_step(struct http_resp_parser *p, uint8_t c, struct qv_error *err)
{
	/* Counted per head: a 1xx does not eat into the final head's budget. */
	if (++p->head_bytes > HTTP_HEAD_MAX)
		return resp_fail(p, err, QV_E_HTTP_HEADER_TOO_BIG,
				 "response header section larger than 64 KiB");
	if (c == '\0')
		return syntax_fail(p, err, "NUL byte in response head");
	if (p->state <= ST_SL_LF)
		return status_line_step(p, c, err);
	return field_step(p, c, err);
}

void http_resp_init(struct http_resp_parser *p, bool request_was_head, char *location,
		    size_t cap)
{
	p->loc = location;
	p->loc_cap = (uint32_t)(cap < HTTP_LOCATION_MAX ? cap : HTTP_LOCATION_MAX);
	resp_clear(p, request_was_head, false);
}

void http_resp_expect_connect(struct http_resp_parser *p)
{
	p->request_was_connect = true;
}

enum http_resp_progress http_resp_feed(struct http_resp_parser *p, const uint8_t *buf, size_t len,
				       size_t *consumed, struct qv_error *err)
{
	size_t i;

	*consumed = 0;
	if (p->state == ST_DONE)
		return HTTP_RESP_DONE;
	if (p->state == ST_ERROR) {
		(void)qv_error_set(err, p->err, "%s", qv_err_text(p->err));
		return HTTP_RESP_ERROR;
	}
	for (i = 0; i < len; i++) {
		enum resp_step s = resp_step(p, buf[i], err);

		if (s == STEP_DONE) {
			*consumed = i + 1;
			return HTTP_RESP_DONE;
		}
		if (s == STEP_ERROR) {
			*consumed = i;
			return HTTP_RESP_ERROR;
		}
	}
	*consumed = len;
	return HTTP_RESP_NEED_MORE;
}

const struct http_resp *http_resp_get(const struct http_resp_parser *p)
{
	return &p->resp;
}
