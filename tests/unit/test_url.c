/* test_url.c - url.c: RFC 3986 §5.4 resolution examples, redirect-style
 * references, http/https parsing rules, formatting and percent-decoding.
 * Inputs are copied to the end of a guard page (tq_guard_dup) so that any
 * read past len faults. */
#include "tq.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http/uri.h"
#include "http/url.h"

void suite_url(struct tq *t);

/* Large enough for every resolved URL these tests build. */
#define RES_MAX 512

static enum qv_err parse_n(struct url *u, const char *s, size_t n, struct qv_error *e)
{
	uint8_t *g = tq_guard_dup(s, n);
	enum qv_err rc;

	if (g == NULL)
		return QV_E_NOMEM;
	qv_error_clear(e);
	rc = url_parse(u, (const char *)g, n, e);
	tq_guard_free(g, n);
	return rc;
}

static enum qv_err parse(struct url *u, const char *s, struct qv_error *e)
{
	return parse_n(u, s, strlen(s), e);
}

static enum qv_err resolve_n(const char *base, const char *ref, size_t n, bool drop, char *out,
			     size_t cap, struct qv_error *e)
{
	uint8_t *g = tq_guard_dup(ref, n);
	enum qv_err rc;

	if (g == NULL)
		return QV_E_NOMEM;
	qv_error_clear(e);
	rc = uri_resolve_ref(base, (const char *)g, n, drop, out, cap, e);
	tq_guard_free(g, n);
	return rc;
}

/* Resolve ref against base and compare; prints the ref on failure. */
static void check_resolve(struct tq *t, const char *base, const char *ref, bool drop,
			  const char *want)
{
	char out[RES_MAX];
	struct qv_error e;
	enum qv_err rc = resolve_n(base, ref, strlen(ref), drop, out, sizeof out, &e);

	if (!TQ_INT(t, rc, QV_OK) || !TQ_STR(t, out, want))
		printf("    (ref \"%s\" against \"%s\")\n", ref, base);
}

/* Expect url_parse to fail with code; returns the message for more checks. */
static void check_reject(struct tq *t, const char *s, enum qv_err code, struct qv_error *e)
{
	struct url u;

	if (!TQ_INT(t, parse(&u, s, e), code))
		printf("    (url \"%s\", message \"%s\")\n", s, e->msg);
}

struct ref_case {
	const char *ref;
	const char *want;
};

static const char RFC_BASE[] = "http://a/b/c/d;p?q";

/* RFC 3986 §5.4.1 Normal Examples. */
static const struct ref_case rfc_normal[] = {
	{"g:h", "g:h"},
	{"g", "http://a/b/c/g"},
	{"./g", "http://a/b/c/g"},
	{"g/", "http://a/b/c/g/"},
	{"/g", "http://a/g"},
	{"//g", "http://g"},
	{"?y", "http://a/b/c/d;p?y"},
	{"g?y", "http://a/b/c/g?y"},
	{"#s", "http://a/b/c/d;p?q#s"},
	{"g#s", "http://a/b/c/g#s"},
	{"g?y#s", "http://a/b/c/g?y#s"},
	{";x", "http://a/b/c/;x"},
	{"g;x", "http://a/b/c/g;x"},
	{"g;x?y#s", "http://a/b/c/g;x?y#s"},
	{"", "http://a/b/c/d;p?q"},
	{".", "http://a/b/c/"},
	{"./", "http://a/b/c/"},
	{"..", "http://a/b/"},
	{"../", "http://a/b/"},
	{"../g", "http://a/b/g"},
	{"../..", "http://a/"},
	{"../../", "http://a/"},
	{"../../g", "http://a/g"},
};

/* RFC 3986 §5.4.2 Abnormal Examples (strict parser for "http:g"). */
static const struct ref_case rfc_abnormal[] = {
	{"../../../g", "http://a/g"},
	{"../../../../g", "http://a/g"},
	{"/./g", "http://a/g"},
	{"/../g", "http://a/g"},
	{"g.", "http://a/b/c/g."},
	{".g", "http://a/b/c/.g"},
	{"g..", "http://a/b/c/g.."},
	{"..g", "http://a/b/c/..g"},
	{"./../g", "http://a/b/g"},
	{"./g/.", "http://a/b/c/g/"},
	{"g/./h", "http://a/b/c/g/h"},
	{"g/../h", "http://a/b/c/h"},
	{"g;x=1/./y", "http://a/b/c/g;x=1/y"},
	{"g;x=1/../y", "http://a/b/c/y"},
	{"g?y/./x", "http://a/b/c/g?y/./x"},
	{"g?y/../x", "http://a/b/c/g?y/../x"},
	{"g#s/./x", "http://a/b/c/g#s/./x"},
	{"g#s/../x", "http://a/b/c/g#s/../x"},
	{"http:g", "http:g"},
};

