/* fuzz_proxy.c - libFuzzer target for proxy URLs and no_proxy lists
 * (src/transfer/proxy.c, src/transfer/noproxy.c).
 *
 * Input: "LIST\0HOST\0PROXY-URL".  noproxy_match must not crash or read out
 * of bounds on any list or host; "*" exempts every host, an empty list none;
 * a list that matches still matches with junk entries around it.  A proxy
 * URL that parses has an http origin with a port, and a refused one never
 * echoes its password in the message ("PASSWORD", when it stands in the
 * input only as ":PASSWORD@"). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transfer/noproxy.h"
#include "transfer/proxy.h"

/* The next NUL-terminated field of d[*pos..n), copied to the heap so ASan
 * sees any over-read. */
static char *field(const uint8_t *d, size_t n, size_t *pos)
{
	const uint8_t *end = memchr(d + *pos, '\0', n - *pos);
	size_t k = end != NULL ? (size_t)(end - (d + *pos)) : n - *pos;
	char *s = malloc(k + 1);

	if (s == NULL)
		abort();
	memcpy(s, d + *pos, k);
	s[k] = '\0';
	*pos += k + (end != NULL ? 1 : 0);
	return s;
}

static size_t count(const char *s, const char *w)
{
	size_t n = 0;

	for (s = strstr(s, w); s != NULL; s = strstr(s + 1, w))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	char *list = field(data, size, &pos);
	char *host = field(data, size, &pos);
	char *purl = field(data, size, &pos);
	char *padded = malloc(strlen(list) + 16);
	struct proxy p;
	struct qv_error e;
	bool m;

	if (padded == NULL)
		abort();
	m = noproxy_match(list, host);
	FUZZ_CHECK(noproxy_match("*", host) == (host[0] != '\0'));
	FUZZ_CHECK(!noproxy_match("", host));
	strcpy(padded, ",, ");
	strcat(padded, list);
	strcat(padded, " ,x");
	if (m && strchr(list, ',') == NULL && strchr(list, ' ') == NULL &&
	    strchr(list, '\t') == NULL)
		FUZZ_CHECK(noproxy_match(padded, host));
	qv_error_clear(&e);
	if (proxy_parse(&p, purl, NULL, "-x", &e) == QV_OK) {
		FUZZ_CHECK(p.origin.scheme == URL_HTTP && p.origin.port != 0);
		FUZZ_CHECK(p.origin.host[0] != '\0');
	} else {
		FUZZ_CHECK(memchr(e.msg, '\0', sizeof e.msg) != NULL);
		if (count(purl, ":PASSWORD@") > 0 && count(purl, ":PASSWORD@") == count(purl, "PASSWORD"))
			FUZZ_CHECK(strstr(e.msg, "PASSWORD") == NULL);
	}
	free(padded);
	free(purl);
	free(host);
	free(list);
	return 0;
}
