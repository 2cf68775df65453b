/* flags_common.c - country codes, the --site check, flag URLs and the
 * shared "download flags, print like flags.py" run of flags and demo. */
#include "cli/flags/flags_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/dir.h"
#include "cli/fdlimit.h"
#include "http/url.h"
#include "transfer/sink_file.h"
#include "util/ascii.h"
#include "util/clock.h"

/* ThreadPoolExecutor's cap on its default number of workers. */
#define FLAGS_WORKERS_CAP 32u

unsigned flags_default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned cpus = n > 0 && n < 100000 ? (unsigned)n : 1u;

	return cpus + 4u < FLAGS_WORKERS_CAP ? cpus + 4u : FLAGS_WORKERS_CAP;
}

bool flags_codes_add(struct flags_codes *c, const char *s)
{
	if (!ascii_is_alpha((unsigned char)s[0]) || !ascii_is_alpha((unsigned char)s[1]) || s[2] != '\0')
		return false;
	if (c->count >= FLAGS_CODES_MAX)
		return true; /* more than every code: duplicates, dropped by sort */
	c->cc[c->count][0] = (char)ascii_upper((unsigned char)s[0]);
	c->cc[c->count][1] = (char)ascii_upper((unsigned char)s[1]);
	c->cc[c->count][2] = '\0';
	c->count++;
	return true;
}

void flags_codes_add_list(struct flags_codes *c, const char *list)
{
	char code[3];
	const char *p = list;

	while (*p != '\0') {
		if (*p == ' ') {
			p++;
			continue;
		}
		code[0] = p[0];
		code[1] = p[1] != '\0' ? p[1] : ' ';
		code[2] = '\0';
		(void)flags_codes_add(c, code);
		p += p[1] != '\0' ? 2 : 1;
	}
}

static int code_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

void flags_codes_sort(struct flags_codes *c)
{
	size_t i, out = 0;

	qsort(c->cc, c->count, sizeof c->cc[0], code_cmp);
	for (i = 0; i < c->count; i++) {
		if (out > 0 && strcmp(c->cc[out - 1], c->cc[i]) == 0)
			continue;
		memmove(c->cc[out++], c->cc[i], sizeof c->cc[0]);
	}
	c->count = out;
}

enum qv_err flags_site_check(const char *site, char *out, size_t cap, struct qv_error *err)
{
	struct url u;
	size_t len = strlen(site);
	enum qv_err rc;

	while (len > 0 && site[len - 1] == '/')
		len--;
	if (len == 0)
		return qv_error_set(err, QV_E_USAGE, "empty site URL");
	if (memchr(site, '?', len) != NULL || memchr(site, '#', len) != NULL)
		return qv_error_set(err, QV_E_USAGE, "site URL must not have a query or fragment");
	rc = url_parse(&u, site, len, err);
	if (rc != QV_OK)
		return rc;
	if (len >= cap)
		return qv_error_set(err, QV_E_URL_TOO_LONG, "site URL too long");
	memcpy(out, site, len);
	out[len] = '\0';
	return QV_OK;
}

