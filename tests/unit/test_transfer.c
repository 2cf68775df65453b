/* test_transfer.c - the transfer state machine driven by scripted servers
 * (the fake engine of xfer_script.h).  Every scenario runs twice: whole
 * buffers, then one byte per xfer_feed/xfer_sent call. */
#include <stdio.h>
#include <string.h>

#include "tq.h"
#include "xfer_script.h"

void suite_transfer(struct tq *t);

/* ---- plain responses ---------------------------------------------------- */

static void t_200_length(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://Example.COM/flags/cn.gif", ex,
							T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello");
		TQ_INT(t, f->m.begins, 1);
		TQ_INT(t, f->m.last_offset, 0);
		TQ_INT(t, xfer_result(&f->x)->status, 200);
		TQ_INT(t, xfer_result(&f->x)->bytes, 5);
		TQ_INT(t, xfer_result(&f->x)->attempts, 1);
		TQ_STR(t, xfer_result(&f->x)->final_url, "http://example.com/flags/cn.gif");
		TQ_TRUE(t, f->r.release_reusable[0]);
		TQ_STR(t, f->r.hosts[0], "example.com");
		TQ_INT(t, f->r.ports[0], 80);
		TQ_TRUE(t, strncmp(f->r.reqs[0], "GET /flags/cn.gif HTTP/1.1\r\n", 28) == 0);
		TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nHost: example.com\r\n") != NULL);
		TQ_TRUE(t, strstr(f->r.reqs[0], "Range") == NULL);
	}
}

static void t_chunked(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: y\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello world");
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

static void t_close_delimited(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it", T_END_EOF}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "all of it");
		TQ_TRUE(t, !f->r.release_reusable[0]);
	}
}

static void t_no_content(struct tq *t)
{
	static const struct t_ex ex[] = {{"HTTP/1.1 204 No Content\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		TQ_INT(t, f->m.len, 0);
		TQ_INT(t, f->m.begins, 1);
		/* resp.c does not reuse after 204/304 (a stray body would desync) */
		TQ_TRUE(t, !f->r.release_reusable[0]);
	}
}

static void t_interim_skipped(struct tq *t)
{
	static const struct t_ex ex[] = {{"HTTP/1.1 100 Continue\r\n\r\n"
					  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
					  T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "ok");
	}
}

static void t_extra_bytes_not_reused(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "ok");
	TQ_TRUE(t, !f->r.release_reusable[0]);
}

static void t_bad_url(struct tq *t)
{
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "ftp://h/x", NULL, 0, false, NULL);

	TQ_INT(t, xfer_error(&f->x)->code, QV_E_URL_SCHEME);
	TQ_INT(t, f->r.connects, 0);
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, f->m.begins, 0);
	TQ_STR(t, xfer_result(&f->x)->final_url, "ftp://h/x");
}

static void t_bad_header_option(struct tq *t)
{
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	o.extra[0] = "NoColonHere";
	o.extra_count = 1;
	t_fix_run(f, &o, "http://h/x", NULL, 0, false, NULL);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_USAGE);
	TQ_INT(t, f->r.connects, 0);
	t_check_end(t, f, XFER_FAILED);
}

/* ---- status errors ------------------------------------------------------ */

static void t_404(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot here!", T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/zz/zz.gif", ex,
							T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_HTTP_STATUS);
		TQ_STR(t, xfer_error(&f->x)->msg, "HTTP error 404 - Not Found");
		TQ_INT(t, xfer_error(&f->x)->detail, 404);
		TQ_INT(t, xfer_result(&f->x)->status, 404);
		TQ_INT(t, f->m.begins, 0);
		TQ_INT(t, f->m.len, 0);
		/* the small error body was read, so the connection is reusable */
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

static void t_418_chunked_body_discarded(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 418 I'm a Teapot\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "4\r\ntea!\r\n0\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_STR(t, xfer_error(&f->x)->msg, "HTTP error 418 - I'm a Teapot");
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

static void t_big_error_body_closes(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 500 Oops\r\nContent-Length: 1000000\r\n\r\nxxxx", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_STR(t, xfer_error(&f->x)->msg, "HTTP error 500 - Oops");
	TQ_TRUE(t, !f->r.release_reusable[0]);
}

static void t_no_fail_saves_body(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope", T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.fail_on_status = false;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "nope");
		TQ_INT(t, xfer_result(&f->x)->status, 404);
	}
}

