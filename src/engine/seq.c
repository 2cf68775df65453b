/* seq.c - the sequential engine (the book's flags.py): one transfer at a
 * time on the calling thread, driven by engine/blocking.h's loop, keep-alive
 * connections reused through one pool. */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine/blocking.h"
#include "engine/internal.h"
#include "net/addr.h"
#include "net/pool.h"
#include "util/clock.h"
#include "util/hash.h"

/* Read buffer: one per run, so its size costs nothing per transfer.
 * 128 KiB: a fast plain download makes one recv() and one write() per
 * 128 KiB (the file sink writes a read this large straight from here); a
 * TLS read still yields at most one record (16 KiB). */
#define SEQ_READ_BUF (128u * 1024u)
/* Parked connections: seq uses one at a time, a few cover redirects that
 * bounce between origins. */
#define SEQ_POOL_MAX 4

struct seq {
	const struct engine_opts *o;
	struct engine_stats *stats;
	struct conn_pool pool;
	struct blocking b;          /* the current transfer */
	uint8_t buf[SEQ_READ_BUF];
};

/* Names are looked up on this thread: seq has nothing else to do. */
static enum qv_err seq_resolve(void *ctx, const struct url_origin *origin, struct net_addrs *addrs,
			       struct qv_error *e)
{
	(void)ctx;
	return net_addr_resolve(origin->host, origin->port, addrs, e);
}

static const struct blocking_ops seq_ops = {NULL, seq_resolve, NULL};

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
	xfer_init(&s->b.x, o->xfer, job->url, job->url_len, sink,
		  hash_mul32((uint32_t)i) ^ (uint32_t)clock_now_ns());
	a = blocking_transfer(&s->b);
	/* Summed before done(), which may read the stats through its ctx. */
	s->stats->connections += s->b.connections;
	s->stats->reused += s->b.reused;
	s->b.connections = s->b.reused = 0;
	if (a == XFER_DONE) {
		qv_error_clear(&e);
	} else {
		e = *xfer_error(&s->b.x);
		if (e.code == QV_OK)
			(void)qv_error_set(&e, QV_E_INTERNAL, "transfer failed without an error");
		s->stats->failed++;
	}
	if (o->done != NULL)
		o->done(o->ctx, i, xfer_result(&s->b.x), &e);
}

enum qv_err engine_seq_run(const struct engine_job *jobs, size_t njobs,
			   const struct engine_opts *o, struct engine_stats *stats,
			   struct qv_error *err)
{
	struct engine_stats local;
	struct seq *s;
	enum qv_err rc = QV_OK;
	size_t i;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	/* The xfer holds URL and header buffers (tens of KiB): heap, not stack. */
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	s->o = o;
	s->stats = stats;
	conn_pool_init(&s->pool, SEQ_POOL_MAX, 0);
	blocking_init(&s->b, &seq_ops, s, o, &s->pool, s->buf, sizeof s->buf);
	for (i = 0; i < njobs; i++) {
		if (engine_flag_raised(o->stop)) {
			rc = qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
			break;
		}
		seq_job(s, &jobs[i], i);
	}
	if (rc == QV_OK && engine_flag_raised(o->stop))
		rc = qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
	conn_pool_clear(&s->pool);
	blocking_drop_conn(&s->b);
	free(s);
	return rc;
}
