/* test_serve_req.c - the server's request-head parser and its router:
 * well-formed heads whole, in pieces and at a guard page; every kind of
 * malformed head; which targets name a flag. */
#include "tq.h"

#include <stdio.h>
#include <string.h>

#include "serve/req.h"
#include "serve/route.h"

void suite_serve_req(struct tq *t);

static enum serve_req_status parse(const char *s, struct serve_req *r)
{
	return serve_req_parse((const uint8_t *)s, strlen(s), NULL, r);
}

static void test_simple(struct tq *t)
{
	const char *s = "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: localhost:8000\r\n"
			"User-Agent: test\r\n\r\n";
	struct serve_req r;

	if (!TQ_INT(t, parse(s, &r), SERVE_REQ_OK))
		return;
	TQ_MEM(t, r.method, r.method_len, "GET", 3);
	TQ_MEM(t, r.target, r.target_len, "/flags/cn/cn.gif", 16);
	TQ_INT(t, r.minor, 1);
	TQ_INT(t, r.keep_alive, 1);
	TQ_INT(t, r.content_length, 0);
	TQ_INT(t, r.head_len, strlen(s));
}

static void test_keep_alive_rules(struct tq *t)
{
	struct serve_req r;

	TQ_INT(t, parse("GET / HTTP/1.0\r\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, r.minor, 0);
	TQ_INT(t, r.keep_alive, 0);
	TQ_INT(t, parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, r.keep_alive, 1);
	TQ_INT(t, parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, r.keep_alive, 0);
	TQ_INT(t, parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: te, CLOSE \r\n\r\n", &r),
	       SERVE_REQ_OK);
	TQ_INT(t, r.keep_alive, 0);
	TQ_INT(t, parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n"
			"Connection: close\r\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, r.keep_alive, 0);
	TQ_INT(t, parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", &r),
	       SERVE_REQ_OK);
	TQ_INT(t, r.keep_alive, 1);
	/* a later 1.x minor is served as 1.1 */
	TQ_INT(t, parse("GET / HTTP/1.7\r\nHost: a\r\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, r.minor, 1);
}

static void test_line_endings(struct tq *t)
{
	struct serve_req r;
	const char *s = "\r\n\nHEAD /x HTTP/1.1\nHost: a\n\n";

	TQ_INT(t, parse(s, &r), SERVE_REQ_OK);
	TQ_INT(t, r.head_len, strlen(s));
	TQ_MEM(t, r.method, r.method_len, "HEAD", 4);
	TQ_INT(t, parse("GET / HTTP/1.1\r\nHost: a\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, parse("\r\n", &r), SERVE_REQ_INCOMPLETE);
	TQ_INT(t, parse("\r", &r), SERVE_REQ_INCOMPLETE);
	TQ_INT(t, parse("", &r), SERVE_REQ_INCOMPLETE);
}

static void test_pipelined(struct tq *t)
{
	const char *s = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c";
	size_t off = 0, len = strlen(s);
	struct serve_req r;

	TQ_INT(t, serve_req_parse((const uint8_t *)s, len, NULL, &r), SERVE_REQ_OK);
	TQ_MEM(t, r.target, r.target_len, "/a", 2);
	off += r.head_len;
	TQ_INT(t, serve_req_parse((const uint8_t *)s + off, len - off, NULL, &r), SERVE_REQ_OK);
	TQ_MEM(t, r.target, r.target_len, "/b", 2);
	off += r.head_len;
	TQ_INT(t, serve_req_parse((const uint8_t *)s + off, len - off, NULL, &r),
	       SERVE_REQ_INCOMPLETE);
}

/* Every proper prefix is incomplete, the whole is OK, with the scan hint
 * carried along and the bytes placed right before a guard page. */
static void test_byte_at_a_time(struct tq *t)
{
	const char *s = "\r\nGET /flags/cn/metadata.json?x=1 HTTP/1.1\r\nHost: h\r\n"
			"Accept: */*\r\nX-Tab:\ta\tb\t\r\nContent-Length: 3\r\n\r\n";
	size_t len = strlen(s), i, scan = 0;
	struct serve_req r;

	for (i = 0; i <= len; i++) {
		uint8_t *g = tq_guard_dup(s, i);
		enum serve_req_status st;

		if (!TQ_TRUE(t, g != NULL))
			return;
		st = serve_req_parse(g, i, &scan, &r);
		if (i < len)
			TQ_INT(t, st, SERVE_REQ_INCOMPLETE);
		else if (TQ_INT(t, st, SERVE_REQ_OK))
			TQ_INT(t, r.content_length, 3);
		tq_guard_free(g, i);
	}
	TQ_INT(t, r.head_len, len);
}

static void test_bad(struct tq *t)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\n\r\n",                            /* no Host */
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",      /* two Hosts */
		"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost : a\r\n\r\n",                /* space before colon */
		"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",      /* obs-fold */
		"GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",              /* bare CR */
		"GET / HTTP/1.1\rHost: a\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",             /* control byte */
		"GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n",
		"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",                /* double space */
		"GET / x HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
		"GET / http/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.x\r\nHost: a\r\n\r\n",
		"GET / HTTP/11\r\nHost: a\r\n\r\n",
		"GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n",
		"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
		" GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: x\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01",                          /* a TLS hello, early */
		"GET /",                                             /* fine so far ... */
	};
	size_t i, n = sizeof bad / sizeof bad[0];
	struct serve_req r;

	for (i = 0; i + 1 < n; i++) {
		if (parse(bad[i], &r) != SERVE_REQ_BAD)
			printf("  accepted: %s\n", bad[i]);
		TQ_INT(t, parse(bad[i], &r), SERVE_REQ_BAD);
	}
	TQ_INT(t, parse(bad[n - 1], &r), SERVE_REQ_INCOMPLETE);
	/* the NUL byte cannot go in a C string literal */
	TQ_INT(t, serve_req_parse((const uint8_t *)"GET / HTTP/1.1\r\nHost: \0\r\n\r\n", 27, NULL,
				  &r), SERVE_REQ_BAD);
}

static void test_other_statuses(struct tq *t)
{
	struct serve_req r;

	TQ_INT(t, parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n", &r), SERVE_REQ_VERSION);
	TQ_INT(t, parse("GET / HTTP/0.9\r\nHost: a\r\n\r\n", &r), SERVE_REQ_VERSION);
	TQ_INT(t, parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", &r),
	       SERVE_REQ_TE);
	TQ_INT(t, parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n"
			"content-length: 7\r\n\r\n", &r), SERVE_REQ_OK);
	TQ_INT(t, r.content_length, 7);
	TQ_INT(t, parse("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n", &r), SERVE_REQ_OK);
}

static void test_limits(struct tq *t)
{
	static char buf[SERVE_REQ_HEAD_MAX + 64];
	struct serve_req r;
	size_t n, i;

	/* exactly SERVE_REQ_FIELDS_MAX fields pass, one more does not */
	n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < SERVE_REQ_FIELDS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "X-%zu: y\r\n", i);
	memcpy(buf + n, "\r\n", 3);
	TQ_INT(t, parse(buf, &r), SERVE_REQ_OK);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "X-last: y\r\n\r\n");
	TQ_INT(t, parse(buf, &r), SERVE_REQ_TOO_BIG);
	/* an endless head */
	n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(buf + n, 'a', sizeof buf - n - 1);
	buf[sizeof buf - 1] = '\0';
	TQ_INT(t, serve_req_parse((const uint8_t *)buf, SERVE_REQ_HEAD_MAX - 1, NULL, &r),
	       SERVE_REQ_INCOMPLETE);
	TQ_INT(t, serve_req_parse((const uint8_t *)buf, SERVE_REQ_HEAD_MAX, NULL, &r),
	       SERVE_REQ_TOO_BIG);
	/* a complete head just over the limit */
	memcpy(buf + SERVE_REQ_HEAD_MAX - 3, "\r\n\r\n", 4);
	TQ_INT(t, serve_req_parse((const uint8_t *)buf, SERVE_REQ_HEAD_MAX + 1, NULL, &r),
	       SERVE_REQ_TOO_BIG);
	memcpy(buf + SERVE_REQ_HEAD_MAX - 4, "\r\n\r\n", 4);
	TQ_INT(t, serve_req_parse((const uint8_t *)buf, SERVE_REQ_HEAD_MAX, NULL, &r),
	       SERVE_REQ_OK);
}

static void check_route(struct tq *t, const char *target, int ok, const char *cc,
			enum serve_kind kind)
{
	char got[2] = {0, 0};
	enum serve_kind k = SERVE_KIND_GIF;
	int r = serve_route(target, strlen(target), got, &k);

	if (r != ok)
		printf("  route %s: %d\n", target, r);
	TQ_INT(t, r, ok);
	if (ok && r) {
		TQ_MEM(t, got, 2, cc, 2);
		TQ_INT(t, k, kind);
	}
}

static void test_route(struct tq *t)
{
	check_route(t, "/flags/cn/cn.gif", 1, "cn", SERVE_KIND_GIF);
	check_route(t, "/cn/cn.gif", 1, "cn", SERVE_KIND_GIF);
	check_route(t, "/flags/br/metadata.json", 1, "br", SERVE_KIND_JSON);
	check_route(t, "/zz/metadata.json", 1, "zz", SERVE_KIND_JSON);
	check_route(t, "/flags/cn/cn.gif?v=1", 1, "cn", SERVE_KIND_GIF);
	check_route(t, "http://localhost:8000/flags/us/us.gif", 1, "us", SERVE_KIND_GIF);
	check_route(t, "https://h/de/metadata.json", 1, "de", SERVE_KIND_JSON);
	check_route(t, "/flags/CN/cn.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/CN.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/us.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/cn.GIF", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/cn.gif/", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/cn.gifx", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/c/c.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cnn/cnn.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/../cn/cn.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/%63n/cn.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/flags/cn/cn.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/cn/Metadata.json", 0, "", SERVE_KIND_GIF);
	check_route(t, "/flags/c1/c1.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "/", 0, "", SERVE_KIND_GIF);
	check_route(t, "*", 0, "", SERVE_KIND_GIF);
	check_route(t, "http://host", 0, "", SERVE_KIND_GIF);
	check_route(t, "ftp://h/cn/cn.gif", 0, "", SERVE_KIND_GIF);
	check_route(t, "", 0, "", SERVE_KIND_GIF);
}

void suite_serve_req(struct tq *t)
{
	tq_run(t, "simple GET", test_simple);
	tq_run(t, "keep-alive by version and Connection", test_keep_alive_rules);
	tq_run(t, "bare LF and leading empty lines", test_line_endings);
	tq_run(t, "pipelined heads", test_pipelined);
	tq_run(t, "byte at a time, at a guard page", test_byte_at_a_time);
	tq_run(t, "malformed heads are 400", test_bad);
	tq_run(t, "505 and 501 cases", test_other_statuses);
	tq_run(t, "head size and field count limits", test_limits);
	tq_run(t, "routes", test_route);
}