/* ---- redirects ---------------------------------------------------------- */

#define T_OK_RESP "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"

static void t_redirect_relative(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: ../c/d?x=1\r\nContent-Length: 5\r\n\r\nmoved",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h.example:8080/a/b/page", ex,
							T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "done");
		TQ_INT(t, f->m.begins, 1);
		TQ_INT(t, f->r.connects, 2);
		TQ_TRUE(t, f->r.release_reusable[0]);
		TQ_TRUE(t, f->r.reused[1]);
		TQ_TRUE(t, strncmp(f->r.reqs[1], "GET /a/c/d?x=1 HTTP/1.1\r\n", 25) == 0);
		TQ_TRUE(t, strstr(f->r.reqs[1], "\r\nHost: h.example:8080\r\n") != NULL);
		TQ_INT(t, xfer_result(&f->x)->redirects, 1);
		TQ_STR(t, xfer_result(&f->x)->final_url, "http://h.example:8080/a/c/d?x=1");
	}
}

static void t_redirect_chain(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 301 Moved Permanently\r\nLocation: /2\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://other.example/3\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 303 See Other\r\nLocation: /4\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "3\r\nabc\r\n0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 307 Temporary Redirect\r\nLocation: https://secure.example/5\r\n"
		 "Content-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 308 Permanent Redirect\r\nLocation: /6#frag\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/1", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "done");
		TQ_INT(t, f->r.connects, 6);
		TQ_INT(t, xfer_result(&f->x)->redirects, 5);
		TQ_STR(t, xfer_result(&f->x)->final_url, "https://secure.example/6");
		TQ_STR(t, f->r.hosts[2], "other.example");
		TQ_STR(t, f->r.hosts[5], "secure.example");
		TQ_INT(t, f->r.ports[5], 443);
		TQ_TRUE(t, strncmp(f->r.reqs[5], "GET /6 HTTP/1.1\r\n", 17) == 0);
	}
}

/* The transfer's text stays packed at the start of its buffer (struct xfer):
 * a redirect chain writes nothing past its first KiB, so pages of the
 * buffer a short-URL transfer never uses are never resident. */
static void t_text_packed(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 301 Moved Permanently\r\nLocation: /2\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://other.example/3?q=1\r\n"
		 "Content-Length: 0\r\n\r\n",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);
	size_t i, written = 0;

	memset(&f->x, 0xa5, sizeof f->x);
	t_fix_run(f, &o, "http://h/1", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_DONE);
	TQ_STR(t, xfer_result(&f->x)->final_url, "http://other.example/3?q=1");
	for (i = 1024; i < sizeof f->x.text; i++)
		written += f->x.text[i] != (char)0xa5;
	TQ_INT(t, written, 0);
}

/* Redirects to URLs near URL_MAX: the URL, the request, the Location and
 * the resolved target each get their full size in the packed text. */
static void t_redirect_long_urls(struct tq *t)
{
	static char loc[HTTP_LOCATION_MAX + 200], want[URL_MAX];
	static struct t_fix fix_;
	struct t_ex ex[] = {{loc, T_END_NONE}, {T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();
	size_t n = URL_MAX - sizeof "http://h/";

	T_BOTH(bw)
	{
		struct t_fix *f = t_fix_reset(&fix_);
		int k = snprintf(loc, sizeof loc, "HTTP/1.1 302 Found\r\nLocation: /");

		memset(loc + k, 'a', n);
		(void)snprintf(loc + k + n, sizeof loc - (size_t)k - n,
			       "\r\nContent-Length: 0\r\n\r\n");
		(void)snprintf(want, sizeof want, "http://h/%.*s", (int)n, loc + k);
		t_fix_run(f, &o, "http://h/1", ex, T_N(ex), bw, NULL);
		t_check_end(t, f, XFER_DONE);
		TQ_INT(t, strlen(xfer_result(&f->x)->final_url), URL_MAX - 1);
		TQ_STR(t, xfer_result(&f->x)->final_url, want);
		TQ_INT(t, f->r.connects, 2);
	}
}

static void t_redirect_loop(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://H:80/a\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/a", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_REDIRECT_LOOP);
		TQ_STR(t, xfer_error(&f->x)->msg, "redirect loop: http://h/a -> http://h/b -> http://h/a");
		TQ_INT(t, f->r.connects, 2);
	}
}

static void t_redirect_self(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 301 Moved\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 301 Moved\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_STR(t, xfer_error(&f->x)->msg, "redirect loop: http://h/a -> http://h/a");
}

static void t_too_many_redirects(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /1\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: /2\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: /3\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: /4\r\nContent-Length: 0\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.max_redirs = 3;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/0", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_TOO_MANY_REDIRECTS);
		TQ_STR(t, xfer_error(&f->x)->msg, "too many redirects (3)");
		TQ_INT(t, f->r.connects, 4);
		TQ_INT(t, xfer_result(&f->x)->redirects, 3);
	}
}

