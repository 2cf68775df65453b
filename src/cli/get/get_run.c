/* get_run.c - one `get` run over a plan (see get_run.h). */
#include "cli/get/get_run.h"

#include <stdlib.h>
#include <string.h>

#include "cli/fdlimit.h"
#include "cli/fmt.h"
#include "cli/get/json_out.h"
#include "cli/sink_tap.h"
#include "cli/tls_setup.h"
#include "transfer/sink_digest.h"
#include "transfer/sink_file.h"
#include "transfer/sink_mem.h"
#include "transfer/sink_stream.h"
#include "util/clock.h"

/* get_totals.errs has a bit per code. */
_Static_assert(QV_E__COUNT <= 64, "enum qv_err outgrew get_totals.errs");

/* The sinks of one transfer, alive from sink_open to done.  About 72 KiB:
 * musl serves that with mmap, so a freed slot goes on a free list for the
 * next transfer instead (no mmap/munmap and no fresh page faults per file;
 * at most the concurrency's worth are ever allocated). */
struct get_slot {
	struct sink_tap tap;
	struct sink_mem none;       /* --spider: a HEAD's empty body */
	struct sink_digest digest;  /* between tap and file/stream when hashing */
	bool hashing;
	struct sink_stream stream;  /* -O - */
	struct sink_file file;
	int64_t start_ms;
	struct get_slot *next_free;
};

static void get_slot_put(struct get_ctx *g, struct get_slot *s)
{
	if (s == NULL)
		return;
	s->next_free = g->free_slots;
	g->free_slots = s;
}

/* What a finished transfer's line and record say besides its result. */
struct get_outcome {
	char hex[2][DIGEST_HEX_MAX]; /* sha256, sha512: "" when not computed */
	uint64_t out;                /* -O -: bytes written to standard output */
};

/* tap (progress) -> digest (when hashing) -> file or stdout. */
enum qv_err get_slot_open(struct get_ctx *g, const char *name, const struct digest_want *want,
			  struct get_slot **slot, struct sink **out, struct qv_error *err)
{
	const struct get_args *a = g->a;
	struct get_slot *s = g->free_slots;
	struct sink *inner;
	enum qv_err rc;

	if (s != NULL)
		g->free_slots = s->next_free;
	else if ((s = malloc(sizeof *s)) == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	s->start_ms = clock_now_ms();
	if (a->spider) {
		sink_mem_init(&s->none, NULL, 0, 0);
		inner = sink_mem_sink(&s->none);
	} else if (a->to_stdout) {
		sink_stream_init(&s->stream, 1);
		inner = sink_stream_sink(&s->stream);
	} else {
		rc = sink_file_open(&s->file, a->dir, name, a->resume, a->fsync, err);
		if (rc != QV_OK) {
			get_slot_put(g, s);
			return rc;
		}
		sink_file_times(&s->file, !a->no_timestamp, a->timestamping);
		if (a->resume_final)
			sink_file_adopt_final(&s->file);
		inner = sink_file_sink(&s->file);
	}
	s->hashing = want != NULL || a->digests != 0;
	if (s->hashing) {
		sink_digest_init(&s->digest, inner, a->digests, want);
		inner = sink_digest_sink(&s->digest);
	}
	sink_tap_init(&s->tap, inner, &g->o->prog);
	*slot = s;
	*out = sink_tap_sink(&s->tap);
	return QV_OK;
}

/* The digest URL item must have (NULL: none), or an error when a
 * checksum option covers it but names no digest for it. */
static enum qv_err get_want(const struct get_ctx *g, size_t item, const struct digest_want **w,
			    struct qv_error *err)
{
	uint32_t k = g->p->sum_of != NULL ? g->p->sum_of[item] : 0;

	*w = NULL;
	if (k == GET_SUM_MISSING)
		return qv_error_set(err, QV_E_CHECKSUM, "no checksum for %s in %s",
				    g->p->name[item], g->a->checksum_file);
	if (k == GET_SUM_CONFLICT)
		return qv_error_set(err, QV_E_CHECKSUM, "%s is in %s twice, with different digests",
				    g->p->name[item], g->a->checksum_file);
	if (k > 0)
		*w = &g->p->sums[k - 1];
	return QV_OK;
}

static enum qv_err get_sink_open(void *ctx, size_t i, struct sink **out, struct qv_error *err)
{
	struct get_ctx *g = ctx;
	size_t item = g->item[i];
	const struct digest_want *want;
	enum qv_err rc = get_want(g, item, &want, err);

