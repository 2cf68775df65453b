/* trust.c - trust anchors from PEM/DER files, an SSL_CERT_DIR or a distro
 * bundle: kept as DER, found by subject, decoded when used. */
#include "tls/trust.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tls/cert.h"
#include "tls/certdir.h"
#include "tls/pem.h"
#include "util/hash.h"

const char *const TLS_TRUST_BUNDLES[] = {
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/cert.pem",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/ssl/certs/ca-bundle.crt",
	NULL,
};

/* Longest path built from SSL_CERT_DIR + a file name. */
#define TRUST_PATH_MAX 4096

static bool str_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

void tls_trust_paths_env(struct tls_trust_paths *p, const char *cacert)
{
	p->cacert = cacert;
	p->cert_file = getenv("SSL_CERT_FILE");
	p->cert_dir = getenv("SSL_CERT_DIR");
	p->bundles = NULL;
}

enum qv_err tls_trust_new(struct tls_trust **out, struct qv_error *err)
{
	struct tls_trust *t = calloc(1, sizeof *t);

	*out = NULL;
	if (t == NULL) {
		(void)qv_error_set(err, QV_E_NOMEM, "out of memory");
		return QV_E_NOMEM;
	}
	t->id = HASH_FNV64_OFFSET;
	*out = t;
	return QV_OK;
}

void tls_trust_free(struct tls_trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->count; i++)
		free(t->a[i].der);
	free(t->a);
	free(t->index);
	free(t->cert_dirs);
	free(t);
}

/* The first index slot to probe for subject hash h. */
static size_t slot_of(const struct tls_trust *t, uint64_t h)
{
	return (size_t)(h ^ h >> 32) & (t->index_cap - 1);
}

size_t tls_trust_find(const struct tls_trust *t, const uint8_t *dn, size_t len,
		      const struct tls_anchor **out, size_t max)
{
	uint64_t h = hash_fnv1a64(HASH_FNV64_OFFSET, dn, len);
	size_t i, n = 0;

	if (t->index_cap == 0)
		return 0;
	for (i = slot_of(t, h); t->index[i] != 0 && n < max; i = (i + 1) & (t->index_cap - 1)) {
		const struct tls_anchor *a = &t->a[t->index[i] - 1];

		if (a->subject_hash == h && der_eq(&a->subject, dn, len))
			out[n++] = a;
	}
	return n;
}

static void index_put(struct tls_trust *t, size_t anchor)
{
	size_t i = slot_of(t, t->a[anchor].subject_hash);

	while (t->index[i] != 0)
		i = (i + 1) & (t->index_cap - 1);
	t->index[i] = (uint32_t)anchor + 1;
}

/* Room for one more anchor, the index at most half full.  Errors:
 * QV_E_TLS_PEM at the cap, QV_E_NOMEM. */
static enum qv_err trust_grow(struct tls_trust *t, struct qv_error *err)
{
	size_t cap = t->cap == 0 ? 64 : t->cap * 2, i;
	struct tls_anchor *a;
	uint32_t *index;

