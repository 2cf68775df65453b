/* internal.h - what the engines share among themselves (not for cli/):
 * the stop-flag read, how many workers a run gets, and the bounds behind
 * engine_fd_cap. */
#ifndef QV_ENGINE_INTERNAL_H
#define QV_ENGINE_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"

/* Parked keep-alive connections per threads worker: a worker runs one
 * transfer at a time; two cover a redirect that bounces between origins. */
#define ENGINE_THREADS_POOL_MAX 2u
/* Parked connections of the poll engine (one pool for the loop), at most
 * the concurrency: net/pool.h's CONN_POOL_MAX. */
#define ENGINE_POLL_POOL_MAX 64u
/* Parked connections of seq (seq.c's SEQ_POOL_MAX). */
#define ENGINE_SEQ_POOL_MAX 4u
/* Descriptors kept free for everything else: stdio, the resolver's pipe,
 * a directory being created, libc's own (resolv.conf, NSS). */
#define ENGINE_FD_RESERVE 16u
/* How long a resolved name is reused: curl's default DNS cache timeout. */
#define ENGINE_DNS_CACHE_MS 60000
/* Completions taken off the queue per lock by the threads engine. */
#define ENGINE_COLLECT_BATCH 64u

/* The stop flag: set by a signal handler or, in tests, another thread.
 * Read atomically so several threads may poll it without a data race. */
static inline bool engine_flag_raised(const volatile sig_atomic_t *flag)
{
	return flag != NULL && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

/* Transfers at once for a run of njobs jobs: concurrency (0: min(32,
 * online CPUs + 4), like ThreadPoolExecutor), at most njobs, lowered to
 * what the descriptor limit allows (engine_fd_cap); at least 1. */
unsigned engine_workers(enum engine_kind k, unsigned concurrency, size_t njobs);

/* The sink job i writes to: job->sink, else one from o->sink_open.  When
 * there is none the job is over before it started: it is counted in
 * stats->failed, o->done hears why, and the result is false. */
bool engine_job_sink(const struct engine_opts *o, const struct engine_job *job, size_t i,
		     struct engine_stats *stats, struct sink **out);

#endif