	if (rc != QV_OK)
		return rc;
	return get_slot_open(g, g->p->name[item], want, &g->slot[i], out, err);
}

static void get_outcome_of(const struct get_slot *s, bool to_stdout, struct get_outcome *oc)
{
	memset(oc, 0, sizeof *oc);
	if (s == NULL)
		return;
	if (s->hashing) {
		(void)sink_digest_hex(&s->digest, DIGEST_SHA256, oc->hex[0]);
		(void)sink_digest_hex(&s->digest, DIGEST_SHA512, oc->hex[1]);
	}
	if (to_stdout)
		oc->out = s->stream.written;
}

void get_record(struct get_ctx *g, const char *url, const char *name,
		const struct xfer_result *res, const struct qv_error *err, uint64_t ms,
		const char *skipped, const struct get_outcome *oc)
{
	char path[SINK_FILE_PATH_MAX];
	struct json_record r;

	if (g->json == NULL)
		return;
	memset(&r, 0, sizeof r);
	r.url = url;
	if (name != NULL && !g->a->to_stdout && get_plan_path(g->a, name, path, sizeof path))
		r.file = path;
	if (res != NULL) {
		r.status = res->status;
		r.bytes = g->a->to_stdout && oc != NULL ? oc->out : res->bytes;
		r.attempts = res->attempts;
	}
	r.ms = ms;
	r.skipped = skipped;
	if (err != NULL && err->code != QV_OK) {
		r.error = err->msg;
		r.error_code = qv_err_name(err->code);
	}
	if (oc != NULL && oc->hex[0][0] != '\0')
		r.sha256 = oc->hex[0];
	if (oc != NULL && oc->hex[1][0] != '\0')
		r.sha512 = oc->hex[1];
	json_out_record(g->json, &r);
	(void)fflush(g->json);
}

/* A failure with -O -: what standard output got.  A closed reader needs
 * no word (the pipe's other end chose to stop). */
static void get_stdout_failure(struct get_ctx *g, const char *url, const struct qv_error *err,
			       uint64_t out)
{
	const char *p = g->a->prog;

	if (err->code == QV_E_PIPE)
		return;
	if (err->code == QV_E_CHECKSUM)
		cli_out_note(g->o, "%s: %s: %s (all %llu bytes already went to standard output)", p,
			     url, err->msg, (unsigned long long)out);
	else if (out > 0)
		cli_out_note(g->o, "%s: %s: %s; standard output holds only the first %llu bytes", p,
			     url, err->msg, (unsigned long long)out);
	else
		cli_out_note(g->o, "%s: %s: %s", p, url, err->msg);
}

/* The human line for one finished transfer: an error, or with -v where it
 * went, its size, time, attempts and digests. */
static void get_line(struct get_ctx *g, const char *url, const char *name,
		     const struct xfer_result *res, const struct qv_error *err, uint64_t ms,
		     const struct get_outcome *oc)
{
	char path[SINK_FILE_PATH_MAX], size[FMT_MAX], more[2 * DIGEST_HEX_MAX + 64];
	int n = 0;

	if (err->code != QV_OK && err->code != QV_E_INTERRUPTED) {
		if (g->a->to_stdout)
			get_stdout_failure(g, url, err, oc->out);
		else
			cli_out_note(g->o, "%s: %s: %s", g->a->prog, url, err->msg);
		return;
	}
	if (err->code != QV_OK)
		return;
	if (g->a->to_stdout)
		(void)snprintf(path, sizeof path, "standard output");
	else if (!get_plan_path(g->a, name, path, sizeof path))
		return;
	if (res->not_modified) {
		cli_out_verbose(g->o, "%s -> %s: not modified", url, path);
		return;
	}
	fmt_bytes(g->a->to_stdout ? oc->out : res->bytes, size);
	more[0] = '\0';
	if (res->attempts > 1)
		n = snprintf(more, sizeof more, ", %u attempts", res->attempts);
	if (oc->hex[0][0] != '\0' && n >= 0)
		n += snprintf(more + n, sizeof more - (size_t)n, ", sha256 %s", oc->hex[0]);
	if (oc->hex[1][0] != '\0' && n >= 0 && (size_t)n < sizeof more)
		(void)snprintf(more + n, sizeof more - (size_t)n, ", sha512 %s", oc->hex[1]);
	cli_out_verbose(g->o, "%s -> %s (%s in %.2fs%s)", url, path, size, (double)ms / 1000.0,
			more);
}

void get_finish(struct get_ctx *g, struct get_slot *s, const char *url, const char *name,
		const struct xfer_result *res, const struct qv_error *err)
{
	struct get_outcome oc;
	uint64_t ms = 0;

	if (s != NULL && clock_now_ms() > s->start_ms)
		ms = (uint64_t)(clock_now_ms() - s->start_ms);
	get_outcome_of(s, g->a->to_stdout, &oc);
	get_slot_put(g, s);
	if (err->code == QV_OK && res->not_modified) {
		g->t->not_modified++;
	} else if (err->code == QV_OK) {
		g->t->ok++;
		g->t->bytes += g->a->to_stdout ? oc.out : res->bytes;
	} else if (err->code == QV_E_INTERRUPTED) {
		g->t->interrupted++;
	} else {
		g->t->failed++;
		g->t->errs |= 1ull << err->code;
	}
	get_line(g, url, name, res, err, ms, &oc);
	get_record(g, url, name, res, err, ms,
		   err->code == QV_OK && res->not_modified ? "not-modified" : NULL, &oc);
	progress_item_done(&g->o->prog);
}

static void get_done(void *ctx, size_t i, const struct xfer_result *res,
		     const struct qv_error *err)
{
	struct get_ctx *g = ctx;
	struct get_slot *s = g->slot[i];
	size_t item = g->item[i];

	g->slot[i] = NULL;
	get_finish(g, s, g->p->list.url[item], g->p->name[item], res, err);
}

void get_slot_abort(struct get_slot *s)
{
	if (s == NULL)
		return;
	/* a run cut short: abort is idempotent */
	sink_tap_sink(&s->tap)->ops->abort(sink_tap_sink(&s->tap));
	free(s);
}

void get_slots_clear(struct get_ctx *g)
{
	while (g->free_slots != NULL) {
		struct get_slot *s = g->free_slots;

		g->free_slots = s->next_free;
		free(s);
	}
}

void get_opts(struct get_ctx *g, size_t njobs, struct xfer_opts *xo, struct engine_opts *eo)
{
	const struct get_args *a = g->a;
	size_t i;

	memset(xo, 0, sizeof *xo);
	xo->follow = true;
	xo->max_redirs = a->max_redirs;
	xo->allow_downgrade = a->allow_downgrade;
	xo->fail_on_status = true;
	xo->retries = a->retries;
	xo->retry_base_ms = a->retry_delay_ms;
	xo->retry_max_ms = a->retry_delay_ms > GET_RETRY_MAX_MS ? a->retry_delay_ms
								: GET_RETRY_MAX_MS;
	xo->max_filesize = a->max_filesize;
	xo->user_agent = a->user_agent;
	for (i = 0; i < a->nheaders; i++)
		xo->extra[i] = a->headers[i];
	xo->extra_count = a->nheaders;
	xo->proxy = &g->net->proxy;
	xo->method = a->method;
	xo->body = a->body;
	xo->body_len = a->body_len;
	xo->has_body = a->has_body;
	xo->body_type = a->body_type;
	xo->on_head = a->on_head;
	xo->head_ctx = a->head_ctx;
	xo->resume_unsafe = a->resume_unsafe;
	memset(eo, 0, sizeof *eo);
	eo->family = a->family;
	eo->concurrency = cli_fd_concurrency(g->o->quiet ? NULL : g->o->err, a->engine,
					     a->parallel, njobs);
	eo->per_host = a->per_host;
	eo->connect_timeout_ms = a->connect_timeout_ms;
	eo->idle_timeout_ms = a->idle_timeout_ms;
	eo->max_time_ms = a->max_time_ms;
	eo->rate_limit = a->limit_rate;
	eo->rate_limit_total = a->limit_rate_total;
	eo->xfer = xo;
	eo->stop = g->stop;
	eo->sink_open = get_sink_open;
	eo->done = get_done;
	eo->ctx = g;
	eo->tls = g->tls;
}

/* Jobs for the picked, not skipped URLs; skipped ones are reported now. */
static size_t get_jobs(struct get_ctx *g, struct engine_job *jobs)
{
	const struct get_plan *p = g->p;
	size_t j, n = 0;

	for (j = 0; j < p->npick; j++) {
		size_t item = p->pick[j];

		if (p->skip[j]) {
			g->t->skipped++;
			get_record(g, p->list.url[item], p->name[item], NULL, NULL, 0, "exists", NULL);
			continue;
		}
		g->item[n] = item;
		jobs[n].url = p->list.url[item];
		jobs[n].url_len = strlen(p->list.url[item]);
		jobs[n].sink = NULL;
		jobs[n].auth = get_net_auth(g->net, item);
		n++;
	}
	return n;
}

enum qv_err get_run(const struct get_args *a, const struct get_plan *p, const struct get_net *net,
		    struct cli_out *o, FILE *json, const volatile sig_atomic_t *stop,
		    struct get_totals *t, struct qv_error *err)
{
	size_t cap = p->npick > 0 ? p->npick : 1, n, i;
	struct engine_job *jobs;
	struct get_ctx g;
	struct xfer_opts xo;
	struct engine_opts eo;
	int64_t t0 = clock_now_ns();
	enum qv_err rc = QV_OK;

