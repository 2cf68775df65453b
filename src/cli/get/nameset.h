/* nameset.h - the output names of a run, to find two URLs that would write
 * the same file before anything starts (DESIGN §1, aria2 #145, #2218).
 *
 * An open-addressing hash set of indexes into the caller's array of names
 * (the names are not copied).  A name N also clashes with "N.part" and the
 * other way round, because N's download is written to N.part first, and
 * likewise with "N.part.meta", where -c keeps N.part's validator. */
#ifndef QV_CLI_GET_NAMESET_H
#define QV_CLI_GET_NAMESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define NAMESET_NONE SIZE_MAX

struct nameset;

/* A set with room for n names of names[] (whose entries may change as long
 * as the ones added stay as they were).  Errors: QV_E_NOMEM. */
enum qv_err nameset_new(struct nameset **out, const char *const *names, size_t n,
			struct qv_error *err);
/* Accepts NULL. */
void nameset_free(struct nameset *s);

/* The index of a name already in the set that the name clashes with
 * (equal, or equal up to a ".part" or ".part.meta" suffix), or
 * NAMESET_NONE. */
size_t nameset_clash(const struct nameset *s, const char *name);

/* The index of the name equal to name[0..len), or NAMESET_NONE. */
size_t nameset_find(const struct nameset *s, const char *name, size_t len);

/* Add names[index] (the caller checked nameset_clash first).  false when
 * the set is full (more than the n of nameset_new). */
bool nameset_add(struct nameset *s, size_t index);

#endif
