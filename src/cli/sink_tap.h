/* sink_tap.h - a sink that passes body bytes on to another sink, counting
 * them for the progress display and pacing them for --limit-rate.
 *
 * The pacing is a token bucket per transfer that sleeps in write(): the
 * engine then reads no more from that socket until the bytes are "paid for",
 * and TCP flow control slows the sender.  That is right for the seq and
 * threads engines, where each transfer has its own thread.  Under the poll
 * engine the sleep holds up the whole loop, so there --limit-rate also slows
 * the other transfers (an engine-level "resume at" time per transfer would
 * fix it; the engine interface has none yet). */
#ifndef QV_CLI_SINK_TAP_H
#define QV_CLI_SINK_TAP_H

#include <signal.h>
#include <stdint.h>

#include "cli/progress.h"
#include "transfer/sink.h"

/* Longest single sleep: the stop flag is checked at least this often, so
 * Ctrl-C is honoured quickly even at 1 byte/s. */
#define SINK_TAP_SLEEP_SLICE_MS 100

struct sink_tap {
	struct sink base;           /* first member */
	struct sink *inner;         /* not owned */
	struct progress *prog;      /* may be NULL */
	const volatile sig_atomic_t *stop; /* may be NULL */
	uint64_t rate;              /* bytes per second, 0: unlimited */
	double tokens;              /* bytes that may pass now (may go negative) */
	int64_t last_ms;            /* when tokens was last refilled */
};

/* Wrap inner (its struct sink fields are carried over).  No allocation. */
void sink_tap_init(struct sink_tap *t, struct sink *inner, struct progress *prog, uint64_t rate,
		   const volatile sig_atomic_t *stop);

struct sink *sink_tap_sink(struct sink_tap *t);

/* How long to wait before n more bytes may pass, in ms, given the bucket
 * (pure, for tests): updates tokens/last_ms as if the bytes passed. */
uint64_t sink_tap_debt_ms(struct sink_tap *t, size_t n, int64_t now_ms);

#endif
