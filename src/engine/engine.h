/* engine.h - the one small interface every download engine implements.
 *
 * An engine runs a list of jobs (URL + sink) through the transfer machine of
 * transfer/transfer.h and only moves bytes and waits: seq (one after another,
 * engine/seq.c), threads (a pthread pool) and poll (one poll() loop) differ
 * in how they wait, never in what a download does.  engine_run() is the one
 * place that picks an engine by kind.
 *
 * Threading contract: every callback runs on the thread that called
 * engine_run(), one at a time, so callers need no locks.  `done` runs in
 * completion order; after it returns the engine never touches that job's
 * sink again, so `done` may close or free it.
 *
 * Jobs come from an array, or, for lists too long to hold (one shard of
 * 10^8 URLs), from a job source (engine_opts.next): the engine asks for a
 * job only when it can start it at once, so the caller holds at most the
 * run's concurrency in flight.  Every engine supports both. */
#ifndef QV_ENGINE_ENGINE_H
#define QV_ENGINE_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "net/race.h"
#include "transfer/sink.h"
#include "transfer/transfer.h"
#include "util/err.h"

struct tls_client;

enum engine_kind { ENGINE_SEQ = 0, ENGINE_THREADS, ENGINE_POLL };
#define ENGINE_KIND_COUNT 3

struct engine_job {
	const char *url;            /* not owned; need not be NUL-terminated */
	size_t url_len;
	struct sink *sink;          /* not owned; NULL: ask engine_opts.sink_open */
	const char *auth;           /* Authorization for its first origin, or
				     * NULL (xfer_set_auth); not owned */
};

/* Give job `index` its sink just before it starts (lets a run of many URLs
 * hold only `concurrency` sinks).  A failure fails the job: done() is called
 * with that error and the transfer never starts. */
typedef enum qv_err (*engine_sink_open_fn)(void *ctx, size_t index, struct sink **out,
					   struct qv_error *err);

/* Job `index` finished.  err->code is QV_OK on success; res is the transfer's
 * result (all zero when it never started).  Both are valid only during the
 * call. */
typedef void (*engine_done_fn)(void *ctx, size_t index, const struct xfer_result *res,
			       const struct qv_error *err);

/* What a job source answers. */
enum engine_next {
	ENGINE_NEXT_JOB,            /* *job and *index are the next job */
	ENGINE_NEXT_LATER,          /* none yet: ask again once the engine has
				     * tended what it has in flight */
	ENGINE_NEXT_END             /* no more jobs: never asked again */
};

/* The job source of a run given no array (jobs NULL): the next job into
 * *job and the number sink_open and done will call it by into *index (the
 * caller's choice: a position, or the slot of its own record, reused once
 * done has run for it).  job->url and job->auth must stay valid until
 * done(index) returns.  Every job handed out gets exactly one done call,
 * also when a stop cuts the run short; the engine asks only when a worker
 * or slot is free, and never after the stop flag is seen.  The source runs
 * on the engine's thread, so a source that has passed over many entries
 * without finding a job answers LATER rather than hold transfers in flight
 * past their timeouts. */
typedef enum engine_next (*engine_next_fn)(void *ctx, struct engine_job *job, size_t *index);

/* Name lookup, host and port to addresses; the default (NULL) is
 * net_addr_resolve.  The one callback that does NOT run on the caller:
 * threads and poll call it on their resolver's helper threads (seq does not
 * use it), so it must be thread-safe.  IP literals never reach it.  Tests
 * use it to make one name slow. */
typedef enum qv_err (*engine_resolve_fn)(void *ctx, const char *host, uint16_t port,
					 struct net_addrs *out, struct qv_error *err);

struct engine_opts {
	unsigned concurrency;         /* transfers at once (seq ignores it);
				       * 0: min(32, online CPUs + 4) */
	unsigned per_host;            /* connections per origin, 0: concurrency */
	uint32_t connect_timeout_ms;  /* whole connect incl. a proxy's CONNECT and
				       * the handshake, from the first attempt;
				       * 0: none */
	enum net_family family;       /* -4 / -6: which addresses to connect to */
	uint32_t idle_timeout_ms;     /* no progress on a read/write; 0: none */
	uint32_t max_time_ms;         /* per transfer, from its start; 0: none */
	uint64_t rate_limit;          /* bytes/s per transfer (--limit-rate); 0: none */
	uint64_t rate_limit_total;    /* bytes/s for the whole run, shared evenly by
				       * the transfers running (engine/pace.h); 0: none */
	const struct xfer_opts *xfer; /* shared read-only by all transfers */
	const volatile sig_atomic_t *stop; /* non-zero: abort, clean up, return */
	engine_next_fn next;          /* the job source when jobs is NULL */
	engine_sink_open_fn sink_open;     /* may be NULL when every job has a sink */
	engine_done_fn done;          /* may be NULL */
	void *ctx;                    /* passed to the callbacks */
	engine_resolve_fn resolve;    /* NULL: net_addr_resolve */
	void *resolve_ctx;            /* passed to resolve */
	struct tls_client *tls;       /* https: the run's TLS client (tls/client.h,
				       * thread-safe); NULL: https URLs fail */
};

/* What a run did, for the demo table and benchmarks. */
struct engine_stats {
	unsigned connections;         /* TCP connections opened */
	unsigned reused;              /* requests sent on a kept-alive connection */
	unsigned started;             /* jobs started */
	unsigned failed;              /* jobs that ended with an error */
};

/* "seq", "threads", "poll". */
const char *engine_name(enum engine_kind k);
/* Parse an engine name; false when unknown. */
bool engine_parse(const char *name, enum engine_kind *out);
/* Whether this build has that engine. */
bool engine_available(enum engine_kind k);

/* Run jobs[0..njobs) with engine k, or, with jobs NULL, every job o->next
 * hands out (njobs is then ignored).  Returns QV_OK when every job ran to an
 * outcome (success or not: see done), QV_E_INTERRUPTED when the stop flag
 * ended the run early (jobs not started get no done call), QV_E_USAGE when
 * the engine is not in this build, or the run's own failure (QV_E_NOMEM,
 * QV_E_IO: no threads, poll() failed); a job's failure goes to done, never
 * here.  stats may be NULL.  err MUST NOT be NULL: it says why the run
 * failed (every engine writes it; none checks it). */
enum qv_err engine_run(enum engine_kind k, const struct engine_job *jobs, size_t njobs,
		       const struct engine_opts *o, struct engine_stats *stats,
		       struct qv_error *err);

/* Transfers at once that the open-file limit (RLIMIT_NOFILE) allows engine
 * k, at most want and at least 1: each transfer needs a socket and a file,
 * and parked keep-alive sockets count too.  The engines apply it
 * themselves; cli/ calls it to warn when it lowers the concurrency. */
unsigned engine_fd_cap(enum engine_kind k, unsigned want);

#endif
