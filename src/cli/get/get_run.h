/* get_run.h - running a `get` plan: the engine callbacks (sinks opened per
 * transfer, results as they complete), per-file lines, --json records, the
 * progress display and the closing summary. */
#ifndef QV_CLI_GET_GET_RUN_H
#define QV_CLI_GET_GET_RUN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/get/get_args.h"
#include "cli/get/get_net.h"
#include "cli/get/get_plan.h"
#include "cli/output.h"

struct get_totals {
	size_t ok, failed, skipped, interrupted;
	size_t not_modified;        /* -N: a 304, the file left as it was */
	uint64_t bytes;
	double secs;
	bool stopped;               /* SIGINT/SIGTERM ended the run */
};

/* Run plan p with the proxies and credentials of net.  json may be NULL.
 * Returns QV_OK when the run went through (see t for failures),
 * QV_E_INTERRUPTED, or a run-level error in err. */
enum qv_err get_run(const struct get_args *a, const struct get_plan *p, const struct get_net *net,
		    struct cli_out *o, FILE *json, const volatile sig_atomic_t *stop,
		    struct get_totals *t, struct qv_error *err);

/* "3 files downloaded (1.2 MiB in 0.42s, 2.9 MiB/s); 1 failed; 4 not
 * modified; 2 skipped",
 * prefixed "interrupted: " after a signal. */
void get_summary(FILE *f, const struct get_totals *t);

#endif
