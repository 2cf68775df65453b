/* resolver.c - getaddrinfo on helper threads, results through a pipe.
 *
 * One mutex guards everything shared: the queue of lookups to do, the list
 * of finished ones, each helper's current lookup and the reference count.
 * A lookup's result is written by its helper alone while it runs and
 * published under the mutex, so the owner reads it race-free.  The owner
 * holds one reference, and so does every helper it detached at free time
 * (one still inside getaddrinfo); the last one out frees the state. */
#include "engine/resolver.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net/wait.h"
#include "util/clock.h"
#include "util/origin.h"

/* Helper stack: glibc's getaddrinfo and its NSS modules keep DNS answers
 * on the stack (tens of KiB); 256 KiB is ample and far below the 8 MiB
 * default, which matters on 32-bit targets. */
#define RESOLVER_STACK (256u * 1024u)

struct rs_req {
	struct rs_req *next;
	bool cancelled;              /* abandoned while a helper runs it */
	bool waited;                 /* resolver_lookup: a thread waits on it */
	bool finished;               /* waited, and the answer is in res */
	char host[URL_HOST_MAX];
	uint16_t port;
	struct resolver_result res;
};

struct rs_helper {
	pthread_t th;
	struct resolver *r;
	struct rs_req *running;      /* the lookup in progress, or NULL */
	bool detached;               /* let go by resolver_free while busy */
};

struct resolver {
	pthread_mutex_t m;
	pthread_cond_t cv;           /* work queued, or closing */
	pthread_cond_t done_cv;      /* a waited lookup finished */
	resolver_fn fn;
	void *fn_ctx;
	int wake[2];                 /* [0] read end for the loop, [1] helpers */
	bool wake_pending;           /* a byte sits in the pipe */
	bool closing;
	unsigned refs;               /* owner + detached helpers still running */
	struct rs_req *todo, *todo_tail;
	struct rs_req *done, *done_tail;
	unsigned ntodo, idle;        /* queued lookups, helpers waiting for one */
	unsigned nhelpers, max_helpers;
	struct rs_helper helpers[RESOLVER_THREADS_MAX];
	uint64_t next_id;            /* under m */
	unsigned pending;            /* owner-only */
};

static enum qv_err rs_default(void *ctx, const char *host, uint16_t port, struct net_addrs *out,
			      struct qv_error *err)
{
	(void)ctx;
	return net_addr_resolve(host, port, out, err);
}

static void rs_free(struct resolver *r)
{
	(void)pthread_cond_destroy(&r->done_cv);
	(void)pthread_cond_destroy(&r->cv);
	(void)pthread_mutex_destroy(&r->m);
	(void)close(r->wake[0]);
	(void)close(r->wake[1]);
	free(r);
}

/* Append req to a list given by head and tail pointers. */
static void rs_append(struct rs_req **head, struct rs_req **tail, struct rs_req *req)
{
	req->next = NULL;
	if (*tail != NULL)
		(*tail)->next = req;
	else
		*head = req;
	*tail = req;
}

static void rs_list_free(struct rs_req *req)
{
	while (req != NULL) {
		struct rs_req *next = req->next;

		free(req);
		req = next;
	}
}

/* A lookup finished (called with the lock held). */
static void rs_finish(struct resolver *r, struct rs_req *req)
{
	static const char one = 1;

	if (r->closing || req->cancelled) {
		free(req);
		return;
	}
	if (req->waited) {
		req->finished = true;
		(void)pthread_cond_broadcast(&r->done_cv);
		return;
	}
	rs_append(&r->done, &r->done_tail, req);
	if (!r->wake_pending) {
		/* Never blocks or fills: one byte at most is ever in the pipe. */
		if (write(r->wake[1], &one, 1) == 1)
			r->wake_pending = true;
	}
}

static void *rs_helper_main(void *arg)
{
	struct rs_helper *h = arg;
	struct resolver *r = h->r;
	bool last = false;

	(void)pthread_mutex_lock(&r->m);
	for (;;) {
		struct rs_req *req;

		while (!r->closing && r->todo == NULL) {
			r->idle++;
			(void)pthread_cond_wait(&r->cv, &r->m);
			r->idle--;
		}
		if (r->closing)
			break;
		req = r->todo;
		r->todo = req->next;
		if (r->todo == NULL)
			r->todo_tail = NULL;
		r->ntodo--;
		h->running = req;
		(void)pthread_mutex_unlock(&r->m);

		qv_error_clear(&req->res.err);
		req->res.code = r->fn(r->fn_ctx, req->host, req->port, &req->res.addrs,
				      &req->res.err);

		(void)pthread_mutex_lock(&r->m);
		h->running = NULL;
		rs_finish(r, req);
	}
	if (h->detached)
		last = --r->refs == 0;
	(void)pthread_mutex_unlock(&r->m);
	if (last)
		rs_free(r);
	return NULL;
}

