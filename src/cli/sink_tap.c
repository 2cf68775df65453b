/* sink_tap.c - counting and pacing sink wrapper (see sink_tap.h). */
#include "cli/sink_tap.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"

static struct sink_tap *tap_from(struct sink *s)
{
	return (struct sink_tap *)(void *)s; /* base is the first member */
}

uint64_t sink_tap_debt_ms(struct sink_tap *t, size_t n, int64_t now_ms)
{
	/* a burst of one second's worth: smooth, yet no stall after a pause */
	double burst = (double)t->rate;

	if (now_ms > t->last_ms) {
		t->tokens += (double)t->rate * (double)(now_ms - t->last_ms) / 1000.0;
		if (t->tokens > burst)
			t->tokens = burst;
		t->last_ms = now_ms;
	}
	t->tokens -= (double)n;
	if (t->tokens >= 0)
		return 0;
	return (uint64_t)(-t->tokens * 1000.0 / (double)t->rate) + 1u;
}

/* Sleep ms in slices, giving up early when the stop flag rises. */
static void tap_sleep(const struct sink_tap *t, uint64_t ms)
{
	while (ms > 0 && (t->stop == NULL || *t->stop == 0)) {
		uint64_t slice = ms < SINK_TAP_SLEEP_SLICE_MS ? ms : SINK_TAP_SLEEP_SLICE_MS;
		struct timespec ts = {(time_t)(slice / 1000u), (long)(slice % 1000u) * 1000000L};

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR &&
		       (t->stop == NULL || *t->stop == 0))
			;
		ms -= slice;
	}
}

static enum qv_err tap_begin(struct sink *s, uint64_t offset, const struct sink_meta *meta,
			     struct qv_error *err)
{
	struct sink_tap *t = tap_from(s);

	t->tokens = 0;
	t->last_ms = clock_now_ms();
	return t->inner->ops->begin(t->inner, offset, meta, err);
}

static enum qv_err tap_write(struct sink *s, const uint8_t *p, size_t n, struct qv_error *err)
{
	struct sink_tap *t = tap_from(s);

	if (t->rate > 0)
		tap_sleep(t, sink_tap_debt_ms(t, n, clock_now_ms()));
	if (t->prog != NULL) {
		progress_bytes(t->prog, n);
		progress_tick(t->prog);
	}
	return t->inner->ops->write(t->inner, p, n, err);
}

static enum qv_err tap_commit(struct sink *s, struct qv_error *err)
{
	struct sink_tap *t = tap_from(s);

	return t->inner->ops->commit(t->inner, err);
}

static void tap_abort(struct sink *s)
{
	struct sink_tap *t = tap_from(s);

	t->inner->ops->abort(t->inner);
}

static const struct sink_ops sink_tap_ops = {
	.begin = tap_begin,
	.write = tap_write,
	.commit = tap_commit,
	.abort = tap_abort,
};

void sink_tap_init(struct sink_tap *t, struct sink *inner, struct progress *prog, uint64_t rate,
		   const volatile sig_atomic_t *stop)
{
	memset(t, 0, sizeof *t);
	t->base = *inner; /* what the transfer reads: resume, -N, rewinding */
	t->base.ops = &sink_tap_ops;
	t->inner = inner;
	t->prog = prog;
	t->rate = rate;
	t->stop = stop;
	t->last_ms = clock_now_ms();
}

struct sink *sink_tap_sink(struct sink_tap *t)
{
	return &t->base;
}
