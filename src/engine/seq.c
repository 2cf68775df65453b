/* seq.c - the sequential engine (the book's flags.py): one transfer at a
 * time on the calling thread, blocking waits from net/wait.h, keep-alive
 * connections reused through one pool. */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "net/addr.h"
#include "net/conn.h"
#include "net/pool.h"
#include "net/wait.h"
#include "util/clock.h"

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
	struct conn *conn;          /* the connection of the current transfer */
	bool aborted;               /* xfer_abort was called on the current one */
	struct xfer x;
	uint8_t buf[SEQ_READ_BUF];
};

static int stop_raised(const struct engine_opts *o)
{
	return o->stop != NULL && *o->stop != 0;
}

static void seq_drop_conn(struct seq *s)
{
	conn_free(s->conn);
	s->conn = NULL;
}

static void seq_abort(struct seq *s, enum qv_err code, const char *msg)
{
	if (s->aborted)
		return;
	s->aborted = true;
	xfer_abort(&s->x, code, msg);
}

/* Report a failed net call: deadline and stop end the transfer for good,
 * anything else is a transport error the machine may retry. */
static void seq_net_error(struct seq *s, const struct qv_error *e)
{
	seq_drop_conn(s);
	if (e->code == QV_E_TOTAL_TIMEOUT || e->code == QV_E_INTERRUPTED)
		seq_abort(s, e->code, e->msg);
	else
		xfer_io_error(&s->x, e->code, e->msg);
}

/* A fresh connection to origin: resolve, connect, handshake. */
static enum qv_err seq_open(struct seq *s, const struct url *origin, const struct net_wait *w,
			    struct qv_error *e)
{
	struct net_addrs addrs;
	struct conn *c = NULL;
	enum qv_err rc;

	rc = conn_new(&c, origin, s->o->tls, e);
	if (rc == QV_OK)
		rc = net_addr_resolve(origin->host, origin->port, &addrs, e);
	if (rc == QV_OK)
		rc = net_connect_blocking(c, &addrs, w, e);
	if (rc != QV_OK) {
		conn_free(c);
		return rc;
	}
	s->stats->connections++;
	s->conn = c;
	return QV_OK;
}

static void seq_connect(struct seq *s, const struct net_wait *w)
{
	const struct url *origin = xfer_origin(&s->x);
	struct qv_error e;

	seq_drop_conn(s);
	if (xfer_may_reuse(&s->x))
		s->conn = conn_pool_take(&s->pool, origin, clock_now_ms());
	if (s->conn != NULL) {
		s->stats->reused++;
		xfer_connected(&s->x, true);
		return;
	}
	qv_error_clear(&e);
	if (seq_open(s, origin, w, &e) != QV_OK)
		seq_net_error(s, &e);
	else
		xfer_connected(&s->x, false);
}

static void seq_write(struct seq *s, const struct net_wait *w)
{
	const uint8_t *p = NULL;
	size_t n = 0, sent = 0;
	struct qv_error e;

	xfer_out(&s->x, &p, &n);
	if (s->conn == NULL || n == 0) {
		xfer_io_error(&s->x, QV_E_INTERNAL, "internal error: write without data or connection");
		return;
	}
	qv_error_clear(&e);
	if (net_write_blocking(s->conn, p, n, &sent, w, &e) != QV_OK)
		seq_net_error(s, &e);
	else
		xfer_sent(&s->x, sent);
}

static void seq_read(struct seq *s, const struct net_wait *w)
{
	size_t n = 0;
	struct qv_error e;

	if (s->conn == NULL) {
		xfer_io_error(&s->x, QV_E_INTERNAL, "internal error: read without a connection");
		return;
	}
	qv_error_clear(&e);
	if (net_read_blocking(s->conn, s->buf, sizeof s->buf, &n, w, &e) != QV_OK)
		seq_net_error(s, &e);
	else if (n == 0)
		xfer_eof(&s->x);
	else
		xfer_feed(&s->x, s->buf, n);
}

