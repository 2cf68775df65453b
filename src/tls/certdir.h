/* certdir.h - OpenSSL-style hashed certificate directories (SSL_CERT_DIR,
 * as `openssl rehash` or c_rehash lay them out): each CA certificate is
 * reachable as HASH.N, HASH the 8 hex digits of its subject-name hash and
 * N = 0, 1, ... for names that share a hash.
 *
 * A chain names its issuer; the issuer's hash names the files to read, so
 * a run reads the one or two files it needs instead of every certificate
 * of the directory.  The hash is OpenSSL's X509_NAME_hash: SHA-1 (sha1.h)
 * of the name's canonical encoding -- every string attribute converted to
 * UTF-8, blanks trimmed and collapsed, ASCII lower-cased, each RDN
 * re-encoded as a SET of (OID, UTF8String) -- its first four bytes read
 * little-endian.  A file found is only a candidate: its certificates are
 * used when their subject is the very name asked for. */
#ifndef QV_TLS_CERTDIR_H
#define QV_TLS_CERTDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest canonical name hashed: a real one is under 300 bytes, a name
 * can at most double when its Latin-1 text becomes UTF-8. */
#define TLS_CERTDIR_NAME_MAX 8192u
/* HASH.0 ... HASH.15 looked at for one name: c_rehash numbers the
 * certificates that share a hash from 0, and 16 is more than any store
 * has for one name. */
#define TLS_CERTDIR_SLOTS_MAX 16u

/* OpenSSL's X509_NAME_hash of the Name element dn[0..len) into *out.
 * False when the name is malformed or too long. */
bool tls_name_hash(const uint8_t *dn, size_t len, uint32_t *out);

/* True when directory dir has at least one HASH.N entry. */
bool tls_certdir_hashed(const char *dir);

/* Called with the contents of one file DIR/HASH.N (valid during the call). */
typedef void (*tls_certdir_fn)(void *ctx, const uint8_t *data, size_t len);

/* For each directory of the ':'-separated list dirs, each file DIR/HASH.0,
 * DIR/HASH.1, ... until one is missing or unreadable (as OpenSSL stops):
 * fn with its contents. */
void tls_certdir_each(const char *dirs, uint32_t hash, tls_certdir_fn fn, void *ctx);

#endif
