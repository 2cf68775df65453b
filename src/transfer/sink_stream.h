/* sink_stream.h - the sink of `get -O -`: the body goes to a descriptor
 * (standard output) as it arrives.  Nothing touches the disk, and nothing
 * written can be taken back (base.no_rewind): a retry after some bytes went
 * out continues after them or the transfer fails (transfer.h).  A reader
 * that went away (EPIPE; SIGPIPE is ignored process-wide) is QV_E_PIPE, so
 * the command can end quietly. */
#ifndef QV_TRANSFER_SINK_STREAM_H
#define QV_TRANSFER_SINK_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "transfer/sink.h"

struct sink_stream {
	struct sink base;           /* first member */
	int fd;                     /* not owned */
	uint64_t written;           /* bytes out so far, over every attempt */
};

/* Write to fd (blocking or not: a full non-blocking pipe is waited on). */
void sink_stream_init(struct sink_stream *s, int fd);

struct sink *sink_stream_sink(struct sink_stream *s);

#endif
