/* get_net.h - the network side of a `get` run that is decided before the
 * first connection (DESIGN §9): the proxies (environment, -x, --noproxy,
 * --proxy-user) and the origin credentials of each URL (-u, user:pass@,
 * .netrc), with every URL that held a password shown as user:***@ from
 * here on, in every output. */
#ifndef QV_CLI_GET_GET_NET_H
#define QV_CLI_GET_GET_NET_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/get/creds.h"
#include "cli/get/get_args.h"
#include "cli/get/get_plan.h"
#include "transfer/proxy.h"
#include "util/err.h"

struct get_net {
	struct proxy_conf proxy;
	struct creds creds;
	const char **auth;          /* per list item, or NULL: nobody has any */
	bool every_url;             /* -u or a .netrc: every URL is looked up */
	bool by_host;               /* a .netrc: lookups need the URL's host */
};

/* Decide proxies and credentials for plan p (its URL texts are replaced by
 * their shown form where they held a password).  Errors QV_E_USAGE (a bad
 * proxy or credential, named), QV_E_NOMEM; messages never hold a secret. */
enum qv_err get_net_init(struct get_net *n, const struct get_args *a, struct get_plan *p,
			 FILE *warn, struct qv_error *err);

/* The same without a plan, for a streamed list: proxies and the sources of
 * credentials (-u, .netrc); each URL then asks get_net_url. */
enum qv_err get_net_open(struct get_net *n, const struct get_args *a, FILE *warn,
			 struct qv_error *err);
/* For URL text s (parsed fine; host its lower-case host): *auth the
 * Authorization for its first origin and *shown the text to print and
 * fetch instead of s (NULL: none, s itself).  Both are owned by n (kept
 * until get_net_clear: one Basic value and one shown text per URL that
 * holds user:pass@).  Errors: creds_for_url's. */
enum qv_err get_net_url(struct get_net *n, const char *s, const char *host, const char **auth,
			const char **shown, struct qv_error *err);
void get_net_clear(struct get_net *n);

/* The Authorization value for list item i, or NULL. */
const char *get_net_auth(const struct get_net *n, size_t i);

#endif
