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

void url_reader_init(struct url_reader *r, FILE *f, const char *name)
{
	r->f = f;
	r->name = name;
	r->line = 0;
}

/* One line (n bytes, without its newline) into *url, NUL-terminated in
 * place; *url NULL when blank or a comment.  The list's syntax is
 * listparse's; its option lines name files and digests per URL, which a
 * streamed list (names from line numbers) does not take. */
static enum qv_err url_reader_line(struct url_reader *r, char *s, size_t n, const char **url,
				   size_t *len, struct qv_error *err)
{
	struct list_item it;
	struct qv_error e;

	if (list_line_parse(s, n, &it, &e) != QV_OK)
		return qv_error_set(err, e.code, "%s:%llu: %s", r->name,
				    (unsigned long long)r->line, e.msg);
	if (it.kind == LIST_SKIP)
		return QV_OK;
	if (it.kind != LIST_URL)
		return qv_error_set(err, QV_E_USAGE,
				    "%s:%llu: out= and checksum= lines are not read with --name-by index",
				    r->name, (unsigned long long)r->line);
	s[(size_t)(it.text - s) + it.len] = '\0';
	*url = it.text;
	*len = it.len;
	return QV_OK;
}

enum qv_err url_reader_next(struct url_reader *r, const char **url, size_t *len,
			    struct qv_error *err)
{
	size_t n = 0;
	int c;

	*url = NULL;
	for (;;) {
		c = getc_unlocked(r->f);
		if (c == EOF || c == '\n') {
			if (c == '\n' || n > 0) {
				enum qv_err rc;

				r->line++;
				rc = url_reader_line(r, r->buf, n, url, len, err);
				if (rc != QV_OK || *url != NULL)
					return rc;
			}
			n = 0;
			if (c == EOF)
				break;
			continue;
		}
		if (n == sizeof r->buf - 1)
			return qv_error_set(err, QV_E_USAGE, "%s:%llu: line longer than %u bytes",
					    r->name, (unsigned long long)r->line + 1,
					    (unsigned)URL_MAX);
		r->buf[n++] = (char)c;
	}
	if (ferror(r->f))
		return qv_error_sys(err, QV_E_FILE, errno, "cannot read %s", r->name);
	return QV_OK;
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