static bool rs_sync_init(struct resolver *r)
{
	pthread_condattr_t ca;
	bool ok;

	if (pthread_condattr_init(&ca) != 0)
		return false;
	/* Timed waits measure intervals: never the wall clock. */
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	ok = pthread_mutex_init(&r->m, NULL) == 0 && pthread_cond_init(&r->cv, NULL) == 0 &&
	     pthread_cond_init(&r->done_cv, &ca) == 0;
	(void)pthread_condattr_destroy(&ca);
	return ok;
}

enum qv_err resolver_new(struct resolver **out, unsigned threads, resolver_fn fn, void *fn_ctx,
			 struct qv_error *err)
{
	struct resolver *r;

	*out = NULL;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	if (pipe2(r->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
		int e = errno;

		free(r);
		return qv_error_sys(err, QV_E_IO, e, "cannot create the resolver's pipe");
	}
	if (!rs_sync_init(r)) {
		(void)close(r->wake[0]);
		(void)close(r->wake[1]);
		free(r);
		return qv_error_set(err, QV_E_NOMEM, "cannot create the resolver's lock");
	}
	r->fn = fn != NULL ? fn : rs_default;
	r->fn_ctx = fn_ctx;
	r->refs = 1;
	r->max_helpers = threads == 0                      ? 1u
			 : threads > RESOLVER_THREADS_MAX ? RESOLVER_THREADS_MAX
							   : threads;
	r->next_id = 1;
	*out = r;
	return QV_OK;
}

int resolver_fd(const struct resolver *r)
{
	return r->wake[0];
}

/* Start one more helper (lock held).  False when the system refuses. */
static bool rs_spawn(struct resolver *r)
{
	struct rs_helper *h = &r->helpers[r->nhelpers];
	pthread_attr_t attr;
	int rc;

	h->r = r;
	h->running = NULL;
	h->detached = false;
	if (pthread_attr_init(&attr) != 0)
		return false;
	(void)pthread_attr_setstacksize(&attr, RESOLVER_STACK);
	rc = pthread_create(&h->th, &attr, rs_helper_main, h);
	(void)pthread_attr_destroy(&attr);
	if (rc != 0)
		return false;
	r->nhelpers++;
	return true;
}

/* Give req an id and queue it, starting a helper when none is idle (lock
 * held).  False when no helper could ever be started. */
static bool rs_queue(struct resolver *r, struct rs_req *req)
{
	if (r->ntodo + 1 > r->idle && r->nhelpers < r->max_helpers)
		(void)rs_spawn(r);
	if (r->nhelpers == 0)
		return false;
	req->res.id = r->next_id++;
	rs_append(&r->todo, &r->todo_tail, req);
	r->ntodo++;
	(void)pthread_cond_signal(&r->cv);
	return true;
}

/* Queue a lookup of host:port and return it with r->m HELD, so the caller
 * can read its id or wait for it before a helper finishes.  NULL when it
 * could not be queued (name too long, no memory, no helper thread): *rc and
 * err say why and the lock is not held. */
static struct rs_req *rs_submit_locked(struct resolver *r, const char *host, uint16_t port,
				       bool waited, void *tag, enum qv_err *rc,
				       struct qv_error *err)
{
	size_t len = strlen(host);
	struct rs_req *req;

