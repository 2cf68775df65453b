/* output.h - the output policy of a command: one object that decides what is
 * printed where, so quiet means quiet in every engine (DESIGN §8, curl
 * #10573) and no escape code ever lands in a file or a pipe.
 *
 * Rules:
 * - -q: nothing but usage errors and errors that stop the run before it
 *   starts; no progress, no per-item lines, no summary.
 * - -v: one line per item; no progress display (it would fight the lines).
 * - progress: "bar" is drawn only when stderr is a terminal; asked for on a
 *   file or pipe it becomes "dot" (plain dots and counts, as wget does).
 *   The default is "bar" on a terminal and "none" elsewhere.
 * - escapes (ESC[K) only on a terminal whose TERM is not "dumb"; colour only
 *   then and when NO_COLOR is unset or empty (https://no-color.org). */
#ifndef QV_CLI_OUTPUT_H
#define QV_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/progress.h"

/* What the terminal is, probed once (cli_term_probe) or made up by tests. */
struct cli_term {
	bool err_tty;               /* stderr is a terminal */
	bool dumb;                  /* TERM is unset or "dumb" */
	bool no_color;              /* NO_COLOR is set and not empty */
	unsigned width;             /* columns, 0: unknown */
};

/* What the command line asked for. */
struct cli_out_want {
	bool quiet;
	bool verbose;
	bool progress_set;          /* --progress given */
	enum cli_progress progress;
};

struct cli_out {
	FILE *out;                  /* reports and data (stdout) */
	FILE *err;                  /* messages and progress (stderr) */
	bool quiet;
	bool verbose;
	struct progress prog;
};

void cli_term_probe(struct cli_term *t, FILE *err);

/* Parse "none", "bar" or "dot".  false when unknown. */
bool cli_progress_parse(const char *s, enum cli_progress *out);

/* The progress mode the rules above give. */
enum cli_progress cli_out_decide(const struct cli_out_want *w, const struct cli_term *t);

void cli_out_init(struct cli_out *o, FILE *out, FILE *err, const struct cli_out_want *w,
		  const struct cli_term *t);

/* A message line on err (a newline is added) unless quiet; the progress
 * line is wiped first and redrawn later. */
void cli_out_note(struct cli_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, only with -v. */
void cli_out_verbose(struct cli_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
