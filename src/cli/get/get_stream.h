/* get_stream.h - `get --name-by index`: a list of any length, read as it
 * goes and never held.  Each line is hashed for the shard; a line of this
 * shard is parsed, named from its line number (index_name.h), looked up for
 * --skip-existing and handed to the engine through its job source
 * (engine_opts.next) only when a transfer can start, so a task holds one
 * line's buffer plus its transfers in flight (at most -j), whatever the
 * list's length, and reads the list once (time linear in it).
 *
 * What the whole-list plan (get_plan.h) decides before the first byte, a
 * stream decides per line: a bad URL of this shard fails that URL
 * ("urls.txt:12: URL: reason", exit 1) instead of refusing the run, and
 * URLs of other shards are only hashed, never parsed.  Each URL's
 * credentials are looked up when it is read (get_net_url); the CA bundle
 * loads at the first https URL, and a missing one ends the run with one
 * message. */
#ifndef QV_CLI_GET_GET_STREAM_H
#define QV_CLI_GET_GET_STREAM_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/get/get_args.h"
#include "cli/get/get_run.h"
#include "cli/get/task_summary.h"
#include "cli/output.h"
#include "util/err.h"

struct get_stream;

/* Everything before the list's first line, for a (a->name_by_index): the
 * shard (into sum, have_shard set), -H/-A, the destination (not with -n),
 * the list opened, proxies and the sources of credentials.  *out is set
 * also on failure: free it with get_stream_free.  Errors QV_E_USAGE,
 * QV_E_FILE, QV_E_NOMEM. */
enum qv_err get_stream_new(struct get_stream **out, const struct get_args *a,
			   struct task_summary *sum, struct qv_error *err);
/* Free s (accepts NULL); the transfers are all over by then. */
void get_stream_free(struct get_stream *s);

/* -n: "URL<TAB>PATH" on stdout for each URL this shard would fetch; bad
 * URLs on stderr and in t->failed.  Returns QV_OK, or what ended the list
 * (a read error; QV_E_USAGE for an empty list). */
enum qv_err get_stream_dry_run(struct get_stream *s, struct get_totals *t, struct qv_error *err);

/* The run, as get_run is for a plan: transfers through the engine's job
 * source, lines through o (no progress display: the length is not known),
 * --json records on json (may be NULL).  Returns QV_OK when the run went
 * through (failures in t), QV_E_INTERRUPTED, or what ended it (err). */
enum qv_err get_stream_run(struct get_stream *s, struct cli_out *o, FILE *json,
			   const volatile sig_atomic_t *stop, struct get_totals *t,
			   struct qv_error *err);

/* The shard's URLs read so far (all of them after a run that ended). */
uint64_t get_stream_urls(const struct get_stream *s);

#endif
