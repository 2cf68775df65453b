/* blocking.c - driving one transfer's I/O on a blocking-style thread with
 * poll-based timeouts: xfer_next's steps carried out with the blocking
 * waits of net/wait.h, stop and --max-time checked between steps.  Shared
 * by the seq engine (seq.c) and the threads engine's workers (threads.c). */
#include "engine/blocking.h"

#include "engine/internal.h"
#include "util/clock.h"

void blocking_init(struct blocking *b, const struct blocking_ops *ops, void *ctx,
		   const struct engine_opts *o, struct conn_pool *pool, uint8_t *buf,
		   size_t buf_len)
{
	b->ops = ops;
	b->ctx = ctx;
	b->o = o;
	b->pool = pool;
	b->buf = buf;
	b->buf_len = buf_len;
	b->conn = NULL;
	b->aborted = false;
	b->active = NULL;
	b->connections = 0;
	b->reused = 0;
}

void blocking_drop_conn(struct blocking *b)
{
	conn_free(b->conn);
	b->conn = NULL;
}

static void blocking_release_slot(struct blocking *b)
{
	if (b->ops->release != NULL)
		b->ops->release(b->ctx);
}

static void blocking_abort(struct blocking *b, enum qv_err code, const char *msg)
{
	if (b->aborted)
		return;
	b->aborted = true;
	xfer_abort(&b->x, code, msg);
}

/* Report a failed net call: deadline and stop end the transfer for good,
 * anything else is a transport error the machine may retry. */
static void blocking_net_error(struct blocking *b, const struct qv_error *e)
{
	blocking_drop_conn(b);
	if (e->code == QV_E_TOTAL_TIMEOUT || e->code == QV_E_INTERRUPTED)
		blocking_abort(b, e->code, e->msg);
	else
		xfer_io_error(&b->x, e->code, e->msg);
}

/* A fresh connection for route r: resolve its peer, connect, handshake
 * (direct https). */
static enum qv_err blocking_open(struct blocking *b, const struct route *r,
				 const struct net_wait *w, struct qv_error *e)
{
	struct net_addrs addrs;
	struct conn *c = NULL;
	enum qv_err rc;

	rc = conn_new(&c, r, b->o->tls, e);
	if (rc == QV_OK)
		rc = b->ops->resolve(b->ctx, &r->peer, &addrs, e);
	if (rc == QV_OK)
		rc = net_connect_blocking(c, &addrs, b->o->family, w, e);
	if (rc != QV_OK) {
		conn_free(c);
		return rc;
	}
	b->connections++;
	b->conn = c;
	return QV_OK;
}

static void blocking_connect(struct blocking *b, struct net_wait *w)
{
	const struct route *r = xfer_route(&b->x);
	const struct url_origin *origin = &r->origin;
	struct qv_error e;
	enum qv_err rc;

	blocking_drop_conn(b);
	qv_error_clear(&e);
	if (b->ops->acquire != NULL && b->ops->acquire(b->ctx, origin, w, &e) != QV_OK) {
		blocking_net_error(b, &e);
		return;
	}
	if (xfer_may_reuse(&b->x))
		b->conn = conn_pool_take(b->pool, r, clock_now_ms());
	if (b->conn != NULL) {
		b->reused++;
		xfer_connected(&b->x, true);
		return;
	}
	if (b->ops->tls_gate != NULL && b->ops->tls_gate(b->ctx, r, w, &e) != QV_OK) {
		blocking_release_slot(b);
		blocking_net_error(b, &e);
		return;
	}
	/* one connect budget from here: TCP, a CONNECT exchange, TLS */
	b->connect_at = b->o->connect_timeout_ms != 0 ? clock_now_ms() + b->o->connect_timeout_ms : 0;
	w->connect_at_ms = b->connect_at;
	rc = blocking_open(b, r, w, &e);
	if (b->ops->tls_done != NULL)
		b->ops->tls_done(b->ctx);
	if (rc != QV_OK) {
		/* No xfer_connected, so no XFER_RELEASE: give the slot back now. */
		blocking_release_slot(b);
		blocking_net_error(b, &e);
	} else {
		xfer_connected(&b->x, false);
	}
}

/* XFER_TLS: TLS to the origin through the tunnel just opened. */
static void blocking_tls(struct blocking *b, const struct net_wait *w)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (b->conn == NULL) {
		xfer_io_error(&b->x, QV_E_INTERNAL, "internal error: TLS without a connection");
		return;
	}
	if (conn_start_tls(b->conn, b->o->tls, &e) != QV_OK ||
	    net_handshake_blocking(b->conn, w, &e) != QV_OK)
		blocking_net_error(b, &e);
	else
		xfer_tls_done(&b->x);
}