size_t flags_url(const char *site, const char *cc, char *out, size_t cap)
{
	char lc[3];
	int n;

	lc[0] = (char)ascii_lower((unsigned char)cc[0]);
	lc[1] = (char)ascii_lower((unsigned char)cc[1]);
	lc[2] = '\0';
	n = snprintf(out, cap, "%s/%s/%s.gif", site, lc, lc);
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* ---- one run ---- */

struct flags_ctx {
	const struct flags_run_cfg *cfg;
	struct flags_run_report *rep;
	struct sink_file **sinks;   /* per job, open between sink_open and done */
};

static enum qv_err flags_sink_open(void *ctx, size_t i, struct sink **out, struct qv_error *err)
{
	struct flags_ctx *fc = ctx;
	struct sink_file *s;
	char name[8];
	enum qv_err rc;

	(void)snprintf(name, sizeof name, "%s.gif", fc->cfg->codes->cc[i]);
	s = malloc(sizeof *s);
	if (s == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	rc = sink_file_open(s, fc->cfg->dir, name, false, false, err);
	if (rc != QV_OK) {
		free(s);
		return rc;
	}
	fc->sinks[i] = s;
	*out = sink_file_sink(s);
	return QV_OK;
}

static void flags_done(void *ctx, size_t i, const struct xfer_result *res,
		       const struct qv_error *err)
{
	struct flags_ctx *fc = ctx;
	const char *cc = fc->cfg->codes->cc[i];

	(void)res;
	if (err->code == QV_OK) {
		fc->rep->ok++;
		(void)fprintf(fc->cfg->out, "%s ", cc);
		(void)fflush(fc->cfg->out);
	} else {
		fc->rep->failed++;
		(void)fprintf(fc->cfg->errout, "%s error: %s\n", cc, err->msg);
		(void)fflush(fc->cfg->errout);
	}
	free(fc->sinks[i]);
	fc->sinks[i] = NULL;
}

/* One URL string per code, in one allocation of n * stride bytes. */
static char *flags_urls(const struct flags_run_cfg *cfg, struct engine_job *jobs, size_t stride,
			struct qv_error *err)
{
	size_t i, n = cfg->codes->count;
	char *urls = calloc(n > 0 ? n : 1, stride);

	if (urls == NULL) {
		(void)qv_error_set(err, QV_E_NOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		char *u = urls + i * stride;

		jobs[i].url = u;
		jobs[i].url_len = flags_url(cfg->site, cfg->codes->cc[i], u, stride);
		jobs[i].sink = NULL;
	}
	return urls;
}

static void flags_opts(const struct flags_run_cfg *cfg, struct xfer_opts *xo,
		       struct engine_opts *eo, struct flags_ctx *fc)
{
	memset(xo, 0, sizeof *xo);
	xo->follow = true;
	xo->max_redirs = 20;        /* httpx's default, as in the book */
	xo->fail_on_status = true;  /* raise_for_status() */
	memset(eo, 0, sizeof *eo);
	eo->concurrency = cfg->engine == ENGINE_SEQ
				  ? 1u
				  : cli_fd_concurrency(cfg->errout, cfg->engine, cfg->workers,
						       cfg->codes->count);
	eo->per_host = eo->concurrency;
	eo->connect_timeout_ms = cfg->timeout_ms;
	eo->idle_timeout_ms = cfg->timeout_ms;
	eo->xfer = xo;
	eo->stop = cfg->stop;
	eo->sink_open = flags_sink_open;
	eo->done = flags_done;
	eo->ctx = fc;
	eo->tls = cfg->tls;
}

enum qv_err flags_run(const struct flags_run_cfg *cfg, struct flags_run_report *rep)
{
	size_t n = cfg->codes->count, i;
	/* "{site}/xx/xx.gif" */
	size_t stride = strlen(cfg->site) + sizeof "/xx/xx.gif";
	struct engine_job *jobs;
	struct xfer_opts xo;
	struct engine_opts eo;
	struct flags_ctx fc;
	char *urls = NULL;
	int64_t t0;
	enum qv_err rc;

	memset(rep, 0, sizeof *rep);
	rc = cli_dir_make(cfg->dir, &rep->err);
	if (rc != QV_OK)
		return rc;
	jobs = calloc(n > 0 ? n : 1, sizeof *jobs);
	fc.sinks = calloc(n > 0 ? n : 1, sizeof *fc.sinks);
	if (jobs == NULL || fc.sinks == NULL) {
		rc = qv_error_set(&rep->err, QV_E_NOMEM, "out of memory");
		goto out;
	}
	urls = flags_urls(cfg, jobs, stride, &rep->err);
	if (urls == NULL) {
		rc = QV_E_NOMEM;
		goto out;
	}
	fc.cfg = cfg;
	fc.rep = rep;
	flags_opts(cfg, &xo, &eo, &fc);
	t0 = clock_now_ns();
	rc = engine_run(cfg->engine, jobs, n, &eo, &rep->stats, &rep->err);
	rep->secs = (double)(clock_now_ns() - t0) / 1e9;
	if (rc == QV_OK || rc == QV_E_INTERRUPTED)
		(void)fprintf(cfg->out, "\n%u downloads in %.2fs\n", rep->ok, rep->secs);
	(void)fflush(cfg->out);
out:
	for (i = 0; fc.sinks != NULL && i < n; i++) {
		/* only a run cut short leaves one; abort is idempotent */
		if (fc.sinks[i] != NULL)
			sink_file_sink(fc.sinks[i])->ops->abort(sink_file_sink(fc.sinks[i]));
		free(fc.sinks[i]);
	}
	free(fc.sinks);
	free(urls);
	free(jobs);
	return rc;
}
