/* trust.h - the trust anchors TLS clients verify servers against.
 *
 * Loaded at run time from PEM (or DER) certificates, from the first source
 * that is set or exists:
 *   --cacert FILE, else $SSL_CERT_FILE, else $SSL_CERT_DIR (a
 *   ':'-separated list is allowed), else the first existing distro bundle
 *   of TLS_TRUST_BUNDLES.
 * SSL_CERT_DIR is read as OpenSSL reads it, laid out by `openssl rehash`
 * (HASH.N names, certdir.h), and not when loading: a chain's issuer is
 * looked up there by the hash of its name when a chain needs it.  A
 * directory list without any HASH.N name is an error (it used to have
 * every file read, which is what the lookup avoids).
 * Loading keeps each certificate's DER and finds its subject name (cert.h),
 * nothing more: a bundle holds ~150 anchors and a run needs one or two, so
 * an anchor's key is decoded (tls_anchor_decode, BearSSL's decoder) only
 * when a chain names its subject (tls_trust_find, a hash table on the
 * subject).  A store is loaded once per run and then only read, so any
 * number of threads may use it without locks.  A certificate found twice
 * (a directory holds each CA under two names) is kept once. */
#ifndef QV_TLS_TRUST_H
#define QV_TLS_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/br.h"
#include "tls/der.h"
#include "tls/pkey.h"
#include "util/err.h"

/* Most anchors kept: a distro bundle has about 150; 4096 bounds memory
 * (each is a certificate, 1 to 2 KiB) against a runaway directory. */
#define TLS_TRUST_MAX 4096u
/* Most directory entries looked at for a HASH.N name in one SSL_CERT_DIR
 * directory (/etc/ssl/certs has about 300). */
#define TLS_TRUST_DIR_FILES_MAX 16384u

/* The distro bundle paths (Debian/Ubuntu/Alpine/Arch, Fedora/RHEL, macOS-ish
 * and others, OpenSUSE, OpenELEC, old RHEL), as a NULL-terminated list. */
extern const char *const TLS_TRUST_BUNDLES[];

struct tls_anchor {
	uint8_t *der;         /* the certificate (owned) */
	size_t der_len;
	struct der subject;   /* its subject Name, inside der */
	uint64_t subject_hash;
};

struct tls_trust {
	struct tls_anchor *a;       /* count anchors */
	size_t count;
	size_t cap;
	uint32_t *index;            /* open addressing on subject_hash: anchor + 1, 0 = free */
	size_t index_cap;           /* a power of two, at least twice count */
	char *cert_dirs;            /* hashed SSL_CERT_DIR, read by lookup, or NULL */
	uint64_t id;                /* hash of the whole set (session and chain cache keys) */
};

/* Where to look.  NULL (or "") fields are unset. */
struct tls_trust_paths {
	const char *cacert;          /* --cacert FILE */
	const char *cert_file;       /* $SSL_CERT_FILE */
	const char *cert_dir;        /* $SSL_CERT_DIR */
	const char *const *bundles;  /* NULL: TLS_TRUST_BUNDLES */
};

/* cacert plus $SSL_CERT_FILE, $SSL_CERT_DIR and the distro bundles. */
void tls_trust_paths_env(struct tls_trust_paths *p, const char *cacert);

/* Load the anchors of the first source that is set or exists.
 * Errors: QV_E_TLS_NO_CA (nothing found: the message says where it looked and
 * how to point quiver at a bundle; or the chosen source had no certificate),
 * QV_E_TLS_PEM (unreadable or malformed --cacert / SSL_CERT_FILE),
 * QV_E_NOMEM.  *out is NULL on error. */
enum qv_err tls_trust_load(struct tls_trust **out, const struct tls_trust_paths *p,
			   struct qv_error *err);

/* An empty store (then fill it with tls_trust_add_pem). */
enum qv_err tls_trust_new(struct tls_trust **out, struct qv_error *err);

/* Add every certificate of PEM data[0..len) (or one DER certificate).
 * Objects that are not certificates, or whose structure has no subject, are
 * skipped; *added (may be NULL) counts the new anchors.  Errors:
 * QV_E_TLS_PEM (malformed PEM, or more than TLS_TRUST_MAX anchors),
 * QV_E_NOMEM. */
enum qv_err tls_trust_add_pem(struct tls_trust *t, const uint8_t *data, size_t len,
			      size_t *added, struct qv_error *err);

/* Free the store and every anchor.  Accepts NULL. */
void tls_trust_free(struct tls_trust *t);

/* The anchors whose subject is exactly the Name element dn[0..len), at most
 * max of them into out; returns how many. */
size_t tls_trust_find(const struct tls_trust *t, const uint8_t *dn, size_t len,
		      const struct tls_anchor **out, size_t max);

/* Decode a's certificate into a BearSSL trust anchor: ta->dn is a's subject
 * (inside a), the key is copied into *key (ta->pkey points there), and the
 * CA flag is its basicConstraints cA.  False when BearSSL cannot decode the
 * certificate or its key is neither RSA nor EC (it then anchors nothing, as
 * it never could). */
bool tls_anchor_decode(const struct tls_anchor *a, br_x509_trust_anchor *ta, struct tls_pkey *key);

#endif
