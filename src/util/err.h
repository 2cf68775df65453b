/* err.h - the one error type of quiver: an enum code plus a detail context.
 *
 * Every function that can fail in a way someone must hear about (bad input,
 * the system, memory) returns enum qv_err (QV_OK on success) and, when it
 * can say more, fills a struct qv_error with the errno, BearSSL code or HTTP
 * status and a human message.  Only cli/ prints; lower layers fill these.
 * The other shapes are not failures: a predicate or a "does it fit" answers
 * with a bool, a parser reports its progress with its own enum (and the
 * error through a qv_error), a static helper whose caller turns "no" into an
 * error may answer with a bool, and a function that cannot fail (the
 * formatters of cli/fmt.h, given their FMT_MAX bytes) returns void.  An
 * event that ends something nobody reports, such as a served connection the
 * client dropped, is not an error either (serve/conn.c). */
#ifndef QV_UTIL_ERR_H
#define QV_UTIL_ERR_H

#include <stddef.h>

enum qv_err {
	QV_OK = 0,
	QV_E_NOMEM,            /* allocation failed */
	QV_E_USAGE,            /* bad command-line argument */
	QV_E_INTERNAL,         /* a bug: an invariant did not hold */
	/* URLs */
	QV_E_URL_SYNTAX,       /* not a valid RFC 3986 URL */
	QV_E_URL_SCHEME,       /* a scheme other than http/https */
	QV_E_URL_USERINFO,     /* user:pass@ in the URL (refused) */
	QV_E_URL_HOST,         /* empty or invalid host */
	QV_E_URL_PORT,         /* port not in 1..65535 */
	QV_E_URL_TOO_LONG,     /* longer than URL_MAX */
	/* network */
	QV_E_DNS,              /* name resolution failed */
	QV_E_DNS_TIMEOUT,      /* name resolution took too long */
	QV_E_CONNECT,          /* connection refused / unreachable */
	QV_E_CONNECT_TIMEOUT,  /* connect did not complete in time */
	QV_E_READ_TIMEOUT,     /* no byte received for the idle timeout */
	QV_E_WRITE_TIMEOUT,    /* could not send for the idle timeout */
	QV_E_TOTAL_TIMEOUT,    /* --max-time exceeded */
	QV_E_RESET,            /* connection reset by peer */
	QV_E_CLOSED,           /* closed before any response byte */
	QV_E_IO,               /* other socket error */
	/* HTTP */
	QV_E_HTTP_SYNTAX,      /* malformed status line or header */
	QV_E_HTTP_HEADER_TOO_BIG, /* header section over HTTP_HEAD_MAX */
	QV_E_HTTP_TOO_MANY_FIELDS, /* more than HTTP_FIELDS_MAX fields */
	QV_E_HTTP_BAD_LENGTH,  /* invalid or conflicting Content-Length */
	QV_E_HTTP_BAD_CHUNK,   /* malformed chunked encoding */
	QV_E_HTTP_BAD_TE,      /* unsupported Transfer-Encoding */
	QV_E_TRUNCATED,        /* body shorter than its framing said */
	QV_E_HTTP_STATUS,      /* a non-2xx final status */
	QV_E_TOO_BIG,          /* body larger than --max-filesize */
	QV_E_RANGE,            /* resume answer did not match the request */
	QV_E_AUTH,             /* 401: the origin wants (other) credentials */
	QV_E_PROXY,            /* the proxy refused or garbled a CONNECT */
	QV_E_PROXY_AUTH,       /* 407: the proxy wants (other) credentials */
	/* redirects */
	QV_E_REDIRECT_LOOP,
	QV_E_TOO_MANY_REDIRECTS,
	QV_E_REDIRECT_SCHEME,  /* Location with a scheme other than http/https */
	QV_E_REDIRECT_DOWNGRADE, /* https -> http without --allow-downgrade */
	QV_E_REDIRECT_NO_LOCATION,
	/* TLS */
	QV_E_TLS_HANDSHAKE,
	QV_E_TLS_CERT,         /* certificate verification failed */
	QV_E_TLS_PROTOCOL,     /* protocol version / alert */
	QV_E_TLS_NO_CA,        /* no trust anchors found */
	QV_E_TLS_PEM,          /* unreadable PEM */
	/* files */
	QV_E_FILE,             /* open/write/rename failed */
	QV_E_NOSPACE,          /* ENOSPC or EFBIG */
	QV_E_NAME,             /* unsafe or empty output file name */
	QV_E_EXISTS,           /* output already exists / collision */
	QV_E_CHECKSUM,         /* the body's digest is not the one wanted */
	QV_E_PIPE,             /* standard output was closed (EPIPE) */
	QV_E_INTERRUPTED,      /* SIGINT/SIGTERM */
	QV_E__COUNT
};

/* Bytes of a message; long enough for a URL excerpt and an address. */
#define QV_ERROR_MSG_MAX 256

struct qv_error {
	enum qv_err code;
	int sys_errno;   /* errno when a system call failed, else 0 */
	int detail;      /* BR_ERR_* code or HTTP status, else 0 */
	char msg[QV_ERROR_MSG_MAX]; /* full user-facing text, NUL-terminated */
};

/* Short stable identifier, e.g. "connect_timeout" (used in --json). */
const char *qv_err_name(enum qv_err code);
/* Generic text, e.g. "connection timed out". Never NULL. */
const char *qv_err_text(enum qv_err code);

/* Set code and a printf-formatted message; returns code so callers can
 * `return qv_error_set(e, ...)`.  e may be NULL (then only code is returned). */
enum qv_err qv_error_set(struct qv_error *e, enum qv_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, recording errno too; the message gets ": strerror(errno)" appended. */
enum qv_err qv_error_sys(struct qv_error *e, enum qv_err code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void qv_error_clear(struct qv_error *e);

#endif
