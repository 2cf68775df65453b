/* client.h - the TLS client side: one shared struct tls_client per run (trust
 * anchors, session cache, -k) and one struct tls_conn per connection.
 *
 * A tls_conn owns its BearSSL client context, its certificate checker
 * (tls/x509.h, freed once the handshake is done) and one mono-mode I/O
 * buffer (BR_SSL_BUFSIZE_MONO, one record) allocated with it and freed with
 * it.  SNI is the host name, never an IP literal (RFC 6066); the
 * certificate must match the host name, or for an IP-literal host hold the
 * address as a subjectAltName iPAddress entry (RFC 6125 §6.2.1).  Sessions
 * are resumed per host + port + settings; a chain already validated for
 * the host in this run is not validated again (tls/chaincache.h).
 *
 * The connection layer (net/conn.c) drives a tls_conn on its non-blocking
 * socket: tls_conn_handshake until TLS_OK, then tls_conn_read/tls_conn_write,
 * each returning TLS_WANT_READ/TLS_WANT_WRITE exactly as the engine needs;
 * a read may need the socket writable and a write readable.  Always call
 * tls_conn_read before waiting for readability: plaintext may already be
 * decrypted in the buffer.
 *
 * Threads: a tls_client may be shared by any number of threads (the trust
 * store is loaded once under a lock, then only read; the session and chain
 * caches have their own locks).  A tls_conn belongs to one thread at a time. */
#ifndef QV_TLS_CLIENT_H
#define QV_TLS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/io.h"
#include "tls/trust.h"
#include "util/err.h"

struct tls_client_opts {
	const char *cacert;        /* --cacert FILE (copied), or NULL */
	bool insecure;             /* -k: accept any certificate and host name */
	int64_t now_unix;          /* validation time, 0: the clock (tests fix it) */
	const struct tls_trust_paths *paths; /* NULL: cacert, environment, distro */
};

struct tls_client;
struct tls_conn;

/* A client for one run.  Allocates no trust anchors yet: they are loaded on
 * the first https connection (or by tls_client_load_trust), so a run with
 * only http URLs never needs a CA bundle.  Errors: QV_E_NOMEM. */
enum qv_err tls_client_new(struct tls_client **out, const struct tls_client_opts *o,
			   struct qv_error *err);

/* Accepts NULL.  Every tls_conn of it must be freed first. */
void tls_client_free(struct tls_client *cl);

/* Load the trust anchors now if not yet done; the result (success or the
 * error) is kept and returned to every later caller.  Errors: see
 * tls_trust_load.  No-op success under -k. */
enum qv_err tls_client_load_trust(struct tls_client *cl, struct qv_error *err);

/* A new connection to host (as in struct url: no brackets) and port.
 * Errors: QV_E_TLS_CERT "cannot verify a certificate for 'fe80::zz': not
 * an IP address" (a host with ':' that is not IPv6); the trust store's
 * errors; QV_E_NOMEM. */
enum qv_err tls_conn_new(struct tls_conn **out, struct tls_client *cl, const char *host,
			 uint16_t port, struct qv_error *err);

/* True when a session for host and port is cached (under the run's trust
 * settings), so a new connection there would offer to resume it.  Thread
 * safe; for engines deciding whether to wait for a first handshake. */
bool tls_client_may_resume(struct tls_client *cl, const char *host, uint16_t port);

/* Sends close_notify if it can without waiting, then frees.  The socket is
 * the caller's and must still be open.  Accepts NULL. */
void tls_conn_free(struct tls_conn *t);

/* Run the handshake on the connected socket fd (the first call starts it).
 * TLS_OK when done; TLS_WANT_*; TLS_ERROR with err filled: QV_E_TLS_CERT,
 * QV_E_TLS_HANDSHAKE, QV_E_TLS_PROTOCOL, QV_E_RESET, QV_E_IO. */
enum tls_status tls_conn_handshake(struct tls_conn *t, int fd, struct qv_error *err);

/* Plaintext in: TLS_OK with *n >= 1, TLS_WANT_*, TLS_EOF, TLS_ERROR.
 * TLS_EOF is a close_notify, or a TCP close before any byte since the last
 * tls_conn_write (a stale keep-alive connection: the caller may retry).  A
 * TCP close without close_notify after some response bytes is TLS_ERROR
 * QV_E_TRUNCATED "truncated: TLS connection closed without close_notify
 * after N bytes (host:port)": nobody can tell that data's end from an
 * attacker's cut, so a close-delimited body never ends that way. */
enum tls_status tls_conn_read(struct tls_conn *t, uint8_t *buf, size_t cap, size_t *n,
			      struct qv_error *err);

/* Plaintext out (len >= 1): TLS_OK with *n >= 1 bytes taken (records may
 * still be in flight: the next read or write sends them first), TLS_WANT_*,
 * TLS_ERROR. */
enum tls_status tls_conn_write(struct tls_conn *t, const uint8_t *p, size_t len, size_t *n,
			       struct qv_error *err);

/* For a parked keep-alive connection: nothing unread or unsent, not closed. */
bool tls_conn_idle_ok(const struct tls_conn *t);

/* After the handshake: true when the server resumed the offered session. */
bool tls_conn_resumed(const struct tls_conn *t);

/* After the handshake: true when the server's chain was taken from the
 * chain cache instead of being validated again. */
bool tls_conn_chain_cached(const struct tls_conn *t);

/* After the handshake: the ECDHE curve (BR_EC_curve25519, BR_EC_secp256r1...). */
int tls_conn_curve(const struct tls_conn *t);

/* Chains in the chain cache (tests, -v). */
size_t tls_client_chains(struct tls_client *cl);

/* Validate certificates as of now_unix (0: the clock) from the next
 * connection on; the tests move a run's clock with it. */
void tls_client_set_time(struct tls_client *cl, int64_t now_unix);

#endif
