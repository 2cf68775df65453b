/* sink_digest.c - hashing and checking sink (see sink_digest.h). */
#include "transfer/sink_digest.h"

#include <stdio.h>
#include <string.h>

static struct sink_digest *digest_from(struct sink *sk)
{
	return (struct sink_digest *)(void *)sk; /* base is the first member */
}

static void digest_take(void *ctx, const uint8_t *p, size_t n)
{
	struct sink_digest *d = ctx;

	if (d->algos & SINK_DIGEST_SHA256)
		br_sha256_update(&d->s256, p, n);
	if (d->algos & SINK_DIGEST_SHA512)
		br_sha512_update(&d->s512, p, n);
	d->hashed += n;
}

static void digest_reset(struct sink_digest *d)
{
	br_sha256_init(&d->s256);
	br_sha512_init(&d->s512);
	d->hashed = 0;
	d->done = false;
	d->bad = false;
}

static enum qv_err digest_begin(struct sink *sk, uint64_t offset, const struct sink_meta *meta,
				struct qv_error *err)
{
	struct sink_digest *d = digest_from(sk);
	enum qv_err rc = d->inner->ops->begin(d->inner, offset, meta, err);

	/* a body continuing right after what was hashed (standard output's
	 * resume) goes on; any other start hashes the bytes before it again */
	if (rc != QV_OK || offset == d->hashed)
		return rc;
	digest_reset(d);
	if (offset == 0)
		return QV_OK;
	if (d->inner->ops->replay == NULL)
		return qv_error_set(err, QV_E_INTERNAL, "cannot hash the bytes a resume keeps");
	return d->inner->ops->replay(d->inner, offset, digest_take, d, err);
}

static enum qv_err digest_write(struct sink *sk, const uint8_t *p, size_t n, struct qv_error *err)
{
	struct sink_digest *d = digest_from(sk);

	digest_take(d, p, n);
	return d->inner->ops->write(d->inner, p, n, err);
}

static void digest_finish(struct sink_digest *d)
{
	if (d->done)
		return;
	if (d->algos & SINK_DIGEST_SHA256)
		br_sha256_out(&d->s256, d->sum256);
	if (d->algos & SINK_DIGEST_SHA512)
		br_sha512_out(&d->s512, d->sum512);
	d->done = true;
}

static const uint8_t *digest_sum(const struct sink_digest *d, enum digest_algo a)
{
	return a == DIGEST_SHA512 ? d->sum512 : d->sum256;
}

/* "want sha-256 HEX, got HEX": a SHA-512 pair is cut to fit the message. */
static enum qv_err digest_mismatch(struct sink_digest *d, struct qv_error *err)
{
	char want[DIGEST_HEX_MAX], got[DIGEST_HEX_MAX];
	size_t len = digest_len(d->want.algo);
	int show = len > 32 ? 56 : 64;

	digest_hex(d->want.sum, len, want);
	digest_hex(digest_sum(d, d->want.algo), len, got);
	return qv_error_set(err, QV_E_CHECKSUM, "checksum mismatch: want %s %.*s%s, got %.*s%s",
			    digest_algo_name(d->want.algo), show, want, len > 32 ? "..." : "", show,
			    got, len > 32 ? "..." : "");
}

static enum qv_err digest_commit(struct sink *sk, struct qv_error *err)
{
	struct sink_digest *d = digest_from(sk);
	size_t len = digest_len(d->want.algo);

	digest_finish(d);
	if (len > 0 && memcmp(digest_sum(d, d->want.algo), d->want.sum, len) != 0) {
		d->bad = true;
		return digest_mismatch(d, err);
	}
	return d->inner->ops->commit(d->inner, err);
}

static void digest_abort(struct sink *sk)
{
	struct sink_digest *d = digest_from(sk);

	if (d->bad && d->inner->ops->discard != NULL)
		d->inner->ops->discard(d->inner);
	else
		d->inner->ops->abort(d->inner);
}

static const struct sink_ops sink_digest_ops = {
	.begin = digest_begin,
	.write = digest_write,
	.commit = digest_commit,
	.abort = digest_abort,
};

void sink_digest_init(struct sink_digest *d, struct sink *inner, unsigned algos,
		      const struct digest_want *want)
{
	memset(d, 0, sizeof *d);
	d->base = *inner;
	d->base.ops = &sink_digest_ops;
	d->inner = inner;
	if (want != NULL)
		d->want = *want;
	d->algos = algos | (d->want.algo != DIGEST_NONE ? 1u << d->want.algo : 0u);
	digest_reset(d);
}

struct sink *sink_digest_sink(struct sink_digest *d)
{
	return &d->base;
}

bool sink_digest_hex(const struct sink_digest *d, enum digest_algo a, char *out)
{
	if (!d->done || a == DIGEST_NONE || !(d->algos & (1u << a)))
		return false;
	digest_hex(digest_sum(d, a), digest_len(a), out);
	return true;
}