static void t_rfc_normal(struct tq *t)
{
	size_t i;

	for (i = 0; i < sizeof rfc_normal / sizeof rfc_normal[0]; i++)
		check_resolve(t, RFC_BASE, rfc_normal[i].ref, false, rfc_normal[i].want);
}

static void t_rfc_abnormal(struct tq *t)
{
	size_t i;

	for (i = 0; i < sizeof rfc_abnormal / sizeof rfc_abnormal[0]; i++)
		check_resolve(t, RFC_BASE, rfc_abnormal[i].ref, false, rfc_abnormal[i].want);
}

static void t_resolve_absolute(struct tq *t)
{
	check_resolve(t, "http://a/b", "https://other.example/x/../y?q#f", true,
		      "https://other.example/y?q");
	/* Strict: a ref with the base's own scheme is still absolute. */
	check_resolve(t, "http://a/b/c", "http://b/./d", false, "http://b/d");
	check_resolve(t, "https://a/b", "HTTP://A/", false, "HTTP://A/");
}

static void t_resolve_network_path(struct tq *t)
{
	check_resolve(t, "https://a/b/c?q", "//cdn.example/img/x.gif", false,
		      "https://cdn.example/img/x.gif");
	check_resolve(t, "https://a/b", "//h:8443", false, "https://h:8443");
	check_resolve(t, "http://a/b", "//h/a/../b?x#y", true, "http://h/b?x");
}

static void t_resolve_query_fragment(struct tq *t)
{
	check_resolve(t, "http://a/b/c?old", "?x", false, "http://a/b/c?x");
	check_resolve(t, "http://a/b/c?old", "?", false, "http://a/b/c?");
	check_resolve(t, "http://a/b/c?q", "#f", true, "http://a/b/c?q");
	check_resolve(t, "http://a/b/c?q", "#f", false, "http://a/b/c?q#f");
	/* A base fragment is never inherited. */
	check_resolve(t, "http://a/b/c?q#old", "", false, "http://a/b/c?q");
	check_resolve(t, "http://a/b/c#old", "#", false, "http://a/b/c#");
}

static void t_resolve_ipv6_base(struct tq *t)
{
	check_resolve(t, "http://[::1]:8080/a/b", "../c", false, "http://[::1]:8080/c");
	check_resolve(t, "http://[2001:db8::1]/a/b", "/x?y", false, "http://[2001:db8::1]/x?y");
	check_resolve(t, "http://[::1]/a", "//[fe80::2]:81/z", false, "http://[fe80::2]:81/z");
}

static void t_resolve_spaces(struct tq *t)
{
	check_resolve(t, "http://a/b/c", "  /new/place  ", false, "http://a/new/place");
	check_resolve(t, "http://a/b/c", "\t https://b/ \r\n", false, "https://b/");
	check_resolve(t, "http://a/b/c", "   ", false, "http://a/b/c");
	/* Inner spaces are kept; url_parse encodes them. */
	check_resolve(t, "http://a/b/c", " x y ", false, "http://a/b/x y");
}

static void t_resolve_non_ascii(struct tq *t)
{
	char out[RES_MAX];
	struct qv_error e;
	struct url u;
	const char ref[] = "/caf\xc3\xa9 d\xe9j\xe0?q=\xff";

	if (!TQ_INT(t, resolve_n("https://a/x", ref, strlen(ref), true, out, sizeof out, &e), QV_OK))
		return;
	TQ_STR(t, out, "https://a/caf\xc3\xa9 d\xe9j\xe0?q=\xff");
	if (!TQ_INT(t, parse(&u, out, &e), QV_OK))
		return;
	TQ_STR(t, u.target, "/caf%C3%A9%20d%E9j%E0?q=%FF");
}

