/* req.h - the flag server's request-head parser (RFC 9112 §2-§3, strict).
 *
 * Server side only; the client's response parser is http/resp.h.  Like
 * picohttpparser it works on the caller's buffer, returns views into it and
 * keeps no state between calls except an optional scan position, so a head
 * that arrives in pieces is not searched again from the start. */
#ifndef QV_SERVE_REQ_H
#define QV_SERVE_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a request head, blank line included.  Real clients send well
 * under 1 KiB; the cap bounds the memory a slow or hostile client can pin. */
#define SERVE_REQ_HEAD_MAX 16384
/* Header fields per request, as for responses (DESIGN §3). */
#define SERVE_REQ_FIELDS_MAX 100

enum serve_req_status {
	SERVE_REQ_OK,          /* a complete head of req->head_len bytes */
	SERVE_REQ_INCOMPLETE,  /* no end of head yet: read more */
	SERVE_REQ_BAD,         /* malformed: answer 400 and close */
	SERVE_REQ_TOO_BIG,     /* over SERVE_REQ_HEAD_MAX or _FIELDS_MAX: 431, close */
	SERVE_REQ_VERSION,     /* HTTP-version other than 1.0 or 1.1: 505, close */
	SERVE_REQ_TE           /* Transfer-Encoding on a request: 501, close */
};

struct serve_req {
	const char *method;      /* view into the buffer, not NUL-terminated */
	size_t method_len;
	const char *target;      /* request-target as sent */
	size_t target_len;
	unsigned minor;          /* HTTP/1.minor: 0 or 1 */
	bool keep_alive;         /* the connection may serve another request */
	uint64_t content_length; /* body bytes after the head (skipped by the server) */
	size_t head_len;         /* bytes of the head, leading empty lines included */
};

/* Parse the request head at the start of buf[0..len).  *scan (in/out, may be
 * NULL) is how far an earlier call with the same buffer got looking for the
 * end of the head; set it to 0 for a new head.  On SERVE_REQ_OK req is
 * filled; on any other status req is unspecified. */
enum serve_req_status serve_req_parse(const uint8_t *buf, size_t len, size_t *scan,
				      struct serve_req *req);

#endif