	if (len >= URL_HOST_MAX) {
		*rc = qv_error_set(err, QV_E_URL_HOST, "host name too long");
		return NULL;
	}
	req = calloc(1, sizeof *req);
	if (req == NULL) {
		*rc = qv_error_set(err, QV_E_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(req->host, host, len + 1);
	req->port = port;
	req->waited = waited;
	req->res.tag = tag;
	(void)pthread_mutex_lock(&r->m);
	if (!rs_queue(r, req)) {
		(void)pthread_mutex_unlock(&r->m);
		free(req);
		*rc = qv_error_set(err, QV_E_IO, "cannot start a thread for name lookups");
		return NULL;
	}
	*rc = QV_OK;
	return req;
}

enum qv_err resolver_submit(struct resolver *r, const char *host, uint16_t port, void *tag,
			    uint64_t *id, struct qv_error *err)
{
	enum qv_err rc;
	struct rs_req *req = rs_submit_locked(r, host, port, false, tag, &rc, err);

	*id = 0;
	if (req == NULL)
		return rc;
	*id = req->res.id;
	(void)pthread_mutex_unlock(&r->m);
	r->pending++;
	return QV_OK;
}

/* Unlink and free the request with this id from a list; true if found. */
static bool rs_list_drop(struct rs_req **head, struct rs_req **tail, uint64_t id)
{
	struct rs_req *prev = NULL, *req;

	for (req = *head; req != NULL; prev = req, req = req->next) {
		if (req->res.id != id)
			continue;
		if (prev != NULL)
			prev->next = req->next;
		else
			*head = req->next;
		if (*tail == req)
			*tail = prev;
		free(req);
		return true;
	}
	return false;
}

void resolver_cancel(struct resolver *r, uint64_t id)
{
	bool found = false;
	unsigned i;

	if (id == 0)
		return;
	(void)pthread_mutex_lock(&r->m);
	if (rs_list_drop(&r->todo, &r->todo_tail, id)) {
		r->ntodo--;
		found = true;
	} else if (rs_list_drop(&r->done, &r->done_tail, id)) {
		found = true;
	} else {
		for (i = 0; i < r->nhelpers; i++) {
			struct rs_req *req = r->helpers[i].running;

			if (req != NULL && req->res.id == id && !req->cancelled) {
				req->cancelled = true;
				found = true;
			}
		}
	}
	(void)pthread_mutex_unlock(&r->m);
	if (found && r->pending > 0)
		r->pending--;
}

/* Empty the wake pipe (lock held, nothing left to take). */
static void rs_drain(struct resolver *r)
{
	char buf[16];

	while (read(r->wake[0], buf, sizeof buf) > 0)
		;
	r->wake_pending = false;
}

bool resolver_take(struct resolver *r, struct resolver_result *out)
{
	struct rs_req *req;

	(void)pthread_mutex_lock(&r->m);
	req = r->done;
	if (req != NULL) {
		r->done = req->next;
		if (r->done == NULL)
			r->done_tail = NULL;
	}
	if (r->done == NULL && r->wake_pending)
		rs_drain(r);
	(void)pthread_mutex_unlock(&r->m);
	if (req == NULL)
		return false;
	*out = req->res;
	free(req);
	if (r->pending > 0)
		r->pending--;
	return true;
}

enum qv_err resolver_timeout_error(const char *host, uint32_t timeout_ms, struct qv_error *err)
{
	char secs[32];

	clock_format_secs(timeout_ms, secs, sizeof secs);
	return qv_error_set(err, QV_E_DNS_TIMEOUT, "could not resolve host: %s (timed out after %ss)",
			    host, secs);
}

/* A waiter gives up on req (lock held): unqueue and free it, or leave it to
 * its helper to free. */
static void rs_abandon(struct resolver *r, struct rs_req *req)
{
	uint64_t id = req->res.id;

	if (rs_list_drop(&r->todo, &r->todo_tail, id))
		r->ntodo--;
	else
		req->cancelled = true; /* running: rs_finish frees it */
}

/* Wait for req to finish (lock held); QV_OK when it did. */
static enum qv_err rs_wait(struct resolver *r, struct rs_req *req, int64_t deadline_ms,
			   uint32_t timeout_ms, const volatile sig_atomic_t *stop,
			   struct qv_error *err)
{
	while (!req->finished) {
		int64_t now = clock_now_ms(), wait = NET_STOP_POLL_MS;
		struct timespec ts;

		if (stop != NULL && __atomic_load_n(stop, __ATOMIC_RELAXED) != 0)
			return qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
		if (deadline_ms != 0 && now >= deadline_ms)
			return resolver_timeout_error(req->host, timeout_ms, err);
		if (deadline_ms != 0 && deadline_ms - now < wait)
			wait = deadline_ms - now;
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(wait / 1000);
		ts.tv_nsec += (long)(wait % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&r->done_cv, &r->m, &ts);
	}
	return QV_OK;
}

enum qv_err resolver_lookup(struct resolver *r, const char *host, uint16_t port,
			    int64_t deadline_ms, uint32_t timeout_ms,
			    const volatile sig_atomic_t *stop, struct net_addrs *out,
			    struct qv_error *err)
{
	enum qv_err rc;
	struct rs_req *req = rs_submit_locked(r, host, port, true, NULL, &rc, err);

	if (req == NULL)
		return rc;
	rc = rs_wait(r, req, deadline_ms, timeout_ms, stop, err);
	if (rc != QV_OK) {
		rs_abandon(r, req);
		(void)pthread_mutex_unlock(&r->m);
		return rc;
	}
	(void)pthread_mutex_unlock(&r->m);
	rc = req->res.code;
	if (rc == QV_OK)
		*out = req->res.addrs;
	else if (err != NULL)
		*err = req->res.err;
	free(req);
	return rc;
}

unsigned resolver_pending(const struct resolver *r)
{
	return r->pending;
}

void resolver_free(struct resolver *r)
{
	unsigned i, n;
	bool last;

	if (r == NULL)
		return;
	(void)pthread_mutex_lock(&r->m);
	r->closing = true;
	rs_list_free(r->todo);
	rs_list_free(r->done);
	r->todo = r->todo_tail = r->done = r->done_tail = NULL;
	r->ntodo = 0;
	for (i = 0; i < r->nhelpers; i++) {
		if (r->helpers[i].running != NULL) {
			r->helpers[i].detached = true;
			r->refs++;
		}
	}
	n = r->nhelpers;
	(void)pthread_cond_broadcast(&r->cv);
	(void)pthread_mutex_unlock(&r->m);
	/* Only the owner changes `detached`, so reading it unlocked is safe. */
	for (i = 0; i < n; i++) {
		if (r->helpers[i].detached)
			(void)pthread_detach(r->helpers[i].th);
		else
			(void)pthread_join(r->helpers[i].th, NULL);
	}
	(void)pthread_mutex_lock(&r->m);
	last = --r->refs == 0;
	(void)pthread_mutex_unlock(&r->m);
	if (last)
		rs_free(r);
}
