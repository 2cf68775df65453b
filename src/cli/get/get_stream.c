/* get_stream.c - a get run over a streamed list (see get_stream.h). */
#include "cli/get/get_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/get/get_net.h"
#include "cli/get/get_plan.h"
#include "cli/get/get_run.h"
#include "cli/get/index_name.h"
#include "cli/get/urllist.h"
#include "cli/stop.h"
#include "cli/tls_setup.h"
#include "http/url.h"
#include "transfer/sink_file.h"
#include "util/clock.h"

/* stdio buffer of the list: a 1 KiB default would mean one read() per
 * twenty lines of a list of millions. */
#define GS_READ_BUF (64u * 1024u)
/* Lines one ask of the job source may pass over while transfers are in
 * flight (other shards', skipped, invalid ones) before it answers LATER:
 * at a stat() each at most, that holds the engine's loop for milliseconds,
 * never past a transfer's timeout (a re-run of 10^8 lines skips them all). */
#define GS_LINES_PER_ASK 4096u

/* A job in flight, from the source's hand-out to its done call. */
struct gs_job {
	char *url;                  /* what is fetched (owned) */
	const char *shown;          /* what is printed: url, or its user:***@ form */
	struct get_slot *slot;
	char name[INDEX_NAME_CAP];
};

/* One URL of this shard, ready to fetch. */
struct gs_item {
	const char *url;            /* in the reader's buffer or argv */
	const char *shown;          /* NULL: url */
	const char *auth;
	char name[INDEX_NAME_CAP];
};

struct get_stream {
	const struct get_args *a;
	struct get_ctx g;
	struct get_net net;
	struct shard shard;
	FILE *in;                   /* -i, NULL: the arguments */
	const char *in_name;        /* for messages */
	size_t arg;                 /* next argument URL */
	uint64_t line;              /* of the URL read last */
	uint64_t read;              /* URLs of any shard, so far */
	uint64_t urls;              /* of this shard, so far */
	struct url *u;              /* scratch for url_parse (~8 KiB) */
	bool https_ready;           /* the CA bundle loaded */
	struct gs_job *jobs;        /* by index: one per transfer at once */
	size_t njobs;
	size_t *free_jobs;          /* indexes free for a job */
	size_t nfree;
	enum qv_err rc;             /* what ended the list early, QV_OK: nothing */
	struct qv_error err;
	char *buf;                  /* the list's stdio buffer */
	struct url_reader rd;
};

/* The next URL of the list (of any shard) into *url, *len; false at the
 * end or on a read error (gs->rc). */
static bool gs_read(struct get_stream *s, const char **url, size_t *len)
{
	if (s->in == NULL) {
		if (s->arg == s->a->nurls)
			return false;
		*url = s->a->urls[s->arg++];
		*len = strlen(*url);
		s->line = s->arg;
		return true;
	}
	s->rc = url_reader_next(&s->rd, url, len, &s->err);
	s->line = s->rd.line;
	if (s->rc != QV_OK || *url == NULL)
		return false;
	s->read++;
	return true;
}

/* A URL of this shard that will not be fetched: failed (err) or skipped. */
static void gs_report(struct get_stream *s, const char *url, const char *name, const struct qv_error *e)
{
	if (e == NULL) {
		s->g.t->skipped++;
		get_record(&s->g, url, name, NULL, NULL, 0, "exists", NULL);
		return;
	}
	s->g.t->failed++;
	s->g.t->errs |= 1ull << e->code;
	/* -q hides it in a run; a dry run lists it, as the plan does (the
	 * stream draws no progress line that cli_out_note would wipe) */
	if (s->g.o == NULL || !s->g.o->quiet) {
		if (s->in != NULL)
			(void)fprintf(stderr, "quiver get: %s:%llu: %.200s: %s\n", s->in_name,
				      (unsigned long long)s->line, url, e->msg);
		else
			(void)fprintf(stderr, "quiver get: argument: %.200s: %s\n", url, e->msg);
	}
	get_record(&s->g, url, NULL, NULL, e, 0, NULL, NULL);
}

/* The next URL of this shard to fetch into *it: JOB, LATER after
 * GS_LINES_PER_ASK lines without one while transfers are in flight, or END
 * (the end of the list, or it could not go on: s->rc). */
static enum engine_next gs_pull(struct get_stream *s, struct gs_item *it)
{
	char path[SINK_FILE_PATH_MAX];
	bool busy = s->nfree < s->njobs;
	unsigned lines = 0;
	struct qv_error e;
	struct stat st;
	const char *url;
	size_t len;

