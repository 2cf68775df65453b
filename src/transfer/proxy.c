/* proxy.c - proxy selection (see proxy.h). */
#include "transfer/proxy.h"

#include <stddef.h>
#include <string.h>

#include "http/url.h"
#include "transfer/noproxy.h"
#include "util/ascii.h"

static bool px_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static const char *px_first(const char *a, const char *b)
{
	return px_set(a) ? a : px_set(b) ? b : NULL;
}

/* RFC 3986 scheme characters: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
static bool px_scheme_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!ascii_is_alpha(c) && (i == 0 || (!ascii_is_digit(c) && c != '+' && c != '-' &&
						       c != '.')))
			return false;
	}
	return true;
}

/* The proxy URL's scheme, checked: none or http.  *rest is after "://". */
static enum qv_err px_scheme(const char *text, const char **rest, const char *what,
			     struct qv_error *err)
{
	const char *sep = strstr(text, "://");
	size_t n;

	*rest = text;
	if (sep == NULL)
		return QV_OK;
	n = (size_t)(sep - text);
	*rest = sep + 3;
	if (ascii_ieq(text, n, "http"))
		return QV_OK;
	if (ascii_ieq(text, n, "https"))
		return qv_error_set(err, QV_E_USAGE,
				    "%s: https:// proxies are not supported (use an http:// proxy; "
				    "https URLs are still tunnelled and verified end to end)", what);
	if (n >= 5 && ascii_ieq(text, 5, "socks"))
		return qv_error_set(err, QV_E_USAGE, "%s: SOCKS proxies are not supported", what);
	/* name the scheme only when it is one: garbage before "://" may hold a
	 * credential (a mistyped "user:pass@host") */
	if (n == 0 || n > 16 || !px_scheme_chars(text, n))
		return qv_error_set(err, QV_E_USAGE, "%s: malformed proxy URL", what);
	return qv_error_set(err, QV_E_USAGE, "%s: unsupported proxy scheme '%.*s' (http:// only)",
			    what, (int)n, text);
}

/* Credentials: "user:pass" (raw, from --proxy-user) or the URL's userinfo
 * (percent-decoded). */
static enum qv_err px_auth(struct proxy *p, const char *text, size_t len, const char *user_pass,
			   const char *what, struct qv_error *err)
{
	char user[HTTP_CRED_MAX + 1], pass[HTTP_CRED_MAX + 1];
	struct url_userinfo ui;
	size_t ul, pl;
	enum qv_err rc;

	p->auth[0] = '\0';
	if (user_pass != NULL) {
		const char *colon = strchr(user_pass, ':');

		ul = colon != NULL ? (size_t)(colon - user_pass) : strlen(user_pass);
		return http_basic_auth(user_pass, ul, colon != NULL ? colon + 1 : "",
				       colon != NULL ? strlen(colon + 1) : 0, what, p->auth, err);
	}
	if (!url_userinfo(text, len, &ui))
		return QV_OK;
	ul = url_percent_decode(ui.user, ui.user_len, user, sizeof user);
	pl = url_percent_decode(ui.password, ui.password_len, pass, sizeof pass);
	if (ul == (size_t)-1 || pl == (size_t)-1)
		rc = qv_error_set(err, QV_E_USAGE, "%s: proxy user name or password too long", what);
	else
		rc = http_basic_auth(user, ul, pass, pl, what, p->auth, err);
	explicit_bzero(pass, sizeof pass);
	return rc;
}

enum qv_err proxy_parse(struct proxy *p, const char *text, const char *user_pass, const char *what,
			struct qv_error *err)
{
	char full[PROXY_URL_MAX + 8];
	struct url u; /* ~8 KiB, only while a run is set up */
	struct qv_error e;
	const char *rest;
	size_t len = strlen(text);
	enum qv_err rc;

	memset(p, 0, sizeof *p);
	if (len > PROXY_URL_MAX)
		return qv_error_set(err, QV_E_USAGE, "%s: proxy URL longer than %d bytes", what,
				    PROXY_URL_MAX);
	rc = px_scheme(text, &rest, what, err);
	if (rc != QV_OK)
		return rc;
	memcpy(full, "http://", 7);
	memcpy(full + 7, rest, strlen(rest) + 1);
	qv_error_clear(&e);
	if (url_parse(&u, full, strlen(full), &e) != QV_OK)
		return qv_error_set(err, QV_E_USAGE, "%s: bad proxy URL: %s", what, e.msg);
	url_origin_of(&u, &p->origin);
	if (!u.port_explicit)
		p->origin.port = PROXY_PORT_DEFAULT;
	rc = px_auth(p, full, strlen(full), user_pass, what, err);
	explicit_bzero(full, sizeof full);
	return rc;
}

/* Parse the chosen proxy for one target scheme, when there is one. */
static enum qv_err px_pick(struct proxy *p, bool *have, const char *opt, const char *env_name,
			   const char *env_val, const char *user_pass, struct qv_error *err)
{
	const char *text = px_set(opt) ? opt : env_val;

	*have = false;
	if (!px_set(text))
		return QV_OK;
	*have = true;
	return proxy_parse(p, text, user_pass, px_set(opt) ? "--proxy" : env_name, err);
}

/* Which variable an environment value came from, for messages. */
static const char *px_env_name(const struct proxy_env *e, const char *v)
{
	if (v == e->http_proxy)
		return "http_proxy";
	if (v == e->https_proxy)
		return "https_proxy";
	if (v == e->HTTPS_PROXY)
		return "HTTPS_PROXY";
	return v == e->all_proxy ? "all_proxy" : "ALL_PROXY";
}

enum qv_err proxy_conf_init(struct proxy_conf *c, const struct proxy_settings *s,
			    struct qv_error *err)
{
	const struct proxy_env *e = &s->env;
	const char *all = px_first(e->all_proxy, e->ALL_PROXY);
	const char *http = px_set(e->http_proxy) ? e->http_proxy : all;
	const char *https = px_first(px_first(e->https_proxy, e->HTTPS_PROXY), all);
	enum qv_err rc;

	memset(c, 0, sizeof *c);
	c->no_proxy = s->noproxy != NULL ? s->noproxy : px_first(e->no_proxy, e->NO_PROXY);
	rc = px_pick(&c->http, &c->have_http, s->proxy, http != NULL ? px_env_name(e, http) : "",
		     http, s->proxy_user, err);
	if (rc == QV_OK)
		rc = px_pick(&c->https, &c->have_https, s->proxy,
			     https != NULL ? px_env_name(e, https) : "", https, s->proxy_user, err);
	return rc;
}

void proxy_route(const struct proxy_conf *c, const struct url_origin *o, struct route *r)
{
	const struct proxy *p = NULL;

	r->origin = *o;
	r->peer = *o;
	r->via = ROUTE_DIRECT;
	if (c != NULL && o->scheme == URL_HTTPS && c->have_https)
		p = &c->https;
	else if (c != NULL && o->scheme == URL_HTTP && c->have_http)
		p = &c->http;
	if (p == NULL || noproxy_match(c->no_proxy, o->host))
		return;
	r->peer = p->origin;
	r->via = o->scheme == URL_HTTPS ? ROUTE_TUNNEL : ROUTE_PROXY;
}

const struct proxy *proxy_of(const struct proxy_conf *c, const struct route *r)
{
	if (c == NULL || r->via == ROUTE_DIRECT)
		return NULL;
	return r->via == ROUTE_TUNNEL ? &c->https : &c->http;
}
