/* test_req.c - the request writer: golden requests byte for byte, -H
 * replacement and removal, and refusal of header injection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "http/url.h"
#include "tq.h"
#include "version.h"

#define UA_LINE "User-Agent: quiver/" QV_VERSION "\r\n"

struct req_case {
	struct url url;
	struct url_origin origin;
	struct http_req req;
	char out[1024];
	size_t len;
	struct qv_error err;
};

/* A keep-alive GET of url_text with no extras. */
static struct req_case *req_new(struct tq *t, const char *url_text)
{
	struct req_case *c = calloc(1, sizeof *c);

	if (c == NULL) {
		TQ_TRUE(t, c != NULL);
		return NULL;
	}
	if (!TQ_INT(t, url_parse(&c->url, url_text, strlen(url_text), NULL), QV_OK)) {
		free(c);
		return NULL;
	}
	c->req.method = "GET";
	url_origin_of(&c->url, &c->origin);
	c->req.origin = &c->origin;
	c->req.target = c->url.target;
	c->req.keep_alive = true;
	return c;
}

static void expect_req(struct tq *t, struct req_case *c, const char *want)
{
	enum qv_err rc = http_req_write(&c->req, c->out, sizeof c->out, &c->len, &c->err);

	if (!TQ_INT(t, rc, QV_OK)) {
		printf("  error: %s\n", c->err.msg);
		return;
	}
	TQ_STR(t, c->out, want);
	TQ_INT(t, c->len, strlen(want));
}

static void expect_usage(struct tq *t, struct req_case *c, const char *msg)
{
	enum qv_err rc = http_req_write(&c->req, c->out, sizeof c->out, &c->len, &c->err);

	TQ_INT(t, rc, QV_E_USAGE);
	TQ_INT(t, c->len, 0);
	TQ_STR(t, c->err.msg, msg);
}

static void t_default_get(struct tq *t)
{
	struct req_case *c = req_new(t, "http://Example.COM/a/b?c=d#frag");

	if (c == NULL)
		return;
	expect_req(t, c,
		   "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\n" UA_LINE "Accept: */*\r\n\r\n");
	free(c);
}

static void t_close_and_range(struct tq *t)
{
	struct req_case *c = req_new(t, "https://example.com:8443/flags/br/br.gif");

	if (c == NULL)
		return;
	c->req.keep_alive = false;
	c->req.has_range = true;
	c->req.range_from = 18446744073709551615u;
	expect_req(t, c,
		   "GET /flags/br/br.gif HTTP/1.1\r\nHost: example.com:8443\r\n" UA_LINE
		   "Accept: */*\r\nConnection: close\r\nRange: bytes=18446744073709551615-\r\n\r\n");
	c->req.range_from = 0;
	c->req.method = "HEAD";
	expect_req(t, c,
		   "HEAD /flags/br/br.gif HTTP/1.1\r\nHost: example.com:8443\r\n" UA_LINE
		   "Accept: */*\r\nConnection: close\r\nRange: bytes=0-\r\n\r\n");
	free(c);
}

