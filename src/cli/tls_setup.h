/* tls_setup.h - the run's TLS client (tls/client.h) from --cacert and -k,
 * the same for every command that fetches (flags, flags2/3, get).
 *
 * The client is cheap to make; its CA certificates are loaded on the first
 * https connection, or at once when the caller knows the run has https URLs
 * (so a missing bundle is one clear error instead of one per download). */
#ifndef QV_CLI_TLS_SETUP_H
#define QV_CLI_TLS_SETUP_H

#include <stdbool.h>
#include <stdio.h>

#include "tls/client.h"
#include "util/err.h"

/* What -k prints on stderr (DESIGN §4: "-k skips both, with a warning"). */
#define CLI_TLS_INSECURE_WARNING "warning: --insecure: TLS certificates are not verified"

/* Make *out for cacert (NULL: $SSL_CERT_FILE, $SSL_CERT_DIR, the system
 * bundle; cadir, when not NULL, replaces the two variables) and insecure;
 * load the CA certificates now when load_now.  When insecure and warn is
 * not NULL, prints CLI_TLS_INSECURE_WARNING there.  Errors: those of
 * tls_client_new and tls_client_load_trust (*out is NULL). */
enum qv_err cli_tls_client(struct tls_client **out, const char *cacert, const char *cadir,
			   bool insecure, bool load_now, FILE *warn, struct qv_error *err);

/* True when url starts with "https:" (case-insensitive). */
bool cli_is_https(const char *url);

#endif
