/* get_plan.c - URL list, names, clashes, shard, destination (see
 * get_plan.h). */
#include "cli/get/get_plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/dir.h"
#include "cli/fname.h"
#include "cli/get/autoname.h"
#include "cli/get/nameset.h"
#include "cli/get/sumfile.h"
#include "http/req.h"
#include "http/url.h"
#include "transfer/sink_file.h"

/* Where URL i came from, for messages: "argument" or "FILE:LINE". */
static void plan_where(const struct get_plan *p, const struct get_args *a, size_t i, char *out,
		       size_t cap)
{
	const char *in = a->input != NULL && strcmp(a->input, "-") == 0 ? "stdin" : a->input;

	if (p->list.line[i] == 0)
		(void)snprintf(out, cap, "argument");
	else
		(void)snprintf(out, cap, "%s:%u", in, p->list.line[i]);
}

static enum qv_err plan_collect(struct get_plan *p, const struct get_args *a, struct qv_error *err)
{
	enum qv_err rc = QV_OK;
	FILE *f;
	size_t i;

	for (i = 0; i < a->nurls && rc == QV_OK; i++)
		rc = url_list_add(&p->list, a->urls[i], strlen(a->urls[i]), 0, err);
	if (rc != QV_OK || a->input == NULL)
		return rc;
	if (strcmp(a->input, "-") == 0)
		return url_list_read(&p->list, stdin, "stdin", err);
	f = fopen(a->input, "r");
	if (f == NULL)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot open %s", a->input);
	rc = url_list_read(&p->list, f, a->input, err);
	(void)fclose(f);
	return rc;
}

/* -O NAME: one component the file sink accepts. */
static enum qv_err plan_out_name(const struct get_plan *p, const struct get_args *a,
				 struct qv_error *err)
{
	const char *n = a->out_name;
	size_t len = strlen(n);

	if (p->list.count != 1 && !a->stdout_all)
		return qv_error_set(err, QV_E_USAGE, "-O %s needs exactly one URL (got %zu)",
				    a->to_stdout ? "-" : "NAME", p->list.count);
	if (a->to_stdout)
		return QV_OK;
	if (len == 0 || strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strchr(n, '/') != NULL)
		return qv_error_set(err, QV_E_USAGE,
				    "-O wants a file name without '/' (use -o DIR for the directory)");
	if (len > FNAME_MAX)
		return qv_error_set(err, QV_E_USAGE, "-O name longer than %u bytes",
				    (unsigned)FNAME_MAX);
	return QV_OK;
}

/* Parse every URL and name its file; bad URLs are listed on errf. */
static enum qv_err plan_names(struct get_plan *p, const struct get_args *a, FILE *errf,
			      struct qv_error *err)
{
	struct url *u = malloc(sizeof *u);
	char name[FNAME_MAX + 1], where[64];
	size_t i, bad = 0;

