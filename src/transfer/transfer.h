/* transfer.h - the sans-I/O state machine of one download.
 *
 * It knows nothing of sockets, threads or TLS.  An engine asks it what to do
 * next (xfer_next) and reports what happened; the machine writes the request,
 * parses the response, follows redirects, retries, and sends body bytes to a
 * sink.  The same machine runs under the seq, threads and poll engines.
 *
 *   for (;;) switch (xfer_next(x, now)) {
 *   case XFER_CONNECT: get a connection for xfer_route(x) (reused if
 *                      xfer_may_reuse(x)): TCP to route->peer, and for a
 *                      direct https route the TLS handshake too; then
 *                      xfer_connected(x, reused);
 *   case XFER_TLS:     (tunnels only: the proxy opened a CONNECT tunnel)
 *                      start TLS to route->origin over this connection and
 *                      run the handshake, then xfer_tls_done(x);
 *   case XFER_WRITE:   xfer_out(x, &p, &n); send some; xfer_sent(x, k);
 *   case XFER_READ:    read; xfer_feed(x, buf, k) / xfer_eof(x) /
 *                      xfer_io_error(x, code, msg);
 *   case XFER_RELEASE: the response is finished with the connection:
 *                      pool it if xfer_conn_reusable(x), else close it;
 *                      then call xfer_released(x);
 *   case XFER_WAIT:    sleep until xfer_wake_at(x) (retry backoff);
 *   case XFER_DONE / XFER_FAILED: finished; see xfer_error(x).
 *   }
 *
 * Guarantees the engine can rely on:
 * - Every xfer_connected() is answered by exactly one XFER_RELEASE, also when
 *   the transfer fails or is aborted, so on XFER_DONE / XFER_FAILED the
 *   machine holds no connection.  After xfer_eof() or xfer_io_error() the
 *   engine keeps its (dead) connection object until that XFER_RELEASE, which
 *   then says "not reusable": close it there.
 * - A connect failure is reported with xfer_io_error() while in XFER_CONNECT
 *   (no xfer_connected() call); no XFER_RELEASE follows it.
 * - Timeouts are the engine's job (it owns the clock and the waiting); it
 *   reports them with xfer_io_error(x, QV_E_READ_TIMEOUT, ...).  While
 *   xfer_connecting(x) (a CONNECT exchange, a tunnelled handshake) the
 *   connect timeout applies, not the idle one.
 * - A proxy route (transfer/proxy.h) is decided for every URL, redirects
 *   included.  A tunnel connection that comes from the pool already carries
 *   TLS to its origin: pools key on the whole route.
 * - The sink gets begin() only for a body that is kept (the final 2xx
 *   response, or any final response when fail_on_status is off), and then
 *   exactly one commit() or abort() in total; nothing after it.  begin()'s
 *   meta names the body's validator (strong ETag, else a strong
 *   Last-Modified) and its Last-Modified.
 *
 * Resuming (DESIGN §8).  A sink's resume_from bytes are continued with
 * Range and If-Range (its resume_validator), so they are continued only
 * from the same version of the file: a 206 whose Content-Range starts
 * there (and whose strong ETag, if any, is the one sent) continues them, a
 * 200 restarts at byte 0, anything else is asked again without Range.
 * Without a validator the bytes are not trusted: the request starts at 0,
 * unless opts->resume_unsafe.  A sink with no_rewind (standard output)
 * cannot restart: a retry after some of its bytes went out asks for the
 * rest with Range and If-Range (the validator of the first response), and
 * anything but that exact 206, or no validator (without resume_unsafe),
 * fails the transfer.  Nothing is ever written twice, nothing skipped.
 *
 * Conditional GET.  A sink with has_ims sends If-Modified-Since; a 304 (or
 * a 200 whose Last-Modified is not after ims: a server that ignores the
 * condition) ends the transfer XFER_DONE with result.not_modified, the
 * sink aborted untouched.  A 304 to a request that was not conditional
 * (neither that nor a -H If-Modified-Since / If-None-Match) is an error,
 * never an empty file (curl #270).
 *
 * Policy (see transfer.c for the reasons):
 * - Redirect and error bodies are read and discarded so the connection can be
 *   reused, up to XFER_DISCARD_MAX bytes; a bigger or close-delimited one
 *   just closes the connection.
 * - Retry-After (delta-seconds) replaces the computed backoff, capped at
 *   XFER_RETRY_AFTER_FACTOR * retry_max_ms.
 * - xfer_abort() never retries; xfer_io_error() retries transient failures
 *   while opts->retries allow.
 * - A stale pooled connection (EOF, reset or I/O error before any response
 *   byte on a reused connection) is retried once, silently, on a fresh one:
 *   it does not count as an attempt. */
#ifndef QV_TRANSFER_TRANSFER_H
#define QV_TRANSFER_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/body.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/url.h"
#include "transfer/proxy.h"
#include "transfer/sink.h"
#include "util/err.h"

/* Bytes of the request head buffer: request line + headers (URL_MAX target
 * plus room for the fixed headers and -H lines). */
