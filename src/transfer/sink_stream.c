/* sink_stream.c - body bytes to a descriptor (see sink_stream.h). */
#include "transfer/sink_stream.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static struct sink_stream *stream_from(struct sink *sk)
{
	return (struct sink_stream *)(void *)sk; /* base is the first member */
}

static enum qv_err stream_begin(struct sink *sk, uint64_t offset, const struct sink_meta *meta,
				struct qv_error *err)
{
	struct sink_stream *s = stream_from(sk);

	(void)meta;
	/* the machine resumes exactly after what went out (no_rewind) */
	if (offset != s->written)
		return qv_error_set(err, QV_E_INTERNAL,
				    "standard output: a body restarting at byte %llu after %llu went out",
				    (unsigned long long)offset, (unsigned long long)s->written);
	return QV_OK;
}

static enum qv_err stream_write(struct sink *sk, const uint8_t *p, size_t n, struct qv_error *err)
{
	struct sink_stream *s = stream_from(sk);

	while (n > 0) {
		ssize_t w = write(s->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* a non-blocking pipe we inherited: wait until it drains */
			struct pollfd pfd = {s->fd, POLLOUT, 0};

			(void)poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0 && errno == EPIPE)
			return qv_error_set(err, QV_E_PIPE, "standard output was closed");
		if (w <= 0)
			return qv_error_sys(err, QV_E_FILE, w < 0 ? errno : EIO,
					    "cannot write to standard output");
		p += w;
		n -= (size_t)w;
		s->written += (uint64_t)w;
	}
	return QV_OK;
}

static enum qv_err stream_commit(struct sink *sk, struct qv_error *err)
{
	(void)sk;
	(void)err;
	return QV_OK;
}

static void stream_abort(struct sink *sk)
{
	(void)sk;
}

static const struct sink_ops sink_stream_ops = {
	.begin = stream_begin,
	.write = stream_write,
	.commit = stream_commit,
	.abort = stream_abort,
};

void sink_stream_init(struct sink_stream *s, int fd)
{
	memset(s, 0, sizeof *s);
	s->base.ops = &sink_stream_ops;
	s->base.no_rewind = true;
	s->fd = fd;
}

struct sink *sink_stream_sink(struct sink_stream *s)
{
	return &s->base;
}
