/* test_proxy.c - proxy selection (curl's environment precedence, httpoxy,
 * -x and --noproxy), no_proxy matching (names, dots, ports, IPv4/IPv6 CIDR)
 * and Basic credentials, table-driven. */
#include <stdio.h>
#include <string.h>

#include "http/auth.h"
#include "http/url.h"
#include "transfer/noproxy.h"
#include "transfer/proxy.h"
#include "util/base64.h"
#include "tq.h"

void suite_proxy(struct tq *t);

static void t_base64(struct tq *t)
{
	/* RFC 4648 §10 */
	static const char *const vec[][2] = {
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
	};
	char out[16];
	size_t i;

	for (i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		TQ_INT(t, base64_encode(vec[i][0], strlen(vec[i][0]), out, sizeof out),
		       strlen(vec[i][1]));
		TQ_STR(t, out, vec[i][1]);
	}
	TQ_INT(t, base64_encode("foobar", 6, out, 9), 8);  /* exactly enough */
	TQ_INT(t, base64_encode("foobar", 6, out, 8), 0);  /* one short */
	TQ_STR(t, out, "");
	TQ_INT(t, base64_encode("\xff\xfe", 2, out, sizeof out), 4);
	TQ_STR(t, out, "//4=");
}

static void t_basic(struct tq *t)
{
	char out[HTTP_AUTH_MAX];
	struct qv_error e;

	/* RFC 7617 §2 */
	TQ_INT(t, http_basic_auth("Aladdin", 7, "open sesame", 11, "-u", out, &e), QV_OK);
	TQ_STR(t, out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	TQ_INT(t, http_basic_auth("a:b", 3, "c", 1, "-u", out, &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "-u") != NULL);
	TQ_INT(t, http_basic_auth("a", 1, "se\r\ncret", 8, "-u", out, &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "se") == NULL || strstr(e.msg, "secret") == NULL);
	TQ_TRUE(t, strstr(e.msg, "cret") == NULL);
}

struct np_case {
	const char *list, *host;
	bool match;
};

static void t_noproxy(struct tq *t)
{
	static const struct np_case c[] = {
		{NULL, "example.com", false},
		{"", "example.com", false},
		{"*", "example.com", true},
		{"*", "10.0.0.1", true},
		{"example.com", "example.com", true},
		{"example.com", "EXAMPLE.com", true},
		{"Example.COM", "www.example.com", true},
		{"example.com", "notexample.com", false},
		{"example.com", "example.com.evil", false},
		{".example.com", "example.com", true},
		{".example.com", "a.b.example.com", true},
		{"example.com.", "www.example.com", true},
		{"example.com", "www.example.com.", true},
		{"example.com:8080", "example.com", true},
		{"a.com,b.com", "b.com", true},
		{"a.com b.com", "b.com", true},
		{"a.com,, \t b.com", "x.b.com", true},
		{" ,a.com, ", "c.com", false},
		{"com", "example.com", true},
		{"localhost", "127.0.0.1", false},        /* never resolved */
		{"127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "127.0.0.2", false},
		{"127.0.0.0/8", "127.200.1.1", true},
		{"127.0.0.0/8", "128.0.0.1", false},
		{"10.0.0.0/33", "10.0.0.1", false},
		{"10.0.0.0/", "10.0.0.1", false},
		{"10.0.0.0/x", "10.0.0.1", false},
		{"0.0.0.0/0", "203.0.113.9", true},
		{"192.168.1.1/31", "192.168.1.0", true},
		{"192.168.1.1/32", "192.168.1.0", false},
		{"::1", "::1", true},
		{"[::1]", "::1", true},
		{"[::1]:443", "::1", true},
		{"::1", "::2", false},
		{"fd00::/8", "fd12:3456::1", true},
		{"fd00::/8", "fe80::1", false},
		{"2001:db8::/33", "2001:db8:7fff::1", true},
		{"2001:db8::/33", "2001:db8:8000::1", false},
		{"::/0", "2001:db8::1", true},
		{"::/129", "::1", false},
		{"127.0.0.1", "::ffff:127.0.0.1", false}, /* families differ */
		{"::1", "127.0.0.1", false},
		{"10.0.0.0/8", "10.example.com", false},  /* an IP entry is no name */
		{"example.com", "10.0.0.1", false},
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		char got[600], want[600];

		/* the case in the failure message: "list | host -> match" */
		(void)snprintf(got, sizeof got, "%s | %s -> %s", c[i].list ? c[i].list : "(null)",
			       c[i].host, noproxy_match(c[i].list, c[i].host) ? "match" : "no match");
		(void)snprintf(want, sizeof want, "%s | %s -> %s", c[i].list ? c[i].list : "(null)",
			       c[i].host, c[i].match ? "match" : "no match");
		TQ_STR(t, got, want);
	}
}

static void env_clear(struct proxy_settings *s)
{
	memset(s, 0, sizeof *s);
}

static const char *route_peer(const struct proxy_conf *c, const char *host, enum url_scheme sch,
			      enum route_via *via)
{
	static char out[URL_HOST_MAX + 8];
	struct url_origin o;
	struct route r;

	memset(&o, 0, sizeof o);
	o.scheme = sch;
	o.port = sch == URL_HTTPS ? 443 : 80;
	strcpy(o.host, host);
	proxy_route(c, &o, &r);
	*via = r.via;
	(void)url_origin_host_header(&r.peer, out, sizeof out);
	return out;
}

static void t_env_precedence(struct tq *t)
{
	struct proxy_settings s;
	struct proxy_conf c;
	struct qv_error e;
	enum route_via via;

	env_clear(&s);
	s.env.http_proxy = "http://hp:1";
	s.env.https_proxy = "hs:2";
	s.env.HTTPS_PROXY = "HS:3";
	s.env.all_proxy = "all:4";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTP, &via), "hp:1");
		TQ_INT(t, via, ROUTE_PROXY);
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTPS, &via), "hs:2");
		TQ_INT(t, via, ROUTE_TUNNEL);
	}
	/* httpoxy: upper-case HTTP_PROXY does not exist for http targets */
	env_clear(&s);
	s.env.HTTPS_PROXY = "HS:3";
	s.env.ALL_PROXY = "ALL:5";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTP, &via), "all:5");
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTPS, &via), "hs:3");
	}
	env_clear(&s);
	s.env.all_proxy = "";
	s.env.ALL_PROXY = "ALL";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTP, &via), "all:1080"); /* curl's default */
		TQ_INT(t, c.http.origin.port, 1080);
	}
	/* -x beats every variable */
	env_clear(&s);
	s.proxy = "http://X:9";
	s.env.http_proxy = "hp:1";
	s.env.https_proxy = "hs:2";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTP, &via), "x:9");
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTPS, &via), "x:9");
	}
	/* nothing set: direct */
	env_clear(&s);
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		TQ_STR(t, route_peer(&c, "a.com", URL_HTTPS, &via), "a.com");
		TQ_INT(t, via, ROUTE_DIRECT);
	}
	TQ_STR(t, route_peer(NULL, "a.com", URL_HTTP, &via), "a.com");
}