static void blocking_write(struct blocking *b, const struct net_wait *w)
{
	const uint8_t *p = NULL;
	size_t n = 0, sent = 0;
	struct qv_error e;

	xfer_out(&b->x, &p, &n);
	if (b->conn == NULL || n == 0) {
		xfer_io_error(&b->x, QV_E_INTERNAL, "internal error: write without data or connection");
		return;
	}
	qv_error_clear(&e);
	if (net_write_blocking(b->conn, p, n, &sent, w, &e) != QV_OK)
		blocking_net_error(b, &e);
	else
		xfer_sent(&b->x, sent);
}

/* How much the next read may take under the rate limits, after sleeping
 * until it may take some; 0 when the sleep was cut short (told). */
static size_t blocking_pace(struct blocking *b, const struct net_wait *w)
{
	const struct engine_opts *o = b->o;
	unsigned active = b->active != NULL ? __atomic_load_n(b->active, __ATOMIC_RELAXED) : 1u;

	for (;;) {
		int64_t now = clock_now_ms(), wait;
		size_t n;
		struct qv_error e;

		pace_set_rate(&b->pace, o->rate_limit, o->rate_limit_total, active, now);
		n = pace_take(&b->pace, now, b->buf_len, &wait);
		if (n > 0)
			return n;
		qv_error_clear(&e);
		if (net_sleep_until(wait, w, &e) != QV_OK) {
			blocking_abort(b, e.code, e.msg);
			return 0;
		}
	}
}

static void blocking_read(struct blocking *b, const struct net_wait *w)
{
	size_t n = 0, allowed;
	struct qv_error e;

	if (b->conn == NULL) {
		xfer_io_error(&b->x, QV_E_INTERNAL, "internal error: read without a connection");
		return;
	}
	allowed = blocking_pace(b, w);
	if (allowed == 0)
		return;
	qv_error_clear(&e);
	if (net_read_blocking(b->conn, b->buf, allowed, &n, w, &e) != QV_OK)
		blocking_net_error(b, &e);
	else if (n == 0)
		xfer_eof(&b->x);
	else
		xfer_feed(&b->x, b->buf, n);
	pace_give_back(&b->pace, allowed, n);
}

static void blocking_release(struct blocking *b)
{
	if (b->conn != NULL && xfer_conn_reusable(&b->x)) {
		b->conn->requests++;
		conn_pool_put(b->pool, b->conn, clock_now_ms());
		b->conn = NULL;
	}
	blocking_drop_conn(b);
	blocking_release_slot(b);
	xfer_released(&b->x);
}

static void blocking_wait(struct blocking *b, const struct net_wait *w)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (net_sleep_until(xfer_wake_at(&b->x), w, &e) != QV_OK)
		blocking_abort(b, e.code, e.msg);
}

/* Abort for a stop or the --max-time deadline, checked between steps. */
static void blocking_check_abort(struct blocking *b, const struct net_wait *w, int64_t now)
{
	const struct engine_opts *o = b->o;

	if (b->aborted)
		return;
	if (engine_flag_raised(o->stop)) {
		blocking_abort(b, QV_E_INTERRUPTED, "interrupted");
	} else if (w->max_at_ms != 0 && now >= w->max_at_ms) {
		struct qv_error e;

		(void)conn_timeout_error(NULL, QV_E_TOTAL_TIMEOUT, o->max_time_ms, &e);
		blocking_abort(b, e.code, e.msg);
	}
}

enum xfer_action blocking_transfer(struct blocking *b)
{
	const struct engine_opts *o = b->o;
	struct net_wait w = {o->connect_timeout_ms, o->idle_timeout_ms, 0, 0, o->max_time_ms, o->stop};

	b->aborted = false;
	pace_init(&b->pace, b->buf_len, clock_now_ms());
	if (o->max_time_ms != 0)
		w.max_at_ms = clock_now_ms() + o->max_time_ms;
	for (;;) {
		int64_t now = clock_now_ms();
		enum xfer_action a;

		blocking_check_abort(b, &w, now);
		a = xfer_next(&b->x, now);
		/* a CONNECT exchange and its handshake are timed as the connect */
		w.connect_at_ms = xfer_connecting(&b->x) ? b->connect_at : 0;
		/* After an abort the machine owes no more I/O; never loop on it. */
		if (b->aborted && a != XFER_RELEASE && a != XFER_DONE)
			a = XFER_FAILED;
		switch (a) {
		case XFER_CONNECT:
			blocking_connect(b, &w);
			break;
		case XFER_WRITE:
			blocking_write(b, &w);
			break;
		case XFER_READ:
			blocking_read(b, &w);
			break;
		case XFER_TLS:
			blocking_tls(b, &w);
			break;
		case XFER_RELEASE:
			blocking_release(b);
			break;
		case XFER_WAIT:
			blocking_wait(b, &w);
			break;
		case XFER_DONE:
		case XFER_FAILED:
			blocking_drop_conn(b);
			blocking_release_slot(b);
			return a;
		}
	}
}
