/* test_resp.c - the response-head parser.
 *
 * Every input is parsed whole, split in two at every byte position, and one
 * byte at a time (feed.h), each piece placed right before an unreadable
 * guard page (tq_guard_dup) so an over-read faults; all runs must give the
 * same status, consumed count, error and parsed head. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/resp.h"
#include "http/syntax.h"
#include "feed.h"
#include "tq.h"

#define S(lit) (lit), (sizeof(lit) - 1)

struct head_run {
	enum http_resp_progress st;
	size_t consumed; /* of the whole input */
	enum qv_err code;
	char msg[QV_ERROR_MSG_MAX];
	struct http_resp resp;       /* its location points to location[] */
	char location[HTTP_LOCATION_MAX];
};

struct head_ctx {
	struct http_resp_parser p;
	struct qv_error err;
	bool head;       /* a response to HEAD (no body follows) */
	size_t base;     /* input bytes fed before the current piece */
	struct head_run *out;
	char loc[HTTP_LOCATION_MAX]; /* the parser's Location buffer */
};

/* The feed_target hooks (feed.h) take void pointers: ctx is a struct
 * head_ctx, a run a struct head_run. */
static void hc_begin(void *vc, void *vout)
{
	struct head_ctx *c = vc;
	struct head_run *out = vout;

	memset(out, 0, sizeof *out);
	qv_error_clear(&c->err);
	http_resp_init(&c->p, c->head, c->loc, sizeof c->loc);
	c->base = 0;
	c->out = out;
	out->st = HTTP_RESP_NEED_MORE;
}

static void hc_feed(void *vc, const uint8_t *buf, size_t n)
{
	struct head_ctx *c = vc;
	size_t used = 0;

	if (c->out->st != HTTP_RESP_NEED_MORE)
		return;
	c->out->st = http_resp_feed(&c->p, buf, n, &used, &c->err);
	c->out->consumed = c->base + used;
	c->base += n;
	if (c->out->st == HTTP_RESP_ERROR) {
		c->out->code = c->err.code;
		memcpy(c->out->msg, c->err.msg, sizeof c->out->msg);
	} else if (c->out->st == HTTP_RESP_DONE) {
		memcpy(&c->out->resp, http_resp_get(&c->p), sizeof c->out->resp);
		(void)snprintf(c->out->location, sizeof c->out->location, "%s",
			       c->out->resp.location);
		c->out->resp.location = c->out->location;
	}
}

static bool resp_equal(const struct http_resp *a, const struct http_resp *b)
{
	return a->status == b->status && a->minor == b->minor &&
	       strcmp(a->reason, b->reason) == 0 && a->framing == b->framing &&
	       a->has_length == b->has_length && a->content_length == b->content_length &&
	       a->keep_alive == b->keep_alive && a->has_location == b->has_location &&
	       strcmp(a->location, b->location) == 0 &&
	       a->has_content_range == b->has_content_range &&
	       a->range_unsatisfied == b->range_unsatisfied && a->range_first == b->range_first &&
	       a->range_last == b->range_last && a->range_total == b->range_total &&
	       a->has_retry_after == b->has_retry_after && a->retry_after_s == b->retry_after_s &&
	       strcmp(a->content_type, b->content_type) == 0 && strcmp(a->etag, b->etag) == 0 &&
	       a->has_last_modified == b->has_last_modified &&
	       a->last_modified == b->last_modified && a->has_date == b->has_date &&
	       a->date == b->date;
}

static bool run_equal(const void *va, const void *vb)
{
	const struct head_run *a = va, *b = vb;

	if (a->st != b->st || a->consumed != b->consumed)
		return false;
	if (a->st == HTTP_RESP_ERROR)
		return a->code == b->code && strcmp(a->msg, b->msg) == 0;
	if (a->st == HTTP_RESP_DONE)
		return resp_equal(&a->resp, &b->resp);
	return true;
}

static const char *run_msg(const void *r)
{
	return ((const struct head_run *)r)->msg;
}

/* Parse in every way; returns the whole-input run (caller frees), or NULL
 * after recording a failure when the runs disagree. */
static struct head_run *parse_head(struct tq *t, const char *in, size_t n, bool head)
{
	struct head_ctx *c = malloc(sizeof *c);
	struct head_run *whole = malloc(sizeof *whole);
	struct head_run *run = malloc(sizeof *run);
	uint8_t *g = tq_guard_dup(in, n);
	bool ok = false;

	if (TQ_TRUE(t, c != NULL && whole != NULL && run != NULL && g != NULL)) {
		struct feed_target f = {c, hc_begin, hc_feed, NULL, run_equal, run_msg};

		c->head = head;
		feed_whole(&f, g, n, whole);
		ok = feed_every_cut(t, &f, g, n, whole, run);
	}
	tq_guard_free(g, n);
	free(run);
	free(c);
	if (!ok) {
		free(whole);
		return NULL;
	}
	return whole;
}

