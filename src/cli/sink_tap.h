/* sink_tap.h - a sink that passes body bytes on to another sink, counting
 * them for the progress display.  (Rate limits are the engines', on their
 * reads: engine/pace.h.) */
#ifndef QV_CLI_SINK_TAP_H
#define QV_CLI_SINK_TAP_H


#include "cli/progress.h"
#include "transfer/sink.h"

struct sink_tap {
	struct sink base;           /* first member */
	struct sink *inner;         /* not owned */
	struct progress *prog;      /* may be NULL */
};

/* Wrap inner (its struct sink fields are carried over).  No allocation. */
void sink_tap_init(struct sink_tap *t, struct sink *inner, struct progress *prog);

struct sink *sink_tap_sink(struct sink_tap *t);

#endif
