/* pool.h - keep-alive connections parked between requests, keyed by route
 * (scheme, host, port).
 *
 * A pool is owned by one thread and has no locks: the seq engine has one,
 * the threads engine one per worker, the poll engine one per loop.  It is
 * bounded (oldest parked connection evicted first) and drops connections idle
 * longer than idle_ms, or that the server closed while they were parked. */
#ifndef QV_NET_POOL_H
#define QV_NET_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "net/conn.h"
#include "util/origin.h"

/* Parked connections per pool: a flags run talks to one origin, a get run to
 * a few; each parked socket holds a descriptor, so keep the bound modest. */
#define CONN_POOL_MAX 64
/* Default idle expiry: below the common server keep-alive timeouts (nginx
 * 75 s, Apache 5 s is the short one), so a parked socket is rarely stale. */
#define CONN_POOL_IDLE_MS 4000u

struct conn_pool {
	struct conn *items[CONN_POOL_MAX];
	size_t count;
	size_t max;          /* <= CONN_POOL_MAX */
	uint32_t idle_ms;
	unsigned reused;     /* conn_pool_take hits, for statistics */
};

/* Empty pool holding at most max (capped to CONN_POOL_MAX; 0 disables
 * pooling) connections for at most idle_ms (0: CONN_POOL_IDLE_MS).
 * No allocation. */
void conn_pool_init(struct conn_pool *p, size_t max, uint32_t idle_ms);

/* Take a parked, still-usable connection for route r, or NULL.  Expired or
 * dead connections met on the way are closed.  The caller owns the result. */
struct conn *conn_pool_take(struct conn_pool *p, const struct route *r, int64_t now_ms);

/* Park c (the pool takes ownership).  When full, the longest-parked
 * connection is closed to make room. */
void conn_pool_put(struct conn_pool *p, struct conn *c, int64_t now_ms);

/* Close connections parked longer than idle_ms. */
void conn_pool_expire(struct conn_pool *p, int64_t now_ms);

/* Close every parked connection; the pool stays usable.  Accepts NULL. */
void conn_pool_clear(struct conn_pool *p);

#endif
