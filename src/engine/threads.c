/* threads.c - the threads engine (the book's flags_threadpool.py): a pool of
 * pthread workers, each driving one transfer at a time with the blocking
 * loop of engine/blocking.h, as seq.c does on one thread; the workers add
 * the per-host cap and the shared name lookups through its hooks.
 *
 * The calling thread is the dispatcher.  It opens each job's sink, hands
 * the job to the workers through a work queue, and sleeps on a completion
 * queue; a worker that finishes puts its job there, and the caller runs
 * done().  So every callback runs on the caller, in completion order, and
 * output lines print whole without a lock in the caller.  The caller never
 * queues more jobs than there are workers, which bounds both queues.
 *
 * Each worker has its own keep-alive pool (net/pool.h has no locks).  The
 * per-host cap is a shared count of connections in use per origin behind
 * the one mutex, next to a cache of resolved addresses.  Names are looked
 * up on the resolver's helper threads (resolver_lookup), so a worker waits
 * for a stuck getaddrinfo only until its connect timeout or a stop.  A stop (SIGINT) is seen by the workers' waits within
 * NET_STOP_POLL_MS; they abort their transfers through xfer_abort, the
 * caller reports them, and every worker is joined before returning. */
#include "engine/engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/blocking.h"
#include "engine/hosts.h"
#include "engine/internal.h"
#include "engine/resolver.h"
#include "net/addr.h"
#include "net/conn.h"
#include "net/pool.h"
#include "net/wait.h"
#include "tls/client.h"
#include "util/clock.h"

/* Read buffer per worker: one maximal TLS record, not ENGINE_READ_BUF,
 * which a thousand workers would multiply. */
#define TP_READ_BUF (16u * 1024u)
/* Worker stack: the transfer state lives on the heap; what remains is
 * getaddrinfo (NSS keeps DNS answers on the stack) and message
 * formatting.  The 8 MiB default times 1000 workers would not fit a 32-bit
 * address space. */
#define TP_STACK (256u * 1024u)

/* Per-origin state next to the host count: the cached addresses, and the
 * first TLS handshakes under way (no session cached yet) that other
 * workers wait for, to resume the session they leave. */
struct tp_dns {
	struct net_addrs addrs;
	int64_t until;                /* valid before this clock_now_ms */
	unsigned tls_first;
};

/* One job in flight: written by the caller before it is queued, by the
 * worker while it runs, read by the caller after it is done; the mutex
 * hand-offs order those. */
struct tp_item {
	size_t index;
	struct engine_job job;        /* a copy: a job source has no array */
	struct sink *sink;
	struct xfer_result res;       /* its final_url points to final_url[] */
	struct qv_error err;
	/* The worker's struct xfer is reused for its next job before the caller
	 * reads this one: the URL is copied (only its used prefix is written). */
	char final_url[URL_MAX];
};

struct tp;

struct tp_worker {
	struct tp *tp;
	pthread_t th;
	struct conn_pool pool;
	struct host_entry *host;      /* per-host slot held, or NULL */
	struct host_entry *tls_first; /* its first handshake counted there, or NULL */
	struct blocking b;            /* connections, reused: summed by the caller after join */
	uint8_t buf[TP_READ_BUF];
};

/* A ring of item numbers; capacity is the worker count. */
struct tp_ring {
	unsigned *slot;
	unsigned head, count, cap;
};

struct tp {
	const struct engine_opts *o;
	unsigned per_host;            /* 0: no per-host limit applies */
	pthread_mutex_t m;
	pthread_cond_t work_cv;       /* work queued, or quit */
	pthread_cond_t done_cv;       /* a job finished */
	pthread_cond_t host_cv;       /* a per-host slot was released */
	struct tp_ring work, done;    /* under m */
	bool quit;                    /* under m */
	unsigned host_waiters;        /* under m */
	struct host_table hosts;      /* under m; ext is a struct tp_dns */
	struct resolver *res;         /* shared by the workers */
	struct tp_item *items;        /* one per worker */
	unsigned *free_items;         /* caller-only stack of unused items */
	unsigned nfree;
	struct tp_worker *workers;    /* nmax of them */
	unsigned nworkers;            /* threads running */
	unsigned running;             /* workers with a job; written under m,
				       * read atomically by the rate limit */
	unsigned nmax;
};

