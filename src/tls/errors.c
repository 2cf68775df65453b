/* errors.c - names and user messages for BearSSL's numbered errors. */
#include "tls/errors.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tls/br.h"

/* Every BR_ERR_* of BearSSL 0.6 (bearssl_ssl.h and bearssl_x509.h), in code
 * order from 0: "NAME\0text\0" per code, both empty for an unused code.  An
 * empty text is "malformed certificate" for an X.509 error, "protocol
 * error" for another: errors a user never acts on differently, which the
 * name in brackets tells apart.
 * One packed string instead of a table of {code, name, text} pointers: the
 * pointers alone were 1.4 KiB of a binary with a size budget, and an error
 * is looked up once per failure. */
static const char br_errs[] =
	"OK\0" "no error\0" /* 0 */
	"BAD_PARAM\0" "\0" /* 1 */
	"BAD_STATE\0" "\0" /* 2 */
	"UNSUPPORTED_VERSION\0" "unsupported protocol version\0" /* 3 */
	"BAD_VERSION\0" "record version differs from the negotiated one\0" /* 4 */
	"BAD_LENGTH\0" "\0" /* 5 */
	"TOO_LARGE\0" "\0" /* 6 */
	"BAD_MAC\0" "bad record MAC\0" /* 7 */
	"NO_RANDOM\0" "no source of randomness\0" /* 8 */
	"UNKNOWN_TYPE\0" "\0" /* 9 */
	"UNEXPECTED\0" "unexpected message\0" /* 10 */
	"\0" "\0" /* 11: unused */
	"BAD_CCS\0" "\0" /* 12 */
	"BAD_ALERT\0" "\0" /* 13 */
	"BAD_HANDSHAKE\0" "malformed handshake message\0" /* 14 */
	"OVERSIZED_ID\0" "\0" /* 15 */
	"BAD_CIPHER_SUITE\0" "no common cipher suite\0" /* 16 */
	"BAD_COMPRESSION\0" "\0" /* 17 */
	"BAD_FRAGLEN\0" "\0" /* 18 */
	"BAD_SECRENEG\0" "secure renegotiation failed\0" /* 19 */
	"EXTRA_EXTENSION\0" "\0" /* 20 */
	"BAD_SNI\0" "\0" /* 21 */
	"BAD_HELLO_DONE\0" "\0" /* 22 */
	"LIMIT_EXCEEDED\0" "\0" /* 23 */
	"BAD_FINISHED\0" "bad Finished message\0" /* 24 */
	"RESUME_MISMATCH\0" "\0" /* 25 */
	"INVALID_ALGORITHM\0" "unsupported or invalid algorithm\0" /* 26 */
	"BAD_SIGNATURE\0" "bad handshake signature\0" /* 27 */
	"WRONG_KEY_USAGE\0" "key usage forbids the negotiated suite\0" /* 28 */
	"NO_CLIENT_AUTH\0" "client certificate required\0" /* 29 */
	"\0" "\0" /* 30: unused */
	"IO\0" "I/O error\0" /* 31 */
	"X509_OK\0" "certificate valid\0" /* 32 */
	"X509_INVALID_VALUE\0" "\0" /* 33 */
	"X509_TRUNCATED\0" "\0" /* 34 */
	"X509_EMPTY_CHAIN\0" "the server sent no certificate\0" /* 35 */
	"X509_INNER_TRUNC\0" "\0" /* 36 */
	"X509_BAD_TAG_CLASS\0" "\0" /* 37 */
	"X509_BAD_TAG_VALUE\0" "\0" /* 38 */
	"X509_INDEFINITE_LENGTH\0" "\0" /* 39 */
	"X509_EXTRA_ELEMENT\0" "\0" /* 40 */
	"X509_UNEXPECTED\0" "\0" /* 41 */
	"X509_NOT_CONSTRUCTED\0" "\0" /* 42 */
	"X509_NOT_PRIMITIVE\0" "\0" /* 43 */
	"X509_PARTIAL_BYTE\0" "\0" /* 44 */
	"X509_BAD_BOOLEAN\0" "\0" /* 45 */
	"X509_OVERFLOW\0" "\0" /* 46 */
	"X509_BAD_DN\0" "\0" /* 47 */
	"X509_BAD_TIME\0" "\0" /* 48 */
	"X509_UNSUPPORTED\0" "unsupported certificate feature\0" /* 49 */
	"X509_LIMIT_EXCEEDED\0" "key or signature too large\0" /* 50 */
	"X509_WRONG_KEY_TYPE\0" "unexpected key type\0" /* 51 */
	"X509_BAD_SIGNATURE\0" "bad certificate signature\0" /* 52 */
	"X509_TIME_UNKNOWN\0" "\0" /* 53 */
	"X509_EXPIRED\0" "certificate expired or not yet valid\0" /* 54 */
	"X509_DN_MISMATCH\0" "issuer/subject mismatch in the chain\0" /* 55 */
	"X509_BAD_SERVER_NAME\0" "certificate does not match the host\0" /* 56 */
	"X509_CRITICAL_EXTENSION\0" "unknown critical extension\0" /* 57 */
	"X509_NOT_CA\0" "issuer is not a CA or path too long\0" /* 58 */
	"X509_FORBIDDEN_KEY_USAGE\0" "key usage forbids this use\0" /* 59 */
	"X509_WEAK_PUBLIC_KEY\0" "public key too small\0" /* 60 */
	"\0" "\0" /* 61: unused */
	"X509_NOT_TRUSTED\0" "unknown issuer\0" /* 62 */;