	if (u == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	for (i = 0; i < p->list.count; i++) {
		struct qv_error e;
		const char *s = p->list.url[i];

		qv_error_clear(&e);
		if (url_parse(u, s, strlen(s), &e) != QV_OK) {
			plan_where(p, a, i, where, sizeof where);
			if (bad++ < GET_PLAN_LIST_MAX)
				(void)fprintf(errf, "%s: %s: %.200s: %s\n", a->prog, where, s,
					      e.msg);
			continue;
		}
		if (a->out_name != NULL)
			(void)snprintf(name, sizeof name, "%s", a->out_name);
		else if (p->list.out != NULL && p->list.out[i] != NULL) /* checked by the list */
			(void)snprintf(name, sizeof name, "%s", p->list.out[i]);
		else
			(void)fname_from_target(u->target, strlen(u->target), name, sizeof name);
		/* gcc-analyzer-suppress malloc-leak: p->name owns it, get_plan_clear frees it */
		p->name[i] = strdup(name);
		if (p->name[i] == NULL) {
			free(u);
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		}
	}
	free(u);
	if (bad > GET_PLAN_LIST_MAX)
		(void)fprintf(errf, "%s: ... and %zu more\n", a->prog, bad - GET_PLAN_LIST_MAX);
	if (bad > 0)
		return qv_error_set(err, QV_E_USAGE, "%zu invalid URL%s", bad, bad != 1 ? "s" : "");
	return QV_OK;
}

/* A clash for URL i with URL other: rename it, or list it. */
static enum qv_err plan_clash(struct get_plan *p, const struct get_args *a, struct autoname *an,
			      const struct nameset *set, size_t i, size_t other, FILE *errf,
			      size_t *nclash, struct qv_error *err)
{
	char name[AUTONAME_OUT_MAX], where[64], where2[64];
	enum qv_err rc;

	if (!a->auto_rename && !a->gnu_names) {
		if ((*nclash)++ < GET_PLAN_LIST_MAX) {
			plan_where(p, a, i, where, sizeof where);
			plan_where(p, a, other, where2, sizeof where2);
			(void)fprintf(errf, "%s: %s (%s) and %s (%s) both save to %s\n", a->prog,
				      p->list.url[other], where2, p->list.url[i], where,
				      p->name[other]);
		}
		return QV_OK;
	}
	rc = autoname_pick(an, set, p->name[i], name, &p->checks, err);
	if (rc == QV_E_EXISTS) {
		(*nclash)++;
		(void)fprintf(errf, "%s: no free name for %s\n", a->prog, p->list.url[i]);
		return QV_OK;
	}
	if (rc != QV_OK)
		return rc;
	free(p->name[i]);
	/* gcc-analyzer-suppress malloc-leak: p->name owns it, get_plan_clear frees it */
	p->name[i] = strdup(name);
	return p->name[i] != NULL ? QV_OK : qv_error_set(err, QV_E_NOMEM, "out of memory");
}

/* The wget mode's "taken": something is there under that name already. */
static bool plan_on_disk(const void *ctx, const char *name)
{
	char path[SINK_FILE_PATH_MAX];
	struct stat st;

	return get_plan_path(ctx, name, path, sizeof path) && lstat(path, &st) == 0;
}

/* Names are checked over the whole list, before sharding, so that every
 * shard of one list agrees on every name.  Each URL's name is looked up
 * once, and each rename costs lookups in proportion to the names it finds
 * taken, never to the list (autoname.h).  GNU names (the wget mode) are
 * also renamed away from the files in the directory, except with
 * --skip-existing (wget -nc), which skips those instead. */
static enum qv_err plan_clashes(struct get_plan *p, const struct get_args *a, FILE *errf,
				struct qv_error *err)
{
	struct nameset *set = NULL;
	struct autoname an;
	size_t i, nclash = 0;
	enum qv_err rc;

