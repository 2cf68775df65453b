/* fuzz_url.c - libFuzzer target for src/http/url.c.
 *
 * The input is one URL or reference.  Beyond "no sanitizer report" it
 * checks the round trips the rest of quiver relies on: what url_parse
 * accepts formats to a URL that parses back to the same fields; resolving is
 * idempotent; the output functions fill a buffer of exactly the right size
 * and report overflow one byte short of it. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "http/uri.h"
#include "http/url.h"

/* Resolution bases: the RFC 3986 §5.4 one, an IPv6 literal with a port,
 * an empty path, an unnormalised path, and two non-hierarchical URIs. */
static const char *const bases[] = {
	"http://a/b/c/d;p?q",
	"https://[::1]:8443/x/y/?z#f",
	"http://h",
	"https://Example.COM/a/b/../c/./d",
	"mailto:x@y",
	"foo:a/b",
};
#define UNNORMALISED 3

/* Room for any resolution of an input up to URL_MAX bytes (the longest
 * base is far shorter than the slack). */
#define OUT_CAP (2 * URL_MAX + 256)
/* url_format's worst case: scheme, [host], :port, target. */
#define FMT_CAP (URL_HOST_MAX + URL_MAX + 32)

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static uint16_t default_port(const struct url *u)
{
	return u->scheme == URL_HTTPS ? 443 : 80;
}

/* out/cap conventions: the length when it fits, else 0 and "". */
static void check_exact_cap(size_t (*fn)(const struct url *, char *, size_t), const struct url *u,
			    const char *want, size_t n)
{
	char *buf = malloc(n + 1); /* heap: ASan sees a write past cap */

	FUZZ_CHECK(buf != NULL);
	FUZZ_CHECK(fn(u, buf, n + 1) == n && memcmp(buf, want, n + 1) == 0);
	FUZZ_CHECK(fn(u, buf, n) == 0 && buf[0] == '\0');
	FUZZ_CHECK(fn(u, buf, 0) == 0);
	free(buf);
}

static void check_fields(const struct url *u)
{
	size_t i, hn = strnlen(u->host, sizeof u->host), tn = strnlen(u->target, sizeof u->target);

	FUZZ_CHECK(hn > 0 && hn < sizeof u->host);
	FUZZ_CHECK(tn > 0 && tn < sizeof u->target && u->target[0] == '/');
	for (i = 0; i < hn; i++)
		FUZZ_CHECK(!(u->host[i] >= 'A' && u->host[i] <= 'Z'));
	/* the target goes into the request line as it is */
	for (i = 0; i < tn; i++)
		FUZZ_CHECK(u->target[i] > 0x20 && u->target[i] < 0x7f && u->target[i] != '#');
	FUZZ_CHECK(!u->host_is_ipv6 || u->host_is_ip);
	FUZZ_CHECK(u->port != 0);
	FUZZ_CHECK(u->port_explicit || u->port == default_port(u));
}

/* The Host header of a whole URL, through its origin. */
static size_t host_header(const struct url *u, char *out, size_t cap)
{
	struct url_origin o;

	url_origin_of(u, &o);
	return url_origin_host_header(&o, out, cap);
}

static void check_parsed(const struct url *u)
{
	static char out[FMT_CAP], again[FMT_CAP];
	struct url v;
	size_t n, m;

	check_fields(u);
	n = url_format(u, out, sizeof out);
	FUZZ_CHECK(n > 0 && n == strlen(out));
	check_exact_cap(url_format, u, out, n);
	m = host_header(u, again, sizeof again);
	FUZZ_CHECK(m > 0 && m == strlen(again));
	check_exact_cap(host_header, u, again, m);

	FUZZ_CHECK(url_parse(&v, out, n, NULL) == QV_OK);
	FUZZ_CHECK(v.scheme == u->scheme && v.port == u->port);
	FUZZ_CHECK(v.host_is_ip == u->host_is_ip && v.host_is_ipv6 == u->host_is_ipv6);
	FUZZ_CHECK(strcmp(v.host, u->host) == 0 && strcmp(v.target, u->target) == 0);
	{
		struct url_origin a, b;

		url_origin_of(&v, &a);
		url_origin_of(u, &b);
		FUZZ_CHECK(url_origin_same(&a, &b));
	}
	FUZZ_CHECK(url_format(&v, again, sizeof again) == n && strcmp(again, out) == 0);
}