static void t_redirect_not_followed(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	o.follow = false;
	o.max_redirs = 0;
	t_fix_run(f, &o, "http://h/a", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_FAILED);
	TQ_STR(t, xfer_error(&f->x)->msg, "HTTP error 302 - Found");
	TQ_INT(t, f->r.connects, 1);
}

static void t_redirect_downgrade(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 301 Moved\r\nLocation: http://h/plain\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "https://h/secure", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_REDIRECT_DOWNGRADE);
	TQ_INT(t, f->r.connects, 1);

	o.allow_downgrade = true;
	f = t_fix_reset(&fix_);
	t_fix_run(f, &o, "https://h/secure", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_DONE);
	TQ_INT(t, f->r.ports[1], 80);
}

static void t_redirect_ftp(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: ftp://h/file\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE}};
	static const struct t_ex ex2[] = {
		{"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/a", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_REDIRECT_SCHEME);
	TQ_STR(t, xfer_error(&f->x)->msg, "redirect to unsupported scheme 'ftp'");

	f = t_fix_reset(&fix_);
	t_fix_run(f, &o, "http://h/a", ex2, T_N(ex2), false, NULL);
	TQ_STR(t, xfer_error(&f->x)->msg, "redirect to unsupported scheme 'file'");
}

static void t_redirect_no_location(struct tq *t)
{
	static const struct t_ex ex[] = {{"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n",
					  T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/a", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_REDIRECT_NO_LOCATION);
	TQ_TRUE(t, f->r.release_reusable[0]);
}

static void t_credentials_follow_origin(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /same\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://h:8080/port\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: https://h/scheme\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://evil.example/x\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://h/back\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	static const bool sent[] = {true, true, false, false, false, true};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);
	size_t i;

	o.extra[0] = "Authorization: Bearer s3cret";
	o.extra[1] = "cookie: a=b";
	o.extra[2] = "X-Trace: 7";
	o.extra[3] = "Host: vhost.example";
	o.extra_count = 4;
	o.allow_downgrade = true; /* the chain goes https -> http */
	t_fix_run(f, &o, "http://h/first", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_DONE);
	TQ_INT(t, f->r.connects, 6);
	for (i = 0; i < T_N(sent); i++) {
		TQ_INT(t, strstr(f->r.reqs[i], "Bearer s3cret") != NULL, sent[i]);
		TQ_INT(t, strstr(f->r.reqs[i], "a=b") != NULL, sent[i]);
		TQ_TRUE(t, strstr(f->r.reqs[i], "X-Trace: 7\r\n") != NULL);
		/* a custom Host names the first server only */
		if (!TQ_INT(t, strstr(f->r.reqs[i], "Host: vhost.example\r\n") != NULL, sent[i]))
			printf("%s", f->r.reqs[i]);
	}
}

/* ---- connection trouble and retries ------------------------------------- */

static void t_stale_keepalive(struct tq *t)
{
	static const struct t_ex ex[] = {{"", T_END_EOF}, {T_OK_RESP, T_END_NONE}};
	static const struct t_ex reset[] = {{"", T_END_RESET}, {T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_reset(&fix_);

		f->r.pool_always = true;
		memset(&f->r, 0, sizeof f->r);
		sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
		f->r.ex = bw ? reset : ex;
		f->r.ex_count = 2;
		f->r.pool_always = true;
		xfer_init(&f->x, &o, "http://h/x", 10, sink_mem_sink(&f->m), 1);
		f->end = t_drive(&f->r, &f->x);
		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "done");
		TQ_INT(t, f->r.connects, 2);
		TQ_TRUE(t, f->r.reused[0]);
		TQ_TRUE(t, !f->r.reused[1]); /* xfer_may_reuse() said no */
		TQ_TRUE(t, !f->r.release_reusable[0]);
		TQ_INT(t, xfer_result(&f->x)->attempts, 1);
		TQ_INT(t, f->r.waits, 0);
	}
}

static void t_stale_only_once(struct tq *t)
{
	static const struct t_ex ex[] = {{"", T_END_EOF}, {"", T_END_EOF}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	f->r.ex = ex;
	f->r.ex_count = 2;
	f->r.pool_always = true;
	xfer_init(&f->x, &o, "http://h/x", 10, sink_mem_sink(&f->m), 1);
	f->end = t_drive(&f->r, &f->x);
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_CLOSED);
	TQ_INT(t, f->r.connects, 2);
}

static void t_fresh_closed(struct tq *t)
{
	static const struct t_ex ex[] = {{"", T_END_EOF}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_CLOSED);
	TQ_INT(t, f->r.connects, 1);
}

static void t_eof_mid_head(struct tq *t)
{
	static const struct t_ex ex[] = {{"HTTP/1.1 200 OK\r\nContent-Le", T_END_EOF}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_HTTP_SYNTAX);
	}
}

static void t_truncated(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", T_END_EOF}};
	static const struct t_ex chunked[] = {
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", T_END_EOF}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_TRUNCATED);
		TQ_STR(t, xfer_error(&f->x)->msg, "truncated: got 3 of 10 bytes");
		TQ_INT(t, f->m.begins, 1);
		TQ_TRUE(t, !f->r.release_reusable[0]);

		f = t_fix_reset(&fix_);
		t_fix_run(f, &o, "http://h/x", chunked, T_N(chunked), bw, NULL);
		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_TRUNCATED);
	}
}

static void t_retry_after(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 4\r\n\r\nbusy",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.retries = 2;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "done");
		TQ_INT(t, f->r.waits, 1);
		TQ_INT(t, f->r.wait_from[0], 1000);
		TQ_INT(t, f->r.wake_at[0], 2000);
		TQ_INT(t, xfer_result(&f->x)->attempts, 2);
		TQ_INT(t, xfer_result(&f->x)->status, 200);
		TQ_INT(t, f->m.begins, 1);
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

static void t_retry_after_capped(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 86400\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{T_OK_RESP, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	o.retries = 1;
	t_fix_run(f, &o, "http://h/x", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_DONE);
	TQ_INT(t, f->r.wake_at[0] - f->r.wait_from[0], 4 * 1000);
}

static void t_retry_exhausted(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	o.retries = 1;
	t_fix_run(f, &o, "http://h/x", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_FAILED);
	TQ_STR(t, xfer_error(&f->x)->msg, "HTTP error 503 - Service Unavailable");
	TQ_INT(t, xfer_result(&f->x)->attempts, 2);
	TQ_INT(t, f->r.connects, 2);
	/* full jitter: the wait is within [0, base] for the first retry */
	TQ_TRUE(t, f->r.wake_at[0] - f->r.wait_from[0] <= 100);
}

static void t_retry_transport(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart", T_END_RESET},
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234", T_END_EOF},
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.retries = 3;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "0123456789");
		TQ_INT(t, xfer_result(&f->x)->attempts, 3);
		TQ_INT(t, xfer_result(&f->x)->bytes, 10);
		TQ_INT(t, f->m.begins, 3);
		TQ_INT(t, f->r.waits, 2);
		TQ_TRUE(t, f->r.wake_at[0] - f->r.wait_from[0] <= 100);
		TQ_TRUE(t, f->r.wake_at[1] - f->r.wait_from[1] <= 200);
	}
}

static void t_no_retry_on_404(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	o.retries = 5;
	t_fix_run(f, &o, "http://h/x", ex, T_N(ex), false, NULL);
	TQ_INT(t, f->end, XFER_FAILED);
	TQ_INT(t, xfer_result(&f->x)->attempts, 1);
	TQ_INT(t, f->r.connects, 1);
}

static void t_connect_error_retry(struct tq *t)
{
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);
	enum xfer_action a;

	o.retries = 1;
	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "http://h/x", 10, sink_mem_sink(&f->m), 7);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_CONNECT);
	xfer_io_error(&f->x, QV_E_CONNECT, "could not connect to h:80: Connection refused");
	a = xfer_next(&f->x, 0); /* no connection was held: no release */
	TQ_INT(t, a, XFER_WAIT);
	while (a == XFER_WAIT)
		a = xfer_next(&f->x, xfer_wake_at(&f->x));
	TQ_INT(t, a, XFER_CONNECT);
	xfer_io_error(&f->x, QV_E_CONNECT, "could not connect to h:80: Connection refused");
	TQ_INT(t, xfer_next(&f->x, 0), XFER_FAILED);
	TQ_STR(t, xfer_error(&f->x)->msg, "could not connect to h:80: Connection refused");
	TQ_INT(t, xfer_result(&f->x)->attempts, 2);
	TQ_TRUE(t, f->m.aborted);
}