/* TLS 1.2 alert descriptions (RFC 5246 §7.2 and later registrations): the
 * alert number as one byte, then its name and a NUL. */
static const char alerts[] =
	"\000" "close_notify\0"
	"\012" "unexpected_message\0"
	"\024" "bad_record_mac\0"
	"\025" "decryption_failed\0"
	"\026" "record_overflow\0"
	"\036" "decompression_failure\0"
	"\050" "handshake_failure\0"
	"\051" "no_certificate\0"
	"\052" "bad_certificate\0"
	"\053" "unsupported_certificate\0"
	"\054" "certificate_revoked\0"
	"\055" "certificate_expired\0"
	"\056" "certificate_unknown\0"
	"\057" "illegal_parameter\0"
	"\060" "unknown_ca\0"
	"\061" "access_denied\0"
	"\062" "decode_error\0"
	"\063" "decrypt_error\0"
	"\074" "export_restriction\0"
	"\106" "protocol_version\0"
	"\107" "insufficient_security\0"
	"\120" "internal_error\0"
	"\126" "inappropriate_fallback\0"
	"\132" "user_canceled\0"
	"\144" "no_renegotiation\0"
	"\155" "missing_extension\0"
	"\156" "unsupported_extension\0"
	"\160" "unrecognized_name\0"
	"\164" "certificate_required\0"
	"\170" "no_application_protocol\0";

/* X.509 errors are 32..63 (bearssl_x509.h). */
#define BR_ERR_X509_RANGE_END 64
/* TLS alert numbers: handshake_failure, protocol_version. */
#define ALERT_HANDSHAKE_FAILURE 40
#define ALERT_PROTOCOL_VERSION 70

/* The name of code (without "BR_ERR_"), its text just after; NULL when
 * BearSSL 0.6 does not define code. */
static const char *br_err_find(int code)
{
	const char *p = br_errs;
	int i;

	if (code < 0)
		return NULL;
	for (i = 0; i < code && p < br_errs + sizeof br_errs - 1; i++) {
		p += strlen(p) + 1;
		p += strlen(p) + 1;
	}
	return p < br_errs + sizeof br_errs - 1 && *p != '\0' ? p : NULL;
}

const char *tls_err_name(int br_err)
{
	const char *e = br_err_find(br_err);

	if (e != NULL)
		return e;
	if (br_err >= BR_ERR_SEND_FATAL_ALERT && br_err < BR_ERR_SEND_FATAL_ALERT + 256)
		return "SEND_FATAL_ALERT";
	if (br_err >= BR_ERR_RECV_FATAL_ALERT && br_err < BR_ERR_RECV_FATAL_ALERT + 256)
		return "RECV_FATAL_ALERT";
	return "UNKNOWN";
}

const char *tls_err_text(int br_err)
{
	const char *e = br_err_find(br_err);

	if (e != NULL) {
		e += strlen(e) + 1;
		if (*e != '\0')
			return e;
		return br_err >= BR_ERR_X509_OK ? "malformed certificate" : "protocol error";
	}
	if (br_err >= BR_ERR_SEND_FATAL_ALERT && br_err < BR_ERR_SEND_FATAL_ALERT + 256)
		return "fatal alert sent";
	if (br_err >= BR_ERR_RECV_FATAL_ALERT && br_err < BR_ERR_RECV_FATAL_ALERT + 256)
		return "fatal alert received";
	return "unknown TLS error";
}