static void seq_release(struct seq *s)
{
	if (s->conn != NULL && xfer_conn_reusable(&s->x)) {
		s->conn->requests++;
		conn_pool_put(&s->pool, s->conn, clock_now_ms());
		s->conn = NULL;
	}
	seq_drop_conn(s);
	xfer_released(&s->x);
}

static void seq_wait(struct seq *s, const struct net_wait *w)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (net_sleep_until(xfer_wake_at(&s->x), w, &e) != QV_OK)
		seq_abort(s, e.code, e.msg);
}

/* Drive one transfer to XFER_DONE or XFER_FAILED. */
static enum xfer_action seq_transfer(struct seq *s, int64_t start_ms)
{
	const struct engine_opts *o = s->o;
	struct net_wait w = {o->connect_timeout_ms, o->idle_timeout_ms, 0, o->max_time_ms, o->stop};
	s->aborted = false;
	if (o->max_time_ms != 0)
		w.max_at_ms = start_ms + o->max_time_ms;
	for (;;) {
		int64_t now = clock_now_ms();
		enum xfer_action a;

		if (!s->aborted && stop_raised(o)) {
			seq_abort(s, QV_E_INTERRUPTED, "interrupted");
		} else if (!s->aborted && w.max_at_ms != 0 && now >= w.max_at_ms) {
			struct qv_error e;

			(void)conn_timeout_error(NULL, QV_E_TOTAL_TIMEOUT, o->max_time_ms, &e);
			seq_abort(s, e.code, e.msg);
		}
		a = xfer_next(&s->x, now);
		/* After an abort the machine owes no more I/O; never loop on it. */
		if (s->aborted && a != XFER_RELEASE && a != XFER_DONE)
			a = XFER_FAILED;
		switch (a) {
		case XFER_CONNECT:
			seq_connect(s, &w);
			break;
		case XFER_WRITE:
			seq_write(s, &w);
			break;
		case XFER_READ:
			seq_read(s, &w);
			break;
		case XFER_RELEASE:
			seq_release(s);
			break;
		case XFER_WAIT:
			seq_wait(s, &w);
			break;
		case XFER_DONE:
		case XFER_FAILED:
			seq_drop_conn(s);
			return a;
		}
	}
}

/* Run job i and report it. */
static void seq_job(struct seq *s, const struct engine_job *job, size_t i)
{
	const struct engine_opts *o = s->o;
	struct sink *sink = job->sink;
	struct qv_error e;
	enum xfer_action a;

	qv_error_clear(&e);
	s->stats->started++;
	if (sink == NULL && (o->sink_open == NULL ||
			     o->sink_open(o->ctx, i, &sink, &e) != QV_OK || sink == NULL)) {
		struct xfer_result none;

		if (e.code == QV_OK)
			(void)qv_error_set(&e, QV_E_INTERNAL, "no sink for job %zu", i);
		memset(&none, 0, sizeof none);
		s->stats->failed++;
		if (o->done != NULL)
			o->done(o->ctx, i, &none, &e);
		return;
	}
	xfer_init(&s->x, o->xfer, job->url, job->url_len, sink,
		  (uint32_t)(i * 2654435761u) ^ (uint32_t)clock_now_ns());
	a = seq_transfer(s, clock_now_ms());
	if (a == XFER_DONE) {
		qv_error_clear(&e);
	} else {
		e = *xfer_error(&s->x);
		if (e.code == QV_OK)
			(void)qv_error_set(&e, QV_E_INTERNAL, "transfer failed without an error");
		s->stats->failed++;
	}
	if (o->done != NULL)
		o->done(o->ctx, i, xfer_result(&s->x), &e);
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
	for (i = 0; i < njobs; i++) {
		if (stop_raised(o)) {
			rc = qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
			break;
		}
		seq_job(s, &jobs[i], i);
	}
	if (rc == QV_OK && stop_raised(o))
		rc = qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
	conn_pool_clear(&s->pool);
	seq_drop_conn(s);
	free(s);
	return rc;
}