static void t_abort(struct tq *t)
{
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab";
	const uint8_t *p;
	size_t n;

	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "http://h/x", 10, sink_mem_sink(&f->m), 7);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_CONNECT);
	xfer_connected(&f->x, false);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_WRITE);
	xfer_out(&f->x, &p, &n);
	xfer_sent(&f->x, n);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_READ);
	xfer_feed(&f->x, (const uint8_t *)head, sizeof head - 1);
	TQ_INT(t, f->m.len, 2);
	xfer_abort(&f->x, QV_E_INTERRUPTED, "interrupted");
	TQ_INT(t, xfer_next(&f->x, 0), XFER_RELEASE);
	TQ_TRUE(t, !xfer_conn_reusable(&f->x));
	xfer_released(&f->x);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_INTERRUPTED);
	TQ_TRUE(t, f->m.aborted);
	xfer_feed(&f->x, (const uint8_t *)"more", 4); /* ignored */
	xfer_abort(&f->x, QV_E_INTERRUPTED, "again");
	TQ_INT(t, f->m.late_calls, 0);
}

/* ---- resume and size limits --------------------------------------------- */

static void t_resume_206(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\n"
		 "Content-Length: 6\r\n\r\n world",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, "hello");

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello world");
		TQ_INT(t, f->m.last_offset, 5);
		TQ_INT(t, xfer_result(&f->x)->bytes, 6);
		TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nRange: bytes=5-\r\n") != NULL);
	}
}