static void t_resolve_other_schemes(struct tq *t)
{
	check_resolve(t, "mailto:someone@example", "other@example", false, "mailto:other@example");
	check_resolve(t, "urn:a:b", "c", false, "urn:c");
	check_resolve(t, "file:///etc/hosts", "passwd", false, "file:///etc/passwd");
	/* Base with authority and empty path: merge inserts the "/". */
	check_resolve(t, "http://a", "g", false, "http://a/g");
	check_resolve(t, "http://a", "", false, "http://a");
	/* A failed scheme grammar makes a relative path, not an error. */
	check_resolve(t, "http://a/b/", "1x:y", false, "http://a/b/1x:y");
}

static void t_resolve_errors(struct tq *t)
{
	char out[RES_MAX], small[16];
	struct qv_error e;

	TQ_INT(t, resolve_n("/relative/base", "g", 1, false, out, sizeof out, &e), QV_E_URL_SYNTAX);
	TQ_INT(t, resolve_n("", "g", 1, false, out, sizeof out, &e), QV_E_URL_SYNTAX);
	TQ_INT(t, resolve_n("http://a/", "x\0y", 3, false, out, sizeof out, &e), QV_E_URL_SYNTAX);
	TQ_INT(t, resolve_n("http://a/", "/0123456789", 11, false, small, sizeof small, &e),
	       QV_E_URL_TOO_LONG);
	TQ_STR(t, small, "");
	/* Exactly fitting: 15 bytes + NUL. */
	TQ_INT(t, resolve_n("http://a/", "/012345", 7, false, small, sizeof small, &e), QV_OK);
	TQ_STR(t, small, "http://a/012345");
	TQ_INT(t, resolve_n("http://a/", "/0123456", 8, false, small, sizeof small, &e),
	       QV_E_URL_TOO_LONG);
	TQ_INT(t, resolve_n("http://a/", "/", 1, false, small, 0, &e), QV_E_URL_TOO_LONG);
}

static void t_parse_basic(struct tq *t)
{
	struct url u;
	struct qv_error e;

	if (!TQ_INT(t, parse(&u, "http://example.com/a/b.gif", &e), QV_OK))
		return;
	TQ_INT(t, u.scheme, URL_HTTP);
	TQ_STR(t, u.host, "example.com");
	TQ_INT(t, u.port, 80);
	TQ_TRUE(t, !u.port_explicit);
	TQ_TRUE(t, !u.host_is_ip);
	TQ_STR(t, u.target, "/a/b.gif");
	if (!TQ_INT(t, parse(&u, "https://www.fluentpython.com", &e), QV_OK))
		return;
	TQ_INT(t, u.scheme, URL_HTTPS);
	TQ_INT(t, u.port, 443);
	TQ_STR(t, u.target, "/");
	if (!TQ_INT(t, parse(&u, "http://a?x=1&y", &e), QV_OK))
		return;
	TQ_STR(t, u.target, "/?x=1&y");
	if (!TQ_INT(t, parse(&u, "http://a#frag", &e), QV_OK))
		return;
	TQ_STR(t, u.target, "/");
}

static void t_parse_case(struct tq *t)
{
	struct url u;
	struct qv_error e;

	if (!TQ_INT(t, parse(&u, "HTTPS://WWW.Example.COM:8443/Path/X?Q=A", &e), QV_OK))
		return;
	TQ_INT(t, u.scheme, URL_HTTPS);
	TQ_STR(t, u.host, "www.example.com");
	TQ_INT(t, u.port, 8443);
	TQ_STR(t, u.target, "/Path/X?Q=A");
	if (!TQ_INT(t, parse(&u, "hTtP://[2001:DB8::A]/", &e), QV_OK))
		return;
	TQ_INT(t, u.scheme, URL_HTTP);
	TQ_STR(t, u.host, "2001:db8::a");
}

