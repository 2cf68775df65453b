/* poll.c - the poll engine (the book's flags_asyncio.py): one thread, one
 * evloop, non-blocking sockets; every transfer is the transfer machine of
 * transfer.h driven from fd and timer callbacks.  This file drives the
 * machine (reads, writes, backoff, release, the end of a job), admits jobs
 * into slots and runs the loop; poll_connect.c gets a transfer connected
 * (poll.h holds what they share).
 *
 * A transfer slot waits in exactly one place at a time (enum lp_phase): a
 * per-host queue, a name lookup, a connect, the socket, or a timer.  Each
 * wait has a deadline on the evloop's timer heap, so a stalled peer costs
 * no CPU and is cut at its deadline.
 *
 * Connections: a per-host cap, one keep-alive pool, and a "spare": a slot
 * keeps its finished job's connection for the next job it runs, so a run of
 * thousands of transfers to one server reuses every connection even past
 * the pool's bound.  Callbacks (sink_open, done) run on this thread; a
 * finished slot is refilled from a 0 ms timer, never from inside another
 * callback. */
#include "engine/poll.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "net/wait.h"
#include "util/clock.h"

/* Reads one transfer may do before giving way to the others: at most
 * 1 MiB plain or 128 KiB TLS, so a fast download cannot starve a thousand
 * slow ones. */
#define LP_READS_PER_TURN 8u

/* Alignment and size granule of a slot's memory: the common page size. */
#define LP_SLOT_ALIGN 4096u

static void lp_on_timer(struct evloop *loop, void *arg);

/* ---- timers and fd interest ---- */

void lp_timer_clear(struct lp_xfer *t)
{
	if (t->timer != 0)
		(void)evloop_timer_cancel(t->lp->loop, t->timer);
	t->timer = 0;
}

bool lp_timer_at(struct lp_xfer *t, int64_t due, bool lazy)
{
	int64_t now = clock_now_ms();

	if (t->timer != 0 && (t->timer_due == due || (lazy && t->timer_due <= due)))
		return true;
	lp_timer_clear(t);
	t->timer_due = due;
	if (evloop_timer_add(t->lp->loop, due > now ? due - now : 0, lp_on_timer, t, &t->timer,
			     NULL) == QV_OK)
		return true;
	t->lp->oom = true; /* the run loop ends the run */
	return false;
}

void lp_unwatch(struct lp_xfer *t)
{
	if (t->reg_fd >= 0)
		evloop_fd_del(t->lp->loop, t->reg_fd);
	t->reg_fd = -1;
}

bool lp_watch(struct lp_xfer *t, unsigned mask)
{
	int fd = t->conn->fd;

	if (t->reg_fd != fd) {
		lp_unwatch(t);
		if (evloop_fd_add(t->lp->loop, fd, mask, lp_on_io, t, NULL) != QV_OK)
			return false;
		t->reg_fd = fd;
		return true;
	}
	evloop_fd_set(t->lp->loop, fd, mask);
	return true;
}

void lp_conn_close(struct lp_xfer *t)
{
	lp_unwatch(t);
	lp_race_unwatch(t);
	conn_free(t->conn);
	t->conn = NULL;
}

/* ---- moving bytes ---- */

/* A transport error on an established connection: close it (the machine
 * still sends XFER_RELEASE, which then finds nothing to pool). */
static void lp_net_error(struct lp_xfer *t, const struct qv_error *e)
{
	lp_conn_close(t);
	xfer_io_error(&t->x, e->code, e->msg);
}

/* Wait for the socket; false (and the error told) when the loop cannot. */
static bool lp_wait_io(struct lp_xfer *t, enum conn_status st)
{
	uint32_t idle = t->lp->o->idle_timeout_ms;
	/* a CONNECT exchange is timed as part of the connect */
	int64_t due = xfer_connecting(&t->x) ? t->connect_deadline
		      : idle != 0            ? t->last_progress + idle
					     : 0;
	struct qv_error e;

	t->phase = LP_IO;
	if (lp_watch(t, lp_mask(st)) && (due == 0 || lp_timer_at(t, due, true)))
		return true;
	(void)qv_error_set(&e, QV_E_NOMEM, "out of memory in the event loop");
	t->phase = LP_RUN;
	lp_net_error(t, &e);
	return false;
}

