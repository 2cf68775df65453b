/* poll.c - the poll engine (the book's flags_asyncio.py): one thread, one
 * evloop, non-blocking sockets; every transfer is the transfer machine of
 * transfer.h driven from fd and timer callbacks.
 *
 * A transfer slot waits in exactly one place at a time (enum lp_phase): a
 * per-host queue, a name lookup, a connect, the socket, or a timer.  Each
 * wait has a deadline on the evloop's timer heap, so a stalled peer costs
 * no CPU and is cut at its deadline.  Name lookups run on the resolver's
 * helper threads (getaddrinfo blocks); the loop abandons one that outlives
 * the connect timeout without waiting for it (curl #4852), and keeps each
 * origin's answer for ENGINE_DNS_CACHE_MS (60 s, as curl does).
 *
 * Connections: a per-host cap (waiters queue FIFO and get the slot handed
 * over), one keep-alive pool, and a "spare": a slot keeps its finished
 * job's connection for the next job it runs, so a run of thousands of
 * transfers to one server reuses every connection even past the pool's
 * bound.  Callbacks (sink_open, done) run on this thread; a finished slot
 * is refilled from a 0 ms timer, never from inside another callback. */
#include "engine/internal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hosts.h"
#include "engine/resolver.h"
#include "net/addr.h"
#include "net/conn.h"
#include "net/evloop.h"
#include "net/pool.h"
#include "net/wait.h"
#include "util/clock.h"

/* Reads one transfer may do before giving way to the others: at most
 * 1 MiB plain or 128 KiB TLS, so a fast download cannot starve a thousand
 * slow ones. */
#define LP_READS_PER_TURN 8u

enum lp_phase {
	LP_FREE = 0,   /* slot not in use */
	LP_RUN,        /* being driven right now */
	LP_HOSTWAIT,   /* queued for a per-host connection slot */
	LP_RESOLVING,  /* waiting for a name lookup */
	LP_CONNECTING, /* TCP connect in progress (addresses raced) */
	LP_HANDSHAKE,  /* TLS handshake */
	LP_IO,         /* waiting for the socket to read or write */
	LP_BACKOFF,    /* retry backoff */
	LP_YIELD       /* resumes from a 0 ms timer */
};

struct lp_xfer;

/* Per-origin state, the ext block of a host_entry. */
struct lp_host {
	struct lp_xfer *wait_head, *wait_tail;  /* LP_HOSTWAIT, FIFO */
	struct lp_xfer *dns_head, *dns_tail;    /* LP_RESOLVING on this name */
	uint64_t dns_id;                        /* lookup in flight, 0: none */
	int64_t dns_until;                      /* addrs valid before this */
	struct net_addrs addrs;
};

struct lp;

/* Alignment and size granule of a slot's memory: the common page size. */
#define LP_SLOT_ALIGN 4096u

struct lp_xfer {
	struct lp *lp;
	enum lp_phase phase;
	size_t index;
	unsigned slot;                 /* its number in lp->slots */
	struct conn *conn;             /* the transfer's connection, or NULL */
	struct conn *spare;            /* kept from this slot's previous job */
	int reg_fd;                    /* fd registered in the loop, -1: none */
	int race_fd[NET_RACE_MAX];     /* registered while connecting */
	unsigned nrace;
	bool tunnel_tls;               /* LP_HANDSHAKE is over a proxy tunnel */
	struct host_entry *host;       /* per-host slot held, or NULL */
	struct host_entry *queued_on;  /* whose wait or dns list holds us */
	struct lp_xfer *prev, *next;   /* in that list */
	uint64_t timer;                /* the phase's timer, 0: none */
	int64_t timer_due;
	uint64_t max_timer;            /* --max-time */
	int64_t connect_deadline;      /* name lookup + connect + CONNECT + handshake,
					* 0: none */
	int64_t last_progress;         /* for the idle timeout */
	unsigned reads;                /* in this turn */
	bool wants_write;              /* LP_IO waits to send, not to receive */
	bool aborted;
	struct xfer x;
};