/* Expect a complete head followed by `tail` bytes left unconsumed. */
static struct head_run *expect_head(struct tq *t, const char *in, size_t n, bool head,
				    size_t tail)
{
	struct head_run *r = parse_head(t, in, n, head);

	if (r == NULL)
		return NULL;
	if (!TQ_INT(t, r->st, HTTP_RESP_DONE) || !TQ_INT(t, r->consumed, n - tail)) {
		printf("  input: %.60s | error: %s\n", in, r->msg);
		free(r);
		return NULL;
	}
	return r;
}

static void expect_error(struct tq *t, const char *in, size_t n, enum qv_err code,
			 const char *msg)
{
	struct head_run *r = parse_head(t, in, n, false);

	if (r == NULL)
		return;
	if (!TQ_INT(t, r->st, HTTP_RESP_ERROR) || !TQ_INT(t, r->code, code) || !TQ_STR(t, r->msg, msg))
		printf("  input: \"%.60s\"\n", in);
	free(r);
}

static void expect_syntax(struct tq *t, const char *in, size_t n, const char *what)
{
	char msg[QV_ERROR_MSG_MAX];

	(void)snprintf(msg, sizeof msg, "malformed HTTP response: %s", what);
	expect_error(t, in, n, QV_E_HTTP_SYNTAX, msg);
}

/* ---- basic heads ---- */

static void t_simple_200(struct tq *t)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n"
				 "Content-Type:  image/gif \t\r\n\r\nhello";
	struct head_run *r = expect_head(t, S(in), false, 5);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.status, 200);
	TQ_INT(t, r->resp.minor, 1);
	TQ_STR(t, r->resp.reason, "OK");
	TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
	TQ_TRUE(t, r->resp.has_length);
	TQ_INT(t, r->resp.content_length, 5);
	TQ_TRUE(t, r->resp.keep_alive);
	TQ_STR(t, r->resp.content_type, "image/gif");
	TQ_TRUE(t, !r->resp.has_location && !r->resp.has_content_range &&
		       !r->resp.has_retry_after);
	free(r);
}

static void t_reason_forms(struct tq *t)
{
	struct head_run *r;

	r = expect_head(t, S("HTTP/1.1 200\r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_STR(t, r->resp.reason, "");
		TQ_INT(t, r->resp.framing, HTTP_BODY_CLOSE);
		free(r);
	}
	r = expect_head(t, S("HTTP/1.1 200 \r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_STR(t, r->resp.reason, "");
		free(r);
	}
	r = expect_head(t, S("HTTP/1.1 404 Not  Found \t\r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.status, 404);
		TQ_STR(t, r->resp.reason, "Not  Found");
		free(r);
	}
	/* obs-text (a Latin-1 phrase) is allowed in the reason. */
	r = expect_head(t, S("HTTP/1.1 418 I'm a teapot \xe9\r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_STR(t, r->resp.reason, "I'm a teapot \xe9");
		free(r);
	}
	/* A higher HTTP/1.x minor is handled as 1.1. */
	r = expect_head(t, S("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.minor, 1);
		TQ_TRUE(t, r->resp.keep_alive);
		free(r);
	}
	expect_syntax(t, S("HTTP/1.1 200 O\x01K\r\n\r\n"), "control character in reason phrase");
}

static void t_reason_cut(struct tq *t)
{
	char in[400];
	char want[HTTP_REASON_MAX];
	size_t n;
	struct head_run *r;

	memset(want, 'r', sizeof want - 1);
	want[sizeof want - 1] = '\0';
	n = (size_t)snprintf(in, sizeof in, "HTTP/1.1 500 %s%s\r\n\r\n", want, "tail-cut-off");
	r = expect_head(t, in, n, false, 0);
	if (r != NULL) {
		TQ_STR(t, r->resp.reason, want);
		free(r);
	}
}

static void t_bare_lf(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 200 OK\nContent-Length: 2\nX: y\r\n\nhi"),
					 false, 2);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
	TQ_INT(t, r->resp.content_length, 2);
	TQ_STR(t, r->resp.reason, "OK");
	free(r);
}

static void t_ows_trim(struct tq *t)
{
	struct head_run *r = expect_head(
		t, S("HTTP/1.1 302 Found\r\nLocation:\t /next?a=b \t \r\nContent-Length:3\r\n"
		     "Content-Type:\r\n\r\n"),
		false, 0);

	if (r == NULL)
		return;
	TQ_TRUE(t, r->resp.has_location);
	TQ_STR(t, r->resp.location, "/next?a=b");
	TQ_INT(t, r->resp.content_length, 3);
	TQ_STR(t, r->resp.content_type, "");
	free(r);
}

static void t_unkept_names(struct tq *t)
{
	/* Names that merely start like a kept one, or are too long to keep. */
	struct head_run *r = expect_head(
		t, S("HTTP/1.1 200 OK\r\nContent-Length-X: zz\r\nContent-Lengt: -1\r\n"
		     "X-A-Very-Long-Header-Name-Over-Thirty-Two-Bytes: 1\r\nCONTENT-length: 7\r\n\r\n"),
		false, 0);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
	TQ_INT(t, r->resp.content_length, 7);
	free(r);
}

/* ---- framing ---- */

static void t_chunked(struct tq *t)
{
	struct head_run *r = expect_head(
		t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
		false, 15);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.framing, HTTP_BODY_CHUNKED);
	TQ_TRUE(t, !r->resp.has_length);
	TQ_TRUE(t, r->resp.keep_alive);
	free(r);
	/* List parsing across fields: empty elements do not count. */
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nTransfer-Encoding: , chunked"
			     "\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_CHUNKED);
		free(r);
	}
}

static void t_cl_and_te(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
					      "Transfer-Encoding: chunked\r\n\r\n"),
					 false, 0);

	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_CHUNKED);
		TQ_TRUE(t, !r->resp.has_length);
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
	/* The other order, and a CL that would be an error on its own. */
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			     "Content-Length: -1\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_CHUNKED);
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
}