/* XFER_WRITE.  True when the transfer can go on at once. */
static bool lp_write(struct lp_xfer *t)
{
	const uint8_t *p = NULL;
	size_t n = 0, sent = 0;
	struct qv_error e;
	enum conn_status st;

	xfer_out(&t->x, &p, &n);
	if (t->conn == NULL || n == 0) {
		xfer_io_error(&t->x, QV_E_INTERNAL, "internal error: write without data or connection");
		return true;
	}
	qv_error_clear(&e);
	st = conn_write(t->conn, p, n, &sent, &e);
	if (st == CONN_OK) {
		t->last_progress = clock_now_ms();
		xfer_sent(&t->x, sent);
		return true;
	}
	if (st == CONN_WANT_READ || st == CONN_WANT_WRITE) {
		t->wants_write = true;
		return !lp_wait_io(t, st);
	}
	if (e.code == QV_OK)
		(void)qv_error_set(&e, QV_E_IO, "write failed");
	lp_net_error(t, &e);
	return true;
}

/* XFER_READ.  True when the transfer can go on at once. */
/* The bytes the next read may take under the rate limits, or 0 when a
 * timer now holds it (LP_PACE) or, without memory for the timer, the
 * transfer was aborted (phase LP_RUN). */
static size_t lp_pace(struct lp_xfer *t)
{
	const struct engine_opts *o = t->lp->o;
	int64_t now = clock_now_ms(), wait;
	size_t n;

	pace_set_rate(&t->pace, o->rate_limit, o->rate_limit_total, t->lp->active, now);
	n = pace_take(&t->pace, now, sizeof t->lp->buf, &wait);
	if (n > 0)
		return n;
	t->phase = LP_PACE;
	if (!lp_timer_at(t, wait, false)) {
		t->phase = LP_RUN;
		xfer_abort(&t->x, QV_E_NOMEM, "out of memory for a timer");
		t->aborted = true;
	}
	return 0;
}

static bool lp_read(struct lp_xfer *t)
{
	size_t n = 0, allowed;
	struct qv_error e;
	enum conn_status st;

	if (t->conn == NULL) {
		xfer_io_error(&t->x, QV_E_INTERNAL, "internal error: read without a connection");
		return true;
	}
	allowed = lp_pace(t);
	if (allowed == 0)
		return t->phase != LP_PACE; /* waiting, or failed and told */
	qv_error_clear(&e);
	st = conn_read(t->conn, t->lp->buf, allowed, &n, &e);
	pace_give_back(&t->pace, allowed, n);
	switch (st) {
	case CONN_OK:
		t->last_progress = clock_now_ms();
		xfer_feed(&t->x, t->lp->buf, n);
		return true;
	case CONN_EOF:
		xfer_eof(&t->x);
		return true;
	case CONN_WANT_READ:
	case CONN_WANT_WRITE:
		t->wants_write = false;
		return !lp_wait_io(t, st);
	case CONN_ERROR:
	default:
		if (e.code == QV_OK)
			(void)qv_error_set(&e, QV_E_IO, "read failed");
		lp_net_error(t, &e);
		return true;
	}
}

/* XFER_RELEASE: park a reusable connection (as this slot's spare when more
 * jobs are coming, else in the pool), close any other. */
