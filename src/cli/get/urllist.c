/* urllist.c - reading URL lists (see urllist.h). */
#include "cli/get/urllist.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/get/listparse.h"
#include "http/url.h"

void url_list_init(struct url_list *l)
{
	memset(l, 0, sizeof *l);
}

void url_list_clear(struct url_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->count; i++) {
		free(l->url[i]);
		if (l->out != NULL)
			free(l->out[i]);
		if (l->checksum != NULL)
			free(l->checksum[i]);
	}
	free(l->url);
	free(l->line);
	free(l->out);
	free(l->checksum);
	memset(l, 0, sizeof *l);
}

/* An option array a (when there is one) from old to cap entries, the new
 * ones NULL; NULL when out of memory (a is then left as it was). */
static char **url_list_grow_opt(char **a, size_t old, size_t cap)
{
	char **p = realloc(a, cap * sizeof *p);

	if (p != NULL)
		memset(p + old, 0, (cap - old) * sizeof *p);
	return p;
}

static enum qv_err url_list_grow(struct url_list *l, struct qv_error *err)
{
	size_t cap = l->cap != 0 ? l->cap * 2 : 64;
	char **u;
	unsigned *ln;

	if (cap > SIZE_MAX / sizeof *u)
		return qv_error_set(err, QV_E_NOMEM, "too many URLs");
	u = realloc(l->url, cap * sizeof *u);
	if (u == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	l->url = u;
	ln = realloc(l->line, cap * sizeof *ln);
	if (ln == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	l->line = ln;
	if (l->out != NULL) {
		char **o = url_list_grow_opt(l->out, l->cap, cap);

		if (o == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		l->out = o;
	}
	if (l->checksum != NULL) {
		char **c = url_list_grow_opt(l->checksum, l->cap, cap);

		if (c == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		l->checksum = c;
	}
	l->cap = cap;
	return QV_OK;
}

enum qv_err url_list_add(struct url_list *l, const char *s, size_t n, unsigned line,
			 struct qv_error *err)
{
	char *copy;

	if (l->count == l->cap && url_list_grow(l, err) != QV_OK)
		return QV_E_NOMEM;
	copy = malloc(n + 1);
	if (copy == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	memcpy(copy, s, n);
	copy[n] = '\0';
	l->url[l->count] = copy;
	l->line[l->count] = line;
	l->count++;
	/* gcc-analyzer-suppress malloc-leak: l->url owns it (gcc 12 loses it via ctx) */
	return QV_OK;
}

/* The option of the last URL added: its array made on first use. */
static enum qv_err url_list_option(struct url_list *l, const struct list_item *it,
				   struct qv_error *err)
{
	bool out = it->kind == LIST_OUT;
	char **arr = out ? l->out : l->checksum;
	char *copy;

	if (arr == NULL) {
		arr = calloc(l->cap, sizeof *arr);
		if (arr == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		if (out)
			l->out = arr;
		else
			l->checksum = arr;
	}
	copy = malloc(it->len + 1);
	if (copy == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	memcpy(copy, it->text, it->len);
	copy[it->len] = '\0';
	arr[l->count - 1] = copy; /* the parser allows one per URL */
	/* gcc-analyzer-suppress malloc-leak: the list's option array owns it (as above) */
	return QV_OK;
}

static enum qv_err url_list_item(void *ctx, const struct list_item *it, struct qv_error *err)
{
	struct url_list *l = ctx;

	/* gcc-analyzer-suppress malloc-leak: the list owns what these store (see url_list_add) */
	if (it->kind == LIST_URL)
		return url_list_add(l, it->text, it->len, it->line, err);
	return url_list_option(l, it, err);
}

enum qv_err url_list_read(struct url_list *l, FILE *f, const char *name, struct qv_error *err)
{
	struct list_parser *p = malloc(sizeof *p); /* a URL_MAX line: not on a stack */
	char buf[4096];
	enum qv_err rc = QV_OK;
	size_t n;

	if (p == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	list_parser_init(p, name, url_list_item, l);
	while (rc == QV_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
		rc = list_parser_feed(p, buf, n, err);
	if (rc == QV_OK && ferror(f))
		rc = qv_error_sys(err, QV_E_FILE, errno, "cannot read %s", name);
	if (rc == QV_OK)
		rc = list_parser_finish(p, err);
	free(p);
	return rc;
}
