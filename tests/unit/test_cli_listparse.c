/* test_cli_listparse.c - the `get -i` list syntax (cli/get/listparse.h):
 * URL lines as they always were, option lines under them, every error
 * naming its line; each list fed whole, split at every byte and one byte
 * at a time (feed.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/get/listparse.h"
#include "feed.h"
#include "tq.h"

void suite_cli_listparse(struct tq *t);

/* A run: the items as "LINE" "U:url;" / "O:name;" / "C:spec;", and how it
 * ended. */
struct lp_run {
	enum qv_err rc;
	char items[2048];
	char msg[QV_ERROR_MSG_MAX];
};

struct lp_ctx {
	struct list_parser p;
	struct lp_run *run;
	struct qv_error e;
	enum qv_err rc;
};

static enum qv_err lp_item(void *ctx, const struct list_item *it, struct qv_error *err)
{
	struct lp_run *r = ((struct lp_ctx *)ctx)->run;
	size_t n = strlen(r->items);
	const char *k = it->kind == LIST_URL ? "U" : it->kind == LIST_OUT ? "O" : "C";

	(void)err;
	(void)snprintf(r->items + n, sizeof r->items - n, "%u%s:%.*s;", it->line, k, (int)it->len,
		       it->text);
	return QV_OK;
}

static void lp_begin(void *ctx, void *run)
{
	struct lp_ctx *c = ctx;

	memset(run, 0, sizeof(struct lp_run));
	list_parser_init(&c->p, "l", lp_item, c);
	c->run = run;
	c->rc = QV_OK;
	qv_error_clear(&c->e);
}

static void lp_feed(void *ctx, const uint8_t *buf, size_t n)
{
	struct lp_ctx *c = ctx;

	if (c->rc == QV_OK)
		c->rc = list_parser_feed(&c->p, (const char *)buf, n, &c->e);
}

static void lp_end(void *ctx)
{
	struct lp_ctx *c = ctx;

	if (c->rc == QV_OK)
		c->rc = list_parser_finish(&c->p, &c->e);
	c->run->rc = c->rc;
	if (c->rc != QV_OK)
		(void)snprintf(c->run->msg, sizeof c->run->msg, "%s", c->e.msg);
}

static bool lp_same(const void *a, const void *b)
{
	const struct lp_run *x = a, *y = b;

	return x->rc == y->rc && strcmp(x->msg, y->msg) == 0 && strcmp(x->items, y->items) == 0;
}

static const char *lp_msg(const void *run)
{
	return ((const struct lp_run *)run)->msg;
}

/* Parse text every way; the run (items, or the error) must be want. */
static void expect(struct tq *t, const char *text, const char *want)
{
	static struct lp_ctx ctx; /* a URL_MAX line buffer: not on the stack */
	struct feed_target f = {&ctx, lp_begin, lp_feed, lp_end, lp_same, lp_msg};
	size_t n = strlen(text);
	uint8_t *g = tq_guard_dup(text, n);
	struct lp_run whole, run;

	if (!TQ_TRUE(t, g != NULL))
		return;
	feed_whole(&f, g, n, &whole);
	(void)feed_every_cut(t, &f, g, n, &whole, &run);
	tq_guard_free(g, n);
	if (!TQ_STR(t, whole.rc == QV_OK ? whole.items : whole.msg, want))
		printf("  input: %s\n", text);
}

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void t_plain_lists(struct tq *t)
{
	expect(t, "", "");
	expect(t, "http://h/a\n", "1U:http://h/a;");
	expect(t, "# urls\n\n   \nhttp://h/a\n  # indented comment\n\thttp://h/b  \r\n\n",
	       "4U:http://h/a;6U:http://h/b;");
	expect(t, "http://h/a", "1U:http://h/a;"); /* no final newline */
	/* an indented URL with '=' in its query is still a URL */
	expect(t, "  http://h/q?a=b\n", "1U:http://h/q?a=b;");
	/* '=' without white space before it: a URL line (it will not parse) */
	expect(t, "out=x\n", "1U:out=x;");
}

static void t_options(struct tq *t)
{
	expect(t, "http://h/a\n  out=alpha.iso\n\tchecksum=sha-256=" H64 "\nhttp://h/b\n out=b\n",
	       "1U:http://h/a;2O:alpha.iso;3C:sha-256=" H64 ";4U:http://h/b;5O:b;");
	expect(t, "http://h/a\n   out=x y.txt  \r\n", "1U:http://h/a;2O:x y.txt;");
	expect(t, "http://h/a\n  checksum=SHA512=" H64 H64 "\n",
	       "1U:http://h/a;2C:SHA512=" H64 H64 ";");
	/* the same name twice is the plan's clash, not a syntax error */
	expect(t, "http://h/a\n out=x\nhttp://h/b\n out=x\n",
	       "1U:http://h/a;2O:x;3U:http://h/b;4O:x;");
}

static void t_errors(struct tq *t)
{
	struct list_item it;
	struct qv_error e;

	expect(t, "http://h/a\n  dir=/tmp\n",
	       "l:2: unknown option 'dir' (out= and checksum= are read)");
	expect(t, "  out=x\nhttp://h/a\n", "l:1: an option line before any URL");
	expect(t, "http://h/a\n out=x\n out=y\n", "l:3: out= given twice for one URL");
	expect(t, "http://h/a\n checksum=sha256=" H64 "\n checksum=sha256=" H64 "\n",
	       "l:3: checksum= given twice for one URL");
	expect(t, "http://h/a\n out=../x\n", "l:2: out=../x: file name starts with '.'");
	expect(t, "http://h/a\n out=a/b\n",
	       "l:2: out=a/b: file name has a '/', '\\', control or non-UTF-8 byte at 1");
	expect(t, "http://h/a\n out=\n", "l:2: out=: empty file name");
	expect(t, "http://h/a\n checksum=sha-256=abc\n",
	       "l:2: checksum=: sha-256 wants 64 hex digits, got 'abc'");
	expect(t, "http://h/a\n checksum=md5=abc\n",
	       "l:2: checksum=: unknown digest 'md5' (sha-256 and sha-512 are supported)");
	TQ_INT(t, list_line_parse("http://h/\0b", 11, &it, &e), QV_E_USAGE);
	TQ_STR(t, e.msg, "NUL byte in the line");
}

/* A line of exactly LIST_LINE_MAX bytes is read; one more is refused. */
static void t_long_line(struct tq *t)
{
	static char text[LIST_LINE_MAX + 2];
	struct lp_ctx *c = malloc(sizeof *c);
	struct lp_run r;

	if (!TQ_TRUE(t, c != NULL))
		return;
	memcpy(text, "http://h/", 9);
	memset(text + 9, 'a', LIST_LINE_MAX - 9);
	lp_begin(c, &r);
	lp_feed(c, (const uint8_t *)text, LIST_LINE_MAX);
	lp_end(c);
	TQ_INT(t, r.rc, QV_OK);
	TQ_TRUE(t, strncmp(r.items, "1U:http://h/aaa", 15) == 0);
	text[LIST_LINE_MAX] = 'a';
	lp_begin(c, &r);
	lp_feed(c, (const uint8_t *)text, LIST_LINE_MAX + 1);
	lp_end(c);
	TQ_STR(t, r.msg, "l:1: line longer than 8192 bytes");
	free(c);
}

void suite_cli_listparse(struct tq *t)
{
	tq_run(t, "lists without options read as before", t_plain_lists);
	tq_run(t, "out= and checksum= under a URL", t_options);
	tq_run(t, "errors name the line", t_errors);
	tq_run(t, "line length bound", t_long_line);
}