static void t_resume_200(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHELLO WORLD", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, "hello");

	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "HELLO WORLD");
	TQ_INT(t, f->m.last_offset, 0);
}

static void t_resume_416_complete(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */5\r\n"
		 "Content-Length: 0\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, "hello");

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello");
		TQ_INT(t, f->m.writes, 0);
		TQ_INT(t, xfer_result(&f->x)->status, 416);
		TQ_INT(t, xfer_result(&f->x)->bytes, 0);
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

static void t_resume_mismatch_restarts(struct tq *t)
{
	static const struct t_ex bad206[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-10/11\r\n"
		 "Content-Length: 11\r\n\r\nhello world",
		 T_END_NONE},
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", T_END_NONE}};
	static const struct t_ex bad416[] = {
		{"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */3\r\n"
		 "Content-Length: 0\r\n\r\n",
		 T_END_NONE},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", T_END_NONE}};
	static const struct t_ex persists[] = {
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-10/11\r\n"
		 "Content-Length: 11\r\n\r\nhello world",
		 T_END_NONE},
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-10/11\r\n"
		 "Content-Length: 11\r\n\r\nhello world",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", bad206,
						T_N(bad206), false, "hello");

	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "hello world");
	TQ_INT(t, f->r.connects, 2);
	TQ_TRUE(t, strstr(f->r.reqs[0], "Range: bytes=5-") != NULL);
	TQ_TRUE(t, strstr(f->r.reqs[1], "Range") == NULL);
	TQ_INT(t, f->m.last_offset, 0);

	f = t_fix_reset(&fix_);
	t_fix_run(f, &o, "http://h/x", bad416, T_N(bad416), false, "hello");
	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "abc");

	f = t_fix_reset(&fix_);
	t_fix_run(f, &o, "http://h/x", persists, T_N(persists), false, "hello");
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_RANGE);
}

static void t_resume_across_redirect(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-10/11\r\n"
		 "Content-Length: 6\r\n\r\n world",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, "hello");

	t_check_end(t, f, XFER_DONE);
	t_check_body(t, f, "hello world");
	TQ_TRUE(t, strstr(f->r.reqs[1], "Range: bytes=5-") != NULL);
}