const char *tls_alert_name(int alert)
{
	const char *p = alerts;

	while (p < alerts + sizeof alerts - 1) {
		if ((unsigned char)p[0] == alert)
			return p + 1;
		p += strlen(p + 1) + 2;
	}
	return "unknown";
}

static enum qv_err tls_err_alert(struct qv_error *e, int br_err, bool handshake)
{
	bool received = br_err < BR_ERR_SEND_FATAL_ALERT;
	int alert = br_err - (received ? BR_ERR_RECV_FATAL_ALERT : BR_ERR_SEND_FATAL_ALERT);
	const char *name = tls_alert_name(alert);

	if (received && alert == ALERT_PROTOCOL_VERSION)
		return qv_error_set(e, QV_E_TLS_PROTOCOL,
				    "server requires TLS 1.3 (unsupported) [BR_ERR_%s: %s]",
				    tls_err_name(br_err), name);
	/* What OpenSSL, nginx and most servers answer a ClientHello with when
	 * no suite of it is theirs (OpenSSL: "no shared cipher"); other causes
	 * (no common curve or signature hash) are rarer with quiver's offer. */
	if (received && handshake && alert == ALERT_HANDSHAKE_FAILURE)
		return qv_error_set(e, QV_E_TLS_HANDSHAKE,
				    "handshake failure: server sent alert handshake_failure (40), "
				    "likely no cipher suite in common: quiver offers TLS 1.2 with "
				    "ECDHE and AES-GCM or ChaCha20, the server may require RSA key "
				    "exchange or TLS 1.3 [BR_ERR_%s]",
				    tls_err_name(br_err));
	return qv_error_set(e, handshake ? QV_E_TLS_HANDSHAKE : QV_E_TLS_PROTOCOL,
			    "%s: %s alert %s (%d) [BR_ERR_%s]", handshake ? "handshake failure" : "TLS error",
			    received ? "server sent" : "sent", name, alert, tls_err_name(br_err));
}

static enum qv_err tls_err_cert(struct qv_error *e, int br_err, const char *host,
				const char *cert_detail)
{
	const char *name = tls_err_name(br_err);

	if (cert_detail != NULL)
		return qv_error_set(e, QV_E_TLS_CERT, "%s [BR_ERR_%s]", cert_detail, name);
	switch (br_err) {
	case BR_ERR_X509_EXPIRED:
		return qv_error_set(e, QV_E_TLS_CERT, "certificate expired [BR_ERR_%s]", name);
	case BR_ERR_X509_BAD_SERVER_NAME:
		return qv_error_set(e, QV_E_TLS_CERT, "certificate does not match host %s [BR_ERR_%s]",
				    host != NULL ? host : "?", name);
	default:
		return qv_error_set(e, QV_E_TLS_CERT, "certificate verification failed: %s [BR_ERR_%s]",
				    tls_err_text(br_err), name);
	}
}

enum qv_err tls_err_set(struct qv_error *e, int br_err, const char *host, bool handshake,
			const char *detail)
{
	enum qv_err rc;

	if (br_err >= BR_ERR_RECV_FATAL_ALERT)
		rc = tls_err_alert(e, br_err, handshake);
	else if (br_err >= BR_ERR_X509_OK && br_err < BR_ERR_X509_RANGE_END)
		rc = tls_err_cert(e, br_err, host, detail);
	else if (br_err == BR_ERR_UNSUPPORTED_VERSION)
		rc = qv_error_set(e, QV_E_TLS_PROTOCOL, "%s [BR_ERR_%s]",
				  detail != NULL ? detail : "server requires TLS 1.3 (unsupported)",
				  tls_err_name(br_err));
	else if (br_err == BR_ERR_BAD_VERSION)
		rc = qv_error_set(e, QV_E_TLS_PROTOCOL, "TLS protocol error: %s [BR_ERR_%s]",
				  tls_err_text(br_err), tls_err_name(br_err));
	else
		rc = qv_error_set(e, handshake ? QV_E_TLS_HANDSHAKE : QV_E_TLS_PROTOCOL,
				  "%s: %s [BR_ERR_%s]", handshake ? "handshake failure" : "TLS error",
				  tls_err_text(br_err), tls_err_name(br_err));
	if (e != NULL)
		e->detail = br_err;
	return rc;
}