static void t_bad_te(struct tq *t)
{
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), QV_E_HTTP_BAD_TE,
		     "Transfer-Encoding does not end with chunked");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"),
		     QV_E_HTTP_BAD_TE, "Transfer-Encoding does not end with chunked");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			  "Transfer-Encoding: identity\r\n\r\n"),
		     QV_E_HTTP_BAD_TE, "Transfer-Encoding does not end with chunked");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
		     QV_E_HTTP_BAD_TE, "unsupported transfer coding (only chunked is supported)");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
			  "Transfer-Encoding: chunked\r\n\r\n"),
		     QV_E_HTTP_BAD_TE, "unsupported transfer coding (only chunked is supported)");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
		     QV_E_HTTP_BAD_TE, "Transfer-Encoding applies chunked more than once");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding:  \r\n\r\n"), QV_E_HTTP_BAD_TE,
		     "empty Transfer-Encoding");
	expect_error(t, S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked x\r\n\r\n"),
		     QV_E_HTTP_BAD_TE, "Transfer-Encoding does not end with chunked");
}

static void t_cl_duplicates_equal(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
					      "Content-Length: 5, 5 ,5\r\n\r\nhello"),
					 false, 5);

	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
		TQ_INT(t, r->resp.content_length, 5);
		TQ_TRUE(t, r->resp.keep_alive);
		free(r);
	}
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
		TQ_INT(t, r->resp.content_length, 0);
		free(r);
	}
}

static void t_cl_errors(struct tq *t)
{
	static const char conflict[] = "invalid Content-Length: conflicting values";
	static const char nan[] = "invalid Content-Length: not a decimal number";

	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, conflict);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, conflict);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 0005\r\nContent-Length: 6\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, conflict);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n"), QV_E_HTTP_BAD_LENGTH,
		     "invalid Content-Length: negative value");
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n"), QV_E_HTTP_BAD_LENGTH,
		     nan);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 5a\r\n\r\n"), QV_E_HTTP_BAD_LENGTH,
		     nan);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n"), QV_E_HTTP_BAD_LENGTH,
		     nan);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n"), QV_E_HTTP_BAD_LENGTH,
		     nan);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"), QV_E_HTTP_BAD_LENGTH, nan);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: ,\r\n\r\n"), QV_E_HTTP_BAD_LENGTH, nan);
	/* The first problem is reported, whatever comes after it. */
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: x\r\nContent-Length: -1\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, nan);
}

static void t_cl_overflow(struct tq *t)
{
	static const char big[] = "invalid Content-Length: larger than 2^63-1";
	struct head_run *r;

	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, big);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, big);
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\n"),
		     QV_E_HTTP_BAD_LENGTH, big);
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n"), false,
			0);
	if (r != NULL) {
		TQ_TRUE(t, r->resp.content_length == UINT64_C(9223372036854775807));
		free(r);
	}
}

static void t_no_length_is_close(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nab"),
					 false, 2);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.framing, HTTP_BODY_CLOSE);
	TQ_TRUE(t, !r->resp.keep_alive);
	TQ_TRUE(t, !r->resp.has_length);
	free(r);
}

/* Documented choice: 204/304 never have a body (stray bytes stay
 * unconsumed), and their connection is not reused, since a server that
 * sends a body anyway would desync the next response. */
static void t_204_304(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
					      "stray"),
					 false, 5);

	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_NONE);
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
	r = expect_head(t, S("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
			     "0\r\n\r\n"),
			false, 5);
	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_NONE);
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
}

static void t_head_request(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n"
					      "Transfer-Encoding: gzip\r\n\r\n"),
					 true, 0);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.framing, HTTP_BODY_NONE);
	TQ_TRUE(t, r->resp.has_length);
	TQ_INT(t, r->resp.content_length, 1000);
	TQ_TRUE(t, r->resp.keep_alive);
	free(r);
}

