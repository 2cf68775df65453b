/* sink_mem.c - the in-memory sink (see sink_mem.h). */
#include "transfer/sink_mem.h"

#include <string.h>

static struct sink_mem *mem_from(struct sink *s)
{
	/* base is the first member, so the two pointers coincide. */
	return (struct sink_mem *)(void *)s;
}

static bool mem_ended(struct sink_mem *m)
{
	if (m->committed || m->aborted) {
		m->late_calls++;
		return true;
	}
	return false;
}

static enum qv_err mem_begin(struct sink *s, uint64_t offset, const struct sink_meta *meta,
			     struct qv_error *err)
{
	struct sink_mem *m = mem_from(s);

	if (mem_ended(m))
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: begin after the end");
	if (offset > m->len)
		return qv_error_set(err, QV_E_FILE, "cannot resume: have %zu bytes, asked for %llu",
				    m->len, (unsigned long long)offset);
	if (m->base.no_rewind && offset != m->len)
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: rewound to %llu of %zu",
				    (unsigned long long)offset, m->len);
	m->begins++;
	m->last_offset = offset;
	m->validator = meta != NULL && meta->validator != NULL ? meta->validator : "";
	m->has_mtime = meta != NULL && meta->has_mtime;
	m->mtime = m->has_mtime ? meta->mtime : 0;
	m->len = (size_t)offset;
	return QV_OK;
}

static enum qv_err mem_write(struct sink *s, const uint8_t *p, size_t n, struct qv_error *err)
{
	struct sink_mem *m = mem_from(s);

	if (mem_ended(m))
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: write after the end");
	if (m->begins == 0)
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: write before begin");
	if (n > m->cap - m->len)
		return qv_error_set(err, QV_E_NOSPACE, "no space left in the memory buffer");
	if (n > 0)
		memcpy(m->buf + m->len, p, n);
	m->len += n;
	m->writes++;
	return QV_OK;
}

static enum qv_err mem_commit(struct sink *s, struct qv_error *err)
{
	struct sink_mem *m = mem_from(s);

	if (mem_ended(m))
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: commit after the end");
	if (m->begins == 0)
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: commit before begin");
	m->committed = true;
	return QV_OK;
}

static void mem_abort(struct sink *s)
{
	struct sink_mem *m = mem_from(s);

	if (mem_ended(m))
		return;
	m->aborted = true;
}

static enum qv_err mem_replay(struct sink *s, uint64_t n, sink_replay_fn fn, void *ctx,
			      struct qv_error *err)
{
	struct sink_mem *m = mem_from(s);

	if (n > m->len)
		return qv_error_set(err, QV_E_INTERNAL, "memory sink: replay past the end");
	fn(ctx, m->buf, (size_t)n);
	return QV_OK;
}

static void mem_discard(struct sink *s)
{
	mem_from(s)->discarded = true;
	mem_abort(s);
}

static const struct sink_ops sink_mem_ops = {
	.begin = mem_begin,
	.write = mem_write,
	.commit = mem_commit,
	.abort = mem_abort,
	.replay = mem_replay,
	.discard = mem_discard,
};

void sink_mem_init(struct sink_mem *m, uint8_t *buf, size_t cap, size_t existing)
{
	memset(m, 0, sizeof *m);
	m->base.ops = &sink_mem_ops;
	m->buf = buf;
	m->cap = cap;
	m->len = existing <= cap ? existing : cap;
	m->base.resume_from = m->len;
}

struct sink *sink_mem_sink(struct sink_mem *m)
{
	return &m->base;
}