/* Exactly enough room, and one byte short, in heap buffers of that size so
 * that ASan sees any write past cap.  The path is merged in out before its
 * dot segments are removed (url.h), so with dots "enough" may be more. */
static void check_resolve_cap(const char *base, const uint8_t *data, size_t size, bool drop,
			      const char *want, size_t n)
{
	bool dots = memchr(data, '.', size) != NULL || base == bases[UNNORMALISED];
	char *buf = malloc(n + 1);
	enum qv_err rc;

	FUZZ_CHECK(buf != NULL);
	rc = uri_resolve_ref(base, (const char *)data, size, drop, buf, n + 1, NULL);
	FUZZ_CHECK(rc == QV_OK || (rc == QV_E_URL_TOO_LONG && dots && buf[0] == '\0'));
	FUZZ_CHECK(rc != QV_OK || strcmp(buf, want) == 0);
	FUZZ_CHECK(uri_resolve_ref(base, (const char *)data, size, drop, buf, n, NULL) ==
		   QV_E_URL_TOO_LONG && buf[0] == '\0');
	free(buf);
}

static void check_resolve(const char *base, const uint8_t *data, size_t size, bool drop)
{
	static char out[OUT_CAP], again[OUT_CAP], twice[OUT_CAP];
	struct qv_error err;
	struct url u;
	enum qv_err rc;
	size_t n;

	qv_error_clear(&err);
	rc = uri_resolve_ref(base, (const char *)data, size, drop, out, sizeof out, &err);
	FUZZ_CHECK(rc == err.code);
	if (rc != QV_OK) {
		FUZZ_CHECK(rc == QV_E_URL_SYNTAX && memchr(data, 0, size) != NULL);
		FUZZ_CHECK(out[0] == '\0' && err.msg[0] != '\0');
		return;
	}
	n = strlen(out);
	FUZZ_CHECK(n > 0 && n < sizeof out);
	check_resolve_cap(base, data, size, drop, out, n);
	/* An absolute result resolves to itself, unless the trim of the
	 * reference would now apply to it, or it kept the dot segments of an
	 * unnormalised base (§5.2.2 copies the base path when the reference
	 * has none); resolving is idempotent from then on. */
	if (!is_space(out[0]) && !is_space(out[n - 1])) {
		FUZZ_CHECK(uri_resolve_ref(bases[0], out, n, drop, again, sizeof again, NULL) == QV_OK);
		FUZZ_CHECK(base == bases[UNNORMALISED] || strcmp(again, out) == 0);
		n = strlen(again);
		FUZZ_CHECK(uri_resolve_ref(bases[0], again, n, drop, twice, sizeof twice, NULL) == QV_OK);
		FUZZ_CHECK(strcmp(again, twice) == 0);
	}
	if (url_parse(&u, out, n, NULL) == QV_OK)
		check_parsed(&u);
}

static void check_decode(const uint8_t *data, size_t size)
{
	static char out[OUT_CAP];
	char *buf;
	size_t n;

	if (size >= sizeof out)
		return;
	n = url_percent_decode((const char *)data, size, out, sizeof out);
	FUZZ_CHECK(n <= size);
	buf = malloc(n + 1);
	FUZZ_CHECK(buf != NULL);
	FUZZ_CHECK(url_percent_decode((const char *)data, size, buf, n + 1) == n);
	FUZZ_CHECK(memcmp(buf, out, n + 1) == 0);
	FUZZ_CHECK(url_percent_decode((const char *)data, size, buf, n) == (size_t)-1);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qv_error err;
	struct url u;
	enum qv_err rc;
	size_t i;

	qv_error_clear(&err);
	rc = url_parse(&u, (const char *)data, size, &err);
	FUZZ_CHECK(rc == err.code);
	if (rc == QV_OK)
		check_parsed(&u);
	else
		FUZZ_CHECK(err.msg[0] != '\0' && strlen(err.msg) < sizeof err.msg);
	if (size <= URL_MAX) {
		for (i = 0; i < sizeof bases / sizeof bases[0]; i++) {
			check_resolve(bases[i], data, size, true);
			check_resolve(bases[i], data, size, false);
		}
	}
	check_decode(data, size);
	return 0;
}
