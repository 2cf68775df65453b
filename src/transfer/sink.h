/* sink.h - where body bytes go.  A small interface so the transfer machine
 * stays free of file I/O details and tests can use a memory sink.
 *
 * The file sink (sink_file.c) writes DIR/NAME.part and renames it over
 * DIR/NAME only on success; on failure it removes the .part (or keeps it when
 * resuming is enabled).  Nothing partial ever appears under the final name. */
#ifndef QV_TRANSFER_SINK_H
#define QV_TRANSFER_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct sink;

struct sink_ops {
	/* A new response body begins (after redirects/retries); discard anything
	 * written before.  offset is where it starts (non-zero when resuming). */
	enum qv_err (*begin)(struct sink *s, uint64_t offset, struct qv_error *err);
	enum qv_err (*write)(struct sink *s, const uint8_t *p, size_t n, struct qv_error *err);
	/* The body is complete and verified: make it final (rename). */
	enum qv_err (*commit)(struct sink *s, struct qv_error *err);
	/* The transfer failed: remove partial data (or keep it for resume). */
	void (*abort)(struct sink *s);
};

struct sink {
	const struct sink_ops *ops;
	/* Bytes already on disk that a resume may continue from (0: none). */
	uint64_t resume_from;
};

#endif