static void t_max_filesize(struct tq *t)
{
	static const struct t_ex cl[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world", T_END_NONE}};
	static const struct t_ex chunked[] = {
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
		 T_END_NONE}};
	static const struct t_ex close[] = {
		{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello world", T_END_EOF}};
	static const struct t_ex fits[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.max_filesize = 10;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", cl, T_N(cl), bw, NULL);

		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_TOO_BIG);
		TQ_INT(t, f->m.begins, 0);

		f = t_fix_reset(&fix_);
		t_fix_run(f, &o, "http://h/x", chunked, T_N(chunked), bw, NULL);
		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_TOO_BIG);
		TQ_TRUE(t, f->m.len <= 10);

		f = t_fix_reset(&fix_);
		t_fix_run(f, &o, "http://h/x", close, T_N(close), bw, NULL);
		t_check_end(t, f, XFER_FAILED);
		TQ_INT(t, xfer_error(&f->x)->code, QV_E_TOO_BIG);

		f = t_fix_reset(&fix_);
		t_fix_run(f, &o, "http://h/x", fits, T_N(fits), bw, NULL);
		t_check_end(t, f, XFER_DONE);
	}
}

static void t_early_response(struct tq *t)
{
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "http://h/x", 10, sink_mem_sink(&f->m), 7);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_CONNECT);
	xfer_connected(&f->x, false);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_WRITE);
	xfer_sent(&f->x, 3);
	xfer_feed(&f->x, (const uint8_t *)resp, sizeof resp - 1);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_RELEASE);
	TQ_TRUE(t, !xfer_conn_reusable(&f->x));
	xfer_released(&f->x);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_DONE);
}

void suite_transfer(struct tq *t)
{
	tq_run(t, "200 with Content-Length", t_200_length);
	tq_run(t, "chunked body", t_chunked);
	tq_run(t, "close-delimited body", t_close_delimited);
	tq_run(t, "204 makes an empty file", t_no_content);
	tq_run(t, "1xx skipped", t_interim_skipped);
	tq_run(t, "extra bytes after the body: not reused", t_extra_bytes_not_reused);
	tq_run(t, "bad URL fails at once", t_bad_url);
	tq_run(t, "bad -H fails before connecting", t_bad_header_option);
	tq_run(t, "404 message, nothing written", t_404);
	tq_run(t, "418 chunked error body discarded", t_418_chunked_body_discarded);
	tq_run(t, "big error body closes", t_big_error_body_closes);
	tq_run(t, "fail_on_status off saves the body", t_no_fail_saves_body);
	tq_run(t, "302 relative Location", t_redirect_relative);
	tq_run(t, "text packed at the start of its buffer", t_text_packed);
	tq_run(t, "redirects to URLs near URL_MAX", t_redirect_long_urls);
	tq_run(t, "chain of 5 redirects", t_redirect_chain);
	tq_run(t, "redirect loop named", t_redirect_loop);
	tq_run(t, "redirect to itself", t_redirect_self);
	tq_run(t, "too many redirects", t_too_many_redirects);
	tq_run(t, "3xx not followed", t_redirect_not_followed);
	tq_run(t, "https to http refused", t_redirect_downgrade);
	tq_run(t, "ftp and file refused", t_redirect_ftp);
	tq_run(t, "redirect without Location", t_redirect_no_location);
	tq_run(t, "credentials only to the first origin", t_credentials_follow_origin);
	tq_run(t, "stale keep-alive retried once", t_stale_keepalive);
	tq_run(t, "stale retry only once", t_stale_only_once);
	tq_run(t, "fresh connection closed", t_fresh_closed);
	tq_run(t, "EOF in the head", t_eof_mid_head);
	tq_run(t, "truncated body", t_truncated);
	tq_run(t, "503 Retry-After", t_retry_after);
	tq_run(t, "Retry-After capped", t_retry_after_capped);
	tq_run(t, "retries exhausted", t_retry_exhausted);
	tq_run(t, "retry after reset and truncation", t_retry_transport);
	tq_run(t, "404 not retried", t_no_retry_on_404);
	tq_run(t, "connect error retried", t_connect_error_retry);
	tq_run(t, "abort mid-body", t_abort);
	tq_run(t, "resume 206", t_resume_206);
	tq_run(t, "resume answered 200", t_resume_200);
	tq_run(t, "resume 416 already complete", t_resume_416_complete);
	tq_run(t, "resume mismatch restarts", t_resume_mismatch_restarts);
	tq_run(t, "resume across a redirect", t_resume_across_redirect);
	tq_run(t, "max_filesize", t_max_filesize);
	tq_run(t, "response before the request is sent", t_early_response);
}