#define XFER_REQ_MAX (URL_MAX + 4096)
/* Bytes of a transfer's text (struct xfer): the current URL, the request
 * head, a response's Location and the resolved redirect target, each at most
 * its own maximum (a resolution also needs room for the merged path). */
#define XFER_TEXT_MAX (URL_MAX + XFER_REQ_MAX + HTTP_LOCATION_MAX + XFER_REQ_MAX)

enum xfer_action {
	XFER_CONNECT = 0,
	XFER_WRITE,
	XFER_READ,
	XFER_TLS,
	XFER_RELEASE,
	XFER_WAIT,
	XFER_DONE,
	XFER_FAILED
};

/* wget -S: each response head's bytes as they arrive (n > 0), then one call
 * with n == 0 when the head ends (complete or not).  Runs on the thread
 * that drives the transfer: short, and no printing from here down (only
 * cli/ prints; this is its hook). */
typedef void (*xfer_head_fn)(void *ctx, const uint8_t *p, size_t n);

/* Options shared read-only by every transfer of a run. */
struct xfer_opts {
	unsigned max_redirs;        /* 0: redirects are errors (-L off is max_redirs 0 + follow false) */
	bool follow;                /* follow redirects (default on) */
	bool allow_downgrade;       /* https -> http allowed */
	bool fail_on_status;        /* non-2xx is an error, body not saved (default on) */
	unsigned retries;           /* --retry N: extra attempts for transient failures */
	uint32_t retry_base_ms;     /* first backoff (doubles each time, jittered) */
	uint32_t retry_max_ms;      /* backoff cap */
	uint64_t max_filesize;      /* 0: unlimited */
	const char *user_agent;     /* NULL: default */
	const char *extra[HTTP_REQ_EXTRA_MAX];  /* -H lines */
	size_t extra_count;
	const struct proxy_conf *proxy;         /* NULL: every route is direct */
	/* The request (wget --spider, --post-data): method NULL is GET, "HEAD"
	 * gets no body back.  With has_body, body[0..body_len) follows the
	 * head with its Content-Length and body_type as Content-Type; a 301,
	 * 302 or 303 turns the request into a GET without it (as browsers and
	 * GNU wget do; RFC 9110 §15.4), a 307 or 308 sends it again, as does
	 * every retry.  body must outlive the run. */
	const char *method;
	const uint8_t *body;
	size_t body_len;
	bool has_body;
	const char *body_type;
	xfer_head_fn on_head;       /* NULL: none */
	void *head_ctx;
	bool resume_unsafe;         /* resume without a validator (--continue-unsafe) */
};

/* Result of one finished transfer, for output and --json. */
struct xfer_result {
	int status;                 /* last HTTP status, 0 if none */
	uint64_t bytes;             /* payload bytes written to the sink */
	unsigned attempts;          /* 1 + retries used */
	unsigned redirects;
	bool not_modified;          /* 304 to If-Modified-Since: nothing saved */
	/* The last URL asked for (the given text when it did not parse).  It
	 * points into the transfer: copy it to keep it past the next
	 * xfer_init of that struct xfer. */
	const char *final_url;
};

/* Redirect and error bodies up to this many bytes are read and thrown away so
 * the connection can be reused; beyond it closing is cheaper than reading
 * (a typical 404 page is a few KiB). */
#define XFER_DISCARD_MAX (64u * 1024u)
/* Retry-After may ask for at most this many times the backoff cap: a server
 * that wants a short pause is obeyed, one that asks for hours does not stall
 * a whole batch. */
#define XFER_RETRY_AFTER_FACTOR 4u
/* URLs of one redirect chain remembered for loop detection: the default
 * --max-redirs 20 needs 21; a longer loop is still ended by max_redirs. */
#define XFER_VISITED_MAX 32
/* Bytes of the chain text kept to name a loop in the error message (the
 * message itself is at most QV_ERROR_MSG_MAX). */
#define XFER_CHAIN_MAX QV_ERROR_MSG_MAX

struct xfer_visit {
	uint64_t hash;              /* FNV-1a of the formatted URL */
	uint16_t chain_off;         /* its text in chain[], or UINT16_MAX */
};

