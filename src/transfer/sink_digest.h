/* sink_digest.h - a sink that hashes the body on its way to another sink
 * (SHA-256 and/or SHA-512, BearSSL's) and, given a wanted digest, lets the
 * commit through only when the body has it.
 *
 * A resumed body (begin at an offset it has not hashed) is hashed from the
 * inner sink's own bytes first (its replay op), so the digest always covers
 * the whole file.  A mismatch fails commit with QV_E_CHECKSUM ("checksum
 * mismatch: want sha-256 ab12..., got cd34...") and the abort that follows
 * discards the inner sink's data even when it keeps a .part for resuming: a
 * complete body with the wrong digest cannot become right by resuming it,
 * and the next run would only meet the same bytes again. */
#ifndef QV_TRANSFER_SINK_DIGEST_H
#define QV_TRANSFER_SINK_DIGEST_H

#include <bearssl_hash.h>
#include <stdbool.h>
#include <stdint.h>

#include "transfer/sink.h"
#include "util/digest.h"

/* The algorithms to compute: a mask of these. */
#define SINK_DIGEST_SHA256 (1u << DIGEST_SHA256)
#define SINK_DIGEST_SHA512 (1u << DIGEST_SHA512)

struct sink_digest {
	struct sink base;           /* first member */
	/* private state */
	struct sink *inner;         /* not owned */
	unsigned algos;
	struct digest_want want;    /* algo DIGEST_NONE: report only */
	bool bad;                   /* the commit found a mismatch */
	bool done;                  /* sums[] are final */
	uint64_t hashed;            /* body bytes hashed so far */
	br_sha256_context s256;
	br_sha512_context s512;
	uint8_t sum256[32];
	uint8_t sum512[64];
};

/* Wrap inner (its struct sink fields are carried over), computing the
 * algos of the mask plus want's (want may be NULL).  No allocation. */
void sink_digest_init(struct sink_digest *d, struct sink *inner, unsigned algos,
		      const struct digest_want *want);

struct sink *sink_digest_sink(struct sink_digest *d);

/* The lower-case hex digest of algorithm a into out (DIGEST_HEX_MAX
 * bytes), once the body is complete (after a commit, also a refused one);
 * false before or when a was not computed. */
bool sink_digest_hex(const struct sink_digest *d, enum digest_algo a, char *out);

#endif