static void t_keep_alive(struct tq *t)
{
	struct head_run *r;

	r = expect_head(t, S("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n"), false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.minor, 0);
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
	r = expect_head(t, S("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_TRUE(t, r->resp.keep_alive);
		free(r);
	}
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nConnection: keep-alive, CLOSE\r\n"
			     "Content-Length: 3\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nConnection: upgrade\r\nConnection: close\r\n"
			     "Content-Length: 3\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
	/* Only whole tokens count. */
	r = expect_head(t, S("HTTP/1.1 200 OK\r\nConnection: closed, x-close\r\n"
			     "Content-Length: 3\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_TRUE(t, r->resp.keep_alive);
		free(r);
	}
	/* HTTP/1.0 with chunked: decoded, but the connection is not reused. */
	r = expect_head(t, S("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_CHUNKED);
		TQ_TRUE(t, !r->resp.keep_alive);
		free(r);
	}
}

/* ---- 1xx ---- */

static void t_interim(struct tq *t)
{
	static const char in[] = "HTTP/1.1 100 Continue\r\n\r\n"
				 "HTTP/1.1 102 Processing\r\n\r\n"
				 "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n"
				 "Location: /wrong\r\nContent-Length: 99\r\nConnection: close\r\n"
				 "Retry-After: 5\r\nContent-Type: text/bad\r\n\r\n"
				 "HTTP/1.1 200 OK\r\n\r\nbody";
	struct head_run *r = expect_head(t, S(in), false, 4);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.status, 200);
	TQ_STR(t, r->resp.reason, "OK");
	TQ_INT(t, r->resp.framing, HTTP_BODY_CLOSE);
	TQ_TRUE(t, !r->resp.has_location && !r->resp.has_length && !r->resp.has_retry_after);
	TQ_STR(t, r->resp.content_type, "");
	free(r);
}

static void t_interim_then_length(struct tq *t)
{
	struct head_run *r = expect_head(t, S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
					      "Content-Length: 3\r\n\r\nabc"),
					 false, 3);

	if (r == NULL)
		return;
	TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
	TQ_INT(t, r->resp.content_length, 3);
	TQ_TRUE(t, r->resp.keep_alive);
	free(r);
}

static void t_101(struct tq *t)
{
	expect_syntax(t, S("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
		      "unexpected 101 Switching Protocols");
	expect_syntax(t, S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching\r\n\r\n"),
		      "unexpected 101 Switching Protocols");
}

/* ---- status line ---- */

static void t_bad_status_lines(struct tq *t)
{
	static const char *const bad[] = {
		"garbage\r\n\r\n",
		"http/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 99 x\r\n\r\n",
		"HTTP/1.1 1000 x\r\n\r\n",
		"HTTP/1.1 099 x\r\n\r\n",
		"HTTP/1.1 600 x\r\n\r\n",
		"HTTP/2 200\r\n\r\n",
		"HTTP/2.0 200 OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1\t200 OK\r\n\r\n",
		"HTTP/1. 200 OK\r\n\r\n",
		"HTTP/11 200 OK\r\n\r\n",
		"\r\nHTTP/1.1 200 OK\r\n\r\n",
		" HTTP/1.1 200 OK\r\n\r\n",
		"SSH-2.0-OpenSSH_9.6\r\n",
		"\x16\x03\x01\x02",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_syntax(t, bad[i], strlen(bad[i]), "bad status line");
}

/* ---- field syntax ---- */

static void t_bare_cr(struct tq *t)
{
	static const char what[] = "bare CR in response head";

	expect_syntax(t, S("HTTP/1.1 200 OK\rX: y\r\n\r\n"), what);
	expect_syntax(t, S("HTTP/1.1 200\rX\r\n\r\n"), what);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n"), what);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX:\r\r\n\r\n"), what);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX: y\r\n\r\r\n"), what);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX\r: y\r\n\r\n"), "header line without a colon");
}

static void t_nul(struct tq *t)
{
	static const char what[] = "NUL byte in response head";

	expect_syntax(t, "HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27, what);
	expect_syntax(t, "HTTP/1.1 200 OK\r\nX\0: b\r\n\r\n", 26, what);
	expect_syntax(t, "HTTP/1.1 200 O\0K\r\n\r\n", 20, what);
	expect_syntax(t, "HTTP/1.1 200 OK\r\n\0\r\n", 20, what);
	expect_syntax(t, "\0HTTP/1.1 200 OK\r\n\r\n", 20, what);
}

static void t_obs_fold(struct tq *t)
{
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"), "obs-fold (folded header line)");
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n\r\n"),
		      "obs-fold (folded header line)");
	expect_syntax(t, S("HTTP/1.1 200 OK\r\n X: a\r\n\r\n"),
		      "whitespace before the first header field");
}

static void t_field_names(struct tq *t)
{
	static const char sp[] = "whitespace between header field name and colon";
	static const char bad[] = "invalid character in header field name";

	expect_syntax(t, S("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n"), sp);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX\t: 5\r\n\r\n"), sp);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX Y: 5\r\n\r\n"), sp);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX(: 5\r\n\r\n"), bad);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\n\"X\": 5\r\n\r\n"), bad);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX\xc3\xa9: 5\r\n\r\n"), bad);
	expect_syntax(t, S("HTTP/1.1 200 OK\r\n: 5\r\n\r\n"), "empty header field name");
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"), "header line without a colon");
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX: a\x01z\r\n\r\n"),
		      "control character in header field value");
	expect_syntax(t, S("HTTP/1.1 200 OK\r\nX: a\x7fz\r\n\r\n"),
		      "control character in header field value");
}

