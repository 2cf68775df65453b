/* test_body.c - the body decoder, driven the way the transfer layer drives
 * it: a whole response (head, then body) through http_resp_feed and
 * http_body_feed over the same input.
 *
 * Every input is fed whole, split in two at every byte position, and one
 * byte at a time (feed.h), each piece placed right before an unreadable
 * guard page (tq_guard_dup) so an over-read faults; all runs must agree on
 * the result, the payload bytes and how much input was consumed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/body.h"
#include "http/resp.h"
#include "feed.h"
#include "tq.h"

#define S(lit) (lit), (sizeof(lit) - 1)

enum msg_end {
	END_DONE = 0,  /* framed end reached */
	END_ERROR,     /* head or body error */
	END_MORE       /* input used up, no EOF */
};

struct msg_run {
	enum msg_end end;
	size_t consumed;     /* of the whole input: head + body */
	enum qv_err code;
	char msg[QV_ERROR_MSG_MAX];
	uint8_t *payload;    /* cap: the input size */
	size_t payload_len;
	bool span_ok;        /* every BODY_DATA span lay inside its input */
};

struct msg_ctx {
	struct http_resp_parser p;
	char loc[64];        /* the parser's Location buffer */
	struct http_body b;
	struct qv_error err;
	bool in_body;
	bool stopped;
	bool eof;            /* EOF follows the input */
	size_t base;
	struct msg_run *out;
};

/* The feed_target hooks (feed.h) take void pointers: ctx is a struct
 * msg_ctx, a run a struct msg_run. */
static void mc_begin(void *vc, void *vout)
{
	struct msg_ctx *c = vc;
	struct msg_run *out = vout;
	uint8_t *payload = out->payload;

	memset(out, 0, sizeof *out);
	out->payload = payload;
	out->span_ok = true;
	out->end = END_MORE;
	qv_error_clear(&c->err);
	http_resp_init(&c->p, false, c->loc, sizeof c->loc);
	c->in_body = false;
	c->stopped = false;
	c->base = 0;
	c->out = out;
}

static void mc_stop(struct msg_ctx *c, enum msg_end end, size_t off)
{
	c->stopped = true;
	c->out->end = end;
	c->out->consumed = c->base + off;
	if (end == END_ERROR) {
		c->out->code = c->err.code;
		memcpy(c->out->msg, c->err.msg, sizeof c->out->msg);
	}
}

/* One body step over buf[off..n); returns false when the run stopped or the
 * piece is used up. */
static bool mc_body_step(struct msg_ctx *c, const uint8_t *buf, size_t n, size_t *off)
{
	size_t used, doff, dlen;
	enum http_body_progress st = http_body_feed(&c->b, buf + *off, n - *off, &used, &doff, &dlen,
					     &c->err);

	if (st == BODY_DATA) {
		if (dlen == 0 || doff + dlen != used || used > n - *off) {
			c->out->span_ok = false;
			mc_stop(c, END_ERROR, *off);
			return false;
		}
		memcpy(c->out->payload + c->out->payload_len, buf + *off + doff, dlen);
		c->out->payload_len += dlen;
		*off += used;
		return true;
	}
	*off += used;
	if (st == BODY_DONE)
		mc_stop(c, END_DONE, *off);
	else if (st == BODY_ERROR)
		mc_stop(c, END_ERROR, *off);
	else if (*off != n)
		c->out->span_ok = false; /* NEED_MORE must use up the input */
	return false;
}

static void mc_feed(void *vc, const uint8_t *buf, size_t n)
{
	struct msg_ctx *c = vc;
	size_t off = 0;

	if (c->stopped)
		return;
	if (!c->in_body) {
		size_t used = 0;
		enum http_resp_progress st = http_resp_feed(&c->p, buf, n, &used, &c->err);

		if (st == HTTP_RESP_ERROR) {
			mc_stop(c, END_ERROR, used);
			return;
		}
		if (st == HTTP_RESP_NEED_MORE) {
			c->base += n;
			return;
		}
		off = used;
		c->in_body = true;
		http_body_init(&c->b, http_resp_get(&c->p));
	}
	while (mc_body_step(c, buf, n, &off))
		;
	if (!c->stopped)
		c->base += n;
}