static void t_parse_ipv6(struct tq *t)
{
	struct url u;
	struct qv_error e;
	static const char *const good[] = {
		"http://[::]/", "http://[::1]/", "http://[1:2:3:4:5:6:7:8]/",
		"http://[1::]/", "http://[1:2:3:4:5:6:7::]/", "http://[::2:3:4:5:6:7:8]/",
		"http://[::ffff:192.0.2.1]/", "http://[1:2:3:4:5:6:1.2.3.4]/",
		"http://[fe80::1:2]:81/",
	};
	static const char *const bad[] = {
		"http://[::1", "http://[1:2:3:4:5:6:7:8:9]/", "http://[:::]/", "http://[]/",
		"http://[1::2::3]/", "http://[:1::]/", "http://[1:]/", "http://[12345::]/",
		"http://[1:2:3:4:5:6:7]/", "http://[g::]/", "http://[::1.2.3]/",
		"http://[::1.2.3.4.5]/", "http://[::01.2.3.4]/", "http://[1:2:3:4:5:6:7:1.2.3.4]/",
		"http://[::1]x/", "http://[fe80::1%25eth0]/",
		"http://[v1.x]/", "http://[::1.2.3.4:5]/",
	};
	size_t i;

	if (!TQ_INT(t, parse(&u, "http://[::1]:8080/x?y#z", &e), QV_OK))
		return;
	TQ_STR(t, u.host, "::1");
	TQ_INT(t, u.port, 8080);
	TQ_TRUE(t, u.port_explicit);
	TQ_TRUE(t, u.host_is_ip);
	TQ_TRUE(t, u.host_is_ipv6);
	TQ_STR(t, u.target, "/x?y");
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!TQ_INT(t, parse(&u, good[i], &e), QV_OK))
			printf("    (url \"%s\": %s)\n", good[i], e.msg);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_reject(t, bad[i], QV_E_URL_HOST, &e);
	check_reject(t, "http://[::1]:x/", QV_E_URL_PORT, &e);
	check_reject(t, "http://[fe80::1%25eth0]/", QV_E_URL_HOST, &e);
	TQ_TRUE(t, strstr(e.msg, "zone") != NULL);
}

static void t_parse_ipv4(struct tq *t)
{
	struct url u;
	struct qv_error e;
	static const char *const bad[] = {
		"http://127.1/", "http://0x7f.0.0.1/", "http://1.2.3.256/", "http://01.2.3.4/",
		"http://1.2.3.4.5/", "http://999/", "http://a.0x10/", "http://1234.1.1.1/",
		"http://1.2.3.4./", "http://example.123/",
	};
	size_t i;

	if (!TQ_INT(t, parse(&u, "http://127.0.0.1:8000/flags", &e), QV_OK))
		return;
	TQ_STR(t, u.host, "127.0.0.1");
	TQ_TRUE(t, u.host_is_ip);
	TQ_TRUE(t, !u.host_is_ipv6);
	TQ_INT(t, u.port, 8000);
	if (!TQ_INT(t, parse(&u, "http://1.2.3.example/", &e), QV_OK))
		return;
	TQ_TRUE(t, !u.host_is_ip);
	if (!TQ_INT(t, parse(&u, "http://0.0.0.0/", &e), QV_OK))
		return;
	TQ_TRUE(t, u.host_is_ip);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_reject(t, bad[i], QV_E_URL_HOST, &e);
}

static void t_parse_ports(struct tq *t)
{
	struct url u;
	struct qv_error e;

	check_reject(t, "http://a:0/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a:65536/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a:99999/", QV_E_URL_PORT, &e);
	TQ_TRUE(t, strstr(e.msg, "99999") != NULL);
	check_reject(t, "http://a:99999999999999999999999999/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a:8o/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a:-1/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a:+80/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a: 80/", QV_E_URL_PORT, &e);
	check_reject(t, "http://a:80:81/", QV_E_URL_PORT, &e);
	if (TQ_INT(t, parse(&u, "http://a:65535/", &e), QV_OK))
		TQ_INT(t, u.port, 65535);
	if (TQ_INT(t, parse(&u, "http://a:1", &e), QV_OK))
		TQ_INT(t, u.port, 1);
	if (TQ_INT(t, parse(&u, "http://a:0080/", &e), QV_OK))
		TQ_INT(t, u.port, 80);
	if (TQ_INT(t, parse(&u, "https://a:/x", &e), QV_OK)) {
		TQ_INT(t, u.port, 443);
		TQ_TRUE(t, !u.port_explicit);
	}
	if (TQ_INT(t, parse(&u, "https://a:443/x", &e), QV_OK)) {
		TQ_INT(t, u.port, 443);
		TQ_TRUE(t, u.port_explicit);
	}
}

