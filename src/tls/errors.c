/* errors.c - names and user messages for BearSSL's numbered errors. */
#include "tls/errors.h"

#include <stddef.h>
#include <stdio.h>

#include "tls/br.h"

struct br_err_entry {
	int code;
	const char *name;
	const char *text;
};

/* Every BR_ERR_* of BearSSL 0.6 (bearssl_ssl.h and bearssl_x509.h). */
static const struct br_err_entry br_errs[] = {
	{BR_ERR_OK, "BR_ERR_OK", "no error"},
	{BR_ERR_BAD_PARAM, "BR_ERR_BAD_PARAM", "bad parameter"},
	{BR_ERR_BAD_STATE, "BR_ERR_BAD_STATE", "operation in a wrong state"},
	{BR_ERR_UNSUPPORTED_VERSION, "BR_ERR_UNSUPPORTED_VERSION", "unsupported protocol version"},
	{BR_ERR_BAD_VERSION, "BR_ERR_BAD_VERSION", "record version differs from the negotiated one"},
	{BR_ERR_BAD_LENGTH, "BR_ERR_BAD_LENGTH", "invalid record length"},
	{BR_ERR_TOO_LARGE, "BR_ERR_TOO_LARGE", "record too large"},
	{BR_ERR_BAD_MAC, "BR_ERR_BAD_MAC", "bad record MAC"},
	{BR_ERR_NO_RANDOM, "BR_ERR_NO_RANDOM", "no source of randomness"},
	{BR_ERR_UNKNOWN_TYPE, "BR_ERR_UNKNOWN_TYPE", "unknown record type"},
	{BR_ERR_UNEXPECTED, "BR_ERR_UNEXPECTED", "unexpected message"},
	{BR_ERR_BAD_CCS, "BR_ERR_BAD_CCS", "bad ChangeCipherSpec"},
	{BR_ERR_BAD_ALERT, "BR_ERR_BAD_ALERT", "bad alert message"},
	{BR_ERR_BAD_HANDSHAKE, "BR_ERR_BAD_HANDSHAKE", "malformed handshake message"},
	{BR_ERR_OVERSIZED_ID, "BR_ERR_OVERSIZED_ID", "session ID too long"},
	{BR_ERR_BAD_CIPHER_SUITE, "BR_ERR_BAD_CIPHER_SUITE", "no common cipher suite"},
	{BR_ERR_BAD_COMPRESSION, "BR_ERR_BAD_COMPRESSION", "unsupported compression"},
	{BR_ERR_BAD_FRAGLEN, "BR_ERR_BAD_FRAGLEN", "bad maximum fragment length"},
	{BR_ERR_BAD_SECRENEG, "BR_ERR_BAD_SECRENEG", "secure renegotiation failed"},
	{BR_ERR_EXTRA_EXTENSION, "BR_ERR_EXTRA_EXTENSION", "unexpected extension"},
	{BR_ERR_BAD_SNI, "BR_ERR_BAD_SNI", "bad server name indication"},
	{BR_ERR_BAD_HELLO_DONE, "BR_ERR_BAD_HELLO_DONE", "malformed ServerHelloDone"},
	{BR_ERR_LIMIT_EXCEEDED, "BR_ERR_LIMIT_EXCEEDED", "a protocol limit was exceeded"},
	{BR_ERR_BAD_FINISHED, "BR_ERR_BAD_FINISHED", "bad Finished message"},
	{BR_ERR_RESUME_MISMATCH, "BR_ERR_RESUME_MISMATCH", "session resumption mismatch"},
	{BR_ERR_INVALID_ALGORITHM, "BR_ERR_INVALID_ALGORITHM", "unsupported or invalid algorithm"},
	{BR_ERR_BAD_SIGNATURE, "BR_ERR_BAD_SIGNATURE", "bad handshake signature"},
	{BR_ERR_WRONG_KEY_USAGE, "BR_ERR_WRONG_KEY_USAGE", "key usage forbids the negotiated suite"},
	{BR_ERR_NO_CLIENT_AUTH, "BR_ERR_NO_CLIENT_AUTH", "client certificate required"},
	{BR_ERR_IO, "BR_ERR_IO", "I/O error"},
	{BR_ERR_X509_OK, "BR_ERR_X509_OK", "certificate valid"},
	{BR_ERR_X509_INVALID_VALUE, "BR_ERR_X509_INVALID_VALUE", "invalid value in the certificate"},
	{BR_ERR_X509_TRUNCATED, "BR_ERR_X509_TRUNCATED", "truncated certificate"},
	{BR_ERR_X509_EMPTY_CHAIN, "BR_ERR_X509_EMPTY_CHAIN", "the server sent no certificate"},
	{BR_ERR_X509_INNER_TRUNC, "BR_ERR_X509_INNER_TRUNC", "malformed certificate (inner length)"},
	{BR_ERR_X509_BAD_TAG_CLASS, "BR_ERR_X509_BAD_TAG_CLASS", "malformed certificate (tag class)"},
	{BR_ERR_X509_BAD_TAG_VALUE, "BR_ERR_X509_BAD_TAG_VALUE", "malformed certificate (tag)"},
	{BR_ERR_X509_INDEFINITE_LENGTH, "BR_ERR_X509_INDEFINITE_LENGTH",
	 "malformed certificate (indefinite length)"},
	{BR_ERR_X509_EXTRA_ELEMENT, "BR_ERR_X509_EXTRA_ELEMENT", "malformed certificate (extra element)"},
	{BR_ERR_X509_UNEXPECTED, "BR_ERR_X509_UNEXPECTED", "malformed certificate (unexpected element)"},
	{BR_ERR_X509_NOT_CONSTRUCTED, "BR_ERR_X509_NOT_CONSTRUCTED",
	 "malformed certificate (not constructed)"},
	{BR_ERR_X509_NOT_PRIMITIVE, "BR_ERR_X509_NOT_PRIMITIVE", "malformed certificate (not primitive)"},
	{BR_ERR_X509_PARTIAL_BYTE, "BR_ERR_X509_PARTIAL_BYTE", "malformed certificate (partial byte)"},
	{BR_ERR_X509_BAD_BOOLEAN, "BR_ERR_X509_BAD_BOOLEAN", "malformed certificate (boolean)"},
	{BR_ERR_X509_OVERFLOW, "BR_ERR_X509_OVERFLOW", "malformed certificate (value out of range)"},
	{BR_ERR_X509_BAD_DN, "BR_ERR_X509_BAD_DN", "invalid distinguished name"},
	{BR_ERR_X509_BAD_TIME, "BR_ERR_X509_BAD_TIME", "invalid validity date"},
	{BR_ERR_X509_UNSUPPORTED, "BR_ERR_X509_UNSUPPORTED", "unsupported certificate feature"},
	{BR_ERR_X509_LIMIT_EXCEEDED, "BR_ERR_X509_LIMIT_EXCEEDED", "key or signature too large"},
	{BR_ERR_X509_WRONG_KEY_TYPE, "BR_ERR_X509_WRONG_KEY_TYPE", "unexpected key type"},
	{BR_ERR_X509_BAD_SIGNATURE, "BR_ERR_X509_BAD_SIGNATURE", "bad certificate signature"},
	{BR_ERR_X509_TIME_UNKNOWN, "BR_ERR_X509_TIME_UNKNOWN", "current time unknown"},
	{BR_ERR_X509_EXPIRED, "BR_ERR_X509_EXPIRED", "certificate expired or not yet valid"},
	{BR_ERR_X509_DN_MISMATCH, "BR_ERR_X509_DN_MISMATCH", "issuer/subject mismatch in the chain"},
	{BR_ERR_X509_BAD_SERVER_NAME, "BR_ERR_X509_BAD_SERVER_NAME",
	 "certificate does not match the host"},
	{BR_ERR_X509_CRITICAL_EXTENSION, "BR_ERR_X509_CRITICAL_EXTENSION",
	 "unknown critical extension"},
	{BR_ERR_X509_NOT_CA, "BR_ERR_X509_NOT_CA", "issuer is not a CA or path too long"},
	{BR_ERR_X509_FORBIDDEN_KEY_USAGE, "BR_ERR_X509_FORBIDDEN_KEY_USAGE",
	 "key usage forbids this use"},
	{BR_ERR_X509_WEAK_PUBLIC_KEY, "BR_ERR_X509_WEAK_PUBLIC_KEY", "public key too small"},
	{BR_ERR_X509_NOT_TRUSTED, "BR_ERR_X509_NOT_TRUSTED", "unknown issuer"},
};