struct lp {
	const struct engine_opts *o;
	const struct engine_job *jobs;
	size_t njobs, next;            /* jobs; the next one to start */
	struct engine_stats *stats;
	struct evloop *loop;
	struct resolver *res;
	struct host_table hosts;
	struct conn_pool pool;
	unsigned per_host;             /* 0: the cap cannot bind */
	struct lp_xfer **slots;        /* nslots, set up on first use */
	unsigned char *slot_mem;       /* their memory: nslots x slot_stride */
	size_t slot_stride;
	unsigned nslots, nalloc, active;
	unsigned *free_slots;          /* stack of unused slot numbers */
	unsigned nfree;
	uint64_t admit_timer;
	bool stopping;
	bool oom;                      /* a timer or fd could not be added */
	struct qv_error fatal;         /* why the loop itself gave up */
	uint8_t buf[ENGINE_READ_BUF];  /* shared by every transfer */
};

static void lp_drive(struct lp_xfer *t);
static void lp_net_error(struct lp_xfer *t, const struct qv_error *e);
static void lp_on_io(struct evloop *loop, int fd, unsigned events, void *arg);
static void lp_on_timer(struct evloop *loop, void *arg);

static struct lp_host *lp_ext(const struct host_entry *h)
{
	return h->ext;
}

/* ---- lists of transfers waiting on a host ---- */

static void lp_list_add(struct lp_xfer **head, struct lp_xfer **tail, struct lp_xfer *t)
{
	t->next = NULL;
	t->prev = *tail;
	if (*tail != NULL)
		(*tail)->next = t;
	else
		*head = t;
	*tail = t;
}

static void lp_list_del(struct lp_xfer **head, struct lp_xfer **tail, struct lp_xfer *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		*head = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		*tail = t->prev;
	t->prev = t->next = NULL;
}

/* ---- timers and fd interest ---- */

static void lp_timer_clear(struct lp_xfer *t)
{
	if (t->timer != 0)
		(void)evloop_timer_cancel(t->lp->loop, t->timer);
	t->timer = 0;
}

/* Arm the phase timer for due (absolute ms).  An earlier pending timer is
 * kept only when lazy is set: it fires, sees it is early, and re-arms. */
static bool lp_timer_at(struct lp_xfer *t, int64_t due, bool lazy)
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

static void lp_unwatch(struct lp_xfer *t)
{
	if (t->reg_fd >= 0)
		evloop_fd_del(t->lp->loop, t->reg_fd);
	t->reg_fd = -1;
}

/* Stop watching the sockets of a connect race. */
static void lp_race_unwatch(struct lp_xfer *t)
{
	unsigned i;

	for (i = 0; i < t->nrace; i++)
		evloop_fd_del(t->lp->loop, t->race_fd[i]);
	t->nrace = 0;
}

/* Watch exactly the race's sockets for writability: they change with every
 * attempt started or lost, and a number may come back as a new socket, so
 * all are registered afresh (the loop's generations then keep a stale event
 * of the old socket away).  False when the loop cannot take one. */
static bool lp_race_watch(struct lp_xfer *t)
{
	int fds[NET_RACE_MAX];
	size_t n = conn_connect_fds(t->conn, fds, NET_RACE_MAX), i;

	lp_race_unwatch(t);
	for (i = 0; i < n; i++) {
		if (evloop_fd_add(t->lp->loop, fds[i], EVLOOP_WRITE, lp_on_io, t, NULL) != QV_OK)
			return false;
		t->race_fd[t->nrace++] = fds[i];
	}
	return true;
}

/* Watch the connection's fd for mask.  False when the loop cannot take it
 * (no memory). */
static bool lp_watch(struct lp_xfer *t, unsigned mask)
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

static unsigned lp_mask(enum conn_status st)
{
	return st == CONN_WANT_READ ? EVLOOP_READ : EVLOOP_WRITE;
}

static void lp_conn_close(struct lp_xfer *t)
{
	lp_unwatch(t);
	lp_race_unwatch(t);
	conn_free(t->conn);
	t->conn = NULL;
}

/* ---- per-host slots ---- */

static void lp_host_release(struct lp_xfer *t)
{
	struct host_entry *h = t->host;
	struct lp_host *e;
	struct lp_xfer *w;

	if (h == NULL)
		return;
	t->host = NULL;
	e = lp_ext(h);
	w = e->wait_head;
	if (w == NULL) {
		h->active--;
		return;
	}
	/* Hand the slot straight to the first waiter (FIFO, no stealing). */
	lp_list_del(&e->wait_head, &e->wait_tail, w);
	w->queued_on = NULL;
	w->host = h;
	w->phase = LP_YIELD;
	(void)lp_timer_at(w, clock_now_ms(), false); /* failure: lp->oom ends the run */
}

