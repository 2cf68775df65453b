/* internal.h - what the engines share among themselves (not for cli/):
 * their entry points behind engine_run, the stop-flag read, how many
 * workers a run gets, the bounds behind engine_fd_cap, and the start and
 * outcome of one job's transfer. */
#ifndef QV_ENGINE_INTERNAL_H
#define QV_ENGINE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "net/pool.h"
#include "transfer/transfer.h"

/* Parked keep-alive connections per threads worker: a worker runs one
 * transfer at a time; two cover a redirect that bounces between origins.
 * Every parked socket is a descriptor (engine_fd_cap counts them). */
#define ENGINE_THREADS_POOL_MAX 2u
/* Parked connections of the poll engine (one pool for the loop, also at
 * most the concurrency): as many as one pool holds. */
#define ENGINE_POLL_POOL_MAX ((unsigned)CONN_POOL_MAX)
/* Parked connections of seq: it uses one at a time, a few cover redirects
 * that bounce between origins. */
#define ENGINE_SEQ_POOL_MAX 4u
/* Read buffer of the engines with one per run (seq, poll): its size costs
 * nothing per connection.  128 KiB: a fast plain download makes one recv()
 * and one write() per 128 KiB instead of eight recv()s (the file sink
 * writes a read this large straight from it); a TLS read still yields at
 * most one record (16 KiB). */
#define ENGINE_READ_BUF (128u * 1024u)
/* Descriptors kept free for everything else: stdio, the resolver's pipe,
 * a directory being created, libc's own (resolv.conf, NSS). */
#define ENGINE_FD_RESERVE 16u
/* How long a resolved name is reused: curl's default DNS cache timeout. */
#define ENGINE_DNS_CACHE_MS 60000
/* Completions taken off the queue per lock by the threads engine. */
#define ENGINE_COLLECT_BATCH 64u

/* Where a run's jobs come from: an array, or the caller's job source
 * (engine_opts.next).  Engines see only this. */
struct engine_feed {
	const struct engine_job *jobs; /* NULL: ask next */
	size_t njobs;                  /* a source: SIZE_MAX until it runs dry */
	size_t taken;
	engine_next_fn next;
	void *ctx;
};

/* The next job and its index (its position in an array), none yet, or
 * none left (then engine_feed_more is false). */
enum engine_next engine_feed_take(struct engine_feed *f, struct engine_job *job, size_t *index);

/* Whether a job may still come (for a source: it has not said no yet). */
static inline bool engine_feed_more(const struct engine_feed *f)
{
	return f->taken < f->njobs;
}

/* The engines, called by engine_run only: a feed with a job or a source,
 * stats not NULL and zeroed, err not NULL.  QV_OK also when the stop flag
 * cut the run short (engine_run turns that into QV_E_INTERRUPTED). */
enum qv_err engine_seq_run(struct engine_feed *f, const struct engine_opts *o,
			   struct engine_stats *stats, struct qv_error *err);
enum qv_err engine_threads_run(struct engine_feed *f, const struct engine_opts *o,
			       struct engine_stats *stats, struct qv_error *err);
enum qv_err engine_poll_run(struct engine_feed *f, const struct engine_opts *o,
			    struct engine_stats *stats, struct qv_error *err);

/* The stop flag: set by a signal handler or, in tests, another thread.
 * Read atomically so several threads may poll it without a data race. */
static inline bool engine_flag_raised(const volatile sig_atomic_t *flag)
{
	return flag != NULL && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

/* Transfers at once for a run of njobs jobs (SIZE_MAX: a job source):
 * concurrency (0: min(32, online CPUs + 4), like ThreadPoolExecutor), at
 * most njobs, lowered to what the descriptor limit allows (engine_fd_cap);
 * at least 1. */
unsigned engine_workers(enum engine_kind k, unsigned concurrency, size_t njobs);

/* The sink job i writes to: job->sink, else one from o->sink_open.  When
 * there is none the job is over before it started: it is counted in
 * stats->failed, o->done hears why, and the result is false. */
bool engine_job_sink(const struct engine_opts *o, const struct engine_job *job, size_t i,
		     struct engine_stats *stats, struct sink **out);

/* xfer_init for job i into sink, its retries jittered by a seed of its own
 * (so jobs that fail together do not retry in step). */
void engine_xfer_start(struct xfer *x, const struct engine_opts *o, const struct engine_job *job,
		       size_t i, struct sink *sink);

/* What done hears about a transfer that ended with a (XFER_DONE or
 * XFER_FAILED): out cleared, or its error (never QV_OK).  True on success. */
bool engine_xfer_outcome(const struct xfer *x, enum xfer_action a, struct qv_error *out);

#endif
