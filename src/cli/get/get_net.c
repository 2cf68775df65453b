/* get_net.c - proxies and credentials of a get run (see get_net.h). */
#include "cli/get/get_net.h"

#include <stdlib.h>
#include <string.h>

#include "http/url.h"

static void get_proxy_env(struct proxy_env *e)
{
	e->http_proxy = getenv("http_proxy");
	e->https_proxy = getenv("https_proxy");
	e->HTTPS_PROXY = getenv("HTTPS_PROXY");
	e->all_proxy = getenv("all_proxy");
	e->ALL_PROXY = getenv("ALL_PROXY");
	e->no_proxy = getenv("no_proxy");
	e->NO_PROXY = getenv("NO_PROXY");
}

/* -u, or --user with --password (wget's spelling): "user:password" into
 * buf; NULL when neither was given. */
static const char *get_user_opt(const struct get_args *a, char *buf, size_t cap)
{
	int k;

	if (a->user == NULL)
		return NULL;
	if (a->password == NULL)
		return a->user;
	k = snprintf(buf, cap, "%s:%s", a->user, a->password);
	return k > 0 && (size_t)k < cap ? buf : NULL;
}

/* Credentials for every picked URL; the URLs that held a password take
 * their shown form. */
static enum qv_err get_creds(struct get_net *n, struct get_plan *p, bool by_host,
			     struct qv_error *err)
{
	size_t j;

	for (j = 0; j < p->npick; j++) {
		size_t i = p->pick[j];
		const char *s = p->list.url[i], *auth, *shown;
		const char *host = "";
		struct url u; /* ~8 KiB; only when a .netrc asks for hosts */
		enum qv_err rc;

		if (by_host && url_parse(&u, s, strlen(s), NULL) == QV_OK)
			host = u.host;
		rc = creds_for_url(&n->creds, s, strlen(s), host, &auth, &shown, err);
		if (rc != QV_OK)
			return rc;
		n->auth[i] = auth;
		if (shown != NULL) {
			char *copy = strdup(shown);

			if (copy == NULL)
				return qv_error_set(err, QV_E_NOMEM, "out of memory");
			explicit_bzero(p->list.url[i], strlen(p->list.url[i]));
			free(p->list.url[i]);
			p->list.url[i] = copy;
		}
	}
	/* gcc-analyzer-suppress malloc-leak: p->list owns each copy (url_list_clear) */
	return QV_OK;
}

/* Whether any picked URL holds user:pass@ (then every one is looked at). */
static bool get_any_userinfo(const struct get_plan *p)
{
	size_t j;

	for (j = 0; j < p->npick; j++) {
		struct url_userinfo ui;
		const char *s = p->list.url[p->pick[j]];

		if (url_userinfo(s, strlen(s), &ui))
			return true;
	}
	return false;
}

enum qv_err get_net_open(struct get_net *n, const struct get_args *a, FILE *warn,
			 struct qv_error *err)
{
	struct proxy_settings ps;
	char netrc[4096], userbuf[2 * NETRC_TOKEN_MAX + 2];
	const char *netrc_path = NULL, *user;
	enum qv_err rc;

	memset(n, 0, sizeof *n);
	memset(&ps, 0, sizeof ps);
	ps.proxy = a->proxy;
	ps.noproxy = a->noproxy;
	ps.proxy_user = a->proxy_user;
	get_proxy_env(&ps.env);
	rc = proxy_conf_init(&n->proxy, &ps, err);
	if (rc != QV_OK)
		return rc;
	if (a->netrc_file != NULL)
		netrc_path = a->netrc_file;
	else if (a->netrc && creds_netrc_default(netrc, sizeof netrc))
		netrc_path = netrc;
	user = get_user_opt(a, userbuf, sizeof userbuf);
	if (a->user != NULL && user == NULL)
		return qv_error_set(err, QV_E_USAGE, "--user and --password too long");
	rc = creds_init(&n->creds, user, netrc_path, a->netrc_file != NULL, warn, err);
	explicit_bzero(userbuf, sizeof userbuf);
	n->every_url = user != NULL || netrc_path != NULL;
	n->by_host = netrc_path != NULL;
	return rc;
}

enum qv_err get_net_init(struct get_net *n, const struct get_args *a, struct get_plan *p,
			 FILE *warn, struct qv_error *err)
{
	enum qv_err rc = get_net_open(n, a, warn, err);

	if (rc != QV_OK)
		return rc;
	if (!n->every_url && !get_any_userinfo(p))
		return QV_OK; /* nobody has credentials: no per-URL work */
	n->auth = calloc(p->list.count > 0 ? p->list.count : 1, sizeof *n->auth);
	if (n->auth == NULL) {
		creds_clear(&n->creds);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	rc = get_creds(n, p, n->by_host, err);
	if (rc != QV_OK)
		get_net_clear(n);
	return rc;
}

enum qv_err get_net_url(struct get_net *n, const char *s, const char *host, const char **auth,
			const char **shown, struct qv_error *err)
{
	struct url_userinfo ui;
	size_t len = strlen(s);

	*auth = *shown = NULL;
	if (!n->every_url && !url_userinfo(s, len, &ui))
		return QV_OK;
	return creds_for_url(&n->creds, s, len, host, auth, shown, err);
}

void get_net_clear(struct get_net *n)
{
	creds_clear(&n->creds);
	free(n->auth);
	n->auth = NULL;
	explicit_bzero(&n->proxy, sizeof n->proxy);
}

const char *get_net_auth(const struct get_net *n, size_t i)
{
	return n->auth != NULL ? n->auth[i] : NULL;
}