struct alert_entry {
	int code;
	const char *name;
};

/* TLS 1.2 alert descriptions (RFC 5246 §7.2 and later registrations). */
static const struct alert_entry alerts[] = {
	{0, "close_notify"},         {10, "unexpected_message"},
	{20, "bad_record_mac"},      {21, "decryption_failed"},
	{22, "record_overflow"},     {30, "decompression_failure"},
	{40, "handshake_failure"},   {41, "no_certificate"},
	{42, "bad_certificate"},     {43, "unsupported_certificate"},
	{44, "certificate_revoked"}, {45, "certificate_expired"},
	{46, "certificate_unknown"}, {47, "illegal_parameter"},
	{48, "unknown_ca"},          {49, "access_denied"},
	{50, "decode_error"},        {51, "decrypt_error"},
	{60, "export_restriction"},  {70, "protocol_version"},
	{71, "insufficient_security"}, {80, "internal_error"},
	{86, "inappropriate_fallback"}, {90, "user_canceled"},
	{100, "no_renegotiation"},   {109, "missing_extension"},
	{110, "unsupported_extension"}, {112, "unrecognized_name"},
	{116, "certificate_required"}, {120, "no_application_protocol"},
};

/* X.509 errors are 32..63 (bearssl_x509.h). */
#define BR_ERR_X509_RANGE_END 64
/* TLS alert number for protocol_version. */
#define ALERT_PROTOCOL_VERSION 70

