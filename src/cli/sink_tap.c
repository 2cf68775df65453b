/* sink_tap.c - the counting sink wrapper (see sink_tap.h). */
#include "cli/sink_tap.h"

#include <string.h>

static struct sink_tap *tap_from(struct sink *s)
{
	return (struct sink_tap *)(void *)s; /* base is the first member */
}

static enum qv_err tap_begin(struct sink *s, uint64_t offset, const struct sink_meta *meta,
			     struct qv_error *err)
{
	struct sink_tap *t = tap_from(s);

	return t->inner->ops->begin(t->inner, offset, meta, err);
}

static enum qv_err tap_write(struct sink *s, const uint8_t *p, size_t n, struct qv_error *err)
{
	struct sink_tap *t = tap_from(s);

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

void sink_tap_init(struct sink_tap *t, struct sink *inner, struct progress *prog)
{
	memset(t, 0, sizeof *t);
	t->base = *inner; /* what the transfer reads: resume, -N, rewinding */
	t->base.ops = &sink_tap_ops;
	t->inner = inner;
	t->prog = prog;
}

struct sink *sink_tap_sink(struct sink_tap *t)
{
	return &t->base;
}
