/* creds.c - origin credentials and shown URLs (see creds.h). */
#include "cli/get/creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/url.h"
#include "util/ascii.h"
#include "util/hash.h"

struct creds_entry {
	char *host;                   /* lower-case machine name (owned) */
	struct netrc_creds c;         /* login, and the password until auth is made */
	char auth[HTTP_AUTH_MAX];
};

/* Strings handed out by creds_for_url, freed with c. */
struct creds_text {
	struct creds_text *next;
	char s[];
};

/* ---- the .netrc table ---- */

static size_t cr_slot(const struct creds *c, const char *host)
{
	return (size_t)(hash_fnv1a64(HASH_FNV64_OFFSET, host, strlen(host)) % c->slots);
}

static struct creds_entry *cr_find(const struct creds *c, const char *host)
{
	size_t i, k;

	if (c->slots == 0)
		return NULL;
	for (i = cr_slot(c, host), k = 0; k < c->slots; i = (i + 1) % c->slots, k++) {
		if (c->table[i].host == NULL)
			return NULL;
		if (strcmp(c->table[i].host, host) == 0)
			return &c->table[i];
	}
	return NULL;
}

/* Double the table when it is half full, so probes stay short. */
static bool cr_grow(struct creds *c)
{
	size_t slots = c->slots == 0 ? 16 : c->slots * 2, i;
	struct creds_entry *old = c->table, *t = calloc(slots, sizeof *t);
	size_t n = c->slots;

	if (t == NULL)
		return false;
	c->table = t;
	c->slots = slots;
	for (i = 0; i < n; i++) {
		if (old[i].host != NULL) {
			size_t j = cr_slot(c, old[i].host);

			while (t[j].host != NULL)
				j = (j + 1) % slots;
			t[j] = old[i];
		}
	}
	if (old != NULL)
		explicit_bzero(old, n * sizeof *old);
	free(old);
	return true;
}

struct cr_load {
	struct creds *c;
	enum qv_err rc;
	struct qv_error *err;
};

static enum qv_err cr_make_auth(struct creds_entry *e, struct qv_error *err)
{
	enum qv_err rc = http_basic_auth(e->c.login, strlen(e->c.login), e->c.password,
					 strlen(e->c.password), "netrc", e->auth, err);

	explicit_bzero(e->c.password, sizeof e->c.password);
	return rc;
}

/* A new entry for host (lower-case), not in the table yet; NULL when out
 * of memory. */
static struct creds_entry *cr_insert(struct creds *c, const char *host)
{
	char *dup;
	size_t i;

	if ((c->used + 1) * 2 > c->slots && !cr_grow(c))
		return NULL;
	dup = strdup(host);
	if (dup == NULL)
		return NULL;
	for (i = cr_slot(c, host); c->table[i].host != NULL; i = (i + 1) % c->slots)
		;
	/* gcc-analyzer-suppress malloc-leak: the table owns it; creds_clear frees it */
	c->table[i].host = dup;
	c->used++;
	return &c->table[i];
}

static void cr_entry(void *ctx, const char *machine, const struct netrc_creds *nc)
{
	struct cr_load *l = ctx;
	struct creds *c = l->c;
	char host[NETRC_TOKEN_MAX + 1];
	struct creds_entry *e;
	size_t i;

	/* an entry with neither login nor password names nobody */
	if (l->rc != QV_OK || (!nc->has_login && !nc->has_password))
		return;
	if (machine == NULL) {
		if (c->fallback != NULL)
			return; /* the first default counts */
		e = calloc(1, sizeof *e);
		c->fallback = e;
	} else {
		for (i = 0; i < NETRC_TOKEN_MAX && machine[i] != '\0'; i++)
			host[i] = (char)ascii_lower((unsigned char)machine[i]);
		host[i] = '\0';
		if (cr_find(c, host) != NULL)
			return; /* the first machine of a name wins */
		e = cr_insert(c, host);
	}
	if (e == NULL) {
		l->rc = qv_error_set(l->err, QV_E_NOMEM, "out of memory");
		return;
	}
	e->c = *nc;
	l->rc = cr_make_auth(e, l->err);
}