static void lp_release(struct lp_xfer *t)
{
	struct lp *lp = t->lp;
	struct conn *c = t->conn;

	lp_unwatch(t);
	t->conn = NULL;
	if (c != NULL && xfer_conn_reusable(&t->x)) {
		c->requests++;
		/* A spare sits idle while its slot's next job waits for the host:
		 * with waiters, pool it so the one taking the slot gets it. */
		if (t->spare == NULL && engine_feed_more(lp->feed) && !lp->stopping &&
		    (t->host == NULL || !lp_host_has_waiters(t->host))) {
			c->idle_since_ms = clock_now_ms();
			t->spare = c;
		} else {
			conn_pool_put(&lp->pool, c, clock_now_ms());
		}
	} else {
		conn_free(c);
	}
	lp_host_release(t);
	xfer_released(&t->x);
}

/* ---- a transfer's life ---- */

static void lp_schedule_admit(struct lp *lp);

static void lp_finish(struct lp_xfer *t, enum xfer_action a)
{
	struct lp *lp = t->lp;
	const struct engine_opts *o = lp->o;
	struct qv_error e;

	lp_timer_clear(t);
	if (t->max_timer != 0)
		(void)evloop_timer_cancel(lp->loop, t->max_timer);
	t->max_timer = 0;
	lp_conn_close(t);     /* the machine holds none now; belt and braces */
	lp_host_release(t);
	if (!engine_feed_more(lp->feed) || lp->stopping) {
		conn_pool_put(&lp->pool, t->spare, clock_now_ms());
		t->spare = NULL;
	}
	if (!engine_xfer_outcome(&t->x, a, &e))
		lp->stats->failed++;
	t->phase = LP_FREE;
	lp->active--;
	lp->free_slots[lp->nfree++] = t->slot;
	if (o->done != NULL)
		o->done(o->ctx, t->index, xfer_result(&t->x), &e);
	lp_schedule_admit(lp);
}

static void lp_backoff(struct lp_xfer *t)
{
	t->phase = LP_BACKOFF;
	if (!lp_timer_at(t, xfer_wake_at(&t->x), false)) {
		t->phase = LP_RUN;
		xfer_abort(&t->x, QV_E_NOMEM, "out of memory for a timer");
		t->aborted = true;
	}
}

void lp_drive(struct lp_xfer *t)
{
	bool sent = false; /* the last action wrote: the answer is not in yet */

	t->reads = 0;
	for (;;) {
		bool just_sent = sent;
		enum xfer_action a;

		sent = false;
		t->phase = LP_RUN;
		a = xfer_next(&t->x, clock_now_ms());
		/* After an abort the machine owes no more I/O; never loop on it. */
		if (t->aborted && a != XFER_RELEASE && a != XFER_DONE)
			a = XFER_FAILED;
		switch (a) {
		case XFER_CONNECT:
			if (!lp_connect(t))
				return;
			break;
		case XFER_WRITE:
			if (!lp_write(t))
				return;
			sent = true;
			break;
		case XFER_READ:
			/* Right after the request the server has not answered:
			 * a recv() now would only say EAGAIN (one wasted syscall
			 * per file), so wait for the socket.  Plain TCP only: TLS
			 * may hold a decrypted record that no poll would report. */
			if (just_sent && t->conn != NULL && t->conn->tls == NULL) {
				t->wants_write = false;
				if (lp_wait_io(t, CONN_WANT_READ))
					return;
				break;
			}
			if (t->reads++ >= LP_READS_PER_TURN) {
				t->phase = LP_YIELD;
				if (lp_timer_at(t, clock_now_ms(), false))
					return;
				t->phase = LP_RUN;
			}
			if (!lp_read(t))
				return;
			break;
		case XFER_TLS:
			if (!lp_tls(t))
				return;
			break;
		case XFER_RELEASE:
			lp_release(t);
			break;
		case XFER_WAIT:
			lp_backoff(t);
			if (t->phase == LP_BACKOFF)
				return;
			break;
		case XFER_DONE:
		case XFER_FAILED:
			lp_finish(t, a);
			return;
		}
	}
}

/* Take t out of whatever it waits on and fail it without a retry. */
static void lp_abort(struct lp_xfer *t, enum qv_err code, const char *msg)
{
	if (t->phase == LP_FREE || t->aborted)
		return;
	t->aborted = true;
	lp_timer_clear(t);
	lp_connect_abandon(t);
	xfer_abort(&t->x, code, msg);
	lp_drive(t);
}

