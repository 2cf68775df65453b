/* fdlimit.h - the one place that tells the user when the open-file limit
 * lowers a run's concurrency (DESIGN §8): the engines lower it themselves
 * (engine_fd_cap), so transfers never fail for want of a descriptor; this
 * prints the one-line warning that says so. */
#ifndef QV_CLI_FDLIMIT_H
#define QV_CLI_FDLIMIT_H

#include <stddef.h>
#include <stdio.h>

#include "engine/engine.h"

/* Transfers at once for engine k running njobs jobs with want asked for:
 * min(want, njobs), lowered to what RLIMIT_NOFILE allows.  When it is
 * lowered, one line goes to err (NULL: silent, for -q):
 *   quiver: warning: the open-file limit (ulimit -n 64) allows 14 transfers at once, not 200 */
unsigned cli_fd_concurrency(FILE *err, enum engine_kind k, unsigned want, size_t njobs);

#endif