static void t_noproxy_sources(struct tq *t)
{
	struct proxy_settings s;
	struct proxy_conf c;
	struct qv_error e;
	enum route_via via;

	env_clear(&s);
	s.env.http_proxy = "p:1";
	s.env.no_proxy = "a.com";
	s.env.NO_PROXY = "b.com";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		(void)route_peer(&c, "x.a.com", URL_HTTP, &via);
		TQ_INT(t, via, ROUTE_DIRECT);
		(void)route_peer(&c, "b.com", URL_HTTP, &via);
		TQ_INT(t, via, ROUTE_PROXY); /* lower case wins when both are set */
	}
	s.noproxy = ""; /* --noproxy "": proxy everything */
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		(void)route_peer(&c, "a.com", URL_HTTP, &via);
		TQ_INT(t, via, ROUTE_PROXY);
	}
	s.noproxy = "*";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		(void)route_peer(&c, "c.com", URL_HTTP, &via);
		TQ_INT(t, via, ROUTE_DIRECT);
	}
	env_clear(&s);
	s.env.https_proxy = "p:1";
	s.env.NO_PROXY = "127.0.0.0/8, ::1";
	if (TQ_INT(t, proxy_conf_init(&c, &s, &e), QV_OK)) {
		(void)route_peer(&c, "127.0.0.1", URL_HTTPS, &via);
		TQ_INT(t, via, ROUTE_DIRECT);
		(void)route_peer(&c, "::1", URL_HTTPS, &via);
		TQ_INT(t, via, ROUTE_DIRECT);
		(void)route_peer(&c, "10.1.1.1", URL_HTTPS, &via);
		TQ_INT(t, via, ROUTE_TUNNEL);
	}
}

static void t_proxy_urls(struct tq *t)
{
	struct proxy p;
	struct qv_error e;

	if (TQ_INT(t, proxy_parse(&p, "http://u%40x:p%3Aw@[::1]:3128/", NULL, "-x", &e), QV_OK)) {
		TQ_STR(t, p.origin.host, "::1");
		TQ_INT(t, p.origin.port, 3128);
		TQ_TRUE(t, p.origin.host_is_ipv6);
		/* base64("u@x:p:w") */
		TQ_STR(t, p.auth, "Basic dUB4OnA6dw==");
	}
	if (TQ_INT(t, proxy_parse(&p, "HTTP://Proxy.Example", NULL, "-x", &e), QV_OK)) {
		TQ_STR(t, p.origin.host, "proxy.example");
		TQ_INT(t, p.origin.port, 1080);
		TQ_STR(t, p.auth, "");
	}
	if (TQ_INT(t, proxy_parse(&p, "u:secret@h:1", "alice:pw", "-x", &e), QV_OK))
		TQ_STR(t, p.auth, "Basic YWxpY2U6cHc="); /* --proxy-user wins */
	TQ_INT(t, proxy_parse(&p, "socks5://h:1080", NULL, "all_proxy", &e), QV_E_USAGE);
	TQ_STR(t, e.msg, "all_proxy: SOCKS proxies are not supported");
	TQ_INT(t, proxy_parse(&p, "socks5h://u:secret@h", NULL, "-x", &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "secret") == NULL);
	TQ_INT(t, proxy_parse(&p, "https://h:443", NULL, "https_proxy", &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "https:// proxies are not supported") != NULL);
	TQ_INT(t, proxy_parse(&p, "ftp://h", NULL, "-x", &e), QV_E_USAGE);
	TQ_INT(t, proxy_parse(&p, "http://h:99999", NULL, "-x", &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "-x: bad proxy URL") != NULL);
	TQ_INT(t, proxy_parse(&p, "http://u:sec ret@h", NULL, "-x", &e), QV_E_USAGE);
	TQ_TRUE(t, strstr(e.msg, "sec") == NULL);
	TQ_INT(t, proxy_parse(&p, "", NULL, "-x", &e), QV_E_USAGE);
}

void suite_proxy(struct tq *t)
{
	tq_run(t, "base64 vectors", t_base64);
	tq_run(t, "basic credentials", t_basic);
	tq_run(t, "no_proxy matching", t_noproxy);
	tq_run(t, "environment precedence and httpoxy", t_env_precedence);
	tq_run(t, "no_proxy sources", t_noproxy_sources);
	tq_run(t, "proxy URLs", t_proxy_urls);
}