/* ---- connecting ---- */

/* A connect that never reached xfer_connected failed: no XFER_RELEASE will
 * come, so close and give the slot back here. */
static void lp_connect_fail(struct lp_xfer *t, const struct qv_error *e)
{
	lp_timer_clear(t);
	lp_conn_close(t);
	lp_host_release(t);
	t->phase = LP_RUN;
	xfer_io_error(&t->x, e->code, e->msg);
}

static bool lp_handshake(struct lp_xfer *t)
{
	struct qv_error e;
	enum conn_status st;

	qv_error_clear(&e);
	st = conn_handshake(t->conn, &e);
	if (st == CONN_OK) {
		lp_timer_clear(t);
		evloop_fd_set(t->lp->loop, t->reg_fd, 0);
		t->phase = LP_RUN;
		t->last_progress = clock_now_ms();
		if (t->tunnel_tls) {
			t->tunnel_tls = false;
			xfer_tls_done(&t->x);
			return true;
		}
		t->lp->stats->connections++;
		xfer_connected(&t->x, false);
		return true;
	}
	if (st == CONN_WANT_READ || st == CONN_WANT_WRITE) {
		t->phase = LP_HANDSHAKE;
		if (lp_watch(t, lp_mask(st)) &&
		    (t->connect_deadline == 0 || lp_timer_at(t, t->connect_deadline, false)))
			return false;
		(void)qv_error_set(&e, QV_E_NOMEM, "out of memory in the event loop");
	}
	if (t->tunnel_tls) {
		/* the tunnel's connection is the machine's: it releases it */
		t->tunnel_tls = false;
		lp_timer_clear(t);
		t->phase = LP_RUN;
		lp_net_error(t, &e);
		return true;
	}
	lp_connect_fail(t, &e);
	return true;
}

/* The race's next deadline: the next attempt or the connect timeout. */
static int64_t lp_race_due(const struct lp_xfer *t)
{
	int64_t next = conn_connect_next_at(t->conn);

	if (t->connect_deadline != 0 && (next == INT64_MAX || t->connect_deadline < next))
		return t->connect_deadline;
	return next == INT64_MAX ? 0 : next;
}

/* The next thing after a conn_connect_* call said st.  True when the
 * transfer can go on now (connected, or failed and told). */
static bool lp_connect_step(struct lp_xfer *t, enum conn_status st, struct qv_error *e)
{
	int64_t due;

	if (st == CONN_OK) {
		lp_race_unwatch(t);
		return lp_handshake(t);
	}
	if (st != CONN_WANT_WRITE) {
		lp_connect_fail(t, e);
		return true;
	}
	t->phase = LP_CONNECTING;
	due = lp_race_due(t);
	if (lp_race_watch(t) && (due == 0 || lp_timer_at(t, due, false)))
		return false;
	(void)qv_error_set(e, QV_E_NOMEM, "out of memory in the event loop");
	lp_connect_fail(t, e);
	return true;
}

static bool lp_connect_start(struct lp_xfer *t, const struct net_addrs *addrs)
{
	struct qv_error e;
	enum conn_status st;

	qv_error_clear(&e);
	if (t->conn == NULL && conn_new(&t->conn, xfer_route(&t->x), t->lp->o->tls, &e) != QV_OK) {
		lp_connect_fail(t, &e);
		return true;
	}
	st = conn_connect_start(t->conn, addrs, t->lp->o->family, &e);
	return lp_connect_step(t, st, &e);
}

/* Take the spare or a pooled connection for route r; NULL when none. */
static struct conn *lp_reuse(struct lp_xfer *t, const struct route *r)
{
	struct lp *lp = t->lp;
	struct conn *spare = t->spare;
	int64_t now = clock_now_ms();

