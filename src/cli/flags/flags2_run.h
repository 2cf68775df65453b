/* flags2_run.h - one flags2 / flags3 download run: the engine callbacks that
 * classify each code (OK, not found, error), the -v lines, the progress
 * display, and flags3's metadata step. */
#ifndef QV_CLI_FLAGS_FLAGS2_RUN_H
#define QV_CLI_FLAGS_FLAGS2_RUN_H

#include <signal.h>

#include "cli/flags/flags2_args.h"
#include "cli/flags/flags2_report.h"
#include "cli/output.h"

/* A metadata.json bigger than this is not the book's (those are < 100
 * bytes): refusing it bounds the memory a hostile server can make us hold. */
#define FLAGS3_META_MAX 4096u

struct flags2_result {
	struct flags2_counts counts;
	double secs;
	struct qv_error err;        /* run-level failure (directory, memory) */
};

/* Download a->codes into a->dir, printing -v lines on o->out and progress
 * on o->err.  Returns QV_OK when the run went through (see res->counts),
 * QV_E_INTERRUPTED when stop was raised, or a run-level error in res->err. */
enum qv_err flags2_run(const struct flags2_args *a, struct cli_out *o,
		       const volatile sig_atomic_t *stop, struct flags2_result *res);

/* flags3's file name for a decoded country name: spaces become '_', ".gif"
 * is appended, and the result must pass fname_check (QV_E_NAME otherwise).
 * out holds FNAME_MAX + 1 bytes. */
enum qv_err flags3_file_name(const char *country, size_t len, char *out, size_t cap,
			     struct qv_error *err);

/* The whole flags2 (flags3 when true) command: parse, report, run; returns
 * the exit status.  In cmd_flags2.c. */
int flags2_command(bool flags3, int argc, char **argv);

#endif