struct xfer {
	/* private state (its fields may change; use the functions) */
	int state;
	int after;                  /* what follows the coming XFER_RELEASE */
	const struct xfer_opts *opts;
	struct sink *sink;
	bool have_conn;             /* between xfer_connected and xfer_released */
	bool reused;                /* the current connection came from the pool */
	bool no_reuse;              /* next connect must be fresh (stale retry) */
	bool got_any_byte;          /* some response byte arrived on this connection */
	bool early_response;        /* bytes arrived before the request was sent */
	bool conn_reusable;
	bool stale_retry_done;      /* the RFC 9112 §9.3.1 one-time retry */
	bool sink_ended;            /* commit or abort was called */
	bool chain_full;
	bool tunnel_pending;        /* a new tunnel connection until its TLS is up:
				     * never pooled if it ends before */
	bool as_get;                /* a 301/302/303 made the request a GET */
	bool send_body;             /* the request being written has a body */
	bool body_begun;            /* the sink got a begin() */
	uint64_t range_from;        /* Range: bytes=range_from- (0: no Range) */
	uint64_t body_offset;       /* where the kept body starts in the file */
	/* text[] holds, one after the other: the current URL (url_len bytes and
	 * its NUL; its request target starts at target_off), the request head
	 * (req_len bytes and a NUL), then a response's Location and, while a
	 * redirect is resolved, the new URL.  Packed like this, the text of a
	 * short URL shares one page of memory with the fields above, and the
	 * pages of the buffer a transfer never writes are never resident: 1,000
	 * concurrent transfers cost a few MiB, not 1,000 x sizeof(struct xfer)
	 * (DESIGN §4). */
	size_t url_len, target_off;
	size_t req_len, req_sent;
	size_t body_sent;           /* of opts->body, after the head */
	struct http_body body;
	uint64_t discarded;         /* payload bytes thrown away (ST_DISCARD) */
	uint32_t retry_delay_ms;
	int64_t wake_at_ms;
	uint32_t rng;               /* jitter state, seeded by xfer_init */
	unsigned visited_count;
	size_t chain_len;
	struct xfer_visit visited[XFER_VISITED_MAX];
	struct xfer_result result;
	struct qv_error err;
	struct route route;         /* to the current URL's origin */
	const char *auth;           /* Authorization for the first origin, or NULL */
	/* origin of the first URL: Authorization and Cookie go only there */
	struct url_origin first;
	/* the validator of the bytes the sink holds ("": none): If-Range */
	char validator[SINK_VALIDATOR_MAX];
	char chain[XFER_CHAIN_MAX]; /* "url -> url -> ..." for loop messages */
	struct http_resp_parser rp;
	char text[XFER_TEXT_MAX];   /* last; see url_len */
};

/* Start a download of url_str into sink.  Parses the URL (a bad URL makes the
 * machine go straight to XFER_FAILED, after aborting the sink).  No
 * allocation.  seed jitters retries.  opts and sink must outlive x.  A
 * non-zero sink->resume_from makes the first request carry a Range (see
 * "Resuming" above). */
void xfer_init(struct xfer *x, const struct xfer_opts *opts, const char *url_str, size_t url_len,
	       struct sink *sink, uint32_t seed);

/* The origin's credentials ("Basic ..."), sent as Authorization to the
 * first origin only (DESIGN §3): call right after xfer_init.  auth is not
 * copied; it must outlive x. */
void xfer_set_auth(struct xfer *x, const char *auth);

/* What the engine must do now.  now_ms is a monotonic clock in ms (the retry
 * backoff is measured from the first xfer_next call after the failure). */
enum xfer_action xfer_next(struct xfer *x, int64_t now_ms);

/* How to reach the current URL, for XFER_CONNECT and XFER_TLS. */
const struct route *xfer_route(const struct xfer *x);
/* The current URL's origin (xfer_route(x)->origin). */
const struct url_origin *xfer_origin(const struct xfer *x);
/* True while the connection is still being set up through a proxy (the
 * CONNECT exchange, the tunnelled TLS handshake): time it with the connect
 * timeout. */
bool xfer_connecting(const struct xfer *x);
/* The TLS handshake asked for by XFER_TLS succeeded. */
void xfer_tls_done(struct xfer *x);
/* False after a stale keep-alive failure: the engine must open a fresh one. */
bool xfer_may_reuse(const struct xfer *x);
/* The connection asked for by XFER_CONNECT is up; reused: from the pool.
 * Ignored in any other state. */
void xfer_connected(struct xfer *x, bool reused);

/* The unsent rest of the request: its head, then its body (n is 0 outside
 * XFER_WRITE). */
void xfer_out(const struct xfer *x, const uint8_t **p, size_t *n);
void xfer_sent(struct xfer *x, size_t n);

/* Response bytes.  Accepted in XFER_READ (and in XFER_WRITE: a server may
 * answer before the request is fully sent; the connection is then not
 * reused); ignored otherwise. */
void xfer_feed(struct xfer *x, const uint8_t *buf, size_t n);
void xfer_eof(struct xfer *x);
/* A transport failure (connect, timeout, reset, TLS...). msg is the full
 * user text, e.g. "connection timed out after 6.1s (connect to 127.0.0.1:8001)".
 * Transient codes are retried while opts->retries allow. */
void xfer_io_error(struct xfer *x, enum qv_err code, const char *msg);
/* Abort (SIGINT, --max-time) from outside: fails without retrying. */
void xfer_abort(struct xfer *x, enum qv_err code, const char *msg);

/* Valid in XFER_RELEASE: the response was fully read, well framed, and the
 * server allows keep-alive, so the connection may go back to the pool. */
bool xfer_conn_reusable(const struct xfer *x);
void xfer_released(struct xfer *x);
int64_t xfer_wake_at(const struct xfer *x);

const struct xfer_result *xfer_result(const struct xfer *x);
/* code QV_OK after XFER_DONE. */
const struct qv_error *xfer_error(const struct xfer *x);

#endif