static void t_parse_bad_hosts(struct tq *t)
{
	struct qv_error e;
	char big[400];

	check_reject(t, "http:///x", QV_E_URL_HOST, &e);
	check_reject(t, "http://", QV_E_URL_HOST, &e);
	check_reject(t, "http://:80/", QV_E_URL_HOST, &e);
	check_reject(t, "http://?x", QV_E_URL_HOST, &e);
	check_reject(t, "http://ex%61mple.com/", QV_E_URL_HOST, &e);
	check_reject(t, "http://a\x01" "b/", QV_E_URL_HOST, &e);
	check_reject(t, "http://a b/", QV_E_URL_HOST, &e);
	check_reject(t, "http://a\x7f/", QV_E_URL_HOST, &e);
	check_reject(t, "http://caf\xc3\xa9.fr/", QV_E_URL_HOST, &e);
	check_reject(t, "http://a<b/", QV_E_URL_HOST, &e);
	memset(big, 'a', sizeof big);
	memcpy(big, "http://", 7);
	big[sizeof big - 1] = '\0';
	check_reject(t, big, QV_E_URL_HOST, &e);
}

static void t_parse_syntax(struct tq *t)
{
	struct qv_error e;

	check_reject(t, "", QV_E_URL_SYNTAX, &e);
	check_reject(t, "   ", QV_E_URL_SYNTAX, &e);
	check_reject(t, "example.com/x", QV_E_URL_SYNTAX, &e);
	check_reject(t, "//example.com/x", QV_E_URL_SYNTAX, &e);
	check_reject(t, "/x/y", QV_E_URL_SYNTAX, &e);
	check_reject(t, "../g", QV_E_URL_SYNTAX, &e);
	check_reject(t, "http:g", QV_E_URL_SYNTAX, &e);
	check_reject(t, "http:/x", QV_E_URL_SYNTAX, &e);
	check_reject(t, "1http://a/", QV_E_URL_SYNTAX, &e);
	check_reject(t, "\x01http://a/", QV_E_URL_SYNTAX, &e);
}

static void t_parse_scheme(struct tq *t)
{
	struct qv_error e;

	check_reject(t, "ftp://ftp.example.com/file", QV_E_URL_SCHEME, &e);
	TQ_STR(t, e.msg, "unsupported URL scheme 'ftp' (only http and https)");
	check_reject(t, "file:///etc/passwd", QV_E_URL_SCHEME, &e);
	TQ_TRUE(t, strstr(e.msg, "'file'") != NULL);
	check_reject(t, "javascript:alert(1)", QV_E_URL_SCHEME, &e);
	check_reject(t, "httpx://a/", QV_E_URL_SCHEME, &e);
	check_reject(t, "localhost:8000/x", QV_E_URL_SCHEME, &e);
}

static void t_parse_userinfo(struct tq *t)
{
	struct url u;
	struct qv_error e;
	char out[RES_MAX];

	/* checked, skipped, never formatted: credentials are the caller's */
	if (TQ_INT(t, parse(&u, "https://user:secret@Example.com:8443/x", &e), QV_OK)) {
		TQ_TRUE(t, u.has_userinfo);
		TQ_STR(t, u.host, "example.com");
		TQ_INT(t, u.port, 8443);
		url_format(&u, out, sizeof out);
		TQ_STR(t, out, "https://example.com:8443/x");
	}
	if (TQ_INT(t, parse(&u, "http://a%40b:p@ss@host/", &e), QV_OK)) {
		TQ_STR(t, u.host, "host"); /* the last '@' ends the userinfo */
		TQ_TRUE(t, u.has_userinfo);
	}
	if (TQ_INT(t, parse(&u, "http://@a/", &e), QV_OK))
		TQ_TRUE(t, u.has_userinfo);
	if (TQ_INT(t, parse(&u, "http://a/b@c", &e), QV_OK)) {
		TQ_TRUE(t, !u.has_userinfo);
		TQ_STR(t, u.host, "a");
	}
	check_reject(t, "http://[::1]@a/", QV_E_URL_USERINFO, &e);
	check_reject(t, "http://us er:secret@a/", QV_E_URL_USERINFO, &e);
	TQ_TRUE(t, strstr(e.msg, "secret") == NULL); /* never echo the password */
}

