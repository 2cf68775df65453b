/* creds.h - the origin credentials of a `get` run (DESIGN §9): -u/--user
 * USER[:PASSWORD], a URL's user:pass@ (percent-decoded) and .netrc
 * (--netrc, --netrc-file), in that order, each turned into the value of an
 * Authorization header for the first origin of its URL; and the text shown
 * for a URL that held credentials: "http://user:***@host/..." everywhere
 * quiver prints a URL (messages, --json, -v, --dry-run, progress).
 *
 * The .netrc file is read once into a table of hosts, so a list of many
 * hosts costs one pass over it.  Passwords are wiped from memory once their
 * Basic value is made. */
#ifndef QV_CLI_GET_CREDS_H
#define QV_CLI_GET_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/netrc.h"
#include "http/auth.h"
#include "util/err.h"

/* Longest .netrc read: far beyond any real one; a bigger file is refused
 * rather than read without bound. */
#define CREDS_NETRC_MAX (1024u * 1024u)

struct creds_entry;
struct creds_text;

struct creds {
	bool have_user;               /* -u given */
	bool user_has_password;       /* ... with ":PASSWORD" */
	char user[NETRC_TOKEN_MAX + 1];
	char user_auth[HTTP_AUTH_MAX];
	/* .netrc: open addressing on the lower-case machine name */
	struct creds_entry *table;
	size_t slots, used;
	struct creds_entry *fallback; /* the `default` entry, or NULL */
	struct creds_text *texts;     /* Authorization values and shown URLs */
};

/* Set up from -u (NULL: none) and a .netrc path (NULL: none).  A netrc
 * readable by others gets a warning on warn, as curl does; a missing
 * --netrc-file is an error, a missing ~/.netrc is not.  Errors QV_E_USAGE
 * (bad -u, unreadable netrc, named by path and line), QV_E_NOMEM. */
enum qv_err creds_init(struct creds *c, const char *user_opt, const char *netrc_path,
		       bool netrc_required, FILE *warn, struct qv_error *err);
void creds_clear(struct creds *c);

/* For URL text s (n bytes, parsed fine): *auth the Authorization value to
 * send its first origin (NULL: none); *shown the text to print and to fetch
 * in place of s when s holds credentials (NULL: show s itself).  Both are
 * owned by c.  host is the URL's host, lower-case. */
enum qv_err creds_for_url(struct creds *c, const char *s, size_t n, const char *host,
			  const char **auth, const char **shown, struct qv_error *err);

/* The default .netrc: $NETRC, else $HOME/.netrc (into out; false when
 * neither can be formed). */
bool creds_netrc_default(char *out, size_t cap);

#endif
