/* listparse.c - the `get -i` list syntax (see listparse.h). */
#include "cli/get/listparse.h"

#include <string.h>

#include "cli/fname.h"
#include "util/digest.h"

static bool list_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool list_has(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++) {
		if (memcmp(s + i, w, k) == 0)
			return true;
	}
	return false;
}

/* "key=value" (trimmed): which key, and its value checked. */
static enum qv_err list_option(const char *s, size_t n, struct list_item *it,
			       struct qv_error *err)
{
	const char *eq = memchr(s, '=', n);
	size_t kn = (size_t)(eq - s);
	struct digest_want w;
	struct qv_error e;

	it->text = eq + 1;
	it->len = n - kn - 1;
	if (kn == 3 && memcmp(s, "out", 3) == 0) {
		it->kind = LIST_OUT;
		if (fname_check(it->text, it->len, &e) != QV_OK)
			return qv_error_set(err, QV_E_USAGE, "out=%.*s: %s", (int)(it->len < 80 ? it->len : 80),
					    it->text, e.msg);
		return QV_OK;
	}
	if (kn == 8 && memcmp(s, "checksum", 8) == 0) {
		it->kind = LIST_CHECKSUM;
		if (digest_spec_parse(it->text, it->len, &w, &e) != QV_OK)
			return qv_error_set(err, QV_E_USAGE, "checksum=: %s", e.msg);
		return QV_OK;
	}
	return qv_error_set(err, QV_E_USAGE, "unknown option '%.*s' (out= and checksum= are read)",
			    (int)(kn < 40 ? kn : 40), s);
}

enum qv_err list_line_parse(const char *s, size_t n, struct list_item *it, struct qv_error *err)
{
	bool indented = n > 0 && list_space(s[0]);

	it->kind = LIST_SKIP;
	it->text = s;
	it->len = 0;
	while (n > 0 && list_space(s[0]))
		s++, n--;
	while (n > 0 && list_space(s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#')
		return QV_OK;
	if (memchr(s, '\0', n) != NULL)
		return qv_error_set(err, QV_E_USAGE, "NUL byte in the line");
	if (indented && memchr(s, '=', n) != NULL && !list_has(s, n, "://"))
		return list_option(s, n, it, err);
	it->kind = LIST_URL;
	it->text = s;
	it->len = n;
	return QV_OK;
}

void list_parser_init(struct list_parser *p, const char *name, list_item_fn fn, void *ctx)
{
	p->fn = fn;
	p->ctx = ctx;
	p->name = name;
	p->line = 0;
	p->seen = 0;
	p->have_url = false;
	p->err = QV_OK;
	p->len = 0;
}

static enum qv_err list_fail(struct list_parser *p, struct qv_error *err, const char *why)
{
	p->err = qv_error_set(err, QV_E_USAGE, "%s:%u: %s", p->name, p->line, why);
	return p->err;
}

/* The line buf[0..len) is complete. */
static enum qv_err list_end_line(struct list_parser *p, struct qv_error *err)
{
	struct list_item it;
	struct qv_error e;
	size_t n = p->len;
	unsigned bit;

	p->line++;
	p->len = 0;
	if (list_line_parse(p->buf, n, &it, &e) != QV_OK)
		return list_fail(p, err, e.msg);
	it.line = p->line;
	if (it.kind == LIST_SKIP)
		return QV_OK;
	if (it.kind == LIST_URL) {
		p->have_url = true;
		p->seen = 0;
	} else {
		bit = 1u << it.kind;
		if (!p->have_url)
			return list_fail(p, err, "an option line before any URL");
		if (p->seen & bit)
			return list_fail(p, err, it.kind == LIST_OUT ? "out= given twice for one URL"
								     : "checksum= given twice for one URL");
		p->seen |= bit;
	}
	qv_error_clear(&e);
	if (p->fn(p->ctx, &it, &e) != QV_OK) {
		p->err = e.code != QV_OK ? e.code : QV_E_INTERNAL;
		if (err != NULL)
			*err = e;
		return p->err;
	}
	return QV_OK;
}

enum qv_err list_parser_feed(struct list_parser *p, const char *buf, size_t n,
			     struct qv_error *err)
{
	size_t i;

	if (p->err != QV_OK)
		return qv_error_set(err, p->err, "%s: %s", p->name, qv_err_text(p->err));
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (list_end_line(p, err) != QV_OK)
				return p->err;
			continue;
		}
		if (p->len == sizeof p->buf) {
			p->line++;
			p->err = qv_error_set(err, QV_E_USAGE, "%s:%u: line longer than %u bytes",
					      p->name, p->line, (unsigned)URL_MAX);
			return p->err;
		}
		p->buf[p->len++] = buf[i];
	}
	return QV_OK;
}

enum qv_err list_parser_finish(struct list_parser *p, struct qv_error *err)
{
	if (p->err != QV_OK)
		return qv_error_set(err, p->err, "%s: %s", p->name, qv_err_text(p->err));
	if (p->len > 0)
		return list_end_line(p, err);
	return QV_OK;
}