	t->spare = NULL;
	if (spare != NULL) {
		if (xfer_may_reuse(&t->x) && conn_matches(spare, r)) {
			if (conn_idle_ok(spare))
				return spare;
			conn_free(spare);
		} else {
			conn_pool_put(&lp->pool, spare, now);
		}
	}
	return xfer_may_reuse(&t->x) ? conn_pool_take(&lp->pool, r, now) : NULL;
}

/* Take t off its host's lookup list; a lookup nobody waits for any more is
 * abandoned. */
static void lp_dns_leave(struct lp_xfer *t)
{
	struct host_entry *h = t->queued_on;
	struct lp_host *x;

	if (h == NULL)
		return;
	x = lp_ext(h);
	lp_list_del(&x->dns_head, &x->dns_tail, t);
	t->queued_on = NULL;
	if (x->dns_head == NULL && x->dns_id != 0) {
		resolver_cancel(t->lp->res, x->dns_id);
		x->dns_id = 0;
	}
}

static void lp_dns_timeout(struct lp_xfer *t)
{
	struct qv_error e;

	lp_dns_leave(t);
	(void)resolver_timeout_error(xfer_route(&t->x)->peer.host, t->lp->o->connect_timeout_ms, &e);
	lp_connect_fail(t, &e);
}

/* A fresh connection: the peer's cached addresses, an IP literal, or a
 * lookup.  h is the peer's entry (the origin's, or a proxy's): names are
 * cached per peer, slots held per origin. */
static bool lp_connect_fresh(struct lp_xfer *t, struct host_entry *h)
{
	struct lp *lp = t->lp;
	struct lp_host *x = lp_ext(h);
	const struct url_origin *origin = &xfer_route(&t->x)->peer;
	int64_t now = clock_now_ms();
	struct qv_error e;

	t->connect_deadline = lp->o->connect_timeout_ms != 0 ? now + lp->o->connect_timeout_ms : 0;
	if (x->dns_until > now)
		return lp_connect_start(t, &x->addrs);
	qv_error_clear(&e);
	if (origin->host_is_ip) {
		/* getaddrinfo on a literal only parses it: safe on this thread. */
		if (net_addr_resolve(origin->host, origin->port, &x->addrs, &e) != QV_OK) {
			lp_connect_fail(t, &e);
			return true;
		}
		x->dns_until = INT64_MAX;
		return lp_connect_start(t, &x->addrs);
	}
	if (x->dns_id == 0 &&
	    resolver_submit(lp->res, origin->host, origin->port, h, &x->dns_id, &e) != QV_OK) {
		lp_connect_fail(t, &e);
		return true;
	}
	lp_list_add(&x->dns_head, &x->dns_tail, t);
	t->queued_on = h;
	t->phase = LP_RESOLVING;
	if (t->connect_deadline != 0 && !lp_timer_at(t, t->connect_deadline, false)) {
		lp_dns_leave(t);
		(void)qv_error_set(&e, QV_E_NOMEM, "out of memory for a timer");
		lp_connect_fail(t, &e);
		return true;
	}
	return false;
}

/* XFER_CONNECT.  True when the transfer can go on at once. */
static bool lp_connect(struct lp_xfer *t)
{
	struct lp *lp = t->lp;
	const struct route *r = xfer_route(&t->x);
	const struct url_origin *origin = &r->origin;
	struct host_entry *peer;
	struct conn *c;
	struct qv_error e;

	if (t->conn != NULL) /* a dead one kept after an error: never reused */
		lp_conn_close(t);
	if (t->host == NULL) {
		struct host_entry *h = host_table_get(&lp->hosts, origin);

		if (h == NULL) {
			(void)qv_error_set(&e, QV_E_NOMEM, "out of memory");
			lp_connect_fail(t, &e);
			return true;
		}
		if (lp->per_host != 0 && h->active >= lp->per_host) {
			lp_list_add(&lp_ext(h)->wait_head, &lp_ext(h)->wait_tail, t);
			t->queued_on = h;
			t->phase = LP_HOSTWAIT;
			return false;
		}
		h->active++;
		t->host = h;
	}
	c = lp_reuse(t, r);
	if (c != NULL) {
		t->conn = c;
		lp->stats->reused++;
		t->last_progress = clock_now_ms();
		xfer_connected(&t->x, true);
		return true;
	}
	peer = r->via == ROUTE_DIRECT ? t->host : host_table_get(&lp->hosts, &r->peer);
	if (peer == NULL) {
		(void)qv_error_set(&e, QV_E_NOMEM, "out of memory");
		lp_connect_fail(t, &e);
		return true;
	}
	return lp_connect_fresh(t, peer);
}

