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
	uint64_t errs;              /* 1 << code of each failure's enum qv_err
				     * (wget's exit status ranks them) */
	size_t not_modified;        /* -N: a 304, the file left as it was */
	uint64_t bytes;
	double secs;
	bool stopped;               /* SIGINT/SIGTERM ended the run */
};

/* ---- what a run over the plan (get_run) and one over a streamed list
 * (get_stream.h) share ---- */

/* The sinks of one transfer (file or standard output, a digest when
 * hashing, behind the progress tap). */
struct get_slot;
/* A finished transfer's digests and bytes to standard output. */
struct get_outcome;
struct digest_want;

struct get_ctx {
	const struct get_args *a;
	const struct get_plan *p;   /* get_run only */
	const struct get_net *net;
	struct cli_out *o;
	FILE *json;
	const volatile sig_atomic_t *stop;
	size_t *item;               /* get_run: job -> index in p->list */
	struct get_slot **slot;     /* get_run: per job */
	struct get_slot *free_slots; /* done, ready for reuse */
	struct get_totals *t;
	struct tls_client *tls;     /* https: CA set, sessions, -k */
};

/* The sinks for a->dir/name, or standard output with -O - (a reused slot
 * or a new one), checked against want when not NULL: *slot to hand back to
 * get_finish, *out for the engine.  Errors: sink_file_open's, QV_E_NOMEM. */
enum qv_err get_slot_open(struct get_ctx *g, const char *name, const struct digest_want *want,
			  struct get_slot **slot, struct sink **out, struct qv_error *err);
/* A transfer of url into name ended (slot NULL: it never opened one): the
 * slot goes back for reuse; totals, the -v/error line, the --json record,
 * progress. */
void get_finish(struct get_ctx *g, struct get_slot *s, const char *url, const char *name,
		const struct xfer_result *res, const struct qv_error *err);
/* The --json record of url (name NULL: no file; res NULL: no transfer;
 * skipped: why it was, "exists" or "not-modified", NULL: it was not; oc
 * may be NULL). */
void get_record(struct get_ctx *g, const char *url, const char *name,
		const struct xfer_result *res, const struct qv_error *err, uint64_t ms,
		const char *skipped, const struct get_outcome *oc);
/* Abort and free a slot a run cut short left open.  Accepts NULL. */
void get_slot_abort(struct get_slot *s);
/* Free the slots kept for reuse. */
void get_slots_clear(struct get_ctx *g);
/* Transfer and engine options from the arguments, callbacks get_run's
 * (njobs: the run's length, SIZE_MAX when not known). */
void get_opts(struct get_ctx *g, size_t njobs, struct xfer_opts *xo, struct engine_opts *eo);

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
