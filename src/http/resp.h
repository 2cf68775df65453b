/* resp.h - incremental HTTP/1.1 response-head parser (sans-I/O, no malloc).
 *
 * Fed any split of the bytes (one at a time or all at once) it gives the
 * same result.  It keeps only the fields quiver acts on, copied into fixed
 * buffers, and enforces the limits of DESIGN §3: status line and every field
 * checked strictly (no obs-fold, no bare CR, no NUL, no space before ':'),
 * header section at most HTTP_HEAD_MAX bytes and HTTP_FIELDS_MAX fields.
 * 1xx interim responses are consumed and skipped (the parser restarts on
 * the next status line; limits count per head), except 101 which is an error
 * for a GET.  Bare LF is accepted as a line end (RFC 9112 §2.2).
 *
 * Framing, decided at the end of the head (RFC 9112 §6.3): HEAD, 204 and 304
 * have no body (stray bytes after them are not consumed, and a 204/304
 * connection is never reused); else Transfer-Encoding, which must be exactly
 * "chunked" since quiver sends no TE (anything else: QV_E_HTTP_BAD_TE), and
 * wins over Content-Length (the connection is then not reused, nor after an
 * HTTP/1.0 chunked response); else Content-Length (1*DIGIT <= 2^63-1, equal
 * duplicates allowed, else QV_E_HTTP_BAD_LENGTH); else read to close.
 * Syntax errors are QV_E_HTTP_SYNTAX with "malformed HTTP response: ...". */
#ifndef QV_HTTP_RESP_H
#define QV_HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Header section cap: 64 KiB, as in DESIGN §3 (nginx's default large buffer
 * is 8 KiB x 4; 64 KiB leaves room for big cookies yet bounds memory). */
#define HTTP_HEAD_MAX (64u * 1024u)
/* Field count cap (DESIGN §3); real responses carry 10-30. */
#define HTTP_FIELDS_MAX 100
/* Sizes of the kept values: a longer Location is an error
 * (QV_E_HTTP_HEADER_TOO_BIG); a longer reason phrase or Content-Type is cut. */
#define HTTP_REASON_MAX 128
#define HTTP_LOCATION_MAX 8192
#define HTTP_CTYPE_MAX 128
/* A kept ETag, quotes and NUL included: real ones are 10-70 bytes (nginx
 * "mtime-size", S3 "md5-parts"); a longer one is not kept, which costs a
 * resume only a restart from byte 0. */
#define HTTP_ETAG_MAX 128
/* Other kept values (Content-Length, Connection, Transfer-Encoding,
 * Content-Range, Retry-After, ETag, Last-Modified, Date, and a repeated
 * Location to compare) are parsed from a buffer this big; a longer one is
 * treated as unreadable. */
#define HTTP_VALUE_MAX 512

enum http_framing {
	HTTP_BODY_NONE = 0,   /* HEAD, 1xx, 204, 304: no body bytes at all */
	HTTP_BODY_LENGTH,     /* Content-Length: exactly content_length bytes */
	HTTP_BODY_CHUNKED,    /* Transfer-Encoding: chunked */
	HTTP_BODY_CLOSE       /* read until the server closes */
};

struct http_resp {
	int status;                       /* 100..599 */
	int minor;                        /* HTTP/1.x: x (0 or 1) */
	char reason[HTTP_REASON_MAX];     /* reason phrase, cut to fit */
	enum http_framing framing;        /* decided at end of head */
	bool has_length;                  /* Content-Length valid and used (also
					   * for HEAD/204/304; false with TE) */
	uint64_t content_length;
	bool keep_alive;                  /* connection may be reused after the body */
	bool has_location;                /* a non-empty Location (two that
					   * differ: QV_E_HTTP_SYNTAX) */
	bool has_content_range;           /* "bytes A-B/N" or "bytes * /N" parsed */
	bool range_unsatisfied;           /* the "bytes * /N" form */
	uint64_t range_first, range_last, range_total; /* total UINT64_MAX when "*" */
	bool has_retry_after;
	uint32_t retry_after_s;           /* delta-seconds form only, capped at
					   * one day */
	char content_type[HTTP_CTYPE_MAX];
	/* A strong entity-tag (RFC 9110 §8.8.3) with its quotes: "" when none
	 * was sent, or a weak, malformed, over-long or second one (a resume
	 * then has no validator rather than a doubtful one). */
	char etag[HTTP_ETAG_MAX];
	bool has_last_modified, has_date; /* a valid HTTP-date (http/date.h) */
	int64_t last_modified, date;      /* Unix seconds */
	/* Raw Location value, trimmed ("" when none), in the buffer given to
	 * http_resp_init. */
	const char *location;
};