static void t_userinfo_views(struct tq *t)
{
	const char *s = "http://us%3Aer:p%40ss:x@h:8/p?q@r";
	struct url_userinfo ui;

	if (TQ_TRUE(t, url_userinfo(s, strlen(s), &ui))) {
		TQ_MEM(t, ui.user, ui.user_len, "us%3Aer", 7);
		TQ_TRUE(t, ui.has_password);
		TQ_MEM(t, ui.password, ui.password_len, "p%40ss:x", 8);
		TQ_MEM(t, s + ui.cut_off, ui.cut_len, "us%3Aer:p%40ss:x@", 17);
	}
	s = "https://alice@h/";
	if (TQ_TRUE(t, url_userinfo(s, strlen(s), &ui))) {
		TQ_MEM(t, ui.user, ui.user_len, "alice", 5);
		TQ_TRUE(t, !ui.has_password);
		TQ_INT(t, ui.password_len, 0);
	}
	s = "https://h/a@b";
	TQ_TRUE(t, !url_userinfo(s, strlen(s), &ui));
	s = "https://h";
	TQ_TRUE(t, !url_userinfo(s, strlen(s), &ui));
	s = "mailto:a@b";
	TQ_TRUE(t, !url_userinfo(s, strlen(s), &ui));
}

static void t_parse_encoding(struct tq *t)
{
	struct url u;
	struct qv_error e;
	const char in[] = "http://a/a b\x01\x7f\x80\xff\"<>\\^`{|}/%41%zz%4?%%2F x[]:@!$&'()*+,;=~";

	if (!TQ_INT(t, parse_n(&u, in, sizeof in - 1, &e), QV_OK))
		return;
	TQ_STR(t, u.target, "/a%20b%01%7F%80%FF%22%3C%3E%5C%5E%60%7B%7C%7D/%41%25zz%254?%25%2F%20x"
			    "[]:@!$&'()*+,;=~");
	/* A '%' at the very end of the (unterminated) input. */
	if (TQ_INT(t, parse_n(&u, "http://a/x%", 11, &e), QV_OK))
		TQ_STR(t, u.target, "/x%25");
	if (TQ_INT(t, parse_n(&u, "http://a/x%4", 12, &e), QV_OK))
		TQ_STR(t, u.target, "/x%254");
	if (TQ_INT(t, parse_n(&u, "http://a/x%4f", 13, &e), QV_OK))
		TQ_STR(t, u.target, "/x%4f");
	/* NUL and newline inside the path are encoded, never passed through. */
	if (TQ_INT(t, parse_n(&u, "http://a/x\0y\nz", 14, &e), QV_OK))
		TQ_STR(t, u.target, "/x%00y%0Az");
	if (TQ_INT(t, parse(&u, "http://a/p?q=a b#frag ment", &e), QV_OK))
		TQ_STR(t, u.target, "/p?q=a%20b");
}

static void t_parse_dots_and_trim(struct tq *t)
{
	struct url u;
	struct qv_error e;

	if (TQ_INT(t, parse(&u, "http://a/b/../../c/./d?x/../y", &e), QV_OK))
		TQ_STR(t, u.target, "/c/d?x/../y");
	if (TQ_INT(t, parse(&u, "http://a/..", &e), QV_OK))
		TQ_STR(t, u.target, "/");
	if (TQ_INT(t, parse(&u, " \t\r\nhttp://a/x \n\t ", &e), QV_OK)) {
		TQ_STR(t, u.host, "a");
		TQ_STR(t, u.target, "/x");
	}
}

static void t_parse_long(struct tq *t)
{
	static char buf[URL_MAX + 16];
	struct url u;
	struct qv_error e;
	size_t n;

	memset(buf, 'a', sizeof buf);
	memcpy(buf, "http://a/", 9);
	n = URL_MAX;
	if (TQ_INT(t, parse_n(&u, buf, n, &e), QV_OK))
		TQ_INT(t, strlen(u.target), URL_MAX - 8);
	TQ_INT(t, parse_n(&u, buf, n + 1, &e), QV_E_URL_TOO_LONG);
	TQ_INT(t, parse_n(&u, buf, sizeof buf, &e), QV_E_URL_TOO_LONG);
	/* Fits as input, too long once spaces become %20. */
	memset(buf + 9, ' ', 3000);
	TQ_INT(t, parse_n(&u, buf, n, &e), QV_E_URL_TOO_LONG);
}