static void lp_on_max(struct evloop *loop, void *arg)
{
	struct lp_xfer *t = arg;
	struct qv_error e;

	(void)loop;
	t->max_timer = 0;
	(void)conn_timeout_error(NULL, QV_E_TOTAL_TIMEOUT, t->lp->o->max_time_ms, &e);
	lp_abort(t, e.code, e.msg);
}

static void lp_idle_timer(struct lp_xfer *t, int64_t now)
{
	uint32_t idle = t->lp->o->idle_timeout_ms;
	struct qv_error e;

	if (xfer_connecting(&t->x) && t->connect_deadline != 0) {
		if (now < t->connect_deadline) {
			(void)lp_timer_at(t, t->connect_deadline, false);
			return;
		}
		(void)conn_timeout_error(t->conn, QV_E_CONNECT_TIMEOUT,
					 t->lp->o->connect_timeout_ms, &e);
		t->phase = LP_RUN;
		lp_net_error(t, &e);
		lp_drive(t);
		return;
	}
	if (idle == 0)
		return;
	if (now < t->last_progress + idle) {
		(void)lp_timer_at(t, t->last_progress + idle, false);
		return;
	}
	(void)conn_timeout_error(t->conn, t->wants_write ? QV_E_WRITE_TIMEOUT : QV_E_READ_TIMEOUT,
				 idle, &e);
	t->phase = LP_RUN;
	lp_net_error(t, &e);
	lp_drive(t);
}

static void lp_on_timer(struct evloop *loop, void *arg)
{
	struct lp_xfer *t = arg;
	int64_t now = clock_now_ms();

	(void)loop;
	t->timer = 0;
	switch (t->phase) {
	case LP_RESOLVING:
	case LP_CONNECTING:
	case LP_HANDSHAKE:
		lp_connect_on_timer(t, now);
		break;
	case LP_IO:
		lp_idle_timer(t, now);
		break;
	case LP_TLSWAIT:
		lp_tls_wait_over(t);
		lp_drive(t);
		break;
	case LP_PACE:
		/* the idle timeout counts from the end of the wait we imposed */
		t->last_progress = now;
		lp_drive(t);
		break;
	case LP_BACKOFF:
	case LP_YIELD:
		lp_drive(t);
		break;
	case LP_FREE:
	case LP_RUN:
	case LP_HOSTWAIT:
	default:
		break;
	}
}

void lp_on_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct lp_xfer *t = arg;

	(void)events;
	switch (t->phase) {
	case LP_CONNECTING:
	case LP_HANDSHAKE:
		lp_connect_on_io(t, fd);
		break;
	case LP_IO:
		lp_drive(t);
		break;
	default:
		/* Nobody waits on it: stop a level-triggered poll from spinning. */
		evloop_fd_set(loop, fd, 0);
		break;
	}
}

/* ---- admission: start jobs while slots are free ---- */

/* A free slot (set up on first use), or NULL when none is left. */
static struct lp_xfer *lp_slot_get(struct lp *lp)
{
	struct lp_xfer *t;

	if (lp->nfree > 0)
		return lp->slots[lp->free_slots[--lp->nfree]];
	if (lp->nalloc >= lp->nslots || lp->slots == NULL)
		return NULL;
	/* Only the fields before the machine are zeroed: xfer_init writes what
	 * it needs of its text buffer, the rest is never touched. */
	t = (struct lp_xfer *)(lp->slot_mem + (size_t)lp->nalloc * lp->slot_stride);
	memset(t, 0, offsetof(struct lp_xfer, x));
	t->lp = lp;
	t->slot = lp->nalloc;
	t->reg_fd = -1;
	lp->slots[lp->nalloc++] = t;
	return t;
}

static void lp_start(struct lp *lp, struct lp_xfer *t, const struct engine_job *job, size_t i,
		     struct sink *sink)
{
	const struct engine_opts *o = lp->o;

