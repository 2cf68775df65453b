/* poll_connect.c - the poll engine's connect half (see poll.h): a
 * transfer's way from XFER_CONNECT to xfer_connected.
 *
 * In order: a spare or pooled connection for the route (util/origin.h);
 * else a per-host slot (per origin; waiters queue FIFO and get a freed slot
 * handed over); the peer's addresses (the origin's or a proxy's: an IP
 * literal, ENGINE_DNS_CACHE_MS of cached answer, or a lookup on the
 * resolver's helper threads, which every transfer to that name waits for
 * together and which is abandoned when the last of them gives up: curl
 * #4852); then the addresses raced, Happy Eyeballs (net/race.h), every
 * racing socket watched; then the TLS handshake, at once for a direct
 * https route or, through a proxy, after the machine's CONNECT exchange
 * (XFER_TLS, lp_tls).  One deadline, connect_deadline, covers lookup,
 * connect, CONNECT and handshake. */
#include "engine/poll.h"

#include <string.h>

#include "tls/client.h"
#include "util/clock.h"

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

/* ---- per-host slots ---- */

void lp_host_release(struct lp_xfer *t)
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

bool lp_host_has_waiters(const struct host_entry *h)
{
	return lp_ext(h)->wait_head != NULL;
}

/* ---- first handshakes: resumption for the transfers that wait ---- */

/* t's first handshake to its origin is over (done, failed or abandoned):
 * when it was the last one under way, the transfers waiting for it go on,
 * now able to resume the session it left (or, against a server that keeps
 * none, having lost one handshake's time at most). */
static void lp_tls_first_done(struct lp_xfer *t)
{
	struct lp_host *x;
	struct lp_xfer *w, *next;

	if (!t->tls_first || t->host == NULL)
		return;
	t->tls_first = false;
	x = lp_ext(t->host);
	if (--x->tls_first > 0)
		return;
	for (w = x->tls_head; w != NULL; w = next) {
		next = w->next;
		w->prev = w->next = NULL;
		w->queued_on = NULL;
		w->phase = LP_YIELD;
		(void)lp_timer_at(w, clock_now_ms(), false); /* failure: lp->oom ends the run */
	}
	x->tls_head = x->tls_tail = NULL;
}

/* Before a fresh direct https connection: with no session cached for the
 * origin and a first handshake to it under way, wait for that one (true:
 * t waits, LP_TLSWAIT); else go on, counted as a first handshake when no
 * session is cached. */
static bool lp_tls_gate(struct lp_xfer *t, const struct route *r)
{
	struct lp *lp = t->lp;
	struct lp_host *x = lp_ext(t->host);
	uint32_t limit = lp->o->connect_timeout_ms;

	if (r->via != ROUTE_DIRECT || r->origin.scheme != URL_HTTPS || lp->o->tls == NULL ||
	    t->tls_first || t->tls_waited ||
	    tls_client_may_resume(lp->o->tls, r->origin.host, r->origin.port))
		return false;
	if (x->tls_first == 0) {
		x->tls_first++;
		t->tls_first = true;
		return false;
	}
	lp_list_add(&x->tls_head, &x->tls_tail, t);
	t->queued_on = t->host;
	t->phase = LP_TLSWAIT;
	/* at most a connect timeout: then it connects on its own */
	if (limit != 0 && !lp_timer_at(t, clock_now_ms() + limit, false)) {
		lp_list_del(&x->tls_head, &x->tls_tail, t);
		t->queued_on = NULL;
		t->phase = LP_RUN;
		return false;
	}
	return true;
}

/* LP_TLSWAIT's timer: stop waiting and connect. */
void lp_tls_wait_over(struct lp_xfer *t)
{
	struct lp_host *x;

	if (t->queued_on == NULL)
		return;
	x = lp_ext(t->queued_on);
	lp_list_del(&x->tls_head, &x->tls_tail, t);
	t->queued_on = NULL;
	t->tls_waited = true; /* waited long enough: it connects on its own */
}

/* ---- connecting ---- */

/* A connect that never reached xfer_connected failed: no XFER_RELEASE will
 * come, so close and give the slot back here. */