	/* the budget is looked at before a line is read, never after */
	while (!(busy && lines++ == GS_LINES_PER_ASK)) {
		if (!gs_read(s, &url, &len))
			return ENGINE_NEXT_END;
		if (!shard_pick(&s->shard, url, len))
			continue;
		s->urls++;
		qv_error_clear(&e);
		if (url_parse(s->u, url, len, &e) != QV_OK) {
			gs_report(s, url, NULL, &e);
			continue;
		}
		(void)index_name(s->line, s->u->target, strlen(s->u->target), it->name);
		s->rc = get_net_url(&s->net, url, s->u->host, &it->auth, &it->shown, &s->err);
		if (s->rc != QV_OK)
			return ENGINE_NEXT_END;
		it->url = url;
		/* a path too long to form is the file sink's error, at the fetch */
		if (s->a->skip_existing && get_plan_path(s->a, it->name, path, sizeof path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			gs_report(s, it->shown != NULL ? it->shown : url, it->name, NULL);
			continue;
		}
		return ENGINE_NEXT_JOB;
	}
	return ENGINE_NEXT_LATER;
}

/* engine_opts.next: the next URL to fetch as a job. */
static enum engine_next gs_next(void *ctx, struct engine_job *job, size_t *index)
{
	struct get_stream *s = ctx;
	struct gs_item it;
	struct gs_job *j;
	enum engine_next r = s->rc != QV_OK ? ENGINE_NEXT_END : gs_pull(s, &it);

	if (r != ENGINE_NEXT_JOB)
		return r;
	/* The CA bundle at the first https URL: one clear error for a missing
	 * one, not one per URL. */
	if (!s->https_ready && cli_is_https(it.url)) {
		s->rc = tls_client_load_trust(s->g.tls, &s->err);
		if (s->rc != QV_OK)
			return ENGINE_NEXT_END;
		s->https_ready = true;
	}
	/* the engine asks only with a worker free: never more than -j */
	if (s->nfree == 0) {
		s->rc = qv_error_set(&s->err, QV_E_INTERNAL, "more jobs in flight than workers");
		return ENGINE_NEXT_END;
	}
	*index = s->free_jobs[--s->nfree];
	j = &s->jobs[*index];
	j->slot = NULL;
	/* gcc-analyzer-suppress malloc-leak: s->jobs owns it, gs_done frees it */
	j->url = strdup(it.shown != NULL ? it.shown : it.url);
	if (j->url == NULL) {
		s->free_jobs[s->nfree++] = *index;
		s->rc = qv_error_set(&s->err, QV_E_NOMEM, "out of memory");
		return ENGINE_NEXT_END;
	}
	j->shown = j->url;
	memcpy(j->name, it.name, sizeof j->name);
	job->url = j->url;
	job->url_len = strlen(j->url);
	job->auth = it.auth;
	return ENGINE_NEXT_JOB;
}

static enum qv_err gs_sink_open(void *ctx, size_t i, struct sink **out, struct qv_error *err)
{
	struct get_stream *s = ctx;

	return get_slot_open(&s->g, s->jobs[i].name, NULL, &s->jobs[i].slot, out, err);
}

static void gs_done(void *ctx, size_t i, const struct xfer_result *res,
		    const struct qv_error *err)
{
	struct get_stream *s = ctx;
	struct gs_job *j = &s->jobs[i];

	get_finish(&s->g, j->slot, j->shown, j->name, res, err);
	j->slot = NULL;
	free(j->url);
	j->url = NULL;
	s->free_jobs[s->nfree++] = i;
}

/* What ended the list, for both kinds of run: a read error or one the
 * source met, else an empty list (as the whole-list plan says). */
static enum qv_err gs_end(struct get_stream *s, enum qv_err rc, struct qv_error *err)
{
	if (rc != QV_OK && rc != QV_E_INTERRUPTED)
		return rc;
	if (s->rc != QV_OK) {
		*err = s->err;
		return s->rc;
	}
	if (rc == QV_OK && s->in != NULL && s->read == 0)
		return qv_error_set(err, QV_E_USAGE, "no URLs in %s", s->in_name);
	return rc;
}

enum qv_err get_stream_dry_run(struct get_stream *s, struct get_totals *t, struct qv_error *err)
{
	char path[SINK_FILE_PATH_MAX];
	struct gs_item it;

