/* test_transfer_resume.c - the transfer machine's integrity rules
 * (transfer.h "Resuming" and "Conditional GET") against scripted servers:
 * If-Range with the kept validator, a restart when there is none or the
 * file changed, a no-rewind sink (standard output) that resumes after what
 * went out or fails, the validator and Last-Modified handed to the sink,
 * and -N's If-Modified-Since with its 304. */
#include <stdio.h>
#include <string.h>

#include "tq.h"
#include "xfer_script.h"

void suite_transfer_resume(struct tq *t);

static bool has(const char *req, const char *line)
{
	return strstr(req, line) != NULL;
}

/* The kept bytes' validator goes with the Range as If-Range. */
static void t_if_range_sent(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\nETag: \"v1\"\r\n"
		 "Content-Length: 6\r\n\r\n world",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, "hello");

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello world");
		TQ_TRUE(t, has(f->r.reqs[0], "\r\nRange: bytes=5-\r\nIf-Range: \"v1\"\r\n"));
		TQ_STR(t, f->m.validator, "\"v1\"");
	}
}

/* Bytes of an unknown version are not continued: no Range at all, unless
 * resume_unsafe, which sends Range without If-Range. */
static void t_no_validator_restarts(struct tq *t)
{
	static const struct t_ex full[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHELLO WORLD", T_END_NONE}};
	static const struct t_ex part[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\n"
		 "Content-Length: 6\r\n\r\n world",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	f->validator = "";
	t_fix_run(f, &o, "http://h/x", full, T_N(full), false, "hello");
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "HELLO WORLD");
	TQ_TRUE(t, !has(f->r.reqs[0], "Range"));
	TQ_INT(t, f->m.last_offset, 0);

	o.resume_unsafe = true;
	f = t_fix_reset(&fix_);
	f->validator = "";
	t_fix_run(f, &o, "http://h/x", part, T_N(part), false, "hello");
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "hello world");
	TQ_TRUE(t, has(f->r.reqs[0], "\r\nRange: bytes=5-\r\n"));
	TQ_TRUE(t, !has(f->r.reqs[0], "If-Range"));
}

/* The file changed: If-Range gets a 200 and the body starts over; a server
 * that ignored If-Range and sent a 206 of another ETag is asked again
 * without Range. */
static void t_changed_file(struct tq *t)
{
	static const struct t_ex changed[] = {
		{"HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nContent-Length: 11\r\n\r\nHELLO WORLD",
		 T_END_NONE}};
	static const struct t_ex ignored[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\nETag: \"v2\"\r\n"
		 "Content-Length: 6\r\n\r\n WORLD",
		 T_END_NONE},
		{"HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nContent-Length: 11\r\n\r\nHELLO WORLD",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", changed, T_N(changed), false,
					 "hello");

	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "HELLO WORLD");
	TQ_INT(t, f->m.last_offset, 0);
	TQ_STR(t, f->m.validator, "\"v2\""); /* the new .part's validator */

	f = t_fix_go(&fix_, &o, "http://h/x", ignored, T_N(ignored), false, "hello");
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "HELLO WORLD");
	TQ_INT(t, f->r.connects, 2);
	TQ_TRUE(t, !has(f->r.reqs[1], "Range"));
}

/* What begin() is told: the strong ETag, else a strong Last-Modified (a
 * Date at least a second later), else nothing; Last-Modified as mtime. */
static void t_body_validator(struct tq *t)
{
	static const struct {
		const char *fields, *validator;
		bool has_mtime;
	} c[] = {
		{"ETag: \"e\"\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n", "\"e\"", true},
		{"ETag: W/\"e\"\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n",
		 "Sun, 06 Nov 1994 08:49:37 GMT", true},
		{"Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n",
		 "", true},
		{"Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n", "", true},
		{"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", "", false},
	};
	struct xfer_opts o = t_opts();
	size_t i;

	for (i = 0; i < T_N(c); i++) {
		char resp[512];
		struct t_ex ex[1] = {{resp, T_END_NONE}};
		struct t_fix fix_, *f;

		(void)snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\n%sContent-Length: 2\r\n\r\nok",
			       c[i].fields);
		f = t_fix_go(&fix_, &o, "http://h/x", ex, 1, false, NULL);
		t_check_end(t, f, XFER_DONE);
		if (!TQ_STR(t, f->m.validator, c[i].validator) ||
		    !TQ_INT(t, f->m.has_mtime, c[i].has_mtime))
			printf("  fields: %s\n", c[i].fields);
		if (c[i].has_mtime)
			TQ_INT(t, f->m.mtime, 784111777);
	}
}