static void lp_connect_fail(struct lp_xfer *t, const struct qv_error *e)
{
	lp_tls_first_done(t);
	lp_timer_clear(t);
	lp_conn_close(t);
	lp_host_release(t);
	t->phase = LP_RUN;
	xfer_io_error(&t->x, e->code, e->msg);
}

/* A handshake over a tunnel failed: the connection is the machine's (it
 * was connected), so the error goes to it and XFER_RELEASE follows. */
static void lp_tunnel_fail(struct lp_xfer *t, const struct qv_error *e)
{
	t->tunnel_tls = false;
	lp_timer_clear(t);
	t->phase = LP_RUN;
	lp_conn_close(t);
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
		lp_tls_first_done(t);
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
	if (t->tunnel_tls)
		lp_tunnel_fail(t, &e);
	else
		lp_connect_fail(t, &e);
	return true;
}

bool lp_tls(struct lp_xfer *t)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (t->conn == NULL)
		(void)qv_error_set(&e, QV_E_INTERNAL, "internal error: TLS without a connection");
	if (t->conn == NULL || conn_start_tls(t->conn, t->lp->o->tls, &e) != QV_OK) {
		lp_tunnel_fail(t, &e);
		return true;
	}
	t->tunnel_tls = true;
	return lp_handshake(t);
}

/* Stop watching the sockets of a connect race. */
void lp_race_unwatch(struct lp_xfer *t)
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

bool lp_connect(struct lp_xfer *t)
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
	if (lp_tls_gate(t, r))
		return false;
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

void lp_on_resolver(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct lp *lp = arg;
	struct resolver_result r;

	(void)loop;
	(void)fd;
	(void)events;
	while (resolver_take(lp->res, &r))
		lp_on_resolved(&r);
}

/* LP_CONNECTING or LP_HANDSHAKE: the connect timeout, the next address's
 * turn in the race, or a timer set again. */
static void lp_connect_timer(struct lp_xfer *t, int64_t now)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (t->connect_deadline != 0 && now >= t->connect_deadline) {
		(void)conn_timeout_error(t->conn, QV_E_CONNECT_TIMEOUT, t->lp->o->connect_timeout_ms,
					 &e);
		if (t->tunnel_tls)
			lp_tunnel_fail(t, &e);
		else
			lp_connect_fail(t, &e);
		lp_drive(t);
		return;
	}
	if (t->phase == LP_CONNECTING && now >= conn_connect_next_at(t->conn)) {
		if (lp_connect_step(t, conn_connect_tick(t->conn, &e), &e))
			lp_drive(t);
		return;
	}
	(void)lp_timer_at(t, t->phase == LP_CONNECTING ? lp_race_due(t) : t->connect_deadline,
			  false);
}

void lp_connect_on_timer(struct lp_xfer *t, int64_t now)
{
	if (t->phase != LP_RESOLVING) {
		lp_connect_timer(t, now);
	} else if (t->connect_deadline != 0 && now >= t->connect_deadline) {
		lp_dns_timeout(t);
		lp_drive(t);
	} else if (t->connect_deadline != 0) {
		(void)lp_timer_at(t, t->connect_deadline, false);
	}
}

void lp_connect_on_io(struct lp_xfer *t, int fd)
{
	struct qv_error e;

	qv_error_clear(&e);
	if (t->phase == LP_CONNECTING ? lp_connect_step(t, conn_connect_ready(t->conn, fd, &e), &e)
				      : lp_handshake(t))
		lp_drive(t);
}

void lp_connect_abandon(struct lp_xfer *t)
{
	struct host_entry *h = t->queued_on;

	if (h != NULL && t->phase == LP_HOSTWAIT) {
		lp_list_del(&lp_ext(h)->wait_head, &lp_ext(h)->wait_tail, t);
		t->queued_on = NULL;
	}
	if (t->phase == LP_TLSWAIT)
		lp_tls_wait_over(t);
	lp_tls_first_done(t);
	lp_dns_leave(t);
	if (t->phase == LP_RESOLVING || t->phase == LP_CONNECTING || t->phase == LP_HANDSHAKE ||
	    t->phase == LP_TLSWAIT) {
		lp_conn_close(t);
		lp_host_release(t);
	}
}
