/* test_transfer_req.c - the request shapes of the wget mode in the
 * transfer machine: a POST body after the head (whole and one byte at a
 * time), 301/302/303 turning it into a GET, 307/308 and retries sending it
 * again, HEAD reading no body whatever the head says, and the -S head hook
 * seeing each head's bytes then its end. */
#include <stdio.h>
#include <string.h>

#include "tq.h"
#include "xfer_script.h"

void suite_transfer_req(struct tq *t);

#define T_FORM "application/x-www-form-urlencoded"
#define T_OK "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

static struct xfer_opts t_post(const char *body)
{
	struct xfer_opts o = t_opts();

	o.method = "POST";
	o.has_body = true;
	o.body = (const uint8_t *)body;
	o.body_len = strlen(body);
	o.body_type = T_FORM;
	return o;
}

/* The body of request text r: what follows its head. */
static const char *t_req_body(const char *r)
{
	const char *end = strstr(r, "\r\n\r\n");

	return end != NULL ? end + 4 : "";
}

static void t_post_body(struct tq *t)
{
	static const struct t_ex ex[] = {{T_OK, T_END_NONE}};
	struct xfer_opts o = t_post("a=1&b=2");

	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/form", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "ok");
		TQ_TRUE(t, strncmp(f->r.reqs[0], "POST /form HTTP/1.1\r\n", 21) == 0);
		TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nContent-Type: " T_FORM "\r\n") != NULL);
		TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nContent-Length: 7\r\n") != NULL);
		TQ_STR(t, t_req_body(f->r.reqs[0]), "a=1&b=2");
	}
}

static void t_post_empty(struct tq *t)
{
	static const struct t_ex ex[] = {{T_OK, T_END_NONE}};
	struct xfer_opts o = t_post("");
	struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/form", ex, T_N(ex), false, NULL);

	t_check_end(t, f, XFER_DONE);
	TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nContent-Length: 0\r\n\r\n") != NULL);
	TQ_STR(t, t_req_body(f->r.reqs[0]), "");
}

/* A redirect of each kind after a POST: what the second request is. */
static void t_post_redirects(struct tq *t)
{
	static const struct {
		const char *status;
		const char *method;
		const char *body;
	} c[] = {
		{"301 Moved Permanently", "GET", ""},
		{"302 Found", "GET", ""},
		{"303 See Other", "GET", ""},
		{"307 Temporary Redirect", "POST", "x=y"},
		{"308 Permanent Redirect", "POST", "x=y"},
	};
	struct xfer_opts o = t_post("x=y");
	char resp[128], line[32];
	size_t i;

	for (i = 0; i < T_N(c); i++) {
		struct t_ex ex[2] = {{resp, T_END_NONE}, {T_OK, T_END_NONE}};
		struct t_fix fix_, *f;

		(void)snprintf(resp, sizeof resp,
			       "HTTP/1.1 %s\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n", c[i].status);
		f = t_fix_go(&fix_, &o, "http://h/form", ex, T_N(ex), false, NULL);
		t_check_end(t, f, XFER_DONE);
		(void)snprintf(line, sizeof line, "%s /next HTTP/1.1\r\n", c[i].method);
		TQ_TRUE(t, strncmp(f->r.reqs[1], line, strlen(line)) == 0);
		TQ_STR(t, t_req_body(f->r.reqs[1]), c[i].body);
		TQ_TRUE(t, (strstr(f->r.reqs[1], "Content-Length") != NULL) == (c[i].body[0] != '\0'));
		TQ_TRUE(t, (strstr(f->r.reqs[1], "Content-Type") != NULL) == (c[i].body[0] != '\0'));
	}
}

static void t_post_retry(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{T_OK, T_END_NONE}};
	struct xfer_opts o = t_post("again");

	o.retries = 1;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/form", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		TQ_INT(t, xfer_result(&f->x)->attempts, 2);
		TQ_STR(t, t_req_body(f->r.reqs[0]), "again");
		TQ_STR(t, t_req_body(f->r.reqs[1]), "again");
	}
}

/* A server that answers before the body is sent: the answer counts, the
 * connection is not reused. */