/* Read path into the table.  A file others may read gets a warning. */
static enum qv_err cr_netrc_load(struct creds *c, const char *path, bool required, FILE *warn,
				 struct qv_error *err)
{
	struct netrc_parser p;
	struct cr_load l = {c, QV_OK, err};
	struct stat st;
	char buf[4096];
	size_t total = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (!required && errno == ENOENT)
			return QV_OK;
		return qv_error_sys(err, QV_E_USAGE, errno, "cannot read netrc file %s", path);
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0 && warn != NULL)
		(void)fprintf(warn, "quiver get: warning: %s is readable by other users; "
				    "chmod 600 it to keep its passwords private\n", path);
	netrc_init(&p, cr_entry, &l);
	while (l.rc == QV_OK && (r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			l.rc = qv_error_sys(err, QV_E_USAGE, errno, "cannot read netrc file %s", path);
			break;
		}
		total += (size_t)r;
		if (total > CREDS_NETRC_MAX)
			l.rc = qv_error_set(err, QV_E_USAGE, "netrc file %s is larger than %u bytes",
					    path, CREDS_NETRC_MAX);
		else if (netrc_feed(&p, buf, (size_t)r, err) != QV_OK)
			l.rc = QV_E_USAGE;
	}
	if (l.rc == QV_OK && netrc_finish(&p, err) != QV_OK)
		l.rc = QV_E_USAGE;
	if (l.rc == QV_E_USAGE && err != NULL && strncmp(err->msg, "netrc line", 10) == 0) {
		char msg[QV_ERROR_MSG_MAX];

		(void)snprintf(msg, sizeof msg, "%s", err->msg + 6); /* "line N: ..." */
		(void)qv_error_set(err, QV_E_USAGE, "%s: %s", path, msg);
	}
	netrc_clear(&p);
	explicit_bzero(buf, sizeof buf);
	(void)close(fd);
	return l.rc;
}

bool creds_netrc_default(char *out, size_t cap)
{
	const char *env = getenv("NETRC"), *home = getenv("HOME");
	int n;

	if (env != NULL && env[0] != '\0')
		n = snprintf(out, cap, "%s", env);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(out, cap, "%s/.netrc", home);
	else
		return false;
	return n > 0 && (size_t)n < cap;
}

/* ---- setup ---- */

enum qv_err creds_init(struct creds *c, const char *user_opt, const char *netrc_path,
		       bool netrc_required, FILE *warn, struct qv_error *err)
{
	enum qv_err rc = QV_OK;

	memset(c, 0, sizeof *c);
	if (user_opt != NULL) {
		const char *colon = strchr(user_opt, ':');
		size_t ul = colon != NULL ? (size_t)(colon - user_opt) : strlen(user_opt);

		if (ul > NETRC_TOKEN_MAX)
			return qv_error_set(err, QV_E_USAGE, "-u: user name longer than %d bytes",
					    NETRC_TOKEN_MAX);
		memcpy(c->user, user_opt, ul);
		c->user[ul] = '\0';
		c->have_user = true;
		c->user_has_password = colon != NULL;
		rc = http_basic_auth(user_opt, ul, colon != NULL ? colon + 1 : "",
				     colon != NULL ? strlen(colon + 1) : 0, "-u", c->user_auth, err);
	}
	if (rc == QV_OK && netrc_path != NULL)
		rc = cr_netrc_load(c, netrc_path, netrc_required, warn, err);
	if (rc != QV_OK)
		creds_clear(c);
	return rc;
}

void creds_clear(struct creds *c)
{
	size_t i;

	for (i = 0; i < c->slots; i++)
		free(c->table[i].host);
	if (c->table != NULL)
		explicit_bzero(c->table, c->slots * sizeof *c->table);
	free(c->table);
	if (c->fallback != NULL) {
		free(c->fallback->host);
		explicit_bzero(c->fallback, sizeof *c->fallback);
		free(c->fallback);
	}
	while (c->texts != NULL) {
		struct creds_text *t = c->texts;

		c->texts = t->next;
		explicit_bzero(t->s, strlen(t->s));
		free(t);
	}
	explicit_bzero(c, sizeof *c);
}

