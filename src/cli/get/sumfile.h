/* sumfile.h - checksum files (SHA256SUMS, SHA512SUMS, Fedora's CHECKSUM):
 * an incremental, bounded reader, fed any split of the file, handing each
 * digest line to a callback.
 *
 *   GNU:  HEX  NAME      (text mode)     HEX *NAME   (binary mode)
 *         \HEX  NA\\ME\nX                (a name holding '\' or a newline:
 *                                         the line starts with '\', and
 *                                         \\ \n \r stand for the bytes)
 *   BSD:  SHA256 (NAME) = HEX            (GNU --tag, BSD sha256, also
 *         SHA512(NAME)= HEX               OpenSSL's spacing; a leading '\'
 *                                         escapes NAME as above)
 *
 * The algorithm is SHA-256 or SHA-512: named by a BSD line, by the hex
 * length (64, 128) of a GNU one.  Every other line (comments, blank lines,
 * PGP armour, other algorithms, lines over SUMFILE_LINE_MAX) is skipped:
 * a file it skips can never be saved unchecked, since a URL whose name has
 * no line is an error unless --checksum-optional. */
#ifndef QV_CLI_GET_SUMFILE_H
#define QV_CLI_GET_SUMFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/digest.h"
#include "util/err.h"

/* Longest line read: a SHA-512 hex digest (128), "SHA512 (" ") = " and a
 * path of a few hundred bytes; a longer line names no file quiver writes
 * (names are at most 250 bytes) and is skipped. */
#define SUMFILE_LINE_MAX 1024

struct sumfile_entry {
	struct digest_want want;
	const char *name;           /* unescaped, NUL-terminated; valid during the call */
	size_t name_len;
	unsigned line;              /* from 1 */
};

/* An error it returns stops the reader. */
typedef enum qv_err (*sumfile_entry_fn)(void *ctx, const struct sumfile_entry *e,
					struct qv_error *err);

struct sumfile_parser {
	/* private state (use the functions) */
	sumfile_entry_fn fn;
	void *ctx;
	unsigned line;
	size_t len;
	bool overlong;              /* the current line passed the limit: skip it */
	enum qv_err err;            /* sticky */
	char buf[SUMFILE_LINE_MAX];
	char name[SUMFILE_LINE_MAX];
};

/* One line s[0..n) (no newline, a CR before it allowed): true and *e set
 * (e->name in name, SUMFILE_LINE_MAX bytes) when it is a digest line. */
bool sumfile_line(const char *s, size_t n, struct sumfile_entry *e, char *name);

void sumfile_init(struct sumfile_parser *p, sumfile_entry_fn fn, void *ctx);
/* Feed the next n bytes; an error is the callback's, and sticks. */
enum qv_err sumfile_feed(struct sumfile_parser *p, const char *buf, size_t n,
			 struct qv_error *err);
/* End of the file: the last line, when it has no newline. */
enum qv_err sumfile_finish(struct sumfile_parser *p, struct qv_error *err);

#endif
