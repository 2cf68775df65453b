/* noproxy.c - no_proxy matching (see noproxy.h). */
#include "transfer/noproxy.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/ascii.h"

/* A host or entry as an address: family 4 or 6 (0: a name), its bytes. */
struct np_addr {
	int family;
	unsigned char b[16];
};

static void np_addr_parse(const char *s, struct np_addr *a)
{
	a->family = 0;
	if (inet_pton(AF_INET, s, a->b) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, s, a->b) == 1)
		a->family = 6;
}

/* Prefix match of the first bits of two addresses. */
static bool np_prefix_eq(const unsigned char *x, const unsigned char *y, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(x, y, bytes) != 0)
		return false;
	return rest == 0 || ((x[bytes] ^ y[bytes]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

/* An IP entry "addr[/bits]" (NUL-terminated, modified) against address h. */
static bool np_match_ip(char *e, const struct np_addr *h)
{
	char *slash = strchr(e, '/');
	unsigned bits, max = h->family == 4 ? 32u : 128u;
	struct np_addr a;

	if (slash != NULL) {
		const char *d = slash + 1;

		*slash = '\0';
		if (*d == '\0')
			return false;
		for (bits = 0; ascii_is_digit((unsigned char)*d) && bits <= max; d++)
			bits = bits * 10u + (unsigned)(*d - '0');
		if (*d != '\0' || bits > max)
			return false;
	} else {
		bits = max;
	}
	np_addr_parse(e, &a);
	return a.family == h->family && np_prefix_eq(a.b, h->b, bits);
}

/* A name entry (already without its dots and port) against name host:
 * equal, or host ends with "." + entry. */
static bool np_match_name(const char *e, size_t n, const char *host, size_t hn)
{
	size_t i;

	if (n == 0 || n > hn)
		return false;
	for (i = 0; i < n; i++) {
		if (ascii_lower((unsigned char)host[hn - n + i]) != ascii_lower((unsigned char)e[i]))
			return false;
	}
	return n == hn || host[hn - n - 1] == '.';
}

/* Strip "[v6]" brackets and a ":port" from entry e (n bytes) in place;
 * returns the new length. */
static size_t np_strip_port(char *e, size_t n)
{
	char *colon;
	size_t k;

	if (n > 0 && e[0] == '[') {
		char *close = memchr(e, ']', n);

		if (close == NULL)
			return n;
		k = (size_t)(close - e) - 1;
		memmove(e, e + 1, k);
		e[k] = '\0';
		return k;
	}
	colon = memchr(e, ':', n);
	/* one ':' followed by digits only is a port; more colons: IPv6 */
	if (colon == NULL || memchr(colon + 1, ':', n - (size_t)(colon - e) - 1) != NULL)
		return n;
	for (k = (size_t)(colon - e) + 1; k < n; k++) {
		if (!ascii_is_digit((unsigned char)e[k]))
			return n;
	}
	*colon = '\0';
	return (size_t)(colon - e);
}

static bool np_match_entry(const char *text, size_t n, const struct np_addr *h, const char *host,
			   size_t hn)
{
	char e[NOPROXY_ENTRY_MAX + 1];

	if (n > NOPROXY_ENTRY_MAX)
		return false;
	if (n == 1 && text[0] == '*')
		return true;
	memcpy(e, text, n);
	e[n] = '\0';
	n = np_strip_port(e, n);
	if (h->family != 0)
		return np_match_ip(e, h);
	if (n > 0 && e[n - 1] == '.')
		e[--n] = '\0';
	if (n > 0 && e[0] == '.')
		return np_match_name(e + 1, n - 1, host, hn);
	return np_match_name(e, n, host, hn);
}

static bool np_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

bool noproxy_match(const char *list, const char *host)
{
	struct np_addr h;
	size_t hn;
	const char *p;

	if (list == NULL || host == NULL || host[0] == '\0')
		return false;
	hn = strlen(host);
	np_addr_parse(host, &h);
	if (h.family == 0 && host[hn - 1] == '.')
		hn--; /* "example.com." is example.com */
	for (p = list; *p != '\0';) {
		const char *start;

		while (np_sep(*p))
			p++;
		start = p;
		while (*p != '\0' && !np_sep(*p))
			p++;
		if (p > start && np_match_entry(start, (size_t)(p - start), &h, host, hn))
			return true;
	}
	return false;
}
