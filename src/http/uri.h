/* uri.h - RFC 3986 generic syntax, any scheme (sans-I/O, no malloc):
 * splitting a reference into its five components, removing dot segments,
 * and resolving a reference against a base (§5.2, used for redirects and
 * tested with every example of §5.4).  url.h builds the stricter http/https
 * parser on top. */
#ifndef QV_HTTP_URI_H
#define QV_HTTP_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "http/view.h"
#include "util/err.h"

/* The five components of RFC 3986 Appendix B; "has_" tells an empty
 * component from an absent one, which §5.2.2 distinguishes. */
struct ref_parts {
	struct view scheme, authority, path, query, fragment;
	bool has_scheme, has_authority, has_query, has_fragment;
};

/* Appendix B, except that a "scheme" failing the scheme grammar is taken as
 * the start of a path (so "a b:c" is a relative reference, not an error). */
void uri_split(const char *s, size_t n, struct ref_parts *r);

/* §5.2.4 remove_dot_segments, in place over p[0..n); returns the new length. */
size_t uri_remove_dots(char *p, size_t n);

/* RFC 3986 §5.2 reference resolution (with §5.2.4 remove_dot_segments) of ref
 * (len bytes) against the absolute URI base (NUL-terminated), any scheme.
 * Writes the NUL-terminated result to out (cap bytes).  Leading/trailing
 * spaces of ref are trimmed (as browsers do with Location); the fragment of
 * the result is dropped when drop_fragment is true.
 * Errors: QV_E_URL_SYNTAX (base not absolute, ref contains a NUL byte),
 * QV_E_URL_TOO_LONG (does not fit in cap; the path is merged in out before
 * its dot segments are removed, so cap must also hold the merged path). */
enum qv_err uri_resolve_ref(const char *base, const char *ref, size_t len, bool drop_fragment,
			    char *out, size_t cap, struct qv_error *err);

#endif
