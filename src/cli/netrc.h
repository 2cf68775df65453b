/* netrc.h - credentials from a .netrc file (the ftp(1) format curl and wget
 * read): an incremental, bounded tokenizer, fed any split of the file.
 *
 *   machine NAME  login USER  password PASS  [account A]  [macdef M ...]
 *   default       login USER  password PASS
 * Tokens are separated by blanks or newlines; a token may be "quoted" with
 * \" \\ \n \r \t escapes (as curl); '#' at a token's start comments out the
 * rest of the line; macdef skips its macro up to the next empty line.  The
 * first `machine` equal to the host (ASCII case-insensitively) wins, else
 * `default`. */
#ifndef QV_CLI_NETRC_H
#define QV_CLI_NETRC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* Longest token: user names and passwords are far shorter; a longer one is
 * an error rather than a silent cut. */
#define NETRC_TOKEN_MAX 256

struct netrc_creds {
	char login[NETRC_TOKEN_MAX + 1];
	char password[NETRC_TOKEN_MAX + 1];
	bool has_login, has_password;
};

struct netrc_parser {
	/* private state (use the functions) */
	const char *host;
	int lex;                       /* tokenizer state */
	int expect;                    /* what the next token is */
	int block;                     /* which entry the current tokens fill */
	bool matched;                  /* a machine equal to host was seen */
	unsigned line;                 /* for messages, from 1 */
	size_t tok_len;
	char tok[NETRC_TOKEN_MAX + 1];
	struct netrc_creds machine, fallback;
	enum qv_err err;
};

/* Look up host: lower-case, as URL hosts are (not copied: it must outlive
 * p). */
void netrc_init(struct netrc_parser *p, const char *host);
/* Feed the next n bytes.  QV_E_USAGE "netrc line N: ..." on a token over
 * NETRC_TOKEN_MAX or a NUL byte; the parser then stays in error. */
enum qv_err netrc_feed(struct netrc_parser *p, const char *buf, size_t n, struct qv_error *err);
/* End of file: the credentials for host (*found false when none). */
enum qv_err netrc_finish(struct netrc_parser *p, struct netrc_creds *out, bool *found,
			 struct qv_error *err);
/* Wipe the secrets p holds. */
void netrc_clear(struct netrc_parser *p);

#endif
