/* content.h - what the flag server answers: the built-in flags and their
 * metadata (generated once at start), files from a --dir tree, and canned
 * status responses.
 *
 * A response is a head (status line and fields, but no Connection field
 * and no blank line: the connection adds those) and a body.  Built-in and
 * canned responses are shared and immutable; a --dir response owns one
 * malloc'd block the connection frees after sending. */
#ifndef QV_SERVE_CONTENT_H
#define QV_SERVE_CONTENT_H

#include <stddef.h>
#include <stdint.h>

#include "serve/route.h"
#include "util/err.h"

/* Largest file served from --dir.  The book's flags are under 64 KiB; a
 * cap keeps one request from pinning a big file in memory. */
#define SERVE_FILE_MAX (8u * 1024u * 1024u)

struct serve_resp {
	const uint8_t *head;
	size_t head_len;
	const uint8_t *body;
	size_t body_len;
	uint8_t *owned;   /* free() after sending, or NULL when shared */
};

struct serve_content;

/* Build the built-in flags (dir == NULL) or remember dir (copied; checked
 * to be a directory).  Errors: QV_E_NOMEM, QV_E_FILE (dir unusable). */
enum qv_err serve_content_new(struct serve_content **out, const char *dir, struct qv_error *err);

/* Free everything, including the shared responses.  Accepts NULL. */
void serve_content_free(struct serve_content *ct);

/* The 200 response for (cc, kind), or the canned 404 (unknown code, no such
 * file) or 500 (unreadable, too big, out of memory) response. */
void serve_content_get(const struct serve_content *ct, const char cc[2], enum serve_kind kind,
		       struct serve_resp *out);

/* A canned response with a short text/plain body for one of the statuses
 * the server sends: 400, 404, 405, 418, 431, 500, 501, 503, 505. */
void serve_content_status(const struct serve_content *ct, int status, struct serve_resp *out);

#endif