	if (t->count < t->cap)
		return QV_OK;
	if (t->count >= TLS_TRUST_MAX)
		return qv_error_set(err, QV_E_TLS_PEM, "more than %u CA certificates", TLS_TRUST_MAX);
	if (cap > TLS_TRUST_MAX)
		cap = TLS_TRUST_MAX;
	a = realloc(t->a, cap * sizeof *a);
	if (a == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	t->a = a;
	index = calloc(cap * 2, sizeof *index);
	if (index == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	free(t->index);
	t->index = index;
	t->index_cap = cap * 2;
	t->cap = cap;
	for (i = 0; i < t->count; i++)
		index_put(t, i);
	return QV_OK;
}

/* Is this very certificate (same DER) in t already? */
static bool trust_has(const struct tls_trust *t, const struct tls_cert *c, const uint8_t *der,
		      size_t len)
{
	const struct tls_anchor *same[8];
	size_t n, i;

	/* Certificates sharing a subject are few: a CA's renewals. */
	n = tls_trust_find(t, c->subject.p, c->subject.len, same, sizeof same / sizeof same[0]);
	for (i = 0; i < n; i++)
		if (same[i]->der_len == len && memcmp(same[i]->der, der, len) == 0)
			return true;
	return false;
}

/* Keep one DER certificate as an anchor.  One whose structure has no
 * subject is skipped (*added stays false), not an error. */
static enum qv_err trust_add_der(struct tls_trust *t, const uint8_t *der, size_t len,
				 bool *added, struct qv_error *err)
{
	struct tls_cert c;
	struct tls_anchor *a;
	uint8_t *copy;
	enum qv_err rc;
	uint64_t h;

	*added = false;
	if (!tls_cert_parse(der, len, &c) || trust_has(t, &c, der, len))
		return QV_OK;
	rc = trust_grow(t, err);
	if (rc != QV_OK)
		return rc;
	copy = malloc(len);
	if (copy == NULL || t->a == NULL) {
		free(copy);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	memcpy(copy, der, len);
	a = &t->a[t->count];
	a->der = copy;
	a->der_len = len;
	a->subject.p = a->der + (c.subject.p - der);
	a->subject.len = c.subject.len;
	a->subject_hash = hash_fnv1a64(HASH_FNV64_OFFSET, c.subject.p, c.subject.len);
	index_put(t, t->count++);
	h = hash_fnv1a64(HASH_FNV64_OFFSET, der, len);
	t->id = hash_fnv1a64(t->id, &h, sizeof h);
	*added = true;
	return QV_OK;
}

bool tls_anchor_decode(const struct tls_anchor *a, br_x509_trust_anchor *ta, struct tls_pkey *key)
{
	struct tls_cert_info ci;

	if (!tls_cert_decode(a->der, a->der_len, &ci) || !tls_pkey_copy(key, &ci.pkey))
		return false;
	ta->dn.data = a->der + (a->subject.p - a->der); /* BearSSL wants it writable */
	ta->dn.len = a->subject.len;
	ta->flags = ci.is_ca ? BR_X509_TA_CA : 0;
	ta->pkey = key->pk;
	return true;
}

struct pem_add {
	struct tls_trust *t;
	size_t added;
};

static enum qv_err pem_add_cert(void *ctx, const char *name, const uint8_t *der, size_t len,
				struct qv_error *err)
{
	struct pem_add *pa = ctx;
	bool added;
	enum qv_err rc;

	if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0 &&
	    strcmp(name, "TRUSTED CERTIFICATE") != 0)
		return QV_OK;
	rc = trust_add_der(pa->t, der, len, &added, err);
	if (added)
		pa->added++;
	return rc;
}

enum qv_err tls_trust_add_pem(struct tls_trust *t, const uint8_t *data, size_t len,
			      size_t *added, struct qv_error *err)
{
	struct pem_add pa = {t, 0};
	size_t objects = 0;
	enum qv_err rc;

	/* DER: a certificate is an ASN.1 SEQUENCE (0x30); PEM is text. */
	if (len > 0 && data[0] == 0x30) {
		bool one;

		rc = trust_add_der(t, data, len, &one, err);
		pa.added = one ? 1 : 0;
	} else {
		rc = tls_pem_each(data, len, pem_add_cert, &pa, &objects, err);
	}
	if (added != NULL)
		*added = pa.added;
	return rc;
}

/* Add the certificates of one file. */
static enum qv_err trust_add_file(struct tls_trust *t, const char *path, size_t *added,
				  struct qv_error *err)
{
	uint8_t *data;
	size_t len;
	enum qv_err rc;

	*added = 0;
	rc = file_read_all(path, TLS_PEM_FILE_MAX, QV_E_TLS_PEM, &data, &len, err);
	if (rc != QV_OK)
		return rc;
	rc = tls_trust_add_pem(t, data, len, added, err);
	free(data);
	return rc;
}

/* Does any directory of the ':'-separated list have HASH.N names? */
static bool dirs_hashed(const char *dirs)
{
	char one[TRUST_PATH_MAX];
	const char *p = dirs;

	while (*p != '\0') {
		size_t n = strcspn(p, ":");

		if (n > 0 && n < sizeof one) {
			memcpy(one, p, n);
			one[n] = '\0';
			if (tls_certdir_hashed(one))
				return true;
		}
		p += n + (p[n] == ':');
	}
	return false;
}

/* A hashed SSL_CERT_DIR: nothing read now, looked up per chain. */
static enum qv_err trust_hashed_dirs(struct tls_trust *t, const char *dirs, struct qv_error *err)
{
	t->cert_dirs = strdup(dirs);
	if (t->cert_dirs == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	t->id = hash_fnv1a64(t->id, dirs, strlen(dirs));
	return QV_OK;
}

/* Put "label: " in front of err's message (truncating its end). */
static void err_prefix(struct qv_error *err, const char *label)
{
	size_t l, m;

	if (err == NULL)
		return;
	l = strlen(label) + 2;
	if (l >= sizeof err->msg)
		return;
	m = strnlen(err->msg, sizeof err->msg - 1);
	if (m > sizeof err->msg - 1 - l)
		m = sizeof err->msg - 1 - l;
	memmove(err->msg + l, err->msg, m);
	memcpy(err->msg, label, l - 2);
	memcpy(err->msg + l - 2, ": ", 2);
	err->msg[l + m] = '\0';
}

/* One file chosen by the user (or the first distro bundle found). */
static enum qv_err trust_from_file(struct tls_trust *t, const char *label, const char *path,
				   struct qv_error *err)
{
	size_t added;
	enum qv_err rc = trust_add_file(t, path, &added, err);

	if (rc != QV_OK) {
		err_prefix(err, label);
		return rc;
	}
	if (t->count == 0)
		return qv_error_set(err, QV_E_TLS_NO_CA, "no CA certificate in %s (%s)", path, label);
	return QV_OK;
}

/* Length of the directory part of path ("/etc/ssl" of "/etc/ssl/cert.pem"). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash != path ? (size_t)(slash - path) : strlen(path);
}

/* "/etc/ssl/certs, /etc/pki/tls/certs, ...": the directories of the bundle
 * list, each once, for the "where did you look" message. */
static void bundle_dirs(const char *const *bundles, char *out, size_t cap)
{
	size_t used = 0, i, j;

	out[0] = '\0';
	for (i = 0; bundles[i] != NULL; i++) {
		size_t n = dir_len(bundles[i]);

		for (j = 0; j < i; j++)
			if (dir_len(bundles[j]) == n && strncmp(bundles[j], bundles[i], n) == 0)
				break;
		if (j < i || used + n + 3 > cap)
			continue;
		if (used > 0) {
			memcpy(out + used, ", ", 2);
			used += 2;
		}
		memcpy(out + used, bundles[i], n);
		used += n;
		out[used] = '\0';
	}
}

static enum qv_err trust_from_default(struct tls_trust *t, const char *const *bundles,
				      struct qv_error *err)
{
	char dirs[160];
	size_t i;

	for (i = 0; bundles[i] != NULL; i++) {
		struct stat st;

		if (stat(bundles[i], &st) == 0 && S_ISREG(st.st_mode))
			return trust_from_file(t, "CA bundle", bundles[i], err);
	}
	bundle_dirs(bundles, dirs, sizeof dirs);
	return qv_error_set(err, QV_E_TLS_NO_CA,
			    "no CA certificates found: SSL_CERT_FILE and SSL_CERT_DIR are unset and "
			    "there is no CA bundle in %s; use --cacert FILE or set SSL_CERT_FILE",
			    dirs);
}

enum qv_err tls_trust_load(struct tls_trust **out, const struct tls_trust_paths *p,
			   struct qv_error *err)
{
	struct tls_trust *t;
	enum qv_err rc;

	*out = NULL;
	rc = tls_trust_new(&t, err);
	if (rc != QV_OK)
		return rc;
	if (str_set(p->cacert)) {
		rc = trust_from_file(t, "--cacert", p->cacert, err);
	} else if (str_set(p->cert_file)) {
		rc = trust_from_file(t, "SSL_CERT_FILE", p->cert_file, err);
	} else if (str_set(p->cert_dir)) {
		rc = dirs_hashed(p->cert_dir)
			     ? trust_hashed_dirs(t, p->cert_dir, err)
			     : qv_error_set(err, QV_E_TLS_NO_CA,
					    "no CA certificates named by hash (HASH.0) in SSL_CERT_DIR=%s; "
					    "run `openssl rehash` on it, use --cacert FILE or set "
					    "SSL_CERT_FILE",
					    p->cert_dir);
	} else {
		rc = trust_from_default(t, p->bundles != NULL ? p->bundles : TLS_TRUST_BUNDLES, err);
	}
	if (rc != QV_OK) {
		tls_trust_free(t);
		return rc;
	}
	*out = t;
	return QV_OK;
}
