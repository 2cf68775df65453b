/* fields.c - the value grammars of the response fields quiver acts on.
 *
 * Kept apart from the byte-at-a-time head parser: these see a whole,
 * trimmed value, and every number is overflow-checked against
 * HTTP_LENGTH_MAX before it is multiplied. */
#include "http/fields.h"

#include <string.h>

#include "http/syntax.h"
#include "util/ascii.h"

bool http_list_next(const char **cur, const char *end, const char **elem, size_t *elen)
{
	const char *s = *cur;

	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *a = s;
		const char *b = comma != NULL ? comma : end;

		s = comma != NULL ? comma + 1 : end;
		while (a < b && http_is_ws((uint8_t)*a))
			a++;
		while (b > a && http_is_ws((uint8_t)b[-1]))
			b--;
		if (b > a) {
			*cur = s;
			*elem = a;
			*elen = (size_t)(b - a);
			return true;
		}
	}
	*cur = end;
	return false;
}

/* Consume 1*DIGIT at *s into *v; false when there is no digit or the value
 * exceeds HTTP_LENGTH_MAX. */
static bool dec_take(const char **s, const char *end, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;

	if (p == end || *p < '0' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (x > (HTTP_LENGTH_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*s = p;
	*v = x;
	return true;
}

static enum http_cl_result cl_element(const char *s, size_t n, uint64_t *v)
{
	const char *p = s;
	const char *end = s + n;
	size_t i;

	if (s[0] == '-')
		return HTTP_CL_NEGATIVE;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return HTTP_CL_SYNTAX;
	}
	if (!dec_take(&p, end, v))
		return HTTP_CL_OVERFLOW;
	return HTTP_CL_OK;
}

enum http_cl_result http_cl_parse(const char *s, size_t n, uint64_t *v)
{
	const char *cur = s;
	const char *el;
	size_t elen;
	bool any = false;
	uint64_t first = 0;

	while (http_list_next(&cur, s + n, &el, &elen)) {
		uint64_t x;
		enum http_cl_result rc = cl_element(el, elen, &x);

		if (rc != HTTP_CL_OK)
			return rc;
		if (any && x != first)
			return HTTP_CL_CONFLICT;
		first = x;
		any = true;
	}
	if (!any)
		return HTTP_CL_SYNTAX;
	*v = first;
	return HTTP_CL_OK;
}

/* transfer-coding = token *( OWS ";" OWS transfer-parameter ): only the
 * token matters; an element that does not start with one counts as an
 * unknown coding. */
void http_te_add(struct http_te *te, const char *s, size_t n)
{
	const char *cur = s;
	const char *el;
	size_t elen;

	while (http_list_next(&cur, s + n, &el, &elen)) {
		size_t tl = 0;
		size_t rest;

		while (tl < elen && http_is_tchar((uint8_t)el[tl]))
			tl++;
		rest = tl;
		while (rest < elen && http_is_ws((uint8_t)el[rest]))
			rest++;
		te->codings++;
		te->last_chunked = tl > 0 && ascii_ieq(el, tl, "chunked") &&
				   (rest == elen || el[rest] == ';');
		if (te->last_chunked)
			te->chunked++;
	}
}

void http_conn_parse(const char *s, size_t n, bool *close, bool *keep_alive)
{
	const char *cur = s;
	const char *el;
	size_t elen;

	while (http_list_next(&cur, s + n, &el, &elen)) {
		if (ascii_ieq(el, elen, "close"))
			*close = true;
		else if (ascii_ieq(el, elen, "keep-alive"))
			*keep_alive = true;
	}
}

static bool crange_unsatisfied(const char *p, const char *end, struct http_resp *r)
{
	uint64_t total;

	if (end - p < 2 || p[0] != '*' || p[1] != '/')
		return false;
	p += 2;
	if (!dec_take(&p, end, &total) || p != end)
		return false;
	r->has_content_range = true;
	r->range_unsatisfied = true;
	r->range_first = 0;
	r->range_last = 0;
	r->range_total = total;
	return true;
}

bool http_crange_parse(const char *s, size_t n, struct http_resp *r)
{
	const char *p = s;
	const char *end = s + n;
	uint64_t first, last, total = UINT64_MAX;

	/* range-unit SP; the unit is case-insensitive (RFC 9110 §14.1). */
	if (n < 6 || !ascii_ieq(s, 5, "bytes") || s[5] != ' ')
		return false;
	p += 6;
	if (p < end && *p == '*')
		return crange_unsatisfied(p, end, r);
	if (!dec_take(&p, end, &first) || p == end || *p++ != '-')
		return false;
	if (!dec_take(&p, end, &last) || p == end || *p++ != '/')
		return false;
	if (end - p == 1 && *p == '*')
		p++;
	else if (!dec_take(&p, end, &total))
		return false;
	/* Inconsistent ranges are invalid (RFC 9110 §14.4). */
	if (p != end || first > last || (total != UINT64_MAX && last >= total))
		return false;
	r->has_content_range = true;
	r->range_unsatisfied = false;
	r->range_first = first;
	r->range_last = last;
	r->range_total = total;
	return true;
}

bool http_retry_after_parse(const char *s, size_t n, uint32_t *secs)
{
	uint32_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		/* Saturate: the cap is far below UINT32_MAX / 10. */
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > HTTP_RETRY_AFTER_MAX)
			v = HTTP_RETRY_AFTER_MAX;
	}
	*secs = v;
	return true;
}

bool http_etag_strong(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return false;
	for (i = 1; i + 1 < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c <= 0x20 || c == '"' || c == 0x7f)
			return false;
	}
	return true;
}