	autoname_init(&an);
	an.at_end = a->gnu_names;
	if (a->gnu_names && !a->skip_existing) {
		an.exists = plan_on_disk;
		an.exists_ctx = a;
	}
	rc = nameset_new(&set, (const char *const *)p->name, p->list.count, err);
	for (i = 0; rc == QV_OK && i < p->list.count; i++) {
		size_t other = nameset_clash(set, p->name[i]);
		bool taken = other != NAMESET_NONE ||
			     (an.exists != NULL && an.exists(a, p->name[i]));

		p->checks++;
		if (taken)
			rc = plan_clash(p, a, &an, set, i, other, errf, &nclash, err);
		if (rc == QV_OK && (!taken || a->auto_rename || a->gnu_names) &&
		    !nameset_add(set, i))
			rc = qv_error_set(err, QV_E_INTERNAL, "the name set is full");
	}
	autoname_clear(&an);
	nameset_free(set);
	if (rc != QV_OK)
		return rc;
	if (nclash > GET_PLAN_LIST_MAX)
		(void)fprintf(errf, "%s: ... and %zu more\n", a->prog, nclash - GET_PLAN_LIST_MAX);
	if (nclash > 0)
		return qv_error_set(err, QV_E_USAGE,
				    "%zu output name clash%s (use --auto-rename or -o per list)",
				    nclash, nclash != 1 ? "es" : "");
	return QV_OK;
}

static const char *plan_getenv(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

enum qv_err get_plan_shard(struct shard *s, const struct get_args *a, struct qv_error *err)
{
	s->k = 0;
	s->n = 1;
	s->source = "--shard";
	if (a->shard == NULL)
		return QV_OK;
	return shard_parse(s, a->shard, a->shards, plan_getenv, NULL, err);
}

static enum qv_err plan_shard(struct get_plan *p, const struct get_args *a, struct qv_error *err)
{
	size_t i;
	enum qv_err rc = get_plan_shard(&p->shard, a, err);

	if (rc != QV_OK)
		return rc;
	for (i = 0; i < p->list.count; i++)
		if (shard_pick(&p->shard, p->list.url[i], strlen(p->list.url[i])))
			p->pick[p->npick++] = i;
	return QV_OK;
}

/* ---- checksums ------------------------------------------------------- */

/* The index (from 1) of digest w in p->sums, appended. */
static enum qv_err plan_sum_add(struct get_plan *p, const struct digest_want *w, uint32_t *k,
				struct qv_error *err)
{
	if (p->nsums == p->sums_cap) {
		size_t cap = p->sums_cap != 0 ? p->sums_cap * 2 : 16;
		struct digest_want *n = cap < GET_SUM_CONFLICT ? realloc(p->sums, cap * sizeof *n)
							       : NULL;

		if (n == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		p->sums = n;
		p->sums_cap = cap;
	}
	p->sums[p->nsums++] = *w;
	*k = (uint32_t)p->nsums;
	return QV_OK;
}

struct plan_sumfile {
	struct get_plan *p;
	const struct nameset *set;
};

/* A checksum file line: the URL saving to that name (a leading "./" is
 * no part of a name) gets its digest; a second, different one for the
 * same name makes it ambiguous. */
static enum qv_err plan_sum_entry(void *ctx, const struct sumfile_entry *e, struct qv_error *err)
{
	struct plan_sumfile *c = ctx;
	struct get_plan *p = c->p;
	const char *name = e->name;
	size_t len = e->name_len, i;
	uint32_t k;

	if (len > 2 && name[0] == '.' && name[1] == '/')
		name += 2, len -= 2;
	i = nameset_find(c->set, name, len);
	if (i == NAMESET_NONE || p->sum_of[i] == GET_SUM_CONFLICT)
		return QV_OK;
	k = p->sum_of[i];
	if (k != 0) {
		if (p->sums[k - 1].algo != e->want.algo ||
		    memcmp(p->sums[k - 1].sum, e->want.sum, digest_len(e->want.algo)) != 0)
			p->sum_of[i] = GET_SUM_CONFLICT;
		return QV_OK;
	}
	return plan_sum_add(p, &e->want, &p->sum_of[i], err);
}

/* Feed f to a checksum file reader. */
static enum qv_err plan_sum_feed(FILE *f, const char *fname, struct plan_sumfile *c,
				 struct qv_error *err)
{
	struct sumfile_parser *sp = malloc(sizeof *sp);
	enum qv_err rc = QV_OK;
	char buf[4096];
	size_t n;

	if (sp == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	sumfile_init(sp, plan_sum_entry, c);
	while (rc == QV_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
		rc = sumfile_feed(sp, buf, n, err);
	if (rc == QV_OK && ferror(f))
		rc = qv_error_sys(err, QV_E_FILE, errno, "cannot read %s", fname);
	if (rc == QV_OK)
		rc = sumfile_finish(sp, err);
	free(sp);
	return rc;
}

static enum qv_err plan_sum_read(const struct get_args *a, struct plan_sumfile *c,
				 struct qv_error *err)
{
	const char *fname = a->checksum_file;
	FILE *f;
	enum qv_err rc;

	if (strcmp(fname, "-") == 0)
		return plan_sum_feed(stdin, "stdin", c, err);
	f = fopen(fname, "r");
	if (f == NULL)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot open %s", fname);
	rc = plan_sum_feed(f, fname, c, err);
	(void)fclose(f);
	return rc;
}

/* Every URL's digest: --checksum-file by name first, then the list's
 * checksum= lines and --checksum over it (the closer to the URL, the
 * stronger).  A name the file lacks is marked, and fails at run time
 * unless --checksum-optional. */
static enum qv_err plan_sums(struct get_plan *p, const struct get_args *a, struct qv_error *err)
{
	struct plan_sumfile c = {p, NULL};
	struct nameset *set = NULL;
	struct digest_want w;
	enum qv_err rc = QV_OK;
	size_t i;

	if (a->checksum_file == NULL && p->list.checksum == NULL && a->checksum.algo == DIGEST_NONE)
		return QV_OK;
	if (a->checksum.algo != DIGEST_NONE && p->list.count != 1)
		return qv_error_set(err, QV_E_USAGE, "--checksum needs exactly one URL (got %zu)",
				    p->list.count);
	p->sum_of = calloc(p->list.count > 0 ? p->list.count : 1, sizeof *p->sum_of);
	if (p->sum_of == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	if (a->checksum_file != NULL) {
		rc = nameset_new(&set, (const char *const *)p->name, p->list.count, err);
		for (i = 0; rc == QV_OK && i < p->list.count; i++)
			if (!nameset_add(set, i))
				rc = qv_error_set(err, QV_E_INTERNAL, "the name set is full");
		c.set = set;
		if (rc == QV_OK)
			rc = plan_sum_read(a, &c, err);
		nameset_free(set);
		for (i = 0; rc == QV_OK && i < p->list.count; i++)
			if (p->sum_of[i] == 0 && !a->checksum_optional)
				p->sum_of[i] = GET_SUM_MISSING;
	}
	for (i = 0; rc == QV_OK && i < p->list.count; i++) {
		const char *text = p->list.checksum != NULL ? p->list.checksum[i] : NULL;

		if (text != NULL) /* checked by the list parser */
			rc = digest_spec_parse(text, strlen(text), &w, err);
		else if (a->checksum.algo != DIGEST_NONE)
			w = a->checksum;
		else
			continue;
		if (rc == QV_OK)
			rc = plan_sum_add(p, &w, &p->sum_of[i], err);
	}
	return rc;
}

/* -H and -A are checked by the request writer itself, once, up front. */
enum qv_err get_plan_headers(const struct get_args *a, struct qv_error *err)
{
	static const struct url_origin example = {URL_HTTP, "example.com", false, false, 80};
	struct http_req r;
	char *buf = malloc(URL_MAX + 8192);
	size_t len, i;
	enum qv_err rc;

	if (buf == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.origin = &example;
	r.target = "/";
	r.user_agent = a->user_agent;
	r.keep_alive = true;
	for (i = 0; i < a->nheaders; i++)
		r.extra[i] = a->headers[i];
	r.extra_count = a->nheaders;
	rc = http_req_write(&r, buf, URL_MAX + 8192, &len, err);
	free(buf);
	return rc;
}

bool get_plan_path(const struct get_args *a, const char *name, char *out, size_t cap)
{
	int n = a->dir != NULL ? snprintf(out, cap, "%s/%s", a->dir, name)
			       : snprintf(out, cap, "%s", name);

	return n > 0 && (size_t)n < cap;
}

/* Create -o DIR and make sure files can be made in it, before any transfer. */
enum qv_err get_plan_dest(const struct get_args *a, struct qv_error *err)
{
	const char *dir = a->dir != NULL ? a->dir : ".";
	struct stat st;
	enum qv_err rc;

	if (a->dir != NULL) {
		rc = cli_dir_make(a->dir, err);
		if (rc != QV_OK)
			return rc;
	}
	if (stat(dir, &st) != 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot use %s", dir);
	if (!S_ISDIR(st.st_mode))
		return qv_error_set(err, QV_E_FILE, "%s is not a directory", dir);
	return cli_dir_writable(dir, err);
}

static void plan_skips(struct get_plan *p, const struct get_args *a)
{
	char path[SINK_FILE_PATH_MAX];
	struct stat st;
	size_t j;

	for (j = 0; j < p->npick; j++) {
		const char *name = p->name[p->pick[j]];

		p->skip[j] = a->skip_existing && get_plan_path(a, name, path, sizeof path) &&
			     stat(path, &st) == 0 && S_ISREG(st.st_mode);
		if (p->skip[j])
			p->nskip++;
	}
}

static enum qv_err plan_alloc(struct get_plan *p, struct qv_error *err)
{
	size_t n = p->list.count > 0 ? p->list.count : 1;

	p->name = calloc(n, sizeof *p->name);
	p->pick = calloc(n, sizeof *p->pick);
	p->skip = calloc(n, sizeof *p->skip);
	if (p->name == NULL || p->pick == NULL || p->skip == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	return QV_OK;
}

enum qv_err get_plan_build(struct get_plan *p, const struct get_args *a, FILE *errf,
			   struct qv_error *err)
{
	enum qv_err rc;

	memset(p, 0, sizeof *p);
	url_list_init(&p->list);
	rc = plan_collect(p, a, err);
	if (rc == QV_OK && p->list.count == 0)
		rc = qv_error_set(err, QV_E_USAGE, "no URLs in %s", a->input);
	if (rc == QV_OK && a->out_name != NULL)
		rc = plan_out_name(p, a, err);
	if (rc == QV_OK)
		rc = get_plan_headers(a, err);
	if (rc == QV_OK)
		rc = plan_alloc(p, err);
	if (rc == QV_OK)
		rc = plan_names(p, a, errf, err);
	/* standard output has no names to clash */
	if (rc == QV_OK && !a->to_stdout)
		rc = plan_clashes(p, a, errf, err);
	if (rc == QV_OK)
		rc = plan_sums(p, a, err);
	if (rc == QV_OK)
		rc = plan_shard(p, a, err);
	if (rc == QV_OK && !a->dry_run && !a->to_stdout)
		rc = get_plan_dest(a, err);
	if (rc == QV_OK)
		plan_skips(p, a);
	return rc;
}

void get_plan_clear(struct get_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; p->name != NULL && i < p->list.count; i++)
		free(p->name[i]);
	free(p->name);
	free(p->pick);
	free(p->skip);
	free(p->sum_of);
	free(p->sums);
	url_list_clear(&p->list);
	memset(p, 0, sizeof *p);
}
