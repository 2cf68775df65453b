/* seq.c - the sequential engine (the book's flags.py): one transfer at a
 * time on the calling thread, driven by engine/blocking.h's loop, keep-alive
 * connections reused through one pool. */
#include "engine/internal.h"

#include <stdlib.h>

#include "engine/blocking.h"
#include "net/addr.h"
#include "net/pool.h"

struct seq {
	const struct engine_opts *o;
	struct engine_stats *stats;
	struct conn_pool pool;
	struct blocking b;          /* the current transfer */
	uint8_t buf[ENGINE_READ_BUF];
};

/* Names are looked up on this thread: seq has nothing else to do. */
static enum qv_err seq_resolve(void *ctx, const struct url_origin *origin, struct net_addrs *addrs,
			       struct qv_error *e)
{
	(void)ctx;
	return net_addr_resolve(origin->host, origin->port, addrs, e);
}

static const struct blocking_ops seq_ops = {NULL, seq_resolve, NULL, NULL, NULL};

/* Run job i and report it. */
static void seq_job(struct seq *s, const struct engine_job *job, size_t i)
{
	const struct engine_opts *o = s->o;
	struct sink *sink;
	struct qv_error e;
	enum xfer_action a;

	s->stats->started++;
	if (!engine_job_sink(o, job, i, s->stats, &sink))
		return;
	engine_xfer_start(&s->b.x, o, job, i, sink);
	a = blocking_transfer(&s->b);
	/* Summed before done(), which may read the stats through its ctx. */
	s->stats->connections += s->b.connections;
	s->stats->reused += s->b.reused;
	s->b.connections = s->b.reused = 0;
	if (!engine_xfer_outcome(&s->b.x, a, &e))
		s->stats->failed++;
	if (o->done != NULL)
		o->done(o->ctx, i, xfer_result(&s->b.x), &e);
}

enum qv_err engine_seq_run(struct engine_feed *f, const struct engine_opts *o,
			   struct engine_stats *stats, struct qv_error *err)
{
	struct engine_job job;
	struct seq *s;
	size_t i;

	/* The xfer holds URL and header buffers (tens of KiB): heap, not stack. */
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	s->o = o;
	s->stats = stats;
	conn_pool_init(&s->pool, ENGINE_SEQ_POOL_MAX, 0);
	blocking_init(&s->b, &seq_ops, s, o, &s->pool, s->buf, sizeof s->buf);
	/* the stop flag first: a job taken is a job run; nothing is in
	 * flight here, so LATER is asked again at once */
	while (!engine_flag_raised(o->stop) && engine_feed_more(f))
		if (engine_feed_take(f, &job, &i) == ENGINE_NEXT_JOB)
			seq_job(s, &job, i);
	conn_pool_clear(&s->pool);
	blocking_drop_conn(&s->b);
	free(s);
	return QV_OK;
}