static void lp_on_resolved(const struct resolver_result *r)
{
	struct host_entry *h = r->tag;
	struct lp_host *x = lp_ext(h);
	struct lp_xfer *t = x->dns_head, *next;

	if (x->dns_id != r->id)
		return;
	x->dns_id = 0;
	if (r->code == QV_OK) {
		x->addrs = r->addrs;
		x->dns_until = clock_now_ms() + ENGINE_DNS_CACHE_MS;
	}
	x->dns_head = x->dns_tail = NULL;
	for (; t != NULL; t = next) {
		next = t->next;
		t->prev = t->next = NULL;
		t->queued_on = NULL;
		if (t->phase != LP_RESOLVING)
			continue;
		lp_timer_clear(t);
		t->phase = LP_RUN;
		if (r->code != QV_OK) {
			lp_connect_fail(t, &r->err);
			lp_drive(t);
		} else if (lp_connect_start(t, &x->addrs)) {
			lp_drive(t);
		}
	}
}

static void lp_on_resolver(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct lp *lp = arg;
	struct resolver_result r;

	(void)loop;
	(void)fd;
	(void)events;
	while (resolver_take(lp->res, &r))
		lp_on_resolved(&r);
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
static bool lp_read(struct lp_xfer *t)
{
	size_t n = 0;
	struct qv_error e;
	enum conn_status st;

	if (t->conn == NULL) {
		xfer_io_error(&t->x, QV_E_INTERNAL, "internal error: read without a connection");
		return true;
	}
	qv_error_clear(&e);
	st = conn_read(t->conn, t->lp->buf, sizeof t->lp->buf, &n, &e);
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
/* XFER_TLS: TLS to the origin through the tunnel just opened.  True when
 * the transfer can go on at once. */
static bool lp_tls(struct lp_xfer *t)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (t->conn == NULL || conn_start_tls(t->conn, t->lp->o->tls, &e) != QV_OK) {
		if (t->conn == NULL)
			(void)qv_error_set(&e, QV_E_INTERNAL, "internal error: TLS without a connection");
		lp_net_error(t, &e);
		return true;
	}
	t->tunnel_tls = true;
	return lp_handshake(t);
}

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
		if (t->spare == NULL && lp->next < lp->njobs && !lp->stopping &&
		    (t->host == NULL || lp_ext(t->host)->wait_head == NULL)) {
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
	if (lp->next >= lp->njobs || lp->stopping) {
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

static void lp_drive(struct lp_xfer *t)
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
	struct host_entry *h = t->queued_on;

	if (t->phase == LP_FREE || t->aborted)
		return;
	t->aborted = true;
	lp_timer_clear(t);
	if (h != NULL && t->phase == LP_HOSTWAIT) {
		lp_list_del(&lp_ext(h)->wait_head, &lp_ext(h)->wait_tail, t);
		t->queued_on = NULL;
	}
	lp_dns_leave(t);
	/* Not yet connected: no XFER_RELEASE will come for this one. */
	if (t->phase == LP_RESOLVING || t->phase == LP_CONNECTING || t->phase == LP_HANDSHAKE) {
		lp_conn_close(t);
		lp_host_release(t);
	}
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

static void lp_connect_timer(struct lp_xfer *t, int64_t now)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (t->connect_deadline != 0 && now >= t->connect_deadline) {
		(void)conn_timeout_error(t->conn, QV_E_CONNECT_TIMEOUT, t->lp->o->connect_timeout_ms,
					 &e);
		if (t->tunnel_tls) {
			t->tunnel_tls = false;
			t->phase = LP_RUN;
			lp_net_error(t, &e);
		} else {
			lp_connect_fail(t, &e);
		}
		lp_drive(t);
		return;
	}
	if (t->phase == LP_CONNECTING && now >= conn_connect_next_at(t->conn)) {
		/* Happy Eyeballs: the next address's turn */
		if (lp_connect_step(t, conn_connect_tick(t->conn, &e), &e))
			lp_drive(t);
		return;
	}
	(void)lp_timer_at(t, t->phase == LP_CONNECTING ? lp_race_due(t) : t->connect_deadline,
			  false);
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
		if (t->connect_deadline != 0 && now >= t->connect_deadline) {
			lp_dns_timeout(t);
			lp_drive(t);
		} else if (t->connect_deadline != 0) {
			(void)lp_timer_at(t, t->connect_deadline, false);
		}
		break;
	case LP_CONNECTING:
	case LP_HANDSHAKE:
		lp_connect_timer(t, now);
		break;
	case LP_IO:
		lp_idle_timer(t, now);
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

static void lp_on_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct lp_xfer *t = arg;
	struct qv_error e;

	(void)events;
	qv_error_clear(&e);
	switch (t->phase) {
	case LP_CONNECTING:
		if (lp_connect_step(t, conn_connect_ready(t->conn, fd, &e), &e))
			lp_drive(t);
		break;
	case LP_HANDSHAKE:
		if (lp_handshake(t))
			lp_drive(t);
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

static void lp_start(struct lp *lp, struct lp_xfer *t, size_t i, struct sink *sink)
{
	const struct engine_opts *o = lp->o;
	const struct engine_job *job = &lp->jobs[i];

	t->index = i;
	t->aborted = false;
	t->queued_on = NULL;
	t->prev = t->next = NULL;
	t->connect_deadline = 0;
	t->tunnel_tls = false;
	t->phase = LP_RUN;
	lp->active++;
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
	while (!lp->stopping && !lp->oom && lp->next < lp->njobs && lp->active < lp->nslots) {
		struct lp_xfer *t = lp_slot_get(lp);
		struct sink *sink;
		size_t i;

		if (t == NULL) {
			/* No slot left (cannot happen while active < nslots). */
			if (lp->active == 0)
				lp->oom = true;
			lp->nslots = lp->nalloc;
			return;
		}
		i = lp->next++;
		lp->stats->started++;
		if (!engine_job_sink(lp->o, &lp->jobs[i], i, lp->stats, &sink)) {
			lp->free_slots[lp->nfree++] = t->slot;
			continue;
		}
		lp_start(lp, t, i, sink);
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
	if (lp->admit_timer != 0 || lp->stopping || lp->next >= lp->njobs)
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
static enum qv_err lp_new(struct lp **out, const struct engine_job *jobs, size_t njobs,
			  const struct engine_opts *o, struct engine_stats *stats,
			  struct qv_error *err)
{
	struct lp *lp = calloc(1, sizeof *lp);
	unsigned n = engine_workers(ENGINE_POLL, o->concurrency, njobs);
	enum qv_err rc;

	*out = NULL;
	if (lp == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	lp->o = o;
	lp->jobs = jobs;
	lp->njobs = njobs;
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
	if (lp->slots == NULL || lp->free_slots == NULL || lp->slot_mem == NULL) {
		lp_free(lp);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	rc = evloop_new(&lp->loop, err);
	if (rc == QV_OK)
		rc = resolver_new(&lp->res, RESOLVER_THREADS_MAX, o->resolve, o->resolve_ctx, err);
	if (rc == QV_OK)
		rc = evloop_fd_add(lp->loop, resolver_fd(lp->res), EVLOOP_READ, lp_on_resolver, lp,
				   err);
	if (rc != QV_OK) {
		lp_free(lp);
		return rc;
	}
	*out = lp;
	return QV_OK;
}

/* Run rounds until every started job is reported.  Returns the loop's own
 * failure (poll, memory), QV_OK otherwise. */
static enum qv_err lp_run(struct lp *lp, struct qv_error *err)
{
	const struct engine_opts *o = lp->o;
	enum qv_err rc = QV_OK;

	lp_admit(lp);
	while (lp->active > 0 || (lp->next < lp->njobs && !lp->stopping)) {
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

enum qv_err engine_poll_run(const struct engine_job *jobs, size_t njobs,
			    const struct engine_opts *o, struct engine_stats *stats,
			    struct qv_error *err)
{
	struct lp *lp;
	enum qv_err rc = lp_new(&lp, jobs, njobs, o, stats, err);

	if (rc != QV_OK)
		return rc;
	rc = lp_run(lp, err);
	lp_free(lp);
	return rc;
}