/* The Host header and origin comparison of whole URLs, through their
 * origins (what the transfer machine keeps). */
static size_t host_header(const struct url *u, char *out, size_t cap)
{
	struct url_origin o;

	url_origin_of(u, &o);
	return url_origin_host_header(&o, out, cap);
}

static bool same_origin(const struct url *a, const struct url *b)
{
	struct url_origin x, y;

	url_origin_of(a, &x);
	url_origin_of(b, &y);
	return url_origin_same(&x, &y);
}

static void t_format(struct tq *t)
{
	struct url u;
	struct qv_error e;
	char out[RES_MAX], small[8];

	if (TQ_INT(t, parse(&u, "HTTPS://[::1]:8443/a?b#c", &e), QV_OK)) {
		TQ_INT(t, url_format(&u, out, sizeof out), 22);
		TQ_STR(t, out, "https://[::1]:8443/a?b");
		TQ_INT(t, host_header(&u, out, sizeof out), 10);
		TQ_STR(t, out, "[::1]:8443");
	}
	if (TQ_INT(t, parse(&u, "https://[::1]:443", &e), QV_OK)) {
		url_format(&u, out, sizeof out);
		TQ_STR(t, out, "https://[::1]/");
		host_header(&u, out, sizeof out);
		TQ_STR(t, out, "[::1]");
	}
	if (TQ_INT(t, parse(&u, "http://Example.com:80/x", &e), QV_OK)) {
		url_format(&u, out, sizeof out);
		TQ_STR(t, out, "http://example.com/x");
		host_header(&u, out, sizeof out);
		TQ_STR(t, out, "example.com");
	}
	if (TQ_INT(t, parse(&u, "http://h:443/", &e), QV_OK)) {
		url_format(&u, out, sizeof out);
		TQ_STR(t, out, "http://h:443/");
		host_header(&u, out, sizeof out);
		TQ_STR(t, out, "h:443");
	}
	if (TQ_INT(t, parse(&u, "http://abcdefgh/", &e), QV_OK)) {
		TQ_INT(t, url_format(&u, small, sizeof small), 0);
		TQ_STR(t, small, "");
		TQ_INT(t, host_header(&u, small, sizeof small), 0);
		TQ_STR(t, small, "");
		TQ_INT(t, host_header(&u, out, 9), 8);
		TQ_INT(t, host_header(&u, out, 0), 0);
	}
}

static void t_same_origin(struct tq *t)
{
	struct url a, b;
	struct qv_error e;

	if (!TQ_INT(t, parse(&a, "http://Example.com/x", &e), QV_OK))
		return;
	if (TQ_INT(t, parse(&b, "http://example.COM:80/y?z", &e), QV_OK))
		TQ_TRUE(t, same_origin(&a, &b));
	if (TQ_INT(t, parse(&b, "https://example.com/x", &e), QV_OK))
		TQ_TRUE(t, !same_origin(&a, &b));
	if (TQ_INT(t, parse(&b, "http://example.com:8080/x", &e), QV_OK))
		TQ_TRUE(t, !same_origin(&a, &b));
	if (TQ_INT(t, parse(&b, "http://www.example.com/x", &e), QV_OK))
		TQ_TRUE(t, !same_origin(&a, &b));
}

static void t_percent_decode(struct tq *t)
{
	char out[32];
	uint8_t *g;

	TQ_INT(t, url_percent_decode("a%20b%2Fc%2f", 12, out, sizeof out), 6);
	TQ_STR(t, out, "a b/c/");
	TQ_INT(t, url_percent_decode("%zz%4%", 6, out, sizeof out), 6);
	TQ_STR(t, out, "%zz%4%");
	TQ_INT(t, url_percent_decode("%C3%A9", 6, out, sizeof out), 2);
	TQ_STR(t, out, "\xc3\xa9");
	TQ_INT(t, url_percent_decode("%00x", 4, out, sizeof out), 2);
	TQ_MEM(t, out, 3, "\0x\0", 3);
	TQ_INT(t, url_percent_decode("", 0, out, sizeof out), 0);
	TQ_STR(t, out, "");
	TQ_INT(t, url_percent_decode("abcd", 4, out, 5), 4);
	TQ_INT(t, url_percent_decode("abcde", 5, out, 5), (size_t)-1);
	TQ_STR(t, out, "");
	TQ_INT(t, url_percent_decode("", 0, out, 0), (size_t)-1);
	/* A trailing "%4" right at the guard page must not read past it. */
	g = tq_guard_dup("x%4", 3);
	if (TQ_TRUE(t, g != NULL)) {
		TQ_INT(t, url_percent_decode((const char *)g, 3, out, sizeof out), 3);
		TQ_STR(t, out, "x%4");
		tq_guard_free(g, 3);
	}
}