static const struct br_err_entry *br_err_find(int code)
{
	size_t i;

	for (i = 0; i < sizeof br_errs / sizeof br_errs[0]; i++)
		if (br_errs[i].code == code)
			return &br_errs[i];
	return NULL;
}

const char *tls_err_name(int br_err)
{
	const struct br_err_entry *e = br_err_find(br_err);

	if (e != NULL)
		return e->name;
	if (br_err >= BR_ERR_SEND_FATAL_ALERT && br_err < BR_ERR_SEND_FATAL_ALERT + 256)
		return "BR_ERR_SEND_FATAL_ALERT";
	if (br_err >= BR_ERR_RECV_FATAL_ALERT && br_err < BR_ERR_RECV_FATAL_ALERT + 256)
		return "BR_ERR_RECV_FATAL_ALERT";
	return "BR_ERR_UNKNOWN";
}

const char *tls_err_text(int br_err)
{
	const struct br_err_entry *e = br_err_find(br_err);

	if (e != NULL)
		return e->text;
	if (br_err >= BR_ERR_SEND_FATAL_ALERT && br_err < BR_ERR_SEND_FATAL_ALERT + 256)
		return "fatal alert sent";
	if (br_err >= BR_ERR_RECV_FATAL_ALERT && br_err < BR_ERR_RECV_FATAL_ALERT + 256)
		return "fatal alert received";
	return "unknown TLS error";
}

const char *tls_alert_name(int alert)
{
	size_t i;

	for (i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
		if (alerts[i].code == alert)
			return alerts[i].name;
	return "unknown";
}

static enum qv_err tls_err_alert(struct qv_error *e, int br_err, bool handshake)
{
	bool received = br_err < BR_ERR_SEND_FATAL_ALERT;
	int alert = br_err - (received ? BR_ERR_RECV_FATAL_ALERT : BR_ERR_SEND_FATAL_ALERT);
	const char *name = tls_alert_name(alert);

	if (received && alert == ALERT_PROTOCOL_VERSION)
		return qv_error_set(e, QV_E_TLS_PROTOCOL,
				    "server requires TLS 1.3 (unsupported) [%s: %s]",
				    tls_err_name(br_err), name);
	return qv_error_set(e, handshake ? QV_E_TLS_HANDSHAKE : QV_E_TLS_PROTOCOL,
			    "%s: %s alert %s (%d) [%s]", handshake ? "handshake failure" : "TLS error",
			    received ? "server sent" : "sent", name, alert, tls_err_name(br_err));
}

static enum qv_err tls_err_cert(struct qv_error *e, int br_err, const char *host,
				const char *cert_detail)
{
	const char *name = tls_err_name(br_err);

	if (cert_detail != NULL)
		return qv_error_set(e, QV_E_TLS_CERT, "%s [%s]", cert_detail, name);
	switch (br_err) {
	case BR_ERR_X509_EXPIRED:
		return qv_error_set(e, QV_E_TLS_CERT, "certificate expired [%s]", name);
	case BR_ERR_X509_BAD_SERVER_NAME:
		return qv_error_set(e, QV_E_TLS_CERT, "certificate does not match host %s [%s]",
				    host != NULL ? host : "?", name);
	default:
		return qv_error_set(e, QV_E_TLS_CERT, "certificate verification failed: %s [%s]",
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
		rc = qv_error_set(e, QV_E_TLS_PROTOCOL, "%s [%s]",
				  detail != NULL ? detail : "server requires TLS 1.3 (unsupported)",
				  tls_err_name(br_err));
	else if (br_err == BR_ERR_BAD_VERSION)
		rc = qv_error_set(e, QV_E_TLS_PROTOCOL, "TLS protocol error: %s [%s]",
				  tls_err_text(br_err), tls_err_name(br_err));
	else
		rc = qv_error_set(e, handshake ? QV_E_TLS_HANDSHAKE : QV_E_TLS_PROTOCOL,
				  "%s: %s [%s]", handshake ? "handshake failure" : "TLS error",
				  tls_err_text(br_err), tls_err_name(br_err));
	if (e != NULL)
		e->detail = br_err;
	return rc;
}