	t->index = i;
	t->aborted = false;
	t->queued_on = NULL;
	t->prev = t->next = NULL;
	t->connect_deadline = 0;
	t->tunnel_tls = false;
	t->tls_first = false;
	t->tls_waited = false;
	t->phase = LP_RUN;
	lp->active++;
	pace_init(&t->pace, sizeof lp->buf, clock_now_ms());
	engine_xfer_start(&t->x, o, job, i, sink);
	if (o->max_time_ms != 0 &&
	    evloop_timer_add(lp->loop, o->max_time_ms, lp_on_max, t, &t->max_timer, NULL) != QV_OK)
		lp->oom = true;
	lp_drive(t);
}

static void lp_admit(struct lp *lp)
{
	/* A done callback may just have raised the stop flag: look before
	 * starting anything new. */
	if (engine_flag_raised(lp->o->stop))
		return;
	while (!lp->stopping && !lp->oom && engine_feed_more(lp->feed) &&
	       lp->active < lp->nslots) {
		struct lp_xfer *t = lp_slot_get(lp);
		struct engine_job job;
		enum engine_next r;
		struct sink *sink;
		size_t i;

		if (t == NULL) {
			/* No slot left (cannot happen while active < nslots). */
			if (lp->active == 0)
				lp->oom = true;
			lp->nslots = lp->nalloc;
			return;
		}
		r = engine_feed_take(lp->feed, &job, &i);
		if (r != ENGINE_NEXT_JOB) {
			lp->free_slots[lp->nfree++] = t->slot;
			/* LATER: one turn of the loop first, then ask again */
			if (r == ENGINE_NEXT_LATER)
				lp_schedule_admit(lp);
			return;
		}
		lp->stats->started++;
		if (!engine_job_sink(lp->o, &job, i, lp->stats, &sink)) {
			lp->free_slots[lp->nfree++] = t->slot;
			continue;
		}
		lp_start(lp, t, &job, i, sink);
	}
}

static void lp_on_admit(struct evloop *loop, void *arg)
{
	struct lp *lp = arg;

	(void)loop;
	lp->admit_timer = 0;
	lp_admit(lp);
}

static void lp_schedule_admit(struct lp *lp)
{
	if (lp->admit_timer != 0 || lp->stopping || !engine_feed_more(lp->feed))
		return;
	if (evloop_timer_add(lp->loop, 0, lp_on_admit, lp, &lp->admit_timer, NULL) != QV_OK)
		lp->oom = true;
}

/* ---- the run ---- */

static void lp_abort_all(struct lp *lp, enum qv_err code, const char *msg)
{
	unsigned i;

	lp->stopping = true;
	for (i = 0; i < lp->nalloc; i++)
		if (lp->slots[i] != NULL)
			lp_abort(lp->slots[i], code, msg);
}

static void lp_free(struct lp *lp)
{
	unsigned i;

	if (lp == NULL)
		return;
	for (i = 0; lp->slots != NULL && i < lp->nalloc; i++) {
		struct lp_xfer *t = lp->slots[i];

		if (t == NULL)
			continue;
		lp_unwatch(t);
		conn_free(t->conn);
		conn_free(t->spare);
	}
	conn_pool_clear(&lp->pool);
	if (lp->res != NULL && lp->loop != NULL)
		evloop_fd_del(lp->loop, resolver_fd(lp->res));
	resolver_free(lp->res);
	evloop_free(lp->loop);
	host_table_clear(&lp->hosts);
	free(lp->slots);
	free(lp->slot_mem);
	free(lp->free_slots);
	free(lp);
}

/* The loop's state into *out.  Errors: QV_E_NOMEM, the resolver's. */
static enum qv_err lp_new(struct lp **out, struct engine_feed *f, const struct engine_opts *o,
			  struct engine_stats *stats, struct qv_error *err)
{
	struct lp *lp = calloc(1, sizeof *lp);
	unsigned n = engine_workers(ENGINE_POLL, o->concurrency, f->njobs);
	enum qv_err rc;

