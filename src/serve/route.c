/* route.c - request target to flag resource.  Only exact, lower-case paths
 * match: no percent-decoding and no dot segments, so nothing a client sends
 * can name a file outside {cc}/{cc}.gif and {cc}/metadata.json. */
#include "serve/route.h"

#include <string.h>

#include "util/ascii.h"

static bool route_prefix(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(p, lit, l) == 0;
}

/* The path of an absolute-form target (RFC 9112 §3.2.2), or NULL. */
static const char *route_abs_path(const char *t, size_t n, size_t *plen)
{
	size_t skip;

	if (route_prefix(t, n, "http://"))
		skip = 7;
	else if (route_prefix(t, n, "https://"))
		skip = 8;
	else
		return NULL;
	while (skip < n && t[skip] != '/' && t[skip] != '?')
		skip++;
	*plen = n - skip;
	return t + skip;
}

bool serve_route(const char *target, size_t len, char cc[2], enum serve_kind *kind)
{
	const char *p = target, *q;
	size_t n = len;

	if (n > 0 && p[0] != '/') {
		p = route_abs_path(target, len, &n);
		if (p == NULL)
			return false;
	}
	q = memchr(p, '?', n);
	if (q != NULL)
		n = (size_t)(q - p);
	if (route_prefix(p, n, "/flags/")) {
		p += 6;
		n -= 6;
	}
	/* "/cc/" then "cc.gif" or "metadata.json" */
	if (n < 4 || p[0] != '/' || !ascii_is_lower((unsigned char)p[1]) ||
	    !ascii_is_lower((unsigned char)p[2]) || p[3] != '/')
		return false;
	cc[0] = p[1];
	cc[1] = p[2];
	p += 4;
	n -= 4;
	if (n == 6 && p[0] == cc[0] && p[1] == cc[1] && memcmp(p + 2, ".gif", 4) == 0) {
		*kind = SERVE_KIND_GIF;
		return true;
	}
	if (n == 13 && memcmp(p, "metadata.json", 13) == 0) {
		*kind = SERVE_KIND_JSON;
		return true;
	}
	return false;
}
