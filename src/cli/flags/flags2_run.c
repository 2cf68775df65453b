/* flags2_run.c - a flags2 / flags3 run (see flags2_run.h).
 *
 * flags3 runs in two engine passes: every metadata.json first (small memory
 * sinks), then the flags of the codes whose country name was good, each
 * saved under that name.  Knowing the name before the GIF arrives lets the
 * GIF stream straight to its .part file. */
#include "cli/flags/flags2_run.h"

#include <stdlib.h>
#include <string.h>

#include "cli/dir.h"
#include "cli/fdlimit.h"
#include "cli/flags/json_meta.h"
#include "cli/fname.h"
#include "cli/sink_tap.h"
#include "cli/tls_setup.h"
#include "transfer/sink_file.h"
#include "transfer/sink_mem.h"
#include "util/clock.h"

/* The sinks of one job, allocated when it starts and freed when it ends. */
struct f2_slot {
	struct sink_tap tap;
	struct sink_mem mem;
	struct sink_file file;
	uint8_t meta[FLAGS3_META_MAX];
};

struct f2 {
	const struct flags2_args *a;
	struct cli_out *o;
	const volatile sig_atomic_t *stop;
	bool meta_phase;
	size_t *code;               /* job -> index in a->codes */
	struct f2_slot **slot;      /* per job, NULL when not running */
	char **fname;               /* flags3: per code, the file name */
	struct engine_job *jobs;
	char *urls;
	size_t stride;
	struct flags2_counts counts;
	bool warned;                /* the open-file limit warning was given */
	struct tls_client *tls;     /* https: CA set, sessions, -k */
};

enum qv_err flags3_file_name(const char *country, size_t len, char *out, size_t cap,
			     struct qv_error *err)
{
	size_t i;

	if (len + sizeof ".gif" > cap)
		return qv_error_set(err, QV_E_NAME, "country name too long for a file name");
	for (i = 0; i < len; i++)
		out[i] = country[i] == ' ' ? '_' : country[i];
	memcpy(out + len, ".gif", sizeof ".gif");
	return fname_check(out, len + sizeof ".gif" - 1, err);
}

static enum qv_err f2_sink_open(void *ctx, size_t i, struct sink **out, struct qv_error *err)
{
	struct f2 *f = ctx;
	const char *cc = f->a->codes.cc[f->code[i]];
	struct f2_slot *s = malloc(sizeof *s);
	char name[8];
	struct sink *inner;
	enum qv_err rc;

	if (s == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	if (f->meta_phase) {
		sink_mem_init(&s->mem, s->meta, sizeof s->meta, 0);
		inner = sink_mem_sink(&s->mem);
	} else {
		(void)snprintf(name, sizeof name, "%s.gif", cc);
		rc = sink_file_open(&s->file, f->a->dir, f->a->flags3 ? f->fname[f->code[i]] : name,
				    false, false, err);
		if (rc != QV_OK) {
			free(s);
			return rc;
		}
		inner = sink_file_sink(&s->file);
	}
	sink_tap_init(&s->tap, inner, &f->o->prog);
	f->slot[i] = s;
	*out = sink_tap_sink(&s->tap);
	return QV_OK;
}

/* flags3: the country name of a fetched metadata.json, as a file name. */
static enum qv_err f2_meta_name(struct f2 *f, size_t code, const struct f2_slot *s,
				struct qv_error *err)
{
	char country[FNAME_MAX + 1], name[FNAME_MAX + 1];
	struct qv_error e;
	size_t len = 0;