/* ---- limits ---- */

/* A head of exactly `size` bytes: a status line, one big field, the end. */
static char *big_head(size_t size)
{
	static const char start[] = "HTTP/1.1 200 OK\r\nX-Big: ";
	char *s = malloc(size + 1);

	if (s == NULL || size < sizeof start + 4)
		return s;
	memcpy(s, start, sizeof start - 1);
	memset(s + sizeof start - 1, 'a', size - (sizeof start - 1) - 4);
	memcpy(s + size - 4, "\r\n\r\n", 5);
	return s;
}

static void t_head_max(struct tq *t)
{
	char *ok = big_head(HTTP_HEAD_MAX);
	char *over = big_head(HTTP_HEAD_MAX + 1);
	struct head_run *r;

	if (!TQ_TRUE(t, ok != NULL && over != NULL))
		goto out;
	r = expect_head(t, ok, HTTP_HEAD_MAX, false, 0);
	free(r);
	r = parse_head(t, over, HTTP_HEAD_MAX + 1, false);
	if (r != NULL) {
		TQ_INT(t, r->st, HTTP_RESP_ERROR);
		TQ_INT(t, r->code, QV_E_HTTP_HEADER_TOO_BIG);
		TQ_STR(t, r->msg, "response header section larger than 64 KiB");
		TQ_INT(t, r->consumed, HTTP_HEAD_MAX);
		free(r);
	}
out:
	free(ok);
	free(over);
}

static void t_huge_line(struct tq *t)
{
	size_t n = 100u * 1024u;
	char *in = big_head(n);
	struct head_run *r;

	if (in == NULL) {
		TQ_TRUE(t, in != NULL);
		return;
	}
	r = parse_head(t, in, n, false);
	if (r != NULL) {
		TQ_INT(t, r->code, QV_E_HTTP_HEADER_TOO_BIG);
		TQ_INT(t, r->consumed, HTTP_HEAD_MAX);
		free(r);
	}
	free(in);
}

/* A 1xx head does not eat into the final head's byte budget. */
static void t_head_max_per_head(struct tq *t)
{
	char *big = big_head(HTTP_HEAD_MAX - 30);
	size_t n = HTTP_HEAD_MAX - 30 + 19 + HTTP_HEAD_MAX - 30;
	char *in = malloc(n);
	struct head_run *r;

	if (!TQ_TRUE(t, big != NULL && in != NULL))
		goto out;
	big[9] = '1'; /* "HTTP/1.1 100 OK": an interim response */
	big[10] = '0';
	memcpy(in, big, HTTP_HEAD_MAX - 30);
	memcpy(in + HTTP_HEAD_MAX - 30, "HTTP/1.1 100 OK\r\n\r\n", 19);
	big[9] = '2';
	memcpy(in + HTTP_HEAD_MAX - 30 + 19, big, HTTP_HEAD_MAX - 30);
	r = expect_head(t, in, n, false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.status, 200);
		free(r);
	}
out:
	free(big);
	free(in);
}

static char *many_fields(size_t fields, size_t *len)
{
	size_t cap = 64 + fields * 24;
	char *s = malloc(cap);
	size_t i, n;

	if (s == NULL)
		return NULL;
	n = (size_t)snprintf(s, cap, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
	for (i = 1; i < fields; i++)
		n += (size_t)snprintf(s + n, cap - n, "X-F%zu: v\r\n", i);
	n += (size_t)snprintf(s + n, cap - n, "\r\n");
	*len = n;
	return s;
}

static void t_fields_max(struct tq *t)
{
	size_t n100 = 0, n101 = 0, n;
	char *ok = many_fields(HTTP_FIELDS_MAX, &n100);
	char *over = many_fields(HTTP_FIELDS_MAX + 1, &n101);
	struct head_run *r;

	if (!TQ_TRUE(t, ok != NULL && over != NULL))
		goto out;
	r = expect_head(t, ok, n100, false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.framing, HTTP_BODY_LENGTH);
		free(r);
	}
	expect_error(t, over, n101, QV_E_HTTP_TOO_MANY_FIELDS,
		     "response has more than 100 header fields");
	r = parse_head(t, over, n101, false);
	if (r != NULL) {
		n = n101 - strlen("X-F100: v\r\n\r\n");
		TQ_INT(t, r->consumed, n);
		free(r);
	}
out:
	free(ok);
	free(over);
}

/* 1xx fields are checked, not counted toward the final response. */
static void t_fields_per_head(struct tq *t)
{
	size_t n1 = 0, n2 = 0;
	char *a = many_fields(HTTP_FIELDS_MAX, &n1);
	char *b = many_fields(HTTP_FIELDS_MAX, &n2);
	char *in = malloc(n1 + n2);
	struct head_run *r;

	if (!TQ_TRUE(t, a != NULL && b != NULL && in != NULL))
		goto out;
	a[9] = '1';
	a[10] = '0';
	a[11] = '3';
	memcpy(in, a, n1);
	memcpy(in + n1, b, n2);
	r = expect_head(t, in, n1 + n2, false, 0);
	if (r != NULL) {
		TQ_INT(t, r->resp.status, 200);
		free(r);
	}
out:
	free(a);
	free(b);
	free(in);
}

