/* sink.h - where body bytes go.  A small interface so the transfer machine
 * stays free of file I/O details and tests can use a memory sink.
 *
 * The file sink (sink_file.c) writes DIR/NAME.part and renames it over
 * DIR/NAME only on success; on failure it removes the .part (or keeps it when
 * resuming is enabled).  Nothing partial ever appears under the final name.
 * The stream sink (sink_stream.c) writes standard output, which cannot take
 * bytes back; the digest sink (sink_digest.c) wraps either, hashing what
 * passes and refusing a commit whose digest is not the one wanted. */
#ifndef QV_TRANSFER_SINK_H
#define QV_TRANSFER_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Bytes of a validator, NUL included: a strong ETag as the response parser
 * keeps one (HTTP_ETAG_MAX) or an HTTP-date. */
#define SINK_VALIDATOR_MAX 128

struct sink;

/* What the response said about the body that begins. */
struct sink_meta {
	/* Its validator: a strong ETag, else a strong Last-Modified as an
	 * HTTP-date, else "".  A later resume sends it as If-Range, so the
	 * bytes kept and the bytes fetched are of one version (DESIGN §8). */
	const char *validator;
	bool has_mtime;
	int64_t mtime;              /* Last-Modified, Unix seconds */
};

/* Receives bytes a sink already holds (replay). */
typedef void (*sink_replay_fn)(void *ctx, const uint8_t *p, size_t n);

struct sink_ops {
	/* A new response body begins (after redirects/retries); discard anything
	 * written before.  offset is where it starts (non-zero when resuming).
	 * meta may be NULL (nothing known). */
	enum qv_err (*begin)(struct sink *s, uint64_t offset, const struct sink_meta *meta,
			     struct qv_error *err);
	enum qv_err (*write)(struct sink *s, const uint8_t *p, size_t n, struct qv_error *err);
	/* The body is complete and verified: make it final (rename). */
	enum qv_err (*commit)(struct sink *s, struct qv_error *err);
	/* The transfer failed: remove partial data (or keep it for resume). */
	void (*abort)(struct sink *s);
	/* Optional (NULL: cannot).  Right after begin(offset): hand the first
	 * n <= offset bytes already held to fn, in order (the digest of a
	 * resumed body covers the .part too). */
	enum qv_err (*replay)(struct sink *s, uint64_t n, sink_replay_fn fn, void *ctx,
			      struct qv_error *err);
	/* Optional (NULL: abort does).  abort() for data known to be bad (it
	 * failed its checksum): nothing is kept, not even for a resume. */
	void (*discard)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	/* Bytes already held that a resume may continue from (0: none), and
	 * the validator of the response they came from ("" or NULL: none). */
	uint64_t resume_from;
	const char *resume_validator;
	/* The final file exists, last modified at ims: ask If-Modified-Since
	 * (-N), and a 304 leaves it as it is. */
	bool has_ims;
	int64_t ims;
	/* Bytes given to write() cannot be taken back (standard output): once
	 * some went out, a retry must resume after them or fail. */
	bool no_rewind;
};

#endif
