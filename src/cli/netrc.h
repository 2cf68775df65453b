/* netrc.h - credentials from a .netrc file (the ftp(1) format curl and wget
 * read): an incremental, bounded tokenizer, fed any split of the file.
 *
 *   machine NAME  login USER  password PASS  [account A]  [macdef M ...]
 *   default       login USER  password PASS
 * Tokens are separated by blanks or newlines; a token may be "quoted" with
 * \" \\ \n \r \t escapes (as curl); '#' at a token's start comments out the
 * rest of the line; macdef skips its macro up to the next empty line.
 * The parser hands each complete entry to a callback, so one pass over the
 * file serves any number of hosts; netrc_lookup() applies the rule for one:
 * the first `machine` equal to the host (ASCII case-insensitively) wins,
 * else `default`. */
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

/* One complete entry: machine is its name, or NULL for `default`.  Both
 * pointers are valid only during the call. */
typedef void (*netrc_entry_fn)(void *ctx, const char *machine, const struct netrc_creds *c);

struct netrc_parser {
	/* private state (use the functions) */
	netrc_entry_fn entry;
	void *ctx;
	int lex;                       /* tokenizer state */
	int expect;                    /* what the next token is */
	bool in_entry;                 /* machine or default seen: cur is filling */
	bool is_default;
	unsigned line;                 /* for messages, from 1 */
	size_t tok_len;
	char tok[NETRC_TOKEN_MAX + 1];
	char machine[NETRC_TOKEN_MAX + 1];
	struct netrc_creds cur;
	enum qv_err err;
};

void netrc_init(struct netrc_parser *p, netrc_entry_fn entry, void *ctx);
/* Feed the next n bytes.  QV_E_USAGE "netrc line N: ..." on a token over
 * NETRC_TOKEN_MAX or a NUL byte; the parser then stays in error. */
enum qv_err netrc_feed(struct netrc_parser *p, const char *buf, size_t n, struct qv_error *err);
/* End of the file: hands over the last entry. */
enum qv_err netrc_finish(struct netrc_parser *p, struct qv_error *err);
/* Wipe the secrets p holds. */
void netrc_clear(struct netrc_parser *p);

/* The whole rule for one host (lower-case, as URL hosts are) over text:
 * *found false when no entry applies. */
enum qv_err netrc_lookup(const char *text, size_t len, const char *host, struct netrc_creds *out,
			 bool *found, struct qv_error *err);

#endif
