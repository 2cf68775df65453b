/* autoname.h - --auto-rename: a name that clashes becomes NAME.K.EXT with
 * the smallest K that is free (DESIGN §1), found in time linear in the
 * list whatever its names; for the wget mode NAME.K (GNU wget's numbering),
 * free also of the files already in the directory.
 *
 * Names only ever join a run's set, so a K found taken stays taken: each
 * family of candidates keeps the next K to try, and a list of N URLs with
 * one name costs about 2N lookups instead of N²/2.  A family is the set of
 * names whose NAME.K.EXT are the same strings for every K of one digit
 * count: one name, unless its stem had to be cut to keep NAME.K.EXT within
 * FNAME_MAX, and then every name that differs only past the cut.  A family
 * is known by the name its first K would give (NAME.1.EXT, NAME.10.EXT, ...),
 * which no other family can produce. */
#ifndef QV_CLI_GET_AUTONAME_H
#define QV_CLI_GET_AUTONAME_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/fname.h"
#include "cli/get/nameset.h"
#include "util/err.h"

/* --auto-rename tries NAME.1.EXT up to this K. */
#define AUTONAME_K_MAX 100000u
/* Bytes for a NAME.K.EXT and its NUL: K adds at most 7 (".100000"), and a
 * name whose extension alone fills FNAME_MAX keeps it whole (the file sink
 * then refuses the name, as it would any name too long). */
#define AUTONAME_OUT_MAX (FNAME_MAX + 8u)

struct autoname_family;

/* Whether a candidate name is taken outside the run's names (a file in
 * the destination, for the wget mode). */
typedef bool (*autoname_exists_fn)(const void *ctx, const char *name);

/* The families met so far (caller storage). */
struct autoname {
	struct autoname_family *slot;   /* open addressing; NULL until the first */
	size_t mask;                    /* capacity - 1 (a power of two), 0: none */
	size_t count;
	bool at_end;                    /* NAME.K, not NAME.K.EXT */
	autoname_exists_fn exists;      /* NULL: only the run's names count */
	const void *exists_ctx;
};

/* An empty table; no allocation.  at_end, exists: as in struct autoname. */
void autoname_init(struct autoname *a);
/* Free what autoname_pick allocated. */
void autoname_clear(struct autoname *a);

/* NAME.K.EXT: K before the last extension ("a.tar.1.gz", "README.1"), or
 * with at_end NAME.K ("a.tar.gz.1"), the stem cut (never inside a UTF-8
 * sequence) to keep it within FNAME_MAX. */
void autoname_format(const char *name, unsigned k, bool at_end, char *out, size_t cap);

/* The first NAME.K.EXT (NAME.K) of name that clashes with nothing in taken
 * and that a->exists does not find, into out
 * (AUTONAME_OUT_MAX bytes).  *checks grows by the candidates looked up.
 * Returns QV_OK, QV_E_EXISTS when every K up to AUTONAME_K_MAX is taken, or
 * QV_E_NOMEM (err says so). */
enum qv_err autoname_pick(struct autoname *a, const struct nameset *taken, const char *name,
			  char *out, size_t *checks, struct qv_error *err);

#endif
