/* noproxy.h - does a no_proxy list exempt a host from the proxy?  curl's
 * rules (DESIGN §9), a pure function of two strings: nothing is resolved.
 *
 * The list (`no_proxy`, `NO_PROXY`, `--noproxy`): entries separated by
 * commas or blanks, compared case-insensitively.  "*" matches every host.
 * A name entry drops one leading and one trailing dot and any ":port", and
 * matches the host itself or any name ending in "." + entry
 * ("example.com" matches "www.example.com", never "notexample.com").  An
 * IP entry ("10.0.0.0/8", "::1", "fd00::/8"; IPv6 without brackets, though
 * "[::1]" is taken too) matches a host that is an address of the same
 * family inside it; an IP entry never matches a name and a name entry never
 * matches an address. */
#ifndef QV_TRANSFER_NOPROXY_H
#define QV_TRANSFER_NOPROXY_H

#include <stdbool.h>

/* Longest entry considered: a DNS name is at most 253 bytes; a longer entry
 * can match nothing. */
#define NOPROXY_ENTRY_MAX 260

/* True when host (lower- or mixed-case name, or an IP literal without
 * brackets) is exempt under list.  A NULL or empty list exempts nothing. */
bool noproxy_match(const char *list, const char *host);

#endif