static void tp_ring_push(struct tp_ring *r, unsigned v)
{
	r->slot[(r->head + r->count) % r->cap] = v;
	r->count++;
}

static unsigned tp_ring_pop(struct tp_ring *r)
{
	unsigned v = r->slot[r->head];

	r->head = (r->head + 1) % r->cap;
	r->count--;
	return v;
}

/* An absolute CLOCK_MONOTONIC time ms from now, for timed condvar waits. */
static struct timespec tp_abstime(int64_t ms)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* ---- one transfer on a worker (engine/blocking.h's loop plus the per-host cap) ---- */

/* Take a connection slot for origin, waiting while per_host are in use.
 * Errors: QV_E_INTERRUPTED, QV_E_TOTAL_TIMEOUT, QV_E_NOMEM. */
static enum qv_err tp_host_acquire(void *ctx, const struct url_origin *origin,
				   const struct net_wait *nw, struct qv_error *e)
{
	struct tp_worker *w = ctx;
	struct tp *tp = w->tp;
	struct host_entry *h;

	if (tp->per_host == 0)
		return QV_OK;
	(void)pthread_mutex_lock(&tp->m);
	h = host_table_get(&tp->hosts, origin);
	while (h != NULL && h->active >= tp->per_host) {
		int64_t now = clock_now_ms(), wait = NET_STOP_POLL_MS;
		struct timespec ts;

		if (engine_flag_raised(nw->stop)) {
			(void)pthread_mutex_unlock(&tp->m);
			return qv_error_set(e, QV_E_INTERRUPTED, "interrupted");
		}
		if (nw->max_at_ms != 0 && now >= nw->max_at_ms) {
			(void)pthread_mutex_unlock(&tp->m);
			return conn_timeout_error(NULL, QV_E_TOTAL_TIMEOUT, nw->max_time_ms, e);
		}
		if (nw->max_at_ms != 0 && nw->max_at_ms - now < wait)
			wait = nw->max_at_ms - now;
		ts = tp_abstime(wait);
		tp->host_waiters++;
		(void)pthread_cond_timedwait(&tp->host_cv, &tp->m, &ts);
		tp->host_waiters--;
	}
	if (h == NULL) {
		(void)pthread_mutex_unlock(&tp->m);
		return qv_error_set(e, QV_E_NOMEM, "out of memory");
	}
	h->active++;
	w->host = h;
	(void)pthread_mutex_unlock(&tp->m);
	return QV_OK;
}

static void tp_host_release(void *ctx)
{
	struct tp_worker *w = ctx;
	struct tp *tp = w->tp;

	if (w->host == NULL)
		return;
	(void)pthread_mutex_lock(&tp->m);
	w->host->active--;
	w->host = NULL;
	if (tp->host_waiters > 0)
		(void)pthread_cond_broadcast(&tp->host_cv);
	(void)pthread_mutex_unlock(&tp->m);
}

/* Addresses of origin: an IP literal at once, else the cache or a lookup
 * on the resolver bounded by the connect timeout and the stop flag. */
static enum qv_err tp_resolve(void *ctx, const struct url_origin *origin, struct net_addrs *addrs,
			      struct qv_error *e)
{
	struct tp_worker *w = ctx;
	struct tp *tp = w->tp;
	const struct engine_opts *o = tp->o;
	int64_t now = clock_now_ms();
	struct host_entry *h;
	enum qv_err rc;

	if (origin->host_is_ip) /* getaddrinfo only parses a literal */
		return net_addr_resolve(origin->host, origin->port, addrs, e);
	(void)pthread_mutex_lock(&tp->m);
	h = host_table_get(&tp->hosts, origin);
	if (h != NULL && ((struct tp_dns *)h->ext)->until > now) {
		*addrs = ((struct tp_dns *)h->ext)->addrs;
		(void)pthread_mutex_unlock(&tp->m);
		return QV_OK;
	}
	(void)pthread_mutex_unlock(&tp->m);
	rc = resolver_lookup(tp->res, origin->host, origin->port,
			     o->connect_timeout_ms != 0 ? now + o->connect_timeout_ms : 0,
			     o->connect_timeout_ms, o->stop, addrs, e);
	if (rc == QV_OK && h != NULL) {
		(void)pthread_mutex_lock(&tp->m);
		((struct tp_dns *)h->ext)->addrs = *addrs;
		((struct tp_dns *)h->ext)->until = clock_now_ms() + ENGINE_DNS_CACHE_MS;
		(void)pthread_mutex_unlock(&tp->m);
	}
	return rc;
}

/* A fresh direct https connection with no session cached for its origin:
 * wait (within the connect timeout) while another worker's first handshake
 * to it is under way, then go on counted as a first one if there is still
 * no session.  A wait that ends early for the stop flag or --max-time ends
 * the transfer as any connect wait does. */
static enum qv_err tp_tls_gate(void *ctx, const struct route *r, const struct net_wait *nw,
			       struct qv_error *e)
{
	struct tp_worker *w = ctx;
	struct tp *tp = w->tp;
	struct tls_client *tls = tp->o->tls;
	int64_t until = nw->connect_timeout_ms != 0 ? clock_now_ms() + nw->connect_timeout_ms : 0;
	struct host_entry *h;

	if (r->via != ROUTE_DIRECT || r->origin.scheme != URL_HTTPS || tls == NULL)
		return QV_OK;
	(void)pthread_mutex_lock(&tp->m);
	h = host_table_get(&tp->hosts, &r->origin);
	while (h != NULL && ((struct tp_dns *)h->ext)->tls_first > 0 &&
	       !tls_client_may_resume(tls, r->origin.host, r->origin.port)) {
		int64_t now = clock_now_ms(), wait = NET_STOP_POLL_MS;
		struct timespec ts;

		if (engine_flag_raised(nw->stop)) {
			(void)pthread_mutex_unlock(&tp->m);
			return qv_error_set(e, QV_E_INTERRUPTED, "interrupted");
		}
		if (until != 0 && now >= until)
			break; /* waited a connect timeout: connect on its own */
		if (until != 0 && until - now < wait)
			wait = until - now;
		ts = tp_abstime(wait);
		tp->host_waiters++;
		(void)pthread_cond_timedwait(&tp->host_cv, &tp->m, &ts);
		tp->host_waiters--;
	}
	if (h != NULL && !tls_client_may_resume(tls, r->origin.host, r->origin.port)) {
		((struct tp_dns *)h->ext)->tls_first++;
		w->tls_first = h;
	}
	(void)pthread_mutex_unlock(&tp->m);
	return QV_OK;
}

static void tp_tls_done(void *ctx)
{
	struct tp_worker *w = ctx;
	struct tp *tp = w->tp;

	if (w->tls_first == NULL)
		return;
	(void)pthread_mutex_lock(&tp->m);
	((struct tp_dns *)w->tls_first->ext)->tls_first--;
	w->tls_first = NULL;
	if (tp->host_waiters > 0)
		(void)pthread_cond_broadcast(&tp->host_cv);
	(void)pthread_mutex_unlock(&tp->m);
}

static const struct blocking_ops tp_ops = {tp_host_acquire, tp_resolve, tp_host_release,
					   tp_tls_gate, tp_tls_done};

static void tp_job(struct tp_worker *w, struct tp_item *it)
{
	engine_xfer_start(&w->b.x, w->tp->o, &it->job, it->index, it->sink);
	(void)engine_xfer_outcome(&w->b.x, blocking_transfer(&w->b), &it->err);
	it->res = *xfer_result(&w->b.x);
	(void)snprintf(it->final_url, sizeof it->final_url, "%s", it->res.final_url);
	it->res.final_url = it->final_url;
}

static void *tp_worker_main(void *arg)
{
	struct tp_worker *w = arg;
	struct tp *tp = w->tp;

	(void)pthread_mutex_lock(&tp->m);
	for (;;) {
		unsigned k;

		while (!tp->quit && tp->work.count == 0)
			(void)pthread_cond_wait(&tp->work_cv, &tp->m);
		if (tp->work.count == 0)
			break;
		k = tp_ring_pop(&tp->work);
		__atomic_store_n(&tp->running, tp->running + 1, __ATOMIC_RELAXED);
		(void)pthread_mutex_unlock(&tp->m);
		tp_job(w, &tp->items[k]);
		(void)pthread_mutex_lock(&tp->m);
		__atomic_store_n(&tp->running, tp->running - 1, __ATOMIC_RELAXED);
		tp_ring_push(&tp->done, k);
		(void)pthread_cond_signal(&tp->done_cv);
	}
	(void)pthread_mutex_unlock(&tp->m);
	conn_pool_clear(&w->pool);
	blocking_drop_conn(&w->b);
	return NULL;
}

/* ---- the caller's side ---- */

static void tp_free(struct tp *tp)
{
	if (tp == NULL)
		return;
	resolver_free(tp->res);
	host_table_clear(&tp->hosts);
	(void)pthread_cond_destroy(&tp->host_cv);
	(void)pthread_cond_destroy(&tp->done_cv);
	(void)pthread_cond_destroy(&tp->work_cv);
	(void)pthread_mutex_destroy(&tp->m);
	free(tp->work.slot);
	free(tp->done.slot);
	free(tp->items);
	free(tp->free_items);
	free(tp->workers);
	free(tp);
}

/* The pool's state for n workers into *out.  Errors: QV_E_NOMEM, the
 * resolver's. */
static enum qv_err tp_new(struct tp **out, unsigned n, const struct engine_opts *o,
			  struct qv_error *err)
{
	pthread_condattr_t ca;
	struct tp *tp = calloc(1, sizeof *tp);
	bool sync_ok;
	unsigned i;
	enum qv_err rc;

	*out = NULL;
	if (tp == NULL)
		goto nomem;
	tp->o = o;
	tp->per_host = o->per_host != 0 && o->per_host < n ? o->per_host : 0;
	tp->work.slot = calloc(n, sizeof *tp->work.slot);
	tp->done.slot = calloc(n, sizeof *tp->done.slot);
	tp->work.cap = tp->done.cap = n;
	tp->items = calloc(n, sizeof *tp->items);
	tp->free_items = calloc(n, sizeof *tp->free_items);
	/* Workers hold the transfer state (tens of KiB each): heap. */
	tp->workers = calloc(n, sizeof *tp->workers);
	host_table_init(&tp->hosts, sizeof(struct tp_dns));
	sync_ok = pthread_condattr_init(&ca) == 0;
	if (sync_ok) {
		/* Timed waits measure intervals: never the wall clock. */
		(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		sync_ok = pthread_mutex_init(&tp->m, NULL) == 0 &&
			  pthread_cond_init(&tp->work_cv, &ca) == 0 &&
			  pthread_cond_init(&tp->done_cv, &ca) == 0 &&
			  pthread_cond_init(&tp->host_cv, &ca) == 0;
		(void)pthread_condattr_destroy(&ca);
	}
	/* pthread objects on glibc/musl need no destroy when init failed or
	 * never ran; destroying zeroed ones (tp_free) is harmless. */
	if (!sync_ok || tp->work.slot == NULL || tp->done.slot == NULL || tp->items == NULL ||
	    tp->free_items == NULL || tp->workers == NULL)
		goto nomem;
	rc = resolver_new(&tp->res, n < RESOLVER_THREADS_MAX ? n : RESOLVER_THREADS_MAX, o->resolve,
			  o->resolve_ctx, err);
	if (rc != QV_OK)
		goto fail;
	for (i = 0; i < n; i++)
		tp->free_items[tp->nfree++] = n - 1 - i;
	tp->nmax = n;
	*out = tp;
	return QV_OK;
nomem:
	rc = QV_E_NOMEM; /* itself, for the analyzers (see lp_new) */
	(void)qv_error_set(err, rc, "out of memory");
fail:
	tp_free(tp);
	return rc;
}

/* Start one more worker, up to nmax; false when none can start now.  The
 * run starts them one at a time, each with a job waiting for it, so the
 * first transfers are under way while later threads are still being
 * created (194 thread creations take tens of ms in a sandbox). */
static bool tp_grow(struct tp *tp)
{
	pthread_attr_t attr;
	struct tp_worker *w;
	bool ok;

	if (tp->nworkers >= tp->nmax || pthread_attr_init(&attr) != 0)
		return false;
	(void)pthread_attr_setstacksize(&attr, TP_STACK);
	w = &tp->workers[tp->nworkers];
	w->tp = tp;
	conn_pool_init(&w->pool, ENGINE_THREADS_POOL_MAX, 0);
	blocking_init(&w->b, &tp_ops, w, tp->o, &w->pool, w->buf, sizeof w->buf);
	w->b.active = &tp->running;
	ok = pthread_create(&w->th, &attr, tp_worker_main, w) == 0;
	(void)pthread_attr_destroy(&attr);
	if (ok)
		tp->nworkers++;
	return ok;
}

static void tp_stop_workers(struct tp *tp, struct engine_stats *stats)
{
	unsigned i;

	(void)pthread_mutex_lock(&tp->m);
	tp->quit = true;
	(void)pthread_cond_broadcast(&tp->work_cv);
	(void)pthread_mutex_unlock(&tp->m);
	for (i = 0; i < tp->nworkers; i++) {
		(void)pthread_join(tp->workers[i].th, NULL);
		stats->connections += tp->workers[i].b.connections;
		stats->reused += tp->workers[i].b.reused;
	}
	tp->nworkers = 0;
}

/* Open job i's sink and queue it.  False when it failed before starting
 * (done was called). */
static bool tp_submit(struct tp *tp, const struct engine_job *job, size_t i,
		      struct engine_stats *stats)
{
	struct sink *sink;
	unsigned k;

	stats->started++;
	if (!engine_job_sink(tp->o, job, i, stats, &sink))
		return false;
	k = tp->free_items[--tp->nfree];
	tp->items[k].index = i;
	tp->items[k].job = *job;
	tp->items[k].sink = sink;
	(void)pthread_mutex_lock(&tp->m);
	tp_ring_push(&tp->work, k);
	(void)pthread_cond_signal(&tp->work_cv);
	(void)pthread_mutex_unlock(&tp->m);
	return true;
}

/* Report finished jobs, waiting for one when wait is set; returns how
 * many. */
static unsigned tp_collect(struct tp *tp, struct engine_stats *stats, bool *stopped, bool wait)
{
	const struct engine_opts *o = tp->o;
	unsigned got[ENGINE_COLLECT_BATCH] = {0};
	unsigned n = 0, i;

	(void)pthread_mutex_lock(&tp->m);
	while (tp->done.count == 0 && wait) {
		struct timespec ts = tp_abstime(NET_STOP_POLL_MS);

		if (engine_flag_raised(o->stop))
			*stopped = true;
		(void)pthread_cond_timedwait(&tp->done_cv, &tp->m, &ts);
	}
	while (tp->done.count > 0 && n < ENGINE_COLLECT_BATCH)
		got[n++] = tp_ring_pop(&tp->done);
	(void)pthread_mutex_unlock(&tp->m);
	for (i = 0; i < n; i++) {
		struct tp_item *it = &tp->items[got[i]];

		if (it->err.code != QV_OK)
			stats->failed++;
		if (o->done != NULL)
			o->done(o->ctx, it->index, &it->res, &it->err);
		tp->free_items[tp->nfree++] = got[i];
	}
	return n;
}

enum qv_err engine_threads_run(struct engine_feed *f, const struct engine_opts *o,
			       struct engine_stats *stats, struct qv_error *err)
{
	unsigned n = engine_workers(ENGINE_THREADS, o->concurrency, f->njobs), inflight = 0;
	bool stopped = false, can_grow = true, later;
	struct engine_job job;
	struct tp *tp;
	size_t i;
	enum qv_err rc = tp_new(&tp, n, o, err);

	if (rc != QV_OK)
		return rc;
	for (;;) {
		if (engine_flag_raised(o->stop))
			stopped = true;
		later = false;
		while (!stopped && engine_feed_more(f)) {
			enum engine_next r;

			/* A new worker for each job until there are n of them (or
			 * the system refuses more: run with those there are). */
			if (inflight >= tp->nworkers && (!can_grow || !tp_grow(tp))) {
				can_grow = false;
				break;
			}
			r = engine_feed_take(f, &job, &i);
			later = r == ENGINE_NEXT_LATER;
			if (r != ENGINE_NEXT_JOB)
				break;
			if (tp_submit(tp, &job, i, stats))
				inflight++;
		}
		if (tp->nworkers == 0 && !can_grow) {
			tp_free(tp);
			return qv_error_set(err, QV_E_IO, "cannot create worker threads");
		}
		if (inflight == 0 && !later)
			break;
		/* the source asks to be asked again: collect what is done, no wait */
		inflight -= tp_collect(tp, stats, &stopped, !later);
	}
	tp_stop_workers(tp, stats);
	tp_free(tp);
	return QV_OK;
}