/* ---- kept values ---- */

static void t_location(struct tq *t)
{
	char *in = malloc(HTTP_LOCATION_MAX + 100);
	size_t n;
	struct head_run *r;

	if (in == NULL) {
		TQ_TRUE(t, in != NULL);
		return;
	}
	/* 8191 bytes fit, trailing OWS beyond the buffer is trimmed anyway. */
	n = (size_t)sprintf(in, "HTTP/1.1 301 Moved\r\nLocation: /");
	memset(in + n, 'p', HTTP_LOCATION_MAX - 2);
	n += HTTP_LOCATION_MAX - 2;
	n += (size_t)sprintf(in + n, "   \r\n\r\n");
	r = expect_head(t, in, n, false, 0);
	if (r != NULL) {
		TQ_INT(t, strlen(r->resp.location), HTTP_LOCATION_MAX - 1);
		free(r);
	}
	/* 8192 do not. */
	n = (size_t)sprintf(in, "HTTP/1.1 301 Moved\r\nLocation: /");
	memset(in + n, 'p', HTTP_LOCATION_MAX - 1);
	n += HTTP_LOCATION_MAX - 1;
	n += (size_t)sprintf(in + n, "\r\n\r\n");
	expect_error(t, in, n, QV_E_HTTP_HEADER_TOO_BIG, "Location header longer than 8191 bytes");
	free(in);
	r = expect_head(t, S("HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /a \r\nLocation:\r\n\r\n"),
			false, 0);
	if (r != NULL) {
		TQ_STR(t, r->resp.location, "/a");
		free(r);
	}
	expect_syntax(t, S("HTTP/1.1 302 Found\r\nLocation: /a\r\nLocation: /b\r\n\r\n"),
		      "conflicting Location headers");
}

static void t_content_type_cut(struct tq *t)
{
	char in[600];
	char want[HTTP_CTYPE_MAX];
	size_t n;
	struct head_run *r;

	memset(want, 't', sizeof want - 1);
	want[sizeof want - 1] = '\0';
	n = (size_t)snprintf(in, sizeof in, "HTTP/1.1 200 OK\r\nContent-Type: %s; more\r\n\r\n",
			     want);
	r = expect_head(t, in, n, false, 0);
	if (r != NULL) {
		TQ_STR(t, r->resp.content_type, want);
		free(r);
	}
}

static struct head_run *with_field(struct tq *t, const char *field)
{
	char in[512];
	size_t n = (size_t)snprintf(in, sizeof in, "HTTP/1.1 206 Partial\r\n%s\r\n\r\n", field);

	return expect_head(t, in, n, false, 0);
}

static void check_range(struct tq *t, const char *field, uint64_t first, uint64_t last,
			uint64_t total)
{
	struct head_run *r = with_field(t, field);

	if (r == NULL)
		return;
	if (!TQ_TRUE(t, r->resp.has_content_range && !r->resp.range_unsatisfied) ||
	    !TQ_TRUE(t, r->resp.range_first == first && r->resp.range_last == last) ||
	    !TQ_TRUE(t, r->resp.range_total == total))
		printf("  field: %s\n", field);
	free(r);
}

static void t_content_range(struct tq *t)
{
	static const char *const bad[] = {
		"Content-Range: bytes 5-1/10",
		"Content-Range: bytes 0-10/10",
		"Content-Range: items 0-1/2",
		"Content-Range: bytes 0-99/1000x",
		"Content-Range: bytes 0-99",
		"Content-Range: bytes -1-99/100",
		"Content-Range: bytes 0-99999999999999999999/*",
		"Content-Range: bytes 0-9223372036854775808/*",
		"Content-Range: bytes */",
		"Content-Range: bytes */*",
		"Content-Range: bytes  0-1/2",
		"Content-Range: bytes=0-1/2",
		"Content-Range: bytes 0 - 1/2",
		"Content-Range: bytes 0-1/2, bytes 3-4/5",
		"Content-Range:",
	};
	struct head_run *r;
	size_t i;

	check_range(t, "Content-Range: bytes 0-99/1000", 0, 99, 1000);
	check_range(t, "Content-Range: BYTES 100-199/*", 100, 199, UINT64_MAX);
	check_range(t, "Content-Range: bytes 0-9223372036854775806/9223372036854775807", 0,
		    UINT64_C(9223372036854775806), UINT64_C(9223372036854775807));
	r = with_field(t, "Content-Range: bytes */1000");
	if (r != NULL) {
		TQ_TRUE(t, r->resp.has_content_range && r->resp.range_unsatisfied);
		TQ_TRUE(t, r->resp.range_total == 1000);
		free(r);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = with_field(t, bad[i]);
		if (r == NULL)
			continue;
		if (!TQ_TRUE(t, !r->resp.has_content_range))
			printf("  field: %s\n", bad[i]);
		free(r);
	}
	/* A later malformed field voids an earlier good one. */
	r = with_field(t, "Content-Range: bytes 0-1/2\r\nContent-Range: bytes x");
	if (r != NULL) {
		TQ_TRUE(t, !r->resp.has_content_range);
		free(r);
	}
}

