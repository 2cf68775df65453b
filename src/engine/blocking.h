/* blocking.h - driving one transfer's I/O on a blocking-style thread with
 * poll-based timeouts (net/wait.h): the drive loop the seq engine runs on
 * the calling thread and the threads engine on each worker.  The engines
 * keep only what differs: where names are resolved, whether a per-host
 * slot is held, and where the read buffer and the keep-alive pool live. */
#ifndef QV_ENGINE_BLOCKING_H
#define QV_ENGINE_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "engine/pace.h"
#include "net/addr.h"
#include "net/conn.h"
#include "net/pool.h"
#include "net/wait.h"
#include "transfer/transfer.h"
#include "util/err.h"

struct blocking;

/* What an engine adds to the loop; ctx is struct blocking's ctx. */
struct blocking_ops {
	/* Before a connection is taken or opened (may be NULL): claim what the
	 * transfer needs.  An error ends the step like a failed connect. */
	enum qv_err (*acquire)(void *ctx, const struct url_origin *origin, const struct net_wait *w,
			       struct qv_error *e);
	/* Addresses of a route's peer (the origin or a proxy) for a fresh
	 * connection. */
	enum qv_err (*resolve)(void *ctx, const struct url_origin *peer, struct net_addrs *addrs,
			       struct qv_error *e);
	/* Give back what acquire claimed (may be NULL): called once the
	 * connection is parked or closed, and after a failed open. */
	void (*release)(void *ctx);
	/* Before a fresh connection on route r (may be NULL): wait, within the
	 * connect timeout, for a first handshake to the same origin already
	 * under way, so this one can resume its session.  Errors end the step
	 * like a failed connect. */
	enum qv_err (*tls_gate)(void *ctx, const struct route *r, const struct net_wait *w,
				struct qv_error *e);
	/* The fresh connection is open or failed (may be NULL): the end of a
	 * first handshake that tls_gate counted. */
	void (*tls_done)(void *ctx);
};

/* One worker's transfer state.  The caller sets ops, ctx, o, pool, buf and
 * buf_len once (blocking_init) and owns buf and pool; the loop owns conn. */
struct blocking {
	const struct blocking_ops *ops;
	void *ctx;
	const struct engine_opts *o;  /* timeouts, tls, the stop flag */
	struct conn_pool *pool;       /* keep-alive connections parked here */
	uint8_t *buf;                 /* reads land here */
	size_t buf_len;
	struct conn *conn;            /* of the current transfer */
	bool aborted;                 /* xfer_abort was called on the current one */
	const unsigned *active;       /* transfers running, read atomically, for the
				       * run's rate limit (NULL: one) */
	struct pace pace;             /* the rate limit of the current transfer */
	int64_t connect_at;           /* the connect deadline of a fresh connection */
	unsigned connections, reused; /* fresh and pooled connects, for stats */
	struct xfer x;
};

/* Set b up; allocation-free.  buf (buf_len > 0) and pool must outlive b. */
void blocking_init(struct blocking *b, const struct blocking_ops *ops, void *ctx,
		   const struct engine_opts *o, struct conn_pool *pool, uint8_t *buf,
		   size_t buf_len);

/* Drive b->x (already xfer_init'ed) to XFER_DONE or XFER_FAILED, which is
 * returned; the connection is parked or closed and release was called. */
enum xfer_action blocking_transfer(struct blocking *b);

/* Close the connection of the current transfer, if any. */
void blocking_drop_conn(struct blocking *b);

#endif
