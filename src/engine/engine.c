/* engine.c - engine names and the one dispatch point from kind to engine.
 * A new engine is one row in engine_table. */
#include "engine/engine.h"

#include "engine/internal.h"

#include <string.h>

#include "util/clock.h"
#include "util/hash.h"

typedef enum qv_err (*engine_run_fn)(struct engine_feed *f, const struct engine_opts *o,
				     struct engine_stats *stats, struct qv_error *err);

struct engine_entry {
	const char *name;
	engine_run_fn run;            /* NULL: not in this build yet */
};

/* The threads engine is left out of the lean build (build.zig): a weak
 * reference is NULL there, which engine_available() reports. */
#pragma weak engine_threads_run

/* Indexed by enum engine_kind. */
static const struct engine_entry engine_table[ENGINE_KIND_COUNT] = {
	{"seq", engine_seq_run},
	{"threads", engine_threads_run},
	{"poll", engine_poll_run},
};

const char *engine_name(enum engine_kind k)
{
	if ((unsigned)k >= ENGINE_KIND_COUNT)
		return "unknown";
	return engine_table[k].name;
}

bool engine_parse(const char *name, enum engine_kind *out)
{
	unsigned i;

	for (i = 0; i < ENGINE_KIND_COUNT; i++) {
		if (strcmp(name, engine_table[i].name) == 0) {
			*out = (enum engine_kind)i;
			return true;
		}
	}
	return false;
}

bool engine_available(enum engine_kind k)
{
	return (unsigned)k < ENGINE_KIND_COUNT && engine_table[k].run != NULL;
}

enum qv_err engine_run(enum engine_kind k, const struct engine_job *jobs, size_t njobs,
		       const struct engine_opts *o, struct engine_stats *stats,
		       struct qv_error *err)
{
	struct engine_feed feed = {jobs, jobs != NULL ? njobs : SIZE_MAX, 0, o->next, o->ctx};
	struct engine_stats local;
	enum qv_err rc;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof *stats);
	if (!engine_available(k))
		return qv_error_set(err, QV_E_USAGE, "engine '%s' is not available yet",
				    engine_name(k));
	if (jobs == NULL && o->next == NULL)
		return qv_error_set(err, QV_E_INTERNAL, "no jobs and no job source");
	if (feed.njobs > 0) {
		rc = engine_table[k].run(&feed, o, stats, err);
		if (rc != QV_OK)
			return rc;
	}
	/* raised during the run (the engine stopped early) or before it */
	if (engine_flag_raised(o->stop))
		return qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
	return QV_OK;
}

enum engine_next engine_feed_take(struct engine_feed *f, struct engine_job *job, size_t *index)
{
	enum engine_next r;

	if (f->taken >= f->njobs)
		return ENGINE_NEXT_END;
	if (f->jobs != NULL) {
		*job = f->jobs[f->taken];
		*index = f->taken++;
		return ENGINE_NEXT_JOB;
	}
	memset(job, 0, sizeof *job);
	r = f->next(f->ctx, job, index);
	if (r == ENGINE_NEXT_JOB)
		f->taken++;
	else if (r == ENGINE_NEXT_END)
		f->njobs = f->taken; /* dry: never asked again */
	return r;
}

void engine_xfer_start(struct xfer *x, const struct engine_opts *o, const struct engine_job *job,
		       size_t i, struct sink *sink)
{
	xfer_init(x, o->xfer, job->url, job->url_len, sink,
		  hash_mul32((uint32_t)i) ^ (uint32_t)clock_now_ns());
	if (job->auth != NULL)
		xfer_set_auth(x, job->auth);
}

bool engine_xfer_outcome(const struct xfer *x, enum xfer_action a, struct qv_error *out)
{
	if (a == XFER_DONE) {
		qv_error_clear(out);
		return true;
	}
	*out = *xfer_error(x);
	if (out->code == QV_OK)
		(void)qv_error_set(out, QV_E_INTERNAL, "transfer failed without an error");
	return false;
}

bool engine_job_sink(const struct engine_opts *o, const struct engine_job *job, size_t i,
		     struct engine_stats *stats, struct sink **out)
{
	struct xfer_result none;
	struct qv_error e;

	*out = job->sink;
	qv_error_clear(&e);
	if (*out != NULL ||
	    (o->sink_open != NULL && o->sink_open(o->ctx, i, out, &e) == QV_OK && *out != NULL))
		return true;
	if (e.code == QV_OK)
		(void)qv_error_set(&e, QV_E_INTERNAL, "no sink for job %zu", i);
	memset(&none, 0, sizeof none);
	none.final_url = "";
	stats->failed++;
	if (o->done != NULL)
		o->done(o->ctx, i, &none, &e);
	return false;
}
