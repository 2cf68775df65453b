/* urllist.h - the URLs of a `get` run, from arguments or `-i FILE|-`
 * (one URL per line; blank lines and lines starting with '#' skipped;
 * surrounding white space and a CR before the newline ignored; indented
 * out= and checksum= lines under a URL: listparse.h). */
#ifndef QV_CLI_GET_URLLIST_H
#define QV_CLI_GET_URLLIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http/url.h"
#include "util/err.h"

struct url_list {
	char **url;                 /* owned, NUL-terminated */
	unsigned *line;             /* input line of each (0: command line) */
	/* Per URL, its out= and checksum= values from a list, or NULL; each
	 * array stays NULL until a list gives the first such option. */
	char **out;
	char **checksum;
	size_t count, cap;
};

/* An empty list in caller storage (no allocation); url_list_clear frees
 * what adding to it allocated.  clear accepts NULL. */
void url_list_init(struct url_list *l);
void url_list_clear(struct url_list *l);

/* Append a copy of s[0..n).  QV_E_NOMEM. */
enum qv_err url_list_add(struct url_list *l, const char *s, size_t n, unsigned line,
			 struct qv_error *err);

/* Append every URL of f (name is for messages) with its options.  Errors:
 * QV_E_USAGE for a line longer than URL_MAX, holding a NUL byte or a bad
 * option line ("urls.txt:12: ..."), QV_E_FILE for a read error,
 * QV_E_NOMEM. */
enum qv_err url_list_read(struct url_list *l, FILE *f, const char *name, struct qv_error *err);

/* The same lines one at a time, for a list too long to hold (get
 * --name-by index streams it): one line's buffer, whatever the list. */
struct url_reader {
	FILE *f;
	const char *name;           /* for messages */
	uint64_t line;              /* of the URL returned last */
	char buf[URL_MAX + 64];     /* a URL, its white space and a NUL */
};

/* Read f from where it is (no allocation). */
void url_reader_init(struct url_reader *r, FILE *f, const char *name);
/* The next URL into *url (NUL-terminated in r->buf, valid until the next
 * call) and *len, with its line in r->line; *url NULL at the end.  Errors
 * as url_list_read's, but for QV_E_NOMEM. */
enum qv_err url_reader_next(struct url_reader *r, const char **url, size_t *len,
			    struct qv_error *err);

#endif
