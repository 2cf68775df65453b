/* tls_setup.c - one TLS client per run from the command line's TLS options. */
#include "cli/tls_setup.h"

#include <strings.h>

enum qv_err cli_tls_client(struct tls_client **out, const char *cacert, const char *cadir,
			   bool insecure, bool load_now, FILE *warn, struct qv_error *err)
{
	struct tls_client_opts o = {cacert, insecure, 0, NULL};
	struct tls_trust_paths p;
	enum qv_err rc;

	if (cadir != NULL) {
		tls_trust_paths_env(&p, cacert);
		p.cert_file = NULL;
		p.cert_dir = cadir;
		o.paths = &p;
	}
	rc = tls_client_new(out, &o, err);

	if (rc == QV_OK && load_now)
		rc = tls_client_load_trust(*out, err);
	if (rc != QV_OK) {
		tls_client_free(*out);
		*out = NULL;
		return rc;
	}
	if (insecure && warn != NULL)
		(void)fprintf(warn, "%s\n", CLI_TLS_INSECURE_WARNING);
	return QV_OK;
}

bool cli_is_https(const char *url)
{
	return strncasecmp(url, "https:", 6) == 0;
}
