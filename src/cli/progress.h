/* progress.h - the progress display on stderr: a one-line bar redrawn in
 * place (count, percent, bytes, rate, ETA) or a line of dots, one per
 * finished item.
 *
 * Bytes are counted from the transfer threads (sink writes), so the counters
 * sit behind a lock and any thread may trigger a redraw; a redraw happens at most
 * PROGRESS_REDRAW_MS apart and only one thread draws at a time (a thread
 * that finds the line busy skips its turn).  Whether to draw at all, and
 * with which escapes, is the output policy's decision (output.h): this file
 * only draws what it is told. */
#ifndef QV_CLI_PROGRESS_H
#define QV_CLI_PROGRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_progress { CLI_PROGRESS_NONE = 0, CLI_PROGRESS_BAR, CLI_PROGRESS_DOT };

/* At most 10 redraws a second: smooth to the eye, negligible cost. */
#define PROGRESS_REDRAW_MS 100
/* Dots per line in dot mode, then the count. */
#define PROGRESS_DOTS_PER_LINE 50
/* A bar line is at most this wide, whatever the terminal. */
#define PROGRESS_LINE_MAX 160

/* The numbers one drawing shows. */
struct progress_view {
	uint64_t done, total, bytes;
	double elapsed_s;
	bool final;                 /* the run is over: show the time taken */
};

struct progress {
	FILE *f;
	enum cli_progress mode;
	bool ansi;                  /* may use ESC[K to clear the line */
	bool color;                 /* may colour the bar */
	unsigned width;             /* terminal columns */
	uint64_t total;
	int64_t start_ms;
	/* The counters are 64-bit and not every target has lock-free 64-bit
	 * atomics (32-bit MIPS has 4-byte ones only), so a spin lock guards
	 * them: atomic_flag is lock-free on every C11 target, and it is held
	 * for a few instructions. */
	atomic_flag counters;       /* guards done, bytes and next_ms */
	uint64_t done;
	uint64_t bytes;
	int64_t next_ms;            /* no redraw before this */
	atomic_flag busy;           /* one drawer at a time */
	/* owned by whoever holds busy */
	size_t shown;               /* columns of the bar on the line, 0: none */
	unsigned dots;              /* dots on the current line */
};

/* mode NONE makes every other call a no-op. */
void progress_init(struct progress *p, FILE *f, enum cli_progress mode, bool ansi, bool color,
		   unsigned width);
/* total items of the run; starts the clock. */
void progress_start(struct progress *p, uint64_t total);
/* Body bytes arrived (any thread). */
void progress_bytes(struct progress *p, uint64_t n);
/* An item reached its outcome (a dot in dot mode). */
void progress_item_done(struct progress *p);
/* Redraw if the last one is PROGRESS_REDRAW_MS old (any thread). */
void progress_tick(struct progress *p);
/* Final drawing, then end the line. */
void progress_finish(struct progress *p);

/* Take the line for a message: the bar is wiped (or the dot line ended) and
 * stays off until progress_resume; the next tick redraws it. */
void progress_hold(struct progress *p);
void progress_resume(struct progress *p);

/* The bar text for v in at most width - 1 columns (so the cursor never
 * wraps), with colour escapes when color.  Returns its length in bytes;
 * *cols gets its width in columns. */
size_t progress_format(char *out, size_t cap, const struct progress_view *v, unsigned width,
		       bool color, size_t *cols);

#endif
