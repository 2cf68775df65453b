/* trust.c - trust anchors from PEM/DER files, an SSL_CERT_DIR or a distro
 * bundle, decoded with BearSSL's br_x509_decoder. */
#include "tls/trust.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
		free(t->ta[i].dn.data); /* one block: DN then key bytes */
	free(t->ta);
	free(t->hash);
	free(t);
}

/* Receives the subject DN from the decoder; too long a DN is flagged. */
struct dn_buf {
	uint8_t data[TLS_TRUST_DN_MAX];
	size_t len;
	bool overflow;
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct dn_buf *d = ctx;

	if (d->overflow || len > sizeof d->data - d->len) {
		d->overflow = true;
		return;
	}
	memcpy(d->data + d->len, buf, len);
	d->len += len;
}

/* Bytes of the public key, in the order they are copied. */
static size_t pkey_size(const br_x509_pkey *pk)
{
	if (pk->key_type == BR_KEYTYPE_RSA)
		return pk->key.rsa.nlen + pk->key.rsa.elen;
	return pk->key.ec.qlen;
}

/* Fill a with copies of dn and pk in one malloc'd block. */
static bool anchor_make(br_x509_trust_anchor *a, const struct dn_buf *dn,
			const br_x509_pkey *pk, bool is_ca)
{
	size_t klen = pkey_size(pk);
	uint8_t *block = malloc(dn->len + klen + 1);
	uint8_t *k;

	if (block == NULL)
		return false;
	memcpy(block, dn->data, dn->len);
	k = block + dn->len;
	a->dn.data = block;
	a->dn.len = dn->len;
	a->flags = is_ca ? BR_X509_TA_CA : 0;
	a->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		memcpy(k, pk->key.rsa.n, pk->key.rsa.nlen);
		memcpy(k + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
		a->pkey.key.rsa.n = k;
		a->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		a->pkey.key.rsa.e = k + pk->key.rsa.nlen;
		a->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		memcpy(k, pk->key.ec.q, pk->key.ec.qlen);
		a->pkey.key.ec.curve = pk->key.ec.curve;
		a->pkey.key.ec.q = k;
		a->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	return true;
}

static uint64_t anchor_hash(const struct dn_buf *dn, const br_x509_pkey *pk)
{
	uint64_t h = hash_fnv1a64(HASH_FNV64_OFFSET, dn->data, dn->len);

	if (pk->key_type == BR_KEYTYPE_RSA) {
		h = hash_fnv1a64(h, pk->key.rsa.n, pk->key.rsa.nlen);
		return hash_fnv1a64(h, pk->key.rsa.e, pk->key.rsa.elen);
	}
	return hash_fnv1a64(h, pk->key.ec.q, pk->key.ec.qlen);
}

static bool trust_has(const struct tls_trust *t, uint64_t h, const struct dn_buf *dn)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->hash[i] == h && t->ta[i].dn.len == dn->len &&
		    memcmp(t->ta[i].dn.data, dn->data, dn->len) == 0)
			return true;
	return false;
}

/* Room for one more anchor.  Errors: QV_E_TLS_PEM at the cap, QV_E_NOMEM. */
static enum qv_err trust_grow(struct tls_trust *t, struct qv_error *err)
{
	size_t cap = t->cap == 0 ? 64 : t->cap * 2;
	br_x509_trust_anchor *ta;
	uint64_t *hash;

	if (t->count < t->cap)
		return QV_OK;
	if (t->count >= TLS_TRUST_MAX) {
		(void)qv_error_set(err, QV_E_TLS_PEM, "more than %u CA certificates", TLS_TRUST_MAX);
		return QV_E_TLS_PEM;
	}
	if (cap > TLS_TRUST_MAX)
		cap = TLS_TRUST_MAX;
	ta = realloc(t->ta, cap * sizeof *ta);
	if (ta != NULL)
		t->ta = ta;
	hash = ta != NULL ? realloc(t->hash, cap * sizeof *hash) : NULL;
	if (hash == NULL) {
		(void)qv_error_set(err, QV_E_NOMEM, "out of memory");
		return QV_E_NOMEM;
	}
	t->hash = hash;
	t->cap = cap;
	return QV_OK;
}

/* Decode one DER certificate and keep it as an anchor.  A certificate that
 * BearSSL cannot decode is skipped (*added stays false), not an error. */
static enum qv_err trust_add_der(struct tls_trust *t, const uint8_t *der, size_t len,
				 bool *added, struct qv_error *err)
{
	br_x509_decoder_context dc;
	struct dn_buf *dn;
	const br_x509_pkey *pk;
	enum qv_err rc = QV_OK;
	uint64_t h;

	*added = false;
	dn = malloc(sizeof *dn);
	if (dn == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	dn->len = 0;
	dn->overflow = false;
	br_x509_decoder_init(&dc, dn_append, dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL || dn->overflow || (pk->key_type != BR_KEYTYPE_RSA &&
					   pk->key_type != BR_KEYTYPE_EC))
		goto out;
	h = anchor_hash(dn, pk);
	if (trust_has(t, h, dn))
		goto out;
	rc = trust_grow(t, err);
	if (rc != QV_OK)
		goto out;
	if (!anchor_make(&t->ta[t->count], dn, pk, br_x509_decoder_isCA(&dc) != 0)) {
		rc = qv_error_set(err, QV_E_NOMEM, "out of memory");
		goto out;
	}
	t->hash[t->count++] = h;
	t->id = hash_fnv1a64(t->id, &h, sizeof h);
	*added = true;
out:
	free(dn);
	return rc;
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
	rc = tls_file_read(path, TLS_PEM_FILE_MAX, &data, &len, err);
	if (rc != QV_OK)
		return rc;
	rc = tls_trust_add_pem(t, data, len, added, err);
	free(data);
	return rc;
}

/* Add every regular file of dir that parses; others are skipped. */
static enum qv_err trust_add_dir(struct tls_trust *t, const char *dir, struct qv_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t seen = 0;
	enum qv_err rc = QV_OK;

	if (d == NULL)
		return QV_OK; /* as OpenSSL: a missing directory just adds nothing */
	while (rc == QV_OK && seen < TLS_TRUST_DIR_FILES_MAX && (de = readdir(d)) != NULL) {
		char path[TRUST_PATH_MAX];
		struct stat st;
		struct qv_error ignored;
		size_t added;
		int n;

		seen++;
		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		rc = trust_add_file(t, path, &added, &ignored);
		if (rc == QV_E_NOMEM || (rc == QV_E_TLS_PEM && t->count >= TLS_TRUST_MAX))
			*err = ignored;
		else
			rc = QV_OK; /* not a certificate file: skip it */
	}
	(void)closedir(d);
	return rc;
}

/* Each directory of a ':'-separated SSL_CERT_DIR. */
static enum qv_err trust_add_dirs(struct tls_trust *t, const char *dirs, struct qv_error *err)
{
	char one[TRUST_PATH_MAX];
	const char *p = dirs;

	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		enum qv_err rc;

		if (n > 0 && n < sizeof one) {
			memcpy(one, p, n);
			one[n] = '\0';
			rc = trust_add_dir(t, one, err);
			if (rc != QV_OK)
				return rc;
		}
		p += n;
		if (*p == ':')
			p++;
	}
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
		rc = trust_add_dirs(t, p->cert_dir, err);
		if (rc == QV_OK && t->count == 0)
			rc = qv_error_set(err, QV_E_TLS_NO_CA,
					  "no CA certificates in SSL_CERT_DIR=%s; use --cacert FILE "
					  "or set SSL_CERT_FILE",
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
