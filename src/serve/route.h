/* route.h - which flag resource a request target names.
 *
 * The flag site's layout (and flags.zip's): {cc}/{cc}.gif and
 * {cc}/metadata.json, lower-case codes, under /flags or at the root. */
#ifndef QV_SERVE_ROUTE_H
#define QV_SERVE_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

enum serve_kind {
	SERVE_KIND_GIF,    /* /flags/cn/cn.gif */
	SERVE_KIND_JSON    /* /flags/cn/metadata.json */
};

/* Whether target (origin-form, or absolute-form http://host/...; query
 * ignored) names a flag resource: then cc gets the two lower-case letters
 * (a-z only, so never a path) and *kind the file. */
bool serve_route(const char *target, size_t len, char cc[2], enum serve_kind *kind);

#endif