/* One validator field: the etag kept ("" for none), the dates parsed. */
static void expect_validator(struct tq *t, const char *fields, const char *etag, bool lm,
			     int64_t lm_t, bool date)
{
	struct head_run *r = with_field(t, fields);

	if (r == NULL)
		return;
	if (!TQ_STR(t, r->resp.etag, etag) || !TQ_INT(t, r->resp.has_last_modified, lm) ||
	    !TQ_INT(t, r->resp.has_date, date))
		printf("  fields: %s\n", fields);
	if (lm)
		TQ_INT(t, r->resp.last_modified, lm_t);
	free(r);
}

static void t_validators(struct tq *t)
{
	char big[200];

	expect_validator(t, "ETag: \"abc-123\"", "\"abc-123\"", false, 0, false);
	expect_validator(t, "etag:   \"\"  ", "\"\"", false, 0, false);
	expect_validator(t, "ETag: W/\"abc\"", "", false, 0, false);
	expect_validator(t, "ETag: abc", "", false, 0, false);
	expect_validator(t, "ETag: \"a b\"", "", false, 0, false);
	expect_validator(t, "ETag: \"a\"\r\nETag: \"a\"", "", false, 0, false);
	expect_validator(t, "ETag: \"a\"\r\nETag: \"b\"\r\nETag: \"c\"", "", false, 0, false);
	/* an ETag of HTTP_ETAG_MAX - 1 bytes is kept, one more byte is not */
	memset(big, 'x', sizeof big);
	memcpy(big, "ETag: \"", 7);
	big[6 + HTTP_ETAG_MAX - 2] = '"';
	big[6 + HTTP_ETAG_MAX - 1] = '\0';
	expect_validator(t, big, big + 6, false, 0, false);
	big[6 + HTTP_ETAG_MAX - 2] = 'x';
	big[6 + HTTP_ETAG_MAX - 1] = '"';
	big[6 + HTTP_ETAG_MAX] = '\0';
	expect_validator(t, big, "", false, 0, false);
	expect_validator(t, "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT", "", true, 784111777,
			 false);
	expect_validator(t, "Last-Modified: yesterday\r\nDate: Sun Nov  6 08:49:37 1994", "",
			 false, 0, true);
}

static void t_retry_after(struct tq *t)
{
	struct head_run *r;

	r = with_field(t, "Retry-After: 120");
	if (r != NULL) {
		TQ_TRUE(t, r->resp.has_retry_after);
		TQ_INT(t, r->resp.retry_after_s, 120);
		free(r);
	}
	r = with_field(t, "Retry-After: 0");
	if (r != NULL) {
		TQ_TRUE(t, r->resp.has_retry_after);
		TQ_INT(t, r->resp.retry_after_s, 0);
		free(r);
	}
	r = with_field(t, "Retry-After: 99999999999999999999999");
	if (r != NULL) {
		TQ_TRUE(t, r->resp.has_retry_after);
		TQ_INT(t, r->resp.retry_after_s, 86400);
		free(r);
	}
	r = with_field(t, "Retry-After: Fri, 31 Dec 1999 23:59:59 GMT");
	if (r != NULL) {
		TQ_TRUE(t, !r->resp.has_retry_after);
		free(r);
	}
	r = with_field(t, "Retry-After: -5");
	if (r != NULL) {
		TQ_TRUE(t, !r->resp.has_retry_after);
		free(r);
	}
}

/* ---- parser lifecycle ---- */

static void t_sticky(struct tq *t)
{
	struct http_resp_parser *p = malloc(sizeof *p);
	struct qv_error err;
	size_t used = 99;
	char loc[16];

	if (p == NULL) {
		TQ_TRUE(t, p != NULL);
		return;
	}
	http_resp_init(p, false, loc, sizeof loc);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)"HTTP/1.1 200 OK\r\n\r\nxyz", 22, &used, &err),
	       HTTP_RESP_DONE);
	TQ_INT(t, used, 19);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)"xyz", 3, &used, &err), HTTP_RESP_DONE);
	TQ_INT(t, used, 0);
	http_resp_init(p, false, loc, sizeof loc);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)"HTTP/1.1", 8, &used, NULL), HTTP_RESP_NEED_MORE);
	TQ_INT(t, used, 8);
	TQ_INT(t, http_resp_feed(p, NULL, 0, &used, NULL), HTTP_RESP_NEED_MORE);
	TQ_INT(t, used, 0);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)"x", 1, &used, NULL), HTTP_RESP_ERROR);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)" 200 OK\r\n", 9, &used, &err), HTTP_RESP_ERROR);
	TQ_INT(t, err.code, QV_E_HTTP_SYNTAX);
	TQ_INT(t, used, 0);
	free(p);
}

