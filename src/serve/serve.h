/* serve.h - the embedded flag server behind `quiver serve` (DESIGN §1).
 *
 * An HTTP/1.1 keep-alive server on an evloop: GET and HEAD of
 * /flags/{cc}/{cc}.gif and /flags/{cc}/metadata.json (also without the
 * /flags prefix), from built-in synthetic flags or a flags.zip-like tree.
 * It can slow down every answer (--delay, --jitter: timers, never blocking
 * other connections) and answer 418 at random (--error-rate), like the
 * book's slow_server.py.  The caller owns the loop and runs it; the server
 * only registers its fds and timers on it.  No global state. */
#ifndef QV_SERVE_SERVE_H
#define QV_SERVE_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "net/evloop.h"
#include "serve/io.h"
#include "util/err.h"

/* Default cap on simultaneous connections: benchmarks run 1000 at once;
 * beyond the cap a client gets 503 and a close, not a hang. */
#define SERVE_CONNS_MAX 4096
/* listen() backlog: a burst of 1000+ connects must not be dropped. */
#define SERVE_BACKLOG 4096

struct serve_config {
	const char *bind;        /* IP literal (or "localhost"); NULL = 127.0.0.1 */
	uint16_t port;           /* 0 = any free port: ask serve_port */
	const char *dir;         /* NULL = built-in flags, else DIR/{cc}/{cc}.gif ... */
	uint32_t delay_ms;       /* before every GET/HEAD answer ... */
	uint32_t jitter_ms;      /* ... plus uniform [0, jitter_ms) */
	double error_rate;       /* probability of answering 418, 0..1 */
	uint64_t seed;           /* of the jitter and error draws */
	unsigned max_conns;      /* 0 = SERVE_CONNS_MAX (lowered to fit RLIMIT_NOFILE) */
	const struct serve_io_factory *io;  /* NULL = plain TCP */
};

struct serve_stats {
	uint64_t accepted;       /* connections taken */
	uint64_t refused;        /* connections over the cap (503) */
	uint64_t requests;       /* request heads answered */
	unsigned open;           /* connections open now */
};

struct serve;

/* Fill cfg with the defaults above (127.0.0.1:8000, built-in, no delay). */
void serve_config_init(struct serve_config *cfg);

/* Build the content, listen and register on loop.  cfg's strings are
 * copied.  Errors: QV_E_USAGE (bad bind address), QV_E_IO (socket, bind,
 * listen: "cannot listen on 127.0.0.1:8000: Address already in use"),
 * QV_E_FILE (--dir), QV_E_NOMEM.  *out is NULL on error. */
enum qv_err serve_new(struct serve **out, struct evloop *loop, const struct serve_config *cfg,
		      struct qv_error *err);

/* Close every connection and the listener, cancel the timers.  The loop
 * itself is the caller's.  Accepts NULL. */
void serve_free(struct serve *srv);

/* The port actually bound (useful with port 0). */
uint16_t serve_port(const struct serve *srv);

/* "scheme://127.0.0.1:8000" or "scheme://[::1]:8000" into out (cap bytes).
 * Returns the length, 0 if it does not fit. */
size_t serve_origin(const struct serve *srv, const char *scheme, char *out, size_t cap);

const struct serve_stats *serve_stats(const struct serve *srv);

#endif