	qv_error_clear(&e);
	if (json_meta_string((const char *)s->meta, s->mem.len, "country", country, sizeof country,
			     &len, &e) != QV_OK)
		return qv_error_set(err, e.code, "bad metadata.json: %s", e.msg);
	if (flags3_file_name(country, len, name, sizeof name, &e) != QV_OK)
		return qv_error_set(err, e.code, "unsafe country name in metadata.json: %s", e.msg);
	/* gcc-analyzer-suppress malloc-leak: f->fname owns it, f2_free frees it */
	f->fname[code] = strdup(name);
	if (f->fname[code] == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	return QV_OK;
}

/* Count and report one code's outcome. */
static void f2_outcome(struct f2 *f, size_t i, const struct xfer_result *res,
		       const struct qv_error *err)
{
	const char *cc = f->a->codes.cc[f->code[i]];
	enum flags2_status st = flags2_classify(res, err);
	const char *url = res->final_url[0] != '\0' ? res->final_url : f->jobs[i].url;

	if (st == FLAGS2_OK)
		f->counts.ok++;
	else if (st == FLAGS2_NOT_FOUND)
		f->counts.not_found++;
	else
		f->counts.errors++;
	if (f->o->verbose)
		flags2_report_code(f->o->out, cc, st, url, err);
	progress_item_done(&f->o->prog);
}

static void f2_done(void *ctx, size_t i, const struct xfer_result *res,
		    const struct qv_error *err)
{
	struct f2 *f = ctx;
	struct f2_slot *s = f->slot[i];
	struct qv_error e = *err;

	f->slot[i] = NULL;
	/* Ctrl-C: the book stops counting (KeyboardInterrupt breaks the loop) */
	if (e.code == QV_E_INTERRUPTED) {
		free(s);
		return;
	}
	if (f->meta_phase && e.code == QV_E_NOSPACE)
		(void)qv_error_set(&e, QV_E_TOO_BIG, "metadata.json larger than %u bytes",
				   FLAGS3_META_MAX);
	if (f->meta_phase && e.code == QV_OK && s != NULL) {
		if (f2_meta_name(f, f->code[i], s, &e) == QV_OK) {
			free(s); /* the flag itself comes in the second pass */
			return;
		}
	}
	f2_outcome(f, i, res, &e);
	free(s);
}

/* "{site}/{cc}/{file}" with cc lower-cased. */
static size_t f2_url(const char *site, const char *cc, const char *file, char *out, size_t cap)
{
	char lc[3] = {(char)(cc[0] | 0x20), (char)(cc[1] | 0x20), '\0'};
	int n = snprintf(out, cap, "%s/%s/%s", site, lc, file);

	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void f2_opts(struct f2 *f, size_t n, struct xfer_opts *xo, struct engine_opts *eo)
{
	memset(xo, 0, sizeof *xo);
	xo->follow = true;
	xo->max_redirs = 20;        /* httpx's default, follow_redirects=True */
	xo->fail_on_status = true;  /* raise_for_status() */
	memset(eo, 0, sizeof *eo);
	eo->concurrency = cli_fd_concurrency(f->warned ? NULL : f->o->err, f->a->engine,
					     flags2_connections(f->a), n);
	f->warned = true;
	eo->per_host = eo->concurrency;
	eo->connect_timeout_ms = f->a->timeout_ms;
	eo->idle_timeout_ms = f->a->timeout_ms;
	eo->xfer = xo;
	eo->stop = f->stop;
	eo->sink_open = f2_sink_open;
	eo->done = f2_done;
	eo->ctx = f;
	eo->tls = f->tls;
}

/* One engine pass over the codes in f->code[0..n); warns (once, on the
 * first pass) when the open-file limit lowers the concurrency. */
static enum qv_err f2_pass(struct f2 *f, size_t n, bool meta, struct qv_error *err)
{
	struct xfer_opts xo;
	struct engine_opts eo;
	size_t i;

	f->meta_phase = meta;
	for (i = 0; i < n; i++) {
		const char *cc = f->a->codes.cc[f->code[i]];
		char gif[8];
		char *u = f->urls + i * f->stride;

		gif[0] = (char)(cc[0] | 0x20);
		gif[1] = (char)(cc[1] | 0x20);
		memcpy(gif + 2, ".gif", 5);
		f->jobs[i].url = u;
		f->jobs[i].url_len = f2_url(f->a->site, cc, meta ? "metadata.json" : gif, u,
					    f->stride);
		f->jobs[i].sink = NULL;
	}
	if (n == 0)
		return QV_OK;
	f2_opts(f, n, &xo, &eo);
	return engine_run(f->a->engine, f->jobs, n, &eo, NULL, err);
}

/* flags3's second pass: the codes whose name is known, in order. */
static size_t f2_named(struct f2 *f)
{
	size_t c, n = 0;

	for (c = 0; c < f->a->codes.count; c++)
		if (f->fname[c] != NULL)
			f->code[n++] = c;
	return n;
}

static enum qv_err f2_alloc(struct f2 *f, size_t n, struct qv_error *err)
{
	f->stride = strlen(f->a->site) + sizeof "/xx/metadata.json";
	f->code = calloc(n, sizeof *f->code);
	f->slot = calloc(n, sizeof *f->slot);
	f->fname = calloc(n, sizeof *f->fname);
	f->jobs = calloc(n, sizeof *f->jobs);
	f->urls = calloc(n, f->stride);
	if (f->code == NULL || f->slot == NULL || f->fname == NULL || f->jobs == NULL ||
	    f->urls == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	return QV_OK;
}

static void f2_free(struct f2 *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		/* only a run cut short leaves a sink open */
		if (f->slot != NULL && f->slot[i] != NULL) {
			sink_tap_sink(&f->slot[i]->tap)->ops->abort(sink_tap_sink(&f->slot[i]->tap));
			free(f->slot[i]);
		}
		if (f->fname != NULL)
			free(f->fname[i]);
	}
	free(f->code);
	free(f->slot);
	free(f->fname);
	free(f->jobs);
	free(f->urls);
}

enum qv_err flags2_run(const struct flags2_args *a, struct cli_out *o,
		       const volatile sig_atomic_t *stop, struct flags2_result *res)
{
	size_t n = a->codes.count > 0 ? a->codes.count : 1, i;
	struct f2 f;
	int64_t t0;
	enum qv_err rc;

	memset(res, 0, sizeof *res);
	memset(&f, 0, sizeof f);
	f.a = a;
	f.o = o;
	f.stop = stop;
	rc = cli_dir_make(a->dir, &res->err);
	if (rc == QV_OK)
		rc = f2_alloc(&f, n, &res->err);
	/* An https site loads the CA certificates now: one clear error. */
	if (rc == QV_OK)
		rc = cli_tls_client(&f.tls, a->cacert, NULL, a->insecure, cli_is_https(a->site),
				    o->err, &res->err);
	if (rc != QV_OK)
		goto out;
	for (i = 0; i < a->codes.count; i++)
		f.code[i] = i;
	t0 = clock_now_ns();
	progress_start(&o->prog, a->codes.count);
	rc = f2_pass(&f, a->codes.count, a->flags3, &res->err);
	if (rc == QV_OK && a->flags3)
		rc = f2_pass(&f, f2_named(&f), false, &res->err);
	progress_finish(&o->prog);
	res->secs = (double)(clock_now_ns() - t0) / 1e9;
	res->counts = f.counts;
out:
	f2_free(&f, n);
	tls_client_free(f.tls);
	return rc;
}
