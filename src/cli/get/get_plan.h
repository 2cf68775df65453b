/* get_plan.h - everything `get` decides before the first byte moves: the URL
 * list, each URL's output name, name clashes (an error, or --auto-rename),
 * the shard, --skip-existing, and whether the destination is writable.
 * Problems are listed on the error stream at once (all of them, up to a
 * bound), so a long list is fixed in one go. */
#ifndef QV_CLI_GET_GET_PLAN_H
#define QV_CLI_GET_GET_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/get/get_args.h"
#include "cli/get/shard.h"
#include "cli/get/urllist.h"
#include "util/err.h"

/* Problems listed one per line before "... and N more". */
#define GET_PLAN_LIST_MAX 20
/* get_plan.sum_of values besides 0 (none) and 1 + an index into sums[]. */
#define GET_SUM_MISSING UINT32_MAX          /* --checksum-file lacks the name */
#define GET_SUM_CONFLICT (UINT32_MAX - 1)   /* listed twice, differently */

struct get_plan {
	struct url_list list;       /* every URL, in input order */
	char **name;                /* per URL: its output name (owned) */
	size_t *pick;               /* indexes of the URLs of this shard */
	bool *skip;                 /* per pick: --skip-existing found the file */
	size_t npick;
	size_t nskip;
	size_t checks;              /* candidate names looked up for clashes:
				     * linear in the list (unit-tested) */
	struct shard shard;
	/* Per URL, the digest it must have (see GET_SUM_*): from its list's
	 * checksum= line, else --checksum, else --checksum-file by output
	 * name.  NULL when no checksum option was given. */
	uint32_t *sum_of;
	struct digest_want *sums;   /* the distinct digests named */
	size_t nsums, sums_cap;
};

/* Build the plan for a in p (caller storage; what it allocates,
 * get_plan_clear frees, also after a failure).  Returns QV_OK, QV_E_USAGE
 * (bad URL, clash, -O or --checksum with several URLs, bad header; details
 * printed on errf), QV_E_FILE (input, checksum file or destination), or
 * QV_E_NOMEM; err has a one-line summary.  With -O - nothing is created. */
enum qv_err get_plan_build(struct get_plan *p, const struct get_args *a, FILE *errf,
			   struct qv_error *err);
/* Free what get_plan_build allocated in p.  Accepts NULL. */
void get_plan_clear(struct get_plan *p);

/* The steps of a plan that need no list, for a streamed one too: */
/* --shard K/N or auto into s (n 1 without --shard).  QV_E_USAGE. */
enum qv_err get_plan_shard(struct shard *s, const struct get_args *a, struct qv_error *err);
/* -H and -A, checked by the request writer.  QV_E_USAGE, QV_E_NOMEM. */
enum qv_err get_plan_headers(const struct get_args *a, struct qv_error *err);
/* -o DIR made and writable.  QV_E_FILE. */
enum qv_err get_plan_dest(const struct get_args *a, struct qv_error *err);

/* "DIR/NAME" (or NAME without -o) into out; false when it does not fit. */
bool get_plan_path(const struct get_args *a, const char *name, char *out, size_t cap);

#endif
