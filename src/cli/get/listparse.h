/* listparse.h - the syntax of a `get -i` list: aria2c's input-file format,
 * of which quiver reads two options.  Incremental and bounded (any split
 * of the input gives the same items; a line is at most LIST_LINE_MAX
 * bytes), so it is fuzzed and fed byte by byte on its own, and the
 * per-line step is a function of its own for other readers of the format.
 *
 *   # a comment                 blank lines and '#' lines are skipped
 *   https://h/a/image.iso       a URL line (surrounding white space trimmed)
 *     out=alpha.iso             an option line: it starts with white space and
 *     checksum=sha-256=HEX      holds '=' but no "://"; it belongs to the URL
 *                               above it
 *
 * Keys: out=NAME, the output name, a plain file name (fname_check: no '/',
 * no leading '.', no control byte); checksum=ALGO=HEX (digest_spec_parse).
 * An unknown key, an option line before any URL and a key given twice for
 * one URL are errors naming the line.  Lists without option lines read as
 * they always did (an indented URL is still a URL: it holds "://"). */
#ifndef QV_CLI_GET_LISTPARSE_H
#define QV_CLI_GET_LISTPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/url.h"
#include "util/err.h"

/* A URL, its white space and the newline; a longer line is refused. */
#define LIST_LINE_MAX (URL_MAX + 64)

enum list_kind { LIST_SKIP = 0, LIST_URL, LIST_OUT, LIST_CHECKSUM };

/* What one line holds.  text/len: the URL, or the option's value (checked);
 * a view into the line, not NUL-terminated. */
struct list_item {
	enum list_kind kind;
	unsigned line;              /* from 1 */
	const char *text;
	size_t len;
};

/* One line s[0..n) (without its newline): LIST_SKIP for a blank or comment
 * line.  QV_E_USAGE for a NUL byte, an unknown key or a bad value; the
 * message says what, without the place (the caller adds "FILE:LINE: "). */
enum qv_err list_line_parse(const char *s, size_t n, struct list_item *it, struct qv_error *err);

/* Receives each URL and option; an error it returns stops the parser. */
typedef enum qv_err (*list_item_fn)(void *ctx, const struct list_item *it, struct qv_error *err);

struct list_parser {
	/* private state (use the functions) */
	list_item_fn fn;
	void *ctx;
	const char *name;           /* for messages: "FILE:LINE: ..." */
	unsigned line;              /* lines completed */
	unsigned seen;              /* option keys given for the current URL */
	bool have_url;
	enum qv_err err;            /* sticky */
	size_t len;
	char buf[LIST_LINE_MAX];
};

/* name is kept (not copied) for messages. */
void list_parser_init(struct list_parser *p, const char *name, list_item_fn fn, void *ctx);
/* Feed the next n bytes; on an error the parser stays in it. */
enum qv_err list_parser_feed(struct list_parser *p, const char *buf, size_t n,
			     struct qv_error *err);
/* End of input: the last line, when it has no newline. */
enum qv_err list_parser_finish(struct list_parser *p, struct qv_error *err);

#endif
