/* resolver.h - name lookups for the poll engine on a few helper threads.
 *
 * getaddrinfo blocks, and a stuck lookup must not stall the one thread that
 * drives every other transfer (curl #4852).  The loop submits a lookup and
 * goes on; a helper thread runs it and queues the result, then wakes the
 * loop by making resolver_fd() readable (a pipe, so it sits in the same
 * poll() as the sockets).  The loop may abandon a lookup at any time
 * (resolver_cancel: its result is dropped) and may free the resolver while
 * a helper is still inside getaddrinfo: that helper is detached and frees
 * the shared state when it returns, so nobody ever waits for a slow name.
 *
 * Threading: resolver_submit/take/cancel/pending/free are for the one owning
 * thread; resolver_lookup may be called from any thread while the resolver
 * lives; the lookup function runs on the helpers. */
#ifndef QV_ENGINE_RESOLVER_H
#define QV_ENGINE_RESOLVER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"
#include "util/err.h"

/* Helper threads at most: lookups are few (one per host, then cached) and
 * each one mostly waits on the network; four keep one slow name from
 * delaying the others without a thread per transfer. */
#define RESOLVER_THREADS_MAX 4

/* The lookup itself: net_addr_resolve, or a test double that delays one
 * name.  Runs on a helper thread: it must be thread-safe. */
typedef enum qv_err (*resolver_fn)(void *ctx, const char *host, uint16_t port,
				   struct net_addrs *out, struct qv_error *err);

struct resolver_result {
	uint64_t id;                 /* from resolver_submit */
	void *tag;                   /* from resolver_submit */
	enum qv_err code;            /* QV_OK or the lookup's error */
	struct net_addrs addrs;      /* when code is QV_OK */
	struct qv_error err;         /* when code is not QV_OK */
};

struct resolver;

/* Start a resolver with up to threads helpers (1..RESOLVER_THREADS_MAX;
 * they are created on demand).  fn NULL means net_addr_resolve.
 * Errors: QV_E_NOMEM, QV_E_IO (pipe).  *out is NULL on error. */
enum qv_err resolver_new(struct resolver **out, unsigned threads, resolver_fn fn, void *fn_ctx,
			 struct qv_error *err);

/* Readable when resolver_take has something; register it for reading. */
int resolver_fd(const struct resolver *r);

/* Queue a lookup of host (copied; at most URL_HOST_MAX - 1 bytes) and port.
 * *id gets its non-zero id.  Errors: QV_E_NOMEM, QV_E_IO (no helper thread
 * could be started), QV_E_URL_HOST (host too long). */
enum qv_err resolver_submit(struct resolver *r, const char *host, uint16_t port, void *tag,
			    uint64_t *id, struct qv_error *err);

/* Abandon lookup id: it never shows up in resolver_take.  A helper already
 * inside getaddrinfo finishes it and throws the result away.  Unknown or
 * finished ids are ignored. */
void resolver_cancel(struct resolver *r, uint64_t id);

/* Move one finished lookup into *out; false when none is ready.  Also
 * empties the wake pipe, so call it until it returns false. */
bool resolver_take(struct resolver *r, struct resolver_result *out);

/* Resolve on a helper and wait for the answer, from any thread (the threads
 * engine's workers share one resolver this way).  Gives up, abandoning the
 * lookup like resolver_cancel, at deadline_ms (clock_now_ms; 0: never):
 * QV_E_DNS_TIMEOUT via resolver_timeout_error with timeout_ms; or when
 * *stop is raised (checked every NET_STOP_POLL_MS): QV_E_INTERRUPTED.
 * Otherwise the lookup's own result. */
enum qv_err resolver_lookup(struct resolver *r, const char *host, uint16_t port,
			    int64_t deadline_ms, uint32_t timeout_ms,
			    const volatile sig_atomic_t *stop, struct net_addrs *out,
			    struct qv_error *err);

/* "could not resolve host: NAME (timed out after 6.1s)" */
enum qv_err resolver_timeout_error(const char *host, uint32_t timeout_ms, struct qv_error *err);

/* Lookups submitted and not yet taken or cancelled. */
unsigned resolver_pending(const struct resolver *r);

/* Cancel everything and let go: idle helpers are joined; one stuck in a
 * lookup is detached and frees the shared state when it returns.  Accepts
 * NULL. */
void resolver_free(struct resolver *r);

#endif
