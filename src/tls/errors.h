/* errors.h - BearSSL error codes turned into quiver errors a user can act on.
 *
 * Every message ends with the BR_ERR_* name in brackets, so a report can be
 * matched to BearSSL's documentation:
 *   "certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]"
 *   "certificate does not match host example.test [BR_ERR_X509_BAD_SERVER_NAME]"
 *   "server requires TLS 1.3 (unsupported) [BR_ERR_UNSUPPORTED_VERSION]"
 * A handshake_failure alert from the server names its likely cause: no
 * cipher suite in common (the server wants RSA key exchange or TLS 1.3).
 * Codes: QV_E_TLS_CERT (X.509), QV_E_TLS_PROTOCOL (version, errors after the
 * handshake), QV_E_TLS_HANDSHAKE (everything else during the handshake). */
#ifndef QV_TLS_ERRORS_H
#define QV_TLS_ERRORS_H

#include <stdbool.h>

#include "util/err.h"

/* The BR_ERR_* name without its "BR_ERR_" prefix: "X509_EXPIRED";
 * "RECV_FATAL_ALERT" / "SEND_FATAL_ALERT" for the alert ranges; "UNKNOWN"
 * for a code BearSSL 0.6 does not define.  Never NULL. */
const char *tls_err_name(int br_err);

/* Short description ("bad record MAC"); never NULL. */
const char *tls_err_text(int br_err);

/* TLS alert description name ("protocol_version"), or "unknown". */
const char *tls_alert_name(int alert);

/* Fill e for BearSSL error br_err (non-zero) and return its code.
 *   host        the name the certificate was checked against (messages)
 *   handshake   true while the handshake was still running
 *   detail      NULL, or a better text than the generic one, from what the
 *               caller saw (e.g. "certificate expired on 2020-01-01"). */
enum qv_err tls_err_set(struct qv_error *e, int br_err, const char *host, bool handshake,
			const char *detail);

#endif