/* A retry of a resumed body asks again from where it started, not from 0. */
static void t_retry_keeps_offset(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\nETag: \"v1\"\r\n"
		 "Content-Length: 6\r\n\r\n wo",
		 T_END_RESET},
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\nETag: \"v1\"\r\n"
		 "Content-Length: 6\r\n\r\n world",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f;

	o.retries = 1;
	f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, "hello");
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "hello world");
	TQ_TRUE(t, has(f->r.reqs[1], "\r\nRange: bytes=5-\r\nIf-Range: \"v1\"\r\n"));
}

/* ---- standard output (no_rewind) --------------------------------------- */

#define T_HELLO_CUT                                                                      \
	"HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: 11\r\n\r\nhello"
#define T_REST_206                                                                       \
	"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\nETag: \"e\"\r\n" \
	"Content-Length: 6\r\n\r\n world"

static struct t_fix *t_stream(struct t_fix *fix, const struct xfer_opts *o, const struct t_ex *ex,
			      size_t n, bool bw)
{
	struct t_fix *f = t_fix_reset(fix);

	f->no_rewind = true;
	t_fix_run(f, o, "http://h/x", ex, n, bw, NULL);
	return f;
}

static void t_stream_resumes(struct tq *t)
{
	static const struct t_ex ex[] = {{T_HELLO_CUT, T_END_RESET}, {T_REST_206, T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.retries = 2;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_stream(&fix_, &o, ex, T_N(ex), bw);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello world");
		TQ_INT(t, f->m.begins, 2);
		TQ_TRUE(t, has(f->r.reqs[1], "\r\nRange: bytes=5-\r\nIf-Range: \"e\"\r\n"));
		TQ_INT(t, xfer_result(&f->x)->attempts, 2);
	}
}

/* After bytes went out, anything but the exact continuation fails, and
 * nothing more is written. */
static void t_stream_cannot_resume(struct tq *t)
{
	static const struct t_ex whole[] = {
		{T_HELLO_CUT, T_END_RESET},
		{"HTTP/1.1 200 OK\r\nETag: \"e\"\r\nContent-Length: 11\r\n\r\nhello world",
		 T_END_NONE}};
	static const struct t_ex wrong_range[] = {
		{T_HELLO_CUT, T_END_RESET},
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 4-10/11\r\n"
		 "Content-Length: 7\r\n\r\no world",
		 T_END_NONE}};
	static const struct t_ex other_etag[] = {
		{T_HELLO_CUT, T_END_RESET},
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\nETag: \"f\"\r\n"
		 "Content-Length: 6\r\n\r\n WORLD",
		 T_END_NONE}};
	static const struct t_ex bad416[] = {
		{T_HELLO_CUT, T_END_RESET},
		{"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */3\r\n"
		 "Content-Length: 0\r\n\r\n",
		 T_END_NONE}};
	const struct {
		const struct t_ex *ex;
	} c[] = {{whole}, {wrong_range}, {other_etag}, {bad416}};
	struct xfer_opts o = t_opts();
	size_t i;

	o.retries = 2;
	for (i = 0; i < T_N(c); i++) {
		struct t_fix fix_, *f = t_stream(&fix_, &o, c[i].ex, 2, false);

		t_check_end(t, f, XFER_FAILED);
		t_check_body(t, f, "hello");
		TQ_INT(t, f->m.begins, 1);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_RANGE);
		TQ_TRUE(t, strstr(xfer_error(&f->x)->msg, "cannot resume after 5 bytes") != NULL);
	}
}

/* No validator: not retried after bytes went out (unless resume_unsafe);
 * before any body byte a retry is a plain new request. */
