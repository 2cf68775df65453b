/* proxy.h - which HTTP proxy, if any, each URL goes through: curl's rules
 * (DESIGN §9), decided per URL (redirects decide again) without I/O.
 *
 *   http://  targets: -x, else http_proxy (lower case only: HTTP_PROXY can
 *            be set by a CGI server from a request header, "httpoxy"),
 *            else all_proxy / ALL_PROXY;
 *   https:// targets: -x, else https_proxy, HTTPS_PROXY, else all_proxy /
 *            ALL_PROXY;
 *   exempt:  --noproxy LIST, else no_proxy / NO_PROXY (transfer/noproxy.h);
 *            "" proxies everything, "*" nothing.
 * A proxy URL is [http://][user:pass@]host[:port] (port 1080 when none, as
 * curl); its credentials (or --proxy-user) go only to the proxy, as
 * Proxy-Authorization: Basic.  socks and https:// proxies are refused. */
#ifndef QV_TRANSFER_PROXY_H
#define QV_TRANSFER_PROXY_H

#include <stdbool.h>

#include "http/auth.h"
#include "util/err.h"
#include "util/origin.h"

/* curl's default proxy port. */
#define PROXY_PORT_DEFAULT 1080
/* Longest proxy URL read from an option or the environment. */
#define PROXY_URL_MAX 2048

struct proxy {
	struct url_origin origin;     /* scheme http, host, port */
	char auth[HTTP_AUTH_MAX];     /* Proxy-Authorization value, "" when none */
};

/* The environment as the caller read it (NULL: unset; "" counts as unset). */
struct proxy_env {
	const char *http_proxy, *https_proxy, *HTTPS_PROXY, *all_proxy, *ALL_PROXY;
	const char *no_proxy, *NO_PROXY;
};

struct proxy_settings {
	const char *proxy;            /* -x URL, NULL: from the environment */
	const char *noproxy;          /* --noproxy LIST, NULL: not given */
	const char *proxy_user;       /* --proxy-user USER:PASS, NULL: not given */
	struct proxy_env env;
};

struct proxy_conf {
	struct proxy http, https;     /* for http:// and https:// targets */
	bool have_http, have_https;
	const char *no_proxy;         /* not owned; NULL: none */
};

/* Decide the proxies of a run.  Errors (QV_E_USAGE, naming the option or
 * variable but never a credential): an unsupported scheme ("socks5://
 * proxies are not supported"), a bad host or port, bad credentials. */
enum qv_err proxy_conf_init(struct proxy_conf *c, const struct proxy_settings *s,
			    struct qv_error *err);

/* Parse one proxy URL; what names its source for messages ("-x",
 * "https_proxy").  user_pass, when not NULL, replaces its credentials. */
enum qv_err proxy_parse(struct proxy *p, const char *text, const char *user_pass, const char *what,
			struct qv_error *err);

/* The route to origin o under c (NULL: no proxies): direct, through the
 * proxy (http), or tunnelled by CONNECT (https). */
void proxy_route(const struct proxy_conf *c, const struct url_origin *o, struct route *r);

/* The proxy of route r (NULL for a direct route). */
const struct proxy *proxy_of(const struct proxy_conf *c, const struct route *r);

#endif
