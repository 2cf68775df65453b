/* transfer.h - the sans-I/O state machine of one download.
 *
 * It knows nothing of sockets, threads or TLS.  An engine asks it what to do
 * next (xfer_next) and reports what happened; the machine writes the request,
 * parses the response, follows redirects, retries, and sends body bytes to a
 * sink.  The same machine runs under the seq, threads and poll engines.
 *
 *   for (;;) switch (xfer_next(x, now)) {
 *   case XFER_CONNECT: get a connection to xfer_origin(x) (reused if
 *                      xfer_may_reuse(x)), then xfer_connected(x, reused);
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
 * Timeouts are the engine's job (it owns the clock and the waiting); it
 * reports them with xfer_io_error(x, QV_E_READ_TIMEOUT, ...). */
#ifndef QV_TRANSFER_TRANSFER_H
#define QV_TRANSFER_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/body.h"
#include "http/req.h"
#include "http/resp.h"
#include "http/url.h"
#include "transfer/sink.h"
#include "util/err.h"

/* Bytes of the request head buffer: request line + headers (URL_MAX target
 * plus room for the fixed headers and -H lines). */
#define XFER_REQ_MAX (URL_MAX + 4096)

enum xfer_action {
	XFER_CONNECT = 0,
	XFER_WRITE,
	XFER_READ,
	XFER_RELEASE,
	XFER_WAIT,
	XFER_DONE,
	XFER_FAILED
};

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
};

/* Result of one finished transfer, for output and --json. */
struct xfer_result {
	int status;                 /* last HTTP status, 0 if none */
	uint64_t bytes;             /* payload bytes written to the sink */
	unsigned attempts;          /* 1 + retries used */
	unsigned redirects;
	char final_url[URL_MAX];
};

struct xfer {
	/* private state (its fields may change; use the functions) */
	int state;
	const struct xfer_opts *opts;
	struct sink *sink;
	struct url url;             /* current URL (after redirects) */
	struct url first_url;
	bool reused;                /* the current connection came from the pool */
	bool got_any_byte;          /* some response byte arrived on this connection */
	bool conn_reusable;
	bool stale_retry_done;      /* the RFC 9112 §9.3.1 one-time retry */
	char req[XFER_REQ_MAX];
	size_t req_len, req_sent;
	struct http_resp_parser rp;
	struct http_body body;
	bool body_started;
	bool discard_body;          /* redirect or error response: read but do not keep */
	int64_t wake_at_ms;
	uint32_t rng;               /* jitter state, seeded by xfer_init */
	/* visited URLs are tracked by hash for loop detection */
	uint64_t visited[32];
	unsigned visited_count;
	struct xfer_result result;
	struct qv_error err;
};

/* Start a download of url_str into sink.  Parses the URL (a bad URL makes the
 * machine go straight to XFER_FAILED).  No allocation.  seed jitters retries. */
void xfer_init(struct xfer *x, const struct xfer_opts *opts, const char *url_str, size_t url_len,
	       struct sink *sink, uint32_t seed);

/* What the engine must do now.  now_ms is a monotonic clock in ms. */
enum xfer_action xfer_next(struct xfer *x, int64_t now_ms);

/* Where to connect (scheme, host, port) for XFER_CONNECT. */
const struct url *xfer_origin(const struct xfer *x);
/* False after a stale keep-alive failure: the engine must open a fresh one. */
bool xfer_may_reuse(const struct xfer *x);
void xfer_connected(struct xfer *x, bool reused);

void xfer_out(const struct xfer *x, const uint8_t **p, size_t *n);
void xfer_sent(struct xfer *x, size_t n);

void xfer_feed(struct xfer *x, const uint8_t *buf, size_t n);
void xfer_eof(struct xfer *x);
/* A transport failure (connect, timeout, reset, TLS...). msg is the full
 * user text, e.g. "connection timed out after 6.1s (connect to 127.0.0.1:8001)". */
void xfer_io_error(struct xfer *x, enum qv_err code, const char *msg);
/* Abort (SIGINT, --max-time) from outside. */
void xfer_abort(struct xfer *x, enum qv_err code, const char *msg);

bool xfer_conn_reusable(const struct xfer *x);
void xfer_released(struct xfer *x);
int64_t xfer_wake_at(const struct xfer *x);

const struct xfer_result *xfer_result(const struct xfer *x);
const struct qv_error *xfer_error(const struct xfer *x);

#endif
