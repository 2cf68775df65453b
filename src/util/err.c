/* err.c - names and texts for enum qv_err, and the message setters. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_entry {
	enum qv_err code;
	const char *name;
	const char *text;
};

/* Indexed by code; the order must follow enum qv_err (checked by a unit test). */
static const struct err_entry err_table[QV_E__COUNT] = {
	{QV_OK, "ok", "success"},
	{QV_E_NOMEM, "nomem", "out of memory"},
	{QV_E_USAGE, "usage", "usage error"},
	{QV_E_INTERNAL, "internal", "internal error"},
	{QV_E_URL_SYNTAX, "url_syntax", "invalid URL"},
	{QV_E_URL_SCHEME, "url_scheme", "unsupported URL scheme"},
	{QV_E_URL_USERINFO, "url_userinfo", "credentials in URLs are not supported"},
	{QV_E_URL_HOST, "url_host", "invalid host in URL"},
	{QV_E_URL_PORT, "url_port", "invalid port in URL"},
	{QV_E_URL_TOO_LONG, "url_too_long", "URL too long"},
	{QV_E_DNS, "dns", "could not resolve host"},
	{QV_E_DNS_TIMEOUT, "dns_timeout", "name resolution timed out"},
	{QV_E_CONNECT, "connect", "could not connect"},
	{QV_E_CONNECT_TIMEOUT, "connect_timeout", "connection timed out"},
	{QV_E_READ_TIMEOUT, "read_timeout", "read timed out"},
	{QV_E_WRITE_TIMEOUT, "write_timeout", "write timed out"},
	{QV_E_TOTAL_TIMEOUT, "total_timeout", "transfer took longer than --max-time"},
	{QV_E_RESET, "reset", "connection reset by peer"},
	{QV_E_CLOSED, "closed", "server closed the connection without a response"},
	{QV_E_IO, "io", "network I/O error"},
	{QV_E_HTTP_SYNTAX, "http_syntax", "malformed HTTP response"},
	{QV_E_HTTP_HEADER_TOO_BIG, "http_header_too_big", "response header section too large"},
	{QV_E_HTTP_TOO_MANY_FIELDS, "http_too_many_fields", "too many response header fields"},
	{QV_E_HTTP_BAD_LENGTH, "http_bad_length", "invalid Content-Length"},
	{QV_E_HTTP_BAD_CHUNK, "http_bad_chunk", "malformed chunked encoding"},
	{QV_E_HTTP_BAD_TE, "http_bad_te", "unsupported Transfer-Encoding"},
	{QV_E_TRUNCATED, "truncated", "truncated"},
	{QV_E_HTTP_STATUS, "http_status", "HTTP error"},
	{QV_E_TOO_BIG, "too_big", "file larger than the allowed maximum"},
	{QV_E_RANGE, "range", "server answered a resume with a mismatched range"},
	{QV_E_AUTH, "auth", "authentication required"},
	{QV_E_PROXY, "proxy", "proxy error"},
	{QV_E_PROXY_AUTH, "proxy_auth", "proxy authentication required"},
	{QV_E_REDIRECT_LOOP, "redirect_loop", "redirect loop"},
	{QV_E_TOO_MANY_REDIRECTS, "too_many_redirects", "too many redirects"},
	{QV_E_REDIRECT_SCHEME, "redirect_scheme", "redirect to an unsupported scheme"},
	{QV_E_REDIRECT_DOWNGRADE, "redirect_downgrade", "redirect from https to http refused"},
	{QV_E_REDIRECT_NO_LOCATION, "redirect_no_location", "redirect without Location"},
	{QV_E_TLS_HANDSHAKE, "tls_handshake", "TLS handshake failure"},
	{QV_E_TLS_CERT, "tls_cert", "certificate verification failed"},
	{QV_E_TLS_PROTOCOL, "tls_protocol", "TLS protocol error"},
	{QV_E_TLS_NO_CA, "tls_no_ca", "no CA certificates found"},
	{QV_E_TLS_PEM, "tls_pem", "invalid PEM file"},
	{QV_E_FILE, "file", "file error"},
	{QV_E_NOSPACE, "nospace", "no space left on device"},
	{QV_E_NAME, "name", "unsafe file name"},
	{QV_E_EXISTS, "exists", "output file collision"},
	{QV_E_CHECKSUM, "checksum", "checksum mismatch"},
	{QV_E_PIPE, "pipe", "standard output was closed"},
	{QV_E_INTERRUPTED, "interrupted", "interrupted"},
};

static const struct err_entry *err_lookup(enum qv_err code)
{
	if ((unsigned)code >= (unsigned)QV_E__COUNT)
		return NULL;
	return &err_table[code];
}

const char *qv_err_name(enum qv_err code)
{
	const struct err_entry *e = err_lookup(code);
	return e != NULL ? e->name : "unknown";
}

const char *qv_err_text(enum qv_err code)
{
	const struct err_entry *e = err_lookup(code);
	return e != NULL ? e->text : "unknown error";
}

__attribute__((format(printf, 4, 0))) static void error_vset(struct qv_error *e, enum qv_err code,
							       int err, const char *fmt, va_list ap)
{
	int n;

	e->code = code;
	e->sys_errno = err;
	e->detail = 0;
	n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	if (n < 0) {
		e->msg[0] = '\0';
		n = 0;
	}
	if (err != 0 && (size_t)n < sizeof e->msg)
		(void)snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", strerror(err));
}

enum qv_err qv_error_set(struct qv_error *e, enum qv_err code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	error_vset(e, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

enum qv_err qv_error_sys(struct qv_error *e, enum qv_err code, int err, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	va_start(ap, fmt);
	error_vset(e, code, err, fmt, ap);
	va_end(ap);
	return code;
}

void qv_error_clear(struct qv_error *e)
{
	if (e == NULL)
		return;
	e->code = QV_OK;
	e->sys_errno = 0;
	e->detail = 0;
	e->msg[0] = '\0';
}
