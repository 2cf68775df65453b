/* conn.h - one client connection: a non-blocking TCP socket and, for https,
 * the TLS state that rides on it (tls/client.h), with I/O calls that never
 * block.
 *
 * Every call returns a status instead of waiting, so the blocking engines
 * (seq, threads: see wait.h) and a poll() loop drive the same code:
 *
 *   conn_new -> conn_connect_start -> [wait: the sockets of
 *            conn_connect_fds writable -> conn_connect_ready; the time
 *            conn_connect_next_at -> conn_connect_tick]*      (Happy Eyeballs)
 *            -> conn_handshake (TLS; immediate for http)
 *            -> conn_read / conn_write ... -> conn_free (or a pool, pool.h)
 *
 * A connection follows a route (util/origin.h): TCP to the route's peer (the
 * origin, or a proxy), and TLS to the origin either at once (direct https)
 * or after a CONNECT tunnel opened (conn_start_tls).  Connecting races the
 * peer's addresses as RFC 8305 says (net/race.h).
 *
 * Sockets are SOCK_NONBLOCK|SOCK_CLOEXEC with TCP_NODELAY (a request head
 * goes out in one write; Nagle would only delay it); writes use MSG_NOSIGNAL.
 * A struct conn is owned by exactly one thread at a time.
 *
 * Under TLS a read may need the socket writable and a write readable (the
 * returned status says which), and decrypted bytes may already wait in the
 * TLS buffer: call conn_read before waiting for readability, never only
 * after. */
#ifndef QV_NET_CONN_H
#define QV_NET_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "net/race.h"
#include "util/err.h"
#include "util/origin.h"

enum conn_status {
	CONN_OK = 0,      /* done: connected, or n bytes moved (n >= 1) */
	CONN_WANT_READ,   /* try again when the fd is readable */
	CONN_WANT_WRITE,  /* try again when the fd is writable */
	CONN_EOF,         /* the peer closed its side (reads only) */
	CONN_ERROR        /* see the qv_error; the connection is unusable */
};

/* The TLS layer (tls/client.h).  NULL for plain http. */
struct tls_client;
struct tls_conn;

struct conn {
	int fd;                       /* the connected socket; -1 until then */
	struct tls_conn *tls;         /* NULL: plain TCP (so far) */
	struct route route;           /* pool key: how this connection was made */
	struct net_race race;         /* connect progress over the addresses */
	bool connected;
	char peer[NET_ADDR_STR_MAX];  /* the connected address, for messages */
	int64_t idle_since_ms;        /* set by the pool when parked */
	unsigned requests;            /* responses completed on it */
};

/* Allocate a closed connection for route r; for a direct https route its
 * TLS state comes from tls (the run's shared client: trust anchors, session
 * cache, -k).  Errors: QV_E_NOMEM; for https, before any DNS or connect so
 * the user sees the real reason, the trust store's errors (QV_E_TLS_NO_CA
 * ...), QV_E_URL_SCHEME when tls is NULL.  *out is NULL on error. */
enum qv_err conn_new(struct conn **out, const struct route *r, struct tls_client *tls,
		     struct qv_error *err);

/* Over an open tunnel: TLS to the route's origin from here on (then
 * conn_handshake).  Errors as conn_new's for https. */
enum qv_err conn_start_tls(struct conn *c, struct tls_client *tls, struct qv_error *err);

/* Close the socket, free TLS state and c.  Accepts NULL. */
void conn_free(struct conn *c);

/* Start connecting to addrs (copied) of family f (-4/-6), racing them
 * (race.h).  Returns CONN_OK (connected at once), CONN_WANT_WRITE (in
 * progress: wait for the sockets of conn_connect_fds to become writable and
 * for conn_connect_next_at), or CONN_ERROR when every address failed
 * (QV_E_CONNECT "could not connect to 127.0.0.1:8001: Connection refused"). */
enum conn_status conn_connect_start(struct conn *c, const struct net_addrs *addrs,
				    enum net_family f, struct qv_error *err);

/* Socket fd of an attempt became writable (or poll said error/hang-up). */
enum conn_status conn_connect_ready(struct conn *c, int fd, struct qv_error *err);

/* conn_connect_next_at passed: start the attempts that are due. */
enum conn_status conn_connect_tick(struct conn *c, struct qv_error *err);

/* While connecting: the sockets to watch for writability, into out (cap at
 * least NET_RACE_MAX); returns how many. */
size_t conn_connect_fds(const struct conn *c, int *out, size_t cap);

/* While connecting: when to call conn_connect_tick (clock_now_ms time),
 * INT64_MAX when no attempt is left to start. */
int64_t conn_connect_next_at(const struct conn *c);

/* After TCP connect: the TLS handshake for https (it may return
 * CONN_WANT_READ/WRITE; errors QV_E_TLS_CERT, QV_E_TLS_HANDSHAKE,
 * QV_E_TLS_PROTOCOL, QV_E_RESET, QV_E_IO), CONN_OK at once for http. */
enum conn_status conn_handshake(struct conn *c, struct qv_error *err);

/* Read up to cap bytes.  CONN_OK with *n >= 1, CONN_WANT_READ (or
 * CONN_WANT_WRITE under TLS), CONN_EOF, or CONN_ERROR (QV_E_RESET on
 * ECONNRESET, QV_E_IO otherwise, TLS errors).  Under TLS, CONN_EOF is a
 * close_notify, or a bare TCP close before any byte of the response; a bare
 * close after some is CONN_ERROR QV_E_TRUNCATED (see tls_conn_read), so the
 * engines need not know TLS to refuse a cut close-delimited body. */
enum conn_status conn_read(struct conn *c, uint8_t *buf, size_t cap, size_t *n,
			   struct qv_error *err);

/* Write up to len bytes (len >= 1).  CONN_OK with *n >= 1, CONN_WANT_WRITE
 * (or CONN_WANT_READ under TLS), or CONN_ERROR (QV_E_RESET on EPIPE or
 * ECONNRESET, QV_E_IO otherwise). */
enum conn_status conn_write(struct conn *c, const uint8_t *buf, size_t len, size_t *n,
			    struct qv_error *err);

/* For a parked keep-alive connection: true when the peer has neither closed
 * it nor sent anything unasked (both make it unusable).  Never blocks. */
bool conn_idle_ok(const struct conn *c);

/* True when c can serve route r: the same kind of route to the same peer,
 * and for a direct or tunnelled route the same origin (a connection to a
 * forwarding proxy serves any http origin). */
bool conn_matches(const struct conn *c, const struct route *r);

/* Fill err with the timeout message for code, after timeout_ms:
 *   QV_E_CONNECT_TIMEOUT "connection timed out after 6.1s (connect to 127.0.0.1:8001)"
 *   QV_E_READ_TIMEOUT    "read timed out after 6.1s (no data from 127.0.0.1:8001)"
 *   QV_E_WRITE_TIMEOUT   "write timed out after 6.1s (could not send to 127.0.0.1:8001)"
 *   QV_E_TOTAL_TIMEOUT   "transfer took longer than --max-time 60s"
 * Returns code. */
enum qv_err conn_timeout_error(const struct conn *c, enum qv_err code, uint32_t timeout_ms,
			       struct qv_error *err);

#endif