/* How far http_resp_feed got: the parser's progress, not an HTTP status
 * (that is struct http_resp's status). */
enum http_resp_progress {
	HTTP_RESP_NEED_MORE = 0,  /* all input consumed, head not complete yet */
	HTTP_RESP_DONE,           /* head complete; *consumed stops at the first body byte */
	HTTP_RESP_ERROR           /* see the qv_error; the parser stays in error */
};

/* Transfer-Encoding codings, accumulated over every field of a head
 * (private to the parser). */
struct http_te {
	unsigned codings;   /* codings listed */
	unsigned chunked;   /* of which "chunked" */
	bool last_chunked;  /* the last coding listed was chunked */
};

struct http_resp_parser {
	/* private state (its fields may change; use the functions); set by
	 * http_resp_init */
	int state;
	int pos;                  /* chars of "HTTP/1." or status digits matched */
	uint32_t head_bytes;      /* bytes of the current head so far */
	uint32_t fields;          /* fields in the current head */
	uint32_t reason_len;
	bool request_was_head;
	bool request_was_connect;
	bool interim;             /* current head is 1xx: fields checked, not kept */
	char name[32];            /* current field name, lower-cased; longer names are not kept */
	uint32_t name_len;
	int field;                /* which kept field the current line is (0: none) */
	uint32_t value_len;       /* bytes of the current kept value */
	bool value_overflow;      /* the kept value did not fit in value[] */
	int num;                  /* status digits accumulator */
	/* seen-field tracking for the end-of-head framing decision */
	bool te_present;
	struct http_te te;
	bool conn_close;
	bool conn_keep_alive;
	bool cl_seen;             /* a valid Content-Length value is stored */
	bool etag_seen;           /* an ETag field came: a second one clears it */
	int cl_err;               /* first Content-Length problem (0: none) */
	enum qv_err err;
	/* current kept value; a first Location goes to loc instead */
	char value[HTTP_VALUE_MAX];
	char *loc;                /* the caller's Location buffer */
	uint32_t loc_cap;
	struct http_resp resp;
};

/* Prepare to parse the response to a request; request_was_head tells that the
 * response has no body whatever its headers say.  A Location value goes to
 * location (cap bytes, at least 1, at most HTTP_LOCATION_MAX used), which
 * must outlive p; a longer one is QV_E_HTTP_HEADER_TOO_BIG.  The caller owns
 * that buffer so that it can sit next to its other text: only the bytes of
 * an actual Location are ever written there. */
void http_resp_init(struct http_resp_parser *p, bool request_was_head, char *location,
		    size_t cap);

/* After http_resp_init: the request was a CONNECT, so a 2xx answer ends at
 * its head (no body, whatever its fields say; the bytes after it belong to
 * the tunnel) and any other status is framed as usual. */
void http_resp_expect_connect(struct http_resp_parser *p);

/* Consume bytes.  *consumed is set to the bytes used (on HTTP_RESP_DONE, the body
 * starts at buf + *consumed).  On HTTP_RESP_ERROR err is filled (may be NULL). */
enum http_resp_progress http_resp_feed(struct http_resp_parser *p, const uint8_t *buf, size_t len,
				       size_t *consumed, struct qv_error *err);

/* The parsed head; valid after HTTP_RESP_DONE. */
const struct http_resp *http_resp_get(const struct http_resp_parser *p);

#endif