static void mc_end(void *vc)
{
	struct msg_ctx *c = vc;

	if (!c->eof || c->stopped || !c->in_body)
		return;
	if (http_body_eof(&c->b, &c->err) == BODY_DONE)
		mc_stop(c, END_DONE, 0);
	else
		mc_stop(c, END_ERROR, 0);
}

static bool run_equal(const void *va, const void *vb)
{
	const struct msg_run *a = va, *b = vb;

	if (a->end != b->end || a->consumed != b->consumed || !b->span_ok)
		return false;
	if (a->payload_len != b->payload_len ||
	    memcmp(a->payload, b->payload, a->payload_len) != 0)
		return false;
	return a->end != END_ERROR || (a->code == b->code && strcmp(a->msg, b->msg) == 0);
}

static const char *run_msg(const void *r)
{
	return ((const struct msg_run *)r)->msg;
}

static void run_free(struct msg_run *r)
{
	if (r == NULL)
		return;
	free(r->payload);
	free(r);
}

static struct msg_run *run_new(size_t n)
{
	struct msg_run *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->payload = malloc(n + 1);
	if (r->payload == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

/* Feed in every way (then EOF when eof); returns the whole-input run (free
 * with run_free), or NULL after recording a failure when runs disagree. */
static struct msg_run *run_message(struct tq *t, const char *in, size_t n, bool eof)
{
	struct msg_ctx *c = malloc(sizeof *c);
	struct msg_run *whole = run_new(n);
	struct msg_run *run = run_new(n);
	uint8_t *g = tq_guard_dup(in, n);
	bool ok = false;

	if (TQ_TRUE(t, c != NULL && whole != NULL && run != NULL && g != NULL)) {
		struct feed_target f = {c, mc_begin, mc_feed, mc_end, run_equal, run_msg};

		c->eof = eof;
		feed_whole(&f, g, n, whole);
		ok = TQ_TRUE(t, whole->span_ok) && feed_every_cut(t, &f, g, n, whole, run);
	}
	tq_guard_free(g, n);
	run_free(run);
	free(c);
	if (!ok) {
		run_free(whole);
		return NULL;
	}
	return whole;
}

/* The body completes with payload `want`, leaving `tail` bytes unconsumed. */
static void expect_body(struct tq *t, const char *in, size_t n, const char *want, size_t tail)
{
	struct msg_run *r = run_message(t, in, n, false);

	if (r == NULL)
		return;
	if (!TQ_INT(t, r->end, END_DONE) || !TQ_INT(t, r->consumed, n - tail) ||
	    !TQ_MEM(t, r->payload, r->payload_len, want, strlen(want)))
		printf("  input: \"%.70s\" | error: %s\n", in, r->msg);
	run_free(r);
}

static void expect_error(struct tq *t, const char *in, size_t n, bool eof, enum qv_err code,
			 const char *msg)
{
	struct msg_run *r = run_message(t, in, n, eof);

	if (r == NULL)
		return;
	if (!TQ_INT(t, r->end, END_ERROR) || !TQ_INT(t, r->code, code) || !TQ_STR(t, r->msg, msg))
		printf("  input: \"%.70s\"\n", in);
	run_free(r);
}

static void expect_chunk_error(struct tq *t, const char *in, size_t n, const char *what)
{
	char msg[QV_ERROR_MSG_MAX];

	(void)snprintf(msg, sizeof msg, "malformed chunked body: %s", what);
	expect_error(t, in, n, false, QV_E_HTTP_BAD_CHUNK, msg);
}

#define CHUNKED_HEAD "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

/* ---- Content-Length ---- */

static void t_length(struct tq *t)
{
	expect_body(t, S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), "hello", 0);
	expect_body(t, S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), "", 0);
}

