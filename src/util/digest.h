/* digest.h - the digests quiver checks and reports (SHA-256, SHA-512): their
 * names, lengths, hex text and the "ALGO=HEX" spelling of aria2c's
 * --checksum.  Pure text functions; the hashing itself is BearSSL's, in
 * transfer/sink_digest.c, so the checksum-file and list parsers that use
 * these need no crypto to be fuzzed. */
#ifndef QV_UTIL_DIGEST_H
#define QV_UTIL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum digest_algo { DIGEST_NONE = 0, DIGEST_SHA256, DIGEST_SHA512 };

/* Bytes of the longest digest (SHA-512). */
#define DIGEST_MAX 64
/* Its hex text and the NUL. */
#define DIGEST_HEX_MAX (2 * DIGEST_MAX + 1)

/* A digest a body must have. */
struct digest_want {
	enum digest_algo algo;      /* DIGEST_NONE: nothing to check */
	uint8_t sum[DIGEST_MAX];
};

/* "sha-256" or "sha256", "sha-512" or "sha512", any case (aria2c, GNU and
 * BSD tools); false for anything else. */
bool digest_algo_parse(const char *s, size_t n, enum digest_algo *out);
/* "sha-256" / "sha-512" (how messages name it). */
const char *digest_algo_name(enum digest_algo a);
/* "sha256" / "sha512" (the --json key). */
const char *digest_algo_key(enum digest_algo a);
/* Bytes of a digest of a: 32 or 64 (0 for DIGEST_NONE). */
size_t digest_len(enum digest_algo a);

/* Exactly 2 * len hex digits, either case, into out[0..len). */
bool digest_hex_parse(const char *s, size_t n, uint8_t *out, size_t len);
/* Lower-case hex of b[0..n) into out (2n + 1 bytes). */
void digest_hex(const uint8_t *b, size_t n, char *out);

/* "ALGO=HEX" (the digest's exact length, either case) into w.  QV_E_USAGE
 * naming what is wrong ("unknown digest 'md5'", "sha-256 wants 64 hex
 * digits, got 63"). */
enum qv_err digest_spec_parse(const char *s, size_t n, struct digest_want *w,
			      struct qv_error *err);

#endif