	*out = NULL;
	if (lp == NULL)
		goto nomem;
	lp->o = o;
	lp->feed = f;
	lp->stats = stats;
	lp->nslots = n;
	lp->per_host = o->per_host != 0 && o->per_host < n ? o->per_host : 0;
	host_table_init(&lp->hosts, sizeof(struct lp_host));
	conn_pool_init(&lp->pool, n < ENGINE_POLL_POOL_MAX ? n : ENGINE_POLL_POOL_MAX, 0);
	lp->slots = calloc(n, sizeof *lp->slots);
	lp->free_slots = calloc(n, sizeof *lp->free_slots);
	/* One block for every slot (each ~44 KiB, mostly buffers it rarely
	 * fills), each slot starting on a page: its fields and the used start
	 * of its text share one page, and pages a slot never writes are never
	 * resident.  Separate mallocs cost pages more per slot in allocator
	 * headers and straddled pages (bench/results/measurements.md). */
	lp->slot_stride = (sizeof(struct lp_xfer) + LP_SLOT_ALIGN - 1) / LP_SLOT_ALIGN * LP_SLOT_ALIGN;
	lp->slot_mem = aligned_alloc(LP_SLOT_ALIGN, (size_t)n * lp->slot_stride);
	if (lp->slots == NULL || lp->free_slots == NULL || lp->slot_mem == NULL)
		goto nomem;
	rc = evloop_new(&lp->loop, err);
	if (rc == QV_OK)
		rc = resolver_new(&lp->res, RESOLVER_THREADS_MAX, o->resolve, o->resolve_ctx, err);
	if (rc == QV_OK)
		rc = evloop_fd_add(lp->loop, resolver_fd(lp->res), EVLOOP_READ, lp_on_resolver, lp,
				   err);
	if (rc != QV_OK)
		goto fail;
	*out = lp;
	return QV_OK;
nomem:
	/* QV_E_NOMEM itself, not qv_error_set's value: the analyzers cannot
	 * see that it is never QV_OK */
	rc = QV_E_NOMEM;
	(void)qv_error_set(err, rc, "out of memory");
fail:
	lp_free(lp);
	return rc;
}

/* Run rounds until every started job is reported.  Returns the loop's own
 * failure (poll, memory), QV_OK otherwise. */
static enum qv_err lp_run(struct lp *lp, struct qv_error *err)
{
	const struct engine_opts *o = lp->o;
	enum qv_err rc = QV_OK;

	lp_admit(lp);
	while (lp->active > 0 || (engine_feed_more(lp->feed) && !lp->stopping)) {
		if (lp->oom && rc == QV_OK) {
			rc = qv_error_set(err, QV_E_NOMEM, "out of memory in the event loop");
			lp_abort_all(lp, rc, err->msg);
			continue;
		}
		if (!lp->stopping && engine_flag_raised(o->stop)) {
			lp_abort_all(lp, QV_E_INTERRUPTED, "interrupted");
			continue;
		}
		if (lp->active == 0 && lp->admit_timer == 0)
			lp_admit(lp);
		/* With a stop flag, wake at least every NET_STOP_POLL_MS to
		 * look at it (a signal usually cuts poll() short anyway). */
		if (evloop_run_once(lp->loop, o->stop != NULL ? NET_STOP_POLL_MS : -1, &lp->fatal) !=
			    QV_OK &&
		    rc == QV_OK) {
			*err = lp->fatal;
			rc = lp->fatal.code;
			lp_abort_all(lp, rc, lp->fatal.msg);
		}
	}
	return rc;
}

enum qv_err engine_poll_run(struct engine_feed *f, const struct engine_opts *o,
			    struct engine_stats *stats, struct qv_error *err)
{
	struct lp *lp;
	enum qv_err rc = lp_new(&lp, f, o, stats, err);

	if (rc != QV_OK)
		return rc;
	rc = lp_run(lp, err);
	lp_free(lp);
	return rc;
}