static void t_length_pipelined(struct tq *t)
{
	expect_body(t, S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
			 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
		    "hello", 40);
	expect_body(t, S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 204 x\r\n\r\n"),
		    "", 18);
}

static void t_length_truncated(struct tq *t)
{
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), true, QV_E_TRUNCATED,
		     "truncated: got 3 of 10 bytes");
	expect_error(t, S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), true, QV_E_TRUNCATED,
		     "truncated: got 0 of 10 bytes");
}

/* ---- chunked ---- */

static void t_chunked_simple(struct tq *t)
{
	expect_body(t, S(CHUNKED_HEAD "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "hello world", 0);
	expect_body(t, S(CHUNKED_HEAD "A\r\n0123456789\r\nb\r\nabcdefghijk\r\n0\r\n\r\n"),
		    "0123456789abcdefghijk", 0);
	expect_body(t, S(CHUNKED_HEAD "0\r\n\r\n"), "", 0);
	/* Leading zeros are digits like any other. */
	expect_body(t, S(CHUNKED_HEAD "000000000000000000003\r\nabc\r\n000\r\n\r\n"), "abc", 0);
}

static void t_chunked_ext_trailers(struct tq *t)
{
	expect_body(t, S(CHUNKED_HEAD "5;name=value\r\nhello\r\n"
				      "6 ; a=\"q;\\\" x\" ;b\r\n world\r\n"
				      "0;last\r\nX-Checksum: abc\r\nExpires: never\r\n\r\n"),
		    "hello world", 0);
}

static void t_chunked_bare_lf(struct tq *t)
{
	expect_body(t, S(CHUNKED_HEAD "5\nhello\n0\nX: y\n\n"), "hello", 0);
	expect_body(t, S(CHUNKED_HEAD "5\r\nhello\n0\n\r\n"), "hello", 0);
}

static void t_chunked_pipelined(struct tq *t)
{
	expect_body(t, S(CHUNKED_HEAD "3\r\nabc\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n"), "abc", 17);
}

static void t_chunk_overflow(struct tq *t)
{
	static const char what[] = "chunk size overflows";
	struct msg_run *r;

	expect_chunk_error(t, S(CHUNKED_HEAD "10000000000000000\r\n"), what);
	expect_chunk_error(t, S(CHUNKED_HEAD "ffffffffffffffff\r\n"), what);
	expect_chunk_error(t, S(CHUNKED_HEAD "8000000000000000\r\n"), what);
	expect_chunk_error(t, S(CHUNKED_HEAD "fffffffffffffffffffffffffffffffff1\r\n"), what);
	/* 2^63-1 itself is a valid size. */
	r = run_message(t, S(CHUNKED_HEAD "7fffffffffffffff\r\nabc"), true);
	if (r != NULL) {
		TQ_INT(t, r->end, END_ERROR);
		TQ_STR(t, r->msg, "truncated: chunked body ended after 3 bytes without its last chunk");
		TQ_MEM(t, r->payload, r->payload_len, "abc", 3);
		run_free(r);
	}
}

static void t_chunk_size_syntax(struct tq *t)
{
	static const char nothex[] = "chunk size is not a hex number";
	static const char badchar[] = "invalid character in chunk size";

	expect_chunk_error(t, S(CHUNKED_HEAD "g\r\n"), nothex);
	expect_chunk_error(t, S(CHUNKED_HEAD "\r\n"), nothex);
	expect_chunk_error(t, S(CHUNKED_HEAD "-5\r\n"), nothex);
	expect_chunk_error(t, S(CHUNKED_HEAD "+5\r\n"), nothex);
	expect_chunk_error(t, S(CHUNKED_HEAD " 5\r\n"), nothex);
	expect_chunk_error(t, S(CHUNKED_HEAD ";x\r\n"), nothex);
	expect_chunk_error(t, S(CHUNKED_HEAD "0x5\r\n"), badchar);
	expect_chunk_error(t, S(CHUNKED_HEAD "5g\r\n"), badchar);
	expect_chunk_error(t, S(CHUNKED_HEAD "5,\r\n"), badchar);
	expect_chunk_error(t, S(CHUNKED_HEAD "5 x\r\n"), "invalid character after chunk size");
	expect_chunk_error(t, S(CHUNKED_HEAD "5 \r\nhello\r\n"), "invalid character after chunk size");
	expect_chunk_error(t, S(CHUNKED_HEAD "5\rhello"), "bare CR in chunk size line");
	expect_chunk_error(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a\0\r\n", 53,
			   "control character in chunk extension");
}

static void t_chunk_missing_crlf(struct tq *t)
{
	static const char what[] = "missing CRLF after chunk data";

	expect_chunk_error(t, S(CHUNKED_HEAD "5\r\nhelloX0\r\n\r\n"), what);
	expect_chunk_error(t, S(CHUNKED_HEAD "5\r\nhello0\r\n\r\n"), what);
	expect_chunk_error(t, S(CHUNKED_HEAD "5\r\nhello\rX"), what);
	expect_chunk_error(t, S(CHUNKED_HEAD "3\r\nhello\r\n0\r\n\r\n"), what);
}

static void t_chunk_ext_max(struct tq *t)
{
	size_t head = sizeof CHUNKED_HEAD - 1;
	size_t n = head + 2 + HTTP_CHUNK_EXT_MAX + 20;
	char *in = malloc(n);
	size_t ext;

	if (in == NULL) {
		TQ_TRUE(t, in != NULL);
		return;
	}
	/* "1;xxx...\r\na\r\n0\r\n\r\n" with the size line exactly at the cap. */
	ext = HTTP_CHUNK_EXT_MAX - 1;
	memcpy(in, CHUNKED_HEAD "1", head + 1);
	memset(in + head + 1, 'x', ext);
	in[head + 1] = ';';
	memcpy(in + head + 1 + ext, "\r\na\r\n0\r\n\r\n", 10);
	expect_body(t, in, head + 1 + ext + 10, "a", 0);
	/* One byte more. */
	memcpy(in, CHUNKED_HEAD "1", head + 1);
	memset(in + head + 1, 'x', ext + 1);
	in[head + 1] = ';';
	memcpy(in + head + 2 + ext, "\r\na\r\n0\r\n\r\n", 10);
	expect_chunk_error(t, in, head + 2 + ext + 10, "chunk extension too long");
	free(in);
}

static void t_trailer_max(struct tq *t)
{
	size_t head = sizeof CHUNKED_HEAD - 1;
	size_t n = head + 3 + HTTP_TRAILER_MAX + 8;
	char *in = malloc(n);
	size_t line;

	if (in == NULL) {
		TQ_TRUE(t, in != NULL);
		return;
	}
	/* "0\r\nX: yyy...\r\n\r\n": the trailer section exactly at the cap. */
	line = HTTP_TRAILER_MAX - 4;
	memcpy(in, CHUNKED_HEAD "0\r\n", head + 3);
	memset(in + head + 3, 'y', line);
	memcpy(in + head + 3, "X: ", 3);
	memcpy(in + head + 3 + line, "\r\n\r\n", 4);
	expect_body(t, in, head + 3 + line + 4, "", 0);
	memset(in + head + 3, 'y', line + 1);
	memcpy(in + head + 3, "X: ", 3);
	memcpy(in + head + 4 + line, "\r\n\r\n", 4);
	expect_chunk_error(t, in, head + 4 + line + 4, "trailer section too large");
	free(in);
}

static void t_trailer_syntax(struct tq *t)
{
	expect_chunk_error(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: \0\r\n\r\n",
			   58, "NUL byte in trailer");
	expect_chunk_error(t, S(CHUNKED_HEAD "0\r\nX: a\rb\r\n\r\n"), "bare CR in trailer");
	expect_chunk_error(t, S(CHUNKED_HEAD "0\r\n\rX"), "bare CR in trailer");
}

static void t_chunked_truncated(struct tq *t)
{
	expect_error(t, S(CHUNKED_HEAD "5\r\nhel"), true, QV_E_TRUNCATED,
		     "truncated: chunked body ended after 3 bytes without its last chunk");
	expect_error(t, S(CHUNKED_HEAD "5\r\nhello\r\n"), true, QV_E_TRUNCATED,
		     "truncated: chunked body ended after 5 bytes without its last chunk");
	expect_error(t, S(CHUNKED_HEAD "5\r\nhello\r\n1"), true, QV_E_TRUNCATED,
		     "truncated: chunked body ended after 5 bytes without its last chunk");
	expect_error(t, S(CHUNKED_HEAD "5\r\nhello"), true, QV_E_TRUNCATED,
		     "truncated: chunked body ended after 5 bytes without its last chunk");
	expect_error(t, S(CHUNKED_HEAD), true, QV_E_TRUNCATED,
		     "truncated: chunked body ended after 0 bytes without its last chunk");
}

/* RFC 9112 §8: once the zero-size chunk arrived the message is complete,
 * even if the connection closes inside the trailer section. */
static void t_chunked_eof_in_trailer(struct tq *t)
{
	struct msg_run *r = run_message(t, S(CHUNKED_HEAD "2\r\nok\r\n0\r\nX-Partial: y"), true);

	if (r == NULL)
		return;
	TQ_INT(t, r->end, END_DONE);
	TQ_MEM(t, r->payload, r->payload_len, "ok", 2);
	run_free(r);
}

/* ---- close-delimited and none ---- */

static void t_close_delimited(struct tq *t)
{
	struct msg_run *r = run_message(t, S("HTTP/1.0 200 OK\r\n\r\nall of it\r\n0\r\n"), true);

	if (r == NULL)
		return;
	TQ_INT(t, r->end, END_DONE);
	TQ_MEM(t, r->payload, r->payload_len, "all of it\r\n0\r\n", 14);
	run_free(r);
	r = run_message(t, S("HTTP/1.0 200 OK\r\n\r\nmore"), false);
	if (r != NULL) {
		TQ_INT(t, r->end, END_MORE);
		TQ_MEM(t, r->payload, r->payload_len, "more", 4);
		run_free(r);
	}
}

static void t_none(struct tq *t)
{
	expect_body(t, S("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nstray"), "", 5);
	expect_body(t, S("HTTP/1.1 304 Not Modified\r\n\r\n"), "", 0);
}

/* ---- the API directly ---- */

static void t_direct(struct tq *t)
{
	struct http_resp r;
	struct http_body b;
	struct qv_error err;
	size_t used, off, len;
	const uint8_t in[] = "abcdef";

	memset(&r, 0, sizeof r);
	r.framing = HTTP_BODY_LENGTH;
	r.content_length = 4;
	http_body_init(&b, &r);
	TQ_TRUE(t, !http_body_done(&b));
	TQ_INT(t, http_body_feed(&b, in, 6, &used, &off, &len, &err), BODY_DATA);
	TQ_INT(t, used, 4);
	TQ_INT(t, off, 0);
	TQ_INT(t, len, 4);
	TQ_TRUE(t, http_body_done(&b));
	TQ_INT(t, http_body_received(&b), 4);
	TQ_INT(t, http_body_feed(&b, in + 4, 2, &used, &off, &len, &err), BODY_DONE);
	TQ_INT(t, used, 0);
	TQ_INT(t, http_body_eof(&b, &err), BODY_DONE);

	r.framing = HTTP_BODY_NONE;
	http_body_init(&b, &r);
	TQ_TRUE(t, http_body_done(&b));
	TQ_INT(t, http_body_feed(&b, in, 6, &used, &off, &len, &err), BODY_DONE);
	TQ_INT(t, used, 0);

	r.framing = HTTP_BODY_CLOSE;
	http_body_init(&b, &r);
	TQ_INT(t, http_body_feed(&b, in, 0, &used, &off, &len, &err), BODY_NEED_MORE);
	TQ_INT(t, http_body_feed(&b, in, 6, &used, &off, &len, &err), BODY_DATA);
	TQ_INT(t, len, 6);
	TQ_TRUE(t, !http_body_done(&b));
	TQ_INT(t, http_body_eof(&b, NULL), BODY_DONE);
	TQ_TRUE(t, http_body_done(&b));
}

static void t_sticky_error(struct tq *t)
{
	struct http_resp r;
	struct http_body b;
	struct qv_error err;
	size_t used, off, len;

	memset(&r, 0, sizeof r);
	r.framing = HTTP_BODY_CHUNKED;
	http_body_init(&b, &r);
	TQ_INT(t, http_body_feed(&b, (const uint8_t *)"zz", 2, &used, &off, &len, &err), BODY_ERROR);
	TQ_INT(t, used, 0);
	TQ_INT(t, err.code, QV_E_HTTP_BAD_CHUNK);
	TQ_INT(t, http_body_feed(&b, (const uint8_t *)"0\r\n\r\n", 5, &used, &off, &len, &err),
	       BODY_ERROR);
	TQ_INT(t, err.code, QV_E_HTTP_BAD_CHUNK);
	TQ_INT(t, http_body_eof(&b, &err), BODY_ERROR);
	TQ_INT(t, err.code, QV_E_HTTP_BAD_CHUNK);
	TQ_TRUE(t, !http_body_done(&b));
}

/* Many chunks of every size 1..300: spans and payload stay exact. */
static void t_many_chunks(struct tq *t)
{
	size_t cap = 64 + 300 * 310 + 16;
	char *in = malloc(cap);
	char *want = malloc(300 * 301 / 2 + 1);
	size_t n, w = 0, i, j;
	struct msg_run *r;

	if (!TQ_TRUE(t, in != NULL && want != NULL))
		goto out;
	n = (size_t)snprintf(in, cap, "%s", CHUNKED_HEAD);
	for (i = 1; i <= 300; i++) {
		n += (size_t)snprintf(in + n, cap - n, "%zx\r\n", i);
		for (j = 0; j < i; j++) {
			in[n++] = (char)('a' + (i + j) % 26);
			want[w++] = (char)('a' + (i + j) % 26);
		}
		memcpy(in + n, "\r\n", 2);
		n += 2;
	}
	memcpy(in + n, "0\r\n\r\n", 5);
	n += 5;
	r = run_message(t, in, n, false);
	if (r != NULL) {
		TQ_INT(t, r->end, END_DONE);
		TQ_INT(t, r->consumed, n);
		TQ_MEM(t, r->payload, r->payload_len, want, w);
		run_free(r);
	}
out:
	free(in);
	free(want);
}

void suite_body(struct tq *t);
void suite_body(struct tq *t)
{
	tq_run(t, "Content-Length body", t_length);
	tq_run(t, "bytes after a Content-Length body not consumed", t_length_pipelined);
	tq_run(t, "Content-Length body truncated", t_length_truncated);
	tq_run(t, "chunked body", t_chunked_simple);
	tq_run(t, "chunk extensions and trailers skipped", t_chunked_ext_trailers);
	tq_run(t, "chunked with bare LF", t_chunked_bare_lf);
	tq_run(t, "bytes after a chunked body not consumed", t_chunked_pipelined);
	tq_run(t, "chunk size overflow", t_chunk_overflow);
	tq_run(t, "chunk size syntax", t_chunk_size_syntax);
	tq_run(t, "missing CRLF after chunk data", t_chunk_missing_crlf);
	tq_run(t, "chunk extension cap", t_chunk_ext_max);
	tq_run(t, "trailer section cap", t_trailer_max);
	tq_run(t, "trailer syntax", t_trailer_syntax);
	tq_run(t, "chunked body truncated", t_chunked_truncated);
	tq_run(t, "EOF inside the trailer section", t_chunked_eof_in_trailer);
	tq_run(t, "close-delimited body", t_close_delimited);
	tq_run(t, "no body for 204 and 304", t_none);
	tq_run(t, "API used directly", t_direct);
	tq_run(t, "errors are sticky", t_sticky_error);
	tq_run(t, "three hundred chunks", t_many_chunks);
}
