/* sink_mem.h - a sink that keeps the body in a caller-supplied buffer.
 *
 * For tests (and small in-memory fetches such as flags3's metadata.json).
 * It records every call so a test can check the machine's use of the sink
 * interface: begin offsets, exactly one commit or abort, nothing after it. */
#ifndef QV_TRANSFER_SINK_MEM_H
#define QV_TRANSFER_SINK_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transfer/sink.h"
#include "util/err.h"

struct sink_mem {
	struct sink base;           /* first member: &m->base is the sink */
	uint8_t *buf;               /* not owned */
	size_t cap;
	size_t len;                 /* bytes held (the body, after commit) */
	unsigned begins;            /* begin() calls */
	uint64_t last_offset;       /* offset of the last begin() */
	unsigned writes;
	bool committed;
	bool aborted;
	bool discarded;             /* discard(): the data was known bad */
	const char *validator;      /* the last begin()'s meta (the caller's
				     * text, read while it lives) */
	bool has_mtime;
	int64_t mtime;
	unsigned late_calls;        /* calls after commit/abort: always a bug */
};

/* Use buf (cap bytes) for the body.  With base.no_rewind set (a test of
 * standard output's rules) a begin() anywhere but at the end is an error.  The first `existing` bytes of buf are a
 * partial body from an earlier run: resume_from is set to it, as the file sink
 * does for a .part file.  A body longer than cap fails with QV_E_NOSPACE. */
void sink_mem_init(struct sink_mem *m, uint8_t *buf, size_t cap, size_t existing);

struct sink *sink_mem_sink(struct sink_mem *m);

#endif