static void t_post_body(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/form");

	if (c == NULL)
		return;
	c->req.method = "POST";
	c->req.has_body = true;
	c->req.body_len = 7;
	c->req.content_type = "application/x-www-form-urlencoded";
	expect_req(t, c,
		   "POST /form HTTP/1.1\r\nHost: h\r\n" UA_LINE
		   "Accept: */*\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		   "Content-Length: 7\r\n\r\n");
	/* an -H Content-Type replaces the default in its place, once */
	c->req.extra[0] = "content-type: text/plain";
	c->req.extra[1] = "X-A: 1";
	c->req.extra_count = 2;
	expect_req(t, c,
		   "POST /form HTTP/1.1\r\nHost: h\r\n" UA_LINE
		   "Accept: */*\r\ncontent-type: text/plain\r\nContent-Length: 7\r\nX-A: 1\r\n\r\n");
	/* without a body it is an ordinary extra line, and no length is sent */
	c->req.method = "GET";
	c->req.has_body = false;
	expect_req(t, c,
		   "GET /form HTTP/1.1\r\nHost: h\r\n" UA_LINE
		   "Accept: */*\r\ncontent-type: text/plain\r\nX-A: 1\r\n\r\n");
	c->req.extra[1] = "Content-Length: 3";
	expect_usage(t, c, "invalid header \"Content-Length: 3\": this header cannot be set");
	free(c);
}

static void t_host_forms(struct tq *t)
{
	struct req_case *c = req_new(t, "http://[::1]:8080/");

	if (c == NULL)
		return;
	expect_req(t, c, "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n" UA_LINE "Accept: */*\r\n\r\n");
	free(c);
	c = req_new(t, "https://127.0.0.1:443");
	if (c == NULL)
		return;
	expect_req(t, c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" UA_LINE "Accept: */*\r\n\r\n");
	free(c);
}

static void t_user_agent(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/");

	if (c == NULL)
		return;
	c->req.user_agent = "Mozilla/5.0 (X11)";
	expect_req(t, c,
		   "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: Mozilla/5.0 (X11)\r\nAccept: */*\r\n\r\n");
	c->req.user_agent = "";
	expect_req(t, c, "GET / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
	c->req.user_agent = "x\r\nEvil: 1";
	expect_usage(t, c, "invalid user agent: control character");
	free(c);
}

static void t_extra_headers(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/p");

	if (c == NULL)
		return;
	c->req.extra[0] = "X-Token:   abc def \t";
	c->req.extra[1] = "user-agent: custom/1";
	c->req.extra[2] = "Accept:";
	c->req.extra[3] = "Cookie: a=1; b=2";
	c->req.extra[4] = "X-Empty:";
	c->req.extra_count = 5;
	c->req.keep_alive = false;
	expect_req(t, c,
		   "GET /p HTTP/1.1\r\nHost: h\r\nuser-agent: custom/1\r\nConnection: close\r\n"
		   "X-Token: abc def\r\nCookie: a=1; b=2\r\n\r\n");
	free(c);
}

static void t_host_override(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/");

	if (c == NULL)
		return;
	c->req.extra[0] = "X-A: 1";
	c->req.extra[1] = "HOST: other.example";
	c->req.extra[2] = "Accept: image/gif";
	c->req.extra[3] = "Accept: image/png";
	c->req.extra_count = 4;
	expect_req(t, c,
		   "GET / HTTP/1.1\r\nHOST: other.example\r\n" UA_LINE
		   "Accept: image/gif\r\nAccept: image/png\r\nX-A: 1\r\n\r\n");
	c->req.extra[0] = "Host:";
	c->req.extra_count = 1;
	expect_req(t, c, "GET / HTTP/1.1\r\n" UA_LINE "Accept: */*\r\n\r\n");
	free(c);
}

static void t_bad_extras(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/");

	if (c == NULL)
		return;
	c->req.extra_count = 1;
	c->req.extra[0] = "NoColon";
	expect_usage(t, c, "invalid header \"NoColon\": no colon");
	c->req.extra[0] = ": v";
	expect_usage(t, c, "invalid header \": v\": empty name");
	c->req.extra[0] = "X Y: v";
	expect_usage(t, c, "invalid header \"X Y: v\": invalid character in name");
	c->req.extra[0] = "X-A : v";
	expect_usage(t, c, "invalid header \"X-A : v\": invalid character in name");
	c->req.extra[0] = "X: a\r\nHost: evil";
	expect_usage(t, c, "invalid header \"X: a\r\nHost: evil\": control character (CR, LF) in value");
	c->req.extra[0] = "X: a\nb";
	expect_usage(t, c, "invalid header \"X: a\nb\": control character (CR, LF) in value");
	c->req.extra[0] = "X: a\x7f";
	expect_usage(t, c, "invalid header \"X: a\x7f\": control character (CR, LF) in value");
	c->req.extra[0] = "X\r: a";
	expect_usage(t, c, "invalid header \"X\r: a\": invalid character in name");
	c->req.extra[0] = "Content-Length: 0";
	expect_usage(t, c, "invalid header \"Content-Length: 0\": this header cannot be set");
	c->req.extra[0] = "transfer-encoding: chunked";
	expect_usage(t, c,
		     "invalid header \"transfer-encoding: chunked\": this header cannot be set");
	c->req.extra[0] = "X-Tab: a\tb";
	expect_req(t, c, "GET / HTTP/1.1\r\nHost: h\r\n" UA_LINE "Accept: */*\r\nX-Tab: a\tb\r\n\r\n");
	c->req.extra_count = HTTP_REQ_EXTRA_MAX + 1;
	expect_usage(t, c, "too many -H headers (at most 32)");
	free(c);
}

static void t_too_small(struct tq *t)
{
	static const char want[] = "GET / HTTP/1.1\r\nHost: h\r\n" UA_LINE "Accept: */*\r\n\r\n";
	struct req_case *c = req_new(t, "http://h/");
	char small[sizeof want];
	size_t len = 7;

	if (c == NULL)
		return;
	TQ_INT(t, http_req_write(&c->req, small, sizeof small, &len, NULL), QV_OK);
	TQ_STR(t, small, want);
	TQ_INT(t, len, sizeof want - 1);
	TQ_INT(t, http_req_write(&c->req, small, sizeof small - 1, &len, &c->err),
	       QV_E_URL_TOO_LONG);
	TQ_INT(t, len, 0);
	TQ_INT(t, http_req_write(&c->req, small, 0, &len, NULL), QV_E_URL_TOO_LONG);
	free(c);
}

static void t_long_target(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/");
	char *url = malloc(URL_MAX);
	char *out = malloc(URL_MAX + 200);
	size_t len;

	if (c == NULL || url == NULL || out == NULL) {
		TQ_TRUE(t, c != NULL && url != NULL && out != NULL);
		goto out;
	}
	memcpy(url, "http://h/", 9);
	memset(url + 9, 'a', 5000);
	if (!TQ_INT(t, url_parse(&c->url, url, 5009, NULL), QV_OK))
		goto out;
	TQ_INT(t, http_req_write(&c->req, out, URL_MAX + 200, &len, NULL), QV_OK);
	TQ_TRUE(t, len > 5000 && strncmp(out + 5000, "aaaaa HTTP/1.1\r\n", 16) == 0);
	TQ_INT(t, http_req_write(&c->req, out, 4000, &len, &c->err), QV_E_URL_TOO_LONG);
out:
	free(url);
	free(out);
	free(c);
}

static void t_proxy_forms(struct tq *t)
{
	struct req_case *c = req_new(t, "http://a.example:8080/p?q");

	if (c == NULL)
		return;
	/* absolute-form through a proxy, credentials for each hop */
	c->req.target = "http://a.example:8080/p?q";
	c->req.authorization = "Basic dTpw";
	c->req.proxy_authorization = "Basic cDpx";
	expect_req(t, c, "GET http://a.example:8080/p?q HTTP/1.1\r\nHost: a.example:8080\r\n" UA_LINE
			 "Accept: */*\r\nAuthorization: Basic dTpw\r\n"
			 "Proxy-Authorization: Basic cDpx\r\n\r\n");
	/* -H replaces or removes them like any default */
	c->req.extra[0] = "authorization: Bearer t";
	c->req.extra[1] = "Proxy-Authorization:";
	c->req.extra_count = 2;
	expect_req(t, c, "GET http://a.example:8080/p?q HTTP/1.1\r\nHost: a.example:8080\r\n" UA_LINE
			 "Accept: */*\r\nauthorization: Bearer t\r\n\r\n");
	free(c);
}

static void t_connect(struct tq *t)
{
	struct req_case *c = req_new(t, "https://Secure.example/x");

	if (c == NULL)
		return;
	c->req.method = "CONNECT";
	c->req.extra[0] = "X-Origin-Only: 1"; /* for the origin, never the proxy */
	c->req.extra_count = 1;
	c->req.authorization = "Basic dTpw";
	c->req.has_range = true;
	c->req.range_from = 5;
	expect_req(t, c, "CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n" UA_LINE
			 "\r\n");
	c->req.proxy_authorization = "Basic cDpx";
	c->req.user_agent = "";
	expect_req(t, c, "CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n"
			 "Proxy-Authorization: Basic cDpx\r\n\r\n");
	free(c);
	c = req_new(t, "https://[2001:db8::1]:8443/");
	if (c == NULL)
		return;
	c->req.method = "CONNECT";
	expect_req(t, c, "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n" UA_LINE
			 "\r\n");
	free(c);
}

/* If-Range goes only with a Range; If-Modified-Since on its own; -H lines
 * of those names replace them; a validator cannot split the request. */
static void t_validators(struct tq *t)
{
	struct req_case *c = req_new(t, "http://h/f");

	if (c == NULL)
		return;
	c->req.user_agent = "";
	c->req.if_range = "\"abc\"";
	expect_req(t, c, "GET /f HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
	c->req.has_range = true;
	c->req.range_from = 7;
	expect_req(t, c, "GET /f HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nRange: bytes=7-\r\n"
			 "If-Range: \"abc\"\r\n\r\n");
	c->req.has_range = false;
	c->req.if_modified_since = "Sun, 06 Nov 1994 08:49:37 GMT";
	expect_req(t, c, "GET /f HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n"
			 "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
	c->req.extra[0] = "if-modified-since: Mon, 07 Nov 1994 08:49:37 GMT";
	c->req.extra[1] = "If-Range: \"mine\"";
	c->req.extra_count = 2;
	expect_req(t, c, "GET /f HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nIf-Range: \"mine\"\r\n"
			 "if-modified-since: Mon, 07 Nov 1994 08:49:37 GMT\r\n\r\n");
	c->req.extra_count = 0;
	c->req.has_range = true;
	c->req.if_range = "\"a\"\r\nX-Evil: 1";
	TQ_INT(t, http_req_write(&c->req, c->out, sizeof c->out, &c->len, &c->err), QV_E_INTERNAL);
	free(c);
}

void suite_req(struct tq *t);
void suite_req(struct tq *t)
{
	tq_run(t, "If-Range and If-Modified-Since", t_validators);
	tq_run(t, "default GET", t_default_get);
	tq_run(t, "Connection: close and Range", t_close_and_range);
	tq_run(t, "Host with port and IP literals", t_host_forms);
	tq_run(t, "user agent set, removed, refused", t_user_agent);
	tq_run(t, "extra headers replace and remove defaults", t_extra_headers);
	tq_run(t, "Host override", t_host_override);
	tq_run(t, "malformed extra headers refused", t_bad_extras);
	tq_run(t, "buffer too small", t_too_small);
	tq_run(t, "long request target", t_long_target);
	tq_run(t, "absolute-form and credentials", t_proxy_forms);
	tq_run(t, "CONNECT", t_connect);
	tq_run(t, "POST body framing", t_post_body);
}
