/* trust.h - the trust anchors TLS clients verify servers against.
 *
 * Decoded at run time from PEM (or DER) certificates into BearSSL's
 * br_x509_trust_anchor form (subject DN and public key copied; RSA and EC),
 * from the first source that is set or exists:
 *   --cacert FILE, else $SSL_CERT_FILE, else $SSL_CERT_DIR (every regular
 *   file in it that parses; a ':'-separated list is allowed), else the first
 *   existing distro bundle of TLS_TRUST_BUNDLES.
 * A store is loaded once per run and then only read, so any number of
 * threads may use it without locks.  Duplicates (a directory holds each CA
 * under two names) are kept once. */
#ifndef QV_TLS_TRUST_H
#define QV_TLS_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "tls/br.h"
#include "util/err.h"

/* Most anchors kept: a distro bundle has about 150; 4096 bounds memory
 * (each is a few hundred bytes) against a runaway directory. */
#define TLS_TRUST_MAX 4096u
/* Most directory entries looked at in one SSL_CERT_DIR directory. */
#define TLS_TRUST_DIR_FILES_MAX 16384u
/* Largest subject DN copied: real ones are under 300 bytes. */
#define TLS_TRUST_DN_MAX 4096u

/* The distro bundle paths (Debian/Ubuntu/Alpine/Arch, Fedora/RHEL, macOS-ish
 * and others, OpenSUSE, OpenELEC, old RHEL), as a NULL-terminated list. */
extern const char *const TLS_TRUST_BUNDLES[];

struct tls_trust {
	br_x509_trust_anchor *ta;   /* count anchors, each owning its DN+key bytes */
	size_t count;
	size_t cap;
	uint64_t *hash;             /* per anchor, for duplicate detection */
	uint64_t id;                /* hash of the whole set (session cache key) */
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
 * Certificates BearSSL cannot decode are skipped; *added (may be NULL)
 * counts the new anchors.  Errors: QV_E_TLS_PEM (malformed PEM, or more
 * than TLS_TRUST_MAX anchors), QV_E_NOMEM. */
enum qv_err tls_trust_add_pem(struct tls_trust *t, const uint8_t *data, size_t len,
			      size_t *added, struct qv_error *err);

/* Free the store and every anchor.  Accepts NULL. */
void tls_trust_free(struct tls_trust *t);

#endif