	memset(t, 0, sizeof *t);
	memset(&g, 0, sizeof g);
	g.a = a;
	g.p = p;
	g.net = net;
	g.o = o;
	g.json = json;
	g.stop = stop;
	g.t = t;
	g.item = calloc(cap, sizeof *g.item);
	g.slot = calloc(cap, sizeof *g.slot);
	jobs = calloc(cap, sizeof *jobs);
	if (jobs == NULL || g.item == NULL || g.slot == NULL) {
		rc = qv_error_set(err, QV_E_NOMEM, "out of memory");
		goto out;
	}
	n = get_jobs(&g, jobs);
	/* With an https URL the CA certificates load now: one clear error for
	 * a missing bundle instead of one per URL.  cmd_get warns about -k. */
	for (i = 0; i < n && !cli_is_https(jobs[i].url); i++)
		;
	rc = cli_tls_client(&g.tls, a->cacert, a->cadir, a->insecure, i < n, NULL, err);
	if (rc != QV_OK)
		goto out;
	progress_start(&o->prog, n);
	get_opts(&g, n, &xo, &eo);
	if (n > 0)
		rc = engine_run(a->engine, jobs, n, &eo, NULL, err);
	progress_finish(&o->prog);
	t->stopped = rc == QV_E_INTERRUPTED || (stop != NULL && *stop != 0);
	if (t->stopped && rc == QV_OK)
		rc = QV_E_INTERRUPTED;
out:
	t->secs = (double)(clock_now_ns() - t0) / 1e9;
	for (i = 0; g.slot != NULL && i < cap; i++)
		get_slot_abort(g.slot[i]);
	get_slots_clear(&g);
	free(g.slot);
	free(g.item);
	free(jobs);
	tls_client_free(g.tls);
	return rc;
}

void get_summary(FILE *f, const struct get_totals *t)
{
	char size[FMT_MAX], rate[FMT_MAX];

	fmt_bytes(t->bytes, size);
	fmt_rate(t->secs > 0 ? (double)t->bytes / t->secs : 0, rate);
	(void)fprintf(f, "%s%zu file%s downloaded (%s in %.2fs, %s)", t->stopped ? "interrupted: " : "",
		      t->ok, t->ok != 1 ? "s" : "", size, t->secs, rate);
	if (t->failed > 0)
		(void)fprintf(f, "; %zu failed", t->failed);
	if (t->not_modified > 0)
		(void)fprintf(f, "; %zu not modified", t->not_modified);
	if (t->skipped > 0)
		(void)fprintf(f, "; %zu skipped", t->skipped);
	if (t->interrupted > 0)
		(void)fprintf(f, "; %zu cut short", t->interrupted);
	(void)fputc('\n', f);
	(void)fflush(f);
}
