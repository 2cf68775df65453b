/* wait.h - blocking I/O on a struct conn for the seq and threads engines:
 * each call waits with poll() until the socket is ready, the phase timeout
 * passes, the --max-time deadline passes, or the stop flag is raised.
 *
 * Timeouts are per phase, as in the book's httpx timeout=6.1: connect (over
 * all addresses, from the first attempt, through any CONNECT exchange and
 * the handshake) and idle read/write (time without progress).  The messages
 * come from conn_timeout_error (conn.h). */
#ifndef QV_NET_WAIT_H
#define QV_NET_WAIT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "net/conn.h"
#include "util/err.h"

/* How often a wait checks the stop flag: short enough that Ctrl-C feels
 * immediate, long enough to cost nothing (poll is not restarted after a
 * signal, but the signal may land just before poll starts). */
#define NET_STOP_POLL_MS 100

struct net_wait {
	uint32_t connect_timeout_ms;   /* whole connect, all addresses; 0: none */
	uint32_t idle_timeout_ms;      /* one read or write wait; 0: none */
	int64_t max_at_ms;             /* absolute clock_now_ms deadline; 0: none */
	/* absolute connect deadline while a connection is being set up (its
	 * TCP connect, a CONNECT exchange, a tunnelled handshake: one budget,
	 * from the first attempt); 0: none, reads and writes are idle-timed */
	int64_t connect_at_ms;
	uint32_t max_time_ms;          /* the --max-time value, for its message */
	const volatile sig_atomic_t *stop; /* non-NULL and non-zero: give up */
};

/* Connect c to addrs of family f, racing them (Happy Eyeballs, race.h),
 * then the handshake, all within the connect deadline.
 * Errors: QV_E_CONNECT, QV_E_CONNECT_TIMEOUT, QV_E_TOTAL_TIMEOUT,
 * QV_E_INTERRUPTED, QV_E_IO, TLS errors. */
enum qv_err net_connect_blocking(struct conn *c, const struct net_addrs *addrs,
				 enum net_family f, const struct net_wait *w,
				 struct qv_error *err);

/* The TLS handshake alone (after conn_start_tls over a tunnel), within the
 * connect deadline.  Errors as net_connect_blocking's. */
enum qv_err net_handshake_blocking(struct conn *c, const struct net_wait *w, struct qv_error *err);

/* Read up to cap bytes; *n == 0 means the peer closed (EOF).
 * Errors: QV_E_READ_TIMEOUT, QV_E_TOTAL_TIMEOUT, QV_E_INTERRUPTED, QV_E_RESET,
 * QV_E_IO. */
enum qv_err net_read_blocking(struct conn *c, uint8_t *buf, size_t cap, size_t *n,
			      const struct net_wait *w, struct qv_error *err);

/* Write at least one and up to len bytes (len >= 1); *n says how many.
 * Errors: QV_E_WRITE_TIMEOUT, QV_E_TOTAL_TIMEOUT, QV_E_INTERRUPTED,
 * QV_E_RESET, QV_E_IO. */
enum qv_err net_write_blocking(struct conn *c, const uint8_t *p, size_t len, size_t *n,
			       const struct net_wait *w, struct qv_error *err);

/* Sleep until clock_now_ms() >= at_ms (a retry backoff).
 * Errors: QV_E_TOTAL_TIMEOUT, QV_E_INTERRUPTED. */
enum qv_err net_sleep_until(int64_t at_ms, const struct net_wait *w, struct qv_error *err);

#endif
