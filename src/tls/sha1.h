/* sha1.h - SHA-1 (FIPS 180-4), for one use only: OpenSSL's subject-name hash,
 * which names the files of a hashed certificate directory (certdir.h).
 *
 * It never checks anything: a file found by a hash is used only when a
 * certificate in it has the very subject asked for, byte for byte.  A small
 * loop here instead of BearSSL's unrolled br_sha1 (1.6 KiB): the binary has
 * a size budget, and hashing a name is not on any hot path. */
#ifndef QV_TLS_SHA1_H
#define QV_TLS_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define TLS_SHA1_LEN 20u

/* out = SHA-1(p[0..len)). */
void tls_sha1(const uint8_t *p, size_t len, uint8_t out[TLS_SHA1_LEN]);

#endif