/* ---- per URL ---- */

static const char *cr_keep(struct creds *c, const char *a, size_t an, const char *b, size_t bn,
			   const char *d, size_t dn)
{
	struct creds_text *t = malloc(sizeof *t + an + bn + dn + 1);

	if (t == NULL)
		return NULL;
	memcpy(t->s, a, an);
	memcpy(t->s + an, b, bn);
	memcpy(t->s + an + bn, d, dn);
	t->s[an + bn + dn] = '\0';
	t->next = c->texts;
	c->texts = t;
	return t->s;
}

/* The .netrc entry for host: its machine, else the default. */
static const struct creds_entry *cr_netrc_for(const struct creds *c, const char *host)
{
	const struct creds_entry *e = cr_find(c, host);

	return e != NULL ? e : c->fallback;
}

/* Basic value for user (decoded) and password, kept in c. */
static enum qv_err cr_auth(struct creds *c, const char *user, size_t ul, const char *pass,
			   size_t pl, const char *what, const char **auth, struct qv_error *err)
{
	char value[HTTP_AUTH_MAX];
	enum qv_err rc = http_basic_auth(user, ul, pass, pl, what, value, err);

	if (rc != QV_OK)
		return rc;
	*auth = cr_keep(c, value, strlen(value), "", 0, "", 0);
	return *auth != NULL ? QV_OK : qv_error_set(err, QV_E_NOMEM, "out of memory");
}

/* A user name given without password: the password of the .netrc entry for
 * host when its login is that user (as curl), else an empty one. */
static enum qv_err cr_user_only(struct creds *c, const char *user, size_t ul, const char *host,
				const char *what, const char **auth, struct qv_error *err)
{
	const struct creds_entry *e = cr_netrc_for(c, host);

	if (e != NULL && strlen(e->c.login) == ul && memcmp(e->c.login, user, ul) == 0) {
		*auth = e->auth;
		return QV_OK;
	}
	return cr_auth(c, user, ul, "", 0, what, auth, err);
}

enum qv_err creds_for_url(struct creds *c, const char *s, size_t n, const char *host,
			  const char **auth, const char **shown, struct qv_error *err)
{
	char user[HTTP_CRED_MAX + 1], pass[HTTP_CRED_MAX + 1];
	struct url_userinfo ui;
	bool has_ui = url_userinfo(s, n, &ui);
	const struct creds_entry *e;
	size_t ul, pl;
	enum qv_err rc = QV_OK;

	*auth = NULL;
	*shown = NULL;
	if (has_ui && ui.has_password) {
		/* user:***@ : the password never reaches any output */
		*shown = cr_keep(c, s, ui.cut_off + ui.user_len, ":***", 4,
				 s + ui.cut_off + ui.cut_len - 1, n - (ui.cut_off + ui.cut_len - 1));
		if (*shown == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	if (c->have_user) {
		if (c->user_has_password) {
			*auth = c->user_auth;
			return QV_OK;
		}
		return cr_user_only(c, c->user, strlen(c->user), host, "-u", auth, err);
	}
	if (has_ui) {
		ul = url_percent_decode(ui.user, ui.user_len, user, sizeof user);
		pl = url_percent_decode(ui.password, ui.password_len, pass, sizeof pass);
		if (ul == (size_t)-1 || pl == (size_t)-1)
			rc = qv_error_set(err, QV_E_USAGE, "user name or password in a URL too long");
		else if (ui.has_password)
			rc = cr_auth(c, user, ul, pass, pl, "URL credentials", auth, err);
		else
			rc = cr_user_only(c, user, ul, host, "URL credentials", auth, err);
		explicit_bzero(pass, sizeof pass);
		return rc;
	}
	e = cr_netrc_for(c, host);
	if (e != NULL)
		*auth = e->auth;
	return QV_OK;
}