static void t_stream_no_validator(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", T_END_RESET},
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\n"
		 "Content-Length: 6\r\n\r\n world",
		 T_END_NONE}};
	static const struct t_ex early[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", T_END_RESET},
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f;

	o.retries = 2;
	f = t_stream(&fix_, &o, ex, T_N(ex), false);
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_RESET);
	TQ_TRUE(t, strstr(xfer_error(&f->x)->msg, "not retried") != NULL);
	TQ_INT(t, f->r.connects, 1);

	o.resume_unsafe = true;
	f = t_stream(&fix_, &o, ex, T_N(ex), false);
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "hello world");
	TQ_TRUE(t, has(f->r.reqs[1], "\r\nRange: bytes=5-\r\n") && !has(f->r.reqs[1], "If-Range"));

	o.resume_unsafe = false;
	f = t_stream(&fix_, &o, early, T_N(early), false);
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "hello world");
	TQ_TRUE(t, !has(f->r.reqs[1], "Range"));
}

/* ---- conditional GET --------------------------------------------------- */

static struct t_fix *t_cond(struct t_fix *fix, const struct xfer_opts *o, const struct t_ex *ex,
			    size_t n, bool bw)
{
	struct t_fix *f = t_fix_reset(fix);

	f->has_ims = true;
	f->ims = 784111777;
	t_fix_run(f, o, "http://h/x", ex, n, bw, NULL);
	return f;
}

static void t_not_modified(struct tq *t)
{
	static const struct t_ex ex304[] = {{"HTTP/1.1 304 Not Modified\r\n\r\n", T_END_NONE}};
	static const struct t_ex older[] = {
		{"HTTP/1.1 200 OK\r\nLast-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
		 "Content-Length: 3\r\n\r\nold",
		 T_END_NONE}};
	static const struct t_ex newer[] = {
		{"HTTP/1.1 200 OK\r\nLast-Modified: Sun, 06 Nov 1994 08:49:38 GMT\r\n"
		 "Content-Length: 3\r\n\r\nnew",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_cond(&fix_, &o, ex304, T_N(ex304), bw);

		t_check_end(t, f, XFER_DONE);
		TQ_TRUE(t, xfer_result(&f->x)->not_modified);
		TQ_INT(t, xfer_result(&f->x)->status, 304);
		TQ_INT(t, f->m.begins, 0);
		TQ_TRUE(t, f->m.aborted);
		TQ_TRUE(t, has(f->r.reqs[0], "\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
	}
	{
		struct t_fix fix_, *f = t_cond(&fix_, &o, older, T_N(older), false);

		t_check_end(t, f, XFER_DONE);
		TQ_TRUE(t, xfer_result(&f->x)->not_modified);
		TQ_INT(t, f->m.begins, 0);
		f = t_cond(&fix_, &o, newer, T_N(newer), false);
		t_check_end(t, f, XFER_DONE);
		TQ_TRUE(t, !xfer_result(&f->x)->not_modified);
		t_check_body(t, f, "new");
	}
}

/* A 304 to a request that did not ask is an error, never an empty file;
 * the user's own conditional header does ask. */
static void t_unasked_304(struct tq *t)
{
	static const struct t_ex ex[] = {{"HTTP/1.1 304 Not Modified\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_HTTP_STATUS);
	TQ_INT(t, xfer_error(&f->x)->detail, 304);
	TQ_TRUE(t, strstr(xfer_error(&f->x)->msg, "not conditional") != NULL);
	TQ_INT(t, f->m.begins, 0);

	o.extra[0] = "If-None-Match: \"e\"";
	o.extra_count = 1;
	f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_DONE);
	TQ_TRUE(t, xfer_result(&f->x)->not_modified);
}

void suite_transfer_resume(struct tq *t)
{
	tq_run(t, "If-Range with the kept validator", t_if_range_sent);
	tq_run(t, "no validator: restart (or unsafe Range)", t_no_validator_restarts);
	tq_run(t, "changed file restarts", t_changed_file);
	tq_run(t, "validator and mtime handed to the sink", t_body_validator);
	tq_run(t, "retry of a resumed body keeps its offset", t_retry_keeps_offset);
	tq_run(t, "stdout: a retry resumes after the bytes out", t_stream_resumes);
	tq_run(t, "stdout: no exact continuation fails", t_stream_cannot_resume);
	tq_run(t, "stdout: no validator, no retry", t_stream_no_validator);
	tq_run(t, "If-Modified-Since and 304", t_not_modified);
	tq_run(t, "unasked 304 is an error", t_unasked_304);
}