/* A URL outcome: success, or a QV_E_URL_* code with that code and a
 * message in e. */
static bool url_outcome_ok(enum qv_err rc, const struct qv_error *e)
{
	if (rc == QV_OK)
		return true;
	return rc >= QV_E_URL_SYNTAX && rc <= QV_E_URL_TOO_LONG && e->code == rc && e->msg[0] != '\0';
}

/* Every prefix of some awkward inputs, each ending at a guard page: nothing
 * may read past len whatever state the parser is in when input ends, and
 * each prefix parses or resolves, or fails with a QV_E_URL_* code. */
static void t_prefixes(struct tq *t)
{
	static const char *const inputs[] = {
		"https://[2001:db8::1.2.3.4]:8443/a/../b?c%2#d",
		"http://user:pw@host:80/%4",
		"HTTP://h.example.:65535/./x/..?q",
		"  g;x=1/../y?a#b  ",
	};
	char out[RES_MAX];
	struct url u;
	struct qv_error e;
	size_t i, n, bad = 0;

	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		for (n = 0; n <= strlen(inputs[i]); n++) {
			enum qv_err rc = parse_n(&u, inputs[i], n, &e);

			if (!url_outcome_ok(rc, &e) && bad++ < 5)
				(void)fprintf(stderr, "  parse of %.*s: %s (%s)\n", (int)n, inputs[i],
					      qv_err_name(rc), e.msg);
			rc = resolve_n(RFC_BASE, inputs[i], n, false, out, sizeof out, &e);
			if (!url_outcome_ok(rc, &e) && bad++ < 5)
				(void)fprintf(stderr, "  resolve of %.*s: %s (%s)\n", (int)n, inputs[i],
					      qv_err_name(rc), e.msg);
		}
	}
	TQ_INT(t, bad, 0);
}

void suite_url(struct tq *t)
{
	tq_run(t, "rfc3986 5.4.1 normal examples", t_rfc_normal);
	tq_run(t, "rfc3986 5.4.2 abnormal examples", t_rfc_abnormal);
	tq_run(t, "resolve absolute Location", t_resolve_absolute);
	tq_run(t, "resolve network-path reference", t_resolve_network_path);
	tq_run(t, "resolve query-only and fragment-only", t_resolve_query_fragment);
	tq_run(t, "resolve against IPv6 base", t_resolve_ipv6_base);
	tq_run(t, "resolve trims surrounding spaces", t_resolve_spaces);
	tq_run(t, "resolve keeps non-ASCII, parse encodes it", t_resolve_non_ascii);
	tq_run(t, "resolve other schemes", t_resolve_other_schemes);
	tq_run(t, "resolve errors", t_resolve_errors);
	tq_run(t, "parse basic", t_parse_basic);
	tq_run(t, "parse upper-case scheme and host", t_parse_case);
	tq_run(t, "parse IPv6 literals", t_parse_ipv6);
	tq_run(t, "parse IPv4 literals and numeric hosts", t_parse_ipv4);
	tq_run(t, "parse ports", t_parse_ports);
	tq_run(t, "parse rejects bad hosts", t_parse_bad_hosts);
	tq_run(t, "parse rejects non-absolute URLs", t_parse_syntax);
	tq_run(t, "parse rejects other schemes", t_parse_scheme);
	tq_run(t, "parse skips userinfo", t_parse_userinfo);
	tq_run(t, "userinfo views", t_userinfo_views);
	tq_run(t, "parse percent-encodes the target", t_parse_encoding);
	tq_run(t, "parse removes dot segments and trims", t_parse_dots_and_trim);
	tq_run(t, "parse length limits", t_parse_long);
	tq_run(t, "format and Host header", t_format);
	tq_run(t, "same origin", t_same_origin);
	tq_run(t, "percent decode", t_percent_decode);
	tq_run(t, "every prefix stays in bounds", t_prefixes);
}