	memset(t, 0, sizeof *t);
	s->g.t = t;
	while (gs_pull(s, &it) == ENGINE_NEXT_JOB) /* nothing in flight: never LATER */
		if (get_plan_path(s->a, it.name, path, sizeof path))
			printf("%s\t%s\n", it.shown != NULL ? it.shown : it.url, path);
	if (fflush(stdout) != 0 && s->rc == QV_OK)
		s->rc = qv_error_sys(&s->err, QV_E_FILE, errno, "cannot write the output");
	return gs_end(s, QV_OK, err);
}

enum qv_err get_stream_run(struct get_stream *s, struct cli_out *o, FILE *json,
			   const volatile sig_atomic_t *stop, struct get_totals *t,
			   struct qv_error *err)
{
	struct xfer_opts xo;
	struct engine_opts eo;
	int64_t t0 = clock_now_ns();
	enum qv_err rc;

	memset(t, 0, sizeof *t);
	/* the list's length is not known: dots and a bar would have no end */
	o->prog.mode = CLI_PROGRESS_NONE;
	s->g.o = o;
	s->g.json = json;
	s->g.stop = stop;
	s->g.t = t;
	rc = cli_tls_client(&s->g.tls, s->a->cacert, s->a->cadir, s->a->insecure, false, NULL,
			    err);
	if (rc != QV_OK)
		return rc;
	get_opts(&s->g, SIZE_MAX, &xo, &eo);
	s->jobs = calloc(eo.concurrency, sizeof *s->jobs);
	s->free_jobs = calloc(eo.concurrency, sizeof *s->free_jobs);
	if (s->jobs == NULL || s->free_jobs == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	for (s->njobs = eo.concurrency; s->nfree < s->njobs; s->nfree++)
		s->free_jobs[s->nfree] = s->nfree;
	eo.next = gs_next;
	eo.sink_open = gs_sink_open;
	eo.done = gs_done;
	eo.ctx = s;
	rc = engine_run(s->a->engine, NULL, 0, &eo, NULL, err);
	t->stopped = rc == QV_E_INTERRUPTED || (stop != NULL && *stop != 0);
	if (t->stopped && rc == QV_OK)
		rc = QV_E_INTERRUPTED;
	t->secs = (double)(clock_now_ns() - t0) / 1e9;
	return gs_end(s, rc, err);
}

/* Open what the stream reads: -i FILE, stdin, or nothing (arguments). */
static enum qv_err gs_open(struct get_stream *s, struct qv_error *err)
{
	const char *in = s->a->input;
	enum qv_err rc;
	int fd;

	if (in == NULL)
		return QV_OK;
	/* stdin too through a FILE of its own: the buffer (ours) is freed
	 * after fclose, never under a stream that exit() still flushes */
	s->in_name = strcmp(in, "-") == 0 ? "stdin" : in;
	fd = strcmp(in, "-") == 0 ? dup(STDIN_FILENO) : open(in, O_RDONLY | O_CLOEXEC);
	s->in = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (s->in == NULL) {
		rc = qv_error_sys(err, QV_E_FILE, errno, "cannot open %s", s->in_name);
		if (fd >= 0)
			(void)close(fd);
		return rc;
	}
	(void)setvbuf(s->in, s->buf, _IOFBF, GS_READ_BUF);
	url_reader_init(&s->rd, s->in, s->in_name);
	return QV_OK;
}

enum qv_err get_stream_new(struct get_stream **out, const struct get_args *a,
			   struct task_summary *sum, struct qv_error *err)
{
	struct get_stream *s = calloc(1, sizeof *s);
	enum qv_err rc;

	*out = s;
	if (s == NULL || (s->buf = malloc(GS_READ_BUF)) == NULL ||
	    (s->u = malloc(sizeof *s->u)) == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	s->a = a;
	s->g.a = a;
	s->g.net = &s->net;
	rc = get_plan_shard(&s->shard, a, err);
	if (rc != QV_OK)
		return rc;
	sum->have_shard = true;
	sum->shard = s->shard;
	rc = get_plan_headers(a, err);
	if (rc == QV_OK && !a->dry_run)
		rc = get_plan_dest(a, err);
	if (rc == QV_OK)
		rc = gs_open(s, err);
	if (rc == QV_OK)
		rc = get_net_open(&s->net, a, stderr, err);
	return rc;
}

uint64_t get_stream_urls(const struct get_stream *s)
{
	return s != NULL ? s->urls : 0;
}

void get_stream_free(struct get_stream *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->njobs; i++) { /* every job had its done: belt and braces */
		get_slot_abort(s->jobs[i].slot);
		free(s->jobs[i].url);
	}
	get_slots_clear(&s->g);
	tls_client_free(s->g.tls);
	get_net_clear(&s->net);
	if (s->in != NULL)
		(void)fclose(s->in);
	free(s->jobs);
	free(s->free_jobs);
	free(s->u);
	free(s->buf);
	free(s);
}
