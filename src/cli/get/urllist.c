/* urllist.c - reading URL lists (see urllist.h). */
#include "cli/get/urllist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	for (i = 0; i < l->count; i++)
		free(l->url[i]);
	free(l->url);
	free(l->line);
	memset(l, 0, sizeof *l);
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
	return QV_OK;
}

static int url_list_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

void url_reader_init(struct url_reader *r, FILE *f, const char *name)
{
	r->f = f;
	r->name = name;
	r->line = 0;
}

/* One line (n bytes, without its newline): trimmed into *url, *url NULL
 * when blank or a comment. */
static enum qv_err url_reader_line(struct url_reader *r, char *s, size_t n, const char **url,
				   size_t *len, struct qv_error *err)
{
	while (n > 0 && url_list_space(s[0]))
		s++, n--;
	while (n > 0 && url_list_space(s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#')
		return QV_OK;
	if (memchr(s, '\0', n) != NULL)
		return qv_error_set(err, QV_E_USAGE, "%s:%llu: NUL byte in the line", r->name,
				    (unsigned long long)r->line);
	s[n] = '\0';
	*url = s;
	*len = n;
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
	struct url_reader r;
	const char *url;
	size_t len;
	enum qv_err rc;

	url_reader_init(&r, f, name);
	while ((rc = url_reader_next(&r, &url, &len, err)) == QV_OK && url != NULL) {
		rc = url_list_add(l, url, len, (unsigned)r.line, err);
		if (rc != QV_OK)
			break;
	}
	return rc;
}
