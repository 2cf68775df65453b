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

#include "cli/get/get_args.h"
#include "cli/get/task_summary.h"

/* Run a (a->name_by_index) to its end: the transfers, or the URL<TAB>FILE
 * lines of -n.  Prints what get prints; fills sum (all of it but the exit
 * status and the time).  Returns the exit status: 0 all ok, 1 some
 * failed or the run could not go on, 2 usage error, 130 interrupted. */
int get_stream(const struct get_args *a, struct task_summary *sum);

#endif