static void t_post_early_answer(struct tq *t)
{
	static const char resp[] = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n";
	struct xfer_opts o = t_post("0123456789");
	struct t_fix fix_, *f = t_fix_reset(&fix_);
	const uint8_t *p;
	size_t n;

	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "http://h/form", 13, sink_mem_sink(&f->m), 7);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_CONNECT);
	xfer_connected(&f->x, false);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_WRITE);
	xfer_out(&f->x, &p, &n);
	xfer_sent(&f->x, n); /* the head */
	xfer_out(&f->x, &p, &n);
	TQ_INT(t, n, 10);
	TQ_INT(t, memcmp(p, "0123456789", 10), 0);
	xfer_sent(&f->x, 4);
	xfer_out(&f->x, &p, &n);
	TQ_INT(t, n, 6);
	xfer_feed(&f->x, (const uint8_t *)resp, sizeof resp - 1);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_RELEASE);
	TQ_TRUE(t, !xfer_conn_reusable(&f->x));
	xfer_released(&f->x);
	TQ_INT(t, xfer_next(&f->x, 0), XFER_FAILED);
	TQ_INT(t, xfer_result(&f->x)->status, 413);
}

/* --spider: a HEAD whose answer says Content-Length is complete at its
 * head, and the connection stays reusable. */
static void t_head(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();

	o.method = "HEAD";
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), bw, NULL);

		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "");
		TQ_TRUE(t, strncmp(f->r.reqs[0], "HEAD /x HTTP/1.1\r\n", 18) == 0);
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

static void t_head_redirect(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /y\r\nContent-Length: 5\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n", T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f;

	o.method = "HEAD";
	f = t_fix_go(&fix_, &o, "http://h/x", ex, T_N(ex), false, NULL);
	t_check_end(t, f, XFER_FAILED);
	TQ_TRUE(t, strncmp(f->r.reqs[1], "HEAD /y HTTP/1.1\r\n", 18) == 0);
	TQ_INT(t, xfer_result(&f->x)->status, 404);
}

struct t_heads {
	char text[512];
	size_t len;
	unsigned ends;
};

static void t_heads_feed(void *ctx, const uint8_t *p, size_t n)
{
	struct t_heads *h = ctx;

	if (n == 0) {
		h->ends++;
		return;
	}
	if (h->len + n < sizeof h->text) {
		memcpy(h->text + h->len, p, n);
		h->len += n;
		h->text[h->len] = '\0';
	}
}

/* -S: every head of a redirect chain, 1xx included, and no body byte. */
static void t_head_hook(struct tq *t)
{
	static const char h1[] = "HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 3\r\n\r\n";
	static const char h2[] = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
	static const struct t_ex ex[] = {{"HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 3\r\n"
					  "\r\nabc",
					  T_END_NONE},
					 {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2"
					  "\r\n\r\nok",
					  T_END_NONE}};
	struct xfer_opts o = t_opts();

	T_BOTH(bw)
	{
		struct t_heads h;
		struct t_fix fix_, *f;

		memset(&h, 0, sizeof h);
		o.on_head = t_heads_feed;
		o.head_ctx = &h;
		f = t_fix_go(&fix_, &o, "http://h/a", ex, T_N(ex), bw, NULL);
		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "ok");
		TQ_INT(t, h.ends, 2);
		TQ_INT(t, h.len, strlen(h1) + strlen(h2));
		TQ_TRUE(t, strncmp(h.text, h1, strlen(h1)) == 0);
		TQ_STR(t, h.text + strlen(h1), h2);
	}
}

void suite_transfer_req(struct tq *t)
{
	tq_run(t, "POST body after the head", t_post_body);
	tq_run(t, "POST with an empty body", t_post_empty);
	tq_run(t, "POST redirected by 301 to 308", t_post_redirects);
	tq_run(t, "POST body sent again on retry", t_post_retry);
	tq_run(t, "answer before the body is sent", t_post_early_answer);
	tq_run(t, "HEAD reads no body", t_head);
	tq_run(t, "HEAD stays HEAD across a redirect", t_head_redirect);
	tq_run(t, "head hook sees every head", t_head_hook);
}