/* A Location that does not fit the caller's buffer is an error that names
 * the buffer's size, not a silent cut. */
static void t_location_buffer_cap(struct tq *t)
{
	struct http_resp_parser *p = malloc(sizeof *p);
	struct qv_error err;
	size_t used;
	char loc[8];
	static const char fits[] = "HTTP/1.1 302 Found\r\nLocation: /abcdef\r\n\r\n";
	static const char big[] = "HTTP/1.1 302 Found\r\nLocation: /abcdefg\r\n\r\n";

	if (p == NULL) {
		TQ_TRUE(t, p != NULL);
		return;
	}
	http_resp_init(p, false, loc, sizeof loc);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)fits, sizeof fits - 1, &used, &err), HTTP_RESP_DONE);
	TQ_STR(t, http_resp_get(p)->location, "/abcdef");
	http_resp_init(p, false, loc, sizeof loc);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)big, sizeof big - 1, &used, &err), HTTP_RESP_ERROR);
	TQ_INT(t, err.code, QV_E_HTTP_HEADER_TOO_BIG);
	TQ_STR(t, err.msg, "Location header longer than 7 bytes");
	free(p);
}

static void t_error_detail(struct tq *t)
{
	struct http_resp_parser *p = malloc(sizeof *p);
	struct qv_error err;
	size_t used;
	char loc[16];
	static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n";

	if (p == NULL) {
		TQ_TRUE(t, p != NULL);
		return;
	}
	http_resp_init(p, false, loc, sizeof loc);
	TQ_INT(t, http_resp_feed(p, (const uint8_t *)in, sizeof in - 1, &used, &err), HTTP_RESP_ERROR);
	TQ_INT(t, err.detail, 200);
	TQ_INT(t, used, sizeof in - 2);
	free(p);
}

/* The tchar bitmap against RFC 9110 §5.6.2, byte by byte. */
static void t_tchar(struct tq *t)
{
	unsigned c, bad = 0;

	for (c = 0; c < 256; c++) {
		bool want = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			    (c >= 'A' && c <= 'Z') || (c != 0 && strchr("!#$%&'*+-.^_`|~", (int)c));

		bad += http_is_tchar((uint8_t)c) != want;
	}
	TQ_INT(t, bad, 0);
}

void suite_resp(struct tq *t);
void suite_resp(struct tq *t)
{
	tq_run(t, "tchar bytes", t_tchar);
	tq_run(t, "simple 200 with Content-Length", t_simple_200);
	tq_run(t, "reason phrase forms", t_reason_forms);
	tq_run(t, "long reason phrase is cut", t_reason_cut);
	tq_run(t, "bare LF line endings accepted", t_bare_lf);
	tq_run(t, "field values trimmed of OWS", t_ows_trim);
	tq_run(t, "look-alike and long names not kept", t_unkept_names);
	tq_run(t, "chunked framing", t_chunked);
	tq_run(t, "Content-Length with Transfer-Encoding", t_cl_and_te);
	tq_run(t, "unsupported Transfer-Encoding", t_bad_te);
	tq_run(t, "duplicate equal Content-Length", t_cl_duplicates_equal);
	tq_run(t, "bad Content-Length values", t_cl_errors);
	tq_run(t, "Content-Length overflow", t_cl_overflow);
	tq_run(t, "no length means close-delimited", t_no_length_is_close);
	tq_run(t, "204 and 304 have no body", t_204_304);
	tq_run(t, "response to HEAD has no body", t_head_request);
	tq_run(t, "keep-alive rules", t_keep_alive);
	tq_run(t, "1xx responses skipped", t_interim);
	tq_run(t, "100 Continue then a length", t_interim_then_length);
	tq_run(t, "101 rejected", t_101);
	tq_run(t, "bad status lines", t_bad_status_lines);
	tq_run(t, "bare CR rejected", t_bare_cr);
	tq_run(t, "NUL rejected", t_nul);
	tq_run(t, "obs-fold rejected", t_obs_fold);
	tq_run(t, "field name syntax", t_field_names);
	tq_run(t, "64 KiB head accepted, one more byte rejected", t_head_max);
	tq_run(t, "huge single header line rejected", t_huge_line);
	tq_run(t, "head byte budget is per head", t_head_max_per_head);
	tq_run(t, "100 fields accepted, 101 rejected", t_fields_max);
	tq_run(t, "field count is per head", t_fields_per_head);
	tq_run(t, "Location kept, capped and checked", t_location);
	tq_run(t, "Location buffer of the caller's size", t_location_buffer_cap);
	tq_run(t, "long Content-Type is cut", t_content_type_cut);
	tq_run(t, "Content-Range forms", t_content_range);
	tq_run(t, "Retry-After forms", t_retry_after);
	tq_run(t, "ETag, Last-Modified and Date kept", t_validators);
	tq_run(t, "DONE and ERROR are sticky", t_sticky);
	tq_run(t, "error detail and position", t_error_detail);
}
